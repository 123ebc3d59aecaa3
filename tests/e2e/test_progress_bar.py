"""Progress: the commands tell it per file, the CLI draws it (tqdm) on a terminal only.

The terminal is a real pseudo-terminal (`pty`): what the bar writes is read back
from its other end. Pipes, files and captured output get no bar at all, and
`--json` keeps stdout pure JSON on a terminal too.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from support.paths import ROOT, TEMPLATE

from welfare_xl.cli import main, progress_bar
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.split import split
from welfare_xl.commands.status import submission_status


def _terminal(columns: int = 100) -> tuple[int, int]:
    """A pseudo-terminal of `columns` columns: (our end, the end a program writes to)."""
    ours, theirs = pty.openpty()
    fcntl.ioctl(theirs, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return ours, theirs


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the writing end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def inbox(tmp_path: Path, chiiki: Path) -> Path:
    """A 提出 folder with a return, a stray file, a lock file and a broken workbook."""
    folder = tmp_path / "提出"
    folder.mkdir()
    shutil.copy(chiiki, folder / "地域共生課.xlsx")
    (folder / "メモ.txt").write_text("受付メモ", encoding="utf-8")
    (folder / "~$地域共生課.xlsx").write_bytes(b"lock")
    (folder / "壊れた.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    return folder


def test_consolidate_and_status_tell_progress_once_per_entry_in_order(tmp_path: Path, inbox: Path):
    names = sorted(p.name for p in inbox.iterdir())
    expected = [(n, len(names), name) for n, name in enumerate(names, 1)]
    told: list[tuple[int, int, str]] = []
    consolidate(TEMPLATE, inbox, tmp_path / "out.xlsx", progress=lambda *a: told.append(a))
    assert told == expected
    told.clear()
    submission_status(TEMPLATE, inbox, progress=lambda *a: told.append(a))
    assert told == expected


def test_split_tells_progress_per_department_workbook(tmp_path: Path):
    told: list[tuple[int, int, str]] = []
    paths = split(TEMPLATE, tmp_path / "配布", progress=lambda *a: told.append(a))
    assert told == [(n, len(paths), p.name) for n, p in enumerate(paths, 1)] and len(paths) == 5


def test_the_bar_on_a_terminal_counts_names_the_file_and_is_cleared():
    ours, theirs = _terminal()
    stream = os.fdopen(theirs, "w", encoding="utf-8")
    with progress_bar("提出ファイルを点検中", stream, delay=0) as tell:
        for n in range(1, 4):
            time.sleep(0.15)  # tqdm redraws at most every 0.1 s
            tell(n, 3, f"部署{n}.xlsx")
    stream.close()
    shown = _read_all(ours)
    assert "提出ファイルを点検中" in shown and "部署1.xlsx" in shown and "部署2.xlsx" in shown
    assert " 2/3 件（経過 " in shown
    assert shown.rstrip(" ").endswith("\r")  # cleared: the summary then starts on a clean line


def test_a_short_run_shows_no_bar_even_on_a_terminal():
    ours, theirs = _terminal()
    stream = os.fdopen(theirs, "w", encoding="utf-8")
    with progress_bar("提出ファイルを点検中", stream) as tell:  # the default delay: one second
        for n in range(1, 4):
            tell(n, 3, f"部署{n}.xlsx")
    stream.close()
    assert _read_all(ours) == ""


def test_no_bar_where_stderr_is_not_a_terminal():
    stream = io.StringIO()
    with progress_bar("提出ファイルを点検中", stream, delay=0) as tell:
        tell(1, 1, "a.xlsx")
    assert stream.getvalue() == ""


def test_consolidate_json_on_a_terminal_keeps_stdout_pure(tmp_path: Path, inbox: Path):
    """A real run with stderr on a terminal: stdout is JSON alone, stderr has no bar (under a second)."""
    ours, theirs = _terminal()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "welfare_xl", "consolidate", str(TEMPLATE), str(inbox),
                           "-o", str(tmp_path / "out.xlsx"), "--json"], stdout=subprocess.PIPE, stderr=theirs,
                          stdin=subprocess.DEVNULL, cwd=ROOT, env=env, timeout=120)
    os.close(theirs)
    err = _read_all(ours)
    assert proc.returncode == 1  # 壊れた.xlsx is refused
    result = json.loads(proc.stdout.decode("utf-8"))
    assert {f["file"] for f in result["files"]} >= {"地域共生課.xlsx", "壊れた.xlsx"}
    assert "%|" not in err and "Traceback" not in err


def test_consolidate_captured_shows_no_bar(capsys, tmp_path: Path, inbox: Path):
    assert main(["consolidate", str(TEMPLATE), str(inbox), "-o", str(tmp_path / "out.xlsx")]) == 1
    captured = capsys.readouterr()
    assert "%|" not in captured.err and "件（経過" not in captured.err
    assert "地域共生課.xlsx" in captured.out
