"""What a ribbon click costs in Python start-up, against importing xlwings alone.

Every click starts a new Python (RunPython) that imports xlwings and then
`welfare_xl.addin`; the action then imports what it needs. This prints the median
wall time of each over repeated fresh interpreters, and the ratios to the
baseline `import xlwings` measured in the same run (machines are noisy; compare
ratios, not seconds).

    .venv/bin/python bench/addin_import.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CASES = {
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


def time_case(code: str, runs: int) -> float:
    env = dict(os.environ, XLWINGS_LICENSE_KEY=os.environ.get("XLWINGS_LICENSE_KEY", ""))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: time_case(code, args.runs) for name, code in CASES.items()}
    base = results["import xlwings (baseline)"]
    bare = results["python (no imports)"]
    print(f"median of {args.runs} fresh interpreters each")
    print(f"{'case':48} {'seconds':>8} {'÷ xlwings':>10} {'added ms':>9}")
    for name, secs in results.items():
        print(f"{name:48} {secs:8.3f} {secs / base:10.2f} {1000 * (secs - base):9.0f}")
    added = results["+ welfare_xl.addin (every click)"] - base
    print(f"\nwelfare_xl.addin adds {1000 * added:.0f} ms to a click "
          f"({added / (base - bare):.1%} of what importing xlwings itself costs)")


if __name__ == "__main__":
    main()
