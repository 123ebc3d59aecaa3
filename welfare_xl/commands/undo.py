"""`welfare-xl undo`: 元に戻す on a file, putting back what the last consolidation (its 集約ログ) overwrote."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from welfare_xl.core.consolidation.log import LOG_SHEET, LogError
from welfare_xl.core.consolidation.result import UndoPlan
from welfare_xl.core.consolidation.undo import NOTHING_TO_UNDO, plan_undo
from welfare_xl.errors import UserError
from welfare_xl.files.survey_edit import write_undo
from welfare_xl.files.survey_file import load_survey_file


class UndoError(UserError):
    """元に戻す cannot be done on this file (exit code 2); nothing is written."""


def undo(survey_path: str | Path, out_path: str | Path | None = None, *,
         now: datetime | None = None) -> UndoPlan:
    """元に戻す on a file: put back what the last consolidation (its 集約ログ) overwrote.

    Each logged cell is found again in the master sheet as it is now, by indicator
    ID and column key (rows or columns may have been inserted since); cells edited
    by hand since, and changes whose row or column is gone, are left alone and
    listed in the returned plan. The log is kept as 集約ログ（取消済）, so the same
    consolidation is never undone twice. Writing over the survey itself (the
    default) first keeps a timestamped backup beside it.
    """
    survey_path = Path(survey_path)
    out = Path(out_path) if out_path is not None else survey_path
    _, book, data = load_survey_file(survey_path)
    log_grid = data.sheets.get(LOG_SHEET)
    if log_grid is None:
        raise UndoError(f"{survey_path.name}: {NOTHING_TO_UNDO}")
    try:
        plan = plan_undo(log_grid, data.sheets[book.sheet], sheet=book.sheet)
    except LogError as exc:
        raise UndoError(f"{survey_path.name}: {exc}") from exc
    write_undo(survey_path, out, plan, (now or datetime.now()).replace(microsecond=0))
    return plan
