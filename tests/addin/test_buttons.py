"""The add-in's buttons, run through xlwings' remote engine on real workbooks.

Each test builds the payload an Office.js client would send for a real file
(the template, split output, a department's workbook filled in like a person
fills it), runs `welfare_xl.addin.run(tag)` exactly as the ribbon does, then
looks at the actions xlwings recorded and at an openpyxl copy of the file with
those actions replayed.
"""

from __future__ import annotations

import support.xlwings_payload as P  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook
from openpyxl.comments import Comment

import welfare_xl.addin as addin
from support.buttons import (DONE, NEXT, big_source, build_template, fills, funcs, notes,
                             only_alert, run, table_of, values)
from support.fill import fill_department
from support.paths import ROOT, TEMPLATE
from welfare_xl.addin.actions import marks as C
from welfare_xl.addin.excel import settings as S
from welfare_xl.addin.excel.grids import normalize
from welfare_xl.commands.check import check as check_file
from welfare_xl.commands.split import split as split_files
from welfare_xl.core.sheets.department import department_sheet
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_INPUT, FILL_WARNING
from welfare_xl.files.writer import add_sheets, new_workbook
from welfare_xl.core.model.cells import column_letter



# --- entry point ---------------------------------------------------------------------------


def test_actions_cover_every_ribbon_button():
    ribbon = (ROOT / "addin" / "customUI" / "customUI14.xml").read_text(encoding="utf-8")
    tags = set(re.findall(r'\btag="([^"]+)"', ribbon))
    assert tags == set(addin.ACTIONS) == set(addin.LABELS)
    assert all(t.isascii() and t.isalpha() for t in tags)


def test_every_button_runs_a_function_of_its_action_module():
    import importlib

    for tag, button in addin.ACTIONS.items():
        module = importlib.import_module(f"welfare_xl.addin.actions.{button.module}")
        assert callable(getattr(module, button.function)), tag
        assert addin.LABELS[tag] == button.label


def test_importing_the_entry_point_stays_light():
    code = ("import sys, welfare_xl.addin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('openpyxl', 'python_calamine', 'pandas', 'numpy', 'xlwings', 'welfare_xl')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own output
    assert loaded == {"welfare_xl", "welfare_xl.errors", "welfare_xl.addin"}, loaded


# What an action module must not load when it is imported, only when its button runs:
# the file readers and writers, the consolidation core, and our pandas frame (pandas
# itself is imported by xlwings, so it is not listed).
HEAVY_AT_IMPORT = ("openpyxl", "python_calamine", "welfare_xl.core.consolidation", "welfare_xl.core.tidy")


@pytest.mark.parametrize("module", ["distribute", "marks", "collect", "publish", "environment"])
def test_importing_an_action_module_with_xlwings_stays_light(module: str):
    code = ("import sys, xlwings; before = set(sys.modules); "
            f"import welfare_xl.addin.actions.{module}; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own output
    assert f"welfare_xl.addin.actions.{module}" in loaded
    heavy = {m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY_AT_IMPORT)}
    assert not heavy, heavy


def test_unknown_tag_shows_japanese_alert_and_logs(survey: Path, home: Path):
    book = run(survey, "frobnicate")
    alert = only_alert(book)
    assert alert["mode"] == "critical"
    assert "ボタンに対応する処理「frobnicate」がありません" in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    log = home / ".welfare_xl" / "welfare_xl.log"
    assert str(log) in alert["prompt"]
    assert "action=frobnicate" in log.read_text(encoding="utf-8")


def test_failing_action_rolls_back_and_never_shows_a_traceback(survey: Path, home: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    def broken(book: xw.Book) -> str:
        book.sheets[0]["B2"].value = "written before the failure"
        return str({}["missing"])

    monkeypatch.setitem(addin.ACTIONS, "split", broken)
    book = run(survey, "split")
    alert = only_alert(book)  # the queued write was dropped: the workbook stays as it was
    assert alert["mode"] == "critical"
    assert "「部署別シート作成」の途中で予期しないエラーが起きた" in alert["prompt"]
    assert "ブックは変更していません" in alert["prompt"]
    assert "Traceback" not in alert["prompt"] and "line " not in alert["prompt"]
    log = (home / ".welfare_xl" / "welfare_xl.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "KeyError: 'missing'" in log


def test_without_a_workbook_the_message_goes_to_stderr(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)
    with pytest.raises(SystemExit) as exc:
        addin.run("check")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "予期しないエラー" in err and "Traceback" not in err


def test_long_messages_are_clipped():
    text = "\n".join(f"行{i}" for i in range(100))
    clipped = addin.clip(text)
    assert clipped.split("\n")[:3] == ["行0", "行1", "行2"]
    assert len(clipped.split("\n")) == addin.MAX_LINES and "ほか 71 行は省略しました" in clipped
    assert addin.clip("短い") == "短い"


def test_remote_numbers_are_normalized_like_com():
    assert normalize(513) == 513.0 and isinstance(normalize(513), float)
    assert normalize("") is None and normalize(None) is None
    assert normalize(True) is True and normalize("513人") == "513人"


# --- split ---------------------------------------------------------------------------------


def test_split_renders_department_sheets_like_the_file_adapter(survey: Path, tmp_path: Path):
    book = run(survey, "split")
    n = funcs(book)
    assert n["addSheet"] == 5 and n["alert"] == 1
    assert n["setValues"] == 5  # one bulk write per sheet
    prompt = P.alerts(book)[0]
    assert "部署別シートを 5 枚作成しました" in prompt and "部署に配る調査票を 5 件" in prompt

    # The distribution files, written from the open workbook's survey.
    written = sorted(p.name for p in (tmp_path / "配布").iterdir())
    assert written == sorted(f"{d}.xlsx" for d in ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"])

    wb, _ = P.replay_file(book, survey, tmp_path / "after_split.xlsx")
    assert wb.sheetnames[:6] == ["資料２", "地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]
    assert wb.active.title == "資料２"

    # Each sheet looks like the same SheetSpec rendered by openpyxl.
    from welfare_xl.core.reading import load_survey_grids
    from welfare_xl.files.reader import read_workbook

    data = read_workbook(survey)
    live_survey, _ = load_survey_grids(data.sheets, data.sheet_order)
    for dept in ["地域共生課", "高齢者支援課", "交通課"]:
        expected = new_workbook()
        add_sheets(expected, [department_sheet(live_survey, dept)])
        want, got = expected[dept], wb[dept]
        hidden_by_merge = {(r, c) for m in want.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
                           for c in range(m.min_col, m.max_col + 1) if (r, c) != (m.min_row, m.min_col)}
        for row in want.iter_rows():
            for cell in row:
                if (cell.row, cell.column) in hidden_by_merge:
                    continue
                other = got[cell.coordinate]
                where = f"{dept}!{cell.coordinate}"
                assert other.value == (None if cell.value == "" else cell.value), where
                assert other.number_format == cell.number_format, where
                assert (other.fill.fgColor.rgb if other.fill.fill_type else None) == \
                       (cell.fill.fgColor.rgb if cell.fill.fill_type else None), where
                assert (other.font.name, other.font.sz, bool(other.font.b)) == \
                       (cell.font.name, cell.font.sz, bool(cell.font.b)), where
                assert other.alignment.horizontal == cell.alignment.horizontal, where
                assert bool(other.alignment.wrap_text) == bool(cell.alignment.wrap_text), where
        assert sorted(map(str, got.merged_cells.ranges)) == sorted(map(str, want.merged_cells.ranges))
        for letter, dim in want.column_dimensions.items():
            assert got.column_dimensions[letter].width == pytest.approx(dim.width, abs=0.1), letter
            assert bool(got.column_dimensions[letter].hidden) == bool(dim.hidden), letter
        assert got.freeze_panes == want.freeze_panes
        assert [r for r, d in got.row_dimensions.items() if d.hidden] == [r for r, d in want.row_dimensions.items() if d.hidden]
        # the input cells carry a number validation (the stop rules; long-text warnings are desktop-only)
        types = {dv.type for dv in got.data_validations.dataValidation}
        assert types and types <= {"whole", "decimal"}

    # The sheet in the survey is a form the core reads like the distributed file.
    table = table_of(wb["地域共生課"])
    assert [r.id for r in table.rows] == ["G1-01", "G2-02a", "G2-02b", "G2-02c", "G3-01", "G3-03", "G4-02"]

    # Pressing again keeps the sheets (someone may have typed into them) and rewrites the files.
    again = run(tmp_path / "after_split.xlsx", "split")
    assert funcs(again)["addSheet"] == 0
    assert "すでにあるシートはそのままにしました" in P.alerts(again)[0]


def test_split_without_settings_adds_them_and_says_where_files_cannot_go(tmp_path: Path):
    path = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, path)
    book = run(path, "split")
    added = [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"]
    assert added[0] == S.SHEET and len(added) == 6
    prompt = P.alerts(book)[0]
    assert "部署に配る調査票は書き出していません" in prompt and f"「{S.BASE}」" in prompt
    assert not (tmp_path / "配布").exists()

    wb, _ = P.replay_file(book, path, tmp_path / "with_settings.xlsx")
    assert S.parse([[c.value for c in r] for r in wb[S.SHEET].iter_rows()]) == S.DEFAULTS
    # New sheets go after the last visible sheet, never after (and so never moving) the hidden 管理情報.
    assert wb.sheetnames[-2:] == [S.SHEET, META_SHEET] and wb[META_SHEET].sheet_state == "hidden"
    # the clerk fills in the folder; the next press writes the files
    ws = wb[S.SHEET]
    next(r for r in ws.iter_rows() if r[0].value == S.BASE)[1].value = str(tmp_path)
    wb.save(tmp_path / "with_settings.xlsx")
    again = run(tmp_path / "with_settings.xlsx", "split")
    assert "部署に配る調査票を 5 件" in P.alerts(again)[0]
    assert len(list((tmp_path / "配布").glob("*.xlsx"))) == 5


def test_split_lists_a_department_whose_file_cannot_be_written(survey: Path, tmp_path: Path):
    """One department's file that cannot be written (a folder has its name) is listed; the rest are written."""
    blocked = tmp_path / "配布" / "交通課.xlsx"
    blocked.mkdir(parents=True)
    book = run(survey, "split")
    assert funcs(book)["addSheet"] == 5  # the department sheets are made all the same
    prompt = P.alerts(book)[0]
    assert "部署に配る調査票を 4 件" in prompt
    assert "次の部署の調査票は書き出せませんでした" in prompt
    failed = prompt.split("次の部署の調査票は書き出せませんでした")[1]
    assert "・交通課（" in failed and "同じ名前のフォルダがあります" in failed
    assert not any(f"・{d}" in failed for d in ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課"])
    written = sorted(p.name for p in (tmp_path / "配布").iterdir() if p.is_file())
    assert written == sorted(f"{d}.xlsx" for d in ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課"])
    assert blocked.is_dir() and not any(blocked.iterdir())


def test_split_refuses_a_department_workbook(chiiki: Path):
    alert = only_alert(run(chiiki, "split"))
    assert alert["mode"] == "critical"
    assert "部署別の調査票（地域共生課）です" in alert["prompt"]


def test_rectangles_cover_each_value_exactly():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from welfare_xl.addin.excel.ranges import rectangles

    cells = st.dictionaries(st.tuples(st.integers(0, 12), st.integers(0, 6)), st.sampled_from("abc"), max_size=60)

    @settings(max_examples=80, deadline=None)
    @given(cells)
    def covers(grid):
        for value, rects in rectangles(grid).items():
            covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
            assert len(covered) == len(set(covered))  # no cell written twice
            assert set(covered) == {rc for rc, v in grid.items() if v == value}

    covers()
    table = {(r, c): "x" for r in range(5, 400) for c in range(2, 9)}
    assert rectangles(table) == {"x": [(5, 2, 399, 8)]}


# --- check and clear -----------------------------------------------------------------------


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

    wb, _ = P.replay_file(book, chiiki, tmp_path / "checked.xlsx")
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
    assert got_notes[f"{h}{rows['G2-02b']}"].startswith(C.NOTE_HEAD + "\nエラー：")
    assert "「８６団体」を 86団体 として読み取りました" in got_notes[f"{h}{rows['G2-02a']}"]
    assert "\n注意：" in got_notes[f"{h}{rows['G2-02a']}"]
    assert "未入力" in got_notes[f"{h}{rows['G2-02c']}"]
    assert "「50.70%」は％で入力されていますが" in got_notes[f"{h}{rows['G3-01']}"]

    prompt = P.alerts(book)[0]
    assert f"エラー {len(sub.errors)} 件、注意 {len(sub.warnings)} 件" in prompt
    assert "［G2-02b］" in prompt and "セルのメモ" in prompt


def test_clear_removes_exactly_what_check_added(chiiki: Path, tmp_path: Path):
    checked = tmp_path / "checked.xlsx"
    P.replay_file(run(chiiki, "check"), chiiki, checked)
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
    assert "入力した値は変わっていません" in P.alerts(book)[0]
    cleared, _ = P.replay_file(book, checked, tmp_path / "cleared.xlsx")
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
    P.replay_file(first, chiiki, checked)
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
    assert "元からメモがあった" in P.alerts(second)[0]
    wb, _ = P.replay_file(second, fixed, tmp_path / "rechecked.xlsx")
    ws = wb.worksheets[0]
    assert fills(ws)[ref] == "00" + FILL_INPUT  # the form's input fill is back
    assert ref not in notes(ws)
    assert fills(ws)[own.coordinate] == "00" + FILL_ERROR
    assert notes(ws)[own.coordinate] == "単位を確認中"
    assert len(notes(ws)) == n_first

    # clear keeps the person's note on the flagged cell and restores its fill
    third = run(tmp_path / "rechecked.xlsx", "clear")
    wb, _ = P.replay_file(third, tmp_path / "rechecked.xlsx")
    ws = wb.worksheets[0]
    assert notes(ws) == {own.coordinate: "単位を確認中"}
    assert fills(ws)[own.coordinate] == "00" + FILL_INPUT


def test_check_with_no_problems(distributed: Path, tmp_path: Path):
    good = fill_department(distributed / "交通課.xlsx", {"G6-01": 2.13}, {"G6-01": (DONE, NEXT)}, out=tmp_path / "交通課.xlsx")
    book = run(good, "check")
    n = funcs(book)
    assert set(n) == {"alert"}
    assert "問題は見つかりませんでした" in P.alerts(book)[0]


def test_check_on_a_department_sheet_inside_the_survey(survey: Path, tmp_path: Path):
    split_done = tmp_path / "split.xlsx"
    P.replay_file(run(survey, "split"), survey, split_done)
    fill_department(split_done, {"G4-01": "50.70%"}, {"G4-01": (DONE, NEXT)}, sheet="高齢者支援課")
    book = run(split_done, "check", active="高齢者支援課")
    prompt = P.alerts(book)[0]
    assert "「高齢者支援課」シート（高齢者支援課）を点検しました" in prompt
    wb, _ = P.replay_file(book, split_done)
    ws = wb["高齢者支援課"]
    marked = notes(ws)
    assert marked and all(t.startswith(C.NOTE_HEAD) for t in marked.values())
    assert not notes(wb["資料２"]) and not notes(wb["地域共生課"])

    # The master sheet is not a department's form.
    alert = only_alert(run(split_done, "check", active="資料２"))
    assert alert["mode"] == "critical" and "部署別シート" in alert["prompt"]


def test_record_definitions_stay_short_and_round_trip():
    cells = {(r, c) for r in range(6, 400) for c in (7, 9, 10)}
    defs = C.definitions("地域共生課", cells)
    assert all(len(d) <= C.MAX_REFERS_TO for d in defs)
    assert set().union(*(C.parse_refers_to(d) for d in defs)) == cells
    assert C.parse_refers_to("='それは''課'!$H$7,'それは''課'!#REF!") == {(6, 7)}


# --- action counts: rows do not add actions ------------------------------------------------


def checked_counts(tmp_path: Path, n: int) -> tuple[Counter, int, Counter]:
    """Actions of check on a department file of `n` rows with 3 flagged cells, rows in the
    file, and actions of split on the survey (no 設定: sheets only)."""
    template = build_template(big_source(n), tmp_path / f"big{n}.xlsx")
    split = funcs(run(template, "split"))
    split_files(template, tmp_path / f"dist{n}")
    ids = [f"X-{i:04d}" for i in range(n)]
    vals = {i: 120 + k for k, i in enumerate(ids)}
    vals.update({ids[1]: "abc", ids[3]: None, ids[5]: "１５０人"})  # 2 errors, 1 warning
    path = fill_department(tmp_path / f"dist{n}" / "地域共生課.xlsx", vals, {i: (DONE, NEXT) for i in ids})
    book = run(path, "check")
    return funcs(book), len(table_of(load_workbook(path).worksheets[0]).rows), split


def test_check_and_split_actions_do_not_grow_with_rows(tmp_path: Path):
    small, rows_small, split_small = checked_counts(tmp_path, 12)
    large, rows_large, split_large = checked_counts(tmp_path, 120)
    assert rows_large == 10 * rows_small
    assert small["addNote"] == large["addNote"] == 3  # one per flagged cell
    assert small == large, (small, large)
    assert sum(large.values()) <= 8
    assert split_small == split_large, (split_small, split_large)


# --- committee -----------------------------------------------------------------------------


def test_committee_writes_the_workbook_next_to_the_survey_without_touching_it(survey: Path, tmp_path: Path):
    alert = only_alert(run(survey, "committee"))
    out = tmp_path / "調査票_委員会版.xlsx"
    assert out.exists()
    assert f"委員会版を作成しました: {out}" in alert["prompt"]
    assert "デスクトップ版の Excel" in alert["prompt"]  # the PDF needs Excel's own export
    assert len(alert["prompt"].split("\n")) <= addin.MAX_LINES  # a long report is clipped, not a tall box
    wb = load_workbook(out)
    assert "資料２" in wb.sheetnames and META_SHEET not in wb.sheetnames


def test_committee_refuses_a_department_workbook(chiiki: Path, tmp_path: Path):
    alert = only_alert(run(chiiki, "committee"))
    assert alert["mode"] == "critical" and "部署別の調査票（地域共生課）です" in alert["prompt"]
    assert not list(tmp_path.glob("*委員会版*"))


# --- diagnose ------------------------------------------------------------------------------


def test_diagnose_reports_versions_and_problems_without_writing(survey: Path):
    book = run(survey, "diagnose")
    alert = only_alert(book)
    text = alert["prompt"]
    assert f"xlwings {xw.__version__}" in text and "Python " in text and "welfare-xl " in text
    assert "様式の版 2019.1" in text and "事務局の調査票" in text
    # the survey's folder has no 提出 folder yet: said plainly, with what to do
    assert "提出フォルダ「" in text and "がありません" in text and "フォルダを作るか" in text
    assert "Traceback" not in text


def test_diagnose_on_a_book_that_is_not_ours(tmp_path: Path):
    wb = new_workbook()
    wb.create_sheet("Sheet1")["A1"] = "hello"
    wb.save(tmp_path / "other.xlsx")
    text = only_alert(run(tmp_path / "other.xlsx", "diagnose"))["prompt"]
    assert "「管理情報」シートがない" in text
