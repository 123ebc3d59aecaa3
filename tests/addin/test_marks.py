"""チェック表示クリア puts back the fill a cell had before 入力チェック marked it.

Desktop Excel records that fill in defined names (`wxl_check_p<RRGGBB>_n`); the
remote engine cannot read formatting and falls back to the form's own fill.
The remote tests put such names into a file, as desktop Excel would have left
them, and check that both buttons honour them; the desktop read itself runs on
a recording fake.
"""

from __future__ import annotations

import support.xlwings_payload as P  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported

from pathlib import Path
from types import SimpleNamespace

from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName

from support.com_fake import FakeSheet, desktop_app
from support.buttons import fills, run, table_of
from support.fill import fill_department
from welfare_xl.addin.actions import marks as C
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_INPUT



def value_cell(ws, indicator: str) -> str:
    table = table_of(ws)
    row = {r.id: r.row + 1 for r in table.rows}[indicator]
    return ws.cell(row, table.columns["y2019"] + 1).coordinate


def absolute(ref: str) -> str:
    col = ref.rstrip("0123456789")
    return f"${col}${ref[len(col):]}"


def record_previous(path: Path, previous: dict[str, str | None]) -> None:
    """Add the names desktop Excel's 入力チェック writes for the fills it read before marking."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for n, (ref, color) in enumerate(previous.items(), 1):
        name = f"{C.PREV_NAME}{color or 'none'}_{n}"
        ws.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!{absolute(ref)}")
    wb.save(path)


def test_clear_restores_the_recorded_fill_and_the_form_fill_where_none_was_recorded(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    P.replay_file(run(chiiki, "check"), chiiki, checked)
    ws = load_workbook(checked).worksheets[0]
    yellow, blank, plain = value_cell(ws, "G2-02b"), value_cell(ws, "G3-01"), value_cell(ws, "G2-02c")
    assert all(fills(ws)[c] != "00" + FILL_INPUT for c in (yellow, blank, plain))  # marked
    record_previous(checked, {yellow: "FFFF00", blank: None})

    cleared, _ = P.replay_file(run(checked, "clear"), checked)
    got = fills(cleared.worksheets[0])
    assert got[yellow] == "00FFFF00"  # the department's own fill, not the form's
    assert got[blank] is None  # no fill before: none after
    assert got[plain] == "00" + FILL_INPUT  # nothing recorded: the form's input fill
    assert not cleared.worksheets[0].defined_names


def test_check_again_keeps_the_recorded_fill_of_cells_still_marked(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    P.replay_file(run(chiiki, "check"), chiiki, checked)
    ws = load_workbook(checked).worksheets[0]
    fixed, still = value_cell(ws, "G2-02b"), value_cell(ws, "G2-02c")
    record_previous(checked, {fixed: "FFFF00", still: "DDEBF7"})
    fill_department(checked, {"G2-02b": 15813}, {})  # G2-02b fixed; G2-02c still empty

    book = run(checked, "check")
    rechecked, _ = P.replay_file(book, checked, tmp_path / "rechecked.xlsx")
    ws = rechecked.worksheets[0]
    assert fills(ws)[fixed] == "00FFFF00"  # unmarked: back to the fill recorded before the first mark
    assert fills(ws)[still] == "00" + FILL_ERROR
    record = {n: d.attr_text for n, d in ws.defined_names.items() if n.startswith(C.PREV_NAME)}
    assert record == {f"{C.PREV_NAME}DDEBF7_1": f"'{ws.title}'!{absolute(still)}"}

    # and チェック表示クリア then restores the recorded fill of the cell still marked
    cleared, _ = P.replay_file(run(tmp_path / "rechecked.xlsx", "clear"), tmp_path / "rechecked.xlsx")
    assert fills(cleared.worksheets[0])[still] == "00DDEBF7"


# --- desktop: the fill is read before marking -------------------------------------------------


def test_previous_fills_are_read_per_cell_on_desktop_only():
    sheet = FakeSheet("地域共生課")
    sheet.colors = {(8, 8): (255, 242, 204), (9, 8): None}
    book = SimpleNamespace(app=desktop_app())
    assert C.previous_fills(book, sheet, {(7, 7), (8, 7)}) == {(7, 7): "FFF2CC", (8, 7): None}
    assert sorted(sheet.color_reads) == [(8, 8), (9, 8)]  # 1-based (row, column) of the two cells

    remote = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="remote")))
    untouched = FakeSheet()
    assert C.previous_fills(remote, untouched, {(7, 7)}) == {} and untouched.color_reads == []


class Names:
    """sheet.names as xlwings gives it: iterable Name objects, and add(name, refers_to)."""

    def __init__(self) -> None:
        self.items: list[SimpleNamespace] = []

    def add(self, name: str, refers_to: str) -> None:
        item = SimpleNamespace(name=f"'課'!{name}", refers_to=refers_to)
        item.delete = lambda item=item: self.items.remove(item)
        self.items.append(item)

    def __iter__(self):
        return iter(list(self.items))


def test_the_record_round_trips_previous_fills():
    sheet = SimpleNamespace(name="課", names=Names())
    previous = {(6, 7): "FFF2CC", (7, 7): None, (9, 7): "FFF2CC"}
    C.write_record(sheet, C.Record(), {(6, 7), (7, 7), (9, 7), (12, 7)}, {(6, 7)}, previous)
    assert {n.name.split("!")[1] for n in sheet.names} == {
        "wxl_check_f1", "wxl_check_n1", "wxl_check_pFFF2CC_1", "wxl_check_pnone_1"}
    record = C.read_record(sheet)
    assert record.fills == {(6, 7), (7, 7), (9, 7), (12, 7)} and record.notes == {(6, 7)}
    assert record.previous == previous
    C.write_record(sheet, record, set(), set())
    assert not list(sheet.names)
