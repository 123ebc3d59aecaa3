"""What both sheets of the committee version share: the grade each indicator shows, the grade
counts per basic goal, and the legend of the marks.

Core module: plain data in and out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from welfare_xl.core.model.numbers import format_value
from welfare_xl.core.model.survey import Indicator, Survey
from welfare_xl.core.progress import (
    CODES,
    Grade,
    count_grades,
    grade_from_label,
    grade_style,
    grade_styles,
    grade_survey,
    legend,
    progress_definition,
)
from welfare_xl.core.sheets.fit import column_width
from welfare_xl.core.sheets.spec import SheetSpec, Style
from welfare_xl.core.sheets.styles import BODY, HEADER, NOTE

HEADING = Style(bold=True, size=11, border=None, wrap=False)


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


# --- what cells show ----------------------------------------------------------------------


def grade_width(header: str) -> float:
    """Width of a column of grade labels: the longest label (「－ 評価不能」) and `header` on one line."""
    labels = [Grade.of(code).label for code in CODES]
    size = max(style.size for style in grade_styles().values())
    return max(column_width([header], HEADER.size), column_width(labels, size))


def shown_value(survey: Survey, ind: Indicator, key: int | str) -> str:
    """A year's value (or the "target") of `ind` as printed, with its own display decimals."""
    value = survey.targets.get(ind.id) if key == "target" else survey.values.get(ind.id, {}).get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_value(value, ind.unit, ind.kind, survey.value_decimals(ind, key))
    return "" if value is None else str(value)


# --- the legend ------------------------------------------------------------------------------


def legend_rows(spec: SheetSpec, survey: Survey, row: int, label_col: int, text_cols: tuple[int, int]) -> int:
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
