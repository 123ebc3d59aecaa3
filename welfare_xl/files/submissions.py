"""The submissions folder: every returned workbook read and checked, and why anything else is skipped.

Shared by the CLI (集約, 提出状況) and the add-in's 集約 button: the folder is
read with python-calamine, each workbook checked by the core against what the
survey expects; lock files, old .xls files, folders and other files are
listed with a Japanese reason instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from welfare_xl.core.checks import check_submission
from welfare_xl.core.consolidation.decide import consolidate_submissions
from welfare_xl.core.consolidation.result import ConsolidationResult, ReceivedFile, SkippedFile
from welfare_xl.core.model.metadata import Meta
from welfare_xl.core.model.survey import Survey
from welfare_xl.errors import UserError
from welfare_xl.files.reader import XLSX_SUFFIXES, WorkbookReadError, read_workbook
from welfare_xl.files.survey_file import load_survey_file

log = logging.getLogger(__name__)

LOCK_PREFIXES = ("~$", ".~")  # Excel's owner (lock) files; LibreOffice's .~lock.*#; our temp files

UNREADABLE = ("Excel ファイルとして開けません（壊れている、パスワードが付いている、"
              "または拡張子だけが .xlsx の別のファイルです）。部署に保存し直してもらってください。")


class FolderError(UserError):
    """The submissions folder cannot be used (exit code 2)."""


def scan_folder(folder: str | Path, expected: Meta,
                reference: Survey | None = None) -> tuple[list[ReceivedFile], list[SkippedFile]]:
    """Read and check every workbook in `folder` (not its subfolders); say why anything else is skipped.

    `reference` is the master survey: each file's locked cells (history, target) are compared with it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderError(f"{folder}: 提出ファイルのフォルダがありません。")
    received: list[ReceivedFile] = []
    skipped: list[SkippedFile] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        name = path.name
        reason = skip_reason(path)
        if reason:
            skipped.append(SkippedFile(name, reason))
            log.info("skipped %s: %s", name, reason)
            continue
        try:
            data = read_workbook(path)
        except WorkbookReadError:
            skipped.append(SkippedFile(name, UNREADABLE))
            continue
        sub = check_submission(name, data.sheets, data.sheet_order, expected=expected, saved=data.modified,
                               reference=reference)
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        received.append(ReceivedFile(sub, mtime))
    return received, skipped


def skip_reason(path: Path) -> str | None:
    """Why the folder entry at `path` is not read as a return (Japanese), or None to read it."""
    name = path.name
    if path.is_dir():
        return "フォルダのため読み込みません（提出ファイルはフォルダの直下に置いてください）。"
    if name.startswith(LOCK_PREFIXES):
        return "Excel などがファイルを開いている間に作る一時ファイル（ロックファイル）のため読み込みません。"
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return "古い形式（.xls）のため読み込めません。配布した .xlsx の様式で提出してもらってください。"
    if suffix not in XLSX_SUFFIXES:
        return "Excel ブック（.xlsx / .xlsm）ではないため読み込みません。"
    return None


def consolidate_folder(survey_path: str | Path, folder: str | Path, *,
                       run_at: datetime | None = None) -> ConsolidationResult:
    """What consolidating `folder` into the survey file would do, decided by the core; nothing is written.

    The survey is read from its file; the folder's returns are checked against
    it (its metadata and its locked cells), as 集約 and 提出状況 both need.
    """
    survey_path = Path(survey_path)
    survey, book, _ = load_survey_file(survey_path)
    received, skipped = scan_folder(folder, book.meta, survey)
    return consolidate_submissions(survey, book.table, received, sheet=book.sheet, skipped=skipped, run_at=run_at,
                                   survey_file=str(survey_path.resolve()), folder=str(Path(folder).resolve()))
