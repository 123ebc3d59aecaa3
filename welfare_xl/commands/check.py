"""`welfare-xl check`: check a department's returned worksheet file."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.checks import Submission, check_submission
from welfare_xl.errors import UserError
from welfare_xl.files.reader import WorkbookReadError, read_workbook
from welfare_xl.files.survey_file import load_survey_file


class UnreadableFile(UserError):
    """The file to check cannot be read at all (exit code 2)."""


def check(path: str | Path, survey: str | Path | None = None, sheet: str | None = None) -> Submission:
    """Read `path` and check it; with `survey`, also that it belongs to that survey and year,
    and that its locked cells (history, target) still hold the survey's figures. `sheet`
    names the sheet to check (a department sheet inside the survey workbook)."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path}: ファイルがありません。")
    try:
        data = read_workbook(path)
    except WorkbookReadError as exc:
        raise UnreadableFile(str(exc)) from exc
    if survey:
        master, book, _ = load_survey_file(survey)
        expected, reference = book.meta, master
    else:
        expected = reference = None
    if sheet is not None and sheet not in data.sheets:
        raise UnreadableFile(f"{path.name}: シート「{sheet}」がありません（シート：{'、'.join(data.sheet_order)}）。")
    return check_submission(path.name, data.sheets, data.sheet_order, expected=expected, saved=data.modified,
                            reference=reference, sheet=sheet)
