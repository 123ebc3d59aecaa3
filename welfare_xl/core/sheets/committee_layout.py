"""How the committee version fits its paper: the print scale a sheet will get, column widths from
what the columns show, which year columns the table keeps, and labels short enough for a chart.

A printer fits the sheet to the page width (fit to one page wide), so the wider the columns, the
smaller the print. The committee reads on paper, so every font must print at `MIN_PRINTED_PT` or
more: the committee sheets use no font below `FONT_FLOOR` and keep their width within what prints
at `MIN_SCALE`. Texts and columns are measured by `core.sheets.fit` (`fit.column_width` sizes a
column from what it shows; LibreOffice, which makes the PDF, lays columns out a little wider than
their estimate: `fit.PRINT_WIDTH_SAFETY`).

Core module: plain data in and out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from math import floor

from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.sheets.fit import PRINT_WIDTH_SAFETY, columns_px, cut_em, text_em, wrap_em
from welfare_xl.core.sheets.spec import PrintSetup, SheetSpec, Style

MIN_PRINTED_PT = 9.0
MIN_SCALE = 0.9
FONT_FLOOR = MIN_PRINTED_PT / MIN_SCALE  # 10 pt: the smallest font a committee sheet uses

# Printed page, A3 landscape, in points; margins as files.writer._print_setup writes them
# (bottom margin 0.2 inch larger, for the page-number footer).
PAPER_PT = (420 / 25.4 * 72, 297 / 25.4 * 72)


# --- the page --------------------------------------------------------------------------------


def printable_pt(setup: PrintSetup) -> tuple[float, float]:
    """Width and height (pt) inside the margins of the committee's A3 landscape page."""
    margin = setup.margins_cm / 2.54 * 72
    return PAPER_PT[0] - 2 * margin, PAPER_PT[1] - 2 * margin - 0.2 * 72


def area_bounds(spec: SheetSpec) -> tuple[int, int]:
    """Last column and last row (0-based) of the sheet's print area (of the whole sheet without one)."""
    area = (spec.print_setup.area if spec.print_setup else None) or ""
    m = re.fullmatch(r"\$?[A-Z]+\$?\d+:\$?([A-Z]+)\$?(\d+)", area)
    if not m:
        return spec.max_col, spec.max_row
    letters, row = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col - 1, int(row) - 1


def width_pt(spec: SheetSpec) -> float:
    """Unscaled width (pt) of the print area, as the printer will lay it out."""
    last_col, _ = area_bounds(spec)
    return columns_px(spec.col_widths, range(last_col + 1)) * 0.75 * PRINT_WIDTH_SAFETY


def height_pt(spec: SheetSpec) -> float:
    """Unscaled height (pt) of the print area, or of a chart reaching below it."""
    _, last_row = area_bounds(spec)
    rows = sum(spec.row_heights.get(r, 15.0) for r in range(last_row + 1))
    charts = [sum(spec.row_heights.get(r, 15.0) for r in range(c.anchor[0])) + c.height_cm / 2.54 * 72
              for c in spec.charts]
    return max([rows] + charts)


def print_scale(spec: SheetSpec) -> float:
    """The scale a printer gives the sheet fitted to one page wide (and high, when set), in whole percents."""
    setup = spec.print_setup or PrintSetup()
    width, height = printable_pt(setup)
    scale = min(1.0, width / width_pt(spec))
    if setup.fit_height:
        scale = min(scale, height / height_pt(spec))
    return floor(scale * 100) / 100  # applications print at whole percents


def smallest_font(spec: SheetSpec) -> float:
    """The smallest font size (pt) of any text the sheet prints: its cells and its charts' texts."""
    last_col, last_row = area_bounds(spec)
    sizes = [style.size for (r, c), (value, style) in spec.cells.items()
             if value not in (None, "") and r <= last_row and c <= last_col]
    for chart in spec.charts:
        sizes.append(chart.font_size)
        if any(s.data_labels for s in chart.series):
            sizes.append(chart.font_size - 1)  # files.writer prints data labels 1 pt smaller
    return min(sizes, default=FONT_FLOOR)


def printed_font(spec: SheetSpec) -> float:
    """The smallest font as printed: its size times the print scale."""
    return smallest_font(spec) * print_scale(spec)


def budget_px(setup: PrintSetup) -> float:
    """The widest print area (in column pixels) that still prints at `MIN_SCALE`."""
    return printable_pt(setup)[0] / MIN_SCALE / 0.75 / PRINT_WIDTH_SAFETY


def raise_fonts(spec: SheetSpec, floor_pt: float = FONT_FLOOR) -> None:
    """Every cell style below `floor_pt` set to it (the master's 9 pt texts and notes)."""
    raised: dict[Style, Style] = {}
    for pos, (value, style) in spec.cells.items():
        if style.size < floor_pt:
            spec.cells[pos] = (value, raised.setdefault(style, replace(style, size=floor_pt)))


# --- which year columns the table keeps ------------------------------------------------------


def year_drop_order(years: Sequence[int], start_year: int) -> list[int]:
    """Years in the order they give way when the table is too wide: the years before the plan
    (after the baseline), then the plan's middle years oldest first, then the third-last year,
    then the first plan year. The baseline and the last two years are never dropped."""
    if len(years) <= 3:
        return []
    baseline, last_two = years[0], set(years[-2:])
    keep = {baseline} | last_two
    pre = [y for y in years if y not in keep and y < start_year]
    middle = [y for y in years if y not in keep and y > start_year and y < years[-3]]
    late = [years[-3]] if years[-3] not in keep and years[-3] != start_year else []
    first = [start_year] if start_year in years and start_year not in keep else []
    return pre + middle + late + first


def gaps(years: Sequence[int], kept: Iterable[int]) -> list[list[int]]:
    """The runs of consecutive dropped years."""
    kept = set(kept)
    runs: list[list[int]] = []
    for n, y in enumerate(years):
        if y in kept:
            continue
        if n and years[n - 1] not in kept and runs:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def choose_years(years: Sequence[int], order: Sequence[int], fits: Callable[[list[int]], bool]) -> list[int]:
    """The most years (dropping them in `order`) whose table `fits`; the last candidate when none does."""
    kept = list(years)
    for year in [None, *order]:
        if year is not None:
            kept.remove(year)
        if fits(kept):
            break
    return kept


def remap_columns(spec: SheetSpec, drop: set[int], gap_width: float, gap_fill: Callable[[SheetSpec, int, int], None]
                  ) -> dict[int, int]:
    """Remove the columns in `drop`, leaving one narrow gap column where each run of them was.

    Cells, merges and widths move left; a merge over a dropped column shrinks (and one left with
    nothing goes). `gap_fill(spec, gap_col, first_dropped)` writes each gap column. Returns
    old column -> new column for the columns kept.
    """
    order: list[tuple[str, int]] = []  # ("keep", old column) or ("gap", first dropped column of its run)
    covers: dict[int, int] = {}  # old column -> new column; a dropped column counts as its gap's
    for c in range(spec.max_col + 1):
        if c not in drop:
            order.append(("keep", c))
        elif c - 1 not in drop:
            order.append(("gap", c))
        covers[c] = len(order) - 1
    new_of = {c: n for n, (kind, c) in enumerate(order) if kind == "keep"}
    spec.cells = {(r, new_of[c]): v for (r, c), v in spec.cells.items() if c in new_of}
    merges = []
    for r1, c1, r2, c2 in spec.merges:
        inside = [c for c in range(c1, c2 + 1) if c in new_of]
        if not inside:
            continue
        n1, n2 = covers[c1], covers[c2]
        if (r1, n1) != (r2, n2):
            merges.append((r1, n1, r2, n2))
    spec.merges = merges
    widths = spec.col_widths
    spec.col_widths = {new_of[c]: w for c, w in widths.items() if c in new_of}
    for n, (kind, c) in enumerate(order):
        if kind == "gap":
            spec.col_widths[n] = gap_width
            gap_fill(spec, n, c)
    if spec.print_setup and spec.print_setup.area:
        _, last_row = area_bounds(spec)
        spec.print_setup = replace(spec.print_setup, area=f"A1:{column_letter(len(order) - 1)}{last_row + 1}")
    return new_of


# --- chart labels ----------------------------------------------------------------------------


def chart_label(name: str, line_em: float, lines: int = 2, keep_tail: str = "") -> str:
    """`name` wrapped at `line_em` per line on at most `lines` lines; a longer name is shortened
    with 「…」, keeping `keep_tail` (e.g. the sub-item in brackets, which tells rows apart)."""
    body = name[: len(name) - len(keep_tail)] if keep_tail and name.endswith(keep_tail) else ""
    if body and lines >= 2 and text_em(name) > line_em and text_em(body) <= line_em and text_em(keep_tail) <= line_em:
        return f"{body}\n{keep_tail}"  # the item, then its sub-item whole
    rows, rest = wrap_em(name, line_em, lines)
    if not rest:
        return "\n".join(rows)
    tail = keep_tail if keep_tail and name.endswith(keep_tail) and text_em(keep_tail) < line_em - 1 else ""
    body = name[: len(name) - len(tail)]
    room = line_em * lines - 1 - text_em(tail)  # 「…」 takes one em
    while room > 0:
        head, _ = cut_em(body, room)
        rows, rest = wrap_em(head + "…" + tail, line_em, lines)
        if not rest:
            return "\n".join(rows)
        room -= 1  # a full-width character did not fit the end of a line: give up one more
    return "\n".join(wrap_em(name, line_em, lines)[0])
