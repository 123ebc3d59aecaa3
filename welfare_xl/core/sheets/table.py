"""The indicator table as the sheets lay it out: headers, the hidden key row, rows grouped by goal and item.

The master sheet and a department's worksheet write the same table with
different columns and styles: two header rows, a hidden key row naming each
column, a hidden ID column, the basic goal merged down its rows and an item
merged over its sub-items, whose texts are entered once per item. The
committee version paginates the master's table by the same groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Callable, Hashable, NamedTuple

from welfare_xl.core.model import layout
from welfare_xl.core.model.survey import Indicator, Survey
from welfare_xl.core.sheets.fit import width_for
from welfare_xl.core.sheets.spec import SheetSpec, Style
from welfare_xl.core.sheets.styles import HEADER, KEY, SUBHEADER


@dataclass(frozen=True)
class TableRows:
    """Where a sheet's indicator table sits (0-based rows): the hidden key row, the two
    header rows and the first indicator's row; the sheet's title rows are above them."""

    key: int
    header: int
    first_data: int

    @property
    def subheader(self) -> int:
        """The second header row (`put_headers` writes both)."""
        return self.header + 1


class Run(NamedTuple):
    """Consecutive rows of indicators with the same basic goal (or item): the first one and the rows."""

    head: Indicator
    first: int  # 0-based sheet rows, inclusive
    last: int

    @property
    def rows(self) -> range:
        return range(self.first, self.last + 1)


def goal_runs(indicators: tuple[Indicator, ...], first_row: int) -> list[Run]:
    """The rows of each basic goal, the indicators standing one a row from `first_row`."""
    return _runs(indicators, first_row, lambda i: i.goal)


def item_runs(indicators: tuple[Indicator, ...], first_row: int) -> list[Run]:
    """The rows of each item (its sub-items share one merged item cell and one pair of texts)."""
    return _runs(indicators, first_row, lambda i: i.group)


def _runs(indicators: tuple[Indicator, ...], first_row: int, key: Callable[[Indicator], Hashable]) -> list[Run]:
    runs, row = [], first_row
    for _, same in groupby(indicators, key=key):
        members = list(same)
        runs.append(Run(members[0], row, row + len(members) - 1))
        row += len(members)
    return runs


def item_row_height(survey: Survey, run: Run) -> float:
    """Row height (pt) of each row of an item, so that its merged texts fit when printed."""
    total = survey.config.text_max_lines * layout.TEXT_LINE_HEIGHT_PT
    return max(total / len(run.rows), 24.0)


def put_headers(spec: SheetSpec, columns: list[layout.Column], row: int, *,
                suffix: Callable[[layout.Column], str] = lambda c: "") -> None:
    """Column widths and the two header rows (`row`, `row + 1`): a column with a
    subheader uses both rows, any other has its header merged over both. A column is
    widened where a line of its header (in the plan's own words) would not fit."""
    for i, c in enumerate(columns):
        header = c.header + suffix(c)
        needs = [width_for([header], HEADER.size)] + ([width_for([c.subheader], SUBHEADER.size)] if c.subheader else [])
        spec.col_widths[i] = c.width if c.role == "hidden" else max(c.width, *needs)
        if c.subheader:
            spec.put(row, i, header, HEADER)
            spec.put(row + 1, i, c.subheader, SUBHEADER)
        else:
            spec.merge(row, i, row + 1, i, header, HEADER)


def put_key_row(spec: SheetSpec, columns: list[layout.Column], row: int) -> None:
    """The hidden key row naming each column (wxl:id, wxl:y2019 ...), and the hidden ID column."""
    for i, c in enumerate(columns):
        spec.put(row, i, layout.KEY_PREFIX + c.key, KEY)
    spec.hidden_rows.add(row)
    spec.hidden_cols.add(next(i for i, c in enumerate(columns) if c.key == layout.ID))


def put_item(spec: SheetSpec, survey: Survey, col: dict[str, int], run: Run, *, body: Style, texts: Style) -> None:
    """An item's merged cells, the item over its sub-items' rows (if it has any) and its two
    texts, and its rows as high as the texts need."""
    if run.head.sub_item:
        spec.merge(run.first, col[layout.ITEM], run.last, col[layout.ITEM], run.head.item_text, body)
    done, upcoming = survey.texts.get(run.head.id, (None, None))
    spec.merge(run.first, col[layout.DONE], run.last, col[layout.DONE], done, texts)
    spec.merge(run.first, col[layout.NEXT], run.last, col[layout.NEXT], upcoming, texts)
    height = item_row_height(survey, run)
    for r in run.rows:
        spec.row_heights[r] = height


def put_indicator_name(spec: SheetSpec, col: dict[str, int], row: int, ind: Indicator, style: Style) -> None:
    """An indicator's own name cell: its sub-item, or (without one) the item merged over both columns."""
    if ind.sub_item:
        spec.put(row, col[layout.SUB_ITEM], ind.sub_item, style)
    else:
        spec.merge(row, col[layout.ITEM], row, col[layout.SUB_ITEM], ind.item_text, style)
