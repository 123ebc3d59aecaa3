"""Filling a split department workbook the way a person does, with openpyxl.

Shared by the consolidation, committee and export tests. A person types into
the unlocked cells: numbers with units, full-width digits, commas
("513人", "２０，１３５世帯", "50.70%"), and the two texts on the item's first
row; Excel then saves the workbook and records the save time in
docProps/core.xml. `fill_department` does the same, finding cells by the
sheet's key row and the indicator IDs, so tests never depend on positions.

    from helpers_fill import fill_department, seed_inputs
    values, texts = seed_inputs("地域共生課")
    fill_department(path, values, texts, saved=datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc))
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from openpyxl import load_workbook

from welfare_xl import layout as L
from welfare_xl.metadata import SHEET as META_SHEET
from welfare_xl.metadata import from_grid

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "調査票.xlsx"
TEMPLATE_SOURCE = ROOT / "templates" / "source" / "調査票.toml"
SEED_CSV = Path(__file__).resolve().parent / "data" / "seed" / "資料２_令和元年度.csv"

SEED_ACTUAL = "令和元年度"
SEED_DONE = "令和元年度の取組状況（増減に向けて取り組んだ内容等）"
SEED_NEXT = "令和２年度に向けた今後の展開（課題に向けた取り組み等）"

Texts = Mapping[str, tuple[str | None, str | None]]


def _grid(ws) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def department_table(wb) -> tuple[Any, L.Table]:
    """The worksheet carrying the keyed indicator table (whatever its name) and that table."""
    for ws in wb.worksheets:
        if ws.title == META_SHEET:
            continue
        table = L.find_table(_grid(ws))
        if table is not None:
            return ws, table
    raise AssertionError(f"no keyed indicator table in {wb.sheetnames}")


def fill_department(path: str | Path, values: Mapping[str, Any], texts: Texts | None = None, *,
                    saved: datetime | None = None, mtime: datetime | None = None,
                    out: str | Path | None = None) -> Path:
    """Type `values` (raw, as a person types them) into the survey year's column and
    `texts` (done, next) into the two text columns of the given indicators' rows.

    `saved` becomes the workbook's own last-saved time (docProps/core.xml, what
    consolidation ranks resubmissions by); a naive time is taken as UTC, as
    Excel writes it. `mtime` sets the file's modification time. `out` writes a
    copy under another name (a department renaming its file) instead of saving
    in place. Strings are stored as text cells, as Excel stores typed text.
    """
    path = Path(path)
    wb = load_workbook(path)
    meta = from_grid(_grid(wb[META_SHEET]))
    ws, table = department_table(wb)
    rows = table.by_id()
    value_col = table.columns[L.year_key(meta.survey.fiscal_year)]

    def put(ind: str, col: int, raw: Any) -> None:
        if ind not in rows:
            raise KeyError(f"{ind} is not a row of {path.name} (rows: {list(rows)})")
        cell = ws.cell(row=rows[ind].row + 1, column=col + 1)
        cell.value = raw
        if isinstance(raw, str):
            cell.data_type = "s"  # typed text, even "=1+1" (as after a leading apostrophe)

    for ind, raw in values.items():
        put(ind, value_col, raw)
    for ind, (done, nxt) in (texts or {}).items():
        put(ind, table.columns[L.DONE], done)
        put(ind, table.columns[L.NEXT], nxt)
    target = Path(out) if out is not None else path
    save_as_person(wb, target, saved=saved, mtime=mtime)
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


def set_saved_time(path: str | Path, saved: datetime) -> None:
    """Rewrite dcterms:modified in docProps/core.xml (UTC, as Excel writes it)."""
    path = Path(path)
    moment = saved.replace(tzinfo=timezone.utc) if saved.tzinfo is None else saved.astimezone(timezone.utc)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    fd, tmp_name = tempfile.mkstemp(suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "docProps/core.xml":
                    text, n = re.subn(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                      lambda m: m.group(1) + stamp + m.group(2), data.decode("utf-8"))
                    assert n == 1, "docProps/core.xml has no dcterms:modified"
                    data = text.encode("utf-8")
                dst.writestr(item, data)
        shutil.move(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def unprotect(ws) -> None:
    """What a department does before changing the form: Review → Unprotect Sheet."""
    ws.protection.sheet = False


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
    from welfare_xl.source import load_source

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
    from welfare_xl.source import load_source

    leads = {i.id for i in load_source(TEMPLATE_SOURCE).survey.indicators if i.lead}
    values, texts = {}, {}
    for ind, row in seed_table().items():
        if department is not None and row.department != department:
            continue
        values[ind] = row.actual
        if ind in leads:
            texts[ind] = (row.done, row.next)
    return values, texts
