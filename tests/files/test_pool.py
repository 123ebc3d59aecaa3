"""Reading a folder with worker processes gives exactly what one process gives (`files.pool`)."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.fill import fill_department
from support.seed import seed_inputs

from welfare_xl.commands.split import split
from welfare_xl.files import pool
from welfare_xl.files.submissions import consolidate_folder

RUN_AT = datetime(2020, 6, 1, 9, 0)


@pytest.fixture
def folder(template: Path, tmp_path: Path) -> Path:
    """Twelve returns: each department twice or more (the newest counts), one broken file, one scratch note."""
    forms = split(template, tmp_path / "配布")
    inbox = tmp_path / "提出"
    inbox.mkdir()
    for n in range(10):
        form = forms[n % len(forms)]
        values, texts = seed_inputs(form.stem)
        if n < len(forms):  # the first round has one figure off, which the second round corrects
            first = next(iter(values))
            values = {**values, first: "1"}
        fill_department(form, values, texts, out=inbox / f"{form.stem}_{n:02d}.xlsx",
                        saved=datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc) + timedelta(hours=n))
    (inbox / "壊れた.xlsx").write_bytes((inbox / f"{forms[0].stem}_00.xlsx").read_bytes()[:3000])
    (inbox / "メモ.txt").write_text("scratch", encoding="utf-8")
    return inbox


def _as_data(result) -> dict:
    data = dataclasses.asdict(result)
    data.pop("output", None)
    return data


def test_two_processes_give_what_one_gives(template: Path, folder: Path, monkeypatch, caplog):
    monkeypatch.setenv(pool.SETTING, "1")
    with caplog.at_level(logging.INFO, logger="welfare_xl"):
        serial = consolidate_folder(template, folder, run_at=RUN_AT)
    serial_log = sorted(r.getMessage() for r in caplog.records)
    caplog.clear()
    monkeypatch.setenv(pool.SETTING, "2")
    monkeypatch.setattr(pool, "CHUNK", 3)  # several chunks per worker, so order across chunks counts
    with caplog.at_level(logging.INFO, logger="welfare_xl"):
        pooled = consolidate_folder(template, folder, run_at=RUN_AT)

    assert _as_data(pooled) == _as_data(serial)
    assert [f.file for f in pooled.files] == [f.file for f in serial.files]
    assert any(f.file == "壊れた.xlsx" and f.status == "rejected" for f in pooled.files)
    assert serial.changes and pooled.exit_code == serial.exit_code == 1
    # What a worker logged (the broken file) reaches this process's log, as one process logs it.
    assert "unreadable 壊れた.xlsx" in " ".join(r.getMessage() for r in caplog.records)
    assert sorted(r.getMessage() for r in caplog.records if "worker" not in r.getMessage()) == serial_log


def test_how_many_processes(monkeypatch):
    monkeypatch.delenv(pool.SETTING, raising=False)
    assert pool.workers_for(pool.POOL_FROM - 1) == 1
    assert pool.workers_for(pool.POOL_FROM) == min(pool.MAX_WORKERS, os.cpu_count() or 1)
    monkeypatch.setenv(pool.SETTING, "1")
    assert pool.workers_for(50_000) == 1
    monkeypatch.setenv(pool.SETTING, "3")
    assert pool.workers_for(2) == 3
    monkeypatch.setenv(pool.SETTING, "many")
    assert pool.workers_for(50_000) == 1


def _square(chunk: list[int], offset: int) -> list[int]:
    return [x * x + offset for x in chunk]


def _dies_in_a_worker(chunk: list[int], parent: int) -> list[int]:
    if os.getpid() != parent:
        os._exit(3)  # a worker that dies (as a native crash would end it)
    return [x + 1 for x in chunk]


def test_a_pool_that_breaks_falls_back_to_this_process(caplog):
    with caplog.at_level(logging.WARNING, logger="welfare_xl"):
        got = list(pool.map_chunks(_dies_in_a_worker, list(range(10)), (os.getpid(),), 2))
    assert got == [x + 1 for x in range(10)]
    assert "worker processes failed" in caplog.text


def test_chunks_come_back_in_order():
    assert list(pool.map_chunks(_square, list(range(50)), (0,), 2)) == [x * x for x in range(50)]


def _waits_forever(chunk: list[int], folder: str) -> list[int]:
    """A worker that tells its pid, then works for longer than any test waits."""
    Path(folder, f"{os.getpid()}.pid").write_text("", encoding="utf-8")
    time.sleep(120)
    return chunk


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_process_that_started_them_is_killed(tmp_path: Path):
    """Killed (Task Manager, kill -9), the caller cannot stop its workers: they must end by themselves,
    or they live on, holding memory and (a fork shares it) the master's lock."""
    code = ("import sys\n"
            f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[1])!r}]\n"
            "from test_pool import _waits_forever\n"
            "from welfare_xl.files import pool\n"
            f"list(pool.map_chunks(_waits_forever, list(range(8)), ({str(tmp_path)!r},), 2))\n")
    caller = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = [int(p.stem) for p in tmp_path.glob("*.pid")]
        assert len(workers) == 2 and all(_running(w) for w in workers)
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _running(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "workers outlived the process that started them"
