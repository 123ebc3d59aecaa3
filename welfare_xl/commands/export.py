"""`welfare-xl export`: a consolidated survey as a tidy CSV that Excel opens correctly.

UTF-8 with a byte order mark (utf-8-sig): without the BOM, Japanese Excel
reads a CSV as Shift_JIS and shows mojibake. Text cells that begin with = + - @
(or a tab / carriage return) get a leading apostrophe, because Excel would run
them as formulas when the CSV is opened (CSV injection); numbers are untouched.
pandas is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from welfare_xl.errors import UserError
from welfare_xl.files.atomic import write_atomic
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


def read_consolidated(path: str | Path) -> "pd.DataFrame":
    """The tidy table of a survey workbook (consolidated or not), read with python-calamine."""
    from welfare_xl.core.tidy import tidy_frame

    survey, _, _ = load_survey_file(path)
    return tidy_frame(survey)


def export_csv(consolidated_path: str | Path, csv_path: str | Path) -> Path:
    """Write the tidy table of `consolidated_path` to `csv_path` (UTF-8 with BOM), atomically."""
    frame = read_consolidated(consolidated_path)
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].map(defuse)
    out = Path(csv_path)
    try:
        write_atomic(out, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n"))
    except PermissionError as exc:
        raise ExportError(f"{out.name}: 保存できません。Excel で開いている場合は閉じてから、もう一度実行してください。") from exc
    except OSError as exc:
        raise ExportError(f"{out.name}: 保存できません（{exc}）。") from exc
    return out
