"""Split the survey into one worksheet per department."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from welfare_xl.core.sheets.department import department_sheet, safe_filename
from welfare_xl.core.model.metadata import DEPARTMENT, SHEET as META_SHEET, to_grid
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.core.model.survey import Survey
from welfare_xl.files.atomic import backup, save_atomic
from welfare_xl.files.writer import add_sheets, write_specs
from welfare_xl.files.survey_file import load_survey_file


def split(survey_path: str | Path, out_dir: str | Path, departments: list[str] | None = None) -> list[Path]:
    """Write `out_dir/<部署名>.xlsx` for each department of the survey; returns the paths."""
    survey, _, _ = load_survey_file(survey_path)
    return [write_department_book(survey, dept, out_dir) for dept in departments or survey.departments]


def write_department_book(survey: Survey, dept: str, out_dir: str | Path) -> Path:
    """Write `out_dir/<部署名>.xlsx`, the workbook one department fills in.

    Takes the Survey rather than a path so that the add-in can distribute what
    the open workbook holds, saved or not.
    """
    out_dir = Path(out_dir)  # save_atomic makes the folder (and says so when it cannot)
    sub = survey.for_department(dept)
    specs = [
        department_sheet(survey, dept),
        grid_spec(META_SHEET, to_grid(sub, DEPARTMENT, dept), hidden=True, widths={0: 26, 1: 40}),
    ]
    path = out_dir / f"{safe_filename(dept)}.xlsx"
    return write_specs(path, specs, lock_structure=True, title=f"{survey.plan.title} {dept}")


@dataclass
class InWorkbookResult:
    path: Path
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # department sheets already there, left as they are
    backup: Path | None = None


def add_department_sheets(survey_path: str | Path, out: str | Path | None = None) -> InWorkbookResult:
    """Add one sheet per department inside the survey workbook itself.

    A department sheet that already exists is kept as it is (what was typed in it
    is never thrown away); delete it by hand to make it anew. Writing over the
    survey keeps a timestamped backup first, as consolidation does.
    """
    from openpyxl import load_workbook

    survey_path = Path(survey_path)
    target = Path(out) if out is not None else survey_path
    survey, _, _ = load_survey_file(survey_path)
    wb = load_workbook(survey_path)
    result = InWorkbookResult(path=target)
    specs = []
    for dept in survey.departments:
        spec = department_sheet(survey, dept)
        if spec.name in wb.sheetnames:
            result.kept.append(spec.name)
        else:
            specs.append(spec)
            result.added.append(spec.name)
    if not specs:
        return result
    add_sheets(wb, specs)
    if target.exists() and target.resolve() == survey_path.resolve():
        result.backup = backup(survey_path, datetime.now())
    save_atomic(wb, target)
    return result
