"""`welfare-xl check`: check a department's returned worksheet file.

The file is accepted by the same rule as in the submissions folder
(`files.submissions.skip_reason`) and read within the same limits (the
survey's with `--survey`, else the defaults), so `check` passes no file that
`consolidate` would leave out.
"""

from __future__ import annotations

import logging
from pathlib import Path

from welfare_xl.core.checks import Submission
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
        return check_return(name, data, expected, reference, sheet)
    except WorkbookReadError as exc:
        raise UnreadableFile(f"{name}: {exc}") from exc
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence naming the file; the log gets the rest
        log.exception("checking %s failed", name)
        raise UnreadableFile(f"{name}: {FAILED}") from exc
