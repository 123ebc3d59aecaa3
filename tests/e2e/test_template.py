"""The committed template is faithful to the seed table and to its source."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.paths import TEMPLATE, TEMPLATE_SOURCE
from support.seed import match_seed, seed_value

from welfare_xl.commands.template import build_template
from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.survey import NOT_AVAILABLE
from welfare_xl.files.survey_file import load_survey_file

SEED_VALUE_COLUMNS = {2017: "平成29年度（現状値）", 2018: "平成30年度", "target": "令和５年度（目標値）"}


def render(value, fmt: str) -> str:
    """What Excel shows for the few number formats the template uses."""
    if value == NOT_AVAILABLE:
        return NOT_AVAILABLE
    if fmt.endswith("%"):
        places = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return f"{value * 100:.{places}f}%"
    m = re.fullmatch(r'#,##0(?:\.(0+))?(?:"(.*)")?', fmt)
    assert m, fmt
    places = len(m.group(1) or "")
    return f"{value:,.{places}f}{m.group(2) or ''}"


def test_template_has_exactly_the_seed_rows_and_values():
    survey, book, _ = load_survey_file(TEMPLATE)
    assert len(survey.indicators) == 15
    pairs = match_seed(survey)
    assert len({ind.id for _, ind in pairs}) == 15
    for row, ind in pairs:
        for year in (2017, 2018):
            assert survey.values[ind.id][year] == seed_value(row[SEED_VALUE_COLUMNS[year]], ind), (ind.id, year)
        assert survey.targets[ind.id] == seed_value(row[SEED_VALUE_COLUMNS["target"]], ind), ind.id
        assert survey.values[ind.id][2019] is None  # the year's actual is for departments to fill
        assert ind.department == row["担当部署"]
        goal = survey.goal(ind.goal)
        assert goal.label == unicodedata.normalize("NFKC", row["基本目標"]).replace("1", "１").replace(
            "2", "２").replace("3", "３").replace("4", "４").replace("5", "５").replace("6", "６")
        assert goal.name == row["基本目標名"]
        assert "／".join(goal.directions) == row["施策の方向"]
        assert goal.pages == row["ページ番号"]
    assert all(v == (None, None) for v in survey.texts.values())
    assert survey.departments == ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]


def test_template_displays_values_as_the_seed_prints_them():
    survey, book, _ = load_survey_file(TEMPLATE)
    wb = load_workbook(TEMPLATE)
    ws = wb[book.sheet]
    table = book.table
    rows = table.by_id()
    for row, ind in match_seed(survey):
        for key, column in ((layout.year_key(2017), SEED_VALUE_COLUMNS[2017]), (layout.year_key(2018), SEED_VALUE_COLUMNS[2018]),
                            (layout.TARGET, SEED_VALUE_COLUMNS["target"])):
            cell = ws[table.ref(rows[ind.id], key)]
            shown = render(cell.value, cell.number_format)
            # The seed itself types one digit full-width (２団体): compare as a reader sees it.
            assert shown == unicodedata.normalize("NFKC", row[column]).replace("-", NOT_AVAILABLE), (ind.id, key)
            if cell.value != NOT_AVAILABLE:
                assert isinstance(cell.value, (int, float)), "values are numbers, not text"


def test_template_layout_headers_fonts_and_print_setup():
    wb = load_workbook(TEMPLATE)
    assert wb.sheetnames == ["資料２", META_SHEET]
    ws = wb["資料２"]
    assert wb[META_SHEET].sheet_state == "hidden"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(texts)
    for expected in ["第４期西東京市地域福祉計画進捗状況調査票", "資料２", "令和元年度", "基本目標・施策の方向", "ページ\n番号",
                     "項目", "細目", "担当部署", "平成29年度\n（現状値）", "平成30年度", "令和元年度\n（計画1年目）",
                     "令和５年度\n（目標値）", "令和元年度の取組状況", "増減に向けて取り組んだ内容等",
                     "令和２年度に向けた今後の展開", "課題に向けた取り組み等", "※１　平成30年度中に", "※２　各年度の数値は"]:
        assert expected in joined, expected
    fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"BIZ UDゴシック"}
    assert int(ws.page_setup.paperSize) == 8  # A3
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$4:$5"
    assert ws.column_dimensions["A"].hidden  # the ID column
    assert ws.row_dimensions[3].hidden  # the key row
    # Goals and policy directions sit in merged cells spanning their rows.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "B6:B6" not in merged and any(r.startswith("B7:B") for r in merged)
    goal2 = ws["B7"].value
    assert goal2.startswith("基本目標２\nみんながつながりあう地域づくり\n　・地域における活動の促進")


def test_metadata_is_readable_by_code_and_by_a_person():
    survey, book, _ = load_survey_file(TEMPLATE)
    meta = book.meta
    assert meta.kind == "survey"
    assert meta.identity == ("nishitokyo-chiiki-fukushi-4", 2019, "2019.1")
    ws = load_workbook(TEMPLATE)[META_SHEET]
    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert cells["plan_name"] == "第４期西東京市地域福祉計画"
    assert cells["fiscal_year"] == 2019
    assert cells["template_version"] == "2019.1"


def _snapshot(path: Path) -> dict:
    wb = load_workbook(path)
    snap = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    cells[c.coordinate] = (c.value, c.number_format, c.font.name, c.font.b, c.font.sz,
                                           c.fill.fgColor.rgb, c.alignment.wrap_text, c.protection.locked,
                                           c.border.left.style)
        snap[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "heights": {k: v.height for k, v in ws.row_dimensions.items()},
            "state": ws.sheet_state,
            "print": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.print_title_rows, ws.print_area),
        }
    return snap


def test_committed_template_matches_its_source(tmp_path: Path):
    fresh = build_template(TEMPLATE_SOURCE, tmp_path / "fresh.xlsx")
    assert _snapshot(fresh) == _snapshot(TEMPLATE), (
        "templates/調査票.xlsx is out of date: run "
        "`welfare-xl template build templates/source/調査票.toml -o templates/調査票.xlsx`")


@pytest.mark.parametrize("year,label", [(2017, "平成29年度\n（現状値）"), (2019, "令和元年度\n（計画1年目）")])
def test_year_headers(year, label):
    survey, _, _ = load_survey_file(TEMPLATE)
    assert survey.year_header(year) == label
