"""Two runs on one master, and a run killed with kill -9: real processes, a real (large) master.

The master carries an extra sheet of 20,000 rows so that reading, deciding and
writing it take a few seconds: long enough for two runs to overlap and for a
kill to land in the middle of the write.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.paths import ROOT, TEMPLATE
from support.seed import seed_inputs

from welfare_xl.commands.split import split
from welfare_xl.files.lock import lock_file, temp_prefix
from welfare_xl.files.survey_file import load_survey_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 and the process set-up are POSIX here")

ROWS = 20_000


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A large master, and two submissions folders: 地域共生課's return in A, 交通課's in B."""
    base = tmp_path_factory.mktemp("lock")
    wb = load_workbook(TEMPLATE)
    ws = wb.create_sheet("参考資料")
    for r in range(1, ROWS + 1):
        ws.append([r, f"行{r}の説明", r * 1.5, "備考", r % 7, r * 3, "x" * 10, r / 3])
    wb.save(base / "大きな調査票.xlsx")
    dist = base / "配布"
    split(TEMPLATE, dist)
    for folder, dept, values, texts in (("A", "地域共生課", CHIIKI, CHIIKI_TEXTS),
                                        ("B", "交通課", *seed_inputs("交通課"))):
        (base / folder).mkdir()
        shutil.copy(dist / f"{dept}.xlsx", base / folder / f"{dept}.xlsx")
        fill_department(base / folder / f"{dept}.xlsx", values, texts)
    return base


def start(home: Path, *args: str, **extra_env: str) -> subprocess.Popen:
    """`welfare-xl <args>` as a user runs it, in its own process (the worktree's package)."""
    env = {**os.environ, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1", **extra_env}
    return subprocess.Popen([sys.executable, "-m", "welfare_xl", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def actual(path: Path, indicator_id: str):
    return load_survey_file(path)[0].values.get(indicator_id, {}).get(2019)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~wxl-"))


def test_two_runs_in_place_at_once_never_lose_an_update(world: Path, tmp_path: Path):
    for round_no in range(3):
        master = tmp_path / f"調査票{round_no}.xlsx"
        shutil.copy(world / "大きな調査票.xlsx", master)
        first = start(tmp_path, "consolidate", str(master), str(world / "A"), "-o", str(master))
        second = start(tmp_path, "consolidate", str(master), str(world / "B"), "-o", str(master))
        results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
        for code, out, err in results:
            assert "Traceback" not in out + err
            assert code in (1, 2)  # 1: the other departments have not submitted; 2: refused, said in Japanese
            if code == 2:
                assert "別の welfare-xl" in err
        # Whichever ran second read the first's result: both departments' figures are in the master.
        done = [code == 1 for code, _, _ in results]
        assert any(done)
        if all(done):
            assert actual(master, "G1-01") == 513 and actual(master, "G6-01") == pytest.approx(2.13)
            assert sum("別の welfare-xl がこのファイルに書き込み中です" in err for _, _, err in results) <= 1
        assert len(list(tmp_path.glob(f"調査票{round_no}.backup-*.xlsx"))) == sum(done)
        assert leftovers(tmp_path) == []
    assert not (tmp_path / ".welfare_xl").exists()  # no unexpected error was logged


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


@pytest.mark.parametrize("moment", ["reading", "writing"])
def test_a_run_killed_mid_way_leaves_the_master_whole_and_does_not_block_the_next(world: Path, tmp_path: Path,
                                                                                    moment: str):
    master = tmp_path / "調査票.xlsx"
    shutil.copy(world / "大きな調査票.xlsx", master)
    before = master.read_bytes()
    prefix = temp_prefix(master)
    # The part-by-part writer is done in a blink; openpyxl's writer leaves a kill time to land mid-write.
    slow = {"WELFARE_XL_FAST_WRITE": "0"} if moment == "writing" else {}
    run = start(tmp_path, "consolidate", str(master), str(world / "A"), "-o", str(master), **slow)
    if moment == "reading":  # the lock is held while the survey and the folder are read
        assert wait_for(lambda: lock_file(master).exists())
        time.sleep(0.3)
    else:  # the new master is being written into its temporary file
        # (after the backup is made: the only temporary file then is the new master's)
        assert wait_for(lambda: list(tmp_path.glob("調査票.backup-*.xlsx"))
                        and any(name.startswith(prefix) for name in leftovers(tmp_path)))
        time.sleep(0.2)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=30)
    assert run.returncode == -signal.SIGKILL

    # The master is whole: the old file, or (had the rename happened) the new one.
    assert master.read_bytes() == before or actual(master, "G1-01") == 513
    load_workbook(master, read_only=True).close()
    if moment == "writing":
        assert any(name.startswith(prefix) for name in leftovers(tmp_path))  # the killed run's temporary file

    # The next run is not blocked by the dead run's lock and removes its temporary file.
    t0 = time.monotonic()
    nxt = start(tmp_path, "consolidate", str(master), str(world / "A"), "-o", str(master))
    code, (out, err) = nxt.wait(timeout=120), nxt.communicate()
    assert code == 1 and "Traceback" not in out + err and "別の welfare-xl" not in err
    assert time.monotonic() - t0 < 60
    assert actual(master, "G1-01") == 513
    assert leftovers(tmp_path) == []
