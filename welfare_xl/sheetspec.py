"""A worksheet described as plain data: values, styles, merges, validation, print set-up.

The core decides what a sheet looks like (the survey template, a department's
worksheet, the committee version) and returns a `SheetSpec`; an adapter renders
it: openpyxl for files, xlwings for the live workbook. Coordinates are 0-based
(row, column) like the grids readers return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FONT = "BIZ UDゴシック"

# Fills. Input cells and flags are never told apart by colour alone: input cells
# also carry a dotted border and a label row, flags a mark and a word.
FILL_HEADER = "D9E1F2"
FILL_LOCKED = "F2F2F2"
FILL_INPUT = "FFF2CC"
FILL_BEHIND = "FCE4D6"
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
class PrintSetup:
    paper: str = "A3"
    landscape: bool = True
    title_rows: tuple[int, int] | None = None  # 0-based inclusive rows repeated on each page
    fit_width: bool = True
    area: str | None = None  # A1 range
    footer_page_numbers: bool = True
    margins_cm: float = 1.0


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
