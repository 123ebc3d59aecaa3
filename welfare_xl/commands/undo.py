"""`welfare-xl undo`: 元に戻す on a file, putting back what the last consolidation (its 集約ログ) overwrote."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, LogError
from welfare_xl.core.consolidation.result import UndoPlan
from welfare_xl.core.consolidation.undo import NOTHING_TO_UNDO, plan_undo
from welfare_xl.errors import UserError
from welfare_xl.files.atomic import backup_existing, check_output, workbook_suffix
from welfare_xl.files.lock import locked
from welfare_xl.files.survey_edit import write_undo
from welfare_xl.files.survey_file import load_survey_file


class UndoError(UserError):
    """元に戻す cannot be done on this file (exit code 2); nothing is written."""


def undo(survey_path: str | Path, out_path: str | Path | None = None, *,
         now: datetime | None = None, echo: Callable[[str], None] | None = None) -> UndoPlan:
    """元に戻す on a file: put back what the last consolidation (its 集約ログ) overwrote.

    Each logged cell is found again in the master sheet as it is now, by indicator
    ID and column key (rows or columns may have been inserted since); cells edited
    by hand since, and changes whose row or column is gone, are left alone and
    listed in the returned plan. The log is kept as 集約ログ（取消済）, so the same
    consolidation is never undone twice. The output (the survey itself by default)
    is locked from before the read until the write; a file already there is first
    copied to a timestamped backup beside it, and `echo` is told where (and when
    the run waits for another one). Another welfare-xl workbook (a department's
    return, another survey) is never the output.
    """
    survey_path = Path(survey_path)
    now = (now or datetime.now()).replace(microsecond=0)
    out = check_output(survey_path if out_path is None else out_path, suffix=workbook_suffix(survey_path),
                       survey=survey_path, in_place=True)
    with locked(out.path, on_wait=echo):
        survey, book, data = load_survey_file(survey_path)
        log_grid = data.sheets.get(LOG_SHEET)
        if log_grid is None:
            raise UndoError(f"{survey_path.name}: {NOTHING_TO_UNDO}")
        try:
            plan = plan_undo(log_grid, data.sheets[book.sheet], sheet=book.sheet,
                             data_grid=data.sheets.get(DATA_SHEET))
        except LogError as exc:
            raise UndoError(f"{survey_path.name}: {exc}") from exc
        plan.words = survey.plan
        made = backup_existing(out.path, now)
        write_undo(survey_path, out.path, plan, now)
    if made is not None and echo is not None:
        echo(f"元のファイルをバックアップしました: {made}")
    return plan
