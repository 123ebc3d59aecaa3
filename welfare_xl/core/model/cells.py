"""Cells and grids: the one place that reads and writes A1 references.

A grid is what any reader returns for a sheet: rows of values, 0-based from A1.
Cells are (row, column) pairs, 0-based. Excel's references are 1-based with
lettered columns ("G7", "$J$7:$J$9"); these functions convert both ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence

Grid = Sequence[Sequence[Any]]  # rows of cell values, 0-based from A1


@dataclass(frozen=True)
class HiddenValue:
    """A cell a values-only reader shows as empty although something is in it.

    `kind` "error": an error value (`text` is e.g. '#DIV/0!'); "formula": a
    formula with no calculated value saved (`text` is the formula, '=SUM(H5:H6)'),
    as files written by programs other than Excel often are.
    """

    kind: Literal["error", "formula"]
    text: str


@dataclass(frozen=True)
class Formula:
    """A cell's formula: written as a formula, never as text (a form's own, or a CellChange value put back).

    `text` is the formula as Excel shows it ('=SUM(H5:H6)'); `value` what a
    values-only reader showed for it (its cached result, None when the file kept
    none); `array` the range of an array formula ('H7' or 'H7:H9'), else None.
    A str value that starts with '=' is a text, never this.
    """

    text: str
    value: Any = None
    array: str | None = None


#: Per sheet name, the cells (0-based row, column) whose content a values-only grid hides.
HiddenCells = Mapping[str, Mapping[tuple[int, int], HiddenValue]]
Cell = tuple[int, int]  # (row, column), 0-based
Rect = tuple[int, int, int, int]  # r1, c1, r2, c2 (0-based, inclusive)

MAX_ROWS = 1_048_576  # Excel's sheet size
MAX_COLS = 16_384

_CELL = r"\$?([A-Za-z]{1,3})\$?(\d+)"
_REF = re.compile(rf"{_CELL}(?::{_CELL})?")


def cell_text(raw: Any) -> str | None:
    """A cell read as a text someone wrote (取組状況 …): None when blank, 3.0 as "3", CRLF as LF."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).replace("\r\n", "\n")
    return text if text.strip() else None


def cell_str(value: Any) -> str:
    """A cell read as a word (a key, an ID, a sheet name): stripped text, 3.0 as "3", None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _letters(col0: int) -> str:
    n = col0 + 1
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


# The letters of the first columns (A to ZZ), worked out once: every finding and entry names cells.
_LETTERS = tuple(_letters(c) for c in range(26 * 27))


def column_letter(col0: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    if 0 <= col0 < len(_LETTERS):
        return _LETTERS[col0]
    if col0 < 0:
        raise ValueError(f"negative column index: {col0}")
    return _letters(col0)


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"not a column: {letters!r}")
        n = n * 26 + ord(ch) - 64
    if n == 0:
        raise ValueError(f"not a column: {letters!r}")
    return n - 1


def cell_ref(row0: int, col0: int) -> str:
    """(6, 7) -> 'H7'."""
    if 0 <= col0 < len(_LETTERS):
        return f"{_LETTERS[col0]}{row0 + 1}"
    return f"{column_letter(col0)}{row0 + 1}"


def parse_range(ref: str) -> Rect:
    """'G7' -> (6, 6, 6, 6); '$J$7:$J$9' -> (6, 9, 8, 9). Raises ValueError for anything else."""
    m = _REF.fullmatch(ref.strip())
    if not m or int(m[2]) < 1 or (m[4] is not None and int(m[4]) < 1):
        raise ValueError(f"not an A1 reference: {ref!r}")
    r1, c1 = int(m[2]) - 1, column_index(m[1])
    r2, c2 = (int(m[4]) - 1, column_index(m[3])) if m[3] else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def parse_cell(ref: str) -> Cell:
    """'H7' or '$H$7' -> (6, 7). A range is refused."""
    r1, c1, r2, c2 = parse_range(ref)
    if (r1, c1) != (r2, c2):
        raise ValueError(f"not a single cell: {ref!r}")
    return r1, c1


def range_cells(ref: str) -> list[Cell]:
    """Every cell of an A1 reference such as 'G7' or 'J7:J9', row by row."""
    r1, c1, r2, c2 = parse_range(ref)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
