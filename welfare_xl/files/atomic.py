"""Outputs that never destroy a file: where a command may write, the backup first, then the file whole.

`check_output` is the one place that decides whether a path may be written and
how: it refuses the survey itself (unless the command works in place), a file in
the submissions folder, a workbook of welfare-xl (a department's return, a
survey) that the command must not replace, and a name of another type than
what is written (`.csv` for CSV, the survey's own `.xlsx`/`.xlsm` for a
workbook); it follows a symbolic link to the file it points to.

`write_atomic` writes every file of the project: under the target's lock
(`welfare_xl.files.lock`), the new content goes to a temporary file beside the
target, is flushed to disk (fsync), given the permission bits of the file it
replaces and renamed over it, so readers never see half a file and a failed or
killed write leaves the old one as it was. `save_atomic` does it for an
openpyxl workbook and says in Japanese why a save failed (`WriteError`).
`backup_existing` copies an existing target to a short timestamped name beside
it first, whole or not at all.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from welfare_xl.errors import UserError
from welfare_xl.files.lock import TEMP_PREFIX, locked, real_path, temp_prefix
from welfare_xl.files.write_errors import io_error, why_not_written

__all__ = ["TEMP_PREFIX", "OutputError", "Output", "WriteError", "backup", "backup_existing", "check_output",
           "save_atomic", "same_file", "why_not_written", "workbook_suffix", "write_atomic"]

log = logging.getLogger(__name__)

BACKUP_STEM_CHARS = 40  # a backup keeps at most this much of the original name
BACKUP_NAME_BYTES = 200  # and its name stays well under the file systems' 255


class WriteError(UserError):
    """A file could not be saved; says where and what to do, in Japanese."""

    def __init__(self, path: Path, exc: OSError) -> None:
        super().__init__(f"{path}: {why_not_written(path, exc)}元のファイルは変更していません。")


class OutputError(UserError):
    """The result cannot be written there (exit code 2); the file it was to replace is left as it was."""


# --- may this path be written, and how ------------------------------------------------------


@dataclass(frozen=True)
class Output:
    """A path a command may write: `path` is the real file (links followed), `given` as the user named it."""

    path: Path
    given: Path
    in_place: bool  # the survey itself is rewritten

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def workbook_suffix(survey: str | Path) -> str:
    """The suffix a workbook written from `survey` must have: its own macro-ness (.xlsm or .xlsx)."""
    return ".xlsm" if Path(survey).suffix.lower() == ".xlsm" else ".xlsx"


def check_output(out: str | Path, *, suffix: str, survey: str | Path | None = None,
                 submissions: str | Path | None = None, in_place: bool = False,
                 replaceable: tuple[str, ...] = (), label: str | None = None) -> Output:
    """May `out` be written by a command reading `survey`? `OutputError` (Japanese) when it may not.

    Refused: a name not ending in `suffix`; a folder; the survey itself unless
    `in_place`; anything inside the `submissions` folder; an existing workbook of
    welfare-xl (its 管理情報 says kind=survey or department) unless its kind is
    in `replaceable`. A symbolic link is followed: the file it points to is written.
    `label` names what is written (委員会版, CSV …) when its type is not the survey's.
    """
    given = Path(out)
    path = real_path(given)
    if path.is_dir():
        raise OutputError(f"{given}: 同じ名前のフォルダがあります。保存するファイル名（{suffix}）を指定してください。")
    if given.suffix.lower() != suffix:
        raise OutputError(_suffix_message(given, suffix, survey, label))
    this = survey is not None and same_file(path, survey)
    if this and not in_place:
        raise OutputError(f"{given}: 調査票そのものです。このコマンドの結果で調査票を上書きすることはできません。"
                          "別のファイル名を指定してください。")
    if submissions is not None and _inside(path, submissions):
        raise OutputError(f"{given}: 提出ファイルのフォルダ（{submissions}）の中です。提出ファイルを上書きしたり、"
                          "次の集約で読み込まれたりしないよう、提出フォルダの外のファイル名を指定してください。")
    if not this and path.is_file():
        refusal = _welfare_book(path, replaceable)
        if refusal:
            raise OutputError(f"{given}: {refusal}別のファイル名を指定してください。")
    return Output(path=path, given=given, in_place=this)


def _suffix_message(given: Path, suffix: str, survey: str | Path | None, label: str | None) -> str:
    if label is not None:
        return f"{given.name}: {label}の出力先は {suffix} のファイル名にしてください。"
    if survey is not None and suffix == ".xlsm":
        return (f"{given.name}: 調査票 {Path(survey).name} はマクロ有効ブック（.xlsm）のため、"
                "保存先も .xlsm のファイル名にしてください（ほかの形式では Excel で開けません）。")
    if survey is not None:
        return (f"{given.name}: 調査票 {Path(survey).name} は .xlsx のブックのため、"
                "保存先も .xlsx のファイル名にしてください（ほかの形式では Excel で開けません）。")
    return f"{given.name}: 保存先は {suffix} のファイル名にしてください。"


def _inside(path: Path, folder: str | Path) -> bool:
    root = real_path(folder)
    return root == path or root in path.parents


def _welfare_book(path: Path, replaceable: tuple[str, ...]) -> str | None:
    """Why the existing file at `path` must not be replaced (a welfare-xl workbook), or None."""
    from welfare_xl.core.model.metadata import DEPARTMENT, SURVEY
    from welfare_xl.core.model.metadata import SHEET as META_SHEET
    from welfare_xl.core.reading import read_meta
    from welfare_xl.files.reader import read_workbook

    try:
        data = read_workbook(path, sheets=[META_SHEET])
    except Exception:  # noqa: BLE001 - not a workbook we can read: not one of ours
        return None
    if META_SHEET not in data.sheets:
        return None
    try:
        kind = read_meta(data.sheets).kind
    except Exception:  # noqa: BLE001 - a 管理情報 sheet we cannot read: treat it as ours, keep it
        kind = None
    if kind in replaceable:
        return None
    if kind == DEPARTMENT:
        return "部署の調査票（提出ファイル・配布ファイル）です。上書きすることはできません。"
    if kind == SURVEY:
        return "調査票（管理情報のあるブック）です。このコマンドの結果で上書きすることはできません。"
    return "管理情報のある welfare-xl のブックです。上書きすることはできません。"


# --- writing whole --------------------------------------------------------------------------


def write_atomic(path: str | Path, write_to_temp: Callable[[Path], Any]) -> Path:
    """Write `path` whole: `write_to_temp(tmp)` fills a temporary file beside it, which then replaces it.

    The folder is made when missing; a symbolic link is followed (the file it
    points to is replaced, the link stays). The target's lock is held throughout
    (re-entrant: a command may hold it already, from before it read the file).
    The file keeps the permission bits of the one it replaces (else the umask's
    default): the temporary file is private (0600), and a master on a shared
    folder must stay readable by the colleagues who could read it before. The
    content is flushed to disk before the rename. OSError propagates (nothing is
    replaced then, and the temporary file is removed); the caller says what went
    wrong in its own words.
    """
    given = Path(path)
    target = real_path(given)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(given))
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target):
        mode = file_mode(target)
        with _temp_beside(target) as tmp:
            write_to_temp(tmp)
            _fsync_file(tmp)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        _fsync_folder(target.parent)
    return given


def save_atomic(wb: Any, path: str | Path) -> Path:
    """Save an openpyxl workbook with `write_atomic`; a failure raises `WriteError` (Japanese)."""
    path = Path(path)
    try:
        return write_atomic(path, wb.save)
    except Exception as exc:  # lxml reports a full disk as SerialisationError: see `io_error`
        failed = io_error(exc)
        if failed is None:
            raise
        # Keep the errno and its subclass (PermissionError …), not the traceback: openpyxl's
        # half-run writer generators live in it, and when they are collected lxml complains
        # about the failed file once more on stderr ("Exception ignored in …"). They are
        # collected at the end of this block, with that complaint sent to the log instead.
        failed = OSError(failed.errno, failed.strerror or str(failed)) if failed.errno else OSError(str(failed))
        hook, sys.unraisablehook = sys.unraisablehook, _log_unraisable
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    raise WriteError(path, failed)


def _log_unraisable(unraisable: Any) -> None:
    log.info("after a failed save: %r", unraisable.exc_value)


def file_mode(path: Path) -> int:
    """Permission bits for a file written at `path`: the existing file's, else the umask default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    """A temporary file beside `target`, named so that the next run under its lock removes it if we die."""
    fd, name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows' _commit needs a handle that may write
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no handle for a folder here)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the file itself is on disk
    finally:
        os.close(fd)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Both exist and are the same file (also 調査票.XLSX and 調査票.xlsx on Windows, and through links)."""
    a, b = Path(a), Path(b)
    return a.exists() and b.exists() and os.path.samefile(a, b)


# --- backups --------------------------------------------------------------------------------


def backup_name(path: Path, now: datetime, n: int = 1) -> Path:
    """`<stem>.backup-YYYYMMDD-HHMMSS[-n]<suffix>` beside `path`, the stem cut so the name stays short."""
    tail = f".backup-{now:%Y%m%d-%H%M%S}" + (f"-{n}" if n > 1 else "") + path.suffix
    stem = path.stem[:BACKUP_STEM_CHARS]
    while stem and len((stem + tail).encode("utf-8")) > BACKUP_NAME_BYTES:
        stem = stem[:-1]
    return path.with_name(stem.rstrip(" .") + tail)


def backup(path: Path, now: datetime) -> Path:
    """Copy `path` to a new short timestamped name beside itself, whole or not at all (never over a backup).

    Raises `OutputError` (Japanese) when the copy cannot be made: nothing is left
    behind then, and the caller must not go on to replace `path`.
    """
    path = real_path(path)
    with locked(path):
        n = 1
        target = backup_name(path, now)
        while target.exists():
            n += 1
            target = backup_name(path, now, n)
        try:
            with _temp_beside(path) as tmp:
                shutil.copy2(path, tmp)
                _fsync_file(tmp)
                os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{path}: 上書きする前のバックアップ（{target.name}）を作れないため、"
                              f"何も書き込みませんでした。{why_not_written(target, exc)}") from exc
    return target


def backup_existing(path: str | Path, now: datetime) -> Path | None:
    """Before `path` is replaced: a backup of the file there (links followed), or None when there is none."""
    target = real_path(path)
    return backup(target, now) if target.is_file() else None


def backup_if_overwriting(source: str | Path, out: str | Path, now: datetime) -> Path | None:
    """Before `out` is written: a backup of `source` when `out` is that very file, else None."""
    source = Path(source)
    return backup(source, now) if same_file(out, source) else None
