"""What a sheet's XML holds that a values-only reader does not say: how far its grid reaches, and
the cells it shows empty although they hold something. Read from the bytes with regular
expressions, one pass per kind of tag, before any parser sees them (`welfare_xl.files.preflight`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from xml.sax.saxutils import unescape

from welfare_xl.core.model.cells import MAX_COLS, HiddenValue, column_index


class BrokenReference(ValueError):
    """A cell or row claims a reference that is not one: the sheet is broken."""


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?ref="([^"]*)"')
# Every cell and row tag in one pass each, with the reference it claims (b"" when it claims none),
# however long: a reader turns "ZZZZZZ1" or a 20-digit row into an allocation the size of its
# number, so each one is counted, and one that is not a reference at all makes the sheet broken.
_CELL_TAGS = re.compile(rb'<(?:\w+:)?c(?=[\s/>])(?:\s[^>]*?\b(r="[^"]*"))?')
_ROW_TAGS = re.compile(rb'<(?:\w+:)?row(?=[\s/>])(?:\s[^>]*?\b(r="[^"]*"))?')
_CLAIMED_CELL = re.compile(rb'r="\$?([A-Za-z]+)\$?(\d+)"')  # over the claims joined end to end
_CLAIMED_ROW = re.compile(rb'r="(\d+)"')
_REF = re.compile(r"\$?([A-Za-z]+)\$?(\d+)")


def sheet_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) of the grid a reader builds from A1 for this sheet XML, at the largest.

    The larger of `<dimension>` and the real cell and row references; cells without a
    reference (placed one after another) count as if each were a new column. A cell or
    row reference that is not one raises `BrokenReference`.
    """
    rows = cols = 0
    m = _DIMENSION.search(data)
    if m:
        for letters, digits in _REF.findall(m.group(1).decode("ascii", "replace")):
            rows, cols = max(rows, int(digits)), max(cols, _col(letters))
    fast = _excel_extent(data)
    if fast is not None:
        return max(rows, fast[0]), max(cols, fast[1])
    return _any_extent(data, rows, cols)


# As Excel (and openpyxl, LibreOffice) write a sheet: unprefixed tags, every <c> and <row> with its
# reference first, in plain form. One pass finds every <c> and <row> tag (the regex engine looks for
# its leading "<" fast) and, where it is written so, its reference.
_TAGS = re.compile(rb'<(c|row)(?:( )r="([A-Z]{0,3})([1-9][0-9]{0,6})"|(?=[\s/>]))')
# Any prefixed <x:c> or <x:row> matches this (and, rarely, text that only looks like one).
_MAYBE_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")


def _excel_extent(data: bytes) -> tuple[int, int] | None:
    """`sheet_extent`'s answer from the cell and row references, when every cell and row tag is
    written as Excel writes it (see `_TAGS`); None when any is not (then `_any_extent` counts)."""
    if _MAYBE_PREFIXED.search(data):
        return None
    found = _TAGS.findall(data)
    if not found:
        return 0, 0
    tags, placed, columns, rows = zip(*found)  # (the work stays in C: no loop over the cells here)
    if b"" in placed or not set(zip(tags, map(bool, columns))) <= _AS_EXCEL_WRITES:
        return None
    letters = set(columns)
    letters.discard(b"")
    widest = max(letters, key=lambda x: (len(x), x), default=None)
    return max(map(int, set(rows))), _col(widest.decode()) if widest else 0


_AS_EXCEL_WRITES = {(b"c", True), (b"row", False)}  # a cell names its column, a row does not


def _any_extent(data: bytes, rows: int, cols: int) -> tuple[int, int]:
    """`sheet_extent` for any spelling of the tags (prefixed, reference anywhere or missing)."""
    cells = _CELL_TAGS.findall(data)
    claims = [c for c in cells if c]
    refs = _CLAIMED_CELL.findall(b"".join(claims))
    row_claims = [r for r in _ROW_TAGS.findall(data) if r]
    row_refs = _CLAIMED_ROW.findall(b"".join(row_claims))
    if len(refs) != len(claims) or len(row_refs) != len(row_claims):
        raise BrokenReference("a cell or row reference that is not one")
    if refs:
        letters, digits = zip(*refs)
        rows, cols = max(rows, max(map(int, digits))), max(cols, max(_col(x.decode()) for x in set(letters)))
    if row_refs:
        rows = max(rows, max(map(int, row_refs)))
    unplaced = len(cells) - len(refs)
    if unplaced > 0:
        rows = max(rows, len(row_refs))
        cols = max(cols, 1) + unplaced
    return rows, cols


def _col(letters: str) -> int:
    """1-based column number; any name longer than Excel's three letters is past the last column."""
    return column_index(letters) + 1 if len(letters) <= 3 else MAX_COLS + 1


_CELL = re.compile(rb"<(?:\w+:)?c(\s[^>]*?)?(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_ATTR_R = re.compile(rb'\br="\$?([A-Za-z]{1,4})\$?(\d{1,8})"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def hidden_cells(data: bytes) -> dict[tuple[int, int], HiddenValue]:
    """Cells (0-based) holding an error value (t="e") or a formula with no calculated value saved."""
    if b't="e"' not in data and b"f>" not in data and b"<f " not in data:
        return {}
    out: dict[tuple[int, int], HiddenValue] = {}
    for m in _CELL.finditer(data):
        attrs, body = m.group(1) or b"", m.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if ref is None:
            continue
        where = (int(ref.group(2)) - 1, column_index(ref.group(1).decode()))
        value = _VALUE.search(body)
        if _ERROR_TYPE.search(attrs) and value:
            out[where] = HiddenValue("error", _text(value.group(1)))
            continue
        formula = _FORMULA.search(body)
        uncached = value is None or (not value.group(1).strip() and b't="str"' not in attrs)  # "" is a result
        if formula is not None and uncached:
            out[where] = HiddenValue("formula", "=" + _text(formula.group(1) or b""))
    return out


class LazyHiddenCells(Mapping[tuple[int, int], HiddenValue]):
    """A sheet's `hidden_cells`, found the first time anyone asks. The check asks only where an input
    cell is empty, so a filled return (whose form carries dozens of 点検 formulas Excel has not yet
    calculated) never pays for the scan; the sheet's bytes are let go once it is done."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self._cells: dict[tuple[int, int], HiddenValue] | None = None

    def _found(self) -> dict[tuple[int, int], HiddenValue]:
        if self._cells is None:
            self._cells, self._data = hidden_cells(self._data or b""), None
        return self._cells

    def __getitem__(self, key: tuple[int, int]) -> HiddenValue:
        return self._found()[key]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"), _ENTITIES).strip()


