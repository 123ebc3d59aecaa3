"""What an indicator may be, through the CLI (issue 9, item 5): a plan written in the test whose indicators
have a range over 100 % and below 0, a co-owner, no baseline figure, a survey every other year and a year
with no figure, from template build to the committee version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import run_cli
from support.fill import cells_by_key, fill_department
from support.indicator_plan import SOURCE

TEXTS = ("相談会を開催した。", "継続する。")
FUKUSHI = {"A-01": "130.0%", "A-03": 150, "A-06": 200}
KENKO = {"A-02": "-1.5%", "A-04": "38.0%", "A-05": "－", "A-03": 999}  # 999: typed into the co-owned row


@pytest.fixture
def year(tmp_path: Path, capsys) -> Path:
    """The plan's template built and split through the CLI; returns the folder."""
    (tmp_path / "plan.toml").write_text(SOURCE, encoding="utf-8")
    assert run_cli(capsys, "template", "build", str(tmp_path / "plan.toml"), "-o", str(tmp_path / "調査票.xlsx"))[0] == 0
    code, text = run_cli(capsys, "split", str(tmp_path / "調査票.xlsx"), "-o", str(tmp_path / "配布"))
    assert code == 0 and "2 件" in text
    return tmp_path


def _returned(base: Path, dept: str, values: dict) -> Path:
    path = base / "提出" / f"{dept}.xlsx"
    path.parent.mkdir(exist_ok=True)
    shutil.copy(base / "配布" / f"{dept}.xlsx", path)
    return fill_department(path, values, {i: TEXTS for i in values if i != "A-03" or dept == "福祉課"})


def test_forms_validate_each_range_and_lock_the_co_owned_row(year: Path):
    ws = load_workbook(year / "配布" / "福祉課.xlsx").worksheets[0]
    rows, cols = cells_by_key(ws)
    a01 = ws.cell(rows["A-01"], cols["y2022"]).coordinate
    dv = next(d for d in ws.data_validations.dataValidation if a01 in str(d.sqref))
    assert (dv.type, dv.operator, dv.formula1, dv.formula2, dv.errorStyle) == ("decimal", "between", "0", "1.5", "warning")
    assert "0.0%～150.0%" in dv.error
    ws = load_workbook(year / "配布" / "健康課.xlsx").worksheets[0]
    rows, cols = cells_by_key(ws)
    a02 = ws.cell(rows["A-02"], cols["y2022"]).coordinate
    dv = next(d for d in ws.data_validations.dataValidation if a02 in str(d.sqref))
    assert (dv.operator, dv.formula1, dv.formula2) == ("between", "-1", "1")
    co = ws.cell(rows["A-03"], cols["y2022"])
    assert co.value == "福祉課が回答" and co.protection.locked and ws.protection.sheet
    assert not any(co.coordinate in str(d.sqref) for d in ws.data_validations.dataValidation)
    assert all(ws.cell(rows["A-03"], c).protection.locked for c in cols.values())
    assert not ws.cell(rows["A-02"], cols["y2022"]).protection.locked


def test_a_year_with_such_indicators_from_check_to_the_committee(year: Path, capsys):
    survey = str(year / "調査票.xlsx")
    fukushi = _returned(year, "福祉課", {**FUKUSHI, "A-01": "160.0%"})
    code, text = run_cli(capsys, "check", str(fukushi), "--survey", survey)
    assert code == 1 and "［A-01］介護人材の充足率 実績値（160.0%）がこの指標の範囲（0.0%～150.0%）の外です。" in text
    # The change of A-06 is measured from 令和元年度 (令和２年度 is '－', 令和３年度 empty), which it names.
    assert "［A-06］介護予防教室の参加者数 直近の実績（令和元年度：100人）から+100%変化しています。" in text

    fukushi = _returned(year, "福祉課", FUKUSHI)
    assert run_cli(capsys, "check", str(fukushi), "--survey", survey)[0] == 0
    kenko = _returned(year, "健康課", KENKO)
    code, text = run_cli(capsys, "check", str(kenko), "--survey", survey)
    assert code == 0 and "エラー" not in text.replace("エラーはありません", "")
    assert "［A-03］総合相談の件数 この指標は福祉課が回答します（健康課は共同で担当）。このセルの入力（999）は集約しません。" in text
    assert "［A-05］" not in text  # '－' is this year's planned answer
    assert "［A-02］" in text and "負の数" not in text  # -1.5 % read (a note on the typed text), no error

    out = year / "集約.xlsx"
    code, text = run_cli(capsys, "consolidate", survey, str(year / "提出"), "-o", str(out))
    assert code == 1 and "提出済 2" in text and "この指標は福祉課が回答します" in text  # the co-owner's input, reported
    ws = load_workbook(out)["進捗"]
    rows, cols = cells_by_key(ws)
    cell = {(i, k): ws.cell(rows[i], cols[k]).value for i in rows for k in cols}
    assert cell[("A-03", "y2022")] == 150 and cell[("A-03", "department")] == "福祉課（健康課）"
    assert cell[("A-01", "y2022")] == pytest.approx(1.3) and cell[("A-02", "y2022")] == pytest.approx(-0.015)
    assert cell[("A-05", "y2022")] == "－"
    grades = {i: cell[(i, "grade")] for i in rows}
    assert grades == {"A-01": "◎ 達成", "A-02": "△ 遅れ", "A-03": "○ 順調", "A-04": "○ 順調", "A-05": "○ 順調",
                      "A-06": "◎ 達成"}

    code, text = run_cli(capsys, "consolidate", survey, str(year / "提出"), "-o", str(year / "j.xlsx"), "--json")
    facts = {i["indicator_id"]: (i["grade_baseline_year"], i["grade_value_year"]) for i in json.loads(text)["indicators"]}
    assert facts == {"A-01": (None, None), "A-02": (None, None), "A-03": (None, None), "A-04": (2021, None),
                     "A-05": (None, 2021), "A-06": (None, None)}

    code, text = run_cli(capsys, "status", survey, str(year / "提出"))
    assert "福祉課: 提出済" in text and "健康課: 提出済" in text

    code, text = run_cli(capsys, "committee", str(out), "-o", str(year / "委員会.xlsx"))
    assert code == 0
    assert "注記: 相談窓口の認知度（健康課）: 現状値がないため、令和３年度の値を基準に評価しています。" in text
    assert "注記: 市民の満足度（健康課）: 令和４年度は調査を行っていないため、令和３年度の値で評価しています。" in text
    assert "評価不能 0" in text
    # The committee version's summary footnotes the same two grades, where the committee reads them.
    book = load_workbook(year / "委員会.xlsx")
    notes = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("※")]
    assert "※　相談窓口の認知度：現状値がないため、令和３年度の値を基準に評価しています。" in notes
    assert "※　市民の満足度：令和４年度は調査を行っていないため、令和３年度の値で評価しています。" in notes
