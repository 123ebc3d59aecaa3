"""Reading workbooks with python-calamine: values only, as plain 0-based grids from A1.

calamine is fast and reads values alone, which is all a reader of the project
needs (styles matter only when writing, see `welfare_xl.files.writer`). A file
that is not a workbook raises `WorkbookReadError` with a Japanese message.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from welfare_xl.errors import UserError

XLSX_SUFFIXES = (".xlsx", ".xlsm")


class WorkbookReadError(UserError):
    """A file could not be read as a workbook; the message is for the user (Japanese)."""


@dataclass
class WorkbookData:
    """What a reader got out of a workbook file: grids by sheet name, and facts about it."""

    path: Path
    sheets: dict[str, list[list[Any]]]
    sheet_order: list[str]
    hidden: set[str] = field(default_factory=set)
    modified: datetime | None = None  # the workbook's own "last saved" time (docProps/core.xml)


def read_workbook(path: str | Path, sheets: list[str] | None = None) -> WorkbookData:
    """Values of every (or the named) sheet as 0-based grids from A1, via python-calamine."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for a non-workbook
        raise WorkbookReadError(f"{path.name}: Excel ファイルとして開けません（{type(exc).__name__}）。") from exc
    try:
        names = list(wb.sheet_names)
        hidden = {m.name for m in wb.sheets_metadata if not str(m.visible).endswith(".Visible")}
        grids: dict[str, list[list[Any]]] = {}
        for name in names:
            if sheets is not None and name not in sheets:
                continue
            sheet = wb.get_sheet_by_name(name)
            grids[name] = _from_a1(sheet)
    finally:
        wb.close()
    return WorkbookData(path=path, sheets=grids, sheet_order=names, hidden=hidden, modified=core_modified(path))


def _from_a1(sheet) -> list[list[Any]]:
    # skip_empty_area=False makes calamine start the grid at A1, so row and
    # column indices are the sheet's own (0-based).
    rows = sheet.to_python(skip_empty_area=False)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    return [[_clean(v) for v in r] + [None] * (width - len(r)) for r in rows]


def _clean(v: Any) -> Any:
    if v == "":
        return None
    return v


def core_modified(path: Path) -> datetime | None:
    """dcterms:modified from docProps/core.xml: when Excel last saved the workbook."""
    import defusedxml.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("docProps/core.xml")
        root = ET.fromstring(data)
    except Exception:
        return None
    for el in root.iter():
        if el.tag.endswith("}modified") and el.text:
            try:
                return datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
    return None
