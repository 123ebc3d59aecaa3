"""`welfare-xl consolidate`: a folder of returned department workbooks into the survey file.

Orchestration over `welfare_xl.core.consolidation`: the output path is checked
(`welfare_xl.files.atomic.check_output`), the output's lock is taken before the
survey is read and kept until it is written (`welfare_xl.files.lock`: two runs on
one master never lose an update, the second waits and reads the first's result),
the folder is read and checked (`welfare_xl.files.submissions`), the core decides,
an existing output gets a timestamped backup, and the survey is written with only
the changed cells and a fresh 集約ログ sheet (`welfare_xl.files.survey_edit`),
saved atomically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.consolidation.result import ConsolidationResult
from welfare_xl.core.model.metadata import SURVEY
from welfare_xl.files.atomic import backup_existing, check_output, workbook_suffix
from welfare_xl.files.lock import locked
from welfare_xl.files.submissions import Progress, consolidate_folder
from welfare_xl.files.survey_edit import write_result


def consolidate(survey_path: str | Path, submissions_dir: str | Path, out_path: str | Path, *,
                now: datetime | None = None, echo: Callable[[str], None] | None = None,
                progress: Progress | None = None) -> ConsolidationResult:
    """Consolidate `submissions_dir` into the survey and write the result to `out_path`.

    `out_path` may be the survey itself (or an earlier result): the file there is
    first copied to `<name>.backup-YYYYMMDD-HHMMSS.xlsx` beside it. It may not be
    in the submissions folder, a department's workbook, or of another type than
    the survey (.xlsx / .xlsm). `echo` receives a Japanese line when the run waits
    for another one on the same file; `progress` is told after each file of the folder. Raises UserError when the survey or folder
    cannot be read or the output cannot be written.
    """
    survey_path = Path(survey_path)
    now = (now or datetime.now()).replace(microsecond=0)
    out = check_output(out_path, suffix=workbook_suffix(survey_path), survey=survey_path,
                       submissions=submissions_dir, in_place=True, replaceable=(SURVEY,))
    with locked(out.path, on_wait=echo):  # from before the survey is read until the result is written
        result = consolidate_folder(survey_path, submissions_dir, run_at=now, progress=progress)
        result.output = str(out.given)
        made = backup_existing(out.path, now)  # also 調査票.XLSX on Windows
        if made is not None:
            result.backup = str(made)
        write_result(survey_path, out.path, result)
    return result
