"""The final evaluation (最終評価) as plain SheetSpecs: the indicator table and the per-goal summary.

The table sheet lists every indicator with its baseline, mid-term and latest values (each with
the year it is from), the target, the degree of achievement and the final category, then the
footnotes its values need and the legend of the categories with the thresholds the template sets.
The summary sheet counts the categories per basic goal and leaves two wide, wrapped input cells per
goal for the secretariat: 評価と課題 and 次期計画への方向性.

Both print on A3 landscape at full size (every column's width is chosen so that the sheet fits
the page width without shrinking, so no text prints below its own size, 9 pt at the least), with
the title and header rows repeated on every page: a projection (見込み) says so on each page. No
cell is merged down several rows, so a page break never cuts one.

Every word a plan may word its own way comes from `Plan.header` (group "Final evaluation" of
`core/model/wording.py`).
"""

from __future__ import annotations

from dataclasses import replace
from math import floor

from welfare_xl.core.final import FINAL_CODES, FINAL_MARKS, FinalCode, FinalEvaluation, FinalRow, final_legend, mid_rule
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import excel_number_format, format_value
from welfare_xl.core.model.survey import Indicator, Plan, Survey, Value
from welfare_xl.core.progress import GRADE_CELL, GRADE_CELL_BEHIND, Measured
from welfare_xl.core.sheets.fit import column_width, columns_px, text_height
from welfare_xl.core.sheets.spec import FILL_INPUT, PrintSetup, SheetSpec, Style, fit_row_heights
from welfare_xl.core.sheets.styles import BODY, BODY_CENTER, HEADER, NOTE, NUMBER, SUBHEADER, number_style

TITLE = Style(bold=True, size=14, border=None)
SUBTITLE = Style(bold=True, size=11, border=None, wrap=False)
HEADING = Style(bold=True, size=11, border=None, wrap=False)
LEGEND_TEXT = Style(size=10, wrap=True)
TOTAL_LABEL = Style(bold=True, size=10, h_align="center")
TOTAL = Style(bold=True, size=10, h_align="right", wrap=False, indent=NUMBER.indent)
ONE_LINE = Style(size=10, h_align="center", wrap=False)  # a year, a category: never wrapped
INPUT = Style(size=10, v_align="top", wrap=True, fill=FILL_INPUT, border="dotted", locked=False, text=True)
PERCENT = "0%"

# Footnote marks on a year cell; the plan's own footnotes use ※, these are the evaluation's.
FIRST_MARK = "＊１"  # a first measured year stands in for the baseline
EARLIER_MARK = "＊２"  # the value is from an earlier year (a survey not run that year)

# Row layout shared by both sheets (0-based): title, subtitle, the two header rows.
TITLE_ROW, SUBTITLE_ROW, HEAD_ROW, SUBHEAD_ROW = 0, 1, 2, 3
FIRST_DATA = 4

# The table's columns: key -> least width. Values and their years sit side by side; together they
# print 1,423 px wide by the estimate of `fit.column_pixels`, inside A3 landscape's 1,511 px at
# 100 %; a plan's wider values and department names widen their columns (`_table_widths`, by
# `fit.column_width` as the committee version's), a plan of the size of the shipped one and the
# second plan of the tests stays within the page. A year column holds 「令和４年度＊２」.
TABLE_COLUMNS: dict[str, float] = {
    "goal": 12, "item": 34, "sub_item": 14, "department": 20,
    "baseline": 12, "baseline_year": 15, "mid": 12, "mid_year": 15, "latest": 12, "latest_year": 15,
    "target": 12, "achievement": 9, "category": 12,
}
DEPARTMENT_MAX = 24.0  # 「子ども家庭支援センター」 on one line
# The summary's: goal, one count per category and the total, the two texts (1,473 px).
SUMMARY_LABEL_WIDTH, SUMMARY_COUNT_WIDTH, SUMMARY_TEXT_WIDTH = 34.0, 11.0, 52.0
MIN_ROW_HEIGHT = 22.0  # pt: one line of the 10 pt body, with room
LEGEND_ROW_HEIGHT = 18.0
# A goal's row on the summary: as tall as lets every goal share one A3 page below the headers,
# within these bounds (pt; 80 pt are six lines of 10 pt in a text column, about 150 characters).
TEXT_ROW_MIN, TEXT_ROW_MAX = 80.0, 150.0
A3_LANDSCAPE_BODY_PT = 297 / 25.4 * 72 - 2 * 72 / 2.54 - 0.2 * 72  # page height less margins and footer


def final_specs(evaluation: FinalEvaluation) -> list[SheetSpec]:
    """The final evaluation workbook's sheets: the table, then the summary per basic goal."""
    return [table_spec(evaluation), summary_spec(evaluation)]


def _title(spec: SheetSpec, evaluation: FinalEvaluation, subtitle: str, last_col: int) -> None:
    """The title over the page's width (a long plan name wraps rather than running off the page)
    and the subtitle; call once the column widths are set."""
    spec.merge(TITLE_ROW, 0, TITLE_ROW, last_col, evaluation.title, TITLE)
    width = columns_px(spec.col_widths, range(last_col + 1))
    spec.row_heights[TITLE_ROW] = max(24.0, text_height(evaluation.title, width, TITLE.size))
    spec.put(SUBTITLE_ROW, 0, subtitle, SUBTITLE)
    spec.row_heights[SUBTITLE_ROW] = 20


def _print(spec: SheetSpec, last_col: int, end: int) -> None:
    spec.print_setup = PrintSetup(paper="A3", landscape=True, title_rows=(TITLE_ROW, SUBHEAD_ROW),
                                  area=f"A1:{column_letter(last_col)}{end}")


# --- the table ----------------------------------------------------------------------------


def table_spec(evaluation: FinalEvaluation) -> SheetSpec:
    """Every indicator's values, achievement and category; footnotes and legend below."""
    survey = evaluation.survey
    plan = survey.plan
    spec = SheetSpec(name=plan.header("final_sheet"))
    col = {key: n for n, key in enumerate(TABLE_COLUMNS)}
    for key, width in _table_widths(evaluation).items():
        spec.col_widths[col[key]] = width
    _title(spec, evaluation, fiscal_year_label(survey.fiscal_year), len(TABLE_COLUMNS) - 1)
    _table_headers(spec, plan, col)
    for n, row in enumerate(evaluation.rows):
        _table_row(spec, survey, col, FIRST_DATA + n, row)
    last = FIRST_DATA + len(evaluation.rows) - 1
    fit_row_heights(spec, range(FIRST_DATA, last + 1), min_height=MIN_ROW_HEIGHT)

    row = last + 2
    notes = []
    if any(r.baseline.substitute for r in evaluation.rows):
        notes.append(plan.header("final_note_first", mark=FIRST_MARK))
    if any(r.mid.substitute or r.latest.substitute for r in evaluation.rows):
        notes.append(plan.header("final_note_earlier", mark=EARLIER_MARK))
    for text in notes:
        spec.put(row, 0, text, NOTE)
        row += 1
    end = legend_rows(spec, evaluation, row + 1 if notes else row, (1, len(TABLE_COLUMNS) - 1))
    _print(spec, len(TABLE_COLUMNS) - 1, end)
    return spec


def _table_widths(evaluation: FinalEvaluation) -> dict[str, float]:
    """TABLE_COLUMNS, value and year columns widened where a value or year of this survey needs it
    (a value is never wrapped: a number too wide for its cell prints as ###)."""
    survey = evaluation.survey
    widths = dict(TABLE_COLUMNS)
    # A department's name on one line where it takes up to DEPARTMENT_MAX (a longer one wraps).
    names = [r.indicator.department for r in evaluation.rows]
    need = column_width(names, BODY_CENTER.size, wrap=BODY_CENTER.wrap)
    widths["department"] = min(max(widths["department"], need), DEPARTMENT_MAX)
    for key in ("baseline", "mid", "latest", "target"):
        texts = []
        for row in evaluation.rows:
            measured = Measured(survey.plan.target_year, row.target) if key == "target" else getattr(row, key)
            where: int | str | None = "target" if key == "target" else measured.year
            texts.append(shown_value(survey, row.indicator, measured.value, where))
        widths[key] = max(widths[key], column_width(texts, NUMBER.size, NUMBER.indent))
        if key != "target":
            years = [_year_text(getattr(r, key), FIRST_MARK if key == "baseline" else EARLIER_MARK)
                     for r in evaluation.rows]
            widths[f"{key}_year"] = max(widths[f"{key}_year"], column_width(years, ONE_LINE.size))
    return widths


def shown_value(survey: Survey, ind: Indicator, value: Value, key: int | str | None) -> str:
    """A value as its cell prints it: with its unit and its own display decimals; '－' for no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or key is None:
        return "－"
    return format_value(value, ind.unit, ind.kind, survey.value_decimals(ind, key))


# Column -> wording key of its header: the naming columns share the master's words.
_HEADER_KEYS = {"goal": "goal", "item": "item_column", "sub_item": "sub_item_column", "department": "department_column",
                "achievement": "final_achievement", "category": "final_category", "baseline": "baseline_value",
                "mid": "final_mid", "latest": "final_latest"}


def _table_headers(spec: SheetSpec, plan: Plan, col: dict[str, int]) -> None:
    for key in ("goal", "item", "sub_item", "department", "achievement", "category"):
        c = col[key]
        spec.merge(HEAD_ROW, c, SUBHEAD_ROW, c, plan.header(_HEADER_KEYS[key]), HEADER)
    for key in ("baseline", "mid", "latest"):
        spec.merge(HEAD_ROW, col[key], HEAD_ROW, col[f"{key}_year"], plan.header(_HEADER_KEYS[key]), HEADER)
        spec.put(SUBHEAD_ROW, col[key], "値", SUBHEADER)
        spec.put(SUBHEAD_ROW, col[f"{key}_year"], "年度", SUBHEADER)
    spec.put(HEAD_ROW, col["target"], plan.header("final_target"), HEADER)
    spec.put(SUBHEAD_ROW, col["target"], fiscal_year_label(plan.target_year), SUBHEADER)
    spec.row_heights[HEAD_ROW] = 20
    spec.row_heights[SUBHEAD_ROW] = 18


def _table_row(spec: SheetSpec, survey: Survey, col: dict[str, int], r: int, row: FinalRow) -> None:
    ind = row.indicator
    spec.put(r, col["goal"], survey.goal(ind.goal).label, BODY_CENTER)
    if ind.sub_item:
        spec.put(r, col["item"], ind.item_text, BODY)
        spec.put(r, col["sub_item"], ind.sub_item, BODY)
    else:
        spec.merge(r, col["item"], r, col["sub_item"], ind.item_text, BODY)
    spec.put(r, col["department"], ind.department, BODY_CENTER)
    for key, measured in (("baseline", row.baseline), ("mid", row.mid), ("latest", row.latest)):
        mark = FIRST_MARK if key == "baseline" else EARLIER_MARK
        _value(spec, r, col[key], survey, ind, measured.value, measured.year)
        spec.put(r, col[f"{key}_year"], _year_text(measured, mark), ONE_LINE)
    _value(spec, r, col["target"], survey, ind, row.target, "target")
    share = row.category.achievement
    if share is None:
        spec.put(r, col["achievement"], "－", BODY_CENTER)
    else:
        spec.put(r, col["achievement"], share, number_style(PERCENT))
    spec.put(r, col["category"], row.label, category_style(row.code))


def _value(spec: SheetSpec, r: int, c: int, survey: Survey, ind: Indicator, value: Value,
           key: int | str | None) -> None:
    """A value as the master shows it (its own display decimals), '－' where there is no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or key is None:
        spec.put(r, c, "－", BODY_CENTER)
        return
    places = survey.value_decimals(ind, key)
    spec.put(r, c, value, number_style(excel_number_format(ind.unit, ind.kind, places)))


def _year_text(measured: Measured, mark: str) -> str:
    if measured.year is None:
        return ""
    return fiscal_year_label(measured.year) + (mark if measured.substitute else "")


def category_style(code: FinalCode) -> Style:
    """悪化 is bold on a hatched fill (readable in black and white), as a year's 遅れ・悪化 are."""
    return GRADE_CELL_BEHIND if code is FinalCode.WORSE else GRADE_CELL


def legend_rows(spec: SheetSpec, evaluation: FinalEvaluation, row: int, text_cols: tuple[int, int]) -> int:
    """The categories with their definitions and the notes on the rule, from `row`; returns the
    row after them."""
    plan = evaluation.survey.plan
    spec.put(row, 0, f"{plan.header('final_category')}の見方", HEADING)
    row += 1
    first = row
    for (mark, word, definition), code in zip(final_legend(plan, evaluation.settings), FINAL_CODES):
        spec.put(row, 0, f"{mark} {word}", category_style(code))
        spec.merge(row, text_cols[0], row, text_cols[1], definition, LEGEND_TEXT)
        row += 1
    fit_row_heights(spec, range(first, row), min_height=LEGEND_ROW_HEIGHT)
    notes = ["※　" + plan.header("final_formula")]
    mid = mid_rule(plan, evaluation.settings)
    if mid:
        notes.append("※　" + mid)
    if evaluation.provisional:
        notes.append(plan.header("final_note_provisional", year=fiscal_year_label(plan.target_year)))
    else:
        notes.append(plan.header("final_note_target_year"))
    for text in notes:
        spec.put(row, 0, text, NOTE)
        row += 1
    return row


# --- the summary per basic goal ----------------------------------------------------------


def summary_spec(evaluation: FinalEvaluation) -> SheetSpec:
    """Counts per category for each basic goal and in all, and the secretariat's two text columns."""
    plan = evaluation.survey.plan
    spec = SheetSpec(name=plan.header("final_goals_sheet"))
    n = len(FINAL_CODES)
    text_cols = (n + 2, n + 3)
    spec.col_widths[0] = SUMMARY_LABEL_WIDTH
    for c in range(1, n + 2):
        spec.col_widths[c] = SUMMARY_COUNT_WIDTH
    for c in text_cols:
        spec.col_widths[c] = SUMMARY_TEXT_WIDTH
    _title(spec, evaluation, plan.header("final_goals_sheet"), n + 3)
    spec.put(SUBTITLE_ROW, n + 2, plan.header("final_input_note"), NOTE)

    spec.merge(HEAD_ROW, 0, SUBHEAD_ROW, 0, plan.header("goal"), HEADER)
    spec.merge(HEAD_ROW, 1, HEAD_ROW, n + 1, plan.header("final_category"), HEADER)
    for k, code in enumerate(FINAL_CODES):
        spec.put(SUBHEAD_ROW, 1 + k, " ".join(FINAL_MARKS[code]), SUBHEADER)
    spec.put(SUBHEAD_ROW, n + 1, "計", SUBHEADER)
    for c, key in zip(text_cols, ("final_review", "final_direction")):
        spec.merge(HEAD_ROW, c, SUBHEAD_ROW, c, plan.header(key), HEADER)
    spec.row_heights[HEAD_ROW] = 20
    spec.row_heights[SUBHEAD_ROW] = 18

    row = FIRST_DATA
    for goal in evaluation.survey.goals:
        _counts(spec, row, f"{goal.label}\n{goal.name}", evaluation.counts(goal.no), BODY, NUMBER)
        for c in text_cols:
            spec.put(row, c, None, INPUT)
        row += 1
    _counts(spec, row, "合計", evaluation.counts(), TOTAL_LABEL, TOTAL)
    fit_row_heights(spec, range(FIRST_DATA, row + 1), min_height=MIN_ROW_HEIGHT)
    tall = _text_row_height(spec, len(evaluation.survey.goals), row)
    for r in range(FIRST_DATA, row):
        spec.row_heights[r] = max(spec.row_heights[r], tall)
    end = legend_rows(spec, evaluation, row + 2, (1, n + 3))
    page = A3_LANDSCAPE_BODY_PT * 0.9
    if sum(spec.row_heights.get(r, 15.0) for r in range(end)) > page:
        spec.row_breaks.append(row + 2)  # the legend on a page of its own rather than split
    _print(spec, n + 3, end)
    if sum(spec.row_heights.get(r, 15.0) for r in range(row + 1)) <= page:
        # The table is on one page: the legend's page repeats the title, not an empty table head.
        spec.print_setup = replace(spec.print_setup, title_rows=(TITLE_ROW, SUBTITLE_ROW))
    return spec


def _text_row_height(spec: SheetSpec, goals: int, total_row: int) -> float:
    """Height of a goal's row: the page's room below the title and header rows and above the total,
    shared by the goals (with a tenth left for the renderer's rounding), within the bounds."""
    above = sum(spec.row_heights.get(r, 15.0) for r in range(FIRST_DATA))
    room = A3_LANDSCAPE_BODY_PT * 0.9 - above - spec.row_heights.get(total_row, MIN_ROW_HEIGHT)
    return min(max(floor(room / max(goals, 1)), TEXT_ROW_MIN), TEXT_ROW_MAX)


def _counts(spec: SheetSpec, row: int, label: str, counts: dict[FinalCode, int], label_style: Style,
            style: Style) -> None:
    spec.put(row, 0, label, label_style)
    for k, code in enumerate(FINAL_CODES):
        spec.put(row, 1 + k, counts[code], style)
    spec.put(row, 1 + len(FINAL_CODES), sum(counts.values()), style)
