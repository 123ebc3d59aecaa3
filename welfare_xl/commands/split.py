"""`welfare-xl split`: one workbook per department to send out, or (--in-workbook) one sheet each in the survey."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.model.metadata import DEPARTMENT
from welfare_xl.files.atomic import backup_existing, check_output, workbook_suffix
from welfare_xl.files.department_books import (InWorkbookResult, department_book_path, write_department_book,
                                               write_department_sheets)
from welfare_xl.files.lock import locked
from welfare_xl.files.survey_file import load_survey_file


def split(survey_path: str | Path, out_dir: str | Path, departments: list[str] | None = None, *,
          now: datetime | None = None, echo: Callable[[str], None] | None = None,
          progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """Write `out_dir/<部署名>.xlsx` for each department of the survey; returns the paths.

    A department workbook already there (sent out before) is first copied to a
    timestamped backup beside it, and `echo` is told where; the survey itself,
    or a workbook of welfare-xl that is not a department's, is never replaced.
    `progress` is told after each workbook (done, in all, its file name).
    """
    survey, _, _ = load_survey_file(survey_path)
    now = (now or datetime.now()).replace(microsecond=0)
    names = departments or survey.departments
    outs = [check_output(department_book_path(out_dir, dept), suffix=".xlsx", survey=survey_path,
                         replaceable=(DEPARTMENT,), label="部署別の調査票") for dept in names]
    paths = []
    for dept, out in zip(names, outs):
        with locked(out.path):
            made = backup_existing(out.path, now)
            if made is not None and echo is not None:
                echo(f"既存のファイルをバックアップしました: {made}")
            write_department_book(survey, dept, out_dir)
        paths.append(out.given)
        if progress is not None:
            progress(len(paths), len(outs), out.given.name)
    return paths


def add_department_sheets(survey_path: str | Path, out: str | Path | None = None, *,
                          echo: Callable[[str], None] | None = None) -> InWorkbookResult:
    """Add one sheet per department inside the survey workbook itself (saved to `out`, else over the survey).

    A department sheet that already exists is kept as it is (what was typed in it
    is never thrown away); delete it by hand to make it anew. The output is locked
    from before the survey is read until it is written; a file already there
    (the survey itself, by default) is first copied to a timestamped backup.
    """
    survey_path = Path(survey_path)
    target = check_output(survey_path if out is None else out, suffix=workbook_suffix(survey_path),
                          survey=survey_path, in_place=True)
    with locked(target.path, on_wait=echo):
        survey, _, _ = load_survey_file(survey_path)
        result = write_department_sheets(survey, survey_path, target.path)
    result.path = target.given
    return result
