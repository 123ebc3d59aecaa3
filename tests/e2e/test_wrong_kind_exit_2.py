"""A wrong kind of file exits 2 with a Japanese sentence naming it, whatever the command (issue 10).

Exit 1 is kept for "done, but something needs a look" (a return with errors, a
department missing); a file a command cannot take at all is exit 2 everywhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from support.cli import run_cli
from support.paths import TEMPLATE

from welfare_xl.commands.split import split


@pytest.fixture
def kinds(tmp_path: Path) -> dict[str, Path]:
    """One file of each kind a user may name by mistake."""
    survey = shutil.copy(TEMPLATE, tmp_path / "調査票.xlsx")
    dept = split(TEMPLATE, tmp_path / "配布")[0]
    plain = tmp_path / "自作.xlsx"
    Workbook().save(plain)
    text = tmp_path / "メモ.xlsx"
    text.write_text("メモ", encoding="utf-8")
    csv = tmp_path / "表.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    folder = tmp_path / "フォルダ.xlsx"
    folder.mkdir()
    return {"survey": Path(survey), "department": dept, "plain": plain, "text": text, "csv": csv, "folder": folder,
            "missing": tmp_path / "ない.xlsx"}



@pytest.mark.parametrize("kind", ["survey", "text", "csv", "folder", "missing"])
def test_check_refuses_what_is_not_a_return(capsys, kinds: dict[str, Path], kind: str):
    code, text = run_cli(capsys, "check", str(kinds[kind]))
    assert code == 2 and kinds[kind].name in text and "提出してください" not in text, text


@pytest.mark.parametrize("kind", ["department", "plain", "text", "csv", "folder", "missing"])
@pytest.mark.parametrize("command", ["consolidate", "status", "undo", "committee", "export", "split", "check-survey"])
def test_every_command_refuses_a_wrong_survey(capsys, tmp_path: Path, kinds: dict[str, Path], kind: str,
                                              command: str):
    bad, inbox = str(kinds[kind]), str(tmp_path / "配布")
    argv = {
        "consolidate": ["consolidate", bad, inbox, "-o", str(tmp_path / "o.xlsx")],
        "status": ["status", bad, inbox],
        "undo": ["undo", bad, "-o", str(tmp_path / "u.xlsx")],
        "committee": ["committee", bad, "-o", str(tmp_path / "c.xlsx")],
        "export": ["export", bad, "--csv", str(tmp_path / "o.csv")],
        "split": ["split", bad, "-o", str(tmp_path / "d")],
        "check-survey": ["check", str(kinds["department"]), "--survey", bad],
    }[command]
    code, text = run_cli(capsys, *argv)
    assert code == 2 and kinds[kind].name in text, text


def test_the_add_in_is_never_written_over_a_workbook(capsys, kinds: dict[str, Path]):
    survey = kinds["survey"]
    before = survey.read_bytes()
    code, text = run_cli(capsys, "addin", "build", "-o", str(survey))
    assert code == 2 and "アドインの出力先は .xlam のファイル名にしてください" in text and survey.name in text
    assert survey.read_bytes() == before


def test_a_folder_given_as_the_template_source_says_so_in_japanese(capsys, tmp_path: Path):
    folder = tmp_path / "定義"
    folder.mkdir()
    code, text = run_cli(capsys, "template", "build", str(folder), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2 and "フォルダです" in text and "定義" in text and "Error" not in text
