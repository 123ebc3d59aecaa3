"""What the add-in tests share: pressing a button through xlwings' remote engine, and reading the result.

`run` opens a real workbook as the payload an Office.js client would send
(`support.xlwings_payload`) and presses a ribbon button exactly as the ribbon
does (`welfare_xl.addin.run(tag)`); the other helpers read the recorded actions
or an openpyxl copy of the workbook with them replayed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import xlwings as xw
from openpyxl import load_workbook

import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
import welfare_xl.addin as addin
from welfare_xl.addin.excel import settings as settings_sheet
from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.model.source import parse_source
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.files.writer import add_sheets, write_specs

DONE = "講座を3回開催し、登録者が増加した。"
NEXT = "若い世代への周知を強化する。"

# 地域共生課 as a clerk types it: units, full-width digits, a text, a blank, a percent sign.
CHIIKI = {"G1-01": "513人", "G2-02a": "８６団体", "G2-02b": "abc", "G2-02c": None, "G3-01": "50.70%",
          "G3-03": 925, "G4-02": "75件"}
CHIIKI_TEXTS = {"G1-01": (DONE, NEXT), "G2-02a": (DONE, None), "G3-01": (DONE, NEXT), "G3-03": (DONE, NEXT),
                "G4-02": (DONE, NEXT)}


def run(path: Path, tag: str, *, active: str | None = None) -> xw.Book:
    """Press the button `tag` with the workbook at `path` active in Excel."""
    book = xl.open_book(path, active=active)
    addin.run(tag)
    return book


def funcs(book: xw.Book) -> Counter:
    return Counter(a["func"] for a in book.json()["actions"])


def only_alert(book: xw.Book) -> dict[str, Any]:
    """The single action of a run that must not touch the workbook: its alert."""
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"], [a["func"] for a in actions]
    prompt, title, buttons, mode, _ = actions[0]["args"]
    return {"prompt": prompt, "title": title, "mode": mode}


def with_settings(src: Path, dst: Path, base: Path | None) -> Path:
    """A copy of the survey with a 設定 sheet whose 作業フォルダ is `base`."""
    wb = load_workbook(src)
    add_sheets(wb, [settings_sheet.spec()])
    if base is not None:
        for row in wb[settings_sheet.SHEET].iter_rows():
            if row[0].value == settings_sheet.BASE:
                row[1].value = str(base)
    wb.save(dst)
    return dst


def table_of(ws) -> layout.Table:
    table = layout.find_table([[c.value for c in row] for row in ws.iter_rows()])
    assert table is not None
    return table


def fills(ws) -> dict[str, str | None]:
    return {c.coordinate: (c.fill.fgColor.rgb if c.fill.fill_type else None) for row in ws.iter_rows() for c in row}


def values(ws) -> dict[str, Any]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row}


def notes(ws) -> dict[str, str]:
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def big_source(n: int) -> dict[str, Any]:
    """A plan with `n` indicators of 地域共生課 (and one of 交通課), for counting actions."""
    inds = [{"id": f"X-{i:04d}", "goal": 1 + i % 2, "item": f"指標{i}", "department": "地域共生課",
             "unit": "人", "kind": "count", "values": {"2017": 100 + i, "2018": 110 + i}, "target": 300 + i}
            for i in range(n)]
    inds.append({"id": "T-1", "goal": 2, "item": "交通", "department": "交通課", "unit": "回", "kind": "count",
                 "values": {"2017": 1, "2018": 2}, "target": 5})
    return {
        "plan": {"id": "big", "name": "大きな計画", "title": "大きな計画進捗状況調査票", "label": "資料２",
                 "sheet": "資料２", "start_year": 2019, "target_year": 2023, "baseline_year": 2017,
                 "fiscal_year": 2019, "template_version": "big.1"},
        "goals": [{"no": 1, "name": "目標一", "directions": ["方向"], "pages": "1"},
                  {"no": 2, "name": "目標二", "directions": ["方向"], "pages": "2"}],
        "indicators": inds,
    }


def build_template(data: dict[str, Any], out: Path) -> Path:
    src = parse_source(data, "test")
    return write_specs(out, [survey_sheet(src.survey, decimals=src.decimals),
                             grid_spec(META_SHEET, to_grid(src.survey, SURVEY), hidden=True)])
