"""環境チェック through xlwings' remote engine: versions and problems reported, nothing written."""

from __future__ import annotations

from pathlib import Path

import xlwings as xw
from support.buttons import only_alert, run

from welfare_xl.files.writer import new_workbook


def test_diagnose_reports_versions_and_problems_without_writing(survey: Path):
    book = run(survey, "diagnose")
    alert = only_alert(book)
    text = alert["prompt"]
    assert f"xlwings {xw.__version__}" in text and "Python " in text and "welfare-xl " in text
    assert "様式の版 2019.1" in text and "事務局の調査票" in text
    # the survey's folder has no 提出 folder yet: said plainly, with what to do
    assert "提出フォルダ「" in text and "がありません" in text and "フォルダを作るか" in text
    assert "Traceback" not in text


def test_diagnose_on_a_book_that_is_not_ours(tmp_path: Path):
    wb = new_workbook()
    wb.create_sheet("Sheet1")["A1"] = "hello"
    wb.save(tmp_path / "other.xlsx")
    text = only_alert(run(tmp_path / "other.xlsx", "diagnose"))["prompt"]
    assert "「管理情報」シートがない" in text
