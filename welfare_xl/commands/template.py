"""`welfare-xl template build`: the survey template workbook from its plain data file."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.files.source import load_source
from welfare_xl.files.writer import write_specs


def build_template(source: str | Path, out: str | Path) -> Path:
    """Write the blank survey form described by `source` (TOML) to `out`."""
    src = load_source(source)
    survey = src.survey
    specs = [
        survey_sheet(survey, decimals=src.decimals),
        grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True, widths={0: 26, 1: 40, 2: 30}),
    ]
    return write_specs(out, specs, title=f"{survey.plan.title}（{survey.fiscal_year}）")
