"""`welfare-xl status`: which departments have submitted, from the folder alone; nothing is written."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.consolidation.result import SubmissionStatus
from welfare_xl.files.submissions import consolidate_folder


def submission_status(survey_path: str | Path, submissions_dir: str | Path) -> SubmissionStatus:
    """The 提出状況 of the survey's departments, as consolidation would see the folder now."""
    return SubmissionStatus.of(consolidate_folder(survey_path, submissions_dir))
