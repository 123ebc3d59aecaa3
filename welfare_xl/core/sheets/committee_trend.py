"""The grade trend of each indicator over the plan's years (評価の推移), for the committee version.

A past year's grade is the one the committee saw that year: the 進捗評価 label the master showed,
kept in `Survey.history[year][id].grade` when the survey rolled over. A master from before
rollovers kept history has no such record; that year's grade is then computed from the values
(`progress.grade`), and a footnote says so: by year when the whole year was computed, with a
mark on each computed grade when only some were.

Core module: plain data in and out.
"""

from __future__ import annotations

from dataclasses import dataclass

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.progress import Grade, grade, grade_from_label

ARROW = "→"


@dataclass(frozen=True)
class TrendPoint:
    year: int
    grade: Grade
    estimated: bool = False  # computed from the values: no grade was recorded that year


@dataclass(frozen=True)
class Trends:
    """Each indicator's grades from the plan's first year to the survey year, and which were computed."""

    years: tuple[int, ...]
    points: dict[str, tuple[TrendPoint, ...]]

    @property
    def shown(self) -> bool:
        """A trend needs two years at least: in the plan's first year there is none to show."""
        return len(self.years) >= 2

    def estimated_years(self) -> list[int]:
        """Years whose every indicator's grade was computed (no record of that year at all)."""
        return [y for n, y in enumerate(self.years)
                if self.points and all(p[n].estimated for p in self.points.values())]

    def partly_estimated(self) -> bool:
        """Some grade was computed in a year that has recorded grades too (those get a mark)."""
        whole = set(self.estimated_years())
        return any(p.estimated and p.year not in whole for pts in self.points.values() for p in pts)

    def text(self, indicator_id: str, mark: str, per_line: int = 0) -> str:
        """「○→△→◎」; a computed grade in a partly recorded year carries `mark`. With `per_line`,
        a longer trend is broken after an arrow into lines of about the same length."""
        whole = set(self.estimated_years())
        marks = [p.grade.mark + (mark if p.estimated and p.year not in whole else "") for p in self.points[indicator_id]]
        if not per_line or len(marks) <= per_line:
            return ARROW.join(marks)
        lines = -(-len(marks) // per_line)
        size = -(-len(marks) // lines)
        return (ARROW + "\n").join(ARROW.join(marks[k:k + size]) for k in range(0, len(marks), size))


def plan_years(survey: Survey) -> tuple[int, ...]:
    """The plan years graded so far: the first plan year (or the year after the baseline) to the survey year."""
    first = max(survey.plan.start_year, survey.plan.baseline_year + 1)
    return tuple(range(first, survey.fiscal_year + 1))


def grade_trends(survey: Survey, current: dict[str, Grade]) -> Trends:
    """Every indicator's trend; `current` is this year's grade as the committee version shows it."""
    years = plan_years(survey)
    points: dict[str, tuple[TrendPoint, ...]] = {}
    for ind in survey.indicators:
        row = []
        for year in years[:-1]:
            record = survey.history.get(year, {}).get(ind.id)
            recorded = grade_from_label(record.grade) if record is not None else None
            if recorded is not None:
                row.append(TrendPoint(year, recorded))
            else:
                row.append(TrendPoint(year, grade(ind, survey, year), estimated=True))
        row.append(TrendPoint(survey.fiscal_year, current[ind.id]))
        points[ind.id] = tuple(row)
    return Trends(years=years, points=points)


def joined_years(years: list[int]) -> str:
    """「令和元年度・令和２年度」"""
    return "・".join(fiscal_year_label(y) for y in years)
