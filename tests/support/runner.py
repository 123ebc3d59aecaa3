"""Running `python -m welfare_xl consolidate` as a user does, in a fenced subprocess, and reading its master.

A hostile return can take the whole process down (a native reader aborting, memory
running out), so the corpus and the fuzz never consolidate in the test process: each
run is a child with a wall-clock timeout and an address-space limit (`RLIMIT_AS`, no
core dump), its own HOME (the CLI's log file lands there), and its peak memory
measured with `wait4`. A regression then fails a test instead of the machine.

    run = consolidate(master, folder, out, home=tmp / "home")
    assert run.code == 1 and "Traceback" not in run.text
    table = snapshot(out)   # {(indicator ID, key): value} of the 資料２ table
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from support.paths import ROOT

from welfare_xl.core.model import layout

TIMEOUT_S = 60.0  # wall clock of one consolidation of a whole hostile folder
MEMORY_MB = 1024  # address space of that process (ulimit -v)
PEAK_MB = 512  # resident memory it may reach
TIMED_OUT = -1000  # `Run.code` of a run killed at its timeout

# Words of a crash that must never reach a user.
CRASH_WORDS = ("Traceback", "予期しないエラー", "panicked", "RUST_BACKTRACE", "Fatal Python error")


@dataclass
class Run:
    """One finished child: its exit code (negative: killed by that signal), its output, its cost."""

    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float
    home: Path

    @property
    def text(self) -> str:
        return self.out + "\n" + self.err

    def log(self) -> str:
        """The CLI's own log file (where it writes a traceback), or ''."""
        path = self.home / ".welfare_xl" / "welfare_xl.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def lines_naming(self, fragment: str) -> list[str]:
        return [line for line in self.out.splitlines() if fragment in line]

    def describe(self) -> str:
        return (f"exit {self.code} in {self.seconds:.1f} s, peak {self.peak_mb:.0f} MB\n"
                f"--- stdout ---\n{self.out[-6000:]}\n--- stderr ---\n{self.err[-3000:]}")


def welfare_xl(*args: str, home: Path, timeout: float = TIMEOUT_S, memory_mb: int = MEMORY_MB) -> Run:
    """`python -m welfare_xl *args` from the repository root, fenced; never raises on the child's fate."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "USERPROFILE": str(home), "PYTHONPATH": str(ROOT),
           "PYTHONIOENCODING": "utf-8", "RUST_BACKTRACE": "0"}
    limit = memory_mb << 20

    def fence() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    out_path, err_path = home / "stdout.txt", home / "stderr.txt"
    start = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "welfare_xl", *args], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, cwd=ROOT, env=env, preexec_fn=fence)
        code, usage = _wait(proc, start + timeout)
    seconds = time.monotonic() - start
    return Run(code, out_path.read_text("utf-8", errors="replace"), err_path.read_text("utf-8", errors="replace"),
               seconds, usage.ru_maxrss / 1024 if usage else 0.0, home)


def _wait(proc: subprocess.Popen, deadline: float) -> tuple[int, Any]:
    """Reap the child with its resource usage; kill it at the deadline (code TIMED_OUT)."""
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline and not timed_out:
            proc.kill()
            timed_out = True
        time.sleep(0.01)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here: Popen must not wait again
    return (TIMED_OUT if timed_out else code), usage


def consolidate(master: Path, folder: Path, out: Path, *, home: Path, timeout: float = TIMEOUT_S,
                memory_mb: int = MEMORY_MB) -> Run:
    return welfare_xl("consolidate", str(master), str(folder), "-o", str(out), home=home, timeout=timeout,
                      memory_mb=memory_mb)


def assert_no_crash(run: Run) -> None:
    """The run ended by itself with a user's exit code (0 or 1) and showed no traceback anywhere."""
    assert run.code != TIMED_OUT, f"timed out\n{run.describe()}"
    assert run.code in (0, 1), f"not a normal end\n{run.describe()}"
    for word in CRASH_WORDS:
        assert word not in run.text, f"{word!r} shown to the user\n{run.describe()}"


# --- the master's table ---------------------------------------------------------------------

Snapshot = dict[tuple[str, str], Any]


def snapshot(path: Path, sheet: str = "資料２") -> Snapshot:
    """Every cell of the master's indicator table: (indicator ID, column key) -> value, via openpyxl."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        grid = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    table = layout.find_table(grid)
    assert table is not None, f"no key row on {sheet} of {path}"
    return {(row.id, key): row.get(key) for row in table.rows for key in table.columns}


def compare(got: Snapshot, blank: Snapshot, good: Snapshot, departments: dict[str, str], *,
            victims: frozenset[str] = frozenset(), year_key: str,
            typed: Mapping[tuple[str, str], Any] | None = None) -> list[str]:
    """What is wrong in `got`, a master consolidated from a folder with hostile files, as lines.

    Departments not in `victims` must hold exactly the good run's figures, texts and grades.
    A victim (the department whose return was damaged) may hold its good figure or the
    blank master's for each input cell, never anything else: nothing wrong lets in.
    Every other cell (history, target, labels) is the blank master's. `typed` gives, for a
    victim's cell, the value its return may also land with (what the clerk typed, as cleaned).
    """
    inputs = (year_key, layout.DONE, layout.NEXT)
    problems = []
    assert got.keys() == blank.keys(), "the master's table changed shape"
    for (ind, key), value in sorted(got.items()):
        victim = departments[ind] in victims
        if key in inputs or key == layout.GRADE:
            if not victim:
                allowed = [good[ind, key]]
            elif key == layout.GRADE:
                continue  # a victim's grade follows whatever of it was taken
            else:
                allowed = [good[ind, key], blank[ind, key]]
                if typed and (ind, key) in typed:
                    allowed.append(typed[ind, key])
        else:
            allowed = [blank[ind, key]]
        if value not in allowed:
            problems.append(f"{ind} {key} ({departments[ind]}): {value!r}, expected one of {allowed!r}")
    return problems
