"""consolidate on real files: template → split → departments fill like people → consolidate.

Every test starts from the committed template, split into department workbooks
and filled with openpyxl the way clerks type ("513人", "２０，１３５世帯",
"50.70%"), then checks the written master with openpyxl (values, types,
styles) and python-calamine (what any reader sees), against the seed table.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import cells_by_key, fill_department, insert_row, save_as_person, unprotect
from support.paths import TEMPLATE, TEMPLATE_SOURCE
from support.seed import seed_inputs, seed_table

from welfare_xl.cli import main
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.split import split
from welfare_xl.commands.status import submission_status
from welfare_xl.commands.template import build_template
from welfare_xl.commands.undo import UndoError, undo
from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET
from welfare_xl.core.consolidation.messages import run_summary, status_line, status_summary, undo_summary
from welfare_xl.core.consolidation.undo import stale_changes, undo_changes
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_ref, column_letter
from welfare_xl.core.model.numbers import parse_value
from welfare_xl.core.progress import grade_survey
from welfare_xl.files.reader import read_workbook
from welfare_xl.files.survey_file import load_survey_file

T0 = datetime(2020, 5, 8, 9, 0, tzinfo=timezone.utc)
T1 = datetime(2020, 5, 15, 17, 30, tzinfo=timezone.utc)
RUN = datetime(2020, 5, 20, 10, 0, 0)
DEPARTMENTS = ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]

# How clerks type the seed's figures: units, full-width digits and commas, spaces, real numbers.
MESSY = {"G2-01": "２０，１３５世帯", "G3-01": " 888 ", "G5-01": 101, "G2-02b": "15,813人"}


def seed_values(department: str) -> tuple[dict, dict]:
    values, texts = seed_inputs(department)
    values.update({k: v for k, v in MESSY.items() if k in values})
    return values, texts


def expected_value(indicator_id: str):
    """The seed's 令和元年度 figure for an indicator, parsed as the project parses input."""
    survey = load_survey_file(TEMPLATE)[0]
    ind = survey.indicator(indicator_id)
    return parse_value(seed_table()[indicator_id].actual, ind.unit, ind.kind).value


@pytest.fixture(scope="module")
def distributed(tmp_path_factory) -> Path:
    """The template and its split department workbooks, as the secretariat sends them."""
    base = tmp_path_factory.mktemp("base")
    shutil.copy(TEMPLATE, base / "調査票.xlsx")
    split(base / "調査票.xlsx", base / "配布")
    return base


@pytest.fixture(scope="module")
def returned(distributed: Path, tmp_path_factory) -> Path:
    """Every department's workbook filled from the seed and saved at T0."""
    folder = tmp_path_factory.mktemp("returned")
    for dept in DEPARTMENTS:
        values, texts = seed_values(dept)
        fill_department(distributed / "配布" / f"{dept}.xlsx", values, texts, saved=T0, out=folder / f"{dept}.xlsx")
    return folder


@pytest.fixture
def work(tmp_path: Path, distributed: Path, returned: Path) -> Path:
    """A private copy: tmp/調査票.xlsx, tmp/配布/ (blank), tmp/提出/ (all filled)."""
    shutil.copy(distributed / "調査票.xlsx", tmp_path / "調査票.xlsx")
    shutil.copytree(distributed / "配布", tmp_path / "配布")
    shutil.copytree(returned, tmp_path / "提出")
    return tmp_path


def master(path: Path) -> tuple[object, dict[str, int], dict[str, int]]:
    """(資料２ worksheet, id -> 1-based row, key -> 1-based column), found by the key row."""
    ws = load_workbook(path)["資料２"]
    table = layout.find_table([list(r) for r in ws.iter_rows(values_only=True)])
    assert table is not None
    return ws, {r.id: r.row + 1 for r in table.rows}, {k: c + 1 for k, c in table.columns.items()}


def master_value(path: Path, indicator_id: str, key: str = "y2019"):
    ws, rows, cols = master(path)
    return ws.cell(rows[indicator_id], cols[key]).value


def log_rows(path: Path) -> list[list]:
    return read_workbook(path, sheets=[LOG_SHEET]).sheets[LOG_SHEET]


def log_section(path: Path, title: str) -> list[list]:
    """Rows of one section of the 集約ログ sheet (after its header row), up to the next blank row."""
    grid = log_rows(path)
    start = next(i for i, r in enumerate(grid) if r and r[0] == f"■ {title}")
    out = []
    for row in grid[start + 2:]:
        if not any(v not in (None, "") for v in row):
            break
        out.append(row)
    return out


# --- the clean year ---------------------------------------------------------------------------


def test_every_department_clean_lands_by_id(work: Path):
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 0
    assert [(d.department, d.label) for d in result.departments] == [(d, "提出済") for d in DEPARTMENTS]

    ws, rows, cols = master(out)
    seed = seed_table()
    for ind_id, row in seed.items():
        assert ws.cell(rows[ind_id], cols["y2019"]).value == pytest.approx(expected_value(ind_id)), ind_id
        if row.done is not None:  # the item's first row carries the texts
            assert ws.cell(rows[ind_id], cols["done"]).value == row.done
            assert ws.cell(rows[ind_id], cols["next"]).value == row.next
    # History and targets are untouched.
    assert ws.cell(rows["G1-01"], cols["y2017"]).value == 504
    assert ws.cell(rows["G5-02"], cols["target"]).value == 1100


def test_grades_written_for_every_row_behind_ones_hatched(work: Path):
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    ws, rows, cols = master(out)
    expected = grade_survey(result.survey)
    assert len(expected) == 15
    for ind_id, g in expected.items():
        cell = ws.cell(rows[ind_id], cols["grade"])
        assert cell.value == g.label
        assert (cell.fill.patternType == "lightUp") == g.behind, ind_id
    # The seed year's published picture: 消費者生活相談件数 moved away from its (lower) target.
    assert master_value(out, "G5-02", "grade") == "× 悪化"
    assert master_value(out, "G2-01", "grade") == "○ 順調"


def test_styles_of_the_survey_kept(work: Path):
    survey_ws, rows, cols = master(work / "調査票.xlsx")
    out = work / "集約.xlsx"
    consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    out_ws, _, _ = master(out)
    for ref in ("B6", "D6", f"{column_letter(cols['y2019'] - 1)}6", "A3"):
        a, b = survey_ws[ref], out_ws[ref]
        assert (a.font.name, a.font.b, a.fill.fgColor.rgb, a.number_format, a.border.left.style) == \
               (b.font.name, b.font.b, b.fill.fgColor.rgb, b.number_format, b.border.left.style), ref
    assert out_ws.merged_cells.ranges == survey_ws.merged_cells.ranges
    assert out_ws.row_dimensions[3].hidden  # the key row stays hidden
    wb = load_workbook(out)
    assert wb.sheetnames == ["資料２", "管理情報", LOG_SHEET, DATA_SHEET]
    assert wb["管理情報"].sheet_state == "hidden" and wb[DATA_SHEET].sheet_state == "hidden"


# --- resubmissions ----------------------------------------------------------------------------


def test_resubmission_newest_saved_time_wins_and_log_shows_old_to_new(work: Path):
    survey, folder = work / "調査票.xlsx", work / "提出"
    first = work / "第1回.xlsx"
    consolidate(survey, folder, first, now=RUN)
    assert master_value(first, "G1-01") == 513

    # 地域共生課 corrects G1-01 and sends the file again under another name. The corrected
    # file was saved later (T1) but copied earlier: the workbook's own saved time decides.
    values, texts = seed_values("地域共生課")
    values["G1-01"] = "５２０人"
    fill_department(work / "配布" / "地域共生課.xlsx", values, texts, saved=T1,
                    mtime=datetime(2020, 5, 16, tzinfo=timezone.utc), out=folder / "地域共生課_修正版.xlsx")
    fill_department(folder / "地域共生課.xlsx", {}, {}, saved=T0, mtime=datetime(2020, 6, 1, tzinfo=timezone.utc))

    second = work / "第2回.xlsx"
    result = consolidate(first, folder, second, now=RUN)
    assert result.exit_code == 0
    assert master_value(second, "G1-01") == 520
    files = {f.file: f for f in result.files}
    assert files["地域共生課.xlsx"].status == "superseded"
    assert files["地域共生課.xlsx"].superseded_by == "地域共生課_修正版.xlsx"
    assert files["地域共生課_修正版.xlsx"].status == "accepted"
    dept = {d.department: d for d in result.departments}["地域共生課"]
    assert (dept.label, dept.file) == ("差し替え", "地域共生課_修正版.xlsx")
    assert "地域共生課.xlsx" in dept.note

    by_id = {o.indicator.id: o for o in result.indicators}
    assert (by_id["G1-01"].status, by_id["G1-01"].old_value, by_id["G1-01"].new_value) == ("updated", 513, 520)
    assert by_id["G2-02a"].status == "unchanged"
    # Only the changed value (and no text, no grade: 513 and 520 are both 遅れ) is written.
    assert [(c.indicator_id, c.key, c.old, c.new) for c in result.changes] == [("G1-01", "y2019", 513, 520)]

    indicators = {r[0]: r for r in log_section(second, "指標別の反映内容")}
    assert indicators["G1-01"][3:7] == ["反映（変更あり）", "地域共生課_修正版.xlsx", "513人", "520人"]
    file_rows = [r for r in log_section(second, "ファイル別の結果") if r[0] == "地域共生課.xlsx"]
    assert file_rows[0][2] == "差し替え前" and "地域共生課_修正版.xlsx" in file_rows[0][4]


def test_a_department_that_sent_many_files_gets_a_note_people_read(work: Path):
    """Fourteen copies of one return: the note names the ten newest superseded ones and counts the
    rest (a prefecture's folder of thousands would not fit a cell); ファイル別の結果 lists them all."""
    survey, folder = work / "調査票.xlsx", work / "提出"
    values, texts = seed_values("交通課")
    for n in range(14):
        fill_department(work / "配布" / "交通課.xlsx", values, texts, saved=datetime(2020, 5, 1, 9, n, tzinfo=timezone.utc),
                        out=folder / f"交通課_{n:02d}.xlsx")
    (folder / "交通課.xlsx").unlink()
    result = consolidate(survey, folder, work / "集約.xlsx", now=RUN)
    dept = {d.department: d for d in result.departments}["交通課"]
    assert (dept.label, dept.file) == ("差し替え", "交通課_13.xlsx")
    older = [f"交通課_{n:02d}.xlsx" for n in range(14)]
    shown = [name for name in older if name in dept.note]
    assert len(shown) == 10 and "交通課_13.xlsx" not in shown
    assert "ほか 3 件（ファイル別の結果を参照）" in dept.note
    listed = [r[0] for r in log_section(work / "集約.xlsx", "ファイル別の結果") if str(r[0]).startswith("交通課_")]
    assert sorted(listed) == older


def test_file_time_decides_when_saved_times_are_equal(work: Path):
    folder = work / "提出"
    values, texts = seed_values("交通課")
    values["G6-01"] = "2.20"
    fill_department(work / "配布" / "交通課.xlsx", values, texts, saved=T0,
                    mtime=datetime(2020, 5, 9, tzinfo=timezone.utc), out=folder / "交通課(2).xlsx")
    fill_department(folder / "交通課.xlsx", {}, {}, saved=T0, mtime=datetime(2020, 5, 8, 12, tzinfo=timezone.utc))
    result = consolidate(work / "調査票.xlsx", folder, work / "集約.xlsx", now=RUN)
    assert master_value(work / "集約.xlsx", "G6-01") == pytest.approx(2.20)
    assert {f.file: f.status for f in result.files}["交通課.xlsx"] == "superseded"


def test_same_saved_time_with_different_figures_is_said_and_exits_1(work: Path):
    """Two returns saved at the same moment disagree: the newer file copy is used, and said so."""
    folder = work / "提出"
    values, texts = seed_values("交通課")
    fill_department(work / "配布" / "交通課.xlsx", {**values, "G6-01": "2.50"}, texts, saved=T0,
                    mtime=datetime(2020, 5, 9, tzinfo=timezone.utc), out=folder / "交通課_A.xlsx")
    fill_department(folder / "交通課.xlsx", {}, {}, saved=T0, mtime=datetime(2020, 5, 8, 12, tzinfo=timezone.utc))
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    assert master_value(out, "G6-01") == pytest.approx(2.50)
    assert result.exit_code == 1  # the clerk must look

    why = "保存日時が同じため、ファイルの更新日時が新しい方を使いました"
    dept = {d.department: d for d in result.departments}["交通課"]
    assert (dept.label, dept.file) == ("差し替え", "交通課_A.xlsx")
    assert why in dept.note and "「交通課_A.xlsx」" in dept.note and "「交通課.xlsx」" in dept.note
    files = {f.file: f for f in result.files}
    assert why in files["交通課.xlsx"].note and "交通課_A.xlsx" in files["交通課.xlsx"].note
    assert why in files["交通課_A.xlsx"].note
    (warning,) = result.warnings
    assert (warning.severity, warning.code, warning.file) == ("warning", "same_saved_time", "交通課_A.xlsx")
    assert warning in files["交通課_A.xlsx"].warnings
    lines = "\n".join(run_summary(result))
    assert "確認が必要なこと:" in lines and "注意: 交通課_A.xlsx" in lines and why in lines
    assert "未提出・エラー" not in lines.splitlines()[-1]
    overview = {r[0]: r[1] for r in log_section(out, "実行の概要")}
    assert why in overview["確認が必要なこと"]
    status_rows = {r[0]: r for r in log_section(out, "提出状況")}
    assert why in status_rows["交通課"][4]
    data = result.to_json()
    assert data["warnings"][0]["code"] == "same_saved_time" and data["exit_code"] == 1
    assert submission_status(work / "調査票.xlsx", folder).warnings == result.warnings

    # The same figures under two names (a copy): nothing to decide, nothing to say.
    (folder / "交通課_A.xlsx").unlink()
    shutil.copy(folder / "交通課.xlsx", folder / "交通課のコピー.xlsx")
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    assert result.exit_code == 0 and not result.warnings
    assert "保存日時が同じ" not in {d.department: d for d in result.departments}["交通課"].note


# --- what lies in the folder --------------------------------------------------------------------


def test_missing_department_is_reported_and_exits_1(work: Path):
    (work / "提出" / "交通課.xlsx").unlink()
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 1
    status = {d.department: d.label for d in result.departments}
    assert status["交通課"] == "未提出"
    assert [s for d, s in status.items() if d != "交通課"] == ["提出済"] * 4
    assert master_value(out, "G6-01") is None
    assert master_value(out, "G6-01", "grade") == "－ 評価不能"
    assert master_value(out, "G5-01") == 101
    assert {o.indicator.id: o.status for o in result.indicators}["G6-01"] == "not_submitted"
    assert ["交通課", "未提出"] == log_section(out, "提出状況")[-1][:2]


def test_lock_files_and_non_workbooks_are_ignored_and_said_so(work: Path):
    folder = work / "提出"
    (folder / "~$地域共生課.xlsx").write_bytes(b"\x0cOwner Name" + b"\x00" * 40)  # Excel's owner file
    (folder / "提出一覧メモ.txt").write_text("交通課は後日", encoding="utf-8")
    (folder / "昔の様式.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    (folder / "壊れた.xlsx").write_text("not a zip", encoding="utf-8")
    (folder / "古い提出").mkdir()
    shutil.copy(folder / "交通課.xlsx", folder / "古い提出" / "交通課.xlsx")
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    # Issue 8: an unreadable .xlsx, or a spreadsheet in another format (.xls), looks like a return,
    # so it is refused (不採用) and the run exits 1; the entries that are plainly not returns are
    # only listed (対象外).
    assert result.exit_code == 1
    ignored = {f.file: f.note for f in result.files if f.status == "ignored"}
    assert set(ignored) == {"~$地域共生課.xlsx", "提出一覧メモ.txt", "古い提出"}
    assert "ロックファイル" in ignored["~$地域共生課.xlsx"]
    old_format = {f.file: f for f in result.files}["昔の様式.xls"]
    assert old_format.status == "rejected" and ".xls" in old_format.note
    broken = {f.file: f for f in result.files}["壊れた.xlsx"]
    assert broken.status == "rejected" and "ではありません" in broken.note
    assert all(d.status == "submitted" for d in result.departments)
    logged = {r[0]: r for r in log_section(out, "ファイル別の結果")}
    assert logged["~$地域共生課.xlsx"][2] == "対象外" and "ロックファイル" in logged["~$地域共生課.xlsx"][4]
    assert logged["提出一覧メモ.txt"][2] == "対象外"


def test_department_identified_by_metadata_not_file_name(work: Path):
    folder = work / "提出"
    # Two departments' files swapped names, a third renamed beyond recognition.
    (folder / "危機管理課.xlsx").rename(folder / "tmp.xlsx")
    (folder / "交通課.xlsx").rename(folder / "危機管理課.xlsx")
    (folder / "tmp.xlsx").rename(folder / "交通課.xlsx")
    (folder / "高齢者支援課.xlsx").rename(folder / "R1実績_最新版_final(1).xlsx")
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    assert result.exit_code == 0
    assert master_value(out, "G5-01") == 101
    assert master_value(out, "G6-01") == pytest.approx(2.13)
    assert master_value(out, "G4-01") == pytest.approx(0.507)
    files = {f.file: f.department for f in result.files}
    assert files == {"危機管理課.xlsx": "交通課", "交通課.xlsx": "危機管理課", "R1実績_最新版_final(1).xlsx": "高齢者支援課",
                     "地域共生課.xlsx": "地域共生課", "協働コミュニティ課.xlsx": "協働コミュニティ課"}


def test_rows_and_columns_inserted_and_reordered_still_land_by_id(work: Path):
    path = work / "提出" / "地域共生課.xlsx"
    wb = load_workbook(path)
    ws = wb["地域共生課"]
    unprotect(ws)
    for rng in list(ws.merged_cells.ranges):  # Excel keeps merges in step; openpyxl does not
        ws.unmerge_cells(str(rng))
    ws.insert_rows(7, 2)  # two rows above the first indicator
    ws.cell(7, 3).value = "メモ：課内確認済み"
    ws.insert_cols(3)  # a column for the clerk's notes, pushing every key to the right
    ws.cell(7, 3).value = "担当：山田"
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    table = layout.find_table(grid)
    last = ws.max_row
    for n, ind in enumerate(("G4-02", "G1-01")):  # cut and paste two rows below the table
        r = table.by_id()[ind].row + 1
        ws.move_range(f"A{r}:{column_letter(ws.max_column - 1)}{r}", rows=last + 2 + n - r)
    wb.save(path)
    moved = layout.find_table(read_workbook(path).sheets["地域共生課"])
    assert [r.id for r in moved.rows][-2:] == ["G4-02", "G1-01"]
    assert moved.columns["y2019"] == 8  # was 7

    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 0, run_summary(result)
    for ind in ("G1-01", "G2-02a", "G2-02b", "G2-02c", "G3-01", "G3-03", "G4-02"):
        assert master_value(out, ind) == pytest.approx(expected_value(ind)), ind
    assert master_value(out, "G4-02", "done") == seed_table()["G4-02"].done
    assert master_value(out, "G1-01", "next") == seed_table()["G1-01"].next


def test_formula_like_text_is_stored_as_text(work: Path):
    tricky = {"G1-01": ("=1+1", "+81"), "G3-01": ("-", "@SUM(A1)")}
    values, texts = seed_values("地域共生課")
    texts.update(tricky)
    fill_department(work / "提出" / "地域共生課.xlsx", values, texts, saved=T0)
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 0
    ws, rows, cols = master(out)
    for ind, pair in tricky.items():
        for key, text in zip(("done", "next"), pair):
            cell = ws.cell(rows[ind], cols[key])
            assert (cell.value, cell.data_type) == (text, "s"), (ind, key)
    grid = read_workbook(out).sheets["資料２"]
    assert grid[rows["G1-01"] - 1][cols["done"] - 1] == "=1+1"  # a reader sees the text, not 2
    # The log repeats the texts: there too as text, never as a formula.
    log_ws = load_workbook(out)[LOG_SHEET]
    seen = [c for row in log_ws.iter_rows() for c in row if c.value in ("=1+1", "@SUM(A1)", "+81")]
    assert seen and all(c.data_type == "s" for c in seen)
    assert not any(c.data_type == "f" for row in log_ws.iter_rows() for c in row)


def form_ref(path: Path, ind: str, key: str) -> str:
    """The A1 reference of an indicator's cell in a department's workbook, found by its key row."""
    rows, cols = cells_by_key(load_workbook(path).worksheets[0])
    return cell_ref(rows[ind] - 1, cols[key] - 1)


def test_one_bad_file_rejects_only_its_failed_indicators(work: Path):
    values, texts = seed_values("地域共生課")
    values["G2-02b"] = "約15,000人"
    texts["G3-01"] = (texts["G3-01"][0], None)  # 今後の展開 left empty
    fill_department(work / "配布" / "地域共生課.xlsx", values, texts, saved=T0, out=work / "提出" / "地域共生課.xlsx")
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 1
    h9 = form_ref(work / "提出" / "地域共生課.xlsx", "G2-02b", layout.year_key(2019))  # H9 before the 点検 line
    k11 = form_ref(work / "提出" / "地域共生課.xlsx", "G3-01", layout.NEXT)

    # Rejected: G2-02b's value; G3-01's value and texts. Everything else went through.
    assert master_value(out, "G2-02b") is None
    assert master_value(out, "G3-01") is None
    assert master_value(out, "G3-01", "done") is None
    for ind in ("G1-01", "G2-02a", "G2-02c", "G3-03", "G4-02", "G2-01", "G4-01", "G5-01", "G6-01"):
        assert master_value(out, ind) == pytest.approx(expected_value(ind)), ind
    assert master_value(out, "G2-02a", "done") == seed_table()["G2-02a"].done

    f = {x.file: x for x in result.files}["地域共生課.xlsx"]
    assert f.status == "partly_rejected"
    assert sorted(f.rejected) == ["G2-02b", "G3-01"]
    by_id = {o.indicator.id: o for o in result.indicators}
    (reason,) = by_id["G2-02b"].reasons
    assert (reason.file, reason.sheet, reason.cell, reason.indicator_id) == ("地域共生課.xlsx", "地域共生課", h9, "G2-02b")
    assert "約15,000人" in reason.message
    assert [r.cell for r in by_id["G3-01"].reasons] == [k11]
    assert {d.department: d.label for d in result.departments}["地域共生課"] == "エラー"

    lines = "\n".join(run_summary(result))
    assert f"地域共生課.xlsx／地域共生課／{h9} ［G2-02b］" in lines
    section = log_section(out, "ファイル別の結果")
    start = next(i for i, r in enumerate(section) if r[0] == "地域共生課.xlsx")
    assert section[start][2] == "一部不採用"
    own = [r for r in section[start + 1:start + 20]]
    own = own[:next((i for i, r in enumerate(own) if r[0]), len(own))]  # up to the next file's row
    errors = [r[4] for r in own if r[2] == "エラー"]
    assert len(errors) == 2
    assert errors[0].startswith(f"地域共生課／{h9} ［G2-02b］ふれあいのまちづくり事業における地域活動拠点（延べ利用者数）")
    assert errors[1].startswith(f"地域共生課／{k11} ［G3-01］")
    indicators = {r[0]: r for r in log_section(out, "指標別の反映内容")}
    assert indicators["G2-02b"][3] == "不採用" and h9 in indicators["G2-02b"][10]


def test_newest_return_that_cannot_be_read_whole_does_not_fall_back_to_the_older_one(work: Path):
    """The correction deleted an input column: it is still the department's newest return,
    so the older, wrong figures must not be written and the department is エラー."""
    folder = work / "提出"
    survey, first = work / "調査票.xlsx", work / "第1回.xlsx"
    consolidate(survey, folder, first, now=RUN)
    assert master_value(first, "G6-01") == pytest.approx(2.13)

    values, texts = seed_values("交通課")
    fill_department(work / "配布" / "交通課.xlsx", {**values, "G6-01": "9.99"}, texts, saved=T0,
                    out=folder / "交通課.xlsx")
    fixed = fill_department(work / "配布" / "交通課.xlsx", {**values, "G6-01": "2.20"}, texts,
                            out=folder / "交通課_修正.xlsx")
    wb = load_workbook(fixed)
    ws = wb["交通課"]
    unprotect(ws)
    ws.delete_cols(next(c.column for row in ws.iter_rows() for c in row if c.value == "wxl:next"))
    save_as_person(wb, fixed, saved=T1)

    out = work / "第2回.xlsx"
    result = consolidate(first, folder, out, now=RUN)
    assert result.exit_code == 1
    # The master keeps what it had: neither 9.99 (older file) nor anything of the newest.
    assert master_value(out, "G6-01") == pytest.approx(2.13)
    assert master_value(out, "G6-01", "done") == seed_table()["G6-01"].done
    assert not any(c.indicator_id == "G6-01" for c in result.changes)

    files = {f.file: f for f in result.files}
    newest, older = files["交通課_修正.xlsx"], files["交通課.xlsx"]
    assert (newest.status, newest.department, newest.rejected) == ("rejected", "交通課", ["G6-01"])
    assert "今後の展開" in newest.note and "交通課.xlsx" in newest.note
    assert (older.status, older.superseded_by) == ("superseded", "交通課_修正.xlsx")
    assert "交通課_修正.xlsx" in older.note
    dept = {d.department: d for d in result.departments}["交通課"]
    assert (dept.label, dept.file) == ("エラー", "交通課_修正.xlsx")
    assert "交通課_修正.xlsx" in dept.note and "今後の展開" in dept.note
    assert "交通課.xlsx」は、より新しいファイルがあるため使いません" in dept.note
    ind = {o.indicator.id: o for o in result.indicators}["G6-01"]
    assert (ind.status, ind.source) == ("rejected", "交通課_修正.xlsx")
    assert [r.code for r in ind.reasons] == ["column_missing"]

    lines = "\n".join(run_summary(result))
    assert "交通課: エラー（" in lines and "エラー: 交通課_修正.xlsx／交通課 入力欄の列が見つかりません" in lines
    status = {r[0]: r for r in log_section(out, "提出状況")}
    assert status["交通課"][1:3] == ["エラー", "交通課_修正.xlsx"] and "交通課.xlsx" in status["交通課"][4]
    indicators = {r[0]: r for r in log_section(out, "指標別の反映内容")}
    assert indicators["G6-01"][3] == "不採用" and "列が見つかりません" in indicators["G6-01"][10]

    # An older return that could not be read is simply replaced by a good newer one.
    fill_department(work / "配布" / "交通課.xlsx", values, texts, saved=datetime(2020, 5, 16, tzinfo=timezone.utc),
                    out=folder / "交通課_再提出.xlsx")
    result = consolidate(first, folder, out, now=RUN)
    files = {f.file: f.status for f in result.files}
    assert files == {**files, "交通課_再提出.xlsx": "accepted", "交通課_修正.xlsx": "superseded",
                     "交通課.xlsx": "superseded"}
    assert {d.department: d.label for d in result.departments}["交通課"] == "差し替え"
    assert result.exit_code == 0


def test_history_and_target_changed_by_a_department_reject_the_indicator_and_are_never_written(work: Path):
    """Issue 8 changed this from a warning to an error: a row whose locked cells differ from the master may
    hold another indicator's figures, so it is refused and named; the department's other indicators go through."""
    path = work / "提出" / "交通課.xlsx"
    wb = load_workbook(path)
    ws = wb["交通課"]
    unprotect(ws)
    table = layout.find_table([list(r) for r in ws.iter_rows(values_only=True)])
    r = table.by_id()["G6-01"].row + 1
    ws.cell(r, table.columns["y2017"] + 1).value = 3.0
    ws.cell(r, table.columns["y2018"] + 1).value = 9.99
    ws.cell(r, table.columns["target"] + 1).value = 1.0
    save_as_person(wb, path, saved=T0)

    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    assert result.exit_code == 1
    # Only the year's value, texts and grade are ever written: the master's history and target stay.
    assert {c.key for c in result.changes} <= {"y2019", "done", "next", "grade"}
    assert (master_value(out, "G6-01", "y2017"), master_value(out, "G6-01", "y2018"),
            master_value(out, "G6-01", "target")) == (pytest.approx(2.09), pytest.approx(2.18), pytest.approx(2.18))
    assert master_value(out, "G6-01") is None  # the refused row's figure is not taken
    assert not [c for c in result.changes if c.indicator_id == "G6-01" and c.key != "grade"]
    for other in ("G1-01", "G4-01"):  # every other department's figures land exactly
        assert master_value(out, other) == pytest.approx(expected_value(other))

    f = {x.file: x for x in result.files}["交通課.xlsx"]
    assert f.status == "rejected" and f.rejected == ["G6-01"]
    locked = [w for w in f.errors if w.code == "locked_changed"]
    assert [w.cell for w in locked] == [cell_ref(r - 1, table.columns[k]) for k in ("y2017", "y2018", "target")]
    assert "調査票：2.18人/km、このファイル：9.99人/km" in locked[1].message
    assert not [w for w in f.warnings if w.code == "big_change"]
    section = log_section(out, "ファイル別の結果")
    start = next(i for i, row in enumerate(section) if row[0] == "交通課.xlsx")
    noted = [row[4] for row in section[start + 1:start + 6] if row[2] == "エラー"]
    assert any(n.startswith("交通課／") and "保護されたセル（平成30年度）が調査票と違います" in n for n in noted)
    indicators = {row[0]: row for row in log_section(out, "指標別の反映内容")}
    assert indicators["G6-01"][3] == "不採用" and "保護されたセル（目標値）" in indicators["G6-01"][10]


def test_file_of_another_year_is_rejected_whole(work: Path):
    source = work / "R2.toml"
    source.write_text(TEMPLATE_SOURCE.read_text(encoding="utf-8").replace("fiscal_year = 2019", "fiscal_year = 2020"),
                      encoding="utf-8")
    build_template(source, work / "R2調査票.xlsx")
    split(work / "R2調査票.xlsx", work / "R2配布", departments=["交通課"])
    folder = work / "提出"
    (folder / "交通課.xlsx").unlink()
    fill_department(work / "R2配布" / "交通課.xlsx", {"G6-01": "2.15"}, {"G6-01": ("運行", "継続")}, saved=T1,
                    out=folder / "交通課_R2.xlsx")
    out = work / "集約.xlsx"
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    assert result.exit_code == 1
    f = {x.file: x for x in result.files}["交通課_R2.xlsx"]
    assert (f.status, f.department) == ("rejected", "交通課")
    assert "年度が違います" in f.note and "令和２年度" in f.note
    assert master_value(out, "G6-01") is None
    assert {d.department: d.label for d in result.departments}["交通課"] == "エラー"

    # Beside the right year's file, the newer wrong-year file supersedes nothing.
    shutil.copy(work / "配布" / "交通課.xlsx", folder / "交通課.xlsx")
    fill_department(folder / "交通課.xlsx", *seed_values("交通課"), saved=T0)
    result = consolidate(work / "調査票.xlsx", folder, out, now=RUN)
    assert master_value(out, "G6-01") == pytest.approx(2.13)
    assert {d.department: d.label for d in result.departments}["交通課"] == "提出済"
    assert {x.file: x.status for x in result.files}["交通課_R2.xlsx"] == "rejected"
    assert result.exit_code == 1


# --- running again, in place, undo ----------------------------------------------------------------


def test_consolidating_twice_gives_the_same_result(work: Path):
    survey, folder, out = work / "調査票.xlsx", work / "提出", work / "集約.xlsx"
    consolidate(survey, folder, out, now=RUN)
    first_grid, first_log = read_workbook(out).sheets["資料２"], log_rows(out)
    second = consolidate(survey, folder, out, now=RUN)
    assert read_workbook(out).sheets["資料２"] == first_grid
    # The log is replaced, not appended to; only its backup line differs: the first result was kept.
    assert second.backup == str(work / "集約.backup-20200520-100000.xlsx")
    assert [r for r in log_rows(out) if r[0] != "バックアップ"] == [r for r in first_log if r[0] != "バックアップ"]

    # Consolidating the result again changes nothing, and says so.
    again = consolidate(out, folder, out, now=RUN)
    assert again.changes == []
    assert {o.status for o in again.indicators} == {"unchanged"}
    assert read_workbook(out).sheets["資料２"] == first_grid
    assert load_workbook(out).sheetnames.count(LOG_SHEET) == 1
    assert "（変更したセルはありません）" in [r[0] for r in log_rows(out)]


def test_out_is_the_survey_keeps_an_identical_backup(work: Path):
    survey = work / "調査票.xlsx"
    original = work / "original.xlsx"
    shutil.copy(survey, original)
    result = consolidate(survey, work / "提出", survey, now=RUN)
    backup = work / "調査票.backup-20200520-100000.xlsx"
    assert result.backup == str(backup)
    assert filecmp.cmp(backup, original, shallow=False)
    assert master_value(survey, "G1-01") == 513
    overview = {r[0]: r[1] for r in log_section(survey, "実行の概要")}
    assert overview["バックアップ"] == str(backup)
    # A second run in the same second keeps the first backup and adds another.
    result = consolidate(survey, work / "提出", survey, now=RUN)
    assert result.backup == str(work / "調査票.backup-20200520-100000-2.xlsx")
    assert filecmp.cmp(backup, original, shallow=False)


def test_output_written_atomically(work: Path):
    out_dir = work / "出力"
    out_dir.mkdir()
    out = out_dir / "集約.xlsx"
    out.write_bytes(b"previous result")
    out.chmod(0o640)
    consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    # No temporary or lock file left; the file that was there is kept as a backup.
    assert sorted(p.name for p in out_dir.iterdir()) == ["集約.backup-20200520-100000.xlsx", "集約.xlsx"]
    assert (out_dir / "集約.backup-20200520-100000.xlsx").read_bytes() == b"previous result"
    assert out.stat().st_mode & 0o777 == 0o640  # the replaced file's permissions are kept

    # A failed save leaves the survey as it was and no temporary file behind.
    survey_bytes = (work / "調査票.xlsx").read_bytes()
    (out_dir / "ディレクトリ.xlsx").mkdir()
    assert main(["consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(out_dir / "ディレクトリ.xlsx")]) == 2
    assert sorted(p.name for p in out_dir.iterdir()) == ["ディレクトリ.xlsx", "集約.backup-20200520-100000.xlsx", "集約.xlsx"]
    assert (work / "調査票.xlsx").read_bytes() == survey_bytes


def _undo_file(path: Path):
    """元に戻す on the file, from its log alone: every logged cell found again and reverted."""
    return undo(path, now=RUN)


def test_undo_from_the_log_restores_the_previous_values_exactly(work: Path):
    survey, folder = work / "調査票.xlsx", work / "提出"
    first, second = work / "第1回.xlsx", work / "第2回.xlsx"
    consolidate(survey, folder, first, now=RUN)
    values, texts = seed_values("地域共生課")
    values.update({"G1-01": "600人", "G3-01": "1,800件"})  # G3-01 jumps to 達成
    texts["G1-01"] = ("=SUM(A1:A3) と書かれた説明", texts["G1-01"][1])
    fill_department(folder / "地域共生課.xlsx", values, texts, saved=T1)
    result = consolidate(first, folder, second, now=RUN)
    assert {(c.indicator_id, c.key) for c in result.changes} >= {("G1-01", "y2019"), ("G3-01", "grade")}

    plan = _undo_file(second)
    assert len(plan.restore) == len(result.changes) and not plan.edited and not plan.lost
    assert read_workbook(second).sheets["資料２"] == read_workbook(first).sheets["資料２"]
    ws2, rows, cols = master(second)
    ws1, _, _ = master(first)
    cell1, cell2 = ws1.cell(rows["G3-01"], cols["grade"]), ws2.cell(rows["G3-01"], cols["grade"])
    assert (cell2.value, cell2.fill.patternType, cell2.font.b) == (cell1.value, cell1.fill.patternType, cell1.font.b)

    # Undoing the very first consolidation gives back the blank form's cells.
    _undo_file(first)
    assert read_workbook(first).sheets["資料２"] == read_workbook(survey).sheets["資料２"]


def test_undo_finds_cells_by_indicator_and_column_after_a_row_was_inserted(work: Path):
    survey, folder = work / "調査票.xlsx", work / "提出"
    first, second = work / "第1回.xlsx", work / "第2回.xlsx"
    consolidate(survey, folder, first, now=RUN)
    values, texts = seed_values("地域共生課")
    values.update({"G1-01": "600人", "G3-01": "1,800件"})  # above and below the inserted row; G3-01's grade too
    texts["G1-01"] = ("差し替えた説明", texts["G1-01"][1])
    fill_department(folder / "地域共生課.xlsx", values, texts, saved=T1)
    result = consolidate(first, folder, second, now=RUN)
    assert {(c.indicator_id, c.key) for c in result.changes} >= {("G1-01", "y2019"), ("G3-01", "y2019"),
                                                                  ("G3-01", "grade"), ("G1-01", "done")}

    # After consolidating, the secretariat inserts a row for a note inside 資料２ (above G2-02b,
    # inside its item's merged cells), in the result and, for comparison, in the first master.
    for path in (first, second):
        wb = load_workbook(path)
        _, rows, _ = master(path)
        insert_row(wb["資料２"], rows["G2-02b"])
        wb["資料２"].cell(rows["G2-02b"], 5).value = "（メモ：確認中）"
        wb.save(path)
    ws, rows, cols = master(second)
    hand = ws.cell(rows["G3-01"], cols["y2019"])  # …and corrects a moved cell by hand
    hand.value = 1750
    ws.parent.save(second)

    plan = _undo_file(second)
    assert [(c.indicator_id, c.key, c.ref, c.logged_ref) for c in plan.edited] == [
        ("G3-01", "y2019", hand.coordinate, cell_ref(rows["G3-01"] - 2, cols["y2019"] - 1))]
    assert not plan.lost and len(plan.restore) == len(result.changes) - 1
    assert any((c.indicator_id, c.key) == ("G3-01", "grade") and c.ref != c.logged_ref for c in plan.restore)
    grid = read_workbook(second).sheets["資料２"]
    expected = read_workbook(first).sheets["資料２"]
    r, c = rows["G3-01"] - 1, cols["y2019"] - 1
    assert grid[r][c] == 1750
    grid[r][c] = expected[r][c]
    assert grid == expected  # every other cell exactly as before the second consolidation
    assert f"{hand.coordinate}［G3-01］令和元年度の実績値（集約時は " in "\n".join(undo_summary(plan))
    assert LOG_SHEET not in load_workbook(second).sheetnames
    with pytest.raises(UndoError, match="元に戻す集約がありません"):
        _undo_file(second)


def test_undo_tells_which_cells_were_edited_since(work: Path):
    out = work / "集約.xlsx"
    consolidate(work / "調査票.xlsx", work / "提出", out, now=RUN)
    ws, rows, cols = master(out)
    wb = ws.parent
    ws.cell(rows["G5-01"], cols["y2019"]).value = 102  # the secretariat corrected a figure by hand
    wb.save(out)
    undo = undo_changes(log_rows(out), read_workbook(out, sheets=[DATA_SHEET]).sheets[DATA_SHEET])
    stale = stale_changes(undo, read_workbook(out).sheets["資料２"])
    assert [(c.indicator_id, c.key) for c in stale] == [("G5-01", "y2019")]


# --- the 提出状況 table, the status command, JSON, exit codes -------------------------------------------


@pytest.fixture
def mixed(work: Path) -> Path:
    """A folder with every department status: 差し替え, 未提出, エラー and 提出済."""
    folder = work / "提出"
    values, texts = seed_values("地域共生課")
    fill_department(work / "配布" / "地域共生課.xlsx", values, texts, saved=T1, out=folder / "地域共生課_差替.xlsx")
    (folder / "交通課.xlsx").unlink()
    fill_department(folder / "高齢者支援課.xlsx", {"G4-01": "150%"}, {}, saved=T0)
    return work


def test_submission_status_table(mixed: Path):
    out = mixed / "集約.xlsx"
    result = consolidate(mixed / "調査票.xlsx", mixed / "提出", out, now=RUN)
    expected = [("地域共生課", "差し替え"), ("協働コミュニティ課", "提出済"), ("高齢者支援課", "エラー"),
                ("危機管理課", "提出済"), ("交通課", "未提出")]
    assert [(d.department, d.label) for d in result.departments] == expected
    grid = log_rows(out)
    header = next(i for i, r in enumerate(grid) if r[0] == "■ 提出状況") + 1
    assert grid[header][:5] == ["担当部署", "状況", "採用したファイル", "保存日時", "備考"]
    table = log_section(out, "提出状況")
    assert [tuple(r[:2]) for r in table] == expected
    assert table[0][2] == "地域共生課_差替.xlsx" and "地域共生課.xlsx" in table[0][4]
    assert "1指標がエラー" in table[2][4]
    assert status_line(result.departments) == "提出済 2、差し替え 1、未提出 1、エラー 1（全5部署）"
    assert load_workbook(out)[LOG_SHEET]["A1"].font.name == "BIZ UDゴシック"

    status = submission_status(mixed / "調査票.xlsx", mixed / "提出")
    assert [(d.department, d.label) for d in status.departments] == expected
    assert not status.complete
    assert any("交通課: 未提出" in line for line in status_summary(status))


def test_json_output_keys(mixed: Path, capsys):
    out = mixed / "集約.xlsx"
    code = main(["consolidate", str(mixed / "調査票.xlsx"), str(mixed / "提出"), "-o", str(out), "--json"])
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    assert {"format", "run_at", "survey", "folder", "output", "backup", "sheet", "fiscal_year", "exit_code",
            "complete", "summary", "departments", "files", "indicators", "changes", "problems"} <= set(data)
    assert data["exit_code"] == 1 and data["output"] == str(out) and data["sheet"] == "資料２"
    assert data["summary"]["missing"] == 1 and data["summary"]["resubmitted"] == 1 and data["summary"]["error"] == 1
    dept = {d["department"]: d for d in data["departments"]}
    assert dept["交通課"]["status"] == "missing" and dept["交通課"]["status_label"] == "未提出"
    files = {f["file"]: f for f in data["files"]}
    assert files["地域共生課.xlsx"]["status"] == "superseded"
    (error,) = files["高齢者支援課.xlsx"]["errors"]
    cell = form_ref(mixed / "提出" / "高齢者支援課.xlsx", "G4-01", layout.year_key(2019))  # H7 before the 点検 line
    assert (error["code"], error["cell"], error["indicator_id"]) == ("percent_range", cell, "G4-01")
    ind = {i["indicator_id"]: i for i in data["indicators"]}
    assert ind["G1-01"]["new_value"] == 513 and ind["G1-01"]["source"] == "地域共生課_差替.xlsx"
    change = data["changes"][0]
    assert set(change) == {"sheet", "cell", "row", "col", "key", "indicator_id", "old", "new"}

    assert main(["status", str(mixed / "調査票.xlsx"), str(mixed / "提出"), "--json"]) == 1
    status = json.loads(capsys.readouterr().out)
    assert {"survey", "folder", "fiscal_year", "complete", "departments", "files"} <= set(status)


def test_cli_exit_codes(work: Path, capsys):
    survey, folder, out = str(work / "調査票.xlsx"), str(work / "提出"), str(work / "集約.xlsx")
    assert main(["status", survey, folder]) == 0
    assert not Path(out).exists()  # status writes nothing
    assert main(["consolidate", survey, folder, "-o", out]) == 0
    printed = capsys.readouterr().out
    assert "提出済 5、差し替え 0、未提出 0、エラー 0（全5部署）" in printed

    (work / "提出" / "危機管理課.xlsx").unlink()
    assert main(["consolidate", survey, folder, "-o", out]) == 1
    assert main(["status", survey, folder]) == 1

    (work / "壊れた調査票.xlsx").write_text("not a workbook", encoding="utf-8")
    assert main(["consolidate", str(work / "壊れた調査票.xlsx"), folder, "-o", out]) == 2
    assert "壊れた調査票.xlsx" in capsys.readouterr().err
    assert main(["consolidate", str(work / "ない.xlsx"), folder, "-o", out]) == 2
    assert main(["consolidate", survey, str(work / "ないフォルダ"), "-o", out]) == 2
    assert "ないフォルダ" in capsys.readouterr().err
    # A department file given as the survey is not a survey.
    assert main(["consolidate", str(work / "配布" / "交通課.xlsx"), folder, "-o", out]) == 2


def test_undo_from_the_command_line(work: Path, capsys):
    out = work / "集約.xlsx"
    assert main(["consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(out)]) in (0, 1)
    assert main(["undo", str(out)]) == 0
    text = capsys.readouterr().out
    assert "集約前の内容に戻しました" in text
    assert read_workbook(out).sheets["資料２"] == read_workbook(work / "調査票.xlsx").sheets["資料２"]
    assert list(work.glob("集約.backup-*.xlsx"))  # undo over the file keeps a backup first
    assert main(["undo", str(out)]) == 2  # nothing left to undo: said, not a traceback
    assert "元に戻す集約がありません" in capsys.readouterr().err
