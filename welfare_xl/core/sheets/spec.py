"""A worksheet described as plain data: values, styles, merges, validation, print set-up.

The core decides what a sheet looks like (the survey template, a department's
worksheet, the committee version) and returns a `SheetSpec`; an adapter renders
it: openpyxl for files, xlwings for the live workbook. Coordinates are 0-based
(row, column) like the grids readers return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from welfare_xl.core.sheets.fit import columns_px, height_meter

FONT = "BIZ UDゴシック"

# Fills. Input cells and flags are never told apart by colour alone: input cells
# also carry a dotted border and a label row, flags a mark and a word.
FILL_HEADER = "D9E1F2"
FILL_LOCKED = "F2F2F2"
FILL_INPUT = "FFF2CC"
FILL_ERROR = "FFC7CE"
FILL_WARNING = "FFEB9C"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    size: float = 10
    fill: str | None = None
    pattern: str = "solid"  # openpyxl/Excel pattern type; e.g. lightUp for a hatched flag
    pattern_color: str | None = None  # colour of a non-solid pattern's hatch; None: same as fill
    h_align: str = "left"
    v_align: str = "center"
    wrap: bool = True
    number_format: str = "General"
    border: str | None = "thin"  # None, thin, dotted, medium
    locked: bool = True
    color: str | None = None
    text: bool = False  # force text: a value starting with = + - @ stays text, never a formula
    indent: int = 0  # Excel's indent level, from the aligned side: a right-aligned number kept off the border


@dataclass(frozen=True)
class Validation:
    """Excel's own data validation on a range, so feedback works without the add-in."""

    ranges: tuple[str, ...]  # A1 references
    type: str  # whole | decimal | textLength ...
    operator: str  # between | greaterThanOrEqual ...
    formula1: str
    formula2: str | None = None
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""
    error_style: str = "stop"


@dataclass(frozen=True)
class ConditionalFormat:
    """A fill Excel itself applies to a range while `formula` holds (conditional formatting):
    a form that marks its own cells without the add-in. `formula` has no leading '=' and its
    relative references are relative to the top-left cell of the first range, as in the file
    format. Rules apply in the order listed; the first that holds decides the fill."""

    ranges: tuple[str, ...]  # A1 references
    formula: str
    fill: str


@dataclass(frozen=True)
class PrintSetup:
    paper: str = "A3"
    landscape: bool = True
    title_rows: tuple[int, int] | None = None  # 0-based inclusive rows repeated on each page
    fit_width: bool = True
    area: str | None = None  # A1 range
    footer_page_numbers: bool = True
    margins_cm: float = 1.0
    fit_height: bool = False  # also shrink to one page high (a summary that must not split)


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: the values in `col` over the chart's rows."""

    title: str
    col: int  # 0-based column of the values
    color: str  # RGB fill; series are told apart by lightness too, not hue alone
    data_labels: bool = False  # print each value beside its bar
    number_format: str = "General"  # of the data labels
    no_label: tuple[int, ...] = ()  # 0-based points without a data label (e.g. bars cut at the axis)


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart over a block of the sheet's own cells (values, not a pivot or formula)."""

    anchor: tuple[int, int]  # top-left cell (row, col)
    first_row: int  # 0-based rows of the data, inclusive
    last_row: int
    category_col: int  # column of the category labels
    series: tuple[ChartSeries, ...]
    title: str = ""
    horizontal: bool = True  # bars (categories top to bottom) rather than columns
    axis_title: str = ""
    axis_min: float | None = None
    axis_max: float | None = None
    major_unit: float | None = None
    axis_number_format: str = "General"
    width_cm: float = 16.0
    height_cm: float = 10.0
    font_size: float = 9


@dataclass
class SheetSpec:
    name: str
    cells: dict[tuple[int, int], tuple[Any, Style]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 inclusive
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    hidden_cols: set[int] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    validations: list[Validation] = field(default_factory=list)
    print_setup: PrintSetup | None = None
    protect: bool = False
    freeze: tuple[int, int] | None = None  # first unfrozen (row, col)
    hidden: bool = False
    tab_color: str | None = None
    charts: list[ChartSpec] = field(default_factory=list)
    row_breaks: list[int] = field(default_factory=list)  # 0-based rows a new printed page starts at
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)

    def put(self, row: int, col: int, value: Any, style: Style) -> None:
        self.cells[(row, col)] = (value, style)

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any, style: Style) -> None:
        """Write a value into a merged block, styling every cell so borders print whole."""
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                self.cells[(r, c)] = (value if (r, c) == (r1, c1) else None, style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=-1)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=-1)


def grid_spec(name: str, grid: list[list[Any]], style: Style | None = None, *, hidden: bool = False,
              widths: dict[int, float] | None = None) -> SheetSpec:
    """A plain table sheet (metadata, logs): every value as given, one style."""
    style = style or Style(border=None, wrap=False)
    spec = SheetSpec(name=name, hidden=hidden, col_widths=dict(widths or {}))
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if v is not None and v != "":
                spec.put(r, c, v, style)
    return spec


# --- fitting row heights to their text ---------------------------------------------------
#
# Excel and LibreOffice do not grow a row to fit a wrapped text when the file
# sets the row's height, and never grow rows for merged cells, so a printed
# text is cut off unless the writer sizes the rows. The estimate of a text's
# height (`fit.text_height`) is deliberately generous.


def fit_row_heights(spec: SheetSpec, rows: Iterable[int] | None = None, *, min_height: float = 18.0) -> None:
    """Set row heights so that every text, merged or not, shows whole when printed.

    Rows in `rows` are sized from scratch (at least `min_height`); other rows
    keep their height as a minimum and only grow. A merged block's need is
    spread evenly over its rows, smaller blocks first, so a single row's own
    text decides its height before a tall merged neighbour adds to it.
    """
    last = spec.max_row
    refit = set(rows) if rows is not None else set(range(last + 1))
    heights: dict[int, float] = {}
    for r in range(last + 1):
        heights[r] = min_height if r in refit else spec.row_heights.get(r, 15.0)
    span_of: dict[tuple[int, int], tuple[int, int, int, int]] = {(m[0], m[1]): m for m in spec.merges}
    covered = {(r, c) for r1, c1, r2, c2 in spec.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    merged: list[tuple[int, int, float]] = []  # first row, last row, height of a merged block of rows
    meters: dict[tuple[int, int, float, bool], Callable[[Any], float]] = {}  # once per span and style
    for (r, c), (value, style) in spec.cells.items():
        if value is None:
            continue
        r1, r2, c1, c2 = r, r, c, c
        if span_of:
            if (r, c) in covered:
                continue
            r1, c1, r2, c2 = span_of.get((r, c), (r, c, r, c))
        key = (c1, c2, style.size, style.wrap)
        meter = meters.get(key)
        if meter is None:
            meter = meters[key] = height_meter(columns_px(spec.col_widths, range(c1, c2 + 1)), style.size, style.wrap)
        need = meter(value)
        if r1 == r2:  # a single row's own text decides first, as if sorted before every merged block
            have = heights[r1]
            if need > have:
                heights[r1] = have + (need - have)
        else:
            merged.append((r1, r2, need))
    for r1, r2, need in sorted(merged, key=lambda n: n[1] - n[0]):
        span = range(r1, r2 + 1)
        have = sum(heights[r] for r in span)
        if need > have:
            extra = (need - have) / len(span)
            for r in span:
                heights[r] += extra
    for r, h in heights.items():
        if r in refit or h > spec.row_heights.get(r, 15.0) or r in spec.row_heights:
            spec.row_heights[r] = round(h, 1)
