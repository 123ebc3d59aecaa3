"""`welfare-xl status`: which departments have submitted, from the folder alone; nothing is written."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.consolidation.result import SubmissionStatus
from welfare_xl.files.submissions import Progress, consolidate_folder


def submission_status(survey_path: str | Path, submissions_dir: str | Path, *,
                      progress: Progress | None = None) -> SubmissionStatus:
    """The 提出状況 of the survey's departments, as consolidation would see the folder now
    (`progress` is told after each file of the folder)."""
    return SubmissionStatus.of(consolidate_folder(survey_path, submissions_dir, progress=progress))
