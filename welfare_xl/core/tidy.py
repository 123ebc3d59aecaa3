"""The survey as a tidy pandas table: one row per indicator and year.

For analysis and hand-over (CSV for Excel, notebooks, the statistics section):
every value of the master sheet with what it is (indicator, goal, department,
unit, kind), which year and in which role (現状値 baseline, 参考値 reference,
実績値 actual, 目標値 target), and the survey year's grade. pandas is imported
here only, and the export command imports this module when it runs, so other
commands start without it. Reading the workbook is the command's
(`welfare_xl.commands.export.read_consolidated`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.model.wording import default_header

BASELINE = "baseline"
REFERENCE = "reference"
ACTUAL = "actual"
TARGET = "target"
# The baseline's label is the plan's own word (baseline_value); this one is the default.
ROLE_LABELS = {BASELINE: default_header("baseline_value"), REFERENCE: "参考値", ACTUAL: "実績値", TARGET: "目標値"}

# Value status of a row: a number, the deliberate "no value" mark '－', or nothing entered.
NUMBER = "number"
NOT_AVAILABLE_STATUS = "not_available"
EMPTY = "empty"

COLUMNS = [
    "indicator_id", "goal", "goal_name", "item", "sub_item", "label", "department", "unit", "kind",
    "group", "fiscal_year", "year_label", "role", "role_label", "value", "value_status", "value_display",
    "grade", "grade_code", "progress", "expected", "grade_note", "done", "next",
]


def role_of(survey: Survey, year: int) -> str:
    plan = survey.plan
    if year == plan.baseline_year:
        return BASELINE
    if year < plan.start_year:
        return REFERENCE
    return ACTUAL


def tidy_frame(survey: Survey) -> pd.DataFrame:
    """One row per indicator and year (baseline through the survey year, then the target).

    `value` is a float (NaN when empty or '－'; `value_status` tells which).
    Grades (label, code, progress, expected, and a note where the grade stands on another year's
    figure) and the two texts are on the survey year's row; a past year's row carries the grade
    and texts recorded for it (the 過年度 history: label and code only, its numbers were not kept).
    Texts are on the row of the item's first indicator (`group`), as in the sheet. Percentages
    are fractions (0.507 for 50.70%), as Excel stores them.
    """
    from welfare_xl.core.progress import grade_from_label, grade_note
    from welfare_xl.core.sheets.committee import resolve_grades

    # The grade shown is the one in the 進捗評価 column when readable (as the
    # committee version shows it), else the one computed from the values.
    grades = resolve_grades(survey).shown
    records: list[dict[str, Any]] = []
    for ind in survey.indicators:
        goal = survey.goal(ind.goal)
        base = {
            "indicator_id": ind.id, "goal": ind.goal, "goal_name": goal.name, "item": ind.item,
            "sub_item": ind.sub_item, "label": ind.label, "department": ind.department, "unit": ind.unit,
            "kind": ind.kind.value, "group": ind.group,
        }
        values = survey.values.get(ind.id, {})
        for year in survey.years:
            row = {**base, **_value_fields(values.get(year), ind), "fiscal_year": year,
                   "year_label": fiscal_year_label(year), "role": role_of(survey, year)}
            if year == survey.fiscal_year:
                g = grades[ind.id]
                row.update(grade=g.label, grade_code=g.code, progress=g.progress, expected=g.expected,
                           grade_note=grade_note(g, survey) or None)
                if ind.lead:
                    done, nxt = survey.texts.get(ind.id, (None, None))
                    row.update(done=done, next=nxt)
            elif (record := survey.history.get(year, {}).get(ind.id)) is not None:
                recorded = grade_from_label(record.grade)
                row.update(grade=record.grade, grade_code=recorded.code if recorded else None)
                if ind.lead:
                    row.update(done=record.done, next=record.next)
            records.append(row)
        target_year = survey.plan.target_year
        records.append({**base, **_value_fields(survey.targets.get(ind.id), ind), "fiscal_year": target_year,
                        "year_label": fiscal_year_label(target_year), "role": TARGET})
    frame = pd.DataFrame.from_records(records)
    frame = frame.reindex(columns=COLUMNS)
    frame["role_label"] = frame["role"].map({**ROLE_LABELS, BASELINE: survey.plan.header("baseline_value")})
    frame["goal"] = frame["goal"].astype("int64")
    frame["fiscal_year"] = frame["fiscal_year"].astype("int64")
    for col in ("value", "progress", "expected"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame


def _value_fields(value: Any, ind: Indicator) -> dict[str, Any]:
    if value is None:
        return {"value": None, "value_status": EMPTY, "value_display": ""}
    if value == NOT_AVAILABLE or not isinstance(value, (int, float)):
        return {"value": None, "value_status": NOT_AVAILABLE_STATUS, "value_display": NOT_AVAILABLE}
    return {"value": float(value), "value_status": NUMBER,
            "value_display": ind.show(value)}
