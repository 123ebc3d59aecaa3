"""The master sheet (資料２) as a SheetSpec: the survey template and what is built on it.

Rows are laid out as the plan's published table: the basic goal and its policy
directions merged down its rows, the item merged over its sub-items, the texts
entered once per item. The hidden ID column and key row make the sheet readable
by key whatever a person does to its layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from welfare_xl.core.model import layout
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import excel_number_format
from welfare_xl.core.sheets.spec import FILL_HEADER, PrintSetup, SheetSpec, Style
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.model.cells import column_letter

TITLE = Style(bold=True, size=16, border=None, wrap=False)
SUBTITLE = Style(bold=True, size=13, border=None, wrap=False)
LABEL_BOX = Style(bold=True, size=14, h_align="center", border="medium", wrap=False)
KEY = Style(size=8, border=None, wrap=False, color="808080")
HEADER = Style(bold=True, size=10, fill=FILL_HEADER, h_align="center")
SUBHEADER = Style(size=9, fill=FILL_HEADER, h_align="center")
BODY = Style(size=10)
BODY_CENTER = Style(size=10, h_align="center")
TEXT = Style(size=9, v_align="top", text=True)
NOTE = Style(size=9, border=None, wrap=False)


def number_style(fmt: str) -> Style:
    return Style(size=10, h_align="right", number_format=fmt, wrap=False)


@dataclass(frozen=True)
class Rows:
    """Row positions of a written survey sheet (0-based)."""

    title: int = 0
    year: int = 1
    key: int = 2
    header: int = 3
    subheader: int = 4
    first_data: int = 5


ROWS = Rows()


def group_runs(indicators: tuple[Indicator, ...], key) -> list[tuple[int, int]]:
    """(first, last) index ranges of consecutive indicators with the same key."""
    runs, i = [], 0
    for _, grp in groupby(indicators, key=key):
        n = len(list(grp))
        runs.append((i, i + n - 1))
        i += n
    return runs


def group_height(survey: Survey, n_rows: int) -> float:
    """Row height (pt) of each row of an item group, so its merged texts fit when printed."""
    total = survey.config.text_max_lines * layout.TEXT_LINE_HEIGHT_PT
    return max(total / n_rows, 24.0)


def put_headers(spec: SheetSpec, columns: list[layout.Column], row: int, *, suffix=lambda c: "") -> None:
    """Column widths and the two header rows (`row`, `row + 1`): a column with a
    subheader uses both rows, any other has its header merged over both."""
    for i, c in enumerate(columns):
        spec.col_widths[i] = c.width
        header = c.header + suffix(c)
        if c.subheader:
            spec.put(row, i, header, HEADER)
            spec.put(row + 1, i, c.subheader, SUBHEADER)
        else:
            spec.merge(row, i, row + 1, i, header, HEADER)


def survey_sheet(survey: Survey, *, decimals: dict | None = None, committee: bool = False,
                 grade_styles: dict[str, Style] | None = None) -> SheetSpec:
    """The master sheet. `decimals` gives display decimals per (id, year|"target");
    `committee` drops the ID column and key row (the committee version carries no IDs)."""
    decimals = decimals or {}
    columns = layout.survey_columns(survey)
    if committee:
        columns = [c for c in columns if c.role != "hidden"]
    col = {c.key: i for i, c in enumerate(columns)}
    last = len(columns) - 1
    first_visible = 0 if committee else 1
    spec = SheetSpec(name=survey.plan.sheet)
    R = ROWS

    spec.merge(R.title, first_visible, R.title, last - 2, survey.plan.title, TITLE)
    spec.merge(R.title, last - 1, R.title, last, survey.plan.label, LABEL_BOX)
    spec.put(R.year, first_visible, fiscal_year_label(survey.fiscal_year), SUBTITLE)
    spec.row_heights[R.title] = 26
    if not committee:
        for c in columns:
            spec.put(R.key, col[c.key], layout.KEY_PREFIX + c.key, KEY)
        spec.hidden_rows.add(R.key)
        spec.hidden_cols.add(col[layout.ID])

    put_headers(spec, columns, R.header)
    spec.row_heights[R.header] = 42
    spec.row_heights[R.subheader] = 18

    inds = survey.indicators
    row_of = {ind.id: R.first_data + n for n, ind in enumerate(inds)}
    for first, lastn in group_runs(inds, key=lambda i: i.goal):
        goal = survey.goal(inds[first].goal)
        r1, r2 = R.first_data + first, R.first_data + lastn
        spec.merge(r1, col[layout.GOAL], r2, col[layout.GOAL], goal.cell_text, Style(size=9, v_align="top"))
        spec.merge(r1, col[layout.PAGES], r2, col[layout.PAGES], goal.pages, BODY_CENTER)
    for first, lastn in group_runs(inds, key=lambda i: i.group):
        ind = inds[first]
        r1, r2 = R.first_data + first, R.first_data + lastn
        if ind.sub_item:
            spec.merge(r1, col[layout.ITEM], r2, col[layout.ITEM], ind.item_text, BODY)
        spec.merge(r1, col[layout.DEPARTMENT], r2, col[layout.DEPARTMENT], ind.department, BODY_CENTER)
        texts = survey.texts.get(ind.id, (None, None))
        spec.merge(r1, col[layout.DONE], r2, col[layout.DONE], texts[0], TEXT)
        spec.merge(r1, col[layout.NEXT], r2, col[layout.NEXT], texts[1], TEXT)
        height = group_height(survey, lastn - first + 1)
        for r in range(r1, r2 + 1):
            spec.row_heights[r] = height

    for ind in inds:
        r = row_of[ind.id]
        if not committee:
            spec.put(r, col[layout.ID], ind.id, KEY)
        if ind.sub_item:
            spec.put(r, col[layout.SUB_ITEM], ind.sub_item, BODY)
        else:
            spec.merge(r, col[layout.ITEM], r, col[layout.SUB_ITEM], ind.item_text, BODY)
        values = survey.values.get(ind.id, {})
        for year in survey.years:
            _value_cell(spec, r, col[layout.year_key(year)], ind, values.get(year), decimals.get((ind.id, year)))
        _value_cell(spec, r, col[layout.TARGET], ind, survey.targets.get(ind.id), decimals.get((ind.id, "target")))
        grade = survey.grades.get(ind.id)
        style = (grade_styles or {}).get(grade or "", BODY_CENTER)
        spec.put(r, col[layout.GRADE], grade, style)

    foot = R.first_data + len(inds) + 1
    for n, text in enumerate(survey.plan.footnotes):
        spec.put(foot + n, first_visible, text, NOTE)

    spec.freeze = (R.first_data, col[layout.DEPARTMENT] + 1)
    spec.print_setup = PrintSetup(
        title_rows=(R.header, R.subheader),
        area=f"{column_letter(first_visible)}1:{column_letter(last)}{foot + len(survey.plan.footnotes)}",
    )
    return spec


def _value_cell(spec: SheetSpec, r: int, c: int, ind: Indicator, value, decimals: int | None) -> None:
    if value == NOT_AVAILABLE:
        spec.put(r, c, NOT_AVAILABLE, BODY_CENTER)
        return
    places = ind.decimals if decimals is None else decimals
    spec.put(r, c, value, number_style(excel_number_format(ind.unit, ind.kind, places)))


