"""Outputs people read (issue 10): the consolidated master's row heights, numbers kept off the
border, the committee PDF's author, title and permissions, and 未記入 told apart from エラー."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.paths import TEMPLATE

from welfare_xl import cli
from welfare_xl.commands.committee import committee
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.split import split
from welfare_xl.commands.status import submission_status
from welfare_xl.core.model import layout
from welfare_xl.core.sheets.master import MIN_ROW_HEIGHT, text_row_heights
from welfare_xl.core.sheets.styles import NUMBER_INDENT
from welfare_xl.files.pdf import to_pdf
from welfare_xl.files.survey_file import load_survey_file


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory, soffice) -> Path:
    from welfare_xl.commands.demo import demo

    out = tmp_path_factory.mktemp("demo")
    assert demo(out, echo=lambda _: None) == 0
    return out


def pdf_info(pdf: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^(\w+):\s+(.*)$", text, re.M))


def test_consolidated_master_rows_fit_their_texts_and_print_on_one_page(demo_out: Path, soffice: str):
    """Issue 10: every 資料２ row was 125 pt, so the consolidated master printed mostly empty."""
    path = demo_out / "集約_令和元年度.xlsx"
    survey, book, data = load_survey_file(path)
    table = layout.find_table(data.sheets[book.sheet])
    ws = load_workbook(path)[book.sheet]
    heights = {i: ws.row_dimensions[r.row + 1].height for i, r in table.by_id().items()}
    assert sum(heights.values()) < 0.5 * 125 * len(heights) and min(heights.values()) >= MIN_ROW_HEIGHT
    # Rows whose texts consolidation wrote are as high as the new texts need, and grew beyond the template's.
    template = load_workbook(TEMPLATE)[book.sheet]
    fitted = text_row_heights(survey, [i for i in heights])
    assert fitted and {i: heights[i] for i in fitted} == pytest.approx(fitted)
    assert any(h > template.row_dimensions[table.by_id()[i].row + 1].height for i, h in fitted.items())

    master_only = demo_out / "master_only.xlsx"
    wb = load_workbook(path)
    for name in wb.sheetnames:
        if name != book.sheet:
            del wb[name]
    wb.save(master_only)
    assert pdf_info(to_pdf(master_only, demo_out / "master.pdf", soffice=soffice))["Pages"] == "1"


def test_numbers_are_indented_off_the_cell_border(demo_out: Path):
    """Issue 10: in the committee PDF 「4団体」 touched the next column."""
    wb = load_workbook(demo_out / "委員会版_令和元年度.xlsx")
    numbers = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, (int, float)) and c.alignment.horizontal == "right"]
    assert len(numbers) > 50 and all(c.alignment.indent == NUMBER_INDENT > 0 for c in numbers)
    dist = load_workbook(demo_out / "配布" / "地域共生課.xlsx")
    typed = [c for ws in dist.worksheets for row in ws.iter_rows() for c in row if c.alignment.horizontal == "right"]
    assert typed and all(c.alignment.indent == NUMBER_INDENT for c in typed)


def test_committee_pdf_has_the_documents_title_and_author(demo_out: Path):
    info = pdf_info(demo_out / "委員会版_令和元年度.pdf")
    assert info["Title"] == "第４期西東京市地域福祉計画進捗状況調査票（令和元年度）推進委員会資料"
    assert info["Author"] == "welfare-xl"
    assert load_workbook(demo_out / "委員会版_令和元年度.xlsx").properties.creator == "welfare-xl"


def test_committee_pdf_gets_the_permissions_a_workbook_gets(demo_out: Path, tmp_path: Path, soffice: str):
    """A new PDF: the umask's default, like the workbook beside it; a replaced one keeps its mode."""
    src = demo_out / "集約_令和元年度.xlsx"
    old = os.umask(0o027)
    try:
        committee(src, tmp_path / "委員会.xlsx", pdf=tmp_path / "委員会.pdf")
        assert (tmp_path / "委員会.pdf").stat().st_mode & 0o777 == 0o640
        assert (tmp_path / "委員会.xlsx").stat().st_mode & 0o777 == 0o640
        (tmp_path / "委員会.pdf").chmod(0o604)
        committee(src, tmp_path / "委員会.xlsx", pdf=tmp_path / "委員会.pdf")
        assert (tmp_path / "委員会.pdf").stat().st_mode & 0o777 == 0o604
    finally:
        os.umask(old)


# --- 未記入: a form sent back as distributed is not a broken file ----------------------------------


@pytest.fixture
def blank_year(tmp_path: Path) -> Path:
    """The five forms as distributed in the folder; 地域共生課 filled in, 交通課 with one wrong value."""
    split(TEMPLATE, tmp_path / "提出")
    fill_department(tmp_path / "提出" / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS)
    fill_department(tmp_path / "提出" / "交通課.xlsx", {"G6-01": "abc"}, {})
    return tmp_path


def test_status_tells_blank_forms_from_broken_ones(blank_year: Path, capsys):
    state = submission_status(TEMPLATE, blank_year / "提出")
    labels = {d.department: d.label for d in state.departments}
    assert labels == {"地域共生課": "提出済", "協働コミュニティ課": "未記入", "高齢者支援課": "未記入",
                      "危機管理課": "未記入", "交通課": "エラー"}
    files = {f.file: f.label for f in state.files}
    assert files["危機管理課.xlsx"] == "未記入" and files["交通課.xlsx"] == "不採用"

    assert cli.main(["status", str(TEMPLATE), str(blank_year / "提出")]) == 1
    out = capsys.readouterr().out
    assert "提出済 1、差し替え 0、未提出 0、未記入 3、エラー 1（全5部署）" in out
    assert "  危機管理課: 未記入（「危機管理課.xlsx」は配布したままの様式で、何も入力されていません）" in out
    assert out.rstrip().endswith("未提出・未記入・エラーの部署があります。")


def test_consolidating_a_blank_form_takes_nothing_from_it(blank_year: Path):
    result = consolidate(TEMPLATE, blank_year / "提出", blank_year / "集約.xlsx")
    states = {d.department: d.status.value for d in result.departments}
    assert states["危機管理課"] == "blank" and states["地域共生課"] == "submitted"
    assert {c.indicator_id for c in result.changes if c.key != layout.GRADE} <= set(CHIIKI)
    assert result.exit_code == 1 and "未記入" in result.to_json()["departments"][3]["status_label"]
