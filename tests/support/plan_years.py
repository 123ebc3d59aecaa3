"""A master of a later plan year with synthetic values, built directly from the model.

`target_year_survey` is the shipped plan in its target year (令和５年度) with values for
every year 2017–2023, chosen so that every final category, a lagging survey indicator, a
first measured year standing in for the baseline, a keep-the-level target, a lower-is-better
indicator and an indicator without a target all occur; `write_master` writes a survey as the
template build writes one (master sheet + 管理情報), readable by every command.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from support.paths import TEMPLATE_SOURCE
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.model.survey import NOT_AVAILABLE, Survey
from welfare_xl.core.progress import grade_survey
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.files.source import load_source
from welfare_xl.files.writer import write_specs

N = NOT_AVAILABLE
YEARS = range(2017, 2024)

# Indicator -> its values 2017..2023 (2017 is the plan's baseline, 2023 the target year).
VALUES: dict[str, tuple] = {
    "G1-01": (504, 515, 540, 580, 620, 660, 700),  # A: at the target exactly
    "G2-01": (19177, 19181, 19300, 19500, 19650, 19900, N),  # B: 2023 not surveyed, 2022's 71.7 %
    "G2-02a": (83, 83, 84, 85, 84, 83, 84),  # C: 1/17 = 5.9 %
    "G2-02b": (15260, 16063, 15000, 14500, 14200, 14100, 14000),  # D: −46 %
    "G2-02c": (3424, 3051, 3200, 3300, 3350, 3400, None),  # E: the target year left empty
    "G2-03a": (N, N, 2, 2, 3, 3, 3),  # B: first measured 2019 (2 → 3 of 4: 50 %)
    "G2-03b": (60, 73, 80, 85, 90, 95, 100),  # B: 58.8 %
    "G3-01": (1059, 789, 900, 1000, 1050, 1080, 1100),  # C: 5.9 %
    "G3-02": (493, 447, 460, 470, 455, 452, 450),  # D: −75 %
    "G3-03": (945, 812, 900, 1000, 1100, 1150, 1200),  # A: 164 %
    "G4-01": (0.484, N, N, 0.52, N, N, 0.55),  # B: every third year; mid-term 2021 reaches back to 2020
    "G4-02": (65, 69, 72, 75, 78, 80, 82),  # E: no target (set below)
    "G5-01": (97, 99, 105, 110, 112, 118, 120),  # B: 43 %, the year's grade reads △ 遅れ
    "G5-02": (1161, 1494, 1300, 1250, 1200, 1150, 1130),  # B: lower is better, 31/61 = 50.8 %
    "G6-01": (2.09, 2.18, 2.10, 2.12, 2.13, 2.14, 2.15),  # A: keep the level 2.09 (target set below)
}
# Indicator -> the final category its values give (hand-computed in the comments above).
EXPECTED_CATEGORIES = {
    "G1-01": "A 達成", "G2-01": "B 改善", "G2-02a": "C 変化なし", "G2-02b": "D 悪化", "G2-02c": "E 評価困難",
    "G2-03a": "B 改善", "G2-03b": "B 改善", "G3-01": "C 変化なし", "G3-02": "D 悪化", "G3-03": "A 達成",
    "G4-01": "B 改善", "G4-02": "E 評価困難", "G5-01": "B 改善", "G5-02": "B 改善", "G6-01": "A 達成",
}


def target_year_survey(fiscal_year: int = 2023) -> Survey:
    """The shipped plan surveyed in `fiscal_year` with the synthetic values of VALUES up to that year,
    and each year's grade in the grade column as consolidation writes it."""
    source = load_source(TEMPLATE_SOURCE).survey
    indicators = tuple(
        replace(i, direction=1) if i.id == "G6-01" else i for i in source.indicators)
    survey = replace(source, fiscal_year=fiscal_year, indicators=indicators, template_version=f"{fiscal_year}.1",
                     values={}, targets=dict(source.targets), grades={}, texts={})
    survey.targets["G4-02"] = None
    survey.targets["G6-01"] = 2.09
    survey.decimals = {k: v for k, v in source.decimals.items() if k != ("G6-01", "target")}
    for ind in survey.indicators:
        survey.values[ind.id] = {y: v for y, v in zip(YEARS, VALUES[ind.id]) if y <= fiscal_year}
    survey.grades = {i: g.label for i, g in grade_survey(survey).items()}
    return survey


def write_master(survey: Survey, path: Path) -> Path:
    """The survey written as a master workbook (its sheet and 管理情報), as the template build does."""
    specs = [survey_sheet(survey),
             grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True, widths={0: 26, 1: 40, 2: 30})]
    return write_specs(path, specs, title=survey.plan.title)
