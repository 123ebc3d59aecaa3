"""The committee version (推進委員会資料) of a consolidated survey, as plain SheetSpecs.

The promotion committee reads the published table, not the working file: 資料２
as in the plan's own layout with the year's values, texts and 進捗評価 marks, the
legend of the marks, the ※ footnotes, and a summary sheet (grades per basic
goal and a chart of each indicator's progress against the pace expected). It
carries nothing the committee does not read: no indicator IDs or key row, no
管理情報, no input marking or data validation, nothing hidden, no log, and
values rather than formulas.

It is made to be printed: A3 landscape, header rows repeated on each page,
page numbers, BIZ UDゴシック, and rows sized from their texts so nothing is cut
off. A printer splits a merged cell that straddles a page break and may cut its
text, so the table is paginated here: pages break between item groups, a basic
goal is kept on one page when it fits, and a goal that has to continue on the
next page gets its 基本目標 cell repeated there.

Core module: works on a `Survey` (as read from a file or from the live
workbook) and returns SheetSpecs; writing them is the adapters' job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import ceil, floor

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import excel_number_format
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.progress import (
    CODES,
    IMPROVEMENT,
    MARKS,
    Grade,
    GradeCode,
    count_grades,
    grade_from_label,
    grade_style,
    grade_styles,
    grade_survey,
    legend,
    progress_definition,
)
from welfare_xl.core.model.wording import default_header
from welfare_xl.core.sheets.department import sheet_name
from welfare_xl.core.sheets.master import SURVEY_SHEET_ROWS, survey_sheet
from welfare_xl.core.sheets.spec import (
    ChartSeries,
    ChartSpec,
    PrintSetup,
    SheetSpec,
    Style,
    column_pixels,
    fit_row_heights,
)
from welfare_xl.core.sheets.styles import (
    BODY,
    BODY_CENTER,
    GOAL_TEXT,
    HEADER,
    NOTE,
    NUMBER,
    NUMBER_INDENT,
    number_style,
)
from welfare_xl.core.sheets.table import goal_runs, item_runs

SUMMARY_SHEET = default_header("summary_sheet")  # the plan's own name: summary_sheet_name(survey)

HEADING = Style(bold=True, size=11, border=None, wrap=False)
TOTAL = Style(bold=True, size=10, h_align="right", wrap=False, indent=NUMBER_INDENT)
TOTAL_LABEL = Style(bold=True, size=10, h_align="center")
PERCENT = "0%"

# Printed page, A3 landscape, in points; margins as xlsx._print_setup writes
# them (bottom margin 0.2 inch larger, for the page-number footer).
PAPER_PT = (420 / 25.4 * 72, 297 / 25.4 * 72)
# Share of the page height the paginator fills: rendering applications round
# scales and row heights differently, and a page break a little early costs
# nothing while a row pushed to the next page would split a goal.
PAGE_FILL = 0.9

YEAR_WIDTH = 14.0

# Chart colours: dark and light, so the two series differ in lightness (not only hue).
COLOR_PROGRESS = "1F4E79"
COLOR_EXPECTED = "BFBFBF"

# The summary sheet: its column widths, its title, the row its first table (and the
# chart beside the tables) starts at, and the chart's column.
SUMMARY_WIDTHS = {0: 12, 1: 46, 2: 12, 3: 12, 4: 12, 5: 11, 6: 11, 7: 11, 8: 2}
SUMMARY_TITLE = Style(bold=True, size=14, border=None, wrap=False)
SUMMARY_TOP = 3
CHART_COL = 9


# --- grades --------------------------------------------------------------------------------


@dataclass
class CommitteeGrades:
    """The grade each indicator shows, and where it came from.

    The consolidated workbook's own 進捗評価 column is what the secretariat
    reviewed, so a grade written there is shown as is; an empty (or unreadable)
    cell is graded from the values. `computed` always holds the grade from the
    values, whose progress numbers the summary and chart use.
    """

    shown: dict[str, Grade]
    computed: dict[str, Grade]
    stored: set[str] = field(default_factory=set)  # IDs whose shown grade is the workbook's own
    differing: list[str] = field(default_factory=list)  # stored grade differs from the values' grade
    unreadable: dict[str, str] = field(default_factory=dict)  # ID -> cell text that is no grade


def resolve_grades(survey: Survey) -> CommitteeGrades:
    computed = grade_survey(survey)
    result = CommitteeGrades(shown={}, computed=computed)
    for ind in survey.indicators:
        raw = survey.grades.get(ind.id)
        stored = grade_from_label(raw)
        if stored is None:
            if isinstance(raw, str) and raw.strip():
                result.unreadable[ind.id] = raw
            result.shown[ind.id] = computed[ind.id]
            continue
        result.stored.add(ind.id)
        result.shown[ind.id] = replace(computed[ind.id], code=stored.code)
        if stored.code != computed[ind.id].code:
            result.differing.append(ind.id)
    return result


def goal_counts(survey: Survey, grades: dict[str, Grade]) -> dict[int, dict[str, int]]:
    """Grade counts per basic goal (every goal and every grade present, 0 when none)."""
    return {g.no: count_grades([grades[i.id] for i in survey.indicators if i.goal == g.no])
            for g in survey.goals}


# --- the sheets ----------------------------------------------------------------------------


def committee_specs(survey: Survey, grades: CommitteeGrades | None = None) -> list[SheetSpec]:
    """The committee workbook's sheets: 資料２ (table, footnotes, legend) and the summary."""
    grades = grades or resolve_grades(survey)
    return [table_spec(survey, grades), summary_spec(survey, grades)]


def _legend_rows(spec: SheetSpec, survey: Survey, row: int, label_col: int, text_cols: tuple[int, int]) -> int:
    """Write the legend of the marks from `row`; returns the row after it."""
    words = survey.plan.header
    baseline = words("baseline_value")
    spec.put(row, label_col, f"{words('grade_column')}の見方", HEADING)
    row += 1
    for (mark, word, definition), code in zip(legend(survey.config, baseline), CODES):
        spec.put(row, label_col, f"{mark} {word}", grade_style(Grade.of(code)))
        spec.merge(row, text_cols[0], row, text_cols[1], definition, BODY)
        row += 1
    spec.put(row, label_col, "※　" + progress_definition(baseline), NOTE)
    spec.put(row + 1, label_col, f"※　目標値が{baseline}より低い指標（例：{words('lower_example')}を目指すもの）は、"
                                  "低いほど良い指標として評価しています。", NOTE)
    return row + 2


def table_spec(survey: Survey, grades: CommitteeGrades) -> SheetSpec:
    """資料２ as published, with the year's values and marks, paginated for A3 landscape."""
    rows = SURVEY_SHEET_ROWS
    shown = {i: g.label for i, g in grades.shown.items()}
    spec = survey_sheet(replace(survey, grades=shown), committee=True, grade_styles=grade_styles())
    columns = [c for c in layout.survey_columns(survey) if c.role != "hidden"]
    col = {c.key: n for n, c in enumerate(columns)}
    last_col = len(columns) - 1
    spec.freeze = None  # a handout: nothing to scroll against
    for c in columns:
        if c.role in ("history", "input_number", "target"):
            # Wide enough for 「（計画1年目）」 on one line in the bold header.
            spec.col_widths[col[c.key]] = max(c.width, YEAR_WIDTH)
    spec.row_heights[rows.key] = 6  # the committee has no key row; keep a thin spacer

    foot = rows.first_data + len(survey.indicators) + 1
    legend_row = foot + len(survey.plan.footnotes) + 1
    end = _legend_rows(spec, survey, legend_row, col[layout.GOAL], (col[layout.PAGES], col[layout.TARGET]))
    spec.print_setup = replace(spec.print_setup or PrintSetup(),
                               area=f"A1:{column_letter(last_col)}{end}", title_rows=(rows.header, rows.subheader))

    fit_row_heights(spec, range(rows.first_data, end))
    _paginate(spec, survey, col, end)
    return spec


def _page_capacity(spec: SheetSpec) -> float:
    """Unscaled row height (pt) that fits on one printed page below the repeated header rows."""
    p = spec.print_setup or PrintSetup()
    margin = p.margins_cm / 2.54 * 72
    width_pt = sum(column_pixels(spec.col_widths.get(c, 8.43)) for c in range(spec.max_col + 1)) * 0.75
    scale = min(1.0, (PAPER_PT[0] - 2 * margin) / width_pt)
    scale = floor(scale * 100) / 100  # applications print at whole percents
    height = PAPER_PT[1] - 2 * margin - 0.2 * 72
    return height / scale * PAGE_FILL


def _paginate(spec: SheetSpec, survey: Survey, col: dict[str, int], end: int) -> None:
    """Break pages between item groups; repeat a goal's cell on the page it continues on.

    Row heights depend on the goal cells' merges and those on the breaks, so
    the two are settled together (a few rounds at most).
    """
    rows = SURVEY_SHEET_ROWS
    inds = survey.indicators
    first, last = rows.first_data, rows.first_data + len(inds) - 1
    groups = [(run.first, run.last) for run in item_runs(inds, first)]
    goal_of_row = {first + k: ind.goal for k, ind in enumerate(inds)}
    capacity = _page_capacity(spec)
    header = spec.row_heights.get(rows.header, 15) + spec.row_heights.get(rows.subheader, 15)
    base_merges = [m for m in spec.merges
                   if not (m[1] in (col[layout.GOAL], col[layout.PAGES]) and first <= m[0] <= last)]
    breaks: list[int] = []
    for _ in range(4):
        breaks_new = _page_breaks(spec, groups, goal_of_row, capacity, header, end)
        _goal_cells(spec, survey, col, breaks_new, base_merges)
        fit_row_heights(spec, range(first, end))
        if breaks_new == breaks:
            break
        breaks = breaks_new
    spec.row_breaks = breaks


def _page_breaks(spec: SheetSpec, groups: list[tuple[int, int]], goal_of_row: dict[int, int],
                 capacity: float, header: float, end: int) -> list[int]:
    def height(r1: int, r2: int) -> float:
        return sum(spec.row_heights.get(r, 15.0) for r in range(r1, r2 + 1))

    used = height(0, SURVEY_SHEET_ROWS.first_data - 1) - header  # page 1 also carries the title rows
    breaks: list[int] = []
    room = capacity - header
    k = 0
    while k < len(groups):
        r1, _ = groups[k]
        goal = goal_of_row[r1]
        # The goal's remaining groups, to keep a goal whole on one page when it can be.
        j = k
        while j + 1 < len(groups) and goal_of_row[groups[j + 1][0]] == goal:
            j += 1
        whole = height(r1, groups[j][1])
        if used + whole <= room:
            used += whole
            k = j + 1
            continue
        if used > 0 and whole <= room:
            breaks.append(r1)
            used = whole
            k = j + 1
            continue
        # The goal is longer than a page: place it group by group.
        for g1, g2 in groups[k:j + 1]:
            need = height(g1, g2)
            if used + need > room and used > 0:
                breaks.append(g1)
                used = 0
            used += need
        k = j + 1
    tail_start = groups[-1][1] + 1 if groups else SURVEY_SHEET_ROWS.first_data
    tail = height(tail_start, end - 1)
    if used + tail > room and used > 0:
        breaks.append(tail_start + 1)  # footnotes and legend start a page (the blank row stays behind)
    return breaks


def _goal_cells(spec: SheetSpec, survey: Survey, col: dict[str, int], breaks: list[int],
                base_merges: list[tuple[int, int, int, int]]) -> None:
    """(Re)write the 基本目標 and ページ番号 cells, one merged block per goal and page."""
    spec.merges[:] = list(base_merges)
    for run in goal_runs(survey.indicators, SURVEY_SHEET_ROWS.first_data):
        goal = survey.goal(run.head.goal)
        cuts = [r for r in breaks if run.first < r <= run.last]
        starts = [run.first] + cuts
        stops = [c - 1 for c in cuts] + [run.last]
        for n, (start, stop) in enumerate(zip(starts, stops)):
            text = goal.cell_text if n == 0 else f"{goal.label}（続き）\n{goal.name}"
            spec.merge(start, col[layout.GOAL], stop, col[layout.GOAL], text, GOAL_TEXT)
            spec.merge(start, col[layout.PAGES], stop, col[layout.PAGES], goal.pages, BODY_CENTER)


# --- the summary sheet ---------------------------------------------------------------------


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
    """Grades per basic goal, each indicator's progress, and a chart of progress vs the pace expected."""
    spec = SheetSpec(name=summary_sheet_name(survey))
    spec.col_widths.update(SUMMARY_WIDTHS)
    year = fiscal_year_label(survey.fiscal_year)
    spec.put(0, 0, f"{survey.plan.name}　{survey.plan.header('summary_sheet')}（{year}）", SUMMARY_TITLE)
    spec.row_heights[0] = 24
    spec.put(1, 0, f"評価の基準：進捗率を{_pace_text(survey)}と比べています。", NOTE)

    row = _put_goal_counts(spec, survey, grades, SUMMARY_TOP)
    data = _put_progress_table(spec, survey, grades, year, row)
    computed = grades.computed.values()
    axis = _axis_range([g.progress for g in computed if g.progress is not None], [g.expected or 0 for g in computed])
    # Bars cut at the axis carry no data label: it would print over the category labels.
    # Their values are in the table and named in the note below it.
    clipped = [i for i, g in grades.computed.items() if g.progress is not None and not axis[0] <= g.progress <= axis[1]]
    row = _put_table_notes(spec, survey, grades, clipped, axis, data.stop + 1)
    end = _legend_rows(spec, survey, row + 1, 0, (1, 7))

    fit_row_heights(spec, range(2, end))
    spec.charts.append(_progress_chart(spec, survey, data, clipped, axis, year))
    chart_cols = CHART_COL + 13  # the chart's width in default-width columns, for the print area
    spec.print_setup = PrintSetup(area=f"A1:{column_letter(chart_cols)}{end}", fit_height=True)
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


def _put_progress_table(spec: SheetSpec, survey: Survey, grades: CommitteeGrades, year: str, row: int) -> range:
    """Each indicator's figures, progress, expected pace and grade (the chart's data) from `row`;
    returns the indicators' rows."""
    spec.put(row, 0, "指標別の進捗率", HEADING)
    row += 1
    words = survey.plan.header
    headers = [words("goal"), words("item_column"), words("baseline_value"), f"{year}\n実績値", "目標値", "進捗率",
               "進捗の\n目安", words("grade_column")]
    for k, text in enumerate(headers):
        spec.put(row, k, text, HEADER)
    spec.row_heights[row] = 30
    first = row + 1
    for n, ind in enumerate(survey.indicators):
        _put_progress_row(spec, survey, first + n, ind, grades.shown[ind.id], grades.computed[ind.id])
    return range(first, first + len(survey.indicators))


def _put_progress_row(spec: SheetSpec, survey: Survey, row: int, ind: Indicator, shown: Grade,
                      computed: Grade) -> None:
    values = survey.values.get(ind.id, {})
    spec.put(row, 0, survey.goal(ind.goal).label, BODY_CENTER)
    spec.put(row, 1, ind.label, BODY)
    figures = (values.get(survey.plan.baseline_year), values.get(survey.fiscal_year), survey.targets.get(ind.id))
    for k, value in enumerate(figures):
        if value is None or value == NOT_AVAILABLE:
            spec.put(row, 2 + k, NOT_AVAILABLE, BODY_CENTER)
        else:
            spec.put(row, 2 + k, value, number_style(excel_number_format(ind.unit, ind.kind, ind.decimals)))
    for c, share in ((5, computed.progress), (6, computed.expected)):
        if share is None:
            spec.put(row, c, NOT_AVAILABLE, BODY_CENTER)
        else:
            spec.put(row, c, share, number_style(PERCENT))
    spec.put(row, 7, shown.label, grade_style(shown))


def _put_table_notes(spec: SheetSpec, survey: Survey, grades: CommitteeGrades, clipped: list[str],
                     axis: tuple[float, float], row: int) -> int:
    """What progress means and which bars the axis cuts, from `row`; returns the row after them."""
    baseline = survey.plan.header("baseline_value")
    notes = [f"※　進捗率 ＝（実績値 − {baseline}）÷（目標値 − {baseline}）。「進捗の目安」はこの年度に期待される進捗率です。"]
    if clipped:
        names = "、".join(f"{survey.indicator(i).label}（{grades.computed[i].progress:.0%}）" for i in clipped)
        notes.append(f"※　グラフの目盛りは {axis[0]:.0%}〜{axis[1]:.0%} です。範囲を超える指標（{names}）は"
                     "目盛りの端まで表示しています（値は表のとおり）。")
    for text in notes:
        spec.put(row, 0, text, NOTE)
        row += 1
    return row


def _progress_chart(spec: SheetSpec, survey: Survey, data: range, clipped: list[str], axis: tuple[float, float],
                    year: str) -> ChartSpec:
    """Bars of each indicator's progress beside the pace expected, as tall as the tables beside it."""
    height_cm = sum(spec.row_heights.get(r, 15.0) for r in range(SUMMARY_TOP, data.stop)) / 72 * 2.54
    order = [i.id for i in survey.indicators]
    return ChartSpec(
        anchor=(SUMMARY_TOP, CHART_COL), first_row=data.start, last_row=data.stop - 1, category_col=1,
        series=(ChartSeries("進捗率", 5, COLOR_PROGRESS, data_labels=True, number_format=PERCENT,
                            no_label=tuple(order.index(i) for i in clipped)),
                ChartSeries("進捗の目安", 6, COLOR_EXPECTED)),
        title=f"指標別の進捗率（{year}）", axis_min=axis[0], axis_max=axis[1], major_unit=0.25,
        axis_number_format=PERCENT, width_cm=24.0, height_cm=max(height_cm, 12.0),
    )


def _axis_range(progresses: list[float], expected: list[float]) -> tuple[float, float]:
    """Value-axis bounds: 0–100 % at least, widened to the data in quarter steps but kept within
    −100 %〜200 % so that one outlier does not flatten every other bar."""
    lo = min([0.0] + progresses)
    hi = max([1.0] + progresses + expected)
    axis_min = max(floor(lo * 4) / 4, -1.0)
    axis_max = min(ceil(hi * 4) / 4, 2.0)
    return axis_min, axis_max
