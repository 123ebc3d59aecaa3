#!/usr/bin/env python3
"""Write docs/hostile-inputs.md's table from what the product really shows for each corpus case.

    .venv/bin/python scripts/hostile_table.py            # rewrite both tables in place
    .venv/bin/python scripts/hostile_table.py --check    # exit 1 when a table is out of date

Every case of tests/support/hostile.py is built beside the five good returns and consolidated in
a fenced subprocess, as tests/e2e/test_hostile_folder.py does; the row gets the first line of
stdout that says what became of the entry (its reason), the exit code and what happened to the
good data. The column "before issue 8" is kept from the existing table (how main behaved when the
corpus was written). README.md gets the short form of the same table between its markers.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from support.hostile import CASES, build_kit, folder_with_goods  # noqa: E402
from support.runner import consolidate  # noqa: E402

DOC = ROOT / "docs" / "hostile-inputs.md"
README = ROOT / "README.md"
START, END = "<!-- hostile-table:start -->", "<!-- hostile-table:end -->"
HEAD = "| # | case | bad input | what the user sees (the run's own words) | exit | the good data | before issue 8 |"
ROW = re.compile(r"^\| \d+ \| `([a-z0-9_]+)` \|.*\| ([^|]*) \|$", re.M)


def _rank(line: str, entry: str) -> int:
    """Which line says best what became of `entry`: a finding, then the entry's own line with its
    reason, then anything else that names it (a department's line, the headline's path)."""
    if line.startswith(("エラー", "注意")):
        return 0
    if line.startswith(entry) and any(w in line for w in ("不採用（", "対象外（", "（不採用）", "（対象外）")):
        return 1
    if line.startswith(entry):
        return 2
    return 3


def seen(out: str, entry: str, quiet: bool) -> str:
    """What the user reads about `entry`: the line giving its reason, else any line naming it."""
    if quiet:
        return "（一覧に出さない）"
    lines = [x.strip() for x in out.splitlines() if entry in x]
    if not lines:
        return "（名前の出る行なし）"
    text = min(lines, key=lambda x: _rank(x, entry)).replace("|", "｜")
    return text if len(text) <= 300 else text[:300] + "…"


def good_data(case) -> str:
    if case.replaces and case.victim:
        return f"other 4 exact; {case.replaces} never wrong (refused figures stay as the master had them)"
    if case.replaces:
        return f"all 5 exact ({case.replaces} from this file)"
    return "all 5 exact (from the good returns)"


def outcome(shown: str) -> str:
    """The short verdict a line gives (for README's table)."""
    if "一覧に出さない" in shown:
        return "not listed"
    if shown.startswith("エラー") and "［" in shown:
        return "that indicator refused and named; the rest taken"
    if shown.startswith("エラー") or "不採用" in shown:
        return "file refused and named"
    if shown.startswith("注意"):
        return "taken, with a warning to confirm"
    if "未記入" in shown:
        return "listed as 未記入 (sent back blank), nothing taken"
    if "対象外" in shown:
        return "listed as 対象外 (not a return)"
    if "反映" in shown:
        return "taken"
    return shown[:40]


def run_cases(before: dict[str, str]) -> tuple[list[str], list[str]]:
    """(rows of the docs table, rows of README's short table)."""
    long, short = [], []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        kit = build_kit(base / "kit")
        for n, case in enumerate(CASES, 1):
            work = base / case.id
            folder = folder_with_goods(kit, work, leave_out=case.replaces)
            entries = case.build(kit, folder, case.id)
            run = consolidate(kit.master, folder, work / "集約結果.xlsx", home=work / "home")
            shown = "<br>".join(seen(run.out, case.shown_as or e, case.quiet) for e in entries)
            long.append(f"| {n} | `{case.id}` | {case.what} | {shown} | {run.code} | {good_data(case)} | "
                        f"{before.get(case.id, '')} |")
            short.append(f"| {n} | {case.what} | {outcome(shown)} | {run.code} |")
            print(f"{case.id}: exit {run.code}", file=sys.stderr)
    return long, short


def _between(text: str, start: str, end: str, body: str) -> str:
    head, rest = text.split(start, 1)
    return head + start + "\n" + body + "\n" + end + rest.split(end, 1)[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when out of date")
    args = parser.parse_args()
    doc = DOC.read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    before = {m.group(1): m.group(2).strip() for m in ROW.finditer(doc)}
    long, short = run_cases(before)
    start = doc.index("| # | case |")
    end = doc.index("\n\n", start)
    new_doc = doc[:start] + "\n".join([HEAD, "|---|---|---|---|---|---|---|", *long]) + doc[end:]
    new_readme = _between(readme, START, END, "\n".join(
        ["| # | in the submissions folder | what happens to it | exit |", "|---|---|---|---|", *short]))
    if args.check:
        return 0 if (new_doc, new_readme) == (doc, readme) else 1
    DOC.write_text(new_doc, encoding="utf-8")
    README.write_text(new_readme, encoding="utf-8")
    return 0

if __name__ == "__main__":
    sys.exit(main())
