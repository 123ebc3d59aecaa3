"""元に戻す is exact: consolidate then undo through the CLI gives back every cell of the master.

The master is the template with what a secretariat's 資料２ really holds: formulas in
the year column (one saved with a calculated value, as Excel saves it, one without,
as programs save them), in the grade column and elsewhere, a text of Excel's full
32,767 characters, a text that starts with '=' (text, not a formula), texts with
newlines, empty cells and an error value. Departments return figures and texts (one of
32,767 characters) for those cells. After `welfare-xl consolidate` and `welfare-xl
undo`, every cell of every sheet but the logs is compared with openpyxl, formulas as
formulas: identical.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.fill import cells_by_key, fill_department
from support.paths import TEMPLATE
from support.seed import seed_inputs

from welfare_xl.cli import main
from welfare_xl.commands.split import split
from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, UNDONE_SUFFIX, VALUES_MARKER, logged_changes
from welfare_xl.core.consolidation.result import Formula
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.files.reader import read_workbook

MASTER = "資料２"
EXCEL_MAX = 32_767
LONG_OLD = ("前年度の記録。\n" * 5000)[:EXCEL_MAX - 1] + "終"  # newlines, exactly Excel's limit
LONG_NEW = ("=今年度は" + "あいうえお\"かきくけこ\\" * 3000)[:EXCEL_MAX]  # starts with '=', quotes, backslashes
Y = "y2019"  # the template's 令和元年度 column: the year consolidation writes


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member of a worksheet, by its name (workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', book)[1]
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    target = target or re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def with_cached_values(path: Path, sheet: str, cached: dict[str, Any]) -> None:
    """Write a calculated value into formula cells, as Excel saves them (openpyxl saves none)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    xml = members[part].decode()
    for ref, value in cached.items():
        kind = ' t="str"' if isinstance(value, str) else ""
        xml, n = re.subn(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                         lambda m: f'<c r="{ref}"{m[1]}{kind}><f>{m[2]}</f><v>{value}</v>', xml)
        assert n == 1, ref
    members[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def every_cell(path: Path, skip: tuple[str, ...] = ()) -> dict[tuple[str, str], tuple[Any, str]]:
    """(sheet, cell) -> (content, data type) of every non-empty cell, formulas as formulas."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in skip:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    value = cell.value
                    out[(ws.title, cell.coordinate)] = (getattr(value, "text", value), cell.data_type)
    return out


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(master, submissions folder, name -> cell reference of the cells the test is about)."""
    split(TEMPLATE, tmp_path / "配布")
    inbox = tmp_path / "提出"
    inbox.mkdir()
    values, texts = seed_inputs("地域共生課")
    values.update({"G1-01": "600人", "G3-01": "1,800件", "G3-03": 925, "G4-02": "75件"})
    texts.update({"G1-01": (LONG_NEW, "来年度も続ける。\n二行目"), "G3-01": ("実施した。", "=A1 ではない"),
                  "G3-03": ("講座を開いた。", "続ける。")})
    fill_department(tmp_path / "配布" / "地域共生課.xlsx", values, texts, out=inbox / "地域共生課.xlsx")

    master = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, master)
    wb = load_workbook(master)
    ws = wb[MASTER]
    rows, cols = cells_by_key(ws)
    cell = {
        "formula_no_cache": ws.cell(rows["G1-01"], cols[Y]).coordinate,
        "formula_cached": ws.cell(rows["G3-03"], cols[Y]).coordinate,
        "error": ws.cell(rows["G3-01"], cols[Y]).coordinate,
        "grade_formula": ws.cell(rows["G3-03"], cols[layout.GRADE]).coordinate,
        "long_text": ws.cell(rows["G1-01"], cols[layout.DONE]).coordinate,
        "equals_text": ws.cell(rows["G3-01"], cols[layout.NEXT]).coordinate,
        "newlines": ws.cell(rows["G3-03"], cols[layout.DONE]).coordinate,
        "empty": ws.cell(rows["G4-02"], cols[Y]).coordinate,
        # Below the table: a formula in a history cell would now change a locked figure, which rejects
        # the indicator (the department's file still has the master's old figure).
        "formula_elsewhere": ws.cell(ws.max_row + 3, cols["y2018"]).coordinate,
    }
    ws[cell["formula_no_cache"]] = "=500+13"
    ws[cell["formula_cached"]] = "=ROUND(2700/3,0)"
    ws[cell["error"]] = "#DIV/0!"
    ws[cell["error"]].data_type = "e"
    ws[cell["grade_formula"]] = '=IF(TRUE,"△ 遅れ","")'
    ws[cell["long_text"]] = LONG_OLD
    ws[cell["equals_text"]] = "=SUM(A1:A3) と書いた説明"
    ws[cell["equals_text"]].data_type = "s"
    ws[cell["newlines"]] = "一行目\n二行目\r\n三行目"
    ws[cell["empty"]] = None
    ws[cell["formula_elsewhere"]] = f"={cell['formula_cached']}-400"
    wb.save(master)
    with_cached_values(master, MASTER, {cell["formula_cached"]: 900, cell["grade_formula"]: "△ 遅れ",
                                        cell["formula_elsewhere"]: 500})
    assert read_workbook(master).sheets[MASTER][rows["G3-03"] - 1][cols[Y] - 1] == 900  # cached, as Excel saves
    return master, inbox, cell


def test_consolidate_then_undo_gives_back_every_cell_exactly(office, tmp_path: Path, capsys):
    master, inbox, cell = office
    before = every_cell(master)
    out = tmp_path / "集約.xlsx"
    assert main(["consolidate", str(master), str(inbox), "-o", str(out)]) in (0, 1)

    # Consolidation did overwrite the cells the test is about.
    ws = load_workbook(out)[MASTER]
    for name in ("formula_no_cache", "formula_cached", "error", "grade_formula", "long_text", "equals_text",
                 "newlines", "empty"):
        assert (ws[cell[name]].value, ws[cell[name]].data_type) != before.get((MASTER, cell[name]), (None, "n")), name
    assert ws[cell["long_text"]].value == LONG_NEW and ws[cell["long_text"]].data_type == "s"

    # The log records what the cells really held; the long values in pieces no cell exceeds.
    log_grid = read_workbook(out).sheets[DATA_SHEET]
    assert max(len(v) for row in log_grid for v in row if isinstance(v, str)) < EXCEL_MAX
    assert any(row and row[0] == VALUES_MARKER for row in log_grid)
    logged = {ch.ref: ch.old for ch in logged_changes(log_grid)}
    assert logged[cell["formula_no_cache"]] == Formula("=500+13", None)
    assert logged[cell["formula_cached"]] == Formula("=ROUND(2700/3,0)", 900)
    assert logged[cell["error"]] == HiddenValue("error", "#DIV/0!")
    assert logged[cell["long_text"]] == LONG_OLD
    assert logged[cell["equals_text"]] == "=SUM(A1:A3) と書いた説明"

    capsys.readouterr()
    assert main(["undo", str(out)]) == 0
    assert "集約前の内容に戻しました" in capsys.readouterr().out
    logs = (LOG_SHEET, LOG_SHEET + UNDONE_SUFFIX, DATA_SHEET, DATA_SHEET + UNDONE_SUFFIX)
    after = every_cell(out, skip=logs)
    assert after == {k: v for k, v in before.items() if k[0] not in logs}
    assert load_workbook(out).sheetnames == load_workbook(master).sheetnames + [
        LOG_SHEET + UNDONE_SUFFIX, DATA_SHEET + UNDONE_SUFFIX]

    assert main(["undo", str(out)]) == 2  # the same run is never undone twice
    assert "元に戻す集約がありません" in capsys.readouterr().err
