"""Does a label fit its cell when printed? A pure estimate, for headers and grade cells.

A plan words its own headers (`core.model.wording`), so a header that fits one
plan's column may not fit another's. The sheets are printed in BIZ UDゴシック,
which is monospaced: a full-width character is one em, a half-width one half an
em. Counted in *narrow units* (half an em), a full-width character is 2 and any
other 1. A column of Excel width w is about 7w + 5 pixels (`spec.column_pixels`),
less the cell's inner margins and its indent; a narrow unit at size s pt is
s/2 pt, i.e. s × 96/72 / 2 pixels. Each line of a label (its explicit line
breaks) must fit on its own: a header's second line (「（計画1年目）」) that
wraps again would take a third line its row does not have, and a grade cell
(no wrap) that is too narrow prints cut off or spills into the next column.

`misfits` applies this to chosen cells of a `SheetSpec`, merged cells measured
over all their columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable

from welfare_xl.core.sheets.spec import CELL_PADDING_PX, DEFAULT_COL_WIDTH, SheetSpec, column_pixels

INDENT_PX = 9  # one indent level (Excel: about three spaces of the default font)


def narrow_units(line: str) -> int:
    """Printed width of one line in narrow units: full-width (and ambiguous) characters 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FWA" else 1 for ch in line)


def room_units(width_px: float, size_pt: float, indent: int = 0) -> float:
    """Narrow units one line of a cell `width_px` wide holds at `size_pt`."""
    unit_px = size_pt * 96 / 72 / 2
    return (width_px - CELL_PADDING_PX - indent * INDENT_PX) / unit_px


def label_fits(text: str, width_px: float, size_pt: float, indent: int = 0) -> bool:
    """Every line of `text` fits on one line of the cell."""
    room = room_units(width_px, size_pt, indent)
    return all(narrow_units(line) <= room for line in str(text).split("\n"))


def width_for(text: str, size_pt: float, indent: int = 0) -> float:
    """The Excel column width at which every line of `text` fits (the inverse of `label_fits`)."""
    need = max(narrow_units(line) for line in str(text).split("\n"))
    px = need * size_pt * 96 / 72 / 2 + CELL_PADDING_PX + indent * INDENT_PX
    return round((px - 5) / 7 + 0.05, 1)  # column_pixels(width) = 7 * width + 5, rounded up a little


@dataclass(frozen=True)
class Misfit:
    """A cell whose label does not fit: where, which line, how wide it is and how much room there is."""

    sheet: str
    row: int  # 0-based
    col: int
    line: str
    need: int  # narrow units
    room: float

    def __str__(self) -> str:
        return f"{self.sheet} R{self.row + 1}C{self.col + 1}「{self.line}」{self.need} > {self.room:.1f}"


def cell_width_px(spec: SheetSpec, row: int, col: int) -> float:
    """The printed width of a cell in pixels, over every column of its merge."""
    last = next((c2 for r1, c1, r2, c2 in spec.merges if c1 == col and r1 <= row <= r2), col)
    return sum(column_pixels(spec.col_widths.get(c, DEFAULT_COL_WIDTH)) for c in range(col, last + 1))


def misfits(spec: SheetSpec, cells: Iterable[tuple[int, int]]) -> list[Misfit]:
    """The lines of the given cells (0-based row, column; empty ones skipped) that do not fit."""
    out: list[Misfit] = []
    for row, col in cells:
        value, style = spec.cells.get((row, col), (None, None))
        if not isinstance(value, str) or not value or style is None:
            continue
        width = cell_width_px(spec, row, col)
        room = room_units(width, style.size, style.indent or 0)
        out += [Misfit(spec.name, row, col, line, narrow_units(line), room)
                for line in value.split("\n") if narrow_units(line) > room]
    return out
