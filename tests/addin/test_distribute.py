"""部署別シート作成 through xlwings' remote engine: department sheets like the file adapter's, the files to
send, and a number of writes that follows the sheet's shape, not its rows."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
from openpyxl import load_workbook
from support.buttons import DONE, NEXT, big_source, build_template, funcs, only_alert, run, table_of
from support.fill import fill_department
from support.paths import TEMPLATE

from welfare_xl.addin.excel import settings as settings_sheet
from welfare_xl.commands.split import split as split_files
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.sheets.department import department_sheet
from welfare_xl.files.writer import add_sheets, new_workbook


def saved(wb, path: Path):
    """An openpyxl workbook saved and loaded back, so it compares with a replayed one as files do."""
    wb.save(path)
    return load_workbook(path)


def conditional_formats(ws) -> list[tuple[str, list[str], str, bool]]:
    """(range, formulas, fill, stop-if-true) of each conditional formatting rule, in priority order."""
    rules = [(rule.priority, str(cf.sqref), list(rule.formula), rule.dxf.fill.bgColor.rgb, bool(rule.stopIfTrue))
             for cf in ws.conditional_formatting for rule in cf.rules]
    return [r[1:] for r in sorted(rules)]


def test_split_renders_department_sheets_like_the_file_adapter(survey: Path, tmp_path: Path):
    book = run(survey, "split")
    n = funcs(book)
    assert n["addSheet"] == 5 and n["alert"] == 1
    assert n["setValues"] == 5  # one bulk write per sheet
    prompt = xl.alerts(book)[0]
    assert "部署別シートを 5 枚作成しました" in prompt and "部署に配る調査票を 5 件" in prompt

    # The distribution files, written from the open workbook's survey.
    written = sorted(p.name for p in (tmp_path / "配布").iterdir())
    assert written == sorted(f"{d}.xlsx" for d in ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"])

    wb, _ = xl.replay_file(book, survey, tmp_path / "after_split.xlsx")
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
                assert (other.alignment.indent or 0) == (cell.alignment.indent or 0), where  # numbers off the border
        assert sorted(map(str, got.merged_cells.ranges)) == sorted(map(str, want.merged_cells.ranges))
        for letter, dim in want.column_dimensions.items():
            assert got.column_dimensions[letter].width == pytest.approx(dim.width, abs=0.1), letter
            assert bool(got.column_dimensions[letter].hidden) == bool(dim.hidden), letter
        assert got.freeze_panes == want.freeze_panes
        assert [r for r, d in got.row_dimensions.items() if d.hidden] == [r for r, d in want.row_dimensions.items() if d.hidden]
        # The remote engine writes only stop rules (xlwings sets no alert style); the form's rules are
        # all warnings (numbers: issue 10's decision, texts: their length), so none is written here:
        # the sheet's own 点検 formulas above still say what is left to fix.
        assert [v.error_style for v in department_sheet(live_survey, dept).validations if v.type != "textLength"]
        assert {v.error_style for v in department_sheet(live_survey, dept).validations} == {"warning"}
        assert not got.data_validations.dataValidation
        # The form's conditional fills: the same rules, ranges, formulas, fills and order as the file's.
        assert conditional_formats(got) == conditional_formats(saved(expected, tmp_path / f"{dept}.xlsx")[dept])
        assert len(conditional_formats(got)) == len(department_sheet(live_survey, dept).conditional_formats) > 0

    # The sheet in the survey is a form the core reads like the distributed file.
    table = table_of(wb["地域共生課"])
    assert [r.id for r in table.rows] == ["G1-01", "G2-02a", "G2-02b", "G2-02c", "G3-01", "G3-03", "G4-02"]

    # Pressing again keeps the sheets (someone may have typed into them) and rewrites the files.
    again = run(tmp_path / "after_split.xlsx", "split")
    assert funcs(again)["addSheet"] == 0
    assert "すでにあるシートはそのままにしました" in xl.alerts(again)[0]


def test_split_without_settings_adds_them_and_says_where_files_cannot_go(tmp_path: Path):
    path = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, path)
    book = run(path, "split")
    added = [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"]
    assert added[0] == settings_sheet.SHEET and len(added) == 6
    prompt = xl.alerts(book)[0]
    assert "部署に配る調査票は書き出していません" in prompt and f"「{settings_sheet.BASE}」" in prompt
    assert not (tmp_path / "配布").exists()

    wb, _ = xl.replay_file(book, path, tmp_path / "with_settings.xlsx")
    assert settings_sheet.parse([[c.value for c in r] for r in wb[settings_sheet.SHEET].iter_rows()]) == settings_sheet.DEFAULTS
    # New sheets go after the last visible sheet, never after (and so never moving) the hidden 管理情報.
    assert wb.sheetnames[-2:] == [settings_sheet.SHEET, META_SHEET] and wb[META_SHEET].sheet_state == "hidden"
    # the clerk fills in the folder; the next press writes the files
    ws = wb[settings_sheet.SHEET]
    next(r for r in ws.iter_rows() if r[0].value == settings_sheet.BASE)[1].value = str(tmp_path)
    wb.save(tmp_path / "with_settings.xlsx")
    again = run(tmp_path / "with_settings.xlsx", "split")
    assert "部署に配る調査票を 5 件" in xl.alerts(again)[0]
    assert len(list((tmp_path / "配布").glob("*.xlsx"))) == 5


def test_split_lists_a_department_whose_file_cannot_be_written(survey: Path, tmp_path: Path):
    """One department's file that cannot be written (a folder has its name) is listed; the rest are written."""
    blocked = tmp_path / "配布" / "交通課.xlsx"
    blocked.mkdir(parents=True)
    book = run(survey, "split")
    assert funcs(book)["addSheet"] == 5  # the department sheets are made all the same
    prompt = xl.alerts(book)[0]
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
