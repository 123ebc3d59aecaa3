"""The history sheet (過年度) as a SheetSpec: every past year's texts and grade, one row per indicator and year.

Years are grouped newest first: the sheet is opened mostly for last year's
texts (what a department wrote it would do next), which then stand at the top,
and each rollover adds its year above the others. Each year starts a printed
page, under the repeated header row. An item's texts are merged over its
sub-items' rows, as in the master. The hidden key row (`core.history`) makes it
readable by code whatever a person does to its layout.
"""

from __future__ import annotations

from dataclasses import replace

from welfare_xl.core import history as keys
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.layout import KEY_PREFIX
from welfare_xl.core.model.survey import Survey, YearRecord
from welfare_xl.core.sheets.spec import PrintSetup, SheetSpec, Style, fit_row_heights
from welfare_xl.core.sheets.styles import BODY, BODY_CENTER, HEADER, KEY, NOTE, TITLE
from welfare_xl.core.sheets.table import item_runs

TITLE_ROW, NOTE_ROW, KEY_ROW, HEADER_ROW, FIRST_DATA = 0, 1, 2, 3, 4
TEXT = Style(size=9, v_align="top", text=True)
SMALL = replace(BODY, size=9)

# (key, wording key of the header or None for a hidden column, width)
_COLUMNS = (
    (keys.INDICATOR, None, 8),
    (keys.YEAR, None, 8),
    (keys.YEAR_LABEL, "", 12),
    (keys.GOAL, "goal", 11),
    (keys.ITEM, "item_column", 24),
    (keys.SUB_ITEM, "sub_item_column", 14),
    (keys.DEPARTMENT, "department_column", 12),
    (keys.DONE, "done_word", 50),
    (keys.NEXT, "next_word", 44),
    (keys.GRADE, "grade_column", 11),
)


def history_sheet(survey: Survey) -> SheetSpec:
    """The history sheet of `survey.history` (newest year first), named by the plan's wording."""
    plan = survey.plan
    col = {key: i for i, (key, _, _) in enumerate(_COLUMNS)}
    last = len(_COLUMNS) - 1
    spec = SheetSpec(name=plan.header("history_sheet"))
    first = col[keys.YEAR_LABEL]
    spec.merge(TITLE_ROW, first, TITLE_ROW, last, plan.header("history_title", title=plan.title), TITLE)
    spec.merge(NOTE_ROW, first, NOTE_ROW, last, plan.header("history_note", sheet=plan.sheet, done=plan.header("done_word"),
                                                                 next=plan.header("next_word"), grade=plan.header("grade_column")), NOTE)
    spec.row_heights[TITLE_ROW] = 26
    for i, (key, header, width) in enumerate(_COLUMNS):
        spec.put(KEY_ROW, i, KEY_PREFIX + key, KEY)
        spec.col_widths[i] = width
        if header is None:
            spec.hidden_cols.add(i)
        else:
            spec.put(HEADER_ROW, i, plan.header(header) if header else "年度", HEADER)
    spec.hidden_rows.add(KEY_ROW)
    spec.row_heights[HEADER_ROW] = 24

    row = FIRST_DATA
    data_rows: list[int] = []
    for year in sorted(survey.history, reverse=True):
        if row > FIRST_DATA:
            spec.row_breaks.append(row)
        records = survey.history[year]
        row = _put_year(spec, survey, col, year, records, row)
        data_rows += range(row - len(survey.indicators), row)
    fit_row_heights(spec, data_rows, min_height=18.0)
    spec.freeze = (FIRST_DATA, first)
    spec.print_setup = PrintSetup(paper="A3", title_rows=(HEADER_ROW, HEADER_ROW),
                                  area=f"{column_letter(first)}1:{column_letter(last)}{max(row, FIRST_DATA + 1)}")
    return spec


def _put_year(spec: SheetSpec, survey: Survey, col: dict[str, int], year: int,
              records: dict[str, YearRecord], row: int) -> int:
    """One year's rows (every indicator of the plan, in plan order) from `row`; returns the next free row."""
    label = fiscal_year_label(year)
    for run in item_runs(survey.indicators, row):
        lead = records.get(run.head.id, YearRecord())
        spec.merge(run.first, col[keys.DONE], run.last, col[keys.DONE], lead.done, TEXT)
        spec.merge(run.first, col[keys.NEXT], run.last, col[keys.NEXT], lead.next, TEXT)
    for ind in survey.indicators:
        record = records.get(ind.id, YearRecord())
        spec.put(row, col[keys.INDICATOR], ind.id, KEY)
        spec.put(row, col[keys.YEAR], year, KEY)
        spec.put(row, col[keys.YEAR_LABEL], label, BODY_CENTER)
        spec.put(row, col[keys.GOAL], survey.goal(ind.goal).label, SMALL)
        spec.put(row, col[keys.ITEM], ind.item, SMALL)
        spec.put(row, col[keys.SUB_ITEM], ind.sub_item or None, SMALL)
        spec.put(row, col[keys.DEPARTMENT], ind.department, SMALL)
        spec.put(row, col[keys.GRADE], record.grade, BODY_CENTER)
        row += 1
    return row
