"""The committee version at every plan length: fonts that print at 9 pt or more, a page that fits
its width, grade labels that fit their column, the grade trend, and chart labels (issue 9).

Surveys are built in the test (`support.long_plan`); the page is measured here from the SheetSpec's
own widths and sizes, independently of the code's estimate: a column of Excel width w is 7w + 5
pixels, A3 landscape is 420 mm wide less the margins, an application prints at whole percents.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import replace

import pytest
from support.long_plan import LONG_NAME, long_plan

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.wording import DEFAULT_HEADERS
from welfare_xl.core.progress import GradeCode, grade
from welfare_xl.core.sheets.committee import SUMMARY_SHEET, committee_specs
from welfare_xl.core.sheets.committee_layout import chart_label
from welfare_xl.core.sheets.spec import SheetSpec

A3_WIDE_PT, A3_HIGH_PT = 420 / 25.4 * 72, 297 / 25.4 * 72


def _ems(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "FWA" else 0.5 for ch in text)


def _area(spec: SheetSpec) -> tuple[int, int]:
    m = re.fullmatch(r"A1:([A-Z]+)(\d+)", spec.print_setup.area)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return col - 1, int(m.group(2)) - 1


def _page(spec: SheetSpec) -> tuple[float, float, float]:
    """(scale, printed width pt, printable width pt) of the print area fitted to one page wide
    (and high when the sheet asks), as an application prints it."""
    last_col, last_row = _area(spec)
    margin = spec.print_setup.margins_cm / 2.54 * 72
    printable_w = A3_WIDE_PT - 2 * margin
    printable_h = A3_HIGH_PT - 2 * margin - 0.2 * 72
    width = sum(spec.col_widths.get(c, 8.43) * 7 + 5 for c in range(last_col + 1)) * 0.75
    height = sum(spec.row_heights.get(r, 15) for r in range(last_row + 1))
    for chart in spec.charts:
        height = max(height, sum(spec.row_heights.get(r, 15) for r in range(chart.anchor[0])) + chart.height_cm / 2.54 * 72)
    # LibreOffice lays columns out 0.7 % wider than 7w + 5 (measured on the sample's PDF): 1 % more here.
    scale = min(1.0, printable_w / (width * 1.01))
    if spec.print_setup.fit_height:
        scale = min(scale, printable_h / height)
    scale = math.floor(scale * 100) / 100
    return scale, width * 1.01 * scale, printable_w


def _smallest_font(spec: SheetSpec) -> float:
    last_col, last_row = _area(spec)
    sizes = [s.size for (r, c), (v, s) in spec.cells.items() if v not in (None, "") and r <= last_row and c <= last_col]
    for chart in spec.charts:
        sizes += [chart.font_size, chart.font_size - 1]  # files.writer prints data labels 1 pt smaller
    return min(sizes)


def _texts(spec: SheetSpec) -> list[str]:
    return [str(v) for v, _ in spec.cells.values() if v is not None]


def _header_row(spec: SheetSpec, row: int) -> dict[int, str]:
    return {c: str(v) for (r, c), (v, _) in spec.cells.items() if r == row and v is not None}


@pytest.mark.parametrize("year_columns", [3, 5, 8, 11])
def test_every_font_prints_at_9pt_or_more_and_the_page_fits(year_columns: int) -> None:
    survey = long_plan(year_columns)
    table, summary = committee_specs(survey)
    for spec in (table, summary):
        scale, printed, printable = _page(spec)
        assert _smallest_font(spec) * scale >= 9.0, (spec.name, _smallest_font(spec), scale)
        assert printed <= printable, (spec.name, printed, printable)
    # The table keeps the baseline, this year and the last, and the target, whatever it drops.
    headers = " ".join(_header_row(table, 3).values()).replace("\n", "")
    for year in (survey.plan.baseline_year, survey.fiscal_year - 1, survey.fiscal_year, survey.plan.target_year):
        assert fiscal_year_label(year) in headers, (year_columns, year)


@pytest.mark.parametrize("year_columns", [3, 4])
def test_short_plans_keep_every_year(year_columns: int) -> None:
    survey = long_plan(year_columns)
    table = committee_specs(survey)[0]
    headers = " ".join(_header_row(table, 3).values())
    assert all(fiscal_year_label(y) in headers for y in survey.years)
    assert "…" not in _header_row(table, 3).values()
    assert not any("省略" in t for t in _texts(table))


@pytest.mark.parametrize("year_columns", [8, 11])
def test_long_plans_drop_middle_years_and_say_which(year_columns: int) -> None:
    survey = long_plan(year_columns)
    table = committee_specs(survey)[0]
    header = _header_row(table, 3)
    shown = [y for y in survey.years if any(fiscal_year_label(y) in h for h in header.values())]
    omitted = [y for y in survey.years if y not in shown]
    assert omitted and len(shown) >= 3
    assert shown[0] == survey.plan.baseline_year and shown[-2:] == survey.years[-2:]
    # Seven-digit counts need wide columns: here the first plan year gave way too.
    # A 「…」 column stands where the left-out years were, in the header and on every row.
    gap_cols = [c for c, h in header.items() if h == "…"]
    assert gap_cols
    for c in gap_cols:
        left = max(k for k, h in header.items() if k < c and "年度" in h)
        right = min(k for k, h in header.items() if k > c and "年度" in h)
        years_between = [y for y in omitted
                         if next(y2 for y2 in survey.years if fiscal_year_label(y2) in header[left]) < y
                         < next(y2 for y2 in survey.years if fiscal_year_label(y2) in header[right])]
        assert years_between, c
        assert all(table.cells[(5 + n, c)][0] == "…" for n in range(len(survey.indicators)))
    note = next(t for t in _texts(table) if "省略" in t)
    assert all(fiscal_year_label(y) in note for y in omitted)
    assert not any(fiscal_year_label(y) in note for y in shown)


def test_every_grade_label_fits_its_column() -> None:
    """「－ 評価不能」 was clipped in a width-10 column: full-width characters 1 em, others ½ em, and padding."""
    survey = long_plan(8)
    # No figure this year (a plan without a baseline figure is graded from its first measured year now).
    survey.values["L-07"][survey.fiscal_year] = None
    table, summary = committee_specs(survey)
    assert grade(survey.indicator("L-07"), survey).code is GradeCode.NA  # the label is there to be measured
    checked = 0
    for spec in (table, summary):
        for (r, c), (v, style) in spec.cells.items():
            if isinstance(v, str) and v.strip() in ("◎ 達成", "○ 順調", "△ 遅れ", "× 悪化", "－ 評価不能", "進捗評価"):
                merged = next((m for m in spec.merges if m[0] <= r <= m[2] and m[1] == c), None)
                width_px = sum(spec.col_widths.get(k, 8.43) * 7 + 5 for k in range(c, (merged[3] if merged else c) + 1))
                need_px = _ems(v) * style.size * 96 / 72 + 8  # the text and the cell's inner margins
                assert need_px <= width_px, (spec.name, r, c, v, need_px, width_px)
                checked += 1
    assert checked >= len(survey.indicators) * 2


def test_display_decimals_of_each_value() -> None:
    """48.4% beside 50.70%, as the plan book prints it (Survey.value_decimals), in both sheets."""
    survey = long_plan(5)
    table, summary = committee_specs(survey)
    for spec in (table, summary):
        formats = {s.number_format for (r, c), (v, s) in spec.cells.items() if v == pytest.approx(0.484)}
        assert formats == {"0.0%"}, spec.name
        assert any(s.number_format == "0.00%" for v, s in spec.cells.values() if v == pytest.approx(0.584)), spec.name


# --- the grade trend -----------------------------------------------------------------------------


def _trend_column(summary: SheetSpec) -> tuple[int, int]:
    """(header row, column) of the summary's 評価の推移."""
    return next((r, c) for (r, c), (v, _) in summary.cells.items() if isinstance(v, str) and v.startswith("評価の推移"))


def test_trend_from_recorded_grades_and_this_year() -> None:
    survey = long_plan(5)  # baseline 2017, plan years 2018-2021
    survey.history[2019]["L-02"] = replace(survey.history[2019]["L-02"], grade="◎ 達成")  # what the committee saw
    summary = committee_specs(survey)[1]
    head, col = _trend_column(summary)
    assert fiscal_year_label(2018) in summary.cells[(head, col)][0]
    rows = {summary.cells[(r, 1)][0]: r for r in range(head + 1, head + 1 + len(survey.indicators))}
    for ind in survey.indicators:
        trend = summary.cells[(rows[ind.label], col)][0]
        marks = [grade(ind, survey, y).mark for y in (2018, 2019, 2020, 2021)]
        if ind.id == "L-02":
            marks[1] = "◎"
        assert trend == "→".join(marks), (ind.id, trend)
    assert not any("推計" in t for t in _texts(summary))  # every past grade was recorded


def test_trend_grades_computed_where_no_grade_was_recorded_are_footnoted() -> None:
    survey = long_plan(5, unrecorded=(2018, 2019))  # a master from before rollovers kept history
    summary = committee_specs(survey)[1]
    notes = [t for t in _texts(summary) if "推計" in t]
    assert len(notes) == 1
    assert fiscal_year_label(2018) in notes[0] and fiscal_year_label(2019) in notes[0]
    assert fiscal_year_label(2020) not in notes[0]
    head, col = _trend_column(summary)
    assert all("＊" not in str(summary.cells[(r, col)][0]) for r in range(head + 1, head + 8))


def test_a_computed_grade_in_a_recorded_year_is_marked() -> None:
    survey = long_plan(5)
    del survey.history[2019]["L-04"]  # that year's grade of one indicator was never recorded
    summary = committee_specs(survey)[1]
    head, col = _trend_column(summary)
    row = next(r for r in range(head + 1, head + 8) if summary.cells[(r, 1)][0] == "福祉相談の延べ件数")
    assert summary.cells[(row, col)][0].split("→")[1].endswith("＊")
    assert sum("＊" in str(summary.cells[(r, col)][0]) for r in range(head + 1, head + 8)) == 1
    assert any("「＊」" in t and "推計" in t for t in _texts(summary))


def test_a_long_trend_breaks_into_even_lines_after_an_arrow() -> None:
    survey = long_plan(9)  # plan years 2018-2025: eight grades
    summary = committee_specs(survey)[1]
    head, col = _trend_column(summary)
    for r in range(head + 1, head + 1 + len(survey.indicators)):
        lines = summary.cells[(r, col)][0].split("\n")
        assert [len(line.replace("→", "")) for line in lines] == [4, 4], lines
        assert lines[0].endswith("→") and not lines[1].startswith("→")


def test_no_trend_column_in_the_plans_first_year() -> None:
    survey = long_plan(2)  # baseline and the first plan year
    summary = committee_specs(survey)[1]
    assert not any(isinstance(v, str) and v.startswith("評価の推移") for v, _ in summary.cells.values())


def test_trend_and_notes_are_worded_by_the_plan() -> None:
    survey = long_plan(5, unrecorded=(2018,))
    words = {"trend": "評価の移り変わり（{first}から）", "trend_estimated": "※　{years}は値からの推定。",
             "omitted_mark": "〜"}
    survey = replace(survey, plan=replace(survey.plan, headers={**survey.plan.headers, **words}))
    summary = committee_specs(survey)[1]
    texts = _texts(summary)
    assert f"評価の移り変わり（{fiscal_year_label(2018)}から）" in texts
    assert f"※　{fiscal_year_label(2018)}は値からの推定。" in texts
    assert not any(DEFAULT_HEADERS["trend"].split("\n")[0] in t for t in texts)


# --- the chart's labels --------------------------------------------------------------------------


def test_chart_labels_wrap_or_shorten_and_the_table_keeps_the_full_name() -> None:
    survey = long_plan(5)
    summary = committee_specs(survey)[1]
    assert summary.name == SUMMARY_SHEET
    chart = summary.charts[0]
    labels = [summary.cells[(r, chart.category_col)][0] for r in range(chart.first_row, chart.last_row + 1)]
    names = [summary.cells[(r, 1)][0] for r in range(chart.first_row, chart.last_row + 1)]
    assert names == [i.label for i in survey.indicators]  # the full names, in the table beside the chart
    assert LONG_NAME in names
    last_col, _ = _area(summary)
    assert chart.category_col > last_col  # the short labels are not printed twice
    for label, ind in zip(labels, survey.indicators):
        lines = label.split("\n")
        assert len(lines) <= 2 and all(_ems(line) <= 13 for line in lines), label
        if ind.sub_item:
            assert label.replace("\n", "").endswith(f"（{ind.sub_item}）"), label  # rows stay told apart
    long_label = labels[[i.id for i in survey.indicators].index("L-01")]
    assert "…" in long_label and long_label.replace("\n", "").startswith(LONG_NAME[:20])


def test_chart_label_rule() -> None:
    assert chart_label("短い名前", 13) == "短い名前"
    assert chart_label("地域活動拠点（延べ利用者数）", 13, keep_tail="（延べ利用者数）") == "地域活動拠点\n（延べ利用者数）"
    assert chart_label("地域活動拠点（延べ利用者数）", 13) == "地域活動拠点（延べ利用者\n数）"
    assert chart_label("あ" * 20, 13) == "あ" * 13 + "\n" + "あ" * 7
    assert chart_label("い" * 40, 13) == "い" * 13 + "\n" + "い" * 12 + "…"
    shortened = chart_label("う" * 30 + "（延べ利用回数）", 13, keep_tail="（延べ利用回数）")
    assert shortened.replace("\n", "").endswith("…（延べ利用回数）") and len(shortened.split("\n")) == 2


def test_chart_stays_inside_the_print_area() -> None:
    for year_columns in (3, 8):
        summary = committee_specs(long_plan(year_columns))[1]
        chart = summary.charts[0]
        last_col, _ = _area(summary)
        left_px = sum(summary.col_widths.get(c, 8.43) * 7 + 5 for c in range(chart.anchor[1]))
        area_px = sum(summary.col_widths.get(c, 8.43) * 7 + 5 for c in range(last_col + 1))
        assert left_px + chart.width_cm / 2.54 * 96 <= area_px, (left_px, chart.width_cm, area_px)


def test_a_negative_bar_leaves_room_for_its_label() -> None:
    """−25 % on a −25 %〜100 % axis printed its label over the category names (seen in the 令和４年度 demo)."""
    survey = long_plan(5)
    base, target = 1161, 1100  # L-05, lower is better: −25 % progress is 1161 + 0.25 × 61
    survey.values["L-05"][survey.fiscal_year] = round(base + 0.25 * (base - target))
    chart = committee_specs(survey)[1].charts[0]
    assert grade(survey.indicator("L-05"), survey).progress == pytest.approx(-0.25, abs=0.01)
    assert chart.axis_min <= -0.5
