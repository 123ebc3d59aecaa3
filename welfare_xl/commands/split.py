"""Split the survey into one worksheet per department."""

from __future__ import annotations

from pathlib import Path

from ..departments import department_sheet, safe_filename
from ..metadata import DEPARTMENT, SHEET as META_SHEET, to_grid
from ..sheetspec import grid_spec
from ..survey import Survey
from ..xlsx import save_atomic, write_specs, add_sheets
from .common import load_survey_file


def split(survey_path: str | Path, out_dir: str | Path, departments: list[str] | None = None) -> list[Path]:
    """Write `out_dir/<部署名>.xlsx` for each department of the survey; returns the paths."""
    survey, _, _ = load_survey_file(survey_path)
    return [write_department_book(survey, dept, out_dir) for dept in departments or survey.departments]


def write_department_book(survey: Survey, dept: str, out_dir: str | Path) -> Path:
    """Write `out_dir/<部署名>.xlsx`, the workbook one department fills in.

    Takes the Survey rather than a path so that the add-in can distribute what
    the open workbook holds, saved or not.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sub = survey.for_department(dept)
    specs = [
        department_sheet(survey, dept),
        grid_spec(META_SHEET, to_grid(sub, DEPARTMENT, dept), hidden=True, widths={0: 26, 1: 40}),
    ]
    path = out_dir / f"{safe_filename(dept)}.xlsx"
    return write_specs(path, specs, lock_structure=True, title=f"{survey.plan.title} {dept}")


def add_department_sheets(survey_path: str | Path, out: str | Path | None = None) -> Path:
    """Add (or replace) one sheet per department inside the survey workbook itself."""
    from openpyxl import load_workbook

    survey, _, _ = load_survey_file(survey_path)
    wb = load_workbook(survey_path)
    specs = [department_sheet(survey, d) for d in survey.departments]
    for spec in specs:
        if spec.name in wb.sheetnames:
            del wb[spec.name]
    add_sheets(wb, specs)
    return save_atomic(wb, out or survey_path)
