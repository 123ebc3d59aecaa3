"""Progress grading (進捗評価): how far each indicator has come toward its target.

The rule is the one public documents use because it works for both directions:

    progress = (actual − baseline) / (target − baseline)

1.0 means the target is reached, 0 means no change from the baseline, a negative
value means the indicator moved away from its target. ``actual ÷ target`` is not
used: it gives nonsense where lower is better (消費者生活相談件数: baseline 1,161,
target 1,100).

A year is graded against the progress *expected* by then:

- ``pro_rata`` (default): the share of the plan period elapsed,
  (year − baseline year) / (target year − baseline year), e.g. 2/6 in 令和元年度
  of a plan whose baseline is 平成29年度 and target 令和５年度;
- ``improvement``: 0, i.e. any improvement on the baseline is on track;
- ``Config.expected_shares`` fixes the expected share for the fiscal years it
  names (e.g. 20/40/60/80/100 %) and wins over either rule for those years:
  it is the most specific setting a template can make.

Grades (mark, word):

- ◎ 達成: progress ≥ ``Config.achieved_at`` (default 1);
- ○ 順調: progress ≥ expected;
- △ 遅れ: 0 ≤ progress < expected;
- × 悪化: progress < 0;
- － 評価不能: no actual value ('－' or empty), no baseline or target, or no
  direction (target equal to baseline without a direction set in the template).

Direction is +1 (higher is better) when the target is above the baseline and −1
when it is below; the template can set it per indicator (``Indicator.direction``).
Setting it matters when the target equals the baseline ("keep the level"): then
the indicator is 達成 while the actual is at the target or better in that
direction (progress 1.0), and 悪化 when it is worse (progress None: a share of a
zero distance has no meaning). A set direction that contradicts the target (a
target below the baseline for a higher-is-better indicator) is a definition
error: the grade is 評価不能 with the reason, rather than a guess.

Comparisons allow the project's one rounding tolerance (numbers.TOLERANCE), so that an actual lying exactly
on a threshold (typed as a decimal, stored as binary floating point) gets the
grade a person computing by hand would give.

Plain core module: no Excel library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import TOLERANCE
from welfare_xl.core.model.survey import NOT_AVAILABLE, Config, Indicator, Survey
from welfare_xl.core.model.wording import default_header
from welfare_xl.core.sheets.spec import Style
from welfare_xl.errors import UserError


class GradeCode(StrEnum):
    """What a grade is, as machines read it (JSON, the CSV export, the log); best first."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    WORSE = "worse"
    NA = "na"


# code -> (mark, word): the one place the marks and words are written. Best first,
# the order of legends and counts.
MARKS: dict[GradeCode, tuple[str, str]] = {
    GradeCode.ACHIEVED: ("◎", "達成"),
    GradeCode.ON_TRACK: ("○", "順調"),
    GradeCode.BEHIND: ("△", "遅れ"),
    GradeCode.WORSE: ("×", "悪化"),
    GradeCode.NA: ("－", "評価不能"),
}
CODES: tuple[GradeCode, ...] = tuple(MARKS)

PRO_RATA = "pro_rata"
IMPROVEMENT = "improvement"

# Fill of a behind/worse grade cell. The hatch (pattern) and the bold mark and
# word make it readable in black-and-white print and without colour vision;
# the colour only helps those who see it.
BEHIND_FILL = "FCE4D6"
BEHIND_HATCH = "C65911"
BEHIND_PATTERN = "lightUp"


class GradeRuleError(UserError):
    """The template's grading settings cannot be applied; the message is Japanese."""


@dataclass(frozen=True)
class Grade:
    """One indicator's grade for one year, with the numbers it was decided on."""

    code: GradeCode
    progress: float | None = None  # (actual − baseline) / (target − baseline)
    expected: float | None = None  # progress expected by the graded year
    direction: int | None = None  # +1 higher is better, −1 lower is better
    reason: str = ""  # Japanese; why a grade is 評価不能 (empty otherwise)
    # Facts to footnote: the year whose figure stood in for a missing baseline (the first year
    # measured), and the year of the figure graded when the graded year was not surveyed ('－').
    # None when the plan's baseline, or the graded year's own figure, was used.
    baseline_year: int | None = None
    value_year: int | None = None

    @property
    def mark(self) -> str:
        """◎ ○ △ × －"""
        return MARKS[self.code][0]

    @property
    def word(self) -> str:
        """達成 順調 遅れ 悪化 評価不能"""
        return MARKS[self.code][1]

    @property
    def behind(self) -> bool:
        """True for grades that need the committee's attention (遅れ, 悪化)."""
        return self.code in (GradeCode.BEHIND, GradeCode.WORSE)

    @property
    def label(self) -> str:
        """What the 進捗評価 column shows: the mark and the word, e.g. '△ 遅れ'."""
        return f"{self.mark} {self.word}"

    @classmethod
    def of(cls, code: GradeCode | str, **numbers: Any) -> "Grade":
        return cls(code=GradeCode(code), **numbers)

    @classmethod
    def from_label(cls, text: Any) -> "Grade | None":
        return grade_from_label(text)


# Look-alikes people type for the marks: 〇 (kanji zero), ◯ (large circle), ✕ ╳ x, - ー.
_MARK_LOOK_ALIKES: dict[str, GradeCode] = {
    "〇": GradeCode.ON_TRACK, "◯": GradeCode.ON_TRACK,
    "✕": GradeCode.WORSE, "╳": GradeCode.WORSE, "x": GradeCode.WORSE, "X": GradeCode.WORSE,
    "-": GradeCode.NA, "ー": GradeCode.NA,
}


def grade_from_label(text: Any) -> Grade | None:
    """The grade a 進捗評価 cell shows, read back ('△ 遅れ', '△', '遅れ', '×悪化').

    The numbers behind it are not in the cell, so progress/expected are None.
    Returns None for an empty cell or a text that is no grade.
    """
    if not isinstance(text, str):
        return None
    compact = "".join(text.split())  # drop ASCII, full-width and no-break spaces
    if not compact:
        return None
    for code, (mark, word) in MARKS.items():
        if compact in (mark + word, mark, word):
            return Grade.of(code)
    first = compact[0]
    code = _MARK_LOOK_ALIKES.get(first)
    if code is not None and compact[1:] in ("", MARKS[code][1]):
        return Grade.of(code)
    return None



def _number(value: Any) -> float | None:
    """A numeric cell value, or None for '－', empty or anything that is not a number."""
    if value is None or value == NOT_AVAILABLE or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def expected_share(config: Config, year: int, baseline_year: int, target_year: int) -> float:
    """Progress expected by `year` under the template's rule (0..1)."""
    fixed = dict(config.expected_shares)
    if year in fixed:
        return float(fixed[year])
    if config.grade_rule == IMPROVEMENT:
        return 0.0
    if config.grade_rule != PRO_RATA:
        raise GradeRuleError(
            f"進捗評価の方式「{config.grade_rule}」は使えません。テンプレートの grade_rule には "
            f"{PRO_RATA}（経過年数に応じた按分）または {IMPROVEMENT}（現状値からの改善）を指定してください。")
    if target_year <= baseline_year:
        raise GradeRuleError(
            f"目標年度（{target_year}）が現状値の年度（{baseline_year}）より後ではないため、"
            "経過年数による進捗評価ができません。テンプレートの年度を確認してください。")
    share = (year - baseline_year) / (target_year - baseline_year)
    return min(max(share, 0.0), 1.0)


def direction_of(indicator: Indicator, baseline: float | None, target: float | None) -> int | None:
    """+1 / −1 as set in the template, else from target vs baseline; None when undecidable."""
    if indicator.direction in (1, -1):
        return indicator.direction
    if baseline is None or target is None or target == baseline:
        return None
    return 1 if target > baseline else -1


def grade_values(indicator: Indicator, baseline: Any, target: Any, actual: Any,
                 expected: float, config: Config, word: str = default_header("baseline_value")) -> Grade:
    """Grade one indicator from its baseline, target and actual (cell values) against `expected`
    (`word`: the plan's word for the baseline figure, in the reasons)."""
    b, t, a = _number(baseline), _number(target), _number(actual)
    direction = direction_of(indicator, b, t)
    na = dict(expected=expected, direction=direction)
    if b is None:
        return Grade.of(GradeCode.NA, reason=f"{word}がありません。", **na)
    if t is None:
        return Grade.of(GradeCode.NA, reason="目標値がありません。", **na)
    if direction is None:
        return Grade.of(GradeCode.NA, reason=f"目標値が{word}と同じで、指標の方向（上昇・低下のどちらが良いか）が指定されていません。", **na)
    if a is None:
        return Grade.of(GradeCode.NA, reason="実績値がありません。", **na)
    if t != b and (t - b) * direction < 0:
        return Grade.of(GradeCode.NA, reason=f"テンプレートで指定された指標の方向が、{word}から目標値への向きと逆です。", **na)

    if t == b:
        # Keep-the-level target: at the target or better counts as reached.
        if (a - t) * direction >= -TOLERANCE * max(abs(t), 1.0):
            return Grade.of(GradeCode.ACHIEVED, progress=1.0, expected=expected, direction=direction)
        return Grade.of(GradeCode.WORSE, progress=None, expected=expected, direction=direction)

    progress = (a - b) / (t - b)
    numbers = dict(progress=progress, expected=expected, direction=direction)
    if progress >= config.achieved_at - TOLERANCE:
        return Grade.of(GradeCode.ACHIEVED, **numbers)
    if progress >= expected - TOLERANCE:
        return Grade.of(GradeCode.ON_TRACK, **numbers)
    if progress >= -TOLERANCE:
        return Grade.of(GradeCode.BEHIND, **numbers)
    return Grade.of(GradeCode.WORSE, **numbers)


@dataclass(frozen=True)
class Measured:
    """A value an evaluation stands on, and the year it was measured in."""

    year: int | None  # None: no value at all
    value: Any = None  # a number, '－' or None
    substitute: bool = False  # True when it is not the year asked for (to be footnoted)


def baseline_of(indicator: Indicator, survey: Survey, before: int | None = None) -> Measured:
    """The baseline: the plan's baseline year's value; where that year has no figure, the first
    year measured after it and before `before` (a first measured year stands in, footnoted)."""
    plan = survey.plan
    values = survey.values.get(indicator.id, {})
    own = values.get(plan.baseline_year)
    if _number(own) is not None:
        return Measured(plan.baseline_year, own)
    end = survey.fiscal_year if before is None else before
    for year in range(plan.baseline_year + 1, end):
        if _number(values.get(year)) is not None:
            return Measured(year, values[year], substitute=True)
    return Measured(plan.baseline_year if own is not None else None, own)


def latest_of(indicator: Indicator, survey: Survey, year: int | None = None, since: int | None = None) -> Measured:
    """The value of `year` (default: the survey year); where it is '－' (not surveyed that
    year), the latest earlier figure after `since` (default: the baseline year), marked as such.
    An empty value (nothing entered) stays empty: it is not a survey that lags."""
    year = survey.fiscal_year if year is None else year
    values = survey.values.get(indicator.id, {})
    own = values.get(year)
    if own != NOT_AVAILABLE:
        return Measured(year if own is not None else None, own)
    floor = survey.plan.baseline_year if since is None else since
    for earlier in range(year - 1, floor, -1):
        if _number(values.get(earlier)) is not None:
            return Measured(earlier, values[earlier], substitute=True)
    return Measured(year, own)


def grade(indicator: Indicator, survey: Survey, year: int | None = None) -> Grade:
    """The grade of `indicator` in `year` (default: the survey year) from the survey's values.

    Where the plan's baseline year has no figure, the first year measured after it (before `year`)
    stands in, for every indicator: progress is then measured from that year, and the pace expected
    is the share of the period from that year to the target year (`Grade.baseline_year` says which
    year, to be footnoted). Where `year` is '－' and the template plans it (`Indicator.may_skip`),
    the latest figure recorded after the baseline is graded, against the pace expected in its own
    year (`Grade.value_year`); any other '－' is 評価不能, as an empty value is.
    """
    plan = survey.plan
    year = survey.fiscal_year if year is None else year
    base = baseline_of(indicator, survey, before=year)
    actual = Measured(year, survey.values.get(indicator.id, {}).get(year))
    if actual.value == NOT_AVAILABLE and indicator.may_skip(year):
        actual = latest_of(indicator, survey, year, since=base.year)
    facts = dict(baseline_year=base.year if base.substitute else None,
                 value_year=actual.year if actual.substitute else None)
    if base.substitute and base.year >= plan.target_year:
        return Grade.of(GradeCode.NA, reason=f"{plan.header('baseline_value')}がなく、目標年度までに基準にできる実績値もありません。", **facts)
    expected = expected_share(survey.config, actual.year or year, base.year if base.substitute else plan.baseline_year,
                              plan.target_year)
    g = grade_values(indicator, base.value, survey.targets.get(indicator.id), actual.value, expected, survey.config,
                     plan.header("baseline_value"))
    return replace(g, **facts)


def grade_note(grade: Grade, survey: Survey, year: int | None = None) -> str:
    """The footnote a grade of `year` (default: the survey year) needs, in the plan's wording: the
    year that stood in for a missing baseline, the earlier year graded for a year not surveyed;
    "" for a grade on the plan's own figures."""
    year = survey.fiscal_year if year is None else year
    notes = []
    if grade.baseline_year is not None:
        notes.append(survey.plan.header("substitute_baseline", year=fiscal_year_label(grade.baseline_year),
                                        baseline=survey.plan.header("baseline_value")))
    if grade.value_year is not None:
        notes.append(survey.plan.header("substitute_value", year=fiscal_year_label(year),
                                        value_year=fiscal_year_label(grade.value_year)))
    return "".join(notes)


def grade_survey(survey: Survey, year: int | None = None) -> dict[str, Grade]:
    """Every indicator's grade, by ID, in the survey's indicator order."""
    return {ind.id: grade(ind, survey, year) for ind in survey.indicators}


def count_grades(grades: list[Grade] | tuple[Grade, ...]) -> dict[str, int]:
    """How many of each grade, every code present (0 when none), in legend order."""
    counts = {code: 0 for code in CODES}
    for g in grades:
        counts[g.code] += 1
    return counts


GRADE_CELL = Style(size=10, h_align="center", wrap=False)
GRADE_CELL_BEHIND = Style(size=10, bold=True, h_align="center", wrap=False, fill=BEHIND_FILL,
                          pattern=BEHIND_PATTERN, pattern_color=BEHIND_HATCH)


def grade_style(grade: Grade | None) -> Style:
    """Style of a 進捗評価 cell: behind grades are bold on a hatched fill, never colour alone."""
    if grade is not None and grade.behind:
        return GRADE_CELL_BEHIND
    return GRADE_CELL


def grade_styles() -> dict[str, Style]:
    """Grade label -> cell style, the form `template.survey_sheet(grade_styles=...)` takes."""
    return {Grade.of(code).label: grade_style(Grade.of(code)) for code in CODES}


def legend(config: Config, baseline: str = default_header("baseline_value")) -> list[tuple[str, str, str]]:
    """(mark, word, definition) of every grade, in Japanese, as the template's rule applies them;
    `baseline` is the plan's word for the baseline figure."""
    achieved = f"{config.achieved_at:.0%}"
    if config.expected_shares:
        shares = "、".join(f"{y}年度 {s:.0%}" for y, s in config.expected_shares)
        pace = f"年度ごとに定めた進捗の目安（{shares}）"
        if config.grade_rule == IMPROVEMENT:
            pace += f"（その他の年度は{baseline}からの改善）"
        else:
            pace += "（その他の年度は計画期間の経過割合）"
    elif config.grade_rule == IMPROVEMENT:
        pace = f"{baseline}からの改善（進捗率0%）"
    else:
        pace = f"計画期間の経過割合（{baseline}の年度から目標年度までのうち経過した年数の割合）"
    definitions = {
        GradeCode.ACHIEVED: f"進捗率が{achieved}以上（目標値に達した）。"
                            f"目標値が{baseline}と同じ指標は、実績値が目標値の水準を保っている場合。",
        GradeCode.ON_TRACK: f"進捗率が{pace}以上。",
        GradeCode.BEHIND: f"進捗率が0%以上で、{pace}に届かない。",
        GradeCode.WORSE: f"進捗率がマイナス（{baseline}より目標から遠ざかった）。",
        GradeCode.NA: f"実績値・{baseline}・目標値のいずれかがない、または指標の方向が定まらない。",
    }
    return [(*MARKS[code], definitions[code]) for code in CODES]


def progress_definition(baseline: str = default_header("baseline_value")) -> str:
    """What 進捗率 is, with the plan's word for the baseline figure."""
    return f"進捗率 ＝（実績値 − {baseline}）÷（目標値 − {baseline}）。目標値に達すると100%、{baseline}のままで0%。"


PROGRESS_DEFINITION = progress_definition()
