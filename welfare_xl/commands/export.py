"""`welfare-xl export`: a consolidated survey as a tidy CSV that Excel opens correctly.

UTF-8 with a byte order mark (utf-8-sig): without the BOM, Japanese Excel
reads a CSV as Shift_JIS and shows mojibake. Text cells that begin with = + - @
(or a tab / carriage return) get a leading apostrophe, because Excel would run
them as formulas when the CSV is opened (CSV injection); numbers are untouched.
pandas is imported only when the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from welfare_xl.errors import UserError
from welfare_xl.files.atomic import backup_existing, check_output, why_not_written, write_atomic
from welfare_xl.files.survey_file import load_survey_file

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(UserError):
    """The CSV cannot be written; the message names the file."""


def defuse(text: object) -> object:
    """A text Excel would take for a formula, made inert; anything else unchanged."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@dataclass
class ExportResult:
    path: Path
    graded: bool  # False when every indicator is 評価不能 (most likely never consolidated): exit code 1
    backup: Path | None = None


def read_consolidated(path: str | Path) -> "pd.DataFrame":
    """The tidy table of a survey workbook (consolidated or not), read with python-calamine."""
    from welfare_xl.core.tidy import tidy_frame

    survey, _, _ = load_survey_file(path)
    return tidy_frame(survey)


def export(consolidated_path: str | Path, csv_path: str | Path, *, now: datetime | None = None) -> ExportResult:
    """Write the tidy table of `consolidated_path` to `csv_path` (UTF-8 with BOM), atomically.

    The path must end in .csv and may not be the survey or another welfare-xl
    workbook; a file already there is first copied to a timestamped backup.
    The CSV is written even when nothing could be graded (`graded` says so).
    """
    from welfare_xl.core.committee_report import nothing_graded
    from welfare_xl.core.sheets.committee import resolve_grades
    from welfare_xl.core.tidy import tidy_frame

    src = Path(consolidated_path)
    out = check_output(csv_path, suffix=".csv", survey=src, label="CSV ")
    survey, _, _ = load_survey_file(src)
    frame = tidy_frame(survey)
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(defuse)
    made = backup_existing(out.path, (now or datetime.now()).replace(microsecond=0))
    try:
        write_atomic(out.path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n"))
    except OSError as exc:
        raise ExportError(f"{out.given}: {why_not_written(out.path, exc)}元のファイルは変更していません。") from exc
    return ExportResult(path=out.given, graded=not nothing_graded(resolve_grades(survey)), backup=made)


def export_csv(consolidated_path: str | Path, csv_path: str | Path) -> Path:
    """`export`, returning the path written."""
    return export(consolidated_path, csv_path).path
