"""The final evaluation (最終評価) of a plan in its target year: where each indicator ended up.

Per indicator it takes four values, each with the year it is from:

- the baseline (`progress.baseline_of`): the baseline year's value; where that year has no
  figure, the first year measured after it stands in (footnoted);
- the mid-term value: the value of `Config.mid_year`, by default the middle year of the plan
  period, ``start_year + (target_year − start_year) // 2`` (the earlier of the two middle years
  when the period has an even number of years: 令和元〜５年度 gives 令和３年度); a survey that
  did not run that year shows the latest earlier figure (`progress.latest_of`);
- the latest value: the survey year's (the target year's) value, or, for an indicator not
  surveyed that year ('－'), the latest earlier figure, with its year;
- the target.

The degree of achievement (達成率) is the progress rule of `progress.grade_values`, which this
module calls so that there is one formula: (latest − baseline) / (target − baseline), so that
lower-is-better indicators read the same way. Categories, best first:

- A 達成: achievement ≥ ``Config.final_achieved_at`` (default: ``achieved_at``, 100 %); a
  keep-the-level target (target = baseline, direction set) when the latest value keeps the level;
- B 改善: short of the target, achievement ≥ ``Config.final_unchanged_band`` (default 10 %);
- C 変化なし: −band < achievement < band: the change is under `band` of the distance from the
  baseline to the target (a share of |target − baseline|, so it is unit-free and the same for
  both directions);
- D 悪化: achievement ≤ −band; a keep-the-level target whose latest value fell below the level;
- E 評価困難: a value missing (no latest, baseline or target), or no direction.

Before the target year the same evaluation is made as a projection (見込み) at the survey year:
the sheet's title says so on every page.

Plain core module: no Excel library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import TOLERANCE
from welfare_xl.core.model.survey import Config, Indicator, Plan, Survey, Value
from welfare_xl.core.progress import (
    Grade,
    GradeCode,
    Measured,
    baseline_of,
    grade,
    grade_from_label,
    grade_values,
    latest_of,
)
from welfare_xl.errors import UserError


class FinalCode(StrEnum):
    """A final category as machines read it; best first."""

    ACHIEVED = "achieved"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSE = "worse"
    NA = "na"


# code -> (mark, word), the order of legends and counts. Letters, unlike the yearly grade's
# ◎○△×－, so that a final category is never mistaken for a year's grade.
FINAL_MARKS: dict[FinalCode, tuple[str, str]] = {
    FinalCode.ACHIEVED: ("A", "達成"),
    FinalCode.IMPROVED: ("B", "改善"),
    FinalCode.UNCHANGED: ("C", "変化なし"),
    FinalCode.WORSE: ("D", "悪化"),
    FinalCode.NA: ("E", "評価困難"),
}
FINAL_CODES: tuple[FinalCode, ...] = tuple(FINAL_MARKS)

_DEFINITION_KEYS = {
    FinalCode.ACHIEVED: "final_def_achieved",
    FinalCode.IMPROVED: "final_def_improved",
    FinalCode.UNCHANGED: "final_def_unchanged",
    FinalCode.WORSE: "final_def_worse",
    FinalCode.NA: "final_def_na",
}


class FinalRuleError(UserError):
    """The template's final-evaluation settings cannot be applied; the message is Japanese."""


@dataclass(frozen=True)
class FinalSettings:
    """The thresholds and the mid-term year as the template sets them (validated)."""

    achieved_at: float
    unchanged_band: float
    mid_year: int | None  # None: the plan period has no year between baseline and target
    mid_from_template: bool  # True when `Config.mid_year` named it


def middle_year(plan: Plan) -> int | None:
    """The middle year of the plan period (the earlier of two), or None when it is not after the
    baseline year and before the target year."""
    year = plan.start_year + (plan.target_year - plan.start_year) // 2
    return year if plan.baseline_year < year < plan.target_year else None


def final_settings(survey: Survey) -> FinalSettings:
    """The settings of `survey`'s template; FinalRuleError (Japanese) for settings that cannot work."""
    cfg, plan = survey.config, survey.plan
    achieved = cfg.achieved_at if cfg.final_achieved_at is None else cfg.final_achieved_at
    band = cfg.final_unchanged_band
    if not achieved > 0:
        raise FinalRuleError(f"最終評価の達成の基準（final_achieved_at = {achieved}）は 0 より大きくしてください。")
    if not 0 <= band < achieved:
        raise FinalRuleError(f"最終評価の「変化なし」の幅（final_unchanged_band = {band}）は 0 以上で、"
                             f"達成の基準（{achieved}）より小さくしてください。")
    if cfg.mid_year is not None and not plan.baseline_year < cfg.mid_year < plan.target_year:
        raise FinalRuleError(
            f"中間値の年度（mid_year = {cfg.mid_year}）は、現状値の年度（{plan.baseline_year}）より後で"
            f"目標年度（{plan.target_year}）より前の年度にしてください。")
    mid = cfg.mid_year if cfg.mid_year is not None else middle_year(plan)
    return FinalSettings(achieved, band, mid, cfg.mid_year is not None)


@dataclass(frozen=True)
class Category:
    """A final category and the numbers it was decided on."""

    code: FinalCode
    achievement: float | None = None  # (latest − baseline) / (target − baseline)
    direction: int | None = None
    reason: str = ""  # Japanese: why it is 評価困難


def categorize(indicator: Indicator, baseline: Any, target: Any, latest: Any, settings: FinalSettings) -> Category:
    """The final category of one indicator from its baseline, target and latest (cell values)."""
    g = grade_values(indicator, baseline, target, latest, 0.0, Config(achieved_at=settings.achieved_at))
    numbers = dict(achievement=g.progress, direction=g.direction)
    if g.code is GradeCode.NA:
        return Category(FinalCode.NA, direction=g.direction, reason=g.reason)
    if g.code is GradeCode.ACHIEVED:
        return Category(FinalCode.ACHIEVED, **numbers)
    p = g.progress
    if p is None:  # a keep-the-level target whose level was not kept
        return Category(FinalCode.WORSE, **numbers)
    band = settings.unchanged_band
    if p > TOLERANCE and p >= band - TOLERANCE:
        return Category(FinalCode.IMPROVED, **numbers)
    if p < -TOLERANCE and p <= -band + TOLERANCE:
        return Category(FinalCode.WORSE, **numbers)
    return Category(FinalCode.UNCHANGED, **numbers)


@dataclass(frozen=True)
class FinalRow:
    """One indicator's final evaluation."""

    indicator: Indicator
    baseline: Measured
    mid: Measured  # year None: no mid-term year (or not reached yet)
    latest: Measured
    target: Value
    category: Category
    year_grade: Grade  # the survey year's 進捗評価 as the master shows it (else from the values)

    @property
    def code(self) -> FinalCode:
        return self.category.code

    @property
    def label(self) -> str:
        """What the category column shows: mark and word, e.g. 'B 改善'."""
        mark, word = FINAL_MARKS[self.code]
        return f"{mark} {word}"


@dataclass
class FinalEvaluation:
    survey: Survey
    settings: FinalSettings
    rows: tuple[FinalRow, ...]

    @property
    def provisional(self) -> bool:
        """True before the target year: a projection (見込み), titled so."""
        return self.survey.fiscal_year < self.survey.plan.target_year

    @property
    def title(self) -> str:
        plan = self.survey.plan
        if self.provisional:
            return plan.header("final_title_provisional", plan=plan.name, year=fiscal_year_label(self.survey.fiscal_year))
        return plan.header("final_title", plan=plan.name)

    def counts(self, goal: int | None = None) -> dict[FinalCode, int]:
        """How many indicators (of one basic goal, or all) fall in each category, every code present."""
        counts = {code: 0 for code in FINAL_CODES}
        for row in self.rows:
            if goal is None or row.indicator.goal == goal:
                counts[row.code] += 1
        return counts

    def improved_but_behind(self) -> list[FinalRow]:
        """Indicators whose year grade reads 遅れ but which improved (B 改善): the target year's
        expected share is 100 %, so every improvement short of the target is 「△ 遅れ」 there."""
        return [r for r in self.rows if r.code is FinalCode.IMPROVED and r.year_grade.code is GradeCode.BEHIND]

    @property
    def nothing_evaluated(self) -> bool:
        """Every indicator 評価困難: most likely a master that was never consolidated."""
        return all(r.code is FinalCode.NA for r in self.rows)


def evaluate(survey: Survey) -> FinalEvaluation:
    """The final evaluation of every indicator at the survey year (the target year, or a projection)."""
    settings = final_settings(survey)
    rows = []
    for ind in survey.indicators:
        base = baseline_of(ind, survey)
        since = base.year if base.year is not None else None
        latest = latest_of(ind, survey, survey.fiscal_year, since=since)
        if settings.mid_year is not None and settings.mid_year <= survey.fiscal_year:
            mid = latest_of(ind, survey, settings.mid_year, since=since)
        else:
            mid = Measured(None)
        target = survey.targets.get(ind.id)
        category = categorize(ind, base.value, target, latest.value, settings)
        rows.append(FinalRow(ind, base, mid, latest, target, category, _year_grade(ind, survey)))
    return FinalEvaluation(survey, settings, tuple(rows))


def _year_grade(ind: Indicator, survey: Survey) -> Grade:
    shown = grade_from_label(survey.grades.get(ind.id))
    return shown if shown is not None else grade(ind, survey)


def _percent(share: float) -> str:
    text = f"{abs(share) * 100:.1f}".rstrip("0").rstrip(".")
    return ("−" if share < 0 else "") + text + "%"


def final_legend(plan: Plan, settings: FinalSettings) -> list[tuple[str, str, str]]:
    """(mark, word, definition) of every category, worded by the plan, with the template's thresholds."""
    band = settings.unchanged_band
    fields = dict(achieved=_percent(settings.achieved_at))
    if band > 0:
        fields.update(improved=f"{_percent(band)}以上", worse=f"{_percent(-band)}以下",
                      unchanged=f"{_percent(-band)}を超え{_percent(band)}未満")
    else:
        fields.update(improved="0%を超える", worse="0%未満", unchanged="0%")
    return [(*FINAL_MARKS[code], plan.header(_DEFINITION_KEYS[code], **fields)) for code in FINAL_CODES]


def mid_rule(plan: Plan, settings: FinalSettings) -> str | None:
    """How the mid-term year was chosen, worded by the plan; None when there is none."""
    if settings.mid_year is None:
        return None
    key = "final_mid_set" if settings.mid_from_template else "final_mid_rule"
    return plan.header(key, year=fiscal_year_label(settings.mid_year))
