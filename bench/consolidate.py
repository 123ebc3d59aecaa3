"""Benchmark: consolidating N department files of 5, 50 and 200 rows each.

    .venv/bin/python bench/consolidate.py [--files 10] [--rows 5 50 200]

For each size it builds a synthetic plan (N departments × R indicators), writes
the template, splits it into department workbooks and fills them the way
people type ("1,234人", "１２３件", texts), exactly as the tests do, then times
consolidation in its three stages (read + check with python-calamine, the plain
core, write with openpyxl) and reports the time per file and per row. It also
reads the same files with openpyxl (read_only, values only) to show what
python-calamine saves. Runs in well under a minute with the defaults.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.fill import fill_department  # noqa: E402

from welfare_xl.files.survey_file import load_survey_file  # noqa: E402
from welfare_xl.commands.split import split  # noqa: E402
from welfare_xl.core.consolidation.decide import consolidate_submissions  # noqa: E402
from welfare_xl.core.consolidation.messages import run_summary  # noqa: E402
from welfare_xl.core.model.metadata import SHEET as META_SHEET  # noqa: E402
from welfare_xl.core.model.metadata import SURVEY, to_grid  # noqa: E402
from welfare_xl.core.sheets.spec import grid_spec  # noqa: E402
from welfare_xl.core.model.source import parse_source  # noqa: E402
from welfare_xl.core.sheets.master import survey_sheet  # noqa: E402
from welfare_xl.files.reader import read_workbook  # noqa: E402
from welfare_xl.files.submissions import scan_folder  # noqa: E402
from welfare_xl.files.survey_edit import write_result  # noqa: E402
from welfare_xl.files.writer import write_specs  # noqa: E402

UNITS = [("人", "count"), ("件", "count"), ("団体", "count"), ("%", "percent"), ("人/km", "rate")]


def synthetic_source(departments: int, rows: int, seed: int = 1) -> dict:
    """A plan with `departments` departments of `rows` indicators each (every fifth row a sub-item)."""
    rnd = random.Random(seed)
    goals = [{"no": g, "name": f"基本目標{g}の名称", "directions": ["施策の方向A", "施策の方向B"], "pages": f"{g * 10}-{g * 10 + 3}"}
             for g in range(1, 7)]
    indicators = []
    for d in range(departments):
        dept = f"第{d + 1:03d}課"
        for n in range(rows):
            unit, kind = UNITS[n % len(UNITS)]
            base = rnd.randint(50, 5000)
            fmt = (lambda v: f"{v / 1000:.1%}") if kind == "percent" else (lambda v: f"{v / 100:.2f}{unit}") \
                if kind == "rate" else (lambda v: f"{v:,}{unit}")
            item_no = n - (n % 5 != 0) * (n % 5) if n % 10 >= 5 else n  # rows 5..9 of each ten: sub-items of row 5
            indicators.append({
                "id": f"D{d + 1:03d}-{n + 1:03d}", "goal": 1 + (d + n) % 6, "department": dept,
                "item": f"指標{item_no + 1}の名称（{dept}）", "sub_item": f"細目{n % 5 + 1}" if n % 10 >= 5 else "",
                "unit": unit, "kind": kind,
                "values": {"2017": fmt(base), "2018": fmt(base + rnd.randint(-20, 40))}, "target": fmt(base + 200),
            })
    indicators.sort(key=lambda i: (i["goal"], i["department"], i["id"]))
    return {
        "plan": {"id": "bench", "name": "ベンチマーク計画", "title": "ベンチマーク計画進捗状況調査票", "label": "資料２",
                 "sheet": "資料２", "start_year": 2019, "target_year": 2023, "baseline_year": 2017,
                 "fiscal_year": 2019, "template_version": "bench.1"},
        "goals": goals, "indicators": indicators,
    }


def build(workdir: Path, departments: int, rows: int) -> tuple[Path, Path, int]:
    """Template, split and filled department files; returns (survey, folder, indicator count)."""
    src = parse_source(synthetic_source(departments, rows))
    survey = src.survey
    template = workdir / "調査票.xlsx"
    write_specs(template, [survey_sheet(survey, decimals=src.decimals),
                           grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True)])
    folder = workdir / "提出"
    split(template, folder)
    rnd = random.Random(2)
    for path in sorted(folder.iterdir()):
        dept = path.stem
        mine = [i for i in survey.indicators if i.department == dept]
        values = {}
        for i in mine:
            n = rnd.randint(60, 5000)
            values[i.id] = (f"{n / 100:.1f}%" if i.kind.value == "percent" else f"{n / 100:.2f}" if i.kind.value == "rate"
                            else (f"{n:,}{i.unit}" if n % 2 else str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))))
        texts = {i.id: (f"{i.item}について、前年度の課題を踏まえて事業を実施した。", "引き続き取り組む。")
                 for i in mine if i.lead}
        fill_department(path, values, texts)
    return template, folder, len(survey.indicators)


def read_with_openpyxl(path: Path) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def bench(departments: int, rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wxl-bench-") as tmp:
        workdir = Path(tmp)
        t = time.perf_counter()
        template, folder, n_rows = build(workdir, departments, rows)
        setup = time.perf_counter() - t

        t0 = time.perf_counter()
        survey, book, _ = load_survey_file(template)
        t1 = time.perf_counter()
        received, skipped = scan_folder(folder, book.meta)
        t2 = time.perf_counter()
        result = consolidate_submissions(survey, book.table, received, sheet=book.sheet, skipped=skipped)
        t3 = time.perf_counter()
        result.output = str(workdir / "集約.xlsx")
        write_result(template, workdir / "集約.xlsx", result)
        t4 = time.perf_counter()
        assert result.exit_code == 0, run_summary(result)

        files = sorted(folder.iterdir())
        c0 = time.perf_counter()
        for p in files:
            read_workbook(p)
        c1 = time.perf_counter()
        for p in files:
            read_with_openpyxl(p)
        c2 = time.perf_counter()
    return {"files": len(files), "rows": n_rows, "setup": setup, "load_survey": t1 - t0, "read_check": t2 - t1,
            "core": t3 - t2, "write": t4 - t3, "total": t4 - t0, "calamine": c1 - c0, "openpyxl": c2 - c1,
            "changes": len(result.changes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10, help="department files per run (default 10)")
    parser.add_argument("--rows", type=int, nargs="+", default=[5, 50, 200], help="rows per file (default 5 50 200)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    print(f"{'rows/file':>9} {'files':>5} {'rows':>5} {'cells':>6} | {'survey':>7} {'read+chk':>8} {'core':>6} "
          f"{'write':>6} {'total':>6} | {'ms/file':>7} {'ms/row':>6} | {'calamine':>8} {'openpyxl':>8} {'ratio':>6} | {'build':>6}")
    for rows in args.rows:
        r = bench(args.files, rows)
        print(f"{rows:>9} {r['files']:>5} {r['rows']:>5} {r['changes']:>6} | {r['load_survey']:>6.2f}s {r['read_check']:>7.2f}s "
              f"{r['core']:>5.2f}s {r['write']:>5.2f}s {r['total']:>5.2f}s | {1000 * r['total'] / r['files']:>7.1f} "
              f"{1000 * r['total'] / r['rows']:>6.2f} | {r['calamine']:>7.2f}s {r['openpyxl']:>7.2f}s "
              f"{r['openpyxl'] / r['calamine']:>5.1f}x | {r['setup']:>5.1f}s")
    print(f"Whole run {time.perf_counter() - started:.1f}s. survey = reading the master (calamine); read+chk = reading "
          "and checking every department file (calamine); core = core/consolidation (decide); write = openpyxl load of the master, "
          "changes, log sheet, atomic save (files/survey_edit). ms/file and ms/row divide total by files and rows. ratio = openpyxl "
          "read_only / python-calamine time to read the same department files; build = template, split and fill (not timed above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
