#!/usr/bin/env python3
"""The long mutation fuzz of issue 8: seeded damaged returns, each consolidated alone, aborts counted.

    .venv/bin/python scripts/fuzz.py --seeds 5 --mutants 100        # 500 runs, one mutant each
    .venv/bin/python scripts/fuzz.py --seeds 3 --mutants 300 --batch  # 3 runs, 300 mutants each (as CI)
    .venv/bin/python scripts/fuzz.py --seeds 1 --first-seed 8 --keep out/   # keep the folders of bad runs

Each mutant is 地域共生課's good return with one part damaged (tests/support/mutate.py). By
default every mutant goes alone into a folder with the other four departments' good
returns and one `welfare-xl consolidate` runs in a fenced subprocess (timeout, address
space limit); `--batch` puts all of a seed's mutants in one folder, as the CI test does.
A run *aborts* when it does not end by itself with exit 0 or 1 and without a traceback
(a signal, a timeout, exit 2 from an unexpected error); a run that ends but shows wrong
figures for the good departments, an unnamed mutant or an unflagged wrong figure is
*wrong*. The summary counts both, by damaged part and kind of damage; exit status 1
when any run aborted or was wrong.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from support.hostile import DEPARTMENTS, X, YEAR, build_kit, expect_good  # noqa: E402
from support.mutate import Mutant, judge, make_mutant, base_parts  # noqa: E402
from support.runner import CRASH_WORDS, TIMED_OUT, Run, consolidate  # noqa: E402


def aborted(run: Run) -> str | None:
    """Why a run did not end as a user's run must (None when it did)."""
    if run.code == TIMED_OUT:
        return "timeout"
    if run.code < 0:
        return f"signal {-run.code}"
    if run.code not in (0, 1):
        return f"exit {run.code}: {run.err.strip()[:120]}"
    shown = [w for w in CRASH_WORDS if w in run.text]
    return f"shows {shown}" if shown else None


def folder_of_others(kit, path: Path) -> Path:
    path.mkdir(parents=True)
    for dept in DEPARTMENTS:
        if dept != X:
            shutil.copy2(kit.good(dept), path / f"{dept}.xlsx")
    return path


def one_run(kit, expected, base: Path, made: list[Mutant], folder: Path) -> tuple[str | None, list[str], Run]:
    run = consolidate(kit.master, folder, base / "out.xlsx", home=base / "home")
    why = aborted(run)
    wrong = [] if why else judge(run.out, base / "out.xlsx", made, expected, X, YEAR)
    return why, wrong, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    parser.add_argument("--first-seed", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--mutants", type=int, default=100, help="mutants per seed (default 100)")
    parser.add_argument("--batch", action="store_true", help="all of a seed's mutants in one folder, one run")
    parser.add_argument("--keep", type=Path, help="copy the folders of aborted or wrong runs here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wxl-fuzz-") as tmp:
        work = Path(tmp)
        kit = build_kit(work / "kit")
        expected = expect_good(kit, work / "good")
        parts = base_parts(kit.good(X))
        runs = aborts = wrongs = 0
        by_kind: Counter[str] = Counter()
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            if args.batch:
                base = work / f"s{seed}"
                folder = folder_of_others(kit, base / "提出")
                made = [make_mutant(parts, folder / "x", i, seed, X) for i in range(args.mutants)]
                batches = [(base, made, folder)]
            else:
                batches = []
                for i in range(args.mutants):
                    base = work / f"s{seed}" / f"m{i:04d}"
                    folder = folder_of_others(kit, base / "提出")
                    batches.append((base, [make_mutant(parts, folder / "x", i, seed, X)], folder))
            for base, made, folder in batches:
                why, wrong, run = one_run(kit, expected, base, made, folder)
                runs += 1
                label = f"seed {seed} " + (f"{len(made)} mutants" if args.batch else made[0].name)
                if why or wrong:
                    aborts += bool(why)
                    wrongs += bool(wrong)
                    if not args.batch:
                        by_kind[f"{made[0].part}/{made[0].op}"] += 1
                    print(f"{'ABORTED' if why else 'WRONG'} {label}: {why or wrong[0]}"
                          + ("" if args.batch else f"  [{made[0].detail[:100]}]"), flush=True)
                    if args.keep:
                        shutil.copytree(folder, args.keep / f"seed{seed}-{base.name}", dirs_exist_ok=True)
                shutil.rmtree(base, ignore_errors=True)
        print(f"\n{runs} runs ({'batches' if args.batch else 'one mutant each'}, seeds "
              f"{args.first_seed}..{args.first_seed + args.seeds - 1}): {aborts} aborted, {wrongs} wrong")
        for kind, n in by_kind.most_common():
            print(f"  {kind}: {n}")
    return 1 if aborts or wrongs else 0


if __name__ == "__main__":
    sys.exit(main())
