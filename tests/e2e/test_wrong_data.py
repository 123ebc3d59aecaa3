"""Wrong data refused loudly (issue 8), through the CLI on real files: the template is split, every
department fills its workbook like a clerk, one return is broken the way the issue measured it, and then
`welfare-xl check --survey` and `welfare-xl consolidate` must agree: the bad file or indicator is named and
never lands, every good department's figures land exactly.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import cells_by_key, copy_office, fill_department, save_as_person, unprotect
from support.paths import TEMPLATE
from support.seed import seed_inputs

from welfare_xl.cli import main
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.numbers import parse_value
from welfare_xl.files.survey_file import load_survey_file

T0 = datetime(2020, 5, 8, 9, 0, tzinfo=timezone.utc)
T1 = datetime(2020, 5, 15, 17, 30, tzinfo=timezone.utc)
DEPARTMENTS = ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    """The template, its department workbooks, and every one filled from the seed and saved at T0."""
    base = tmp_path_factory.mktemp("wrong")
    shutil.copy(TEMPLATE, base / "調査票.xlsx")
    assert main(["split", str(base / "調査票.xlsx"), "-o", str(base / "配布")]) == 0
    (base / "提出").mkdir()
    for dept in DEPARTMENTS:
        fill_department(base / "配布" / f"{dept}.xlsx", *seed_inputs(dept), saved=T0, mtime=T0,
                        out=base / "提出" / f"{dept}.xlsx")
    return base


@pytest.fixture
def work(tmp_path: Path, returned: Path) -> Path:
    return copy_office(returned, tmp_path, "調査票.xlsx", "配布", "提出")


def expected(indicator_id: str):
    survey = load_survey_file(TEMPLATE)[0]
    ind = survey.indicator(indicator_id)
    values, _ = seed_inputs(ind.department)
    return parse_value(values[indicator_id], ind.unit, ind.kind).value


def run_both(work: Path, path: Path, capsys) -> tuple[int, str, int, str, Path]:
    """`check --survey` on the broken file, then `consolidate` of the folder: (exit, output) of each, and the master."""
    checked = main(["check", str(path), "--survey", str(work / "調査票.xlsx")])
    check_out = capsys.readouterr().out
    out = work / "集約.xlsx"
    consolidated = main(["consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(out)])
    run_out = capsys.readouterr().out
    return checked, check_out, consolidated, run_out, out


def master_values(path: Path) -> dict[str, object]:
    ws = load_workbook(path)["資料２"]
    rows, cols = cells_by_key(ws)
    return {ind: ws.cell(r, cols["y2019"]).value for ind, r in rows.items()}


def assert_landed(out: Path, *, except_ids: set[str] = frozenset(), blank: set[str] = frozenset()) -> None:
    """Every seed figure landed exactly except `except_ids`; `blank` ones stayed as the master had them (empty)."""
    values = master_values(out)
    for ind, value in values.items():
        if ind in blank:
            assert value is None, ind
        elif ind not in except_ids:
            assert value == pytest.approx(expected(ind)), ind


def sheet_of(path: Path, name: str | None = None):
    wb = load_workbook(path)
    ws = wb[name] if name else wb.worksheets[0]
    unprotect(ws)
    return wb, ws


# --- IDs pasted over --------------------------------------------------------------------------


def test_ids_pasted_over_are_refused_and_named(work: Path, capsys):
    path = work / "提出" / "地域共生課.xlsx"
    wb, ws = sheet_of(path, "地域共生課")
    rows, cols = cells_by_key(ws)
    id_col = cols["id"]
    ws.cell(rows["G1-01"], id_col).value, ws.cell(rows["G3-01"], id_col).value = "G3-01", "G1-01"
    save_as_person(wb, path, saved=T0, mtime=T0)

    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (1, 1)
    for text in (check_out, run_out):
        assert "地域共生課.xlsx" in text and "［G1-01］" in text and "［G3-01］" in text
        assert "調査票と違います" in text and "入れ替え" in text
    assert_landed(out, blank={"G1-01", "G3-01"})


# --- a draft copy of the sheet placed first -------------------------------------------------


def test_draft_sheet_first_does_not_replace_the_named_sheet(work: Path, capsys):
    path = work / "提出" / "交通課.xlsx"
    wb, ws = sheet_of(path, "交通課")
    wb.security = None
    draft = wb.copy_worksheet(ws)
    draft.title = "交通課 (下書き)"
    rows, cols = cells_by_key(draft)
    draft.cell(rows["G6-01"], cols["y2019"]).value = 9.99
    wb.move_sheet(draft, offset=-wb.index(draft))
    save_as_person(wb, path, saved=T0, mtime=T0)
    assert load_workbook(path).sheetnames[0] == "交通課 (下書き)"

    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    # The department may send it (check exits 0); the secretariat is asked to confirm (exit 1).
    assert (checked, consolidated) == (0, 1)
    for text in (check_out, run_out):
        assert "「交通課 (下書き)」" in text and "読み取ったのはシート「交通課」" in text
    assert_landed(out)
    assert master_values(out)["G6-01"] == pytest.approx(2.13)


# --- another department's rows under this 管理情報 --------------------------------------------


def test_another_departments_rows_never_replace_a_good_return(work: Path, capsys):
    """交通課's sheet with 地域共生課's 管理情報, newer than 地域共生課's good return."""
    folder = work / "提出"
    donor = load_workbook(folder / "地域共生課.xlsx")[META_SHEET]
    wb = load_workbook(folder / "交通課.xlsx")
    meta = wb[META_SHEET]
    for row in meta.iter_rows():
        for cell in row:
            cell.value = None
    for row in donor.iter_rows():
        for cell in row:
            meta.cell(cell.row, cell.column).value = cell.value
    path = save_as_person(wb, folder / "地域共生課_最新.xlsx", saved=T1, mtime=T1)

    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (1, 1)
    for text in (check_out, run_out):
        assert "地域共生課_最新.xlsx" in text and "管理情報の担当部署は「地域共生課」" in text and "交通課の指標" in text
    assert_landed(out)  # 地域共生課's good return and 交通課's own both land
    assert "地域共生課_最新.xlsx（不採用）" in run_out


# --- a saved time in the future ----------------------------------------------------------------


def test_future_saved_time_does_not_beat_the_later_corrected_return(work: Path, capsys):
    folder = work / "提出"
    (folder / "交通課.xlsx").unlink()
    fill_department(work / "配布" / "交通課.xlsx", {"G6-01": "9.99"}, {"G6-01": ("誤り", "誤り")},
                    saved=datetime(2099, 1, 1, tzinfo=timezone.utc), mtime=T0, out=folder / "交通課_時計ずれ.xlsx")
    fill_department(work / "配布" / "交通課.xlsx", *seed_inputs("交通課"), saved=T1, mtime=T1,
                    out=folder / "交通課_修正.xlsx")
    out = work / "集約.xlsx"
    code = main(["consolidate", str(work / "調査票.xlsx"), str(folder), "-o", str(out)])
    text = capsys.readouterr().out
    assert code == 1  # a decision to confirm
    assert_landed(out)
    assert master_values(out)["G6-01"] == pytest.approx(2.13)
    line = next(x for x in text.splitlines() if "保存日時" in x and "実行日時より後" in x)
    assert "交通課_時計ずれ.xlsx" in line and "「交通課_修正.xlsx」を使い" in line


# --- numbers that are no figures ----------------------------------------------------------------


def _raw_number(path: Path, placeholder: float, digits: str) -> None:
    """Replace a numeric cell's stored text in the sheet XML (what another program may write)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<v>" + re.escape(repr(placeholder).encode()) + rb"</v>",
                              b"<v>" + digits.encode() + b"</v>", data)
            dst.writestr(item, data)
    os.replace(tmp, path)


@pytest.mark.parametrize("raw,stored,code", [
    (1e308, None, "大きすぎます"),
    ("1" * 400, None, "数値として扱えない値"),
    (123.25, "1" * 400, "数値として扱えない値"),
    (123.25, "1e400", "数値として扱えない値"),
    ("51_x0007_3人", None, "U+0007"),
])
def test_numbers_that_overflow_or_hide_characters_are_errors_and_committee_still_runs(work: Path, capsys, raw,
                                                                                        stored, code):
    path = work / "提出" / "地域共生課.xlsx"
    fill_department(path, {"G1-01": raw}, saved=T0, mtime=T0)
    if stored is not None:
        _raw_number(path, raw, stored)
    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (1, 1)
    for text in (check_out, run_out):
        assert code in text and "G1-01" in text and "\x07" not in text
    assert_landed(out, blank={"G1-01"})
    assert main(["committee", str(out), "-o", str(work / "委員会.xlsx")]) == 0
    assert (work / "委員会.xlsx").exists()


# --- texts -------------------------------------------------------------------------------------


def test_control_character_in_a_text_is_removed_and_every_department_lands(work: Path, capsys):
    path = work / "提出" / "地域共生課.xlsx"
    done = "講習会を_x0007_開催した。"
    fill_department(path, {}, {"G1-01": (done, "継続する。")}, saved=T0, mtime=T0)
    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (0, 1)
    for text in (check_out, run_out):
        assert "U+0007" in text and "取り除きました" in text
    assert_landed(out)
    ws = load_workbook(out)["資料２"]
    rows, cols = cells_by_key(ws)
    assert ws.cell(rows["G1-01"], cols["done"]).value == "講習会を開催した。"


def test_text_in_a_sub_items_own_row_is_reported(work: Path, capsys):
    path = work / "提出" / "地域共生課.xlsx"
    wb, ws = sheet_of(path, "地域共生課")
    rows, cols = cells_by_key(ws)
    for rng in list(ws.merged_cells.ranges):
        if rng.min_col == cols["done"] and rng.min_row == rows["G2-02a"]:
            ws.unmerge_cells(str(rng))
    cell = ws.cell(rows["G2-02b"], cols["done"])
    cell.value = "利用者数が増えた理由"
    save_as_person(wb, path, saved=T0, mtime=T0)
    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (0, 1)
    assert any("読み取られません" in x and cell.coordinate in x for x in run_out.splitlines())
    line = next(x for x in check_out.splitlines() if "読み取られません" in x)
    assert cell.coordinate in line and "G2-02b" in line
    assert ws.cell(rows["G2-02a"], cols["done"]).coordinate in line
    assert_landed(out)


# --- cells a values-only reader shows empty ---------------------------------------------------


@pytest.mark.parametrize("content, code_word", [("=40+4", "計算結果が保存されていません"), ("#DIV/0!", "エラー値")])
def test_error_values_and_uncalculated_formulas_get_their_own_message(work: Path, capsys, content, code_word):
    """A formula saved by a program that does not calculate, or an error value, is not called 未入力."""
    path = work / "提出" / "交通課.xlsx"
    wb, ws = sheet_of(path, "交通課")
    rows, cols = cells_by_key(ws)
    cell = ws.cell(rows["G6-01"], cols["y2019"])
    cell.value = content
    if content.startswith("#"):
        cell.data_type = "e"
    save_as_person(wb, path, saved=T0, mtime=T0)

    checked, check_out, consolidated, run_out, out = run_both(work, path, capsys)
    assert (checked, consolidated) == (1, 1)
    for text in (check_out, run_out):
        assert "［G6-01］" in text and code_word in text and cell.coordinate in text
        assert content in text
    for text in (check_out,):
        assert "未入力" not in text
    assert_landed(out, blank={"G6-01"})
