"""The mutation fuzz (issue 8): hundreds of seeded damaged returns in one folder, one consolidation.

Each mutant is 地域共生課's good return, saved as Excel saves it, with one part damaged
(`support.mutate`). They go into one folder with the other four departments' good
returns and one `consolidate` runs in a fenced subprocess (`support.runner`). It must end
normally (exit 0 or 1: never a signal, a timeout or the 2 of a crash) with no traceback;
the four departments' figures, texts and grades exact; every mutant named; no cell of
the master other than 地域共生課's inputs changed; and 地域共生課's figures either the good
ones, left blank (refused), or taken from a winning mutant the run flags. Its free texts
are not compared: a flipped character in a sentence is a different sentence no reader
can tell from a real one.

WXL_FUZZ_MUTANTS (default 300) and WXL_FUZZ_SEED (default 8) change the run;
`scripts/fuzz.py` is the long version (many seeds, each mutant alone, aborts counted).
Budget: under 60 s on two cores.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.hostile import DEPARTMENTS, X, YEAR, Expected, Kit
from support.mutate import base_parts, judge, mutants
from support.package import write_parts
from support.runner import assert_no_crash, compare, consolidate, snapshot

MUTANTS = int(os.environ.get("WXL_FUZZ_MUTANTS", "300"))
SEED = int(os.environ.get("WXL_FUZZ_SEED", "8"))


def others(kit: Kit, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for dept in DEPARTMENTS:
        if dept != X:
            shutil.copy2(kit.good(dept), folder / f"{dept}.xlsx")
    return folder


def test_mutants_are_seeded(hostile_kit: Kit, tmp_path: Path):
    """The same seed gives the same files; another seed other ones."""
    first = mutants(hostile_kit.good(X), others(hostile_kit, tmp_path / "a"), 20, SEED, X)
    again = mutants(hostile_kit.good(X), others(hostile_kit, tmp_path / "b"), 20, SEED, X)
    other = mutants(hostile_kit.good(X), others(hostile_kit, tmp_path / "c"), 20, SEED + 1, X)
    assert first == again
    assert [(tmp_path / "a" / m.name).read_bytes() for m in first] == \
        [(tmp_path / "b" / m.name).read_bytes() for m in again]
    assert first != other
    assert {m.part for m in first + other} >= {"sheet", "shared_strings", "zip"}


def test_the_undamaged_excel_like_return_is_taken_whole(hostile_kit: Kit, hostile_expected: Expected,
                                                         tmp_path: Path):
    """The fuzz's base (shared strings, as Excel saves) goes through exactly like the good return."""
    folder = others(hostile_kit, tmp_path / "提出")
    write_parts(folder / f"{X}.xlsx", base_parts(hostile_kit.good(X)))
    run = consolidate(hostile_kit.master, folder, tmp_path / "out.xlsx", home=tmp_path / "home")
    assert run.code == 0, run.describe()
    e = hostile_expected
    assert compare(snapshot(tmp_path / "out.xlsx"), e.blank, e.good, e.departments, year_key=YEAR) == []


def test_hundreds_of_mutants_in_one_folder(hostile_kit: Kit, hostile_expected: Expected, tmp_path: Path):
    folder = others(hostile_kit, tmp_path / "提出")
    made = mutants(hostile_kit.good(X), folder, MUTANTS, SEED, X)
    out = tmp_path / "集約結果.xlsx"
    run = consolidate(hostile_kit.master, folder, out, home=tmp_path / "home")

    assert_no_crash(run)
    problems = judge(run.out, out, made, hostile_expected, X, YEAR)
    assert not problems, "\n".join(problems[:20]) + "\n" + run.describe()
    assert run.seconds < 60, run.describe()
