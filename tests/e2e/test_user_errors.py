"""Whatever the user gets wrong, the CLI answers in Japanese naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import TEMPLATE, TEMPLATE_SOURCE

from welfare_xl.cli import main
from welfare_xl.commands.split import split


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text and "Errno" not in text and "予期しないエラー" not in text, text
    return code, text


def test_output_is_a_folder(capsys, tmp_path: Path):
    code, text = run(capsys, "template", "build", str(TEMPLATE_SOURCE), "-o", str(tmp_path))
    assert code == 2 and "同じ名前のフォルダがあります" in text and str(tmp_path) in text


def test_output_folder_cannot_be_made(capsys, tmp_path: Path):
    blocker = tmp_path / "調査票.xlsx"
    blocker.write_bytes(b"")
    code, text = run(capsys, "split", str(TEMPLATE), "-o", str(blocker / "配布"))
    assert code == 2 and "保存先のフォルダを作れません" in text


@pytest.mark.parametrize("content,fragment", [
    ("[plan\nid = 1", "テンプレート定義の書き方に誤りがあります（1行目"),
    ("[plan]\nid = 'x'\n", "必須の項目がありません"),
])
def test_bad_template_source(capsys, tmp_path: Path, content: str, fragment: str):
    src = tmp_path / "bad.toml"
    src.write_text(content, encoding="utf-8")
    code, text = run(capsys, "template", "build", str(src), "-o", str(tmp_path / "t.xlsx"))
    assert code == 2 and fragment in text and "bad.toml" in text


def test_missing_template_source(capsys, tmp_path: Path):
    code, text = run(capsys, "template", "build", str(tmp_path / "none.toml"), "-o", str(tmp_path / "t.xlsx"))
    assert code == 2 and "ファイルがありません" in text


@pytest.mark.parametrize("command", ["consolidate", "status", "export", "committee"])
def test_department_file_where_the_survey_is_expected(capsys, tmp_path: Path, command: str):
    dept = split(TEMPLATE, tmp_path / "配布")[0]
    argv = {
        "consolidate": ["consolidate", str(dept), str(tmp_path / "配布"), "-o", str(tmp_path / "o.xlsx")],
        "status": ["status", str(dept), str(tmp_path / "配布")],
        "export": ["export", str(dept), "--csv", str(tmp_path / "o.csv")],
        "committee": ["committee", str(dept), "-o", str(tmp_path / "c.xlsx")],
    }[command]
    code, text = run(capsys, *argv)
    assert code == 2 and f"{dept.name}: 部署別の調査票（地域共生課）です" in text and "資料２のあるブック" in text
