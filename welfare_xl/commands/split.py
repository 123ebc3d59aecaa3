"""`welfare-xl split`: one workbook per department to send out, or (--in-workbook) one sheet each in the survey."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.files.department_books import InWorkbookResult, write_department_book, write_department_sheets
from welfare_xl.files.survey_file import load_survey_file


def split(survey_path: str | Path, out_dir: str | Path, departments: list[str] | None = None) -> list[Path]:
    """Write `out_dir/<部署名>.xlsx` for each department of the survey; returns the paths."""
    survey, _, _ = load_survey_file(survey_path)
    return [write_department_book(survey, dept, out_dir) for dept in departments or survey.departments]


def add_department_sheets(survey_path: str | Path, out: str | Path | None = None) -> InWorkbookResult:
    """Add one sheet per department inside the survey workbook itself (saved to `out`, else over the survey).

    A department sheet that already exists is kept as it is (what was typed in it
    is never thrown away); delete it by hand to make it anew. Writing over the
    survey keeps a timestamped backup first, as consolidation does.
    """
    survey_path = Path(survey_path)
    survey, _, _ = load_survey_file(survey_path)
    return write_department_sheets(survey, survey_path, Path(out) if out is not None else survey_path)
