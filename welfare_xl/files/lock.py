"""One writer at a time per file: an OS-level lock beside the file a run writes.

A run that reads a master, decides and writes it back (集約, 元に戻す in place)
holds the lock of that master from before the read until after the rename, so a
second run on the same master waits for the first and then reads its result:
no update is ever lost. `welfare_xl.files.atomic.write_atomic` takes the same
lock around every write (the lock is re-entrant within a process).

The lock is `fcntl.flock` on POSIX and `msvcrt.locking` on Windows, on a small
file `.~wxl-<digest>.lock` beside the target (the digest is of the target's
name, so the lock file's name is short whatever the target is called). The
operating system releases such a lock when its holder dies, even by kill -9, so
a killed run never blocks the next one. The lock file is removed when the lock
is released; a holder checks after locking that the file it locked is still the
one at that name (another holder may have just removed it).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from welfare_xl.errors import UserError
from welfare_xl.files.write_errors import why_not_written

TEMP_PREFIX = ".~wxl-"  # lock and temporary files; the submissions folder scan skips names starting ".~"
WAIT_SECONDS = 120.0  # how long a second run waits for the first before it gives up
POLL_SECONDS = 0.1

_held: dict[str, tuple[int, int]] = {}  # lock file -> (descriptor, depth) of the locks this process holds


class LockBusy(UserError):
    """Another run kept the file locked for longer than we wait (exit code 2); nothing was written."""


class LockFailed(UserError):
    """The lock file cannot be made beside the target (exit code 2); nothing was written."""


def real_path(path: str | Path) -> Path:
    """The file a write to `path` must replace: symbolic links followed (the link itself stays)."""
    return Path(os.path.realpath(path))


def digest(path: Path) -> str:
    """A short name-safe tag of the file at `path` (case-insensitive where the file system is)."""
    return hashlib.sha1(os.path.normcase(path.name).encode("utf-8")).hexdigest()[:12]


def lock_file(path: str | Path) -> Path:
    """The lock file of the target `path` (symbolic links followed)."""
    target = real_path(path)
    return target.parent / f"{TEMP_PREFIX}{digest(target)}.lock"


def temp_prefix(path: str | Path) -> str:
    """The name prefix of the temporary files written for the target `path` (cleaned under its lock)."""
    return f"{TEMP_PREFIX}{digest(real_path(path))}-"


@contextmanager
def locked(path: str | Path, *, wait: float | None = None,
           on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the lock of the file at `path` (created or not) for the duration of the block.

    Waits up to `wait` seconds (default `WAIT_SECONDS`) for another holder,
    calling `on_wait` once with a Japanese line when it has to wait; raises
    `LockBusy` when the time runs out. Within the lock, temporary files that a
    killed run left for this target are removed. Yields the real target path.
    """
    target = real_path(path)
    name = str(lock_file(target))
    if name in _held:
        fd, depth = _held[name]
        _held[name] = (fd, depth + 1)
        try:
            yield target
        finally:
            _release_one(name)
        return
    fd = _acquire(Path(name), target, WAIT_SECONDS if wait is None else wait, on_wait)
    _held[name] = (fd, 1)
    try:
        remove_stale_temps(target)
        yield target
    finally:
        _release_one(name)


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete the temporary files of `target` left by a run that died (call only under its lock)."""
    prefix = temp_prefix(target)
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(prefix):
            try:
                entry.unlink()
                removed.append(entry)
            except OSError:
                pass
    return removed


def _acquire(name: Path, target: Path, wait: float, on_wait: Callable[[str], None] | None) -> int:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            name.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise LockFailed(f"{target}: {why_not_written(name, exc)}"
                             f"（ロック用のファイル {name.name} を作れません。何も書き込んでいません。）") from exc
        try:
            got = _try_lock(fd)
        except OSError as exc:  # e.g. a network folder without locks
            os.close(fd)
            raise LockFailed(f"{target}: 保存先のフォルダでファイルをロックできないため、書き込みませんでした"
                             f"（{type(exc).__name__}）。ローカルのフォルダか、ロックできる共有フォルダに保存してください。") from exc
        if got:
            if _still_there(fd, name):
                return fd
            _unlock(fd)  # the previous holder removed the file after we opened it: lock the new one
        os.close(fd)
        if time.monotonic() >= deadline:
            raise LockBusy(f"{target}: 別の welfare-xl（集約・元に戻すなど）がこのファイルに書き込み中のため、"
                           "書き込みませんでした。しばらく待ってから、もう一度実行してください。")
        if not told and on_wait is not None:
            on_wait(f"{target.name}: 別の welfare-xl がこのファイルに書き込み中です。終わるのを待っています…")
            told = True
        time.sleep(POLL_SECONDS)


def _release_one(name: str) -> None:
    fd, depth = _held[name]
    if depth > 1:
        _held[name] = (fd, depth - 1)
        return
    del _held[name]
    if sys.platform == "win32":
        # Windows cannot remove a file that is open: unlock and close first, then
        # remove it unless a waiting run has it open already (that run keeps it).
        _unlock(fd)
        os.close(fd)
        try:
            os.unlink(name)
        except OSError:
            pass
        return
    try:
        os.unlink(name)  # still holding the lock: a waiter that gets it next sees the file gone and retries
    except OSError:
        pass
    os.close(fd)  # releases the flock


def _still_there(fd: int, name: Path) -> bool:
    """The locked descriptor is still the file at `name` (not one a previous holder removed)."""
    if sys.platform == "win32":
        return True  # an open file cannot be removed there
    try:
        st = os.stat(name)
    except OSError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
