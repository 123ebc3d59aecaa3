"""元に戻す in the open workbook is exact where the log knows the formulas.

* A log written by the file adapter (`consolidate` on the file, then the book opened
  in Excel) records formulas; the button writes them back as formulas, texts that
  start with '=' as texts, error values as errors, long texts whole (remote engine,
  replayed onto the file).
* On desktop Excel the button's own 集約 reads the formulas of the cells it is about
  to overwrite (`Range.formula`, one read per run), so its log records them too.
  The remote engine cannot read formulas synchronously: there the log records values.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
from openpyxl import load_workbook
from support.buttons import run
from support.com_fake import FakeRange, FakeSheet
from support.fill import cells_by_key

from welfare_xl.addin.excel.formulas import held, held_contents
from welfare_xl.addin.excel.sheet_writer import excel_value
from welfare_xl.commands.consolidate import consolidate as consolidate_file
from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, UNDONE_SUFFIX, logged_changes
from welfare_xl.core.consolidation.result import CellChange, Formula
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.files.reader import read_workbook

LONG = ("長い説明\n" * 7000)[:32_767]


def every_cell(path: Path, sheet: str = "資料２") -> dict[str, tuple[Any, str]]:
    ws = load_workbook(path)[sheet]
    return {c.coordinate: (c.value, c.data_type) for row in ws.iter_rows() for c in row if c.value is not None}


def test_the_button_undoes_a_file_consolidation_with_formulas_as_formulas(office: Path, tmp_path: Path):
    wb = load_workbook(office)
    ws = wb["資料２"]
    rows, cols = cells_by_key(ws)
    formula = ws.cell(rows["G1-01"], cols["y2019"])
    formula.value = "=500+13*0"
    error = ws.cell(rows["G3-03"], cols["y2019"])
    error.value, error.data_type = "#N/A", "e"
    text = ws.cell(rows["G1-01"], cols[layout.DONE])
    text.value, text.data_type = "=SUM(A1) と書いた説明", "s"
    long = ws.cell(rows["G1-01"], cols[layout.NEXT])
    long.value = LONG
    wb.save(office)
    before = every_cell(office)

    after = tmp_path / "集約後.xlsx"
    consolidate_file(office, tmp_path / "提出", after)
    logged = {ch.ref: ch.old for ch in logged_changes(read_workbook(after).sheets[DATA_SHEET])}
    assert logged[formula.coordinate] == Formula("=500+13*0") and logged[long.coordinate] == LONG
    assert logged[error.coordinate] == HiddenValue("error", "#N/A")

    book = run(after, "undo")
    assert "集約前の内容に戻しました" in xl.alerts(book)[0]
    undone = tmp_path / "戻した.xlsx"
    replayed, _ = xl.replay_file(book, after, undone)
    assert every_cell(undone) == before
    assert LOG_SHEET + UNDONE_SUFFIX in replayed.sheetnames and LOG_SHEET not in replayed.sheetnames
    assert DATA_SHEET + UNDONE_SUFFIX in replayed.sheetnames and DATA_SHEET not in replayed.sheetnames


class FormulaSheet(FakeSheet):
    """A desktop sheet whose ranges also answer Range.formula (xlwings: a str for one cell,
    rows of tuples for several), recording each read."""

    def __init__(self, formulas: dict[tuple[int, int], str]) -> None:
        super().__init__("資料２")
        self.formulas, self.formula_reads = formulas, []

    def range(self, first, last=None):
        rng = FakeRange(self, first, last)
        (r1, c1), (r2, c2) = rng.first, rng.last
        self.formula_reads.append((rng.first, rng.last))
        grid = tuple(tuple(self.formulas.get((r, c), "") for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))
        return SimpleNamespace(formula=grid[0][0] if (r1, c1) == (r2, c2) else grid)


def test_on_desktop_the_buttons_consolidation_logs_what_the_cells_hold():
    # 1-based cells as Excel shows them; the changes are 0-based.
    sheet = FormulaSheet({(6, 9): "=SUM(H6:H7)", (7, 9): "513", (8, 9): "=A1 と書いた", (9, 9): "#DIV/0!",
                          (12, 9): "=H12*2"})
    changes = [CellChange(r - 1, 8, "y2019", f"G{r}", seen, 1.0, "資料２") for r, seen in
               [(6, 30.0), (7, 513.0), (8, "=A1 と書いた"), (9, None), (12, None)]]
    book = SimpleNamespace(app=sheet.book.app)
    held_now = held_contents(book, sheet, changes)
    assert [ch.old for ch in held_now] == [Formula("=SUM(H6:H7)", 30.0), 513.0, "=A1 と書いた",
                                         HiddenValue("error", "#DIV/0!"), Formula("=H12*2", None)]
    assert sheet.formula_reads == [((6, 9), (9, 9)), ((12, 9), (12, 9))]  # one read per run of rows

    remote = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="remote")))
    assert held_contents(remote, sheet, changes) == changes  # the remote engine cannot read formulas


def test_what_the_button_writes_back_for_each_kind_of_content():
    assert excel_value(Formula("=SUM(A1:A3)", 6)) == "=SUM(A1:A3)"  # parsed by Excel: a formula again
    assert excel_value(HiddenValue("error", "#N/A")) == "#N/A"
    assert excel_value("=SUM(A1:A3)") == "'=SUM(A1:A3)"  # a text stays a text
    assert held("=A1", "=A1") == "=A1" and held("#N/A", "#N/A") == "#N/A" and held(None, None) is None
