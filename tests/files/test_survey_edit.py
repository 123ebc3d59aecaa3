"""files.survey_edit: what a cell really held is recorded before it is overwritten, and written back as such.

Real .xlsx files written and re-read with openpyxl: a formula, an array formula, an
error value, a text that starts with '=', a date, a number and an empty cell, each
overwritten with a constant, then put back from what `apply_changes` recorded.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from welfare_xl.core.consolidation.result import CellChange, Formula
from welfare_xl.core.model.cells import HiddenValue, parse_cell
from welfare_xl.files.survey_edit import apply_changes, open_for_writing


def contents(path: Path) -> dict[str, tuple]:
    ws = load_workbook(path)["資料２"]
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if v is not None:
                out[cell.coordinate] = (type(v).__name__, getattr(v, "text", v), getattr(v, "ref", None),
                                        cell.data_type, cell.number_format)
    return out


def test_overwritten_cells_come_back_as_what_they_held(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.title = "資料２"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3
    ws["B1"] = "=SUM(A1:A3)"
    ws["B2"] = ArrayFormula("B2", "=MAX(A1:A3*2)")
    ws["B3"] = "#N/A"
    ws["B3"].data_type = "e"
    ws["B4"] = "=A1 は文字"
    ws["B4"].data_type = "s"
    ws["B5"] = datetime(2020, 4, 1)
    ws["B6"] = 0.1
    ws["C1"] = "=B1*2"  # a formula nobody overwrites
    original = tmp_path / "調査票.xlsx"
    wb.save(original)
    before = contents(original)

    refs = ["B1", "B2", "B3", "B4", "B5", "B6", "B7"]
    seen = {"B1": 6, "B2": 6}  # what a values-only reader would have shown (cached values)
    changes = [CellChange(*parse_cell(ref), "y2019", f"G{n}", seen.get(ref), f"新しい値{n}", "資料２")
               for n, ref in enumerate(refs)]
    wb = open_for_writing(original)
    done = apply_changes(wb, changes)
    assert [ch.old for ch in done] == [Formula("=SUM(A1:A3)", 6), Formula("=MAX(A1:A3*2)", 6, "B2"),
                                      HiddenValue("error", "#N/A"), "=A1 は文字", datetime(2020, 4, 1), 0.1, None]
    consolidated = tmp_path / "集約.xlsx"
    wb.save(consolidated)
    written = contents(consolidated)
    assert all(written[ref][1:4] == (f"新しい値{n}", None, "s") for n, ref in enumerate(refs))

    wb = open_for_writing(consolidated)
    apply_changes(wb, [ch.reverted() for ch in reversed(done)])
    undone = tmp_path / "戻した.xlsx"
    wb.save(undone)
    assert contents(undone) == before
