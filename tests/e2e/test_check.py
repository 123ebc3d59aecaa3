"""`welfare-xl check`: a department's return, filled the way people type, checked; every finding names
the file, sheet, cell and indicator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from support.fill import CHIIKI, CHIIKI_TEXTS, cells_by_key, fill_department
from support.fill import CHIIKI_DONE as DONE
from support.fill import CHIIKI_NEXT as NEXT
from support.paths import TEMPLATE

from welfare_xl.cli import main
from welfare_xl.commands.check import check
from welfare_xl.commands.split import add_department_sheets


def codes(sub, severity=None):
    return [(f.code, f.indicator_id, f.cell) for f in sub.findings if severity in (None, f.severity)]


def test_filled_as_people_type_passes_with_warnings(chiiki: Path, capsys):
    sub = check(chiiki, TEMPLATE)
    assert not sub.errors, [f.line() for f in sub.errors]
    normalized = {f.indicator_id: f for f in sub.warnings if f.code == "normalized"}
    assert set(normalized) == {"G1-01", "G2-02a", "G2-02b", "G2-02c", "G3-01", "G4-02"}
    assert "「８６団体」を 86団体 として読み取りました" in normalized["G2-02a"].message
    assert normalized["G2-02a"].sheet == "地域共生課" and normalized["G2-02a"].file == "地域共生課.xlsx"
    assert sub.entries["G2-02b"].value == 15813
    assert main(["check", str(chiiki)]) == 0
    assert "エラーはありません" in capsys.readouterr().out


def test_json_output(chiiki: Path, capsys):
    assert main(["check", str(chiiki), "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert findings and all(set(f) == {"severity", "file", "sheet", "cell", "indicator_id", "indicator", "message"}
                            for f in findings)
    assert {f["severity"] for f in findings} == {"warning"}


def test_big_change_without_reason_warns(dept_dir: Path):
    path = fill_department(dept_dir / "地域共生課.xlsx", {**CHIIKI, "G1-01": 900}, CHIIKI_TEXTS)
    sub = check(path)
    big = [f for f in sub.warnings if f.code == "big_change"]
    assert [(f.indicator_id, f.cell) for f in big] == [("G1-01", _ref(path, "G1-01", "y2019"))]
    assert "+75%" in big[0].message and "平成30年度" in big[0].message
    # A reason in the text silences it; the threshold comes from the template.
    path = fill_department(path, {}, {"G1-01": ("講習会の増加により登録者が増えた。", NEXT)})
    assert not [f for f in check(path).warnings if f.code == "big_change"]


def test_locked_cells_changed_after_unprotecting_are_errors_against_the_survey(dept_dir: Path, capsys):
    """A department unprotects the sheet and "corrects" last year's figure and the target: the row no
    longer matches the master, so its figures are refused (issue 8; this was a warning before)."""
    path = fill_department(dept_dir / "交通課.xlsx", {"G6-01": "2.13"}, {"G6-01": (DONE, NEXT)})
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    rows, cols = cells_by_key(ws)
    ws.cell(rows["G6-01"], cols["y2018"]).value = 9.99
    ws.cell(rows["G6-01"], cols["target"]).value = "1.5人/km"
    wb.save(path)

    sub = check(path, TEMPLATE)
    locked = [f for f in sub.errors if f.code == "locked_changed"]
    assert [(f.indicator_id, f.cell, f.sheet) for f in locked] == [
        ("G6-01", _ref(path, "G6-01", "y2018"), "交通課"), ("G6-01", _ref(path, "G6-01", "target"), "交通課")]
    assert locked[0].message.startswith("保護されたセル（平成30年度）が調査票と違います（調査票：2.18人/km、このファイル：9.99人/km）。"
                                        "行や指標IDをコピー・入れ替えたか")
    assert "集約しません" in locked[0].message
    assert locked[1].message.startswith("保護されたセル（目標値）が調査票と違います（調査票：2.18人/km、このファイル：1.50人/km）")
    assert locked[0].indicator and "はなバス" in locked[0].indicator
    assert not sub.entries["G6-01"].ok and not [f for f in sub.warnings if f.code == "big_change"]
    assert main(["check", str(path), "--survey", str(TEMPLATE)]) == 1
    out = capsys.readouterr().out
    assert "保護されたセル（平成30年度）が調査票と違います" in out and "交通課.xlsx" in out

    # Without the survey there is nothing to compare the figures with: the file alone is all the check knows.
    plain = check(path)
    assert not [f for f in plain.findings if f.code == "locked_changed"] and not plain.errors
    assert [f.code for f in plain.warnings if f.code == "big_change"] == ["big_change"]


def test_text_too_long_for_the_printed_cell_warns(dept_dir: Path):
    path = fill_department(dept_dir / "地域共生課.xlsx", CHIIKI, {**CHIIKI_TEXTS, "G3-01": ("あ" * 400, NEXT)})
    sub = check(path)
    assert not sub.errors
    long = [f for f in sub.warnings if f.code == "text_long"]
    assert [(f.indicator_id, f.cell) for f in long] == [("G3-01", _ref(path, "G3-01", "done"))]
    assert "400文字" in long[0].message


def _ref(path: Path, ind: str, key: str) -> str:
    ws = load_workbook(path).worksheets[0]
    rows, cols = cells_by_key(ws)
    return ws.cell(rows[ind], cols[key]).coordinate




@pytest.mark.parametrize("raw,code,fragment", [
    (None, "blank", "未入力"),
    ("abc", "not_number", "数値として読めません"),
    ("513件", "not_number", "単位「件」"),
    ("-5", "negative", "負の数"),
    ("12.5", "not_integer", "整数"),
])


def test_value_errors_name_cell_and_indicator(dept_dir: Path, capsys, raw, code, fragment):
    path = fill_department(dept_dir / "地域共生課.xlsx", {**CHIIKI, "G1-01": raw}, CHIIKI_TEXTS)
    sub = check(path)
    errors = [f for f in sub.errors]
    assert [(f.code, f.indicator_id, f.cell) for f in errors] == [(code, "G1-01", _ref(path, "G1-01", "y2019"))]
    assert fragment in errors[0].message
    assert errors[0].indicator == "ボランティア・市民活動センターの登録者数"
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert _ref(path, "G1-01", "y2019") in out and "G1-01" in out and "地域共生課" in out


@pytest.mark.parametrize("raw", ["150%", 1.5, "-3%"])


def test_percent_outside_0_100(dept_dir: Path, raw):
    path = fill_department(dept_dir / "高齢者支援課.xlsx", {"G4-01": raw}, {"G4-01": (DONE, NEXT)})
    sub = check(path)
    assert [f.code for f in sub.errors] in (["percent_range"], ["negative"])
    assert sub.errors[0].cell == _ref(path, "G4-01", "y2019")


def test_percent_typed_well_passes(dept_dir: Path):
    path = fill_department(dept_dir / "高齢者支援課.xlsx", {"G4-01": "50.70%"}, {"G4-01": (DONE, NEXT)})
    sub = check(path)
    assert not sub.errors and sub.entries["G4-01"].value == pytest.approx(0.507)
    path = fill_department(path, {"G4-01": 0.507}, {})  # what Excel stores when the % format does its job
    assert not check(path).findings


@pytest.mark.parametrize("key", ["done", "next"])


def test_required_text_empty(dept_dir: Path, key):
    texts = dict(CHIIKI_TEXTS)
    texts["G2-02a"] = (None, NEXT) if key == "done" else (DONE, "  ")
    path = fill_department(dept_dir / "地域共生課.xlsx", CHIIKI, texts)
    sub = check(path)
    assert [(f.code, f.indicator_id, f.cell) for f in sub.errors] == [("text_missing", "G2-02a", _ref(path, "G2-02a", key))]


def test_sub_items_share_the_items_text(chiiki: Path):
    """延べ利用者数 and 延べ利用回数 have no texts of their own: no error for them."""
    sub = check(chiiki)
    assert not [f for f in sub.findings if f.code == "text_missing"]


def test_not_from_this_template(tmp_path: Path, capsys):
    wb = Workbook()
    wb.active["A1"] = "504人"
    path = tmp_path / "自作.xlsx"
    wb.save(path)
    sub = check(path)
    assert sub.fatal and [f.code for f in sub.errors] == ["not_from_template"]
    assert main(["check", str(path)]) == 1
    assert "自作.xlsx" in capsys.readouterr().out


def test_not_this_year(tmp_path: Path, chiiki: Path):
    from support.paths import TEMPLATE_SOURCE

    from welfare_xl.commands.template import build_template

    src = TEMPLATE_SOURCE.read_text(encoding="utf-8").replace("fiscal_year = 2019", "fiscal_year = 2020")
    (tmp_path / "r2.toml").write_text(src, encoding="utf-8")
    next_year = build_template(tmp_path / "r2.toml", tmp_path / "令和２年度.xlsx")
    sub = check(chiiki, next_year)
    assert sub.fatal and [f.code for f in sub.errors] == ["wrong_template"]
    assert "令和元年度" in sub.errors[0].message and "令和２年度" in sub.errors[0].message


def test_indicator_row_missing(chiiki: Path):
    wb = load_workbook(chiiki)
    ws = wb.worksheets[0]
    ws.protection.sheet = False  # a department that unprotected the form
    rows, _ = cells_by_key(ws)
    ws.delete_rows(rows["G3-03"])
    wb.save(chiiki)
    sub = check(chiiki)
    missing = [f for f in sub.errors if f.code == "row_missing"]
    assert [(f.indicator_id, f.cell) for f in missing] == [("G3-03", None)]
    assert "「あんしん西東京」相談件数" in missing[0].message


def test_inserted_rows_and_moved_sheet_do_not_matter(chiiki: Path):
    wb = load_workbook(chiiki)
    wb.security.lockStructure = False
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    ws.insert_rows(8, 3)
    ws.insert_cols(3)
    ws.title = "回答"
    wb.move_sheet(ws, offset=1)
    wb.save(chiiki)
    sub = check(chiiki)
    assert not sub.errors and sub.sheet == "回答"
    assert sub.entries["G2-02b"].value == 15813


def test_unreadable_file_exit_2(tmp_path: Path, capsys):
    bad = tmp_path / "壊れた.xlsx"
    bad.write_bytes(b"not a zip")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "壊れた.xlsx" in err and "Traceback" not in err
    assert main(["check", str(tmp_path / "ない.xlsx")]) == 2


def test_copied_row_is_an_error_on_a_visible_cell(chiiki: Path):
    wb = load_workbook(chiiki)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    rows, cols = cells_by_key(ws)
    src = rows["G3-01"]
    ws.insert_rows(src + 1)
    for c in range(1, ws.max_column + 1):
        ws.cell(src + 1, c).value = ws.cell(src, c).value
    ws.cell(src + 1, cols["y2019"]).value = 999
    wb.save(chiiki)
    sub = check(chiiki)
    dup = [f for f in sub.errors if f.code == "duplicate_row"]
    assert [(f.indicator_id, f.cell) for f in dup] == [("G3-01", ws.cell(src + 1, cols["y2019"]).coordinate)]
    assert f"{src + 1}行目は{src}行目の指標をコピーした行です" in dup[0].message
    assert sub.entries["G3-01"].value == 888  # the original row is the one read


def test_deleted_input_column_is_named_by_its_header(chiiki: Path):
    wb = load_workbook(chiiki)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    _, cols = cells_by_key(ws)
    ws.delete_cols(cols["next"])
    wb.save(chiiki)
    sub = check(chiiki)
    assert sub.fatal and [f.code for f in sub.errors] == ["column_missing"]
    assert "「令和２年度に向けた今後の展開」" in sub.errors[0].message and "next" not in sub.errors[0].message


def test_checking_the_master_itself_says_what_it_is(template: Path, capsys):
    """Issue 10: the master is a wrong kind of file for `check` (exit 2, as every command), not a return to fix."""
    assert main(["check", str(template)]) == 2
    captured = capsys.readouterr()
    assert "集約用の調査票（資料２）で、部署別の調査票ではありません" in captured.err
    assert "提出してください" not in captured.out + captured.err


def test_checking_the_master_sheet_by_name_is_refused_too(template: Path, capsys):
    assert main(["check", str(template), "--sheet", "資料２"]) == 2
    err = capsys.readouterr().err
    assert "シート「資料２」は集約用の表" in err and template.name in err


def test_department_sheet_inside_the_survey(template: Path):
    add_department_sheets(template)
    fill_department(template, {"G6-01": " 2.13 人/km"}, {"G6-01": (DONE, NEXT)}, sheet="交通課")
    sub = check(template, sheet="交通課")
    assert sub.department == "交通課" and not sub.errors
    assert sub.entries["G6-01"].value == pytest.approx(2.13)


def test_copied_input_column_is_an_error(chiiki: Path):
    wb = load_workbook(chiiki)
    ws = wb.worksheets[0]
    ws.protection.sheet = False
    _, cols = cells_by_key(ws)
    src = cols["y2019"]
    ws.insert_cols(src + 1)
    for r in range(1, ws.max_row + 1):
        ws.cell(r, src + 1).value = ws.cell(r, src).value
    wb.save(chiiki)
    sub = check(chiiki)
    assert sub.fatal and {f.code for f in sub.errors} == {"column_duplicated"}
    from openpyxl.utils import get_column_letter

    first, copy = get_column_letter(src), get_column_letter(src + 1)
    assert f"「令和元年度（計画1年目）※２」の列が{first}列と{copy}列の2か所にあります" in sub.errors[0].message
