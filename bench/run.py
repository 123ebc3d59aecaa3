"""The one benchmark: consolidation against the calamine floor, rows per file, peak memory, every
command's wall time and the click path, printed in one run.

    .venv/bin/python bench/run.py            # quick look (files 5/200/1,000, rows 5/50, ~1 minute)
    .venv/bin/python bench/run.py --full     # the issue's targets (files 5/2,000/10,000, rows 5/50/200)

Every figure is taken in a fresh interpreter (this script re-runs itself as a worker), so peak
memory is the whole process's and no run warms another's caches. Machines are noisy: each
figure is the median of --repeat runs, and speed is quoted as a ratio to a baseline measured in
the same run (the calamine floor; `import xlwings`). See bench/README.md for what each figure
means and the last recorded run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

# Targets of issue 10.
FLOOR_RATIO = 1.2  # per-file marginal cost of consolidate / calamine reading the same sheets
PEAK_MB = 150  # at 10,000 files
MS_PER_MASTER_ROW = 0.5


# --- workers: one figure each, in a fresh interpreter -------------------------------------------


def _peak_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows: no getrusage
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def worker_floor(folder: str) -> dict:
    """The read floor, as the issue measured it: python-calamine reading what a return needs (管理情報
    and the department's sheet, from A1) and the saved time (docProps/core.xml, by zipfile)."""
    import re
    import zipfile

    from python_calamine import CalamineWorkbook

    modified = re.compile(rb"<dcterms:modified[^>]*>([^<]*)<")
    paths = sorted(Path(folder).iterdir())
    start = time.perf_counter()
    for path in paths:
        with path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            wb.close()
            with zipfile.ZipFile(fh) as z:
                modified.search(z.read("docProps/core.xml"))
    middle = time.perf_counter()
    for path in paths:  # calamine alone, for the record
        with path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            wb.close()
    return {"seconds": middle - start, "calamine": time.perf_counter() - middle, "peak_mb": _peak_mb()}


def worker_consolidate(survey: str, folder: str, out: str, workers: str) -> dict:
    """`welfare-xl consolidate` as the command runs it (read, check, decide, write), timed inside."""
    if workers:
        os.environ["WELFARE_XL_WORKERS"] = workers
    from welfare_xl.commands.consolidate import consolidate

    start = time.perf_counter()
    result = consolidate(survey, folder, out)
    seconds = time.perf_counter() - start
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if sys.platform != "win32" else 0
    return {"seconds": seconds, "peak_mb": _peak_mb(), "worker_mb": children, "exit_code": result.exit_code,
            "changes": len(result.changes)}


def _pool_probe(_: int) -> int:
    from welfare_xl.files import submissions  # noqa: F401 - what a worker needs to read a return

    return os.getpid()


def worker_pool_start(method: str) -> dict:
    """Two worker processes started as `method` starts them (fork: Linux; spawn: Windows and macOS),
    each importing what it reads returns with, and answering once: the pool's fixed cost."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from welfare_xl.files import submissions  # noqa: F401 - the caller has it loaded already

    start = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as executor:
        list(executor.map(_pool_probe, range(2)))
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


WORKERS = {"floor": worker_floor, "consolidate": worker_consolidate, "pool_start": worker_pool_start}


def measure(kind: str, *args: str, repeat: int = 1) -> dict:
    """Median seconds (and the largest peak) of `repeat` fresh workers."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, __file__, "--worker", kind, *args], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = dict(runs[0])
    out["seconds"] = statistics.median(r["seconds"] for r in runs)
    for key in ("peak_mb", "worker_mb"):
        if key in out:
            out[key] = max(r[key] for r in runs)
    return out


# --- sections ----------------------------------------------------------------------------------------


def files_section(work: Path, sizes: list[int], repeat: int, workers: list[str]) -> list[str]:
    """Consolidating 5 .. N returns of the shipped sample against the read floor."""
    from corpus import clone_returns, sample_office

    office = work / "sample"
    office.mkdir()
    survey, filled = sample_office(office)
    lines = ["## Files (the shipped sample's five departments; each return re-sent, the newest counts)",
             f"{'files':>6} {'processes':>9} | {'consolidate':>11} {'floor':>8} | {'marginal ms/file':>16} "
             f"{'floor ms/file':>13} {'ratio':>6} | {'peak MB':>7} {'worker MB':>9}"]
    base: dict[str, float] = {}
    for n in sizes:
        folder = clone_returns(filled, office / f"提出_{n}", n)
        floor = measure("floor", str(folder), repeat=repeat)
        per_floor = floor["seconds"] / n
        for mode in workers:
            got = measure("consolidate", str(survey), str(folder), str(office / "集約.xlsx"), mode, repeat=repeat)
            base.setdefault(mode, got["seconds"])
            label = mode or "auto"
            worker_mb = f"{got['worker_mb']:>9.0f}" if got.get("worker_mb") else f"{'-':>9}"
            if n == sizes[0]:
                lines.append(f"{n:>6} {label:>9} | {got['seconds']:>10.2f}s {floor['seconds']:>7.3f}s | "
                             f"{'(fixed cost)':>16} {1000 * per_floor:>13.3f} {'':>6} | {got['peak_mb']:>7.0f} {worker_mb}")
                continue
            marginal = (got["seconds"] - base[mode]) / (n - sizes[0])
            ratio = marginal / per_floor
            over = ratio > FLOOR_RATIO or (n >= 10000 and got["peak_mb"] > PEAK_MB)
            lines.append(f"{n:>6} {label:>9} | {got['seconds']:>10.2f}s {floor['seconds']:>7.3f}s | "
                         f"{1000 * marginal:>16.3f} {1000 * per_floor:>13.3f} {ratio:>5.2f}x | "
                         f"{got['peak_mb']:>7.0f} {worker_mb}{' (over target)' if over else ''}")
        lines.append(f"{'':>6} {'':>9}   calamine alone: {1000 * floor['calamine'] / n:.3f} ms/file")
        shutil.rmtree(folder)
    if "" in workers or "auto" in workers:
        fork, spawn = (measure("pool_start", m, repeat=repeat)["seconds"] for m in ("fork", "spawn"))
        lines.append(f"pool start-up (two workers importing the reader, answering once): {fork:.3f}s forked (Linux), "
                     f"{spawn:.3f}s spawned (as on Windows, where each worker starts a new interpreter)")
    lines.append(f"marginal = (time at N − time at {sizes[0]}) / (N − {sizes[0]}), the same process count; floor = "
                 "python-calamine opening each file and reading its two sheets from A1, plus its saved time "
                 "(docProps/core.xml by zipfile), in one process; processes = WELFARE_XL_WORKERS (auto: 2 from "
                 f"1,000 returns); peak MB = the consolidating process, worker MB = the largest worker. Targets: "
                 f"ratio ≤ {FLOOR_RATIO}x, peak ≤ {PEAK_MB} MB at 10,000 files.")
    return lines


def rows_section(work: Path, rows: list[int], departments: int, repeat: int) -> list[str]:
    """Consolidating `departments` returns of R rows each into a master of departments × R rows."""
    from corpus import synthetic_office

    lines = [f"## Rows ({departments} departments, one return each, into a fresh master)",
             f"{'rows/file':>9} {'master rows':>11} | {'consolidate':>11} {'ms/master row':>13} | {'peak MB':>7}"]
    for r in rows:
        office = work / f"rows{r}"
        office.mkdir()
        survey, filled = synthetic_office(office, departments, r)
        got = measure("consolidate", str(survey), str(filled), str(office / "集約.xlsx"), "", repeat=repeat)
        per_row = 1000 * got["seconds"] / (departments * r)
        mark = "" if per_row <= MS_PER_MASTER_ROW or departments * r < 2000 else " (over target)"
        lines.append(f"{r:>9} {departments * r:>11} | {got['seconds']:>10.2f}s {per_row:>13.3f} | "
                     f"{got['peak_mb']:>7.0f}{mark}")
    lines.append(f"the whole consolidation (master read, returns read and checked, decision, master and 集約ログ "
                 f"written) divided by the master's rows; target ≤ {MS_PER_MASTER_ROW} ms per row at 2,000 rows.")
    return lines


def commands_section(work: Path, repeat: int) -> list[str]:
    """Each command's wall time as a clerk runs it (a fresh process, interpreter start included)."""
    from corpus import clone_returns, sample_office

    from welfare_xl.files.pdf import find_soffice

    office = work / "commands"
    office.mkdir()
    survey, filled = sample_office(office)
    inbox = clone_returns(filled, office / "提出", 5)
    first = sorted(inbox.iterdir())[0]
    cli = [sys.executable, "-m", "welfare_xl"]
    steps = [
        ("python (no imports)", [sys.executable, "-c", "pass"]),
        ("--help", [*cli, "--help"]),
        ("split", [*cli, "split", str(survey), "-o", str(office / "配布2")]),
        ("check (one return)", [*cli, "check", str(first), "--survey", str(survey)]),
        ("status", [*cli, "status", str(survey), str(inbox)]),
        ("consolidate", [*cli, "consolidate", str(survey), str(inbox), "-o", str(office / "集約.xlsx")]),
        ("committee", [*cli, "committee", str(office / "集約.xlsx"), "-o", str(office / "委員会版.xlsx")]),
        ("export", [*cli, "export", str(office / "集約.xlsx"), "--csv", str(office / "集約.csv")]),
    ]
    if find_soffice():
        steps.append(("committee --pdf", [*cli, "committee", str(office / "集約.xlsx"), "-o",
                                          str(office / "委員会版P.xlsx"), "--pdf",
                                          str(office / "委員会版P.pdf")]))
    lines = ["## Commands (shipped sample, 5 returns; a fresh process each, median wall time)",
             f"{'command':24} {'seconds':>8}"]
    for label, argv in steps:
        samples = []
        for _ in range(repeat):
            shutil.rmtree(office / "配布2", ignore_errors=True)
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, cwd=ROOT)
            samples.append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{label} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-800:]}")
        lines.append(f"{label:24} {statistics.median(samples):8.3f}")
    if not find_soffice():
        lines.append("committee --pdf: not measured (no LibreOffice on this machine)")
    return lines


CLICKS = {
    "python (no imports)": "pass",
    "import xlwings (baseline)": "import xlwings",
    "+ welfare_xl.addin (every click)": "import xlwings, welfare_xl.addin",
    "+ check's core (入力チェック)": "import xlwings, welfare_xl.addin, welfare_xl.core.checks",
    "+ consolidate's core and calamine (集約)": (
        "import xlwings, welfare_xl.addin, welfare_xl.files.submissions, welfare_xl.core.consolidation.decide, "
        "welfare_xl.core.consolidation.log, python_calamine"),
    "+ openpyxl (部署別シート作成, 委員会版作成)": (
        "import xlwings, welfare_xl.addin, welfare_xl.files.department_books, welfare_xl.files.committee_book, openpyxl"),
}


def clicks_section(repeat: int) -> list[str]:
    """What a ribbon click costs in Python start-up (cold: a new interpreter per click, as RunPython does)."""
    env = dict(os.environ, XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY", ""))
    results = {}
    for name, code in CLICKS.items():
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
            samples.append(time.perf_counter() - start)
        results[name] = statistics.median(samples)
    base, bare = results["import xlwings (baseline)"], results["python (no imports)"]
    lines = ["## Click path (cold start: a new interpreter per click, as RunPython does; median)",
             f"{'case':48} {'seconds':>8} {'÷ xlwings':>10} {'added ms':>9}"]
    for name, secs in results.items():
        lines.append(f"{name:48} {secs:8.3f} {secs / base:10.2f} {1000 * (secs - base):9.0f}")
    added = results["+ welfare_xl.addin (every click)"] - base
    lines.append(f"welfare_xl.addin adds {1000 * added:.0f} ms to a click ({added / (base - bare):.1%} of importing "
                 "xlwings). Warm (UDF server, USE UDF SERVER = True): the interpreter and its imports stay loaded "
                 "between clicks, so a click pays none of the above after the first; it needs Windows and Excel, "
                 "not measurable here (see bench/README.md).")
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        ram = f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    import platform

    return f"{os.cpu_count()} cores, {cpu}, {ram}; Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes: files 5/2,000/10,000, rows 5/50/200")
    parser.add_argument("--files", type=int, nargs="+", help="numbers of returns (the first is the fixed-cost run)")
    parser.add_argument("--rows", type=int, nargs="+", help="indicators per department file")
    parser.add_argument("--repeat", type=int, help="fresh runs per figure (the median is shown)")
    parser.add_argument("--workers", nargs="+", default=None,
                        help="process counts for reading returns (WELFARE_XL_WORKERS; '' = auto), default: 1 and auto")
    parser.add_argument("--only", nargs="+", choices=["files", "rows", "commands", "clicks"])
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker[0]](*args.worker[1:])))
        return 0
    files = args.files or ([5, 2000, 10000] if args.full else [5, 200, 1000])
    rows = args.rows or ([5, 50, 200] if args.full else [5, 50])
    repeat = args.repeat or (3 if args.full else 1)
    workers = args.workers if args.workers is not None else ["1", ""]
    only = set(args.only or ["files", "rows", "commands", "clicks"])
    started = time.perf_counter()
    print(f"# welfare-xl benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {'full' if args.full else 'quick'} mode")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="wxl-bench-") as tmp:
        work = Path(tmp)
        sections = [("files", lambda: files_section(work, files, repeat, workers)),
                    ("rows", lambda: rows_section(work, rows, 10, repeat)),
                    ("commands", lambda: commands_section(work, repeat if args.full else 1)),
                    ("clicks", lambda: clicks_section(5 if args.full else 3))]
        for name, run in sections:
            if name in only:
                print()
                print("\n".join(run()), flush=True)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
