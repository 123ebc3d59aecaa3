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


def _write_user_conf(home: Path, *lines: str) -> Path:
    conf = home / ".welfare_xl" / "welfare_xl.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_bytes("".join(line + "\r\n" for line in lines).encode("cp932"))
    return conf


def test_diagnose_reports_the_workbook_folder_setting(survey: Path, home: Path):
    # A conf from an earlier install: the interpreter only, so xlwings' default (true) holds.
    conf = _write_user_conf(home, '"Interpreter_Win","C:\\Python311\\python.exe"')
    text = only_alert(run(survey, "diagnose"))["prompt"]
    assert f"設定ファイル {conf} の ADD_WORKBOOK_TO_PYTHONPATH が False ではありません" in text
    assert "「welfare-xl addin install」をもう一度実行してください" in text
    assert "ブックのフォルダーを Python の検索先に：入れる（ADD_WORKBOOK_TO_PYTHONPATH）" in text
    assert "C:\\Python311\\python.exe" in text

    # What `welfare-xl addin install` writes now: no problem, and the setting shown.
    _write_user_conf(home, '"Interpreter_Win","C:\\Python311\\python.exe"', '"ADD_WORKBOOK_TO_PYTHONPATH","False"')
    text = only_alert(run(survey, "diagnose"))["prompt"]
    assert "ADD_WORKBOOK_TO_PYTHONPATH が" not in text
    assert "ブックのフォルダーを Python の検索先に：入れない（ADD_WORKBOOK_TO_PYTHONPATH）" in text


def test_diagnose_names_a_conf_sheet_and_a_conf_file_beside_the_book(tmp_path: Path, home: Path):
    from openpyxl import load_workbook

    _write_user_conf(home, '"ADD_WORKBOOK_TO_PYTHONPATH","False"')
    folder = tmp_path / "returned"
    folder.mkdir()
    wb = new_workbook()
    wb.create_sheet("Sheet1")["A1"] = "hello"
    conf_sheet = wb.create_sheet("WELFARE_XL.conf")  # Excel finds sheets by name in any case
    conf_sheet["A1"], conf_sheet["B1"] = "INTERPRETER_WIN", "C:\\evil\\python.exe"
    wb.save(folder / "returned.xlsx")
    assert "WELFARE_XL.conf" in load_workbook(folder / "returned.xlsx").sheetnames
    (folder / "welfare_xl.conf").write_bytes(b'"Interpreter_Win","C:\\evil\\python.exe"\r\n')

    book = run(folder / "returned.xlsx", "diagnose")
    text = only_alert(book)["prompt"]
    assert "このブックに「welfare_xl.conf」シートがあります" in text
    assert "アドインのボタンはこのブックでは実行しません" in text
    assert "確認が必要な点が" in text and "Traceback" not in text

    # The remote engine knows no folder (book_folder is None): the file beside the book is
    # looked for in the folder a desktop Excel reports.
    from welfare_xl.addin.actions.environment import _configuration

    problems: list[str] = []
    lines = _configuration(book, folder, problems)
    assert f"ブックのフォルダーに設定ファイル {folder / 'welfare_xl.conf'} があります" in "".join(problems)
    assert "C:\\evil\\python.exe" in lines[0]
