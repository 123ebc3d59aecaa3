"""The plain core of consolidation (welfare_xl.core.consolidation), on in-memory grids.

No files: department sheets are built as SheetSpecs and turned into the grids a
reader would return, so these tests pin down the rules (newest wins, what a
fatal file does, the log's machine section, undo) independently of openpyxl.
"""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.grids import grid_of
from support.paths import TEMPLATE_SOURCE
from support.seed import seed_inputs
from welfare_xl.core.model import layout
from welfare_xl.core.checks import check_submission
from welfare_xl.core.consolidation.decide import consolidate_submissions, same_value
from welfare_xl.core.consolidation.log import (
    CHANGES_MARKER, LogError, decode_value, encode_value, log_data_spec, log_sheet_spec, log_specs, logged_changes,
)
from welfare_xl.core.consolidation.messages import closing, run_summary, status_line, undo_summary
from welfare_xl.core.consolidation.result import CellChange, ReceivedFile, SkippedFile, column_runs
from welfare_xl.core.consolidation.undo import plan_undo, undo_changes
from welfare_xl.core.sheets.department import department_sheet
from welfare_xl.core.model.metadata import DEPARTMENT, SURVEY, to_grid
from welfare_xl.core.progress import grade_style
from welfare_xl.files.source import load_source
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.model.cells import cell_ref, parse_cell

UTC = timezone.utc




def department_file(survey, dept: str, name: str, *, values=None, texts=None, saved=None, mtime=None,
                    kind: str = DEPARTMENT) -> ReceivedFile:
    """A department's returned workbook as grids, filled from the seed unless told otherwise."""
    seed_values, seed_texts = seed_inputs(dept)
    values = seed_values if values is None else {**seed_values, **values}
    texts = seed_texts if texts is None else {**seed_texts, **texts}
    grid = grid_of(department_sheet(survey, dept))
    table = layout.find_table(grid)
    col = table.columns[layout.year_key(survey.fiscal_year)]
    for row in table.rows:
        if row.id in values:
            grid[row.row][col] = values[row.id]
        if row.id in texts:
            grid[row.row][table.columns[layout.DONE]], grid[row.row][table.columns[layout.NEXT]] = texts[row.id]
    sheets = {dept: grid, "管理情報": to_grid(survey.for_department(dept), kind, dept)}
    sub = check_submission(name, sheets, list(sheets), expected=None, saved=saved)
    return ReceivedFile(sub, mtime)


def run(master, files, **kw):
    survey, book = master
    return consolidate_submissions(survey, book.table, files, sheet=book.sheet, run_at=datetime(2020, 5, 20, 10), **kw)


# --- resubmissions ----------------------------------------------------------------------------


def test_saved_time_beats_file_time_and_naive_times_count_as_utc(master):
    survey = master[0]
    old = department_file(survey, "交通課", "a.xlsx", values={"G6-01": "2.10"},
                          saved=datetime(2020, 5, 1, 9, 0), mtime=datetime(2020, 6, 1, tzinfo=UTC))
    new = department_file(survey, "交通課", "b.xlsx", values={"G6-01": "2.20"},
                          saved=datetime(2020, 5, 1, 19, 0, tzinfo=timezone(timedelta(hours=9))) + timedelta(hours=1),
                          mtime=datetime(2020, 5, 2, tzinfo=UTC))
    # new: 20:00 JST = 11:00 UTC, later than old's naive 09:00 (UTC).
    result = run(master, [old, new])
    by_id = {o.indicator.id: o for o in result.indicators}
    assert by_id["G6-01"].new_value == pytest.approx(2.20)
    assert {f.file: f.status for f in result.files} == {"a.xlsx": "superseded", "b.xlsx": "accepted"}


def test_no_saved_time_falls_back_to_file_time_then_name(master):
    survey = master[0]
    a = department_file(survey, "交通課", "a.xlsx", values={"G6-01": "2.10"}, mtime=datetime(2020, 5, 2, tzinfo=UTC))
    b = department_file(survey, "交通課", "b.xlsx", values={"G6-01": "2.20"}, mtime=datetime(2020, 5, 1, tzinfo=UTC))
    assert {f.file: f.status for f in run(master, [a, b]).files}["a.xlsx"] == "accepted"
    c = department_file(survey, "交通課", "c.xlsx", values={"G6-01": "2.30"})
    d = department_file(survey, "交通課", "d.xlsx", values={"G6-01": "2.40"})
    assert {f.file: f.status for f in run(master, [d, c]).files}["d.xlsx"] == "accepted"  # stable, whatever the order


def test_winning_file_with_errors_does_not_fall_back_to_an_older_file(master):
    survey = master[0]
    good = department_file(survey, "交通課", "old.xlsx", saved=datetime(2020, 5, 1, tzinfo=UTC))
    bad = department_file(survey, "交通課", "new.xlsx", values={"G6-01": "未集計"}, saved=datetime(2020, 5, 2, tzinfo=UTC))
    result = run(master, [good, bad])
    out = {o.indicator.id: o for o in result.indicators}["G6-01"]
    assert (out.status, out.source, out.new_value) == ("rejected", "new.xlsx", None)
    assert {d.department: d.status for d in result.departments}["交通課"] == "error"
    assert result.exit_code == 1


def test_survey_workbooks_in_the_folder_are_ignored(master):
    survey = master[0]
    stray = department_file(survey, "交通課", "調査票のコピー.xlsx", kind=SURVEY)
    result = run(master, [stray], skipped=[SkippedFile("~$交通課.xlsx", "ロックファイル")])
    files = {f.file: (f.status, f.note) for f in result.files}
    assert files["調査票のコピー.xlsx"][0] == "ignored" and "調査票" in files["調査票のコピー.xlsx"][1]
    assert files["~$交通課.xlsx"] == ("ignored", "ロックファイル")
    assert {d.department: d.status for d in result.departments}["交通課"] == "missing"


def test_group_texts_follow_the_first_row(master):
    """A sub-item's error rejects its value only; the item's texts go with the first row."""
    survey = master[0]
    f = department_file(survey, "地域共生課", "x.xlsx", values={"G2-02c": "-5"})
    result = run(master, [f])
    by_id = {o.indicator.id: o for o in result.indicators}
    assert by_id["G2-02c"].status == "rejected"
    assert by_id["G2-02a"].status == "updated" and by_id["G2-02a"].new_texts[0].startswith("ふれあいのまちづくり新聞")
    keys = {(c.indicator_id, c.key) for c in result.changes}
    assert ("G2-02a", "done") in keys and ("G2-02c", "y2019") not in keys
    assert [c.code for c in by_id["G2-02c"].reasons] == ["negative"]


# --- the master's own problems ----------------------------------------------------------------


def test_master_row_missing_is_a_problem_not_a_crash(master):
    survey, book = master
    table = replace(book.table, rows=[r for r in book.table.rows if r.id != "G6-01"])
    result = consolidate_submissions(survey, table, [department_file(survey, "交通課", "交通課.xlsx")],
                                     sheet=book.sheet)
    assert {o.indicator.id: o.status for o in result.indicators}["G6-01"] == "no_row"
    assert any("G6-01" in p for p in result.problems)
    assert not any(c.indicator_id == "G6-01" for c in result.changes)
    assert result.exit_code == 1


def test_master_without_grade_column_gets_no_grades(master):
    survey, book = master
    columns = {k: v for k, v in book.table.columns.items() if k != layout.GRADE}
    table = replace(book.table, columns=columns)
    result = consolidate_submissions(survey, table, [department_file(survey, "交通課", "交通課.xlsx")], sheet=book.sheet)
    assert not any(c.key == layout.GRADE for c in result.changes)
    assert any("進捗評価" in p for p in result.problems)


# --- the log and undo -------------------------------------------------------------------------


def test_log_changes_read_back_exactly(master):
    survey = master[0]
    files = [department_file(survey, d, f"{d}.xlsx", texts={"G1-01": ("=1+1", "+81")} if d == "地域共生課" else None)
             for d in survey.departments]
    result = run(master, files)
    log, data = (grid_of(spec) for spec in log_specs(result))
    assert logged_changes(data) == result.changes
    undo = undo_changes(log, data)
    assert [(c.row, c.col, c.old, c.new) for c in undo] == [(c.row, c.col, c.new, c.old) for c in reversed(result.changes)]
    assert all(c.style == grade_style(None) for c in undo if c.key == layout.GRADE)  # blank grade → plain cell


def test_undo_finds_cells_again_by_id_and_key_and_reports_rows_and_columns_gone(master):
    survey = master[0]
    result = run(master, [department_file(survey, d, f"{d}.xlsx") for d in survey.departments])
    log, data = grid_of(log_sheet_spec(result)), grid_of(log_data_spec(result))
    blank = grid_of(survey_sheet(load_source(TEMPLATE_SOURCE).survey))
    grid = [list(row) for row in blank]
    for ch in result.changes:
        grid[ch.row][ch.col] = ch.new
    table = layout.find_table(grid)
    rows = table.by_id()
    # Since consolidating: a row inserted above G1-01, G6-01's row deleted, the 今後の展開 key cleared.
    for g in (grid, blank):
        del g[rows["G6-01"].row]
        g.insert(rows["G1-01"].row, [None] * len(g[0]))
        g[table.key_row][table.columns[layout.NEXT]] = None
    grid[rows["G5-01"].row + 1][table.columns["y2019"]] = 99  # edited by hand (now one row lower)

    plan = plan_undo(log, grid, data_grid=data)
    assert plan.sheet == "資料２"
    assert [(c.indicator_id, c.key, c.ref, c.logged_ref) for c in plan.edited] == [
        ("G5-01", "y2019", cell_ref(rows["G5-01"].row + 1, table.columns["y2019"]),
         cell_ref(rows["G5-01"].row, table.columns["y2019"]))]
    lost = {(c.indicator_id, c.key): reason for c, reason in plan.lost}
    assert {k for k in lost if k[0] == "G6-01"} == {("G6-01", k) for k in ("y2019", "done", "next", "grade")}
    assert {k for k in lost if k[1] == layout.NEXT} == {(c.indicator_id, layout.NEXT) for c in result.changes if c.key == layout.NEXT}
    assert "指標［G6-01］の行がありません" in lost[("G6-01", "y2019")] and "M20" in lost[("G6-01", "grade")]
    assert "列「wxl:next」がありません" in lost[("G1-01", layout.NEXT)]
    assert len(plan.restore) + len(plan.edited) + len(plan.lost) == len(result.changes)
    for ch in plan.restore:
        assert grid[ch.row][table.columns[layout.ID]] == ch.indicator_id and ch.ref != ch.logged_ref
        grid[ch.row][ch.col] = ch.new
    for ch in plan.edited:
        grid[ch.row][ch.col] = ch.new
    for g in (grid, blank):  # the texts of the column undo could not find stay as consolidated
        for row in g[table.key_row + 1:]:
            row[table.columns[layout.NEXT]] = None
    assert grid == blank
    text = "\n".join(undo_summary(plan))
    assert "行や列が挿入・削除されていたため" in text and "行または列がなくなっているため戻せません" in text
    with pytest.raises(LogError, match="指標の表"):
        plan_undo(log, [["何もないシート"]], data_grid=data)


def test_undo_refuses_the_log_of_another_sheet(master):
    """The one guard both adapters rely on: a log records the sheet it changed."""
    survey = master[0]
    result = run(master, [department_file(survey, "交通課", "交通課.xlsx")])
    log = grid_of(log_data_spec(result))
    grid = grid_of(survey_sheet(load_source(TEMPLATE_SOURCE).survey))
    for ch in result.changes:
        grid[ch.row][ch.col] = ch.new
    with pytest.raises(LogError) as refused:
        plan_undo(log, grid, sheet="資料２（写し）")
    assert str(refused.value) == ("「集約ログ」はシート「資料２」への集約の記録ですが、"
                                  "この調査票の集約先は「資料２（写し）」です。元に戻せません。")
    plan = plan_undo(log, grid, sheet="資料２")
    assert len(plan.restore) == len(result.changes) and not plan.edited and not plan.lost


def test_one_summary_of_a_run_for_the_cli_and_the_button(master):
    survey = master[0]
    bad = department_file(survey, "地域共生課", "地域共生課.xlsx", values={"G2-02c": "-5"})
    skipped = [SkippedFile(f"メモ{n}.txt", "Excel ブックではないため読み込みません。") for n in range(3)]
    result = run(master, [bad], skipped=skipped)
    cli = run_summary(result)
    button = run_summary(result, bullet="・", sep="：", limit=2)
    assert cli[0] == button[0] == "令和元年度の提出ファイルを「資料２」に集約しました。"
    assert cli[-1] == button[-1] == closing(result) == "未提出・エラーがあります。該当部署に連絡し、提出後にもう一度集約してください。"
    assert f"提出状況: {status_line(result.departments)}" in cli and f"提出状況：{status_line(result.departments)}" in button
    assert "  地域共生課: エラー（1指標がエラーのため不採用）" in cli and "・交通課：未提出（提出ファイルがありません）" in button
    skip = "Excel ブックではないため読み込みません。"
    start = cli.index("確認が必要なファイル:")  # every file not taken whole, by name
    assert cli[start + 1:start + 5] == [f"  メモ{n}.txt（対象外）: {skip}" for n in range(3)] + [
        "  地域共生課.xlsx（一部不採用）: 6指標を反映、1指標はエラーのため不採用"]
    start = button.index("確認が必要なファイル：")
    assert button[start + 1:start + 4] == [f"・メモ{n}.txt（対象外）：{skip}" for n in range(2)] + ["（ほか 2 件）"]
    (error,) = [x for x in cli if x.startswith("  エラー: ")]
    assert error == "  " + {f.file: f for f in result.files}["地域共生課.xlsx"].errors[0].line()
    assert button[button.index("反映しなかった内容：") + 1].startswith("・エラー：地域共生課.xlsx／地域共生課／")
    # The CLI's record of a run also lists every file with what became of it.
    record = run_summary(result, every_file=True)
    start = record.index("ファイル:")
    assert record[start + 1:start + 2 + len(skipped)] == [f"  メモ{n}.txt: 対象外（{skip}）" for n in range(3)] + [
        "  地域共生課.xlsx: 一部不採用（6指標を反映、1指標はエラーのため不採用）"]
    assert "ファイル：" not in button and record[-1] == cli[-1]


def test_undo_rejects_a_sheet_that_is_not_a_log():
    with pytest.raises(LogError, match="wxl:changes"):
        undo_changes([["集約ログ"], ["何か"]])
    with pytest.raises(LogError, match="old"):
        undo_changes([[CHANGES_MARKER], ["sheet", "cell", "indicator_id", "key", "new"], ["ラベル"]])
    with pytest.raises(LogError, match="5 行目"):
        undo_changes([[CHANGES_MARKER], ["sheet", "cell", "indicator_id", "key", "old", "new"], ["ラベル"],
                      ["資料２", "I6", "G1-01", "y2019", "null", "513"], ["資料２", "I7", "G2-01", "y2019", "{broken", "1"]])


def test_log_ends_at_the_first_empty_row():
    grid = [[CHANGES_MARKER], list(("sheet", "cell", "indicator_id", "key", "old", "new")), ["ラベル"],
            ["資料２", "I6", "G1-01", "y2019", "null", "513"], [None] * 6, ["資料２", "I7", "G2-01", "y2019", "1", "2"]]
    assert [(c.ref, c.new) for c in undo_changes(grid)] == [("I6", None)]


cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
    st.datetimes(), st.dates(), st.times(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
)


@settings(max_examples=200, deadline=None)
@given(cell_values)
def test_typed_values_survive_the_log(value):
    back = decode_value(encode_value(value))
    assert type(back) is type(value) and back == value


def test_nan_survives_the_log():
    assert math.isnan(decode_value(encode_value(float("nan"))))


@given(st.integers(0, 100_000), st.integers(0, 16_383))
def test_cell_references_round_trip(row, col):
    assert parse_cell(cell_ref(row, col)) == (row, col)


def test_column_runs_group_consecutive_rows():
    changes = [CellChange(r, c, "k", "id", None, f"{c}:{r}", "資料２") for c, r in
               [(8, 5), (8, 6), (8, 7), (8, 9), (12, 5), (12, 6)]]
    runs = column_runs(reversed(changes))
    assert [(r.ref, r.values) for r in runs] == [
        ("I6:I8", ("8:5", "8:6", "8:7")), ("I10", ("8:9",)), ("M6:M7", ("12:5", "12:6"))]


def test_same_value_reads_cells_as_the_master_holds_them():
    assert same_value(513.0, 513) and same_value(0.507, 0.507)
    assert not same_value("513", 513)  # a number typed as text is rewritten as a number
    assert same_value("－", "－") and same_value(" － ", "－")
    assert not same_value(None, 0) and not same_value(True, 1)
    assert same_value(None, None) and same_value("", None)


# --- the core stays plain ---------------------------------------------------------------------


def test_core_imports_no_excel_library_and_cli_check_no_pandas(tmp_path):
    code = (
        "import sys, welfare_xl.commands.consolidate\n"
        "from welfare_xl.core.consolidation import decide, log, messages, result, undo\n"
        "bad = [m for m in ('openpyxl', 'xlwings', 'pandas') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    code = (
        "import sys\n"
        "from welfare_xl.cli import main\n"
        "main(['status', sys.argv[1], sys.argv[2]])\n"
        "assert 'pandas' not in sys.modules\n"
    )
    from support.paths import TEMPLATE
    subprocess.run([sys.executable, "-c", code, str(TEMPLATE), str(tmp_path)], check=True, capture_output=True)


def test_the_form_check_compares_with_is_the_distributed_form_without_its_self_check(master):
    """check reads the labels of the form as split writes it; it builds the form without the 点検 line
    and column (`self_check=False`, for speed): the same table, row for row, and the self-check's own
    cells the only ones left out."""
    from support.long_plan import long_plan
    from welfare_xl.core.checks import _distributed_rows

    def table(spec):
        grid = [[None] * (spec.max_col + 1) for _ in range(spec.max_row + 1)]
        for (r, c), (value, _) in spec.cells.items():
            grid[r][c] = value
        return layout.find_table(grid).by_id()

    survey, _ = master
    for plan in (survey, long_plan(6)):
        for dept in sorted({i.department for i in plan.indicators}):
            full, bare = department_sheet(plan, dept), department_sheet(plan, dept, self_check=False)
            assert set(bare.cells) < set(full.cells)
            assert all(full.cells[k] == v for k, v in bare.cells.items())
            assert _distributed_rows(plan, dept) == table(full) != {}
