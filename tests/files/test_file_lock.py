"""The lock of a file, held by another real process: waited for, refused after the wait, released on death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.paths import ROOT

from welfare_xl.files.lock import LockBusy, lock_file, locked, temp_prefix

HOLD = """
import sys, time
from welfare_xl.files.lock import locked
with locked(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the lock of `path` for `seconds` (returns once it holds it)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_holder_waits_then_gets_the_lock(tmp_path: Path):
    target = tmp_path / "調査票.xlsx"
    other = hold(target, 1.0)
    said: list[str] = []
    t0 = time.monotonic()
    with locked(target, wait=30, on_wait=said.append):
        waited = time.monotonic() - t0
    other.wait(timeout=30)
    assert waited > 0.5
    assert said == ["調査票.xlsx: 別の welfare-xl がこのファイルに書き込み中です。終わるのを待っています…"]
    assert not lock_file(target).exists()  # removed on release


def test_a_holder_that_keeps_it_too_long_is_refused_in_japanese(tmp_path: Path):
    target = tmp_path / "調査票.xlsx"
    other = hold(target, 30)
    try:
        with pytest.raises(LockBusy, match="別の welfare-xl.*書き込みませんでした"):
            with locked(target, wait=0.3):
                pass
    finally:
        other.kill()
        other.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_holder_does_not_block_and_its_temporary_files_go(tmp_path: Path):
    target = tmp_path / "調査票.xlsx"
    stale = tmp_path / f"{temp_prefix(target)}abc.xlsx"
    other = hold(target, 60)
    stale.write_bytes(b"half a workbook")  # as a killed writer leaves it
    other.send_signal(signal.SIGKILL)
    other.wait()
    keep = tmp_path / ".~wxl-0123456789ab-other.xlsx"  # another file's temporary file: not ours to remove
    keep.write_bytes(b"x")
    with locked(target, wait=2):
        assert not stale.exists() and keep.exists()


def test_the_lock_is_reentrant_and_follows_links(tmp_path: Path):
    real = tmp_path / "本体" / "調査票.xlsx"
    real.parent.mkdir()
    real.write_bytes(b"x")
    link = tmp_path / "リンク.xlsx"
    os.symlink(real, link)
    assert lock_file(link) == lock_file(real) and lock_file(real).parent == real.parent
    with locked(link):
        with locked(real, wait=0):  # the same process, the same file: no wait
            assert lock_file(real).exists()
        assert lock_file(real).exists()
    assert not lock_file(real).exists()
