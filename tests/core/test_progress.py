"""Progress grading (welfare_xl.core.progress): the seed's 令和元年度 grades, every boundary, the settings."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welfare_xl.errors import UserError
from welfare_xl.core.model.numbers import Kind, Status, parse_value
from welfare_xl.core.progress import (
    CODES, MARKS, Grade, GradeCode, GradeRuleError, count_grades, expected_share, grade, grade_from_label, grade_style,
    grade_styles, grade_survey, legend,
)
from welfare_xl.files.source import load_source
from welfare_xl.core.model.survey import NOT_AVAILABLE, Config, Goal, Indicator, Plan, Survey

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "templates" / "source" / "調査票.toml"
SEED_CSV = Path(__file__).resolve().parents[1] / "data" / "seed" / "資料２_令和元年度.csv"
ACTUAL_COLUMN = "令和元年度"


# --- the seed -------------------------------------------------------------------------------


def seed_survey() -> Survey:
    """The template's survey with the seed's 令和元年度 values and texts, matched by item and sub-item."""
    survey = load_source(SOURCE).survey
    with SEED_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(survey.indicators)
    for ind in survey.indicators:
        (row,) = [r for r in rows if r["項目"].startswith(ind.item) and r["細目"] == ind.sub_item]
        parsed = parse_value(row[ACTUAL_COLUMN], ind.unit, ind.kind)
        assert parsed.status is Status.NUMBER, row
        survey.values[ind.id][survey.fiscal_year] = parsed.value
        if ind.lead:
            texts = (row["令和元年度の取組状況（増減に向けて取り組んだ内容等）"] or None,
                     row["令和２年度に向けた今後の展開（課題に向けた取り組み等）"] or None)
            survey.texts[ind.id] = texts
    return survey


SEED_GRADES = {
    "順調": ["自治会・町内会等の加入世帯数", "地域協力ネットワーク（設立数）", "地域協力ネットワーク（参加団体数）",
           "福祉サービス第三者評価受審件数", "はなバス輸送人員"],
    "遅れ": ["ボランティア・市民活動センターの登録者数", "ふれあいのまちづくり事業における地域活動拠点（参加団体数）",
           "ふれあいのまちづくり事業における地域活動拠点（延べ利用者数）", "高齢者層における地域包括支援センター認知度",
           "防災市民組織の数"],
    "悪化": ["ふれあいのまちづくり事業における地域活動拠点（延べ利用回数）", "地域福祉コーディネーター相談件数",
           "女性相談件数", "「あんしん西東京」相談件数", "消費者生活相談件数"],
}


def test_seed_grades_of_reiwa_1() -> None:
    survey = seed_survey()
    grades = grade_survey(survey)
    got = {survey.indicator(i).label: g.word for i, g in grades.items()}
    want = {label: word for word, labels in SEED_GRADES.items() for label in labels}
    assert got == want
    # Everyone is graded against the same pro-rated share: 2 of the 6 years 平成29→令和５.
    assert all(g.expected == pytest.approx(2 / 6) for g in grades.values())


def test_seed_lower_is_better_indicator() -> None:
    survey = seed_survey()
    ind = next(i for i in survey.indicators if i.item == "消費者生活相談件数")
    g = grade(ind, survey)
    assert g.direction == -1
    assert g.progress == pytest.approx((1405 - 1161) / (1100 - 1161))  # -4: moved away from the target
    assert g.label == "× 悪化" and g.behind


def test_grade_of_another_year() -> None:
    """grade(..., year=) reads that year's column and its own expected share."""
    survey = seed_survey()
    ind = survey.indicator("G2-03b")  # 地域協力ネットワーク 参加団体数: 60 → 73 (平成30年度) → 112, target 128
    g2018 = grade(ind, survey, 2018)
    assert g2018.expected == pytest.approx(1 / 6)
    assert g2018.progress == pytest.approx(13 / 68)
    assert g2018.code == GradeCode.ON_TRACK
    assert grade_survey(survey, 2018)["G2-03b"] == g2018


# --- one indicator, built by hand ---------------------------------------------------------


def survey_of(baseline, target, actual, *, direction: int | None = None, config: Config = Config(),
              year: int = 2019, kind: Kind = Kind.COUNT) -> tuple[Indicator, Survey]:
    """A one-indicator survey: baseline 平成29年度, target 令和５年度, `actual` in `year` (after 2017)."""
    assert year > 2017, "the baseline year's column holds the baseline"
    plan = Plan(id="p", name="計画", title="調査票", label="資料", sheet="資料", start_year=2019,
                target_year=2023, baseline_year=2017)
    ind = Indicator(id="X-01", goal=1, item="指標", department="課", unit="件", kind=kind,
                    direction=direction, group="X-01")
    survey = Survey(plan=plan, fiscal_year=year, template_version="1", goals=(Goal(1, "目標", (), ""),),
                    indicators=(ind,), config=config,
                    values={"X-01": {2017: baseline, year: actual}}, targets={"X-01": target})
    return ind, survey


def grade_of(baseline, target, actual, **kw) -> Grade:
    ind, survey = survey_of(baseline, target, actual, **kw)
    return grade(ind, survey)


@pytest.mark.parametrize(("actual", "code"), [
    (7, GradeCode.ACHIEVED),      # beyond the target
    (6, GradeCode.ACHIEVED),      # exactly the target: progress 1
    (5.99, GradeCode.ON_TRACK),   # just short of the target
    (2, GradeCode.ON_TRACK),      # exactly the pro-rated share 2/6
    (1.99, GradeCode.BEHIND),     # just under the share
    (0.01, GradeCode.BEHIND),
    (0, GradeCode.BEHIND),        # no change from the baseline: 0 is not 悪化
    (-0.01, GradeCode.WORSE),     # below the baseline
    (-100, GradeCode.WORSE),
])
def test_every_boundary_higher_is_better(actual, code) -> None:
    g = grade_of(0, 6, actual)
    assert g.code == code
    assert g.direction == 1
    assert g.expected == pytest.approx(2 / 6)
    assert g.progress == pytest.approx(actual / 6)


@pytest.mark.parametrize(("actual", "code"), [
    (1100, GradeCode.ACHIEVED), (1050, GradeCode.ACHIEVED),
    (1140, GradeCode.ON_TRACK),  # 21/61 ≥ 1/3
    (1141, GradeCode.BEHIND),    # 20/61 < 1/3
    (1161, GradeCode.BEHIND),    # unchanged
    (1162, GradeCode.WORSE),
])
def test_lower_is_better(actual, code) -> None:
    g = grade_of(1161, 1100, actual)
    assert (g.code, g.direction) == (code, -1)
    assert g.progress == pytest.approx((actual - 1161) / (1100 - 1161))


def test_threshold_reached_with_decimal_values() -> None:
    """20.0% → 30.0% of a 50.0% target is exactly 1/3 of the way; binary floats give 0.33333333333333326."""
    assert (0.3 - 0.2) / (0.5 - 0.2) < 2 / 6
    g = grade_of(0.2, 0.5, 0.3, kind=Kind.PERCENT)
    assert g.code == GradeCode.ON_TRACK


@pytest.mark.parametrize(("baseline", "target", "actual", "reason"), [
    (10, 20, None, "実績値"),
    (10, 20, NOT_AVAILABLE, "実績値"),
    (NOT_AVAILABLE, 20, 15, "現状値"),
    (None, 20, 15, "現状値"),
    (10, None, 15, "目標値"),
    (10, "目標なし", 15, "目標値"),
])
def test_not_gradable(baseline, target, actual, reason) -> None:
    g = grade_of(baseline, target, actual)
    assert (g.code, g.mark, g.word, g.progress) == (GradeCode.NA, "－", "評価不能", None)
    assert reason in g.reason
    assert not g.behind


def test_target_equal_to_baseline_needs_a_direction() -> None:
    g = grade_of(2.18, 2.18, 2.5)
    assert (g.code, g.direction, g.progress) == (GradeCode.NA, None, None)
    assert "方向" in g.reason


@pytest.mark.parametrize(("direction", "actual", "code"), [
    (1, 50, GradeCode.ACHIEVED), (1, 60, GradeCode.ACHIEVED), (1, 49, GradeCode.WORSE),
    (-1, 50, GradeCode.ACHIEVED), (-1, 40, GradeCode.ACHIEVED), (-1, 51, GradeCode.WORSE),
])
def test_target_equal_to_baseline_with_direction_keeps_the_level(direction, actual, code) -> None:
    g = grade_of(50, 50, actual, direction=direction)
    assert (g.code, g.direction) == (code, direction)
    assert g.progress == (1.0 if code == GradeCode.ACHIEVED else None)


def test_direction_override_that_agrees_changes_nothing() -> None:
    assert grade_of(0, 6, 2, direction=1) == grade_of(0, 6, 2)
    assert grade_of(1161, 1100, 1140, direction=-1) == grade_of(1161, 1100, 1140)


def test_direction_override_contradicting_the_target_is_not_guessed() -> None:
    g = grade_of(10, 20, 30, direction=-1)
    assert g.code == GradeCode.NA and "逆" in g.reason


def test_expected_shares_override_pro_rata_for_their_years() -> None:
    config = Config(expected_shares=((2019, 0.2), (2020, 0.4)))
    # progress 0.25: behind the pro-rated 1/3, on track against the fixed 20 %.
    assert grade_of(0, 100, 25).code == GradeCode.BEHIND
    g = grade_of(0, 100, 25, config=config)
    assert (g.code, g.expected) == (GradeCode.ON_TRACK, 0.2)
    assert grade_of(0, 100, 39, config=config, year=2020).code == GradeCode.BEHIND
    # A year the shares do not name falls back to the rule: 2021 is 4/6 of the way.
    g2021 = grade_of(0, 100, 60, config=config, year=2021)
    assert (g2021.code, g2021.expected) == (GradeCode.BEHIND, pytest.approx(4 / 6))


def test_improvement_rule_expects_only_improvement() -> None:
    config = Config(grade_rule="improvement")
    assert grade_of(0, 100, 1, config=config).code == GradeCode.ON_TRACK
    assert grade_of(0, 100, 0, config=config).code == GradeCode.ON_TRACK
    assert grade_of(0, 100, -1, config=config).code == GradeCode.WORSE
    assert grade_of(0, 100, 100, config=config).code == GradeCode.ACHIEVED
    assert grade_of(0, 100, 1, config=config).expected == 0.0


def test_achieved_at_is_configurable() -> None:
    assert grade_of(0, 100, 95).code == GradeCode.ON_TRACK
    assert grade_of(0, 100, 95, config=Config(achieved_at=0.95)).code == GradeCode.ACHIEVED
    assert grade_of(0, 100, 94, config=Config(achieved_at=0.95)).code == GradeCode.ON_TRACK


def test_expected_share_in_and_beyond_the_target_year() -> None:
    assert grade_of(0, 100, 99, year=2023).code == GradeCode.BEHIND  # the last year expects the whole target
    assert grade_of(0, 100, 99, year=2025).expected == 1.0  # never more than the target
    assert expected_share(Config(), 2017, 2017, 2023) == 0.0
    assert expected_share(Config(), 2016, 2017, 2023) == 0.0


def test_unknown_rule_is_a_user_error_in_japanese() -> None:
    with pytest.raises(GradeRuleError) as exc:
        grade_of(0, 100, 50, config=Config(grade_rule="linear"))
    assert isinstance(exc.value, UserError)
    assert "linear" in str(exc.value) and "pro_rata" in str(exc.value)


# --- labels and styles ----------------------------------------------------------------------


def test_labels_and_their_round_trip() -> None:
    assert [Grade.of(c).label for c in CODES] == ["◎ 達成", "○ 順調", "△ 遅れ", "× 悪化", "－ 評価不能"]
    for code in CODES:
        g = Grade.of(code)
        assert grade_from_label(g.label) == g
        assert Grade.from_label(g.label) == g
        assert grade_from_label(g.mark).code == code
        assert grade_from_label(g.word).code == code
    assert grade_from_label("△\u3000遅れ").code == GradeCode.BEHIND
    assert grade_from_label(" ×悪化 ").code == GradeCode.WORSE
    assert grade_from_label("〇").code == GradeCode.ON_TRACK
    for junk in (None, "", "  ", "遅れ気味", 3, "○ 悪化"):
        assert grade_from_label(junk) is None


def test_codes_are_the_strings_machines_read() -> None:
    """JSON, the CSV export and the log carry the code's value, whatever the Python type."""
    assert [str(c) for c in CODES] == ["achieved", "on_track", "behind", "worse", "na"]
    assert json.dumps([Grade.of(c).code for c in CODES]) == '["achieved", "on_track", "behind", "worse", "na"]'
    assert Grade.of("behind") == Grade.of(GradeCode.BEHIND) and f"{GradeCode.NA}" == "na"


def test_behind_property() -> None:
    assert [c for c in CODES if Grade.of(c).behind] == [GradeCode.BEHIND, GradeCode.WORSE]


def test_behind_style_does_not_rely_on_colour() -> None:
    for code in CODES:
        style = grade_style(Grade.of(code))
        if code in (GradeCode.BEHIND, GradeCode.WORSE):
            assert style.bold
            assert style.fill and style.pattern not in ("solid", "none")
            assert style.pattern_color and style.pattern_color != style.fill  # the hatch is visible
        else:
            assert style.fill is None and not style.bold
    assert grade_style(None) == grade_style(Grade.of(GradeCode.ON_TRACK))
    assert set(grade_styles()) == {Grade.of(c).label for c in CODES}


def test_behind_style_renders_as_a_hatched_fill(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from welfare_xl.core.sheets.spec import SheetSpec
    from welfare_xl.files.writer import write_specs

    spec = SheetSpec(name="評価")
    spec.put(0, 0, Grade.of(GradeCode.BEHIND).label, grade_style(Grade.of(GradeCode.BEHIND)))
    spec.put(1, 0, Grade.of(GradeCode.ON_TRACK).label, grade_style(Grade.of(GradeCode.ON_TRACK)))
    path = write_specs(tmp_path / "g.xlsx", [spec])
    ws = load_workbook(path)["評価"]
    behind = ws["A1"]
    assert behind.value == "△ 遅れ" and behind.font.b
    assert behind.fill.patternType == "lightUp"
    assert behind.fill.fgColor.rgb.endswith(grade_style(Grade.of(GradeCode.BEHIND)).pattern_color)
    assert behind.fill.bgColor.rgb.endswith(grade_style(Grade.of(GradeCode.BEHIND)).fill)
    assert ws["A2"].fill.patternType is None


def test_counts_and_legend() -> None:
    counts = count_grades([Grade.of(GradeCode.BEHIND), Grade.of(GradeCode.BEHIND), Grade.of(GradeCode.NA)])
    assert list(counts) == list(CODES)
    assert counts == {GradeCode.ACHIEVED: 0, GradeCode.ON_TRACK: 0, GradeCode.BEHIND: 2, GradeCode.WORSE: 0,
                      GradeCode.NA: 1}
    rows = legend(Config())
    assert [(m, w) for m, w, _ in rows] == list(MARKS.values())
    assert "経過割合" in rows[1][2] and "100%" in rows[0][2]
    assert "20%" in legend(Config(expected_shares=((2019, 0.2),)))[1][2]
    assert "改善" in legend(Config(grade_rule="improvement"))[1][2]


# --- properties -----------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)

# Rank of a gradable outcome, higher is better; 評価不能 has none.
RANK = {GradeCode.WORSE: 0, GradeCode.BEHIND: 1, GradeCode.ON_TRACK: 2, GradeCode.ACHIEVED: 3}


@settings(max_examples=200, deadline=None)
@given(baseline=finite, target=finite, a1=finite, a2=finite, year=st.integers(2018, 2024))
def test_grade_is_monotone_in_the_actual(baseline, target, a1, a2, year) -> None:
    """For a fixed direction a better actual never gets a worse grade."""
    if target == baseline:
        return
    lo, hi = sorted((a1, a2))
    if target < baseline:
        lo, hi = hi, lo  # lower is better: the smaller number is the better actual
    g_lo, g_hi = grade_of(baseline, target, lo, year=year), grade_of(baseline, target, hi, year=year)
    assert RANK[g_lo.code] <= RANK[g_hi.code]


@settings(max_examples=200, deadline=None)
@given(baseline=finite, target=finite, actual=finite, year=st.integers(2018, 2024))
def test_mirrored_indicator_gets_the_same_grade(baseline, target, actual, year) -> None:
    """Negating every number turns higher-is-better into lower-is-better: same grade, other direction."""
    g = grade_of(baseline, target, actual, year=year)
    m = grade_of(-baseline, -target, -actual, year=year)
    assert g.code == m.code
    assert g.direction == (None if m.direction is None else -m.direction)


@settings(max_examples=200, deadline=None)
@given(baseline=finite, target=finite, actual=st.one_of(finite, st.none(), st.just(NOT_AVAILABLE)),
       direction=st.sampled_from([None, 1, -1]))
def test_grade_is_total_and_consistent(baseline, target, actual, direction) -> None:
    """Every input gets exactly one grade whose mark and word agree, and 評価不能 exactly when ungradable."""
    g = grade_of(baseline, target, actual, direction=direction)
    assert (g.mark, g.word) == MARKS[g.code]
    assert grade_from_label(g.label) == replace(g, progress=None, expected=None, direction=None, reason="")
    contradicts = direction is not None and target != baseline and (target - baseline) * direction < 0
    no_direction = direction is None and target == baseline
    ungradable = actual in (None, NOT_AVAILABLE) or contradicts or no_direction
    assert (g.code == GradeCode.NA) == ungradable
    if g.code != GradeCode.NA and g.progress is not None and target != baseline:
        assert g.progress >= 1.0 - 1e-9 if g.code == GradeCode.ACHIEVED else g.progress < 1.0


def _with_values(master_survey, ident: str, values: dict):
    survey = replace(master_survey, values={k: dict(v) for k, v in master_survey.values.items()})
    survey.values[ident] = {**{y: None for y in survey.years}, **values}
    return survey


def test_baseline_of_takes_the_first_measured_year_where_the_baseline_year_has_none(master) -> None:
    from welfare_xl.core.progress import baseline_of
    survey = _with_values(master[0], "G1-01", {2017: "－", 2018: 510})
    ind = survey.indicator("G1-01")
    got = baseline_of(ind, survey, before=2019)
    assert (got.year, got.value, got.substitute) == (2018, 510, True)
    # The year being graded never serves as its own baseline.
    assert baseline_of(ind, survey, before=2018).value == "－"
    survey.values["G1-01"][2017] = 504
    assert baseline_of(ind, survey) == type(got)(2017, 504, False)


def test_latest_of_reaches_back_only_over_a_year_not_surveyed(master) -> None:
    from welfare_xl.core.progress import latest_of
    survey = _with_values(master[0], "G1-01", {2017: 504, 2018: 515, 2019: "－"})
    ind = survey.indicator("G1-01")
    got = latest_of(ind, survey, 2019)
    assert (got.year, got.value, got.substitute) == (2018, 515, True)
    survey.values["G1-01"][2019] = None  # nothing entered: not a lag, no value
    assert latest_of(ind, survey, 2019).value is None
    survey.values["G1-01"].update({2018: "－", 2019: "－"})
    # The baseline year's figure is the baseline, never the latest value.
    assert latest_of(ind, survey, 2019) == type(got)(2019, "－", False)
