"""The master sheet (資料２) as a SheetSpec: the survey template and what is built on it.

Rows are laid out as the plan's published table: the basic goal and its policy
directions merged down its rows, the item merged over its sub-items, the texts
entered once per item. The hidden ID column and key row make the sheet readable
by key whatever a person does to its layout.
"""

from __future__ import annotations

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import excel_number_format
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey, Value
from typing import Iterable

from welfare_xl.core.sheets.spec import PrintSetup, SheetSpec, Style, fit_row_heights
from welfare_xl.core.sheets.styles import BODY, BODY_CENTER, GOAL_TEXT, KEY, NOTE, TITLE, number_style
from welfare_xl.core.sheets.table import TableRows, goal_runs, item_runs
from welfare_xl.core.sheets.table import put_headers, put_indicator_name, put_item, put_key_row

SUBTITLE = Style(bold=True, size=13, border=None, wrap=False)
LABEL_BOX = Style(bold=True, size=14, h_align="center", border="medium", wrap=False)
TEXT = Style(size=9, v_align="top", text=True)


# Rows of the master sheet as `survey_sheet` writes it (0-based).
TITLE_ROW = 0
YEAR_ROW = 1
SURVEY_SHEET_ROWS = TableRows(key=2, header=3, first_data=5)
# Height (pt) of an indicator row with little in it: one line of the 10 pt body, with room.
MIN_ROW_HEIGHT = 24.0


def survey_sheet(survey: Survey, *, decimals: dict | None = None, committee: bool = False,
                 grade_styles: dict[str, Style] | None = None) -> SheetSpec:
    """The master sheet. `decimals` gives display decimals per (id, year|"target") (default: the
    survey's own, `Survey.decimals`, over each indicator's);
    `committee` drops the ID column and key row (the committee version carries no IDs);
    `grade_styles` styles a 進捗評価 cell by the label it shows (centred text otherwise)."""
    rows = SURVEY_SHEET_ROWS
    columns = layout.survey_columns(survey)
    if committee:
        columns = [c for c in columns if c.role != "hidden"]
    col = {c.key: i for i, c in enumerate(columns)}
    last = len(columns) - 1
    first_visible = 0 if committee else 1
    spec = SheetSpec(name=survey.plan.sheet)

    _put_title(spec, survey, first_visible, last)
    if not committee:
        put_key_row(spec, columns, rows.key)
    put_headers(spec, columns, rows.header)
    spec.row_heights[rows.header] = 42
    spec.row_heights[rows.subheader] = 18

    inds = survey.indicators
    for run in goal_runs(inds, rows.first_data):
        goal = survey.goal(run.head.goal)
        spec.merge(run.first, col[layout.GOAL], run.last, col[layout.GOAL], goal.cell_text, GOAL_TEXT)
        spec.merge(run.first, col[layout.PAGES], run.last, col[layout.PAGES], goal.pages, BODY_CENTER)
    for run in item_runs(inds, rows.first_data):
        spec.merge(run.first, col[layout.DEPARTMENT], run.last, col[layout.DEPARTMENT],
                   department_cell(survey, run.head), BODY_CENTER)
        put_item(spec, survey, col, run, body=BODY, texts=TEXT)
    for n, ind in enumerate(inds):
        row = rows.first_data + n
        if not committee:
            spec.put(row, col[layout.ID], ind.id, KEY)
        put_indicator_name(spec, col, row, ind, BODY)
        _put_figures(spec, survey, col, row, ind, survey.decimals if decimals is None else decimals)
        grade = survey.grades.get(ind.id)
        spec.put(row, col[layout.GRADE], grade, (grade_styles or {}).get(grade or "", BODY_CENTER))

    # Rows as high as their texts need (the merged goal, item and texts included), not the room a
    # department's form leaves for typing: a consolidated master prints without empty space.
    fit_row_heights(spec, range(rows.first_data, rows.first_data + len(inds)), min_height=MIN_ROW_HEIGHT)
    foot = rows.first_data + len(inds) + 1
    for n, text in enumerate(survey.plan.footnotes):
        spec.put(foot + n, first_visible, text, NOTE)
    spec.freeze = (rows.first_data, col[layout.DEPARTMENT] + 1)
    spec.print_setup = PrintSetup(
        title_rows=(rows.header, rows.subheader),
        area=f"{column_letter(first_visible)}1:{column_letter(last)}{foot + len(survey.plan.footnotes)}",
    )
    return spec


def department_cell(survey: Survey, ind: Indicator) -> str:
    """The 担当部署 cell: the answering department, its co-owners after it as the plan words it
    (default 「A課（B課・C課）」: the one that answers stands first)."""
    if not ind.co_departments:
        return ind.department
    return survey.plan.header("co_departments", department=ind.department, co="・".join(ind.co_departments))


def _put_title(spec: SheetSpec, survey: Survey, first_col: int, last_col: int) -> None:
    """The plan's title, the document label boxed at the top right, the fiscal year below."""
    spec.merge(TITLE_ROW, first_col, TITLE_ROW, last_col - 2, survey.plan.title, TITLE)
    spec.merge(TITLE_ROW, last_col - 1, TITLE_ROW, last_col, survey.plan.label, LABEL_BOX)
    spec.put(YEAR_ROW, first_col, fiscal_year_label(survey.fiscal_year), SUBTITLE)
    spec.row_heights[TITLE_ROW] = 26


def _put_figures(spec: SheetSpec, survey: Survey, col: dict[str, int], row: int, ind: Indicator,
                 decimals: dict) -> None:
    """An indicator's value of every year and its target."""
    values = survey.values.get(ind.id, {})
    for year in survey.years:
        _value_cell(spec, row, col[layout.year_key(year)], ind, values.get(year), decimals.get((ind.id, year)))
    _value_cell(spec, row, col[layout.TARGET], ind, survey.targets.get(ind.id), decimals.get((ind.id, "target")))


def _value_cell(spec: SheetSpec, r: int, c: int, ind: Indicator, value: Value, decimals: int | None) -> None:
    if value == NOT_AVAILABLE:
        spec.put(r, c, NOT_AVAILABLE, BODY_CENTER)
        return
    places = ind.decimals if decimals is None else decimals
    spec.put(r, c, value, number_style(excel_number_format(ind.unit, ind.kind, places)))


def text_row_heights(survey: Survey, changed: Iterable[str]) -> dict[str, float]:
    """Indicator ID -> row height (pt) for the rows of every item whose texts `changed` names (IDs),
    as `survey_sheet` lays them out for `survey` (the master after consolidation).

    Both adapters write only the cells that change; the rows those texts are merged over must
    grow (or shrink) with them, which neither Excel nor LibreOffice does for a merged cell.
    """
    changed = set(changed)
    groups = {ind.group or ind.id for ind in survey.indicators if ind.id in changed}
    if not groups:
        return {}
    heights = survey_sheet(survey).row_heights
    first = SURVEY_SHEET_ROWS.first_data
    return {ind.id: heights[first + n] for n, ind in enumerate(survey.indicators) if (ind.group or ind.id) in groups}
