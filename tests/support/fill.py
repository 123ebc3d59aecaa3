"""Filling a department's return the way a clerk does: the tests' one helper for it.

A clerk types into the unlocked cells: numbers with units, full-width digits,
commas ("513人", "２０，１３５世帯", "50.70%"), and the two texts on the item's
first row; Excel then saves the workbook and records the save time in
docProps/core.xml. `fill_department` does that through the product's own
`welfare_xl.files.returns.fill_returned` (the demo's department player), finding
cells by the sheet's key row and the indicator IDs, so tests never depend on
positions; it adds only the file's modification time.

    from support.fill import fill_department
    from support.seed import seed_inputs
    values, texts = seed_inputs("地域共生課")
    fill_department(path, values, texts, saved=datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc))
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
import shutil
from pathlib import Path
from typing import Any, Mapping

from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.files.returns import fill_returned, set_saved_time

Texts = Mapping[str, tuple[str | None, str | None]]

# 地域共生課's 令和元年度 figures as a clerk might type them, all readable.
CHIIKI_DONE = "機関紙の発行、社協内HPでの情報提供の他、ボランティア養成講習会や体験会の開催"
CHIIKI_NEXT = "次世代の育成を目的とし福祉体験、ボランティア体験を実施。"
CHIIKI = {
    "G1-01": "513人", "G2-02a": "８６団体", "G2-02b": "15,813", "G2-02c": "2731回",
    "G3-01": " 888 ", "G3-03": 925, "G4-02": "75件",
}
CHIIKI_TEXTS = {i: (CHIIKI_DONE, CHIIKI_NEXT) for i in ("G1-01", "G2-02a", "G3-01", "G3-03", "G4-02")}


def _grid(ws) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def department_table(wb) -> tuple[Any, layout.Table]:
    """The worksheet carrying the keyed indicator table (whatever its name) and that table."""
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        table = layout.find_table(_grid(ws))
        if table is not None:
            return ws, table
    raise AssertionError(f"no keyed indicator table in {wb.sheetnames}")


def cells_by_key(ws) -> tuple[dict[str, int], dict[str, int]]:
    """(indicator ID -> row number, key -> column number), 1-based, of an openpyxl sheet, by its key row."""
    table = layout.find_table([[c.value for c in row] for row in ws.iter_rows()])
    assert table is not None, f"no key row on sheet {ws.title}"
    return {r.id: r.row + 1 for r in table.rows}, {k: c + 1 for k, c in table.columns.items()}


def fill_department(path: str | Path, values: Mapping[str, Any], texts: Texts | None = None, *,
                    saved: datetime | None = None, mtime: datetime | None = None,
                    out: str | Path | None = None, sheet: str | None = None) -> Path:
    """Type `values` (raw, as a person types them) and `texts` (done, next) into a
    department's worksheet (`sheet` when the workbook holds several); `saved` is the
    workbook's own last-saved time, `mtime` the file's; `out` saves under another name."""
    target = fill_returned(path, values, texts, saved=saved, out=out, sheet=sheet)
    if mtime is not None:
        stamp = (mtime if mtime.tzinfo else mtime.replace(tzinfo=timezone.utc)).timestamp()
        os.utime(target, (stamp, stamp))
    return target


def save_as_person(wb, path: str | Path, *, saved: datetime | None = None, mtime: datetime | None = None) -> Path:
    """Save an openpyxl workbook with a chosen last-saved time (openpyxl always stamps 'now')."""
    path = Path(path)
    wb.save(path)
    if saved is not None:
        set_saved_time(path, saved)
    if mtime is not None:
        stamp = (mtime if mtime.tzinfo else mtime.replace(tzinfo=timezone.utc)).timestamp()
        os.utime(path, (stamp, stamp))
    return path


def unprotect(ws) -> None:
    """What a department does before changing the form: Review → Unprotect Sheet."""
    ws.protection.sheet = False


def insert_row(ws, at: int) -> None:
    """Excel's Insert ▸ Rows above 1-based row `at`: cells below move down, and merged
    ranges move or grow with them (openpyxl's insert_rows moves the cells only)."""
    merged = [rng.bounds for rng in ws.merged_cells.ranges]  # (min_col, min_row, max_col, max_row)
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.insert_rows(at)
    for c1, r1, c2, r2 in merged:
        if r1 >= at:
            r1, r2 = r1 + 1, r2 + 1
        elif r2 >= at:
            r2 += 1
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def copy_office(base: Path, to: Path, *names: str) -> Path:
    """Copy the named files and folders of a prepared office (調査票.xlsx, 配布, 提出 ...) from `base` to `to`."""
    for name in names:
        source = base / name
        if source.is_dir():
            shutil.copytree(source, to / name)
        else:
            shutil.copy(source, to / name)
    return to
