"""How wide and how tall a text prints, and which column holds it: the one measure of the sheets.

Every sheet prints in BIZ UDゴシック, which is monospaced: a full-width (or ambiguous-width)
character is one em, any other half an em, and an em at s pt is s × 96/72 pixels. A label's lines
(its explicit line breaks) are measured one by one: a header's second line that wraps again would
take a row the header does not have, and a cell that does not wrap prints a long line cut off.

A column of Excel width w is about 7w + 5 pixels (7 px the default font's digit, 5 px of
padding); a cell keeps `CELL_PADDING_PX` of inner margins and `INDENT_PX` per indent level. The
constants are the ones measured on LibreOffice's PDFs of the committee version (the PDFs the tool
makes): an indent level printed about 15 pt (20 px; `INDENT_PX` keeps 2 px more for rounding),
and the columns are laid out about 0.7 % wider than 7w + 5 (`PRINT_WIDTH_SAFETY` keeps 1.5 % for
it where a page's width matters). A wrapping cell loses up to one character a line to Japanese line breaking (禁則),
hence `KINSOKU_EM`, kept alike by the row heights (`wrapped_lines`) and the widths (`text_px`).

The estimates add no room of their own: a width that wants room for the renderer asks for it
(`slack_px`, and `step`, the unit a width is rounded up to). The printed handouts (the committee
version, the final evaluation) size their columns with `column_width`: `COLUMN_SLACK_PX` beyond
the text, in half units; the survey's headers are widened to just fit (`width_for`). `misfits`
checks chosen cells of a sheet, merged cells measured over all their columns.

Core module: plain data in and out.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

PX_PER_CM = 96 / 2.54
CELL_PADDING_PX = 8  # left + right inner margin of a cell
INDENT_PX = 22  # one indent level: LibreOffice printed about 20 px, 2 px kept for rounding; Excel draws less
KINSOKU_EM = 1  # what a wrapping line may lose to Japanese line breaking
PRINT_WIDTH_SAFETY = 1.015  # LibreOffice lays columns out about 0.7 % wider than 7w + 5
COLUMN_SLACK_PX = 4  # a printed column's room beyond its text: rounding of glyph advances and of the width
COLUMN_STEP = 0.5  # a printed column's width, in half units
DEFAULT_COL_WIDTH = 8.43
LINE_SPACING = 1.3  # line height / font size: generous, the font itself needs 1.0
ROW_PADDING_PT = 5  # top + bottom


# --- a text ----------------------------------------------------------------------------------


class _CharEm(dict):
    """Character -> its printed width in em, learnt on first use (`unicodedata` once per character)."""

    def __missing__(self, ch: str) -> float:
        em = self[ch] = 1.0 if unicodedata.east_asian_width(ch) in "FWA" else 0.5
        return em


_CHAR_EM = _CharEm()


def text_em(line: str) -> float:
    """Printed width of one line in em: full-width (and ambiguous) characters 1, others ½."""
    if line.isascii():  # no ASCII character is wide or ambiguous (and halves add up exactly)
        return 0.5 * len(line)
    return sum(map(_CHAR_EM.__getitem__, line))


def widest_em(text: object) -> float:
    """Printed width (em) of the widest line of `text` (its explicit line breaks)."""
    return max(text_em(line) for line in str(text).split("\n"))


def em_px(size_pt: float) -> float:
    """Pixels (96 dpi) of one em at `size_pt`."""
    return size_pt * 96 / 72


def text_px(texts: Iterable[object], size_pt: float, indent: int = 0, *, wrap: bool = False,
            slack_px: float = 0.0) -> float:
    """Pixels a cell needs to show every line of each text (empty ones skipped) on one line at
    `size_pt`: the widest line, the cell's inner margins and its indent. A wrapping cell gets room
    for whole full-width characters and `KINSOKU_EM` more, as `wrapped_lines` counts its lines;
    `slack_px` is room for a renderer that draws wider than the estimate."""
    em = max((widest_em(t) for t in texts if t not in (None, "")), default=0.0)
    if wrap:
        em = math.ceil(em) + KINSOKU_EM
    return em * em_px(size_pt) + CELL_PADDING_PX + indent * INDENT_PX + slack_px


def room_em(width_px: float, size_pt: float, indent: int = 0) -> float:
    """Em one line of a cell `width_px` wide holds at `size_pt` (the inverse of `text_px`)."""
    return (width_px - CELL_PADDING_PX - indent * INDENT_PX) / em_px(size_pt)


def label_fits(text: str, width_px: float, size_pt: float, indent: int = 0) -> bool:
    """Every line of `text` fits on one line of the cell."""
    return widest_em(text) <= room_em(width_px, size_pt, indent)


# --- a column --------------------------------------------------------------------------------


def column_pixels(width: float) -> float:
    """Approximate pixel width of a column of Excel width `width` (96 dpi)."""
    return width * 7 + 5


def excel_width(px: float, *, step: float = 0.1, minimum: float = 0.0) -> float:
    """The narrowest Excel column width, in multiples of `step`, of at least `px` pixels (and `minimum`)."""
    steps = math.ceil(round((px - 5) / 7 / step, 6))  # rounded first: 3.0 / 0.1 is not 30 in floats
    return float(max(minimum, round(steps * step, 4)))


def width_for(texts: Iterable[object], size_pt: float, indent: int = 0, *, wrap: bool = False,
              slack_px: float = 0.0, step: float = 0.1, minimum: float = 0.0) -> float:
    """The Excel column width at which every line of `texts` fits (`text_px`, then `excel_width`)."""
    px = text_px(texts, size_pt, indent, wrap=wrap, slack_px=slack_px)
    return excel_width(px, step=step, minimum=minimum)


def column_width(texts: Iterable[object], size_pt: float, indent: int = 0, *, wrap: bool = False,
                 minimum: float = 0.0) -> float:
    """Width of a column of a printed handout showing every line of `texts` on one line (a wrapping
    cell's with `KINSOKU_EM` more): `width_for` with `COLUMN_SLACK_PX`, in `COLUMN_STEP`s."""
    return width_for(texts, size_pt, indent, wrap=wrap, slack_px=COLUMN_SLACK_PX, step=COLUMN_STEP, minimum=minimum)


def columns_px(widths: Mapping[int, float], cols: Iterable[int]) -> float:
    """Pixels of the columns `cols` of a sheet whose widths are `widths` (others the default)."""
    return sum(column_pixels(widths.get(c, DEFAULT_COL_WIDTH)) for c in cols)


# --- wrapped text ----------------------------------------------------------------------------


def wrapped_lines(text: str, width_px: float, size_pt: float, wrap: bool = True) -> int:
    """How many lines `text` takes in a cell `width_px` wide; each paragraph starts a line."""
    paragraphs = str(text).split("\n")
    if not wrap:
        return len(paragraphs)
    return _paragraphs_lines(paragraphs, _per_line(width_px, size_pt))


def _paragraphs_lines(paragraphs: list[str], per_line: int) -> int:
    if len(paragraphs) == 1:
        return _lines(paragraphs[0], per_line)
    return sum(_lines(p, per_line) for p in paragraphs)


def _per_line(width_px: float, size_pt: float) -> int:
    """Whole full-width characters a wrapped line holds, less what Japanese line breaking may push to the next."""
    return max(int(room_em(width_px, size_pt)) - KINSOKU_EM, 1)


def _lines(paragraph: str, per_line: int) -> int:
    """Lines one paragraph takes at `per_line` em a line. A character is ½ or 1 em, so a paragraph
    of n characters is n/2 .. n em: when both ends give the same count, that is the count."""
    n = len(paragraph)
    if n <= per_line:
        return 1
    most = math.ceil(n / per_line)
    if math.ceil(n / 2 / per_line) == most:
        return most
    return max(math.ceil(text_em(paragraph) / per_line), 1)


def text_height(text: Any, width_px: float, size_pt: float, wrap: bool = True) -> float:
    """Row height (pt) a cell needs to show `text` whole."""
    if text is None or text == "":
        return 0.0
    lines = wrapped_lines(text, width_px, size_pt, wrap) if isinstance(text, str) else 1
    return _height(lines, size_pt)


def _height(lines: int, size_pt: float) -> float:
    return lines * size_pt * LINE_SPACING + ROW_PADDING_PT


def height_meter(width_px: float, size_pt: float, wrap: bool = True) -> Callable[[Any], float]:
    """`text_height` for one cell width and font size, for many texts: what they share worked out
    once, a text no longer than a line counted by its line breaks alone, a long one measured once."""
    per_line = _per_line(width_px, size_pt) if wrap else 0
    one_line = _height(1, size_pt)
    known: dict[str, float] = {}

    def height(text: Any) -> float:
        if text is None or text == "":
            return 0.0
        if not isinstance(text, str):
            return one_line
        if not wrap or len(text) <= per_line:  # every paragraph one line
            breaks = text.count("\n")
            return _height(breaks + 1, size_pt) if breaks else one_line
        need = known.get(text)
        if need is None:
            need = known[text] = _height(_paragraphs_lines(text.split("\n"), per_line), size_pt)
        return need

    return height


def cut_em(text: str, ems: float) -> tuple[str, str]:
    """The longest head of `text` within `ems`, and the rest."""
    used = 0.0
    for n, ch in enumerate(text):
        used += text_em(ch)
        if used > ems:
            return text[:n], text[n:]
    return text, ""


# Characters a Japanese line does not start with (禁則): closing brackets, marks, prolonged sound, small kana.
NO_LINE_START = frozenset("）」』】〕〉》｝)]}、。，．・：；？！ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…")


def wrap_em(text: str, line_em: float, lines: int) -> tuple[list[str], str]:
    """`text` broken into at most `lines` lines of `line_em` each (no line starting with a
    character of `NO_LINE_START`), and what did not fit."""
    rows: list[str] = []
    rest = text
    while rest and len(rows) < lines:
        head, rest = cut_em(rest, line_em)
        while rest and rest[0] in NO_LINE_START and len(head) > 1:
            head, rest = head[:-1], head[-1] + rest  # carry the last character over with it
        rows.append(head)
    return rows, rest


# --- cells of a sheet ------------------------------------------------------------------------


class Sheet(Protocol):
    """What `misfits` reads of a `spec.SheetSpec` (which builds on this module)."""

    name: str
    cells: dict[tuple[int, int], tuple[Any, Any]]
    merges: list[tuple[int, int, int, int]]
    col_widths: dict[int, float]


@dataclass(frozen=True)
class Misfit:
    """A cell whose label does not fit: where, which line, how wide it is and how much room there is."""

    sheet: str
    row: int  # 0-based
    col: int
    line: str
    need: float  # em
    room: float

    def __str__(self) -> str:
        return f"{self.sheet} R{self.row + 1}C{self.col + 1}「{self.line}」{self.need} em > {self.room:.1f} em"


def cell_width_px(spec: Sheet, row: int, col: int) -> float:
    """The printed width of a cell in pixels, over every column of its merge."""
    last = next((c2 for r1, c1, r2, c2 in spec.merges if c1 == col and r1 <= row <= r2), col)
    return columns_px(spec.col_widths, range(col, last + 1))


def misfits(spec: Sheet, cells: Iterable[tuple[int, int]]) -> list[Misfit]:
    """The lines of the given cells (0-based row, column; empty ones skipped) that do not fit."""
    out: list[Misfit] = []
    for row, col in cells:
        value, style = spec.cells.get((row, col), (None, None))
        if not isinstance(value, str) or not value or style is None:
            continue
        room = room_em(cell_width_px(spec, row, col), style.size, style.indent or 0)
        out += [Misfit(spec.name, row, col, line, text_em(line), room)
                for line in value.split("\n") if text_em(line) > room]
    return out
