"""`welfare-xl consolidate`: a folder of returned department workbooks into the survey file.

Orchestration over `welfare_xl.core.consolidation`: the folder is read and
checked (`welfare_xl.files.submissions`), the core decides, and the survey is
written with only the changed cells and a fresh 集約ログ sheet
(`welfare_xl.files.survey_edit`), saved atomically. Writing over the survey
itself first keeps a timestamped backup beside it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from welfare_xl.core.consolidation.result import ConsolidationResult
from welfare_xl.files.atomic import backup_if_overwriting
from welfare_xl.files.submissions import consolidate_folder
from welfare_xl.files.survey_edit import write_result


def consolidate(survey_path: str | Path, submissions_dir: str | Path, out_path: str | Path, *,
                now: datetime | None = None) -> ConsolidationResult:
    """Consolidate `submissions_dir` into the survey and write the result to `out_path`.

    `out_path` may be the survey itself: a backup `<name>.backup-YYYYMMDD-HHMMSS.xlsx`
    is made beside it first. Raises UserError when the survey or folder cannot be
    read or the output cannot be written.
    """
    survey_path, out = Path(survey_path), Path(out_path)
    now = (now or datetime.now()).replace(microsecond=0)
    result = consolidate_folder(survey_path, submissions_dir, run_at=now)
    result.output = str(out)
    made = backup_if_overwriting(survey_path, out, now)  # also 調査票.XLSX on Windows
    if made is not None:
        result.backup = str(made)
    write_result(survey_path, out, result)
    return result
