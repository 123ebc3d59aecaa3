"""Filling a split department workbook the way a person does, with openpyxl.

Shared by the consolidation, committee and export tests. A person types into
the unlocked cells: numbers with units, full-width digits, commas
("513人", "２０，１３５世帯", "50.70%"), and the two texts on the item's first
row; Excel then saves the workbook and records the save time in
docProps/core.xml. `fill_department` does the same, finding cells by the
sheet's key row and the indicator IDs, so tests never depend on positions.

    from support.fill import fill_department, seed_inputs
    values, texts = seed_inputs("地域共生課")
    fill_department(path, values, texts, saved=datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc))
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping


from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.files.returns import fill_returned, set_saved_time

from support.paths import ROOT, SEED_CSV, TEMPLATE, TEMPLATE_SOURCE  # noqa: E402,F401 - one place for paths

SEED_ACTUAL = "令和元年度"
SEED_DONE = "令和元年度の取組状況（増減に向けて取り組んだ内容等）"
SEED_NEXT = "令和２年度に向けた今後の展開（課題に向けた取り組み等）"

Texts = Mapping[str, tuple[str | None, str | None]]


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


def fill_department(path: str | Path, values: Mapping[str, Any], texts: Texts | None = None, *,
                    saved: datetime | None = None, mtime: datetime | None = None,
                    out: str | Path | None = None) -> Path:
    """Type `values` (raw, as a person types them) and `texts` (done, next) into a
    department's worksheet, via the product's own `fill_returned` (the demo's
    department player, in welfare_xl.files.returns); `mtime` also sets the file's modification time."""
    target = fill_returned(path, values, texts, saved=saved, out=out)
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


# --- the seed table ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedRow:
    """One row of the seed table (資料２, 令和元年度), matched to the template's indicator ID."""

    indicator_id: str
    department: str
    baseline: str
    reference: str
    actual: str  # as printed: "513人", "19,177世帯", "50.70%", "２団体"
    target: str
    done: str | None
    next: str | None


def seed_table() -> dict[str, SeedRow]:
    """The seed rows by indicator ID (matched by item and sub-item against the template's definitions)."""
    from welfare_xl.files.source import load_source

    survey = load_source(TEMPLATE_SOURCE).survey
    with SEED_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for ind in survey.indicators:
        (row,) = [r for r in rows if r["項目"].startswith(ind.item) and r["細目"] == ind.sub_item]
        out[ind.id] = SeedRow(ind.id, row["担当部署"], row["平成29年度（現状値）"], row["平成30年度"],
                              row[SEED_ACTUAL], row["令和５年度（目標値）"], row[SEED_DONE] or None,
                              row[SEED_NEXT] or None)
    return out


def seed_inputs(department: str | None = None) -> tuple[dict[str, str], dict[str, tuple[str | None, str | None]]]:
    """(values, texts) a department types for 令和元年度 according to the seed: the seed's
    own strings with units and commas; texts on the rows that carry them (an item's first row)."""
    from welfare_xl.files.source import load_source

    leads = {i.id for i in load_source(TEMPLATE_SOURCE).survey.indicators if i.lead}
    values, texts = {}, {}
    for ind, row in seed_table().items():
        if department is not None and row.department != department:
            continue
        values[ind] = row.actual
        if ind in leads:
            texts[ind] = (row.done, row.next)
    return values, texts
