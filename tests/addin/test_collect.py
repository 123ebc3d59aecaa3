"""集約, 元に戻す, 提出状況 and 委員会版作成 through xlwings' remote engine.

The live result is compared with what the file-level commands write for the
same inputs, so the add-in and the CLI cannot drift apart.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
import xlwings as xw
from openpyxl import load_workbook
from support.buttons import (
    CHIIKI,
    CHIIKI_TEXTS,
    DONE,
    NEXT,
    big_source,
    build_template,
    funcs,
    only_alert,
    run,
    table_of,
    values,
    with_settings,
)
from support.fill import fill_department, insert_row
from support.paths import TEMPLATE

from welfare_xl.addin.excel import settings
from welfare_xl.commands.consolidate import consolidate as consolidate_file
from welfare_xl.commands.split import split as split_files
from welfare_xl.commands.undo import UndoError
from welfare_xl.commands.undo import undo as undo_file
from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, UNDONE_SUFFIX
from welfare_xl.core.consolidation.result import column_runs
from welfare_xl.core.consolidation.undo import undo_changes
from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.progress import BEHIND_FILL


def master_values(path: Path, sheet: str = "資料２") -> dict[str, Any]:
    return values(load_workbook(path)[sheet])


def value_writes(book: xw.Book, position: int = 0) -> list[list[tuple[int, int]]]:
    """The cells (0-based) of each value write to the sheet at `position` (資料２ is the first)."""
    return [[(a["start_row"] + i, a["start_column"] + j) for i in range(a["row_count"]) for j in range(a["column_count"])]
            for a in book.json()["actions"] if a["func"] == "setValues" and a["sheet_position"] == position]


def assert_only_changed_cells_written(book: xw.Book, changes) -> None:
    """Every changed cell written once, no other cell written: an untouched cell between two
    changed rows keeps its formula or error; writes follow runs of changed rows, not rows."""
    writes = value_writes(book)
    cells = [rc for w in writes for rc in w]
    assert len(cells) == len(set(cells))
    assert set(cells) == {(ch.row, ch.col) for ch in changes}
    runs = column_runs(changes)
    assert len(runs) <= len(writes) <= 2 * len(runs)  # a run is cut at most once, at a merged text


def test_consolidate_writes_what_the_cli_writes_then_undo_restores(office: Path, tmp_path: Path):
    book = run(office, "consolidate")
    n = funcs(book)
    assert n["addSheet"] == 2 and n["sheetDelete"] == 0  # the 集約ログ and its hidden data sheet
    prompt = xl.alerts(book)[0]
    assert "令和元年度の提出ファイルを「資料２」に集約しました" in prompt
    assert "地域共生課.xlsx（一部不採用）" in prompt and "「元に戻す」" in prompt

    after = tmp_path / "after.xlsx"
    wb, _ = xl.replay_file(book, office, after)
    assert wb.sheetnames[-2:] == [LOG_SHEET, DATA_SHEET] and wb.active.title == "資料２"
    assert wb[DATA_SHEET].sheet_state == "hidden" and wb[LOG_SHEET].sheet_state == "visible"

    # The CLI consolidating the same folder into a copy of the same survey writes the same 資料２.
    cli_out = tmp_path / "cli.xlsx"
    result = consolidate_file(office, tmp_path / "提出", cli_out)
    assert result.changes
    assert master_values(after) == master_values(cli_out)
    assert_only_changed_cells_written(book, result.changes)
    assert n["setValues"] == len(value_writes(book)) + 2  # the master's runs, the log and its data sheet

    # Behind grades: bold on a fill (a hatch too on desktop Excel).
    ws = wb["資料２"]
    for ch in result.changes:
        if ch.key == layout.GRADE and ch.style is not None and ch.style.fill:
            cell = ws.cell(ch.row + 1, ch.col + 1)
            assert cell.fill.fgColor.rgb == "00" + BEHIND_FILL and cell.font.b
    # The log's hidden data sheet is the machine-readable record undo needs.
    log_grid, data_grid = ([[c.value for c in row] for row in wb[name].iter_rows()] for name in (LOG_SHEET, DATA_SHEET))
    assert len(undo_changes(log_grid, data_grid)) == len(result.changes)

    # 元に戻す: every changed cell back as it was, the log kept under another name.
    undo = run(after, "undo")
    assert "セル {} 個を、集約前の内容に戻しました".format(len(result.changes)) in xl.alerts(undo)[0]
    assert_only_changed_cells_written(undo, result.changes)
    assert funcs(undo)["setValues"] == len(value_writes(undo))
    undone = tmp_path / "undone.xlsx"
    wb, _ = xl.replay_file(undo, after, undone)
    assert master_values(undone) == master_values(office)
    assert LOG_SHEET not in wb.sheetnames and f"{LOG_SHEET}{UNDONE_SUFFIX}" in wb.sheetnames
    assert DATA_SHEET not in wb.sheetnames and wb[f"{DATA_SHEET}{UNDONE_SUFFIX}"].sheet_state == "hidden"
    cli_undone = tmp_path / "cli_undone.xlsx"
    undo_file(after, cli_undone)
    assert load_workbook(cli_undone).sheetnames == wb.sheetnames  # the file adapter's 元に戻す names it the same
    assert "元に戻す集約がありません" in only_alert(run(undone, "undo"))["prompt"]


def test_undo_leaves_cells_edited_by_hand_since(office: Path, tmp_path: Path):
    after = tmp_path / "after.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    wb = load_workbook(after)
    ws = wb["資料２"]
    table = table_of(ws)
    row = {r.id: r.row + 1 for r in table.rows}["G6-01"]
    edited = ws.cell(row, table.columns["y2019"] + 1)
    assert edited.value == pytest.approx(2.13)
    edited.value = 2.2  # the secretariat corrected the figure by hand
    wb.save(after)

    undo = run(after, "undo")
    prompt = xl.alerts(undo)[0]
    assert "手で変更されているため、戻していません" in prompt and edited.coordinate in prompt
    wb, _ = xl.replay_file(undo, after)
    assert wb["資料２"][edited.coordinate].value == pytest.approx(2.2)
    others = {k: v for k, v in values(wb["資料２"]).items() if k != edited.coordinate}
    assert others == {k: v for k, v in master_values(office).items() if k != edited.coordinate}


def test_undo_refuses_the_log_of_another_sheet_in_both_adapters(office: Path, tmp_path: Path):
    """The one guard of the core: the button says its sentence as is, the file adapter after the file's name."""
    after = tmp_path / "after.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    wb = load_workbook(after)
    log = wb[DATA_SHEET]
    marker = next(c.row for c in log["A"] if c.value == "wxl:changes")
    for (cell,) in log.iter_rows(min_row=marker + 3, max_col=1):
        if cell.value:
            cell.value = "資料２（旧）"  # the 集約ログ of a master sheet since renamed
    wb.save(after)
    sentence = "「集約ログ」はシート「資料２（旧）」への集約の記録ですが、この調査票の集約先は「資料２」です。元に戻せません。"

    undo = run(after, "undo")
    alert = only_alert(undo)
    assert alert["mode"] == "critical" and alert["prompt"].startswith(sentence + "\n")
    assert funcs(undo)["setValues"] == 0
    with pytest.raises(UndoError) as refused:
        undo_file(after, tmp_path / "undone.xlsx")
    assert str(refused.value) == f"after.xlsx: {sentence}"


def test_undo_after_a_row_was_inserted_restores_exactly_the_right_cells(office: Path, tmp_path: Path):
    after, expected = tmp_path / "after.xlsx", tmp_path / "expected.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    shutil.copy(office, expected)
    for path in (after, expected):  # a note row inserted inside 資料２ after consolidating (and in the original)
        wb = load_workbook(path)
        ws = wb["資料２"]
        row = {r.id: r.row + 1 for r in table_of(ws).rows}["G2-02b"]
        insert_row(ws, row)
        ws.cell(row, 5).value = "（メモ：確認中）"
        wb.save(path)

    undo = run(after, "undo")
    prompt = xl.alerts(undo)[0]
    assert "指標IDと列で探し直して戻しました" in prompt and "戻していません" not in prompt
    undone = tmp_path / "undone.xlsx"
    xl.replay_file(undo, after, undone)
    assert master_values(undone) == master_values(expected)


def test_consolidating_again_replaces_the_log_and_changes_nothing_else(office: Path, tmp_path: Path):
    after = tmp_path / "after.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    again = run(after, "consolidate")
    n = funcs(again)
    assert n["sheetDelete"] == 2 and n["addSheet"] == 2
    assert n["setValues"] == 2  # only the new log and its data: the master already holds every value
    assert "変更したセル：0 個" in xl.alerts(again)[0]


def test_consolidate_without_the_folder_says_where_it_looked(tmp_path: Path):
    survey = with_settings(TEMPLATE, tmp_path / "調査票.xlsx", tmp_path)
    alert = only_alert(run(survey, "consolidate"))
    assert alert["mode"] == "critical"
    assert f"提出フォルダ「{tmp_path / '提出'}」がありません" in alert["prompt"]
    assert "フォルダを作り" in alert["prompt"]


def test_consolidate_without_settings_adds_them_and_asks_for_the_folder(tmp_path: Path):
    import shutil

    survey = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, survey)
    book = run(survey, "consolidate")
    assert [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"] == [settings.SHEET]
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert alert["args"][3] == "critical" and f"「{settings.BASE}」" in alert["args"][0]
    wb, _ = xl.replay_file(book, survey)
    assert settings.parse([[c.value for c in r] for r in wb[settings.SHEET].iter_rows()])[settings.SUBMISSIONS] == "提出"


def test_the_log_goes_after_the_last_visible_sheet_not_after_the_hidden_one(office: Path, tmp_path: Path):
    # 管理情報 (hidden) last, as in a survey whose 設定 the add-in added: the log goes before it.
    wb = load_workbook(office)
    wb.move_sheet(META_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(META_SHEET))
    wb.save(office)
    assert load_workbook(office).sheetnames == ["資料２", settings.SHEET, META_SHEET]
    wb, _ = xl.replay_file(run(office, "consolidate"), office)
    assert wb.sheetnames == ["資料２", settings.SHEET, LOG_SHEET, DATA_SHEET, META_SHEET]
    assert wb[META_SHEET].sheet_state == "hidden"


def test_status_lists_departments_and_writes_nothing(office: Path):
    alert = only_alert(run(office, "status"))
    text = alert["prompt"]
    assert "令和元年度の提出状況" in text
    assert "・交通課：提出済" in text and "・危機管理課：未提出" in text
    assert "メモ.txt" in text  # a file the secretariat should look at
    assert "「資料２」はまだ変更していません" in text  # the plan's own sheet, named at run time


def test_status_and_consolidate_say_when_two_returns_share_a_saved_time(office: Path, tmp_path: Path):
    import os
    from datetime import datetime, timezone

    from welfare_xl.files.returns import set_saved_time

    inbox = tmp_path / "提出"
    first = inbox / "交通課（最終版）.xlsx"
    again = fill_department(tmp_path / "配布" / "交通課.xlsx", {"G6-01": "2.50人/km"}, {"G6-01": (DONE, NEXT)},
                 out=inbox / "交通課（再送）.xlsx")
    for path in (first, again):
        set_saved_time(path, datetime(2020, 5, 8, 9, 0, tzinfo=timezone.utc))
    stamp = first.stat().st_mtime + 60
    os.utime(again, (stamp, stamp))
    why = "保存日時が同じため、ファイルの更新日時が新しい方を使いました"

    text = only_alert(run(office, "status"))["prompt"]
    assert "確認が必要なこと：" in text and why in text and "・交通課（再送）.xlsx：" in text
    prompt = xl.alerts(run(office, "consolidate"))[0]
    assert "確認が必要なこと：" in prompt and why in prompt and "交通課（再送）.xlsx" in prompt




# --- action counts: rows do not add actions ------------------------------------------------


def consolidated_counts(tmp_path: Path, n: int) -> tuple[Counter, xw.Book]:
    template = build_template(big_source(n), tmp_path / f"big{n}.xlsx")
    survey = with_settings(template, tmp_path / f"survey{n}.xlsx", tmp_path / f"office{n}")
    split_files(template, tmp_path / f"dist{n}")
    inbox = tmp_path / f"office{n}" / "提出"
    inbox.mkdir(parents=True)
    ids = [f"X-{i:04d}" for i in range(n)]
    vals: dict[str, Any] = {i: 120 + k for k, i in enumerate(ids)}
    vals.update({ids[1]: "abc", ids[3]: None, ids[5]: "１５０人"})  # 2 rejected, 1 read with a warning
    fill_department(tmp_path / f"dist{n}" / "地域共生課.xlsx", vals, {i: (DONE, NEXT) for i in ids},
         out=inbox / "地域共生課.xlsx")
    book = run(survey, "consolidate")
    return funcs(book), book


def test_consolidate_actions_do_not_grow_with_rows(tmp_path: Path):
    small, _ = consolidated_counts(tmp_path, 12)
    large, book = consolidated_counts(tmp_path, 120)
    assert small == large, (small, large)
    # y2019, done and next: 3 runs each, the rows before, between and after the 2 rejected
    # indicators (whose cells are not written); 進捗評価: 1 run (every row regraded); the log and its data.
    assert large["setValues"] == len(value_writes(book)) + 2 == 3 * 3 + 1 + 2


# --- row heights: the rows whose texts were written fit them, after 集約 and after 元に戻す ---------


def text_row_heights_of(path: Path, ids: set[str] | None = None) -> dict[str, float | None]:
    """Indicator ID -> height (pt) of its row in 資料２ (None: no explicit height)."""
    ws = load_workbook(path)["資料２"]
    return {r.id: ws.row_dimensions[r.row + 1].height for r in table_of(ws).rows if ids is None or r.id in ids}


def test_consolidate_and_undo_size_the_text_rows_as_the_file_path_does(office: Path, tmp_path: Path):
    from welfare_xl.core.consolidation.row_fit import consolidated_heights

    # 地域共生課 writes long texts on two items: their rows must grow beyond the blank template's.
    long_done = "地域の見守り活動の担い手を育てるため、" * 8
    texts = {**CHIIKI_TEXTS, "G1-01": (long_done, NEXT), "G3-03": (DONE, "支援者の研修を年4回に増やす。" * 6)}
    fill_department(tmp_path / "配布" / "地域共生課.xlsx", CHIIKI, texts, out=tmp_path / "提出" / "地域共生課.xlsx")
    cli_out = tmp_path / "cli.xlsx"
    result = consolidate_file(office, tmp_path / "提出", cli_out)
    written = {ch.indicator_id for ch in result.changes if ch.key in (layout.DONE, layout.NEXT)}
    fitted = consolidated_heights(result)
    rows = {r.row: r.id for r in table_of(load_workbook(office)["資料２"]).rows}
    fitted_ids = {rows[r] for r in fitted}
    assert written and written <= fitted_ids  # every item whose texts were written, all its rows

    book = run(office, "consolidate")
    after = tmp_path / "after.xlsx"
    xl.replay_file(book, office, after)
    before, button, cli = (text_row_heights_of(p) for p in (office, after, cli_out))
    assert button == cli  # the same heights as the file path, row for row
    assert {i: button[i] for i in fitted_ids} == pytest.approx({rows[r]: h for r, h in fitted.items()})
    grown = [i for i in fitted_ids if button[i] != before[i]]
    assert grown, "the written texts need other heights than the blank template's"
    assert {i: h for i, h in button.items() if i not in fitted_ids} == \
           {i: h for i, h in before.items() if i not in fitted_ids}  # no other row touched
    # One write per run of rows of equal height, not one per row.
    assert 0 < funcs(book)["setRowHeight"] <= len(fitted)

    # 元に戻す gives the rows back the heights their restored (blank) texts need: the template's.
    undo = run(after, "undo")
    undone = tmp_path / "undone.xlsx"
    xl.replay_file(undo, after, undone)
    cli_undone = tmp_path / "cli_undone.xlsx"
    undo_file(cli_out, cli_undone)
    assert text_row_heights_of(undone) == before
    assert text_row_heights_of(cli_undone) == before
