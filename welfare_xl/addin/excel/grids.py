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
bulk, and nothing read after it was written. Formatting is only written, with one
desktop-only exception that degrades to the portable behaviour on the remote
engine: 入力チェック reads the fill of a cell before it first marks it
(`marks.previous_fills`), so that チェック表示クリア can put it back.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, Callable

from welfare_xl.core.model.cells import Grid
from welfare_xl.errors import UserError

if TYPE_CHECKING:  # pragma: no cover - typing only; xlwings is imported by the caller
    import xlwings as xw


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


# COM constants (Excel object model): XlFindLookIn, XlLookAt, XlSearchOrder, XlSearchDirection.
_XL_FORMULAS = -4123  # look at what is typed (constants and formulas), hidden rows included
_XL_PART = 2
_XL_BY_ROWS, _XL_BY_COLUMNS = 1, 2
_XL_PREVIOUS = 2


def _find_last(ws_api: Any, order: int) -> Any:
    """The last cell holding a constant or a formula, in `order`; None on a sheet without any.

    Every argument Excel would otherwise take from the clerk's last Find dialog
    (LookIn, LookAt, SearchOrder, MatchCase, MatchByte) is given explicitly.
    """
    return ws_api.Cells.Find(What="*", After=ws_api.Cells(1, 1), LookIn=_XL_FORMULAS, LookAt=_XL_PART,
                             SearchOrder=order, SearchDirection=_XL_PREVIOUS, MatchCase=False,
                             MatchByte=False, SearchFormat=False)


def last_cell(sheet: "xw.Sheet") -> tuple[int, int]:
    """(row, column), 1-based, of the bottom-right corner of the cells holding values.

    COM's UsedRange also covers cells that are only formatted: a fill or a
    border copied down a whole column makes it reach row 1,048,576, and
    reading that takes minutes and all the memory. On the desktop engine the
    last row and the last column holding a constant or a formula are found
    with Find (two cross-process calls, whatever the sheet's size); UsedRange
    is only the fallback should Find fail. The remote engine's used range is
    derived from the values the client sent, so it is used as is.
    """
    if is_desktop(sheet.book):
        try:
            ws = sheet.api
            by_rows = _find_last(ws, _XL_BY_ROWS)
            if by_rows is None:
                return 1, 1  # no value at all: A1, as Excel reports an empty sheet's used range
            by_columns = _find_last(ws, _XL_BY_COLUMNS)
            return int(by_rows.Row), int(by_columns.Column if by_columns is not None else by_rows.Column)
        except Exception:  # noqa: BLE001 - an unexpected COM error: UsedRange still gives an answer
            pass
    last = sheet.used_range.last_cell
    return last.row, last.column


def read_grid(sheet: "xw.Sheet") -> Grid:
    """The sheet's values from A1 to the last cell holding a value, in one read.

    COM's used range starts at the first used cell, not at A1; reading from A1
    keeps row and column indices the sheet's own, as the core expects.
    """
    rows, columns = last_cell(sheet)
    values = sheet.range((1, 1), (rows, columns)).options(ndim=2).value
    return [[normalize(v) for v in row] for row in values]


def read_head(sheet: "xw.Sheet", rows: int) -> Grid:
    """The sheet's first `rows` rows (as `read_grid` reads them), in one read: enough to find a key row."""
    last_row, columns = last_cell(sheet)
    values = sheet.range((1, 1), (min(last_row, rows), columns)).options(ndim=2).value
    return [[normalize(v) for v in row] for row in values]


def find_sheet(book: "xw.Book", name: str) -> "xw.Sheet | None":
    """The sheet named `name` (Excel compares sheet names case-insensitively)."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def is_visible(sheet: "xw.Sheet") -> bool:
    """True for a sheet a person can see.

    The remote engine answers a bool; COM answers the XlSheetVisibility number:
    -1 visible, 0 hidden, 2 very hidden (truthy, so `bool()` would be wrong).
    """
    visible = sheet.visible
    return visible is True or (not isinstance(visible, bool) and visible == -1)


def last_visible_sheet(book: "xw.Book") -> "xw.Sheet":
    """Where a new sheet goes: after the last sheet a person can see.

    Never the hidden 管理情報: when `sheets.add(after=...)` is given the last
    sheet, xlwings' COM engine adds the new sheet before it and then moves that
    sheet (a hidden one cannot be moved or activated reliably) to the end.
    """
    sheets = list(book.sheets)
    visible = [s for s in sheets if is_visible(s)]
    return visible[-1] if visible else sheets[0]


def book_folder(book: "xw.Book") -> Path | None:
    """The folder the workbook is saved in, or None when it cannot be known.

    The remote engine reports only the book's name. On the desktop engine the
    workbook's own FullName and Path are read through COM, not xlwings'
    `Book.fullname`: for a book opened from OneDrive or SharePoint that property
    turns the URL into a local path (`utils.fullname_url_to_local_path`), which
    raises when it cannot, or walks the folders of the OneDrive it guesses. Such
    a book, and an unsaved one (an empty Path), has no folder here; callers then
    ask for the 作業フォルダ on the 設定 sheet.
    """
    if not is_desktop(book):
        return None
    try:
        full = str(book.api.FullName or "")
        folder = str(book.api.Path or "")
        if not folder or "://" in folder or "://" in full:
            return None
        path = Path(folder)
        if not (path.is_absolute() or PureWindowsPath(folder).is_absolute()):
            return None
        return path if path.is_dir() else None
    except Exception:  # noqa: BLE001 - a COM error or an unreachable share: the folder is unknown
        return None


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


STATUS_UPDATES = 100  # at most about this many status bar writes per run (each is a COM call)


def status_progress(book: "xw.Book", label: str) -> Callable[[int, int, str], None]:
    """Progress of a run over many items (the files of the 提出フォルダ) in the status bar:
    `label（done/total）：name`, on the first item, the last and about every hundredth of the way
    between (desktop only; nothing on the remote engine, which has no status bar)."""
    if not is_desktop(book):
        return lambda done, total, name: None

    def tell(done: int, total: int, name: str) -> None:
        if done in (1, total) or done % max(1, total // STATUS_UPDATES) == 0:
            status(book, f"{label}（{done}/{total}）：{name}")

    return tell
