"""`welfare-xl check`: check a department's returned worksheet file.

A file that is not a department's return at all (the survey workbook itself, or
its master sheet named with `--sheet`) is refused like any wrong kind of file
(`UnreadableFile`, exit code 2), not reported as a return with errors to fix.

The file is accepted by the same rule as in the submissions folder
(`files.submissions.skip_reason`) and read within the same limits (the
survey's with `--survey`, else the defaults), so `check` passes no file that
`consolidate` would leave out.
"""

from __future__ import annotations

import logging
from pathlib import Path

from welfare_xl.core.checks import Submission
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid
from welfare_xl.errors import UserError
from welfare_xl.files.reader import WorkbookReadError
from welfare_xl.files.submissions import FAILED, check_return, display_name, limits_of, read_return, skip_reason
from welfare_xl.files.survey_file import load_survey_file

log = logging.getLogger(__name__)


class UnreadableFile(UserError):
    """The file to check cannot be read at all (exit code 2)."""


def check(path: str | Path, survey: str | Path | None = None, sheet: str | None = None) -> Submission:
    """Read `path` and check it; with `survey`, also that it belongs to that survey and year,
    and that its locked cells (history, target) still hold the survey's figures. `sheet`
    names the sheet to check (a department sheet inside the survey workbook)."""
    path = Path(path)
    name = display_name(path.name)
    if not path.exists():
        raise UnreadableFile(f"{display_name(str(path))}: ファイルがありません。")
    reason = skip_reason(path)
    if reason:
        raise UnreadableFile(f"{name}: {reason}")
    if survey:
        master, book, _ = load_survey_file(survey)
        expected, reference = book.meta, master
    else:
        expected = reference = None
    try:
        data = read_return(path, limits_of(expected), sheet)
        if sheet is not None and sheet not in data.sheets:
            raise UnreadableFile(f"{name}: シート「{sheet}」がありません（シート：{'、'.join(data.sheet_order)}）。")
        if sheet is not None and _is_master_table(data.sheets[sheet]):
            raise UnreadableFile(f"{name}: シート「{sheet}」は集約用の表（部署の列がある表）で、部署別シートでは"
                                 "ありません。点検する部署別シートを --sheet で指定してください。")
        sub = check_return(name, data, expected, reference, sheet)
    except WorkbookReadError as exc:
        raise UnreadableFile(f"{name}: {exc}") from exc
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence naming the file; the log gets the rest
        log.exception("checking %s failed", name)
        raise UnreadableFile(f"{name}: {FAILED}") from exc
    survey_file = next((f for f in sub.errors if f.code == SURVEY_FILE), None)
    if survey_file is not None:  # the master itself: nothing for a department to fix and submit
        raise UnreadableFile(f"{name}: {survey_file.message}")
    return sub


SURVEY_FILE = "survey_file"  # the core's finding for a survey workbook checked as a return


def _is_master_table(grid: Grid) -> bool:
    """The sheet holds the survey's own table (with its 担当部署 column), not a department's."""
    table = layout.find_table(grid)
    return table is not None and layout.DEPARTMENT in table.columns
