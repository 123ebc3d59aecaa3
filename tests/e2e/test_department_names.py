"""A department name Excel does not take as a sheet name (都市計画部/交通課) goes through split,
split --in-workbook and check: the sheet name is cleaned in the core, the same way for the CLI
and the add-in, and the department itself keeps its name everywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import fill_department
from support.paths import TEMPLATE_SOURCE

from welfare_xl.cli import main
from welfare_xl.commands.check import check
from welfare_xl.commands.template import build_template
from welfare_xl.core.sheets.department import sheet_name

SLASHED = "都市計画部/交通課"


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """The shipped plan with its 交通課 renamed to a name holding a slash."""
    text = TEMPLATE_SOURCE.read_text(encoding="utf-8").replace('department = "交通課"', f'department = "{SLASHED}"')
    assert SLASHED in text
    source = tmp_path / "source.toml"
    source.write_text(text, encoding="utf-8")
    return build_template(source, tmp_path / "調査票.xlsx")


def test_sheet_names_follow_excel_rules():
    assert sheet_name(SLASHED) == "都市計画部_交通課"
    assert sheet_name("a\\b?c*d[e]f:g") == "a_b_c_d_e_f_g"
    assert sheet_name("'引用'") == "引用"
    assert sheet_name("長" * 40) == "長" * 31
    assert sheet_name("'") == "部署"


def test_split_writes_a_workbook_for_a_department_with_a_slash(survey: Path, tmp_path: Path):
    out = tmp_path / "配布"
    assert main(["split", str(survey), "-o", str(out)]) == 0
    book = out / "都市計画部_交通課.xlsx"
    wb = load_workbook(book)
    assert "都市計画部_交通課" in wb.sheetnames
    fill_department(book, {"G6-01": "2.13"}, {"G6-01": ("運行を継続した。", "利用促進に取り組む。")})
    sub = check(book)
    assert sub.department == SLASHED and not sub.errors


def test_split_in_workbook_adds_the_cleaned_sheet(survey: Path):
    assert main(["split", str(survey), "-o", str(survey), "--in-workbook"]) == 0
    assert "都市計画部_交通課" in load_workbook(survey).sheetnames
