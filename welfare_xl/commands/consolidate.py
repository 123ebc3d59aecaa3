"""Consolidate a folder of returned department workbooks into the survey file.

File adapter over `welfare_xl.core.consolidation`: reads the folder with
python-calamine, lets the core decide, then opens the survey with openpyxl
(keeping its styles), writes only the changed cells and a fresh 集約ログ
sheet, and saves atomically. Writing over the survey itself first keeps a
timestamped backup beside it. `undo` puts back, from the 集約ログ alone, what
the last consolidation changed (the add-in's 元に戻す on a file).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from welfare_xl.core.checks import check_submission
from welfare_xl.core.consolidation.decide import consolidate_submissions
from welfare_xl.core.consolidation.log import LOG_SHEET, UNDONE_SUFFIX, LogError, log_sheet_spec
from welfare_xl.core.consolidation.result import (
    CellChange, ConsolidationResult, ReceivedFile, SkippedFile, SubmissionStatus, UndoPlan,
)
from welfare_xl.core.consolidation.undo import NOTHING_TO_UNDO, plan_undo
from welfare_xl.errors import UserError
from welfare_xl.core.model.metadata import Meta
from welfare_xl.core.model.survey import Survey
from welfare_xl.files.xlsx import XLSX_SUFFIXES, WorkbookReadError, _StyleCache, read_workbook, render_sheet, save_atomic
from welfare_xl.files.survey_file import load_survey_file

log = logging.getLogger(__name__)

LOCK_PREFIXES = ("~$", ".~")  # Excel's owner (lock) files; LibreOffice's .~lock.*#; our temp files


class FolderError(UserError):
    """The submissions folder cannot be used (exit code 2)."""


class OutputError(UserError):
    """The result cannot be written (exit code 2); the survey is left as it was."""


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
        reason = _skip_reason(path)
        if reason:
            skipped.append(SkippedFile(name, reason))
            log.info("skipped %s: %s", name, reason)
            continue
        try:
            data = read_workbook(path)
        except WorkbookReadError:
            skipped.append(SkippedFile(name, "Excel ファイルとして開けません（壊れている、パスワードが付いている、"
                                             "または拡張子だけが .xlsx の別のファイルです）。部署に保存し直してもらってください。"))
            continue
        sub = check_submission(name, data.sheets, data.sheet_order, expected=expected, saved=data.modified,
                               reference=reference)
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        received.append(ReceivedFile(sub, mtime))
    return received, skipped


def _skip_reason(path: Path) -> str | None:
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


def consolidate(survey_path: str | Path, submissions_dir: str | Path, out_path: str | Path, *,
                now: datetime | None = None) -> ConsolidationResult:
    """Consolidate `submissions_dir` into the survey and write the result to `out_path`.

    `out_path` may be the survey itself: a backup `<name>.backup-YYYYMMDD-HHMMSS.xlsx`
    is made beside it first. Raises UserError when the survey or folder cannot be
    read or the output cannot be written.
    """
    survey_path, out = Path(survey_path), Path(out_path)
    now = (now or datetime.now()).replace(microsecond=0)
    survey, book, _ = load_survey_file(survey_path)
    received, skipped = scan_folder(submissions_dir, book.meta, survey)
    result = consolidate_submissions(survey, book.table, received, sheet=book.sheet, skipped=skipped, run_at=now,
                                     survey_file=str(survey_path.resolve()),
                                     folder=str(Path(submissions_dir).resolve()))
    result.output = str(out)
    if out.exists() and os.path.samefile(out, survey_path):  # also 調査票.XLSX on Windows
        result.backup = str(backup(survey_path, now))
    write_result(survey_path, out, result)
    return result


def submission_status(survey_path: str | Path, submissions_dir: str | Path) -> SubmissionStatus:
    """Which departments have submitted, from the folder alone; nothing is written."""
    survey, book, _ = load_survey_file(survey_path)
    received, skipped = scan_folder(submissions_dir, book.meta, survey)
    result = consolidate_submissions(survey, book.table, received, sheet=book.sheet, skipped=skipped,
                                     survey_file=str(Path(survey_path).resolve()),
                                     folder=str(Path(submissions_dir).resolve()))
    return SubmissionStatus.of(result)


def backup(path: Path, now: datetime) -> Path:
    """Copy `path` to `<stem>.backup-YYYYMMDD-HHMMSS<suffix>` beside it (never over an earlier backup)."""
    stem = f"{path.stem}.backup-{now:%Y%m%d-%H%M%S}"
    target = path.with_name(stem + path.suffix)
    n = 2
    while target.exists():
        target = path.with_name(f"{stem}-{n}{path.suffix}")
        n += 1
    try:
        shutil.copy2(path, target)
    except OSError as exc:
        raise OutputError(f"{path.name}: バックアップ {target.name} を作れないため、集約を中止しました（{exc}）。") from exc
    return target


def write_result(survey_path: Path, out: Path, result: ConsolidationResult) -> Path:
    """The survey with the result's changes and a fresh log sheet, saved atomically to `out`."""
    wb = _open_for_writing(survey_path)
    apply_changes(wb, result.changes)
    if LOG_SHEET in wb.sheetnames:
        del wb[LOG_SHEET]
    render_sheet(wb.create_sheet(LOG_SHEET), log_sheet_spec(result))
    return _save(wb, out)


def undo(survey_path: str | Path, out_path: str | Path | None = None, *,
         now: datetime | None = None) -> UndoPlan:
    """元に戻す on a file: put back what the last consolidation (its 集約ログ) overwrote.

    Each logged cell is found again in the master sheet as it is now, by indicator
    ID and column key (rows or columns may have been inserted since); cells edited
    by hand since, and changes whose row or column is gone, are left alone and
    listed in the returned plan. The log is kept as 集約ログ（取消済）, so the same
    consolidation is never undone twice. Writing over the survey itself (the
    default) first keeps a timestamped backup beside it.
    """
    survey_path = Path(survey_path)
    out = Path(out_path) if out_path is not None else survey_path
    _, book, data = load_survey_file(survey_path)
    log_grid = data.sheets.get(LOG_SHEET)
    if log_grid is None:
        raise UndoError(f"{survey_path.name}: {NOTHING_TO_UNDO}")
    try:
        plan = plan_undo(log_grid, data.sheets[book.sheet], sheet=book.sheet)
    except LogError as exc:
        raise UndoError(f"{survey_path.name}: {exc}") from exc
    wb = _open_for_writing(survey_path)
    apply_changes(wb, plan.restore)
    undone = LOG_SHEET + UNDONE_SUFFIX
    if undone in wb.sheetnames:
        del wb[undone]
    wb[LOG_SHEET].title = undone
    if out.exists() and os.path.samefile(out, survey_path):
        backup(survey_path, (now or datetime.now()).replace(microsecond=0))
    _save(wb, out)
    return plan


class UndoError(UserError):
    """元に戻す cannot be done on this file (exit code 2); nothing is written."""


def _open_for_writing(survey_path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(survey_path, keep_vba=survey_path.suffix.lower() == ".xlsm")
    except Exception as exc:  # openpyxl raises many types for a file it cannot load
        raise OutputError(f"{survey_path.name}: 調査票を書き込み用に開けません（{type(exc).__name__}）。") from exc


def _save(wb: Any, out: Path) -> Path:
    try:
        save_atomic(wb, out)
        return out
    except PermissionError as exc:
        raise OutputError(f"{out.name}: 保存できません。Excel で開いている場合は閉じてから、もう一度実行してください。"
                          "調査票は変更していません。") from exc
    except OSError as exc:
        raise OutputError(f"{out.name}: 保存できません（{exc}）。調査票は変更していません。") from exc


def apply_changes(wb: Any, changes: Iterable[CellChange]) -> None:
    """Write cell changes into an openpyxl workbook: strings as text (never formulas), styles where given."""
    from openpyxl.cell.cell import MergedCell

    cache = _StyleCache()
    for ch in changes:
        if ch.sheet not in wb.sheetnames:
            raise OutputError(f"シート「{ch.sheet}」がないため、セル {ch.ref}（指標［{ch.indicator_id}］）に書き込めません。")
        cell = wb[ch.sheet].cell(row=ch.row + 1, column=ch.col + 1)
        if isinstance(cell, MergedCell):
            raise OutputError(f"シート「{ch.sheet}」のセル {ch.ref}（指標［{ch.indicator_id}］）は結合セルの途中のため書き込めません。"
                              "結合を元の形に戻してから集約してください。")
        cell.value = ch.new
        if isinstance(ch.new, str):
            # openpyxl makes a formula of any string starting with '='; a department's
            # text ("=1+1", "+81", "@SUM(A1)") must stay the text it typed.
            cell.data_type = "s"
        if ch.style is not None:
            cache.apply(cell, ch.style)
