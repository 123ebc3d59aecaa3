"""A department's return as a clerk makes it: figures typed into the workbook, saved at a given time.

The demo plays the departments with these, and the tests fill their returns
with them (`tests/support/fill.py`), so both type the way the product reads:
cells are found by the key row and the indicator IDs, never by position.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from welfare_xl.core.model import layout
from welfare_xl.core.reading import find_tables
from welfare_xl.errors import UserError
from welfare_xl.files.atomic import write_atomic


def fill_returned(path: str | Path, values: Mapping[str, Any],
                  texts: Mapping[str, tuple[str | None, str | None]] | None = None, *,
                  saved: datetime | None = None, out: str | Path | None = None, sheet: str | None = None) -> Path:
    """Type a department's figures and texts into its worksheet, as a clerk would.

    Values are written as typed ("513人" stays text, 925 a number, "=1+1" text);
    cells are found by the key row and indicator ID, like every reader of the
    project. `saved` becomes the workbook's own last-saved time; `out` saves a
    copy under another name (a department renaming its file); `sheet` names the
    sheet when the workbook holds several (department sheets inside the survey).
    """
    from openpyxl import load_workbook

    path = Path(path)
    wb = load_workbook(path)
    grids = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    tables = find_tables(grids, [sheet] if sheet else wb.sheetnames)
    if not tables:
        raise UserError(f"{path.name}: 指標の表が見つかりません。")
    name, table = tables[0]
    ws = wb[name]
    year_key = max(k for k in table.columns if layout.key_year(k))
    rows = table.by_id()

    def put(row0: int, key: str, value: Any) -> None:
        cell = ws.cell(row=row0 + 1, column=table.columns[key] + 1)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text stays text, even "=..."

    def row_of(ind_id: str) -> int:
        if ind_id not in rows:
            raise KeyError(f"{ind_id} is not a row of {path.name} (rows: {list(rows)})")
        return rows[ind_id].row

    for ind_id, raw in values.items():
        put(row_of(ind_id), year_key, raw)
    for ind_id, (done, nxt) in (texts or {}).items():
        put(row_of(ind_id), layout.DONE, done)
        put(row_of(ind_id), layout.NEXT, nxt)
    target = Path(out) if out is not None else path
    wb.save(target)
    if saved is not None:
        set_saved_time(target, saved)
    return target


def set_saved_time(path: str | Path, when: datetime) -> None:
    """Rewrite the workbook's own "last saved" time (docProps/core.xml dcterms:modified).

    openpyxl always stamps the current time on save; the demo and tests need
    returns saved at given times, as Excel would have stamped them.
    """
    path = Path(path)
    # A naive time is taken as UTC, as Excel writes it (and consolidation reads it).
    moment = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info, data in items:
                if info.filename == "docProps/core.xml":
                    text = data.decode("utf-8")
                    text, n = re.subn(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                      lambda m: m.group(1) + stamp + m.group(2), text)
                    if n != 1:
                        raise ValueError(f"{path.name}: docProps/core.xml has no dcterms:modified")
                    data = text.encode("utf-8")
                dst.writestr(info, data)

    write_atomic(path, write)
