"""The 集約ログ keeps any legal cell content for 元に戻す: formulas, errors, Excel's longest texts.

On in-memory grids: the log is rendered as a SheetSpec and read back from the grid a
reader would return, so these tests pin down the log format (welfare-xl-log/3, and
reading /1 and /2) independently of the file adapters (tests/e2e/test_undo_exact.py runs
the whole path on files).
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from support.grids import grid_of
from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.consolidation.log import (
    CHANGE_FIELDS, CHANGES_MARKER, DATA_SHEET, FORMATS, LOG_FORMAT, LOG_SHEET, LONG_CHARS, VALUES_MARKER, LogError,
    changes_grid, log_data_spec, log_sheet_spec, log_specs, logged_changes,
)
from welfare_xl.core.consolidation.result import CellChange, ConsolidationResult, Formula, to_jsonable
from welfare_xl.core.consolidation.undo import undo_changes
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.core.progress import grade_from_label, grade_style
from welfare_xl.files.source import load_source

EXCEL_MAX = 32_767  # characters (UTF-16 code units) of one cell

# What a master cell may hold before and after consolidation, as the writer records it.
CONTENTS = [
    Formula("=SUM(H5:H6)", 12.0),  # with its cached value
    Formula("=H5*2"),  # saved by a program: no cached value
    Formula("=H5:H7*2", 10, "H8:H10"),  # an array formula
    HiddenValue("error", "#DIV/0!"),
    "=SUM(A1:A3) は式ではなく文字",  # text that starts with '='
    "一行目\n二行目\r\n三行目",
    "あ" * EXCEL_MAX,
    "\U0001F600" * (EXCEL_MAX // 2),  # two UTF-16 units each: 32,766 units
    '"\\' * (EXCEL_MAX // 2) + "x",  # JSON doubles every character of it
    None, True, 0.1, 513, datetime(2020, 5, 20, 10, 0),
]



def result_with(changes: list[CellChange]) -> ConsolidationResult:
    survey = load_source(TEMPLATE_SOURCE).survey
    return ConsolidationResult(datetime(2020, 5, 20, 10, 0), "調査票.xlsx", "提出", "資料２", survey.fiscal_year,
                               [], [], [], changes, survey)


def changes_of(pairs: list[tuple]) -> list[CellChange]:
    return [CellChange(5 + n, 7, "y2019", f"G{n}-01", old, new, "資料２") for n, (old, new) in enumerate(pairs)]


def test_every_cell_content_comes_back_from_the_log_and_no_log_cell_exceeds_excel():
    changes = changes_of([(old, new) for old in CONTENTS for new in (CONTENTS[6], 1)])
    grid = grid_of(log_data_spec(result_with(changes)))

    back = logged_changes(grid)
    assert [(c.ref, c.old, c.new) for c in back] == [(c.ref, c.old, c.new) for c in changes]
    assert all(type(b.old) is type(c.old) for b, c in zip(back, changes))
    units = max(len(v.encode("utf-16-le")) // 2 for row in grid for v in row if isinstance(v, str))
    assert units <= EXCEL_MAX
    assert any(row[0] == VALUES_MARKER for row in grid)
    assert grid[next(r for r, row in enumerate(grid) if row[0] == CHANGES_MARKER)][1] == LOG_FORMAT


def test_short_values_stay_in_their_row_and_need_no_long_section():
    changes = changes_of([("短い", "文"), (Formula("=1+1", 2), 3)])
    grid = grid_of(log_data_spec(result_with(changes)))
    assert not any(row[0] == VALUES_MARKER for row in grid)
    rows = {row[1]: row for row in grid if row[0] == "資料２"}
    assert json.loads(rows["H7"][4]) == {"$formula": {"text": "=1+1", "value": 2}}
    assert logged_changes(grid) == changes


def test_a_log_of_the_previous_format_still_undoes():
    """welfare-xl-log/1, as the previous release wrote it: JSON in the row, no formulas, no long section."""
    grid = [["■ 変更したセル（元に戻すときに使います）"], [CHANGES_MARKER, "welfare-xl-log/1"], list(CHANGE_FIELDS),
            ["シート", "セル", "指標ID", "列", "変更前（JSON）", "変更後（JSON）"],
            ["資料２", "I6", "G1-01", "y2019", "null", "513"],
            ["資料２", "J6", "G1-01", "done", json.dumps("=1+1", ensure_ascii=False), '"講座"'],
            ["資料２", "I7", "G2-01", "y2019", '{"$datetime": "2020-05-20T10:00:00"}', "1.5"]]
    assert "welfare-xl-log/1" in FORMATS
    undo = undo_changes(grid)
    assert [(c.ref, c.new, c.old) for c in undo] == [("I7", datetime(2020, 5, 20, 10, 0), 1.5),
                                                    ("J6", "=1+1", "講座"), ("I6", None, 513)]


def test_a_log_of_an_unknown_format_or_with_a_missing_piece_is_refused():
    changes = changes_of([("あ" * EXCEL_MAX, "短い")])
    grid = grid_of(log_data_spec(result_with(changes)))
    marker = next(r for r, row in enumerate(grid) if row[0] == CHANGES_MARKER)
    newer = [list(row) for row in grid]
    newer[marker][1] = "welfare-xl-log/9"
    with pytest.raises(LogError, match="読めない形式（welfare-xl-log/9）"):
        logged_changes(newer)

    cut = [list(row) for row in grid]
    pieces = [r for r, row in enumerate(cut) if row[0] == "L1"]
    assert len(pieces) == -(-len(json.dumps("あ" * EXCEL_MAX, ensure_ascii=False)) // LONG_CHARS) > 1
    del cut[pieces[-1]]  # a piece deleted by hand: the JSON no longer parses
    with pytest.raises(LogError, match=f"{marker + 4} 行目"):
        logged_changes(cut)
    gone = [row for row in grid if row[0] != "L1"]
    with pytest.raises(LogError, match="長い値 L1"):
        logged_changes(gone)


def test_undo_of_a_grade_formula_styles_the_cell_by_what_it_showed():
    behind = "△ 遅れ"
    change = CellChange(5, 12, layout.GRADE, "G1-01", Formula('=IF(H6<100,"△ 遅れ","○ 順調")', behind), "○ 順調",
                        "資料２")
    (undo,) = undo_changes(grid_of(log_data_spec(result_with([change]))))
    assert undo.new == change.old and undo.style == grade_style(grade_from_label(behind)) != grade_style(None)


def test_the_json_of_a_formula_and_an_error():
    assert to_jsonable(Formula("=A1", None)) == {"$formula": {"text": "=A1"}}
    assert to_jsonable(HiddenValue("error", "#N/A")) == {"$error": "#N/A"}
    assert to_jsonable(HiddenValue("formula", "=A1")) == to_jsonable(Formula("=A1"))


# --- the log for people, apart from what undo reads (welfare-xl-log/3) -----------------------


def test_the_readable_log_holds_no_json_and_its_data_sheet_is_hidden():
    """Issue 10: 集約ログ printed raw undo data (null, \\n, y2019/done/next) that ran off the page."""
    changes = changes_of([(None, 513), ("一行目\n二行目", "新しい\n文"), (Formula("=SUM(H5:H6)", 12.0), 20135),
                          (HiddenValue("error", "#DIV/0!"), "あ" * 200)])
    result = result_with(changes)
    readable, data = log_specs(result)
    assert (readable.name, data.name) == (LOG_SHEET, DATA_SHEET) and data.hidden and not readable.hidden
    texts = [v for v, _ in readable.cells.values() if isinstance(v, str)]
    assert not any(t in (CHANGES_MARKER, VALUES_MARKER, "null", *CHANGE_FIELDS) for t in texts)
    assert not any(t.startswith(("{", '"')) or "\n" in t and "→" in t for t in texts)
    rows = [row for row in grid_of(readable) if row[0] and str(row[0]).startswith("資料２!")]
    assert [row[0] for row in rows] == [f"資料２!{c.ref}" for c in changes]
    assert rows[0][4] == "（空欄） → 513" and rows[1][4] == "一行目／二行目 → 新しい／文"
    assert rows[2][4] == "数式 =SUM(H5:H6) → 20,135世帯" and rows[3][4] == "#DIV/0! → " + "あ" * 60 + "…"
    assert all(row[3] == "令和元年度の実績値" for row in rows)
    # The rows of changed cells wrap within their columns, and are as high as their text needs.
    at = [r for r, row in enumerate(grid_of(readable)) if row[0] and str(row[0]).startswith("資料２!")]
    assert all(readable.cells[(r, c)][1].wrap for r in at for c in range(5))
    assert readable.row_heights[at[3]] > readable.row_heights[at[0]]
    assert logged_changes(grid_of(data)) == changes


def test_a_log_of_format_2_on_one_sheet_still_undoes_and_a_stale_data_sheet_is_ignored():
    """welfare-xl-log/2 kept the changes at the bottom of 集約ログ itself. A release of that format
    consolidating over a newer one's output leaves the newer data sheet behind: the log's own record wins."""
    old = changes_of([(None, 513), (Formula("=1+1", 2), 7)])
    stale = changes_of([(1, 2)])
    log2 = [["集約ログ（令和元年度）"], ["■ 変更したセル（元に戻すときに使います）"],
            [CHANGES_MARKER, "welfare-xl-log/2"], list(CHANGE_FIELDS), ["シート", "セル"]]
    log2 += [[c.sheet, c.ref, c.indicator_id, c.key, json.dumps(to_jsonable(c.old)), json.dumps(to_jsonable(c.new))]
             for c in old]
    data = grid_of(log_data_spec(result_with(stale)))
    assert changes_grid(log2, data) is log2
    assert [(c.ref, c.new) for c in undo_changes(log2, data)] == [("H7", Formula("=1+1", 2)), ("H6", None)]
    readable = grid_of(log_sheet_spec(result_with(stale)))
    assert changes_grid(readable, data) is data
    with pytest.raises(LogError, match=DATA_SHEET):
        undo_changes(readable, None)
