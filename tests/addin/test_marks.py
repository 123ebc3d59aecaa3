"""入力チェック and チェック表示クリア through xlwings' remote engine, and the record of their marks.

入力チェック marks exactly the cells with problems (a fill and a note); チェック表示クリア puts
back the fill a cell had before it was first marked. Desktop Excel records that
fill in defined names (`wxl_check_p<RRGGBB>_n`); the remote engine cannot read
formatting and falls back to the form's own fill. The remote tests put such
names into a file, as desktop Excel would have left them, and check that both
buttons honour them; the desktop read itself runs on a recording fake.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from support.buttons import DONE, NEXT, fills, funcs, notes, only_alert, run, table_of, values
from support.com_fake import FakeSheet, desktop_app
from support.fill import fill_department

from welfare_xl.addin.actions import marks
from welfare_xl.commands.check import check as check_file
from welfare_xl.core.model.cells import column_letter
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_INPUT, FILL_WARNING


def test_check_marks_problem_cells_and_nothing_else(chiiki: Path, tmp_path: Path):
    book = run(chiiki, "check")
    n = funcs(book)
    assert n["setValues"] == 0  # no value is written
    assert n["setRangeColors"] == 1  # all fills in one write

    # The same findings as the CLI's check of the file (numbers read as ints remotely, floats from the file).
    sub = check_file(chiiki)
    expected = {f.cell: ("error" if any(g.severity == "error" for g in sub.findings if g.cell == f.cell) else "warning")
                for f in sub.findings if f.cell}
    assert n["addNote"] == len(expected)

    wb, _ = xl.replay_file(book, chiiki, tmp_path / "checked.xlsx")
    ws, before = wb.worksheets[0], load_workbook(chiiki).worksheets[0]
    got_fills, old_fills = fills(ws), fills(before)
    for ref, severity in expected.items():
        assert got_fills[ref] == "00" + (FILL_ERROR if severity == "error" else FILL_WARNING), ref
    assert {k: v for k, v in got_fills.items() if k not in expected} == \
           {k: v for k, v in old_fills.items() if k not in expected}
    assert values(ws) == values(before)
    got_notes = notes(ws)
    assert set(got_notes) == set(expected)
    table = table_of(ws)
    h = f"{column_letter(table.columns['y2019'])}"
    rows = {r.id: r.row + 1 for r in table.rows}
    assert "「abc」は数値として読めません" in got_notes[f"{h}{rows['G2-02b']}"]
    assert got_notes[f"{h}{rows['G2-02b']}"].startswith(marks.NOTE_HEAD + "\nエラー：")
    assert "「８６団体」を 86団体 として読み取りました" in got_notes[f"{h}{rows['G2-02a']}"]
    assert "\n注意：" in got_notes[f"{h}{rows['G2-02a']}"]
    assert "未入力" in got_notes[f"{h}{rows['G2-02c']}"]
    assert "「50.70%」は％で入力されていますが" in got_notes[f"{h}{rows['G3-01']}"]

    prompt = xl.alerts(book)[0]
    assert f"エラー {len(sub.errors)} 件、注意 {len(sub.warnings)} 件" in prompt
    assert "［G2-02b］" in prompt and "セルのメモ" in prompt


def test_clear_removes_exactly_what_check_added(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    xl.replay_file(run(chiiki, "check"), chiiki, checked)
    # A person's own note is theirs to keep.
    wb = load_workbook(checked)
    ws = wb.worksheets[0]
    table = table_of(ws)
    rows = {r.id: r.row + 1 for r in table.rows}
    own = ws.cell(rows["G3-03"], table.columns["y2019"] + 1)
    own.comment = Comment("担当に確認中", "山田")
    wb.save(checked)

    book = run(checked, "clear")
    n = funcs(book)
    assert n["setRangeColors"] == 1 and n["setValues"] == 0
    assert "入力した値は変わっていません" in xl.alerts(book)[0]
    cleared, _ = xl.replay_file(book, checked, tmp_path / "cleared.xlsx")
    ws, original = cleared.worksheets[0], load_workbook(chiiki).worksheets[0]
    assert fills(ws) == fills(original)  # input cells back to the form's own fill
    assert values(ws) == values(original)
    assert notes(ws) == {own.coordinate: "担当に確認中"}
    assert not ws.defined_names

    # Nothing to clear now.
    again = run(tmp_path / "cleared.xlsx", "clear")
    assert "表示がありません" in only_alert(again)["prompt"]


def test_check_again_after_a_fix_updates_only_the_marks(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    first = run(chiiki, "check")
    xl.replay_file(first, chiiki, checked)
    n_first = funcs(first)["addNote"]
    # The department fixes G2-02b ("abc" -> 15,813), mistypes G3-03 and writes its own note there.
    fixed = fill_department(checked, {"G2-02b": 15813, "G3-03": "９２５件?"}, {})
    wb = load_workbook(fixed)
    ws = wb.worksheets[0]
    table = table_of(ws)
    rows = {r.id: r.row + 1 for r in table.rows}
    ref = ws.cell(rows["G2-02b"], table.columns["y2019"] + 1).coordinate
    own = ws.cell(rows["G3-03"], table.columns["y2019"] + 1)
    own.comment = Comment("単位を確認中", "山田")
    wb.save(fixed)

    second = run(fixed, "check")
    n = funcs(second)
    assert n["deleteNote"] == n_first  # its own notes, not the department's
    assert n["addNote"] == n_first - 1  # G2-02b fixed; G3-03 flagged but keeps the person's note
    assert n["setRangeColors"] == 1 and n["setValues"] == 0
    assert "元からメモがあった" in xl.alerts(second)[0]
    wb, _ = xl.replay_file(second, fixed, tmp_path / "rechecked.xlsx")
    ws = wb.worksheets[0]
    assert fills(ws)[ref] == "00" + FILL_INPUT  # the form's input fill is back
    assert ref not in notes(ws)
    assert fills(ws)[own.coordinate] == "00" + FILL_ERROR
    assert notes(ws)[own.coordinate] == "単位を確認中"
    assert len(notes(ws)) == n_first

    # clear keeps the person's note on the flagged cell and restores its fill
    third = run(tmp_path / "rechecked.xlsx", "clear")
    wb, _ = xl.replay_file(third, tmp_path / "rechecked.xlsx")
    ws = wb.worksheets[0]
    assert notes(ws) == {own.coordinate: "単位を確認中"}
    assert fills(ws)[own.coordinate] == "00" + FILL_INPUT


def test_check_with_no_problems(distributed: Path, tmp_path: Path):
    good = fill_department(distributed / "交通課.xlsx", {"G6-01": 2.13}, {"G6-01": (DONE, NEXT)}, out=tmp_path / "交通課.xlsx")
    book = run(good, "check")
    n = funcs(book)
    assert set(n) == {"alert"}
    assert "問題は見つかりませんでした" in xl.alerts(book)[0]


def test_check_on_a_department_sheet_inside_the_survey(survey: Path, tmp_path: Path):
    split_done = tmp_path / "split.xlsx"
    xl.replay_file(run(survey, "split"), survey, split_done)
    fill_department(split_done, {"G4-01": "50.70%"}, {"G4-01": (DONE, NEXT)}, sheet="高齢者支援課")
    book = run(split_done, "check", active="高齢者支援課")
    prompt = xl.alerts(book)[0]
    assert "「高齢者支援課」シート（高齢者支援課）を点検しました" in prompt
    wb, _ = xl.replay_file(book, split_done)
    ws = wb["高齢者支援課"]
    marked = notes(ws)
    assert marked and all(t.startswith(marks.NOTE_HEAD) for t in marked.values())
    assert not notes(wb["資料２"]) and not notes(wb["地域共生課"])

    # The master sheet is not a department's form.
    alert = only_alert(run(split_done, "check", active="資料２"))
    assert alert["mode"] == "critical" and "部署別シート" in alert["prompt"]


def test_record_definitions_stay_short_and_round_trip():
    cells = {(r, c) for r in range(6, 400) for c in (7, 9, 10)}
    defs = marks.definitions("地域共生課", cells)
    assert all(len(d) <= marks.MAX_REFERS_TO for d in defs)
    assert set().union(*(marks.parse_refers_to(d) for d in defs)) == cells
    assert marks.parse_refers_to("='それは''課'!$H$7,'それは''課'!#REF!") == {(6, 7)}


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
        name = f"{marks.PREV_NAME}{color or 'none'}_{n}"
        ws.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!{absolute(ref)}")
    wb.save(path)


def test_clear_restores_the_recorded_fill_and_the_form_fill_where_none_was_recorded(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    xl.replay_file(run(chiiki, "check"), chiiki, checked)
    ws = load_workbook(checked).worksheets[0]
    yellow, blank, plain = value_cell(ws, "G2-02b"), value_cell(ws, "G3-01"), value_cell(ws, "G2-02c")
    assert all(fills(ws)[c] != "00" + FILL_INPUT for c in (yellow, blank, plain))  # marked
    record_previous(checked, {yellow: "FFFF00", blank: None})

    cleared, _ = xl.replay_file(run(checked, "clear"), checked)
    got = fills(cleared.worksheets[0])
    assert got[yellow] == "00FFFF00"  # the department's own fill, not the form's
    assert got[blank] is None  # no fill before: none after
    assert got[plain] == "00" + FILL_INPUT  # nothing recorded: the form's input fill
    assert not cleared.worksheets[0].defined_names


def test_check_again_keeps_the_recorded_fill_of_cells_still_marked(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    xl.replay_file(run(chiiki, "check"), chiiki, checked)
    ws = load_workbook(checked).worksheets[0]
    fixed, still = value_cell(ws, "G2-02b"), value_cell(ws, "G2-02c")
    record_previous(checked, {fixed: "FFFF00", still: "DDEBF7"})
    fill_department(checked, {"G2-02b": 15813}, {})  # G2-02b fixed; G2-02c still empty

    book = run(checked, "check")
    rechecked, _ = xl.replay_file(book, checked, tmp_path / "rechecked.xlsx")
    ws = rechecked.worksheets[0]
    assert fills(ws)[fixed] == "00FFFF00"  # unmarked: back to the fill recorded before the first mark
    assert fills(ws)[still] == "00" + FILL_ERROR
    record = {n: d.attr_text for n, d in ws.defined_names.items() if n.startswith(marks.PREV_NAME)}
    assert record == {f"{marks.PREV_NAME}DDEBF7_1": f"'{ws.title}'!{absolute(still)}"}

    # and チェック表示クリア then restores the recorded fill of the cell still marked
    cleared, _ = xl.replay_file(run(tmp_path / "rechecked.xlsx", "clear"), tmp_path / "rechecked.xlsx")
    assert fills(cleared.worksheets[0])[still] == "00DDEBF7"


# --- desktop: the fill is read before marking -------------------------------------------------


def test_previous_fills_are_read_per_cell_on_desktop_only():
    sheet = FakeSheet("地域共生課")
    sheet.colors = {(8, 8): (255, 242, 204), (9, 8): None}
    book = SimpleNamespace(app=desktop_app())
    assert marks.previous_fills(book, sheet, {(7, 7), (8, 7)}) == {(7, 7): "FFF2CC", (8, 7): None}
    assert sorted(sheet.color_reads) == [(8, 8), (9, 8)]  # 1-based (row, column) of the two cells

    remote = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="remote")))
    untouched = FakeSheet()
    assert marks.previous_fills(remote, untouched, {(7, 7)}) == {} and untouched.color_reads == []


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
    marks.write_record(sheet, marks.Record(), {(6, 7), (7, 7), (9, 7), (12, 7)}, {(6, 7)}, previous)
    assert {n.name.split("!")[1] for n in sheet.names} == {
        "wxl_check_f1", "wxl_check_n1", "wxl_check_pFFF2CC_1", "wxl_check_pnone_1"}
    record = marks.read_record(sheet)
    assert record.fills == {(6, 7), (7, 7), (9, 7), (12, 7)} and record.notes == {(6, 7)}
    assert record.previous == previous
    marks.write_record(sheet, record, set(), set())
    assert not list(sheet.names)


def test_form_fills_are_read_from_a_row_the_department_answers():
    """A form whose first row is co-owned (locked, another department's): the fill a mark gives back to
    the value cell is the input fill of the rows the department answers (issue 9)."""
    from dataclasses import replace as changed

    from support.indicator_plan import plan_survey

    from welfare_xl.core.model.metadata import DEPARTMENT, Meta

    survey = plan_survey()
    first = survey.indicator("A-03")  # 福祉課 answers, 健康課 co-owns: first on 健康課's form
    survey = changed(survey, indicators=(first, *(i for i in survey.indicators if i is not first)))
    got = marks.form_fills(Meta(kind=DEPARTMENT, department="健康課", survey=survey), "健康課")
    assert got["y2022"] == FILL_INPUT and got["done"] == FILL_INPUT
