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

from dataclasses import replace

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.progress import grade_styles
from welfare_xl.core.sheets.committee_grades import (  # noqa: F401  (CommitteeGrades, goal_counts: re-exported)
    CommitteeGrades,
    goal_counts,
    grade_width,
    legend_rows,
    resolve_grades,
    shown_value,
)
from welfare_xl.core.sheets.committee_layout import (
    budget_px,
    choose_years,
    gaps,
    print_scale,
    printable_pt,
    raise_fonts,
    remap_columns,
    year_drop_order,
)
from welfare_xl.core.sheets.committee_summary import SUMMARY_SHEET, summary_spec  # noqa: F401  (re-exported)
from welfare_xl.core.sheets.committee_trend import joined_years
from welfare_xl.core.sheets.fit import column_pixels, column_width
from welfare_xl.core.sheets.master import SURVEY_SHEET_ROWS, survey_sheet
from welfare_xl.core.sheets.spec import PrintSetup, SheetSpec, fit_row_heights
from welfare_xl.core.sheets.styles import BODY_CENTER, GOAL_TEXT, HEADER, NOTE, NUMBER, NUMBER_INDENT
from welfare_xl.core.sheets.table import goal_runs, item_runs

# Share of the page height the paginator fills: rendering applications round
# scales and row heights differently, and a page break a little early costs
# nothing while a row pushed to the next page would split a goal.
PAGE_FILL = 0.9

# The table's two text columns give up to this share of their width before a year column is dropped.
TEXT_SHRINK = 0.75
# Side margins of the table's page: 0.8 cm (most printers leave 5 mm unprinted) gives the year columns room.
TABLE_MARGINS_CM = 0.8
GAP_WIDTH = 3.0  # the 「…」 column standing for left-out years

# --- the sheets ----------------------------------------------------------------------------


def committee_specs(survey: Survey, grades: CommitteeGrades | None = None) -> list[SheetSpec]:
    """The committee workbook's sheets: 資料２ (table, footnotes, legend) and the summary."""
    grades = grades or resolve_grades(survey)
    return [table_spec(survey, grades), summary_spec(survey, grades)]


def table_spec(survey: Survey, grades: CommitteeGrades) -> SheetSpec:
    """資料２ as published, with the year's values and marks, paginated for A3 landscape.

    Fonts are raised to `FONT_FLOOR` and the columns sized from what they show; when the year
    columns would make the page print smaller than `MIN_SCALE`, middle years give way to a narrow
    「…」 column and a footnote names them (`_fit_columns`).
    """
    rows = SURVEY_SHEET_ROWS
    shown = {i: g.label for i, g in grades.shown.items()}
    spec = survey_sheet(replace(survey, grades=shown), committee=True, grade_styles=grade_styles())
    columns = [c for c in layout.survey_columns(survey) if c.role != "hidden"]
    spec.freeze = None  # a handout: nothing to scroll against
    spec.print_setup = replace(spec.print_setup or PrintSetup(), margins_cm=TABLE_MARGINS_CM)
    spec.row_heights[rows.key] = 6  # the committee has no key row; keep a thin spacer
    raise_fonts(spec)
    omitted, new_col = _fit_columns(spec, survey, columns)
    col = {c.key: new_col[n] for n, c in enumerate(columns) if n in new_col}
    last_col = spec.max_col

    foot = rows.first_data + len(survey.indicators) + 1 + len(survey.plan.footnotes)
    if omitted:
        mark = survey.plan.header("omitted_mark")
        spec.put(foot, 0, survey.plan.header("omitted_years", years=joined_years(omitted), mark=mark), NOTE)
        foot += 1
    end = legend_rows(spec, survey, foot + 1, col[layout.GOAL], (col[layout.PAGES], col[layout.TARGET]))
    spec.print_setup = replace(spec.print_setup, area=f"A1:{column_letter(last_col)}{end}",
                               title_rows=(rows.header, rows.subheader))

    raise_fonts(spec)
    fit_row_heights(spec, [rows.header, rows.subheader], min_height=18)
    fit_row_heights(spec, range(rows.first_data, end))
    _paginate(spec, survey, col, end)
    return spec


def _fit_columns(spec: SheetSpec, survey: Survey, columns: list[layout.Column]) -> tuple[list[int], dict[int, int]]:
    """Size the columns from their contents and keep the years that fit the page; returns the years
    left out and where each column kept now stands (old -> new).

    Names, target and grade keep their width; the two text columns give up to a fifth of theirs
    before a year column is dropped (their rows grow instead); then years are dropped in
    `year_drop_order`, each run of them leaving a narrow 「…」 column.
    """
    index = {c.key: n for n, c in enumerate(columns)}
    widths = {n: spec.col_widths.get(n, c.width) for n, c in enumerate(columns)}
    widths[index[layout.GRADE]] = grade_width(next(c.header for c in columns if c.role == "grade"))
    for c in columns:
        if c.role in ("history", "input_number", "target"):
            shown = [shown_value(survey, i, layout.key_year(c.key) or "target") for i in survey.indicators]
            widths[index[c.key]] = max(column_width([c.header], HEADER.size),
                                       column_width(shown, NUMBER.size, NUMBER_INDENT), 10)
    texts = {index[k]: widths[index[k]] for k in (layout.DONE, layout.NEXT)}
    year_of = {index[c.key]: layout.key_year(c.key) for c in columns if c.role in ("history", "input_number")}
    gap_px = column_pixels(GAP_WIDTH)
    budget = budget_px(spec.print_setup)
    fixed = sum(column_pixels(w) for n, w in widths.items() if n not in texts and n not in year_of)

    def need(kept: list[int], text_share: float) -> float:
        years = sum(column_pixels(widths[n]) for n, y in year_of.items() if y in kept)
        text = sum(column_pixels(w * text_share) for w in texts.values())
        return fixed + years + text + gap_px * len(gaps(survey.years, kept))

    kept = choose_years(survey.years, year_drop_order(survey.years, survey.plan.start_year),
                        lambda k: need(k, TEXT_SHRINK) <= budget)
    share = 1.0
    while share > TEXT_SHRINK and need(kept, share) > budget:
        share = round(share - 0.02, 2)
    for n, preferred in texts.items():
        widths[n] = round(preferred * share, 1)
    spec.col_widths.update(widths)
    omitted = [y for y in survey.years if y not in kept]
    if not omitted:
        return omitted, {n: n for n in range(len(columns))}
    drop = {n for n, y in year_of.items() if y in omitted}
    return omitted, remap_columns(spec, drop, GAP_WIDTH, lambda s, c, _first: _gap_column(s, survey, c))


def _gap_column(spec: SheetSpec, survey: Survey, c: int) -> None:
    """The narrow column standing for left-out years: 「…」 in its header and on every indicator's row."""
    rows = SURVEY_SHEET_ROWS
    mark = survey.plan.header("omitted_mark")
    spec.merge(rows.header, c, rows.subheader, c, mark, HEADER)
    for n in range(len(survey.indicators)):
        spec.put(rows.first_data + n, c, mark, BODY_CENTER)


def _page_capacity(spec: SheetSpec) -> float:
    """Unscaled row height (pt) that fits on one printed page below the repeated header rows."""
    height = printable_pt(spec.print_setup or PrintSetup())[1]
    return height / print_scale(spec) * PAGE_FILL


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
        raise_fonts(spec)
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
