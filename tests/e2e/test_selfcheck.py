"""Department workbooks that check themselves with Excel alone (issue 10, item 6).

A filled department workbook is recalculated by LibreOffice headless (its
formulas have no saved result until a spreadsheet application computes them),
and its 点検 line must count what `welfare-xl check` reports for the same file:
未入力 and 要修正 are check's errors, 要確認 its warnings.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook
from support.fill import CHIIKI, CHIIKI_TEXTS, cells_by_key, department_table, fill_department
from support.libreoffice import recalculated

from welfare_xl.commands.check import check
from welfare_xl.core.checks import Severity, Submission
from welfare_xl.core.model import layout
from welfare_xl.core.sheets.department import CHECK_ROW
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_WARNING

BLANK_CODES = {"blank", "text_missing"}
LINE = re.compile(r"^点検：未入力 (\d+)件・要修正 (\d+)件・要確認 (\d+)件　")
REASON = "利用者の増加による"  # holds a reason word (増, により ...)
NO_REASON = "例年どおり実施した"

# 地域共生課's figures typed as plain numbers, each within half of last year's.
NUMBERS = {"G1-01": 513, "G2-02a": 86, "G2-02b": 15813, "G2-02c": 2731, "G3-01": 888, "G3-03": 925, "G4-02": 75}
# Each case: department, typed values, typed texts (done, next) per item's first row.
CASES = {
    "clean": ("地域共生課", CHIIKI, CHIIKI_TEXTS),
    "numbers": ("地域共生課", NUMBERS, CHIIKI_TEXTS),
    "blank": ("地域共生課", {}, {}),
    "text": ("地域共生課", {**CHIIKI, "G1-01": "abc", "G2-02a": "８６団体", "G2-02b": "1 ５８１３人",
                            "G3-01": "－", "G3-03": "12%", "G4-02": "約75件"}, CHIIKI_TEXTS),
    "range": ("地域共生課", {**CHIIKI, "G1-01": -5, "G2-02a": 2.5, "G2-02b": "-3人", "G3-03": 1e16},
              {"G1-01": (None, "次年度も継続"), "G2-02a": ("あ" * 300, "継続")}),
    "change": ("地域共生課", {**CHIIKI, "G1-01": 2000, "G3-01": 5000, "G3-03": 100},
               {**CHIIKI_TEXTS, "G1-01": (NO_REASON, "継続"), "G3-01": (REASON, "継続"), "G3-03": (NO_REASON, "継続")}),
    "percent": ("高齢者支援課", {"G4-01": "50.70%"}, {"G4-01": ("実施", "継続")}),
    "percent_bare": ("高齢者支援課", {"G4-01": "50.7"}, {"G4-01": ("実施", "継続")}),
    "percent_range": ("高齢者支援課", {"G4-01": 1.5}, {"G4-01": ("実施", "継続")}),
    "rate": ("交通課", {"G6-01": "2.13人/km"}, {"G6-01": ("実施", "継続")}),
    "rate_number": ("交通課", {"G6-01": 2.2}, {"G6-01": ("実施", "継続")}),
}


def check_counts(sub: Submission) -> tuple[int, int, int]:
    """(未入力, 要修正, 要確認) as check reports them."""
    blank = sum(f.code in BLANK_CODES for f in sub.errors)
    return blank, len(sub.errors) - blank, len(sub.warnings)


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> dict[str, Path]:
    from support.paths import TEMPLATE

    from welfare_xl.commands.split import split

    base = tmp_path_factory.mktemp("selfcheck")
    split(TEMPLATE, base / "配布")
    out = {}
    for name, (dept, values, texts) in CASES.items():
        path = base / "returns" / f"{name}.xlsx"
        path.parent.mkdir(exist_ok=True)
        shutil.copy(base / "配布" / f"{dept}.xlsx", path)
        out[name] = fill_department(path, values, texts)
    return out


def test_check_line_counts_what_check_reports_after_libreoffice_recalculates(soffice: str, returns, tmp_path):
    calculated = recalculated(soffice, list(returns.values()), tmp_path / "lo")
    seen = {name: sheet_agrees_with_check(name, path, calculated[name], CASES[name][0])
            for name, path in returns.items()}
    # The cases cover what the issue lists: clean, blank, text and out-of-range inputs, each non-trivially.
    assert seen["numbers"] == (0, 0, 0)
    assert seen["blank"][0] == 17 and seen["blank"][1:] == (0, 0)
    assert seen["text"][1] >= 3 and seen["text"][2] >= 3
    assert seen["range"][1] >= 4 and seen["range"][2] >= 1
    assert seen["change"][2] >= 2 and seen["percent_range"][1] == 1
    assert line_advice(calculated["numbers"], "地域共生課") == "このまま提出できます。"
    assert "赤のセルを直して" in line_advice(calculated["blank"], "地域共生課")


def sheet_agrees_with_check(name: str, path: Path, calculated: Path, dept: str) -> tuple[int, int, int]:
    """The recalculated sheet's 点検 line counts what check reports for the file, and its 点検 column marks
    the rows check has findings on, with the same words; returns the counts."""
    sub = check(path)
    want = check_counts(sub)
    grid = sheet_rows(calculated, dept)
    line = grid[CHECK_ROW][1]
    m = LINE.match(line)
    assert m, (name, line)
    assert tuple(map(int, m.groups())) == want, (name, line, [(f.code, f.cell) for f in sub.findings])
    table = layout.find_table(grid)
    check_col = max(table.columns.values()) + 1
    marked = {r.row: grid[r.row][check_col] for r in table.rows if grid[r.row][check_col]}
    found_rows = {int(re.sub(r"^[A-Z]+", "", f.cell)) - 1 for f in sub.findings if f.cell}
    assert set(marked) == found_rows, (name, marked, [(f.code, f.cell) for f in sub.findings])
    for f in sub.findings:
        word = "未入力" if f.code in BLANK_CODES else "要修正" if f.severity is Severity.ERROR else "要確認"
        assert word in marked[int(re.sub(r"^[A-Z]+", "", f.cell)) - 1], (name, f.code, f.cell)
    # The recalculated file (cached results, as Excel saves it) is read and checked the same.
    again = check(calculated)
    assert sorted((f.code, f.cell) for f in again.findings) == sorted((f.code, f.cell) for f in sub.findings)
    return want


# A plan whose indicators have ranges of their own, a co-owned row, a planned '－' and a year with no
# figure (support.indicator_plan, issue 9): each case's department, typed values, and the counts
# (未入力, 要修正, 要確認) check and the sheet must both give.
PLAN_TEXTS = ("相談会を開催した。", "継続する。")
FUKUSHI = {"A-01": 1.3, "A-03": 150, "A-06": 110}
KENKO = {"A-02": -0.015, "A-04": 0.38, "A-05": "－"}
PLAN_CASES = {
    "over_100_allowed": ("福祉課", FUKUSHI, (0, 0, 0)),  # a 充足率 of 130 % within its 150 %
    "over_range": ("福祉課", {**FUKUSHI, "A-01": 1.6}, (0, 1, 0)),
    "negative_allowed": ("健康課", KENKO, (0, 0, 0)),  # a 増減率 of -1.5 %, a planned '－'
    "below_range": ("健康課", {**KENKO, "A-02": -1.2}, (0, 1, 0)),
    "default_range": ("健康課", {**KENKO, "A-04": 1.2}, (0, 1, 0)),
    "dash_unplanned": ("健康課", {**KENKO, "A-04": "－"}, (0, 0, 1)),
    "co_owned_typed": ("健康課", {**KENKO, "A-03": 999}, (0, 0, 1)),
    "last_recorded": ("福祉課", {**FUKUSHI, "A-06": 200}, (0, 0, 1)),  # +100 % on 令和元年度, 2 years skipped
}


def test_check_line_agrees_with_check_on_ranges_co_owners_and_a_planned_dash(soffice: str, tmp_path):
    from support.indicator_plan import SOURCE

    from welfare_xl.commands.split import split
    from welfare_xl.commands.template import build_template

    (tmp_path / "plan.toml").write_text(SOURCE, encoding="utf-8")
    split(build_template(tmp_path / "plan.toml", tmp_path / "調査票.xlsx"), tmp_path / "配布")
    paths = {}
    for name, (dept, values, _) in PLAN_CASES.items():
        path = tmp_path / "returns" / f"{name}.xlsx"
        path.parent.mkdir(exist_ok=True)
        shutil.copy(tmp_path / "配布" / f"{dept}.xlsx", path)
        texts = {i: PLAN_TEXTS for i in values if i != "A-03" or dept == "福祉課"}
        paths[name] = fill_department(path, values, texts)
    calculated = recalculated(soffice, list(paths.values()), tmp_path / "lo")
    for name, (dept, _, want) in PLAN_CASES.items():
        assert sheet_agrees_with_check(name, paths[name], calculated[name], dept) == want, name


def line_advice(path: Path, sheet: str) -> str:
    return LINE.sub("", sheet_rows(path, sheet)[CHECK_ROW][1])


def test_form_marks_its_own_inputs_without_macros(returns):
    path = returns["clean"]
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
    assert not any("vbaProject" in n for n in names) and "macroEnabled" not in types
    wb = load_workbook(path)
    ws, table = department_table(wb)
    rows, keys = cells_by_key(ws)
    first, last = min(rows.values()), max(rows.values())
    input_cols = [keys[layout.year_key(2019)], keys[layout.DONE], keys[layout.NEXT]]

    rules = {}  # (column letter, fill) -> formula, for rules over a whole input column of the table
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill.start_color.rgb[-6:]
            for rng in cf.sqref.ranges:
                rules[(rng.coord, fill)] = rule.formula[0]
    for c in input_cols:
        letter = get_column_letter(c)
        area = f"{letter}{first}:{letter}{last}"
        assert (area, FILL_ERROR) in rules and (area, FILL_WARNING) in rules, (area, sorted(rules))
        # the rule reads the row's hidden status cell, which holds a formula and is locked
        status = re.search(r"\$([A-Z]+)" + str(first), rules[(area, FILL_ERROR)]).group(1)
        assert ws.column_dimensions[status].hidden
        cell = ws[f"{status}{first}"]
        assert str(cell.value).startswith("=") and cell.protection.locked
        assert not ws.cell(row=first, column=c).protection.locked
    line = ws.cell(row=CHECK_ROW + 1, column=2)
    assert str(line.value).startswith('="点検：') and line.protection.locked and ws.protection.sheet
    # the helper columns carry no key: no reader takes them for a survey column
    assert max(keys.values()) < min(c for c in range(1, ws.max_column + 1)
                                    if ws.column_dimensions[get_column_letter(c)].hidden
                                    and c > keys[layout.NEXT])


def test_number_cells_warn_rather_than_refuse(returns):
    """Issue 10's decision: "513人" typed into a count is kept (Excel warns once), and check reads it."""
    ws, table = department_table(load_workbook(returns["clean"]))
    rows, keys = cells_by_key(ws)
    value_col = get_column_letter(keys[layout.year_key(2019)])
    number_rules = [dv for dv in ws.data_validations.dataValidation if dv.type in ("whole", "decimal")]
    covered = {str(r) for dv in number_rules for r in dv.sqref.ranges}
    assert covered == {f"{value_col}{r}" for r in rows.values()}
    assert {dv.errorStyle for dv in number_rules} == {"warning"}
    assert all("「はい」でこのまま残せます" in dv.error for dv in number_rules)
    sub = check(returns["clean"])
    g101 = next(f for f in sub.findings if f.indicator_id == "G1-01")
    assert g101.severity is Severity.WARNING and "513" in g101.message
