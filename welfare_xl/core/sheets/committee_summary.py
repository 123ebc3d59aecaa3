"""The committee version's summary sheet (進捗評価の集計): grades per basic goal, each indicator's
progress, expected pace, grade and grade trend, and a chart of progress against the pace expected.

The grade trend (評価の推移, from the plan's first year to this one) stands in this sheet's progress
table, beside this year's grade: the table sheet's width goes to the year columns, which grow
with the plan, while this table has one row per indicator whatever the plan's length and is where
the committee compares grades. The chart stands beside the tables, inside the print area; its
category labels are the indicators' names wrapped, and shortened with 「…」 when long, in a column
right of the print area (the full names are in the table beside the chart).

Core module: plain data in and out.
"""

from __future__ import annotations

from math import ceil, floor

from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import excel_number_format
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.model.wording import default_header
from welfare_xl.core.progress import grade_note
from welfare_xl.core.progress import CODES, IMPROVEMENT, MARKS, Grade, GradeCode, count_grades, grade_style
from welfare_xl.core.sheets.committee_grades import (
    HEADING,
    CommitteeGrades,
    goal_counts,
    grade_width,
    legend_rows,
    shown_value,
)
from welfare_xl.core.sheets.committee_layout import FONT_FLOOR, budget_px, chart_label, raise_fonts
from welfare_xl.core.sheets.committee_trend import Trends, grade_trends, joined_years
from welfare_xl.core.sheets.department import sheet_name
from welfare_xl.core.sheets.fit import COLUMN_STEP, PX_PER_CM, column_width, columns_px, excel_width
from welfare_xl.core.sheets.spec import ChartSeries, ChartSpec, PrintSetup, SheetSpec, Style, fit_row_heights
from welfare_xl.core.sheets.styles import BODY, BODY_CENTER, HEADER, NOTE, NUMBER, NUMBER_INDENT, number_style

SUMMARY_SHEET = default_header("summary_sheet")  # the plan's own name: summary_sheet_name(survey)

TOTAL = Style(bold=True, size=10, h_align="right", wrap=False, indent=NUMBER_INDENT)
TOTAL_LABEL = Style(bold=True, size=10, h_align="center")
PERCENT = "0%"

# Chart colours: dark and light, so the two series differ in lightness (not only hue).
COLOR_PROGRESS = "1F4E79"
COLOR_EXPECTED = "BFBFBF"

# The summary sheet: its title, the row its first table (and the chart beside the tables) starts
# at, the fixed widths of its columns (the others are sized from what they show).
SUMMARY_TITLE = Style(bold=True, size=14, border=None, wrap=False)
SUMMARY_TOP = 3
NAME_WIDTH = (36, 46)  # the indicator's full name, wrapped: narrower when the chart needs the room
SHARE_WIDTH = 11  # 進捗率, 進捗の目安
SPACER_WIDTH = 2  # between the tables and the chart
MARGINS_CM = 0.8  # as the table sheet's
TREND_MAX_WIDTH = 24  # a wider trend wraps
TREND_PER_LINE = 5  # grades a line of the trend; a longer trend is broken into even lines
LABELS_WIDTH = 34  # the chart's category labels, right of the print area

# The chart: its font (files.writer prints data labels 1 pt smaller, so that they too stay at
# FONT_FLOOR), its width range, and its category labels' ems a line (two lines at most).
CHART_FONT = FONT_FLOOR + 1
CHART_CM = (14.0, 24.0)
LABEL_LINE_EM = 13.0


# --- the sheet -----------------------------------------------------------------------------


def _pace_text(survey: Survey) -> str:
    year = fiscal_year_label(survey.fiscal_year)
    shares = dict(survey.config.expected_shares)
    if survey.fiscal_year in shares:
        return f"{year}の進捗の目安（{shares[survey.fiscal_year]:.0%}）"
    if survey.config.grade_rule == IMPROVEMENT:
        return f"{survey.plan.header('baseline_value')}からの改善（0%）"
    plan = survey.plan
    elapsed = survey.fiscal_year - plan.baseline_year
    total = plan.target_year - plan.baseline_year
    if total <= 0:
        return "計画期間の経過割合"
    return f"計画期間の経過割合（{year}は{total}年のうち{elapsed}年：{min(max(elapsed / total, 0), 1):.0%}）"


def summary_sheet_name(survey: Survey) -> str:
    """The summary sheet's name: the plan's wording, as a name Excel takes."""
    return sheet_name(survey.plan.header("summary_sheet"))


def summary_spec(survey: Survey, grades: CommitteeGrades) -> SheetSpec:
    """Grades per basic goal, each indicator's progress and grade trend, and a chart of progress vs
    the pace expected, on one A3 page."""
    spec = SheetSpec(name=summary_sheet_name(survey))
    trends = grade_trends(survey, grades.shown)
    year = fiscal_year_label(survey.fiscal_year)
    spec.put(0, 0, f"{survey.plan.name}　{survey.plan.header('summary_sheet')}（{year}）", SUMMARY_TITLE)
    spec.row_heights[0] = 24
    spec.put(1, 0, f"評価の基準：進捗率を{_pace_text(survey)}と比べています。", NOTE)

    row = _put_goal_counts(spec, survey, grades, SUMMARY_TOP)
    data = _put_progress_table(spec, survey, grades, trends, year, row)
    computed = grades.computed.values()
    axis = _axis_range([g.progress for g in computed if g.progress is not None], [g.expected or 0 for g in computed])
    # Bars cut at the axis carry no data label: it would print over the category labels.
    # Their values are in the table and named in the note below it.
    clipped = [i for i, g in grades.computed.items() if g.progress is not None and not axis[0] <= g.progress <= axis[1]]
    row = _put_table_notes(spec, survey, grades, clipped, axis, data.stop + 1)
    row = _put_trend_notes(spec, survey, trends, row)
    end = legend_rows(spec, survey, row + 1, 0, (1, 7))
    raise_fonts(spec)
    _size_columns(spec, survey, data, trends)
    tables = 8 + trends.shown  # the tables' columns; then a spacer, then the chart's one column
    chart_col = tables + 1
    spec.col_widths[tables] = SPACER_WIDTH
    spec.print_setup = PrintSetup(area=f"A1:{column_letter(chart_col)}{end}", fit_height=True, margins_cm=MARGINS_CM)
    width_cm = _chart_width(spec, chart_col)
    fit_row_heights(spec, range(2, end))
    labels_col = chart_col + 2
    _put_chart_labels(spec, survey, data, labels_col)
    spec.charts.append(_progress_chart(spec, survey, data, clipped, axis, year, chart_col, labels_col, width_cm))
    return spec


def _put_goal_counts(spec: SheetSpec, survey: Survey, grades: CommitteeGrades, row: int) -> int:
    """How many indicators got each grade, per basic goal and in all, from `row`; returns the row
    after the table and a blank row."""
    words = survey.plan.header
    spec.put(row, 0, f"{words('goal')}別の{words('grade_column')}（指標数）", HEADING)
    row += 1
    spec.merge(row, 0, row, 1, words("goal"), HEADER)
    for k, code in enumerate(CODES):
        mark, word = MARKS[code]
        spec.put(row, 2 + k, f"{mark} {word}", HEADER)
    spec.put(row, 2 + len(CODES), "計", HEADER)
    row += 1
    counts = goal_counts(survey, grades.shown)
    for goal in survey.goals:
        _put_counts(spec, row, f"{goal.label}　{goal.name}", counts[goal.no], BODY, NUMBER)
        row += 1
    _put_counts(spec, row, "合計", count_grades(list(grades.shown.values())), TOTAL_LABEL, TOTAL)
    return row + 2


def _put_counts(spec: SheetSpec, row: int, label: str, counts: dict[GradeCode, int], label_style: Style,
                style: Style) -> None:
    spec.merge(row, 0, row, 1, label, label_style)
    for k, code in enumerate(CODES):
        spec.put(row, 2 + k, counts[code], style)
    spec.put(row, 2 + len(CODES), sum(counts.values()), style)


def _put_progress_table(spec: SheetSpec, survey: Survey, grades: CommitteeGrades, trends: Trends, year: str,
                        row: int) -> range:
    """Each indicator's figures, progress, expected pace, grade and grade trend (the chart's data)
    from `row`; returns the indicators' rows."""
    spec.put(row, 0, "指標別の進捗率", HEADING)
    row += 1
    words = survey.plan.header
    headers = [words("goal"), words("item_column"), words("baseline_value"), f"{year}\n実績値", "目標値", "進捗率",
               "進捗の\n目安", words("grade_column")]
    if trends.shown:
        headers.append(survey.plan.header("trend", first=fiscal_year_label(trends.years[0]), last=year))
    for k, text in enumerate(headers):
        spec.put(row, k, text, HEADER)
    spec.row_heights[row] = 30
    first = row + 1
    mark = survey.plan.header("trend_estimated_mark")
    for n, ind in enumerate(survey.indicators):
        _put_progress_row(spec, survey, first + n, ind, grades.shown[ind.id], grades.computed[ind.id])
        if trends.shown:
            spec.put(first + n, 8, trends.text(ind.id, mark, TREND_PER_LINE), BODY_CENTER)
    return range(first, first + len(survey.indicators))


def _put_progress_row(spec: SheetSpec, survey: Survey, row: int, ind: Indicator, shown: Grade,
                      computed: Grade) -> None:
    values = survey.values.get(ind.id, {})
    spec.put(row, 0, survey.goal(ind.goal).label, BODY_CENTER)
    spec.put(row, 1, ind.label, BODY)
    figures = ((survey.plan.baseline_year, values.get(survey.plan.baseline_year)),
               (survey.fiscal_year, values.get(survey.fiscal_year)), ("target", survey.targets.get(ind.id)))
    for k, (key, value) in enumerate(figures):
        if value is None or value == NOT_AVAILABLE:
            spec.put(row, 2 + k, NOT_AVAILABLE, BODY_CENTER)
        else:
            places = survey.value_decimals(ind, key)
            spec.put(row, 2 + k, value, number_style(excel_number_format(ind.unit, ind.kind, places)))
    for c, share in ((5, computed.progress), (6, computed.expected)):
        if share is None:
            spec.put(row, c, NOT_AVAILABLE, BODY_CENTER)
        else:
            spec.put(row, c, share, number_style(PERCENT))
    spec.put(row, 7, shown.label, grade_style(shown))


def _size_columns(spec: SheetSpec, survey: Survey, data: range, trends: Trends) -> None:
    """Column widths from what the columns show: no 「###」 for a wide figure, no clipped grade label."""
    grade = grade_width(survey.plan.header("grade_column"))
    spec.col_widths.update({1: NAME_WIDTH[1], 5: SHARE_WIDTH, 6: max(SHARE_WIDTH, grade), 7: grade})
    goals = [survey.goal(i.goal).label for i in survey.indicators] + [survey.plan.header("goal")]
    spec.col_widths[0] = column_width(goals, BODY.size, wrap=True, minimum=10)
    for c, key in zip((2, 3, 4), (survey.plan.baseline_year, survey.fiscal_year, "target")):
        shown = [shown_value(survey, ind, key) for ind in survey.indicators]
        header = str(spec.cells[(data.start - 1, c)][0])
        spec.col_widths[c] = max(grade, column_width(shown, NUMBER.size, NUMBER_INDENT), column_width([header], HEADER.size))
    if trends.shown:
        texts = [spec.cells[(r, 8)][0] for r in data] + [spec.cells[(data.start - 1, 8)][0]]
        spec.col_widths[8] = min(TREND_MAX_WIDTH, column_width(texts, BODY.size, wrap=True, minimum=10))


def _put_trend_notes(spec: SheetSpec, survey: Survey, trends: Trends, row: int) -> int:
    """Which grades of the trend were computed rather than recorded, from `row`; returns the row after."""
    if not trends.shown:
        return row
    whole = trends.estimated_years()
    if whole:
        spec.put(row, 0, survey.plan.header("trend_estimated", years=joined_years(whole)), NOTE)
        row += 1
    if trends.partly_estimated():
        mark = survey.plan.header("trend_estimated_mark")
        spec.put(row, 0, survey.plan.header("trend_estimated_marked", mark=mark), NOTE)
        row += 1
    return row


def _put_chart_labels(spec: SheetSpec, survey: Survey, data: range, col: int) -> None:
    """The chart's category labels, right of the print area: each name on two lines at most,
    shortened with 「…」 (keeping its sub-item) when longer."""
    spec.col_widths[col] = LABELS_WIDTH
    spec.put(data.start - 1, col, survey.plan.header("chart_labels"), HEADER)
    for r, ind in zip(data, survey.indicators):
        tail = f"（{ind.sub_item}）" if ind.sub_item else ""
        spec.put(r, col, chart_label(ind.label, LABEL_LINE_EM, keep_tail=tail), BODY)


def _put_table_notes(spec: SheetSpec, survey: Survey, grades: CommitteeGrades, clipped: list[str],
                     axis: tuple[float, float], row: int) -> int:
    """What progress means and which bars the axis cuts, from `row`; returns the row after them."""
    baseline = survey.plan.header("baseline_value")
    notes = [f"※　進捗率 ＝（実績値 − {baseline}）÷（目標値 − {baseline}）。「進捗の目安」はこの年度に期待される進捗率です。"]
    if clipped:
        names = "、".join(f"{survey.indicator(i).label}（{grades.computed[i].progress:.0%}）" for i in clipped)
        notes.append(f"※　グラフの目盛りは {axis[0]:.0%}〜{axis[1]:.0%} です。範囲を超える指標（{names}）は"
                     "目盛りの端まで表示しています（値は表のとおり）。")
    # A grade standing on another year's figure (a first measured year for a missing baseline, the
    # latest figure for a year not surveyed) says so, as the plan words it.
    for ind in survey.indicators:
        note = grade_note(grades.computed[ind.id], survey)
        if note:
            notes.append(f"※　{ind.label}：{note}")
    for text in notes:
        spec.put(row, 0, text, NOTE)
        row += 1
    return row


def _chart_width(spec: SheetSpec, col: int) -> float:
    """The chart's width (cm): what the page leaves beside the tables at `MIN_SCALE`, within
    `CHART_CM`, the names' column giving up to a fifth of its width first. The chart's one column
    (`col`) is made as wide as the chart, so the print area ends at the chart's right edge."""
    def room_cm() -> float:
        return (budget_px(spec.print_setup or PrintSetup()) - columns_px(spec.col_widths, range(col)) - 12) / PX_PER_CM

    while room_cm() < CHART_CM[0] and spec.col_widths[1] > NAME_WIDTH[0]:
        spec.col_widths[1] -= 1
    width_cm = min(max(room_cm(), CHART_CM[0]), CHART_CM[1])
    spec.col_widths[col] = excel_width(width_cm * PX_PER_CM + 8, step=COLUMN_STEP)  # the chart, and a little room beside it
    return width_cm


def _progress_chart(spec: SheetSpec, survey: Survey, data: range, clipped: list[str], axis: tuple[float, float],
                    year: str, col: int, labels_col: int, width_cm: float) -> ChartSpec:
    """Bars of each indicator's progress beside the pace expected, as tall as the tables beside it
    (or as its labels need), in the column `_chart_width` sized."""
    lines = max(str(spec.cells[(r, labels_col)][0]).count("\n") + 1 for r in data)
    per_category_pt = lines * CHART_FONT * 1.2 + 4
    tables_pt = sum(spec.row_heights.get(r, 15.0) for r in range(SUMMARY_TOP, data.stop))
    # Title, value axis and legend take about 2 cm of the chart's height.
    height_cm = max(tables_pt / 72 * 2.54, 12.0, len(data) * per_category_pt / 72 * 2.54 + 2.0)
    order = [i.id for i in survey.indicators]
    # Ticks every 25 %, or every 50 % on a wide range, so that the value labels of a narrow chart do not run together.
    return ChartSpec(
        anchor=(SUMMARY_TOP, col), first_row=data.start, last_row=data.stop - 1, category_col=labels_col,
        series=(ChartSeries("進捗率", 5, COLOR_PROGRESS, data_labels=True, number_format=PERCENT,
                            no_label=tuple(order.index(i) for i in clipped)),
                ChartSeries("進捗の目安", 6, COLOR_EXPECTED)),
        title=f"指標別の進捗率（{year}）", axis_min=axis[0], axis_max=axis[1], major_unit=0.25 if axis[1] - axis[0] <= 1.5 else 0.5,
        axis_number_format=PERCENT, width_cm=round(width_cm, 2), height_cm=round(height_cm, 2), font_size=CHART_FONT,
    )


def _axis_range(progresses: list[float], expected: list[float]) -> tuple[float, float]:
    """Value-axis bounds: 0–100 % at least, widened to the data in quarter steps but kept within
    −100 %〜200 % so that one outlier does not flatten every other bar."""
    lo = min([0.0] + progresses)
    hi = max([1.0] + progresses + expected)
    # A negative bar's label prints beyond its end: keep room for it before the category labels.
    axis_min = max(floor((lo - 0.15 if lo < 0 else lo) * 4) / 4, -1.0)
    axis_max = min(ceil(hi * 4) / 4, 2.0)
    return axis_min, axis_max
