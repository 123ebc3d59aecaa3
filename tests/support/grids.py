"""Sheets as the grids a reader returns, built from the core's own specs: the core's tests need no file."""

from __future__ import annotations

from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.reading import Book, load_survey_grids
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import SheetSpec
from welfare_xl.core.model.survey import Survey
from welfare_xl.files.source import load_source


def grid_of(spec: SheetSpec) -> list[list]:
    """The grid a reader returns for a rendered spec (0-based, from A1)."""
    grid = [[None] * (spec.max_col + 1) for _ in range(spec.max_row + 1)]
    for (r, c), (value, _) in spec.cells.items():
        grid[r][c] = value
    return grid


def template_master() -> tuple[Survey, Book]:
    """(survey, book) of the blank template's master sheet, from grids only."""
    src = load_source(TEMPLATE_SOURCE).survey
    sheets = {src.plan.sheet: grid_of(survey_sheet(src)), "管理情報": to_grid(src, SURVEY)}
    return load_survey_grids(sheets, list(sheets))
