"""Reading workbooks with python-calamine: values only, as plain 0-based grids from A1.

calamine is fast and reads values alone, which is all a reader of the project
needs (styles matter only when writing, see `welfare_xl.files.writer`). Every
file is first checked by `welfare_xl.files.preflight` (sizes, zip, XML
declarations, sheet extents, within `Limits`), so that calamine never sees a
file that could take the process down. A file that cannot be read raises
`WorkbookReadError` with a Japanese message, whatever went wrong inside the
reader.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from welfare_xl.core.model.cells import HiddenCells
from welfare_xl.files.preflight import Limits, WorkbookReadError, inspect, saved_time

__all__ = ["XLSX_SUFFIXES", "Limits", "WorkbookData", "WorkbookReadError", "core_modified", "read_workbook"]

log = logging.getLogger(__name__)

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class WorkbookData:
    """What a reader got out of a workbook file: grids by sheet name, and facts about it.

    `sheets` holds the sheets read (all, or those asked for); `sheet_order` names
    every sheet of the workbook. `hidden` holds, per sheet read, the cells the grid
    shows empty although they hold an error value or a formula never calculated.
    """

    path: Path
    sheets: dict[str, list[list[Any]]]
    sheet_order: list[str]
    hidden_sheets: set[str] = field(default_factory=set)  # sheets not visible in Excel
    modified: datetime | None = None  # the workbook's own "last saved" time (docProps/core.xml)
    hidden: HiddenCells = field(default_factory=dict)


def read_workbook(path: str | Path, sheets: list[str] | None = None, *, limits: Limits | None = None,
                  tables_only: bool = False) -> WorkbookData:
    """Values of every (or the named) sheet as 0-based grids from A1, via python-calamine.

    `limits` (default: `Config`'s) bound what the file may hold; `tables_only`
    reads only 管理情報 and the sheets carrying the keyed indicator table, as a
    return needs. Raises WorkbookReadError (Japanese) for any file it cannot read.
    """
    path = Path(path)
    found = inspect(path, limits or Limits.of(), sheets, tables_only=tables_only)
    try:
        grids, hidden_sheets = _calamine(found.package, found.read)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a native reader's panic is a BaseException
        log.warning("calamine failed on %s", path, exc_info=True)
        raise WorkbookReadError("ブックの中身（シートや部品のつながり）が壊れているため開けません（詳細はログにあります）。"
                                "Excel で開いて保存し直してもらってください。", "read_failed") from exc
    return WorkbookData(path=path, sheets=grids, sheet_order=found.order, hidden_sheets=hidden_sheets,
                        modified=found.modified, hidden={k: v for k, v in found.hidden.items() if k in grids})


def _calamine(data: bytes, names: list[str]) -> tuple[dict[str, list[list[Any]]], set[str]]:
    from python_calamine import CalamineWorkbook

    # The parts the preflight inflated and checked, stored, as a file object: calamine opens no
    # other part and inflates none again; and a path would not do (calamine takes a path as UTF-8
    # and cannot open a name that is not, as Linux gives the Shift_JIS names unzip leaves).
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        hidden = {m.name for m in wb.sheets_metadata if not str(m.visible).endswith(".Visible")}
        present = set(wb.sheet_names)
        grids = {name: _from_a1(wb.get_sheet_by_name(name)) for name in names if name in present}
    finally:
        wb.close()
    return grids, hidden


def _from_a1(sheet) -> list[list[Any]]:
    # skip_empty_area=False makes calamine start the grid at A1, so row and
    # column indices are the sheet's own (0-based).
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        return []
    width = max(map(len, rows))
    # An empty cell reads as "": None, as every reader of the project gives it.
    return [[None if v == "" else v for v in r] + [None] * (width - len(r)) for r in rows]


def core_modified(path: Path) -> datetime | None:
    """dcterms:modified from docProps/core.xml: when Excel last saved the workbook (None when unknown)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/core.xml")
            if info.file_size > 1024 * 1024:
                return None
            data = z.read(info)
    except Exception:  # noqa: BLE001 - no readable core.xml: no saved time
        return None
    return saved_time(data)
