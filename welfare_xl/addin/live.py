"""The open workbook as the core sees it: plain grids in, plain places out.

Both xlwings engines the add-in meets are handled here so that the actions can
stay engine-neutral:

* the desktop engine (COM on Windows), where every property access is a
  cross-process call and reads see earlier writes;
* the remote engine (xlwings Server / Lite), which answers reads from the payload
  the client sent and only *queues* writes, so a read after a write returns the
  old value, and which reports integral numbers as ints where COM gives floats.

Hence the rules every action follows: one bulk read per sheet, values normalized
to what COM and python-calamine give (floats, None for empty cells), writes in
bulk, formatting only written and never read back, and nothing read after it was
written.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any

from ..errors import UserError

if TYPE_CHECKING:  # pragma: no cover - typing only; xlwings is imported by the caller
    import xlwings as xw

Grid = list[list[Any]]


class NotApplicable(UserError):
    """The action does not apply to the workbook or sheet it was started on."""


def is_desktop(book: "xw.Book") -> bool:
    """True on desktop Excel (COM/AppleScript), False on the remote engine."""
    return book.app.engine.name == "excel"


def normalize(value: Any) -> Any:
    """A cell value as COM and python-calamine return it.

    The remote engine sends integral numbers as ints and empty cells as None or
    "" depending on the client; the core was written against floats and None.
    Booleans and dates pass through.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    return value


def read_grid(sheet: "xw.Sheet") -> Grid:
    """The sheet's values from A1 to the last used cell, in one read.

    COM's used range starts at the first used cell, not at A1; reading from A1
    keeps row and column indices the sheet's own, as the core expects.
    """
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return [[normalize(v) for v in row] for row in values]


def find_sheet(book: "xw.Book", name: str) -> "xw.Sheet | None":
    """The sheet named `name` (Excel compares sheet names case-insensitively)."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def book_folder(book: "xw.Book") -> Path | None:
    """The folder the workbook is saved in, or None when it cannot be known.

    The remote engine reports only the book's name; desktop Excel reports a URL
    for books opened from OneDrive/SharePoint and a bare name for unsaved books.
    """
    if not is_desktop(book):
        return None
    fullname = book.fullname
    if "://" in fullname:
        return None
    path = Path(fullname)
    if not (path.is_absolute() or PureWindowsPath(fullname).is_absolute()):
        return None
    return path.parent if path.parent.is_dir() else None


def column_points(width: float) -> float:
    """An .xlsx column width as the points the remote engine's client expects.

    Excel stores widths in characters of the default font's maximum digit width
    (7 px for Calibri 11, the Normal style of the workbooks this project writes);
    Office.js sets widths in points (0.75 pt per px).
    """
    return round(width * 7) * 0.75


def column_characters(width: float) -> float:
    """An .xlsx column width as COM's ColumnWidth (characters, without the 5 px padding)."""
    return max(0.0, (round(width * 7) - 5) / 7)


def set_column_width(book: "xw.Book", rng: "xw.Range", width: float) -> None:
    rng.column_width = column_characters(width) if is_desktop(book) else column_points(width)


def status(book: "xw.Book", text: str | None) -> None:
    """Progress in Excel's status bar (desktop only: the remote engine has none).

    None hands the status bar back to Excel.
    """
    if is_desktop(book):
        book.app.status_bar = text if text is not None else False
