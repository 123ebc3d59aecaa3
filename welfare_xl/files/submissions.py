"""The submissions folder: every returned workbook read and checked, and why anything else is skipped.

Shared by the CLI (集約, 提出状況, 点検) and the add-in's 集約 button: one rule
(`skip_reason`) says which files are returns, so `check` and `consolidate` accept
exactly the same files. The folder is read with python-calamine after the
preflight (`welfare_xl.files.preflight`), within the master's limits; each
workbook is checked by the core against what the survey expects. Each file is
isolated: whatever goes wrong while reading or checking one (a broken zip, a
limit, a defect), that file alone is refused with a Japanese reason naming it
(`unreadable_submission`), its traceback goes to the log, and every other
file goes through. An unreadable return is refused (不採用), so the run says so
and exits 1. Lock files, old .xls files, folders and other files are listed with
a reason; the traces other systems leave (`._*`, `.DS_Store`, `Thumbs.db`,
`desktop.ini`) are not listed at all.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Callable, Iterator

from welfare_xl.core.checks import Finding, Severity, Submission, check_submission
from welfare_xl.core.consolidation.decide import consolidate_submissions
from welfare_xl.core.consolidation.result import ConsolidationResult, ReceivedFile, SkippedFile
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import Meta
from welfare_xl.core.model.survey import Config, Survey
from welfare_xl.core.reading import read_meta
from welfare_xl.errors import UserError
from welfare_xl.files.reader import XLSX_SUFFIXES, Limits, WorkbookData, WorkbookReadError, read_workbook
from welfare_xl.files.survey_file import load_survey_file

log = logging.getLogger(__name__)

LOCK_PREFIXES = ("~$", ".~")  # Excel's owner (lock) files; LibreOffice's .~lock.*#; our temp files
# What macOS, Windows Explorer and file sharing leave beside files: never a return, never listed.
NOISE_PREFIXES = ("._",)
NOISE_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})

FAILED = ("読み込み・点検の途中で予期しない問題が起きたため使えません（詳細はログにあります）。"
          "部署に Excel で開いて保存し直してもらってください。")


class FolderError(UserError):
    """The submissions folder cannot be used (exit code 2)."""


def display_name(name: str) -> str:
    """A file name as people can read it, and as JSON, a terminal and openpyxl accept it.

    A name that is not valid UTF-8 (as unzip leaves the Shift_JIS names of a zip
    made on Japanese Windows) comes from the OS with lone surrogates; its bytes are
    read as Shift_JIS (cp932) when they are that, else with U+FFFD for what cannot be read.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("cp932")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def is_noise(name: str) -> bool:
    """Files other systems leave beside the returns (`._*`, `.DS_Store`, `Thumbs.db`, `desktop.ini`)."""
    return name.startswith(NOISE_PREFIXES) or name.lower() in NOISE_NAMES


def limits_of(expected: Meta | None) -> Limits:
    """The file limits of the survey the returns belong to; the defaults when none is known."""
    return Limits.of(expected.survey.config if expected is not None else Config())


def read_return(path: Path, limits: Limits, sheet: str | None = None) -> WorkbookData:
    """A return's sheets that matter (管理情報 and the indicator table's, or `sheet`), within `limits`."""
    if sheet is not None:
        return read_workbook(path, [sheet, META_SHEET], limits=limits)
    return read_workbook(path, limits=limits, tables_only=True)


def check_return(name: str, data: WorkbookData, expected: Meta | None, reference: Survey | None,
                 sheet: str | None = None) -> Submission:
    """The core's check of a return as read: its grids, saved time and the cells the grids hide
    (error values, formulas never calculated), the same for `check` and the folder."""
    return check_submission(name, data.sheets, data.sheet_order, expected=expected, saved=data.modified,
                            reference=reference, sheet=sheet, hidden=data.hidden)


# Told after each entry of the folder: (entries done, entries in all, the entry's name as shown).
Progress = Callable[[int, int, str], None]


def scan_folder(folder: str | Path, expected: Meta, reference: Survey | None = None, *,
                progress: Progress | None = None) -> tuple[list[ReceivedFile], list[SkippedFile]]:
    """Read and check every workbook in `folder` (not its subfolders); say why anything else is skipped.

    `reference` is the master survey: each file's locked cells (history, target) are compared with it.
    A file that cannot be read or checked is received as refused, with the reason (`unreadable_submission`).
    `progress` is told after each entry (the CLI's progress bar, the add-in's status bar).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderError(f"{folder}: 提出ファイルのフォルダがありません。")
    limits = limits_of(expected)
    # os.scandir: what each entry is comes with the listing (no stat per file where the system
    # says it, as Windows and most Linux file systems do; on a network share that matters).
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    skipped: list[SkippedFile] = []
    returns: list[tuple[Path, str]] = []
    used: set[str] = set()
    for entry in entries:
        if is_noise(entry.name):
            log.info("not listed: %r", entry.name)
            continue
        name = _unique(display_name(entry.name), used)
        reason = skip_reason(entry)
        if reason:
            skipped.append(SkippedFile(name, reason, refused=looks_like_return(entry)))
            log.info("skipped %s: %s", name, reason)
            continue
        returns.append((Path(entry.path), name))
    received: list[ReceivedFile] = []
    # One result per return, in name order, whether read here or by worker processes (`pool`);
    # `progress` hears of every entry once, in folder order, as its turn comes.
    results = iter(checked_returns(returns, expected, reference, limits))
    pending = {str(path) for path, _ in returns}
    for done, entry in enumerate(entries, 1):
        if entry.path in pending:
            received.append(ReceivedFile(next(results), _mtime(entry)))
        if progress is not None:
            progress(done, len(entries), display_name(entry.name))
    return received, skipped


def checked_returns(returns: list[tuple[Path, str]], expected: Meta, reference: Survey | None,
                    limits: Limits) -> Iterator[Submission]:
    """Each (path, name)'s checked submission, in order: read here, or by worker processes when
    the folder is large enough for them to pay (`welfare_xl.files.pool`)."""
    from welfare_xl.files import pool

    workers = pool.workers_for(len(returns))
    if workers > 1:
        return pool.map_chunks(_check_chunk, returns, (expected, reference, limits), workers)
    return (read_and_check(path, name, expected, reference, limits) for path, name in returns)


def _check_chunk(chunk: list[tuple[Path, str]], expected: Meta, reference: Survey | None,
                 limits: Limits) -> list[Submission]:
    """A worker's share of the folder, in order (the survey, figures and limits reach it once, see `pool`)."""
    return [read_and_check(path, name, expected, reference, limits) for path, name in chunk]


def read_and_check(path: Path, name: str, expected: Meta, reference: Survey | None, limits: Limits) -> Submission:
    """One file, isolated: its checked submission, or a refused one saying why it could not be read."""
    data = None
    try:
        data = read_return(path, limits)
        return check_return(name, data, expected, reference)
    except WorkbookReadError as exc:
        log.info("unreadable %s: %s", name, exc)
        return unreadable_submission(name, str(exc), exc.code)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - one file never stops the others (a native panic is a BaseException)
        log.exception("reading or checking %s failed", name)
        sub = unreadable_submission(name, FAILED, "read_failed")
        if data is not None:
            _attribute(sub, data, expected)
        return sub


def _attribute(sub: Submission, data: WorkbookData, expected: Meta) -> None:
    """Name the department of a file that failed its check, when its 管理情報 says it is of this survey:
    the 提出状況 then says that department's return is unusable rather than missing."""
    try:
        meta = read_meta(data.sheets)
    except Exception:  # noqa: BLE001 - no usable 管理情報: the file stays of no department
        return
    got, want = meta.survey, expected.survey
    if (got.plan.id, got.fiscal_year, got.template_version) == (want.plan.id, want.fiscal_year,
                                                                 want.template_version):
        sub.meta, sub.department, sub.saved = meta, meta.department, data.modified


def unreadable_submission(name: str, reason: str, code: str = "unreadable") -> Submission:
    """A file that could not be read or checked, as a refused submission: the core rejects it, naming why."""
    finding = Finding(Severity.ERROR, code, reason, file=name)
    return Submission(file=name, findings=[finding], fatal=True)


def _mtime(entry: Path | os.DirEntry) -> datetime | None:
    try:
        return datetime.fromtimestamp(entry.stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def _unique(name: str, used: set[str]) -> str:
    """`name`, or `name (2)` ... when two entries show the same name (results are keyed by it)."""
    shown, n = name, 1
    while shown in used:
        n += 1
        shown = f"{name} ({n})"
    used.add(shown)
    return shown


# Spreadsheets of another format: a department's return saved the wrong way, which the
# secretariat must chase (refused, so the run exits 1), not a stray file (対象外).
OTHER_SPREADSHEETS = {
    ".xls": "古い形式（.xls）",
    ".xlsb": "バイナリ形式（.xlsb）",
    ".ods": "OpenDocument 形式（.ods）",
    ".csv": "CSV 形式（.csv）",
    ".xltx": "テンプレート形式（.xltx）",
    ".xltm": "テンプレート形式（.xltm）",
}


def skip_reason(path: Path | os.DirEntry) -> str | None:
    """Why the entry at `path` is not read as a return (Japanese), or None to read it: the one rule of
    which files are returns, for the folder (集約, 提出状況) and for `check` alike."""
    name = path.name
    if path.is_symlink():
        # Its content lives elsewhere: reading it would take (and show) a file outside the folder.
        return ("別の場所のファイルへのリンク（シンボリックリンク）のため読み込みません。"
                "ファイルそのものを提出フォルダに置いてください。")
    if path.is_dir():
        return "フォルダのため読み込みません（提出ファイルはフォルダの直下に置いてください）。"
    if name.startswith(LOCK_PREFIXES):
        return "Excel などがファイルを開いている間に作る一時ファイル（ロックファイル）のため読み込みません。"
    suffix = PurePath(name).suffix.lower()
    if suffix in OTHER_SPREADSHEETS:
        return (f"{OTHER_SPREADSHEETS[suffix]}のため読み込めません。配布した様式を Excel で開き、"
                "「Excel ブック（.xlsx）」のまま保存して提出してもらってください。")
    if suffix not in XLSX_SUFFIXES:
        return "Excel ブック（.xlsx / .xlsm）ではないため読み込みません。"
    if not path.is_file():
        return "通常のファイルではないため読み込みません。"
    return None


def looks_like_return(path: Path | os.DirEntry) -> bool:
    """A skipped entry that was probably meant as a return (a link, a spreadsheet saved in another
    format): it is refused, named, and the run exits 1, where a stray file is only listed."""
    return path.is_symlink() or PurePath(path.name).suffix.lower() in OTHER_SPREADSHEETS


def consolidate_folder(survey_path: str | Path, folder: str | Path, *, run_at: datetime | None = None,
                       progress: Progress | None = None) -> ConsolidationResult:
    """What consolidating `folder` into the survey file would do, decided by the core; nothing is written.

    The survey is read from its file; the folder's returns are checked against
    it (its metadata, its locked cells and its file limits), as 集約 and 提出状況 both need.
    """
    survey_path = Path(survey_path)
    survey, book, _ = load_survey_file(survey_path)
    received, skipped = scan_folder(folder, book.meta, survey, progress=progress)
    return consolidate_submissions(survey, book.table, received, sheet=book.sheet, skipped=skipped, run_at=run_at,
                                   survey_file=display_name(str(survey_path.resolve())),
                                   folder=display_name(str(Path(folder).resolve())))
