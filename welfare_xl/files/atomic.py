"""Writing files whole or not at all, and the backup made before a file is overwritten.

Every file the project writes goes through `write_atomic`: the new content is
written to a temporary file beside the target, given the permission bits of
the file it replaces, and renamed over it, so readers never see half a file and
a failed write leaves the old one as it was. `save_atomic` does it for an
openpyxl workbook and says in Japanese why a save failed (`WriteError`).
`backup` copies a file to a timestamped name beside itself first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from welfare_xl.errors import UserError

TEMP_PREFIX = ".~wxl-"  # also skipped by the submissions folder scan


class WriteError(UserError):
    """A workbook could not be saved; says where and what to do, in Japanese."""

    def __init__(self, path: Path, exc: OSError) -> None:
        import errno

        if isinstance(exc, IsADirectoryError) or path.is_dir():
            why = "同じ名前のフォルダがあります。保存するファイル名（.xlsx）を指定してください。"
        elif isinstance(exc, PermissionError):
            why = "書き込めません。Excel で開いている場合は閉じ、フォルダの書き込み権限を確認してから、もう一度実行してください。"
        elif isinstance(exc, (FileExistsError, NotADirectoryError)):
            why = "保存先のフォルダを作れません（途中に同じ名前のファイルがあります）。"
        elif isinstance(exc, FileNotFoundError):
            why = "保存先のフォルダがありません。"
        elif exc.errno == errno.ENOSPC:
            why = "ディスクの空きが足りません。"
        else:
            why = f"保存できません（{type(exc).__name__}）。"
        super().__init__(f"{path}: {why}元のファイルは変更していません。")


class OutputError(UserError):
    """The result cannot be written (exit code 2); the file it was to replace is left as it was."""


def write_atomic(path: str | Path, write_to_temp: Callable[[Path], Any]) -> Path:
    """Write `path` whole: `write_to_temp(tmp)` fills a temporary file beside it, which then replaces it.

    The folder is made when missing. The file keeps the permission bits of the
    one it replaces (else the umask's default): the temporary file is private
    (0600), and a master on a shared folder must stay readable by the colleagues
    who could read it before. OSError propagates (nothing is replaced then); the
    caller says what went wrong in its own words.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = file_mode(path)
    with _temp_beside(path) as tmp:
        write_to_temp(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    return path


def save_atomic(wb: Any, path: str | Path) -> Path:
    """Save an openpyxl workbook with `write_atomic`; a failure raises `WriteError` (Japanese)."""
    path = Path(path)
    try:
        return write_atomic(path, wb.save)
    except OSError as exc:
        raise WriteError(path, exc) from exc


def file_mode(path: Path) -> int:
    """Permission bits for a file written at `path`: the existing file's, else the umask default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def _temp_beside(path: Path) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        if tmp.exists():
            tmp.unlink()


def same_file(a: str | Path, b: str | Path) -> bool:
    """Both exist and are the same file (also 調査票.XLSX and 調査票.xlsx on Windows)."""
    a, b = Path(a), Path(b)
    return a.exists() and b.exists() and os.path.samefile(a, b)


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


def backup_if_overwriting(source: str | Path, out: str | Path, now: datetime) -> Path | None:
    """Before `out` is written: a backup of `source` when `out` is that very file, else None."""
    source = Path(source)
    return backup(source, now) if same_file(out, source) else None
