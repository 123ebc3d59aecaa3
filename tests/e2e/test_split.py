"""`welfare-xl split`: one workbook per department (or one sheet each in the survey), history locked,
inputs open and marked, Excel's own validation naming the unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import cells_by_key, fill_department

from welfare_xl.commands.split import add_department_sheets
from welfare_xl.core.model.metadata import SHEET as META_SHEET


def test_split_writes_one_workbook_per_department(dept_dir: Path):
    names = sorted(p.name for p in dept_dir.iterdir())
    assert names == sorted(f"{d}.xlsx" for d in ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"])
    ws = load_workbook(dept_dir / "交通課.xlsx").worksheets[0]
    rows, _ = cells_by_key(ws)
    assert list(rows) == ["G6-01"]
    rows, _ = cells_by_key(load_workbook(dept_dir / "地域共生課.xlsx").worksheets[0])
    assert list(rows) == ["G1-01", "G2-02a", "G2-02b", "G2-02c", "G3-01", "G3-03", "G4-02"]


def test_split_locks_history_and_opens_inputs(dept_dir: Path):
    wb = load_workbook(dept_dir / "高齢者支援課.xlsx")
    ws = wb.worksheets[0]
    assert ws.title == "高齢者支援課"
    assert ws.protection.sheet and not ws.protection.password
    assert wb.security.lockStructure
    rows, cols = cells_by_key(ws)
    r = rows["G4-01"]
    baseline, target, actual = ws.cell(r, cols["y2017"]), ws.cell(r, cols["target"]), ws.cell(r, cols["y2019"])
    assert baseline.value == pytest.approx(0.484) and baseline.protection.locked
    assert ws.cell(r, cols["y2018"]).value == "－"
    assert target.value == pytest.approx(0.584) and target.protection.locked
    assert actual.value is None and not actual.protection.locked
    assert actual.number_format == "0.00%"
    for key in ("done", "next"):
        cell = ws.cell(r, cols[key])
        assert not cell.protection.locked
        assert cell.border.left.style == "dotted"  # marked by more than colour
    header = ws.cell(r - 2, cols["y2019"]).value
    assert "【入力】" in header
    assert wb[META_SHEET].sheet_state == "hidden"


def test_split_adds_excel_data_validation_naming_the_unit(dept_dir: Path):
    ws = load_workbook(dept_dir / "地域共生課.xlsx").worksheets[0]
    rows, cols = cells_by_key(ws)
    ref = ws.cell(rows["G1-01"], cols["y2019"]).coordinate
    dvs = [dv for dv in ws.data_validations.dataValidation if ref in str(dv.sqref)]
    assert len(dvs) == 1
    dv = dvs[0]
    assert dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
    assert "単位：人" in dv.prompt and dv.showInputMessage and dv.showErrorMessage
    pct = load_workbook(dept_dir / "高齢者支援課.xlsx").worksheets[0]
    dv = [d for d in pct.data_validations.dataValidation if d.type == "decimal"][0]
    assert (dv.operator, dv.formula1, dv.formula2) == ("between", "0", "1")


def test_split_inside_the_survey_workbook(template: Path):
    res = add_department_sheets(template)
    wb = load_workbook(res.path)
    assert wb.sheetnames[:2] == ["資料２", META_SHEET]
    assert set(wb.sheetnames[2:]) == set(res.added) == {"地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"}
    assert res.backup is not None and res.backup.parent == template.parent  # the survey itself was rewritten
    assert load_workbook(res.backup).sheetnames == ["資料２", META_SHEET]
    # What a department typed into its sheet survives a second run: existing sheets are kept.
    fill_department(template, {"G6-01": "2.13"}, {}, sheet="交通課")
    again = add_department_sheets(template)
    assert again.added == [] and len(again.kept) == 5 and again.backup is None
    wb = load_workbook(template)
    assert len(wb.sheetnames) == 7
    rows, cols = cells_by_key(wb["交通課"])
    assert wb["交通課"].cell(rows["G6-01"], cols["y2019"]).value == "2.13"
