"""The final evaluation (welfare_xl.core.final): every boundary, both directions, keep-the-level,
a first measured year as baseline, a lagging survey, no target, the settings and the counts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.plan_years import EXPECTED_CATEGORIES, target_year_survey

from welfare_xl.core.final import (
    FINAL_CODES,
    FinalCode,
    FinalRuleError,
    FinalSettings,
    categorize,
    evaluate,
    final_legend,
    final_settings,
    mid_rule,
    middle_year,
)
from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.model.survey import NOT_AVAILABLE, Config, Indicator
from welfare_xl.core.progress import GradeCode

UP = Indicator(id="X", goal=1, item="登録者数", department="課", unit="人", kind=Kind.COUNT)
DOWN = replace(UP, item="相談件数")  # direction from target < baseline
KEEP = replace(UP, direction=1)
RULES = FinalSettings(achieved_at=1.0, unchanged_band=0.1, mid_year=2021, mid_from_template=False)


def code(ind, baseline, target, latest, rules=RULES) -> FinalCode:
    return categorize(ind, baseline, target, latest, rules).code


# --- categories -----------------------------------------------------------------------------


@pytest.mark.parametrize("latest, expected", [
    (200, FinalCode.ACHIEVED),  # exactly at the target
    (250, FinalCode.ACHIEVED),  # beyond it
    (199, FinalCode.IMPROVED),  # 99 %
    (110, FinalCode.IMPROVED),  # exactly the band: 10 %
    (109, FinalCode.UNCHANGED),  # 9 %
    (100, FinalCode.UNCHANGED),  # no change
    (91, FinalCode.UNCHANGED),  # −9 %
    (90, FinalCode.WORSE),  # exactly −band
    (20, FinalCode.WORSE),
])
def test_every_boundary_higher_is_better(latest, expected):
    assert code(UP, 100, 200, latest) is expected


@pytest.mark.parametrize("latest, expected", [
    (1100, FinalCode.ACHIEVED), (1050, FinalCode.ACHIEVED),  # lower is better: at or below the target
    (1130, FinalCode.IMPROVED),  # 31 / 61
    (1155, FinalCode.UNCHANGED),  # 6 / 61 = 9.8 %
    (1161, FinalCode.UNCHANGED),
    (1167.1, FinalCode.WORSE),  # −10 %
    (1494, FinalCode.WORSE),
])
def test_lower_is_better(latest, expected):
    """消費者生活相談件数: baseline 1,161, target 1,100."""
    assert code(DOWN, 1161, 1100, latest) is expected


def test_decimal_boundaries_land_as_a_person_computes_them():
    """48.4 % → 58.4 %: 58.4 % is reached, 49.4 % is exactly the 10 % band, 47.4 % exactly −10 %."""
    assert code(UP, 0.484, 0.584, 0.584) is FinalCode.ACHIEVED
    assert code(UP, 0.484, 0.584, 0.494) is FinalCode.IMPROVED
    assert code(UP, 0.484, 0.584, 0.474) is FinalCode.WORSE


def test_keep_the_level():
    """Target = baseline with a direction: the level kept (or bettered) is 達成, a fall is 悪化."""
    assert code(KEEP, 12, 12, 12) is FinalCode.ACHIEVED
    assert code(KEEP, 12, 12, 13) is FinalCode.ACHIEVED
    assert code(KEEP, 12, 12, 11) is FinalCode.WORSE
    assert code(replace(KEEP, direction=-1), 2.0, 2.0, 2.5) is FinalCode.WORSE
    undecided = categorize(UP, 12, 12, 12, RULES)  # no direction set: which way is better?
    assert undecided.code is FinalCode.NA and "方向" in undecided.reason


@pytest.mark.parametrize("baseline, target, latest, reason", [
    (100, None, 150, "目標値"),
    (None, 200, 150, "現状値"),
    (NOT_AVAILABLE, 200, 150, "現状値"),
    (100, 200, None, "実績値"),
    (100, 200, NOT_AVAILABLE, "実績値"),
])
def test_a_missing_value_is_hard_to_evaluate_and_says_which(baseline, target, latest, reason):
    got = categorize(UP, baseline, target, latest, RULES)
    assert got.code is FinalCode.NA and reason in got.reason and got.achievement is None


def test_a_direction_that_contradicts_the_target_is_hard_to_evaluate():
    got = categorize(replace(UP, direction=-1), 100, 200, 150, RULES)
    assert got.code is FinalCode.NA and "逆" in got.reason


def test_thresholds_are_the_templates():
    strict = FinalSettings(achieved_at=0.9, unchanged_band=0.0, mid_year=None, mid_from_template=False)
    assert code(UP, 100, 200, 190, strict) is FinalCode.ACHIEVED
    assert code(UP, 100, 200, 189, strict) is FinalCode.IMPROVED
    assert code(UP, 100, 200, 101, strict) is FinalCode.IMPROVED  # band 0: any gain is 改善
    assert code(UP, 100, 200, 100, strict) is FinalCode.UNCHANGED  # ... and only no change 変化なし
    assert code(UP, 100, 200, 99, strict) is FinalCode.WORSE
    wide = replace(RULES, unchanged_band=0.25)
    assert code(UP, 100, 200, 124, wide) is FinalCode.UNCHANGED and code(UP, 100, 200, 125, wide) is FinalCode.IMPROVED


def test_achievement_is_the_progress_rule():
    assert categorize(UP, 100, 200, 150, RULES).achievement == pytest.approx(0.5)
    assert categorize(DOWN, 1161, 1100, 1130, RULES).achievement == pytest.approx(31 / 61)
    assert categorize(UP, 100, 200, 50, RULES).achievement == pytest.approx(-0.5)


ORDER = {c: n for n, c in enumerate(FINAL_CODES)}
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(b=finite, t=finite, a=finite, a2=finite, band=st.floats(0, 0.9), achieved=st.floats(0.91, 1.5))
def test_categories_follow_the_achievement_and_mirror_for_lower_is_better(b, t, a, a2, band, achieved):
    if abs(t - b) < 1e-3:
        return
    rules = FinalSettings(achieved, band, None, False)
    got = categorize(UP, b, t, a, rules)
    assert got.code is not FinalCode.NA
    p = got.achievement
    expected = (FinalCode.ACHIEVED if p >= achieved - 1e-9 else FinalCode.IMPROVED if p >= band - 1e-9 and p > 1e-9
                else FinalCode.WORSE if p <= -band + 1e-9 and p < -1e-9 else FinalCode.UNCHANGED)
    assert got.code is expected
    # The same indicator with every value negated (lower is better) gets the same category.
    assert categorize(UP, -b, -t, -a, rules).code is got.code
    # A latest value nearer the target never gets a worse category.
    nearer, farther = sorted((a, a2), key=lambda x: -(x - b) / (t - b))
    assert ORDER[code(UP, b, t, nearer, rules)] <= ORDER[code(UP, b, t, farther, rules)]


# --- settings -------------------------------------------------------------------------------


def test_middle_year_of_the_plan_period():
    survey = target_year_survey()
    plan = survey.plan
    assert middle_year(plan) == 2021  # 令和元〜５年度: the third of five
    assert middle_year(replace(plan, start_year=2024, target_year=2027, baseline_year=2022)) == 2025  # earlier of two
    assert middle_year(replace(plan, start_year=2023, target_year=2023, baseline_year=2022)) is None
    assert middle_year(replace(plan, baseline_year=2021)) is None  # not after the baseline year


def test_settings_default_and_as_set():
    survey = target_year_survey()
    got = final_settings(survey)
    assert got == FinalSettings(1.0, 0.1, 2021, False)
    survey.config = replace(survey.config, achieved_at=0.95)
    assert final_settings(survey).achieved_at == 0.95  # final_achieved_at defaults to achieved_at
    survey.config = replace(survey.config, final_achieved_at=0.9, final_unchanged_band=0.05, mid_year=2020)
    assert final_settings(survey) == FinalSettings(0.9, 0.05, 2020, True)
    assert mid_rule(survey.plan, final_settings(survey)) == "中間値は令和２年度の値です（テンプレートの設定）。"


@pytest.mark.parametrize("changes, words", [
    (dict(final_unchanged_band=1.0), "変化なし"),
    (dict(final_unchanged_band=-0.1), "変化なし"),
    (dict(final_achieved_at=0.0), "0 より大きく"),
    (dict(mid_year=2017), "中間値の年度"),
    (dict(mid_year=2023), "中間値の年度"),
])
def test_settings_that_cannot_work_are_refused_in_japanese(changes, words):
    survey = target_year_survey()
    survey.config = replace(survey.config, **changes)
    with pytest.raises(FinalRuleError, match=words):
        evaluate(survey)


def test_legend_states_the_thresholds_as_set():
    plan = target_year_survey().plan
    rows = final_legend(plan, FinalSettings(0.9, 0.05, None, False))
    assert [r[:2] for r in rows] == [("A", "達成"), ("B", "改善"), ("C", "変化なし"), ("D", "悪化"), ("E", "評価困難")]
    text = "\n".join(r[2] for r in rows)
    assert "90%以上" in text and "5%以上" in text and "−5%以下" in text and "−5%を超え5%未満" in text
    zero = "\n".join(r[2] for r in final_legend(plan, FinalSettings(1.0, 0.0, None, False)))
    assert "0%を超える" in zero and "0%未満" in zero and "100%以上" in zero


# --- the evaluation of a survey -----------------------------------------------------------


def test_the_synthetic_target_year():
    ev = evaluate(target_year_survey())
    assert {r.indicator.id: r.label for r in ev.rows} == EXPECTED_CATEGORIES
    assert not ev.provisional and ev.title == "第４期西東京市地域福祉計画　最終評価"
    assert ev.counts() == {FinalCode.ACHIEVED: 3, FinalCode.IMPROVED: 6, FinalCode.UNCHANGED: 2,
                           FinalCode.WORSE: 2, FinalCode.NA: 2}
    assert list(ev.counts(2).values()) == [0, 3, 1, 1, 1]
    assert list(ev.counts(5).values()) == [0, 2, 0, 0, 0]
    assert sum(sum(ev.counts(g.no).values()) for g in ev.survey.goals) == 15


def test_a_first_measured_year_stands_in_for_a_missing_baseline():
    row = {r.indicator.id: r for r in evaluate(target_year_survey()).rows}["G2-03a"]
    assert (row.baseline.year, row.baseline.value, row.baseline.substitute) == (2019, 2, True)
    assert row.category.achievement == pytest.approx(0.5)  # 2 → 3 of 4


def test_a_survey_that_lags_shows_the_year_its_value_is_from():
    rows = {r.indicator.id: r for r in evaluate(target_year_survey()).rows}
    g401 = rows["G4-01"]  # surveyed 2017, 2020, 2023
    assert (g401.mid.year, g401.mid.value, g401.mid.substitute) == (2020, 0.52, True)
    assert (g401.latest.year, g401.latest.substitute) == (2023, False)
    g201 = rows["G2-01"]  # '－' in the target year: 2022's value
    assert (g201.latest.year, g201.latest.value, g201.latest.substitute) == (2022, 19900, True)
    assert g201.code is FinalCode.IMPROVED
    empty = rows["G2-02c"]  # nothing entered is not a lag: no value
    assert empty.latest.value is None and empty.code is FinalCode.NA


def test_improved_but_behind_names_the_target_years_unfair_grade():
    """In the target year the expected share is 100 %: every improvement short of it reads △ 遅れ."""
    ev = evaluate(target_year_survey())
    names = [r.indicator.id for r in ev.improved_but_behind()]
    # G2-03a is graded from its first measured year (2019) since the indicators work: improved, and △ there.
    assert names == ["G2-03a", "G2-03b", "G4-01", "G5-01", "G5-02"]
    assert all(r.year_grade.code is GradeCode.BEHIND for r in ev.improved_but_behind())


def test_before_the_target_year_it_is_a_projection():
    ev = evaluate(target_year_survey(2021))
    assert ev.provisional and ev.title == "第４期西東京市地域福祉計画　最終評価（見込み：令和３年度時点）"
    row = {r.indicator.id: r for r in ev.rows}["G1-01"]
    assert (row.latest.year, row.latest.value, row.mid.year) == (2021, 620, 2021)
    early = evaluate(target_year_survey(2020))
    assert all(r.mid.year is None for r in early.rows)  # the mid-term year is not reached yet


def test_nothing_evaluated_when_the_target_year_is_empty():
    survey = target_year_survey()
    for values in survey.values.values():
        values[2023] = None
    assert evaluate(survey).nothing_evaluated
    assert not evaluate(target_year_survey()).nothing_evaluated


def test_the_plans_own_words():
    survey = target_year_survey()
    survey.plan = replace(survey.plan, headers={"final_title": "{plan}の総括", "final_def_improved": "前進（{improved}）"})
    ev = evaluate(survey)
    assert ev.title == "第４期西東京市地域福祉計画の総括"
    assert final_legend(survey.plan, ev.settings)[1][2] == "前進（10%以上）"


def test_config_defaults():
    assert (Config.final_achieved_at, Config.final_unchanged_band, Config.mid_year) == (None, 0.1, None)
