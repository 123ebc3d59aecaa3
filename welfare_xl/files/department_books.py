"""What departments fill in, as files: one workbook per department, or one sheet each inside the survey.

`write_department_book` takes the Survey rather than a path, so that the CLI
(`split`) and the add-in's 部署別シート作成 write the same files, the add-in
from what the open workbook holds, saved or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from welfare_xl.core.model.metadata import DEPARTMENT, to_grid
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.sheets.department import department_sheet, safe_filename
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.files.atomic import backup_existing, save_atomic
from welfare_xl.files.writer import add_sheets, write_specs


def department_book_path(out_dir: str | Path, dept: str) -> Path:
    """`out_dir/<部署名>.xlsx`, where a department's workbook is written."""
    return Path(out_dir) / f"{safe_filename(dept)}.xlsx"


def write_department_book(survey: Survey, dept: str, out_dir: str | Path) -> Path:
    """Write `out_dir/<部署名>.xlsx`, the workbook one department fills in."""
    out_dir = Path(out_dir)  # save_atomic makes the folder (and says so when it cannot)
    sub = survey.for_department(dept)
    specs = [
        department_sheet(survey, dept),
        grid_spec(META_SHEET, to_grid(sub, DEPARTMENT, dept), hidden=True, widths={0: 26, 1: 40}),
    ]
    path = department_book_path(out_dir, dept)
    return write_specs(path, specs, lock_structure=True, title=f"{survey.plan.title} {dept}")


@dataclass
class InWorkbookResult:
    path: Path
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # department sheets already there, left as they are
    backup: Path | None = None


def write_department_sheets(survey: Survey, survey_path: Path, target: Path,
                            now: datetime | None = None) -> InWorkbookResult:
    """Add one sheet per department to the survey workbook at `survey_path`, saved to `target`.

    A department sheet that already exists is kept as it is (what was typed in it
    is never thrown away). Nothing is written when every sheet is there. Writing
    over a file (the survey itself, say) keeps a timestamped backup first, as consolidation does;
    an .xlsm survey keeps its macros.
    """
    from welfare_xl.files.survey_edit import open_for_writing

    wb = open_for_writing(survey_path)
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
    result.backup = backup_existing(target, (now or datetime.now()).replace(microsecond=0))
    save_atomic(wb, target)
    return result
