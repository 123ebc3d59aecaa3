"""The final evaluation's sheets as SheetSpecs (welfare_xl.core.sheets.final): content, footnotes,
legend, input cells, print set-up, every label inside its column, no font below 9 pt printed."""

from __future__ import annotations

import string
from dataclasses import replace

import pytest
from support.plan_years import EXPECTED_CATEGORIES, target_year_survey

from welfare_xl.core.final import evaluate
from welfare_xl.core.model.numbers import format_value
from welfare_xl.core.model.wording import DEFAULT_HEADERS
from welfare_xl.core.sheets.final import EARLIER_MARK, FIRST_DATA, FIRST_MARK, HEAD_ROW, SUBHEAD_ROW, final_specs
from welfare_xl.core.sheets.fit import CELL_PADDING_PX, column_pixels, text_em
from welfare_xl.core.sheets.spec import FILL_INPUT, SheetSpec

A3_LANDSCAPE_PX = (420 - 2 * 10) / 25.4 * 96  # printable width at 100 %, 1 cm margins
INDENT_PX = 14


@pytest.fixture(scope="module")
def specs() -> list[SheetSpec]:
    return final_specs(evaluate(target_year_survey()))


def texts(spec: SheetSpec) -> list[str]:
    return [v for v, _ in spec.cells.values() if isinstance(v, str)]


def column_of(spec: SheetSpec, header: str) -> int:
    return next(c for (r, c), (v, _) in spec.cells.items() if r == HEAD_ROW and v == header)


def data_row(spec: SheetSpec, n: int) -> dict[int, object]:
    return {c: v for (r, c), (v, _) in spec.cells.items() if r == FIRST_DATA + n}


def test_the_table_holds_every_indicator_with_its_values_years_and_category(specs):
    table = specs[0]
    assert table.name == "最終評価"
    assert table.cells[(0, 0)][0] == "第４期西東京市地域福祉計画　最終評価"
    survey = target_year_survey()
    ids = [i.id for i in survey.indicators]
    cat = column_of(table, "最終評価")
    assert {ids[n]: data_row(table, n)[cat] for n in range(len(ids))} == EXPECTED_CATEGORIES
    base, mid, latest = (column_of(table, h) for h in ("現状値", "中間値", "最新値"))
    target, rate = column_of(table, "目標値"), column_of(table, "達成率")
    row = data_row(table, ids.index("G2-01"))  # not surveyed in 2023: 2022's value, marked
    assert (row[latest], row[latest + 1]) == (19900, f"令和４年度{EARLIER_MARK}")
    assert (row[base], row[base + 1], row[target]) == (19177, "平成29年度", 20186)
    assert row[rate] == pytest.approx(723 / 1009)
    row = data_row(table, ids.index("G2-03a"))  # first measured 2019
    assert (row[base], row[base + 1]) == (2, f"令和元年度{FIRST_MARK}")
    row = data_row(table, ids.index("G4-01"))  # mid-term 2021 not surveyed: 2020's
    assert (row[mid], row[mid + 1]) == (0.52, f"令和２年度{EARLIER_MARK}")
    row = data_row(table, ids.index("G4-02"))  # no target
    assert (row[target], row[rate], row[cat]) == ("－", "－", "E 評価困難")
    row = data_row(table, ids.index("G2-02c"))  # the target year left empty
    assert (row[latest], row[latest + 1]) == ("－", "")
    assert table.cells[(HEAD_ROW + 1, target)][0] == "令和５年度"


def test_values_are_shown_with_their_own_display_decimals(specs):
    """The plan book prints 48.4% beside a target of 58.40%."""
    table = specs[0]
    n = [i.id for i in target_year_survey().indicators].index("G4-01")
    base, target = column_of(table, "現状値"), column_of(table, "目標値")
    assert table.cells[(FIRST_DATA + n, base)][1].number_format == "0.0%"
    assert table.cells[(FIRST_DATA + n, target)][1].number_format == "0.00%"
    assert table.cells[(FIRST_DATA, base)][1].number_format == '#,##0"人"'


def test_worse_is_hatched_and_bold_not_only_coloured(specs):
    table = specs[0]
    cat = column_of(table, "最終評価")
    styles = {v: s for (r, c), (v, s) in table.cells.items() if c == cat and r >= FIRST_DATA and v}
    assert styles["D 悪化"].bold and styles["D 悪化"].pattern != "solid"
    assert not styles["B 改善"].bold


def test_footnotes_and_legend_state_what_applies_and_the_thresholds(specs):
    table = specs[0]
    words = "\n".join(texts(table))
    assert f"{FIRST_MARK}　現状値の年度に実績値がない" in words and f"{EARLIER_MARK}　その年度に調査を" in words
    assert "達成率が100%以上" in words and "達成率が10%以上" in words and "−10%以下" in words
    assert "中間値は令和３年度の値です（計画期間の中間の年度）。" in words
    assert "「△ 遅れ」" in words and "「改善」と区分" in words  # the target-year grade made visible
    plain = target_year_survey()
    plain.values["G2-01"][2023] = 19950
    plain.values["G2-03a"].update({2017: 2, 2018: 2})
    plain.values["G4-01"].update({2018: 0.49, 2019: 0.5, 2021: 0.53, 2022: 0.54})
    words = "\n".join(texts(final_specs(evaluate(plain))[0]))
    assert FIRST_MARK not in words and EARLIER_MARK not in words  # nothing to footnote


def test_a_projection_says_so_in_its_title_and_notes():
    table = final_specs(evaluate(target_year_survey(2021)))[0]
    assert table.cells[(0, 0)][0] == "第４期西東京市地域福祉計画　最終評価（見込み：令和３年度時点）"
    assert table.print_setup.title_rows[0] == 0  # the title, with 見込み, repeats on every page
    assert any("目標年度（令和５年度）の前に作成した見込み" in t for t in texts(table))


def test_the_summary_counts_per_goal_and_leaves_two_text_columns_to_fill(specs):
    summary = specs[1]
    assert summary.name == "最終評価（基本目標別）"
    review, direction = column_of(summary, "評価と課題"), column_of(summary, "次期計画への方向性")
    assert [summary.cells[(SUBHEAD_ROW, c)][0] for c in range(1, 7)] == \
        ["A 達成", "B 改善", "C 変化なし", "D 悪化", "E 評価困難", "計"]
    counts = [[summary.cells[(FIRST_DATA + g, c)][0] for c in range(1, 7)] for g in range(7)]
    assert counts == [[1, 0, 0, 0, 0, 1], [0, 3, 1, 1, 1, 6], [1, 0, 1, 1, 0, 3], [0, 1, 0, 0, 1, 2],
                      [0, 2, 0, 0, 0, 2], [1, 0, 0, 0, 0, 1], [3, 6, 2, 2, 2, 15]]
    assert summary.cells[(FIRST_DATA + 6, 0)][0] == "合計"
    for g in range(6):
        for c in (review, direction):
            value, style = summary.cells[(FIRST_DATA + g, c)]
            assert value is None and not style.locked and style.wrap and style.fill == FILL_INPUT
            assert style.v_align == "top"
        assert summary.row_heights[FIRST_DATA + g] >= 80
        assert summary.col_widths[review] >= 50 and summary.col_widths[direction] >= 50
    assert "達成率が10%以上" in "\n".join(texts(summary))  # the legend, on this sheet too


def _shown(value, style) -> str:
    """What a one-line cell prints (numbers through their format, as Excel does)."""
    if not isinstance(value, (int, float)):
        return str(value)
    fmt = style.number_format
    if fmt.endswith("%"):
        places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return format_value(value, "%", "percent", places + 2)
    unit = fmt.split('"')[1] if '"' in fmt else ""
    places = len(fmt.split(".")[1].split('"')[0]) if "." in fmt else 0
    return format_value(value, unit, "rate" if places else "count", places)


@pytest.mark.parametrize("n", [0, 1])
def test_prints_at_full_size_with_every_label_inside_its_column(specs, n):
    spec = specs[n]
    p = spec.print_setup
    assert (p.paper, p.landscape, p.fit_width) == ("A3", True, True)
    assert p.title_rows[0] == 0 and p.area.startswith("A1:")
    width = sum(column_pixels(spec.col_widths[c]) for c in range(spec.max_col + 1))
    assert width <= A3_LANDSCAPE_PX  # no shrinking: every font prints at its own size
    assert min(style.size for _, style in spec.cells.values()) >= 9
    span = {(m[0], m[1]): m for m in spec.merges}
    covered = {(r, c) for r1, c1, r2, c2 in spec.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    for (r, c), (value, style) in spec.cells.items():
        if value is None or value == "" or style.wrap or ((r, c) in covered and (r, c) not in span):
            continue
        if r <= 1 or style.border is None:
            continue  # titles and notes run over empty neighbours
        _, c1, _, c2 = span.get((r, c), (r, c, r, c))
        room = sum(column_pixels(spec.col_widths[k]) for k in range(c1, c2 + 1))
        need = text_em(_shown(value, style)) * style.size * 96 / 72 + CELL_PADDING_PX + style.indent * INDENT_PX
        assert need <= room, (r, c, value)


def test_no_cell_spans_rows_below_the_header(specs):
    """A page break never cuts a merged cell: below the headers, merges stay on one row."""
    for spec in specs:
        assert all(r1 == r2 for r1, _, r2, _ in spec.merges if r1 >= FIRST_DATA)


def test_rows_fit_their_wrapped_texts(specs):
    table = specs[0]
    item_rows = [r for (r, c), (v, s) in table.cells.items() if r >= FIRST_DATA and isinstance(v, str) and "\n" in v]
    assert item_rows and all(table.row_heights[r] >= 2 * 10 * 1.3 for r in item_rows)


def test_no_word_of_the_first_plan_when_a_plan_words_its_own():
    """Every key of the group, and the naming columns' keys it shares with the master: a plan that
    sets them all shows none of the default words."""
    keys = [k for k in DEFAULT_HEADERS if k.startswith("final_")] + [
        "goal", "item_column", "sub_item_column", "department_column", "baseline_value", "grade_column"]
    headers = {}
    for k in keys:
        fields = [f for _, f, _, _ in string.Formatter().parse(DEFAULT_HEADERS[k]) if f]
        headers[k] = f"〔{k}〕" + "".join(f"{{{f}}}" for f in fields)
    survey = target_year_survey()
    survey.plan = replace(survey.plan, headers=headers)
    words = "\n".join(t for spec in final_specs(evaluate(survey)) for t in texts(spec) + [spec.name])
    for default in ("現状値", "中間値", "最新値", "目標値", "達成率", "最終評価", "評価と課題", "次期計画", "担当部署",
                    "細目", "項目", "見込み", "年度欄"):
        assert default not in words, default
    assert "〔final_title〕第４期西東京市地域福祉計画" in words


def test_a_long_plan_name_wraps_inside_the_page():
    survey = target_year_survey()
    survey.plan = replace(survey.plan, name="健康づくりと子育て支援を地域全体で推進するための総合的な計画" * 3)
    for spec in final_specs(evaluate(survey)):
        assert (0, 0, 0, spec.max_col) in spec.merges and spec.cells[(0, 0)][1].wrap
        assert spec.row_heights[0] >= 2 * 14 * 1.3


def test_a_long_department_name_widens_its_column_within_a_bound():
    survey = target_year_survey()
    survey.indicators = tuple(replace(i, department="子ども家庭支援センター") if i.id == "G1-01" else i
                              for i in survey.indicators)
    table = final_specs(evaluate(survey))[0]
    dept = column_of(table, "担当部署")
    assert table.col_widths[dept] > 20
    assert column_pixels(table.col_widths[dept]) >= text_em("子ども家庭支援センター") * 10 * 96 / 72 + CELL_PADDING_PX
