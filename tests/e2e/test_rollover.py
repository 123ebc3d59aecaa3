"""`welfare-xl rollover` as the secretariat and an adversary use it, and a rolled-over master in every command.

The 令和元年度 master is consolidated from the seed's returns; rolled over, it
becomes the 令和２年度 workbook (資料２, 過年度, 管理情報). On it, split, check,
consolidate (the fast part-by-part write), undo, committee and export work as
before and leave the 過年度 sheet as it was; a department form shows last
year's 今後の展開 in a locked column that no command takes, and its 点検 line
counts as check does when LibreOffice calculates it.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import run_cli
from support.fill import cells_by_key, fill_department, unprotect
from support.libreoffice import recalculated
from support.paths import TEMPLATE
from support.seed import seed_inputs

from welfare_xl.commands.check import check
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.rollover import rollover
from welfare_xl.commands.split import split
from welfare_xl.core.checks import Severity
from welfare_xl.core.model import layout
from welfare_xl.core.sheets.department import CHECK_ROW
from welfare_xl.files.reader import read_workbook
from welfare_xl.files.survey_file import load_survey_file

DEPARTMENTS = ("地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課")


def year_of_returns(master: Path, work: Path, departments=DEPARTMENTS) -> Path:
    """`master` split and the seed's figures and texts typed by `departments`: the 提出 folder."""
    split(master, work / "配布")
    inbox = work / "提出"
    inbox.mkdir()
    for dept in departments:
        values, texts = seed_inputs(dept)
        fill_department(work / "配布" / f"{dept}.xlsx", values, texts, out=inbox / f"{dept}.xlsx")
    return inbox


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """令和元年度 consolidated (集約_令和元年度.xlsx) and rolled over (調査票_令和２年度.xlsx)."""
    base = tmp_path_factory.mktemp("rollover")
    shutil.copy(TEMPLATE, base / "調査票.xlsx")
    inbox = year_of_returns(base / "調査票.xlsx", base)
    consolidate(base / "調査票.xlsx", inbox, base / "集約_令和元年度.xlsx")
    rollover(base / "集約_令和元年度.xlsx", base / "調査票_令和２年度.xlsx")
    return base


def copy_of(office: Path, name: str, to: Path) -> Path:
    shutil.copy(office / name, to / name)
    return to / name


def test_cli_rolls_the_consolidated_master_into_next_years_workbook(capsys, office: Path, tmp_path: Path):
    src = copy_of(office, "集約_令和元年度.xlsx", tmp_path)
    before = src.read_bytes()
    code, text = run_cli(capsys, "rollover", str(src), "-o", str(tmp_path / "次年度.xlsx"))
    assert code == 0, text
    assert f"令和元年度 → 令和２年度 の調査票を作成しました: {tmp_path / '次年度.xlsx'}" in text
    assert "取組状況・今後の展開 24 件と進捗評価 15 件を「過年度」シートに移しました" in text
    assert "様式の版：2020.1" in text and "集約ログは引き継いでいません" in text
    assert src.read_bytes() == before  # the consolidated master is only read
    data = read_workbook(tmp_path / "次年度.xlsx")
    assert data.sheet_order == ["資料２", "過年度", "管理情報"]
    assert data.hidden_sheets == {"管理情報"}
    old, _, _ = load_survey_file(src)
    new, _, _ = load_survey_file(tmp_path / "次年度.xlsx")
    assert new.decimals == old.decimals and new.plan.footnotes == old.plan.footnotes
    assert new.config == old.config and new.targets == old.targets
    assert new.plan.year_marks[2020] == old.plan.year_marks[2019] == "※２"
    assert all(new.values[i][y] == old.values[i][y] for i in old.values for y in old.years)
    assert set(new.texts.values()) <= {(None, None)} and not any(new.grades.values())
    assert {i: (r.done, r.next) for i, r in new.history[2019].items() if r.done or r.next} == \
        {i: t for i, t in old.texts.items() if t != (None, None)}
    assert {i: r.grade for i, r in new.history[2019].items()} == old.grades


def test_indicators_without_an_actual_are_listed_and_exit_1(capsys, tmp_path: Path):
    master = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, master)
    consolidate(master, year_of_returns(master, tmp_path, ("交通課",)), master)
    code, text = run_cli(capsys, "rollover", str(master), "-o", str(tmp_path / "調査票_令和２年度.xlsx"))
    assert code == 1, text
    assert "注意: 令和元年度の実績値がない指標が 14 件あります" in text
    assert "［G1-01］ボランティア・市民活動センターの登録者数（地域共生課）" in text and "［G6-01］" not in text
    assert (tmp_path / "調査票_令和２年度.xlsx").exists()


def test_what_cannot_be_rolled_over_is_refused_and_nothing_is_written(capsys, office: Path, tmp_path: Path):
    src = copy_of(office, "集約_令和元年度.xlsx", tmp_path)
    dept = copy_of(office / "配布", "地域共生課.xlsx", tmp_path)
    blank = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, blank)
    out = tmp_path / "出力.xlsx"
    cases = [
        ((str(dept), "-o", str(out)), "部署別の調査票（地域共生課）です"),
        ((str(blank), "-o", str(out)), "調査票.xlsx: 令和元年度の実績値が1件もありません（まだ集約していない調査票です）"),
        ((str(src), "-o", str(src)), "調査票そのものです"),
        ((str(src), "-o", str(dept)), "部署の調査票（提出ファイル・配布ファイル）です。上書きすることはできません"),
        ((str(src), "-o", str(tmp_path / "出力.csv")), "次年度の調査票の出力先は .xlsx のファイル名にしてください"),
        ((str(tmp_path / "ない.xlsx"), "-o", str(out)), "ファイルがありません"),
        ((str(src), "-o", str(blank / "次年度.xlsx")), "保存先のフォルダを作れません"),  # a file on the way
    ]
    snapshot = {p: p.read_bytes() for p in (src, dept, blank)}
    for argv, message in cases:
        code, text = run_cli(capsys, "rollover", *argv)
        assert code == 2 and message in text, (argv, text)
    assert not out.exists() and {p: p.read_bytes() for p in snapshot} == snapshot
    # A 令和２年度 workbook already holding figures is not replaced by rolling 令和元年度 again.
    consolidated_next = tmp_path / "調査票_令和２年度.xlsx"
    rolled = copy_of(office, "調査票_令和２年度.xlsx", tmp_path)
    wb = load_workbook(rolled)
    rows, keys = cells_by_key(wb["資料２"])
    wb["資料２"].cell(rows["G1-01"], keys[layout.year_key(2020)]).value = 600
    wb.save(rolled)
    before = consolidated_next.read_bytes()
    code, text = run_cli(capsys, "rollover", str(src), "-o", str(consolidated_next))
    assert code == 2 and "令和２年度の実績値が入った調査票です" in text, text
    assert consolidated_next.read_bytes() == before and not list(tmp_path.glob("*.backup-*"))


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_read_only_folder_is_said_in_japanese(capsys, office: Path, tmp_path: Path):
    src = copy_of(office, "集約_令和元年度.xlsx", tmp_path)
    locked_dir = tmp_path / "読み取り専用"
    locked_dir.mkdir()
    locked_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, text = run_cli(capsys, "rollover", str(src), "-o", str(locked_dir / "次年度.xlsx"))
    finally:
        locked_dir.chmod(stat.S_IRWXU)
    assert code == 2 and "次年度.xlsx" in text, text
    assert not list(locked_dir.iterdir())


def test_an_existing_blank_output_is_backed_up(capsys, office: Path, tmp_path: Path):
    src = copy_of(office, "集約_令和元年度.xlsx", tmp_path)
    out = tmp_path / "調査票_令和２年度.xlsx"
    assert run_cli(capsys, "rollover", str(src), "-o", str(out))[0] == 0
    code, text = run_cli(capsys, "rollover", str(src), "-o", str(out))
    backups = list(tmp_path.glob("調査票_令和２年度.backup-*.xlsx"))
    assert code == 0 and len(backups) == 1 and f"バックアップしました: {backups[0]}" in text


def history_part(path: Path) -> bytes:
    """The 過年度 worksheet's XML part, found through the workbook's relationships."""
    import re

    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="過年度"[^>]*r:id="([^"]+)"', book).group(1)
        target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
        return z.read("xl/" + target.group(1).lstrip("/").removeprefix("xl/"))


def test_a_rolled_over_master_goes_through_every_command_and_keeps_its_history(capsys, office: Path, tmp_path: Path):
    master = copy_of(office, "調査票_令和２年度.xlsx", tmp_path)
    history = read_workbook(master).sheets["過年度"]
    part = history_part(master)
    inbox = year_of_returns(master, tmp_path)
    for dept in DEPARTMENTS:
        assert not check(inbox / f"{dept}.xlsx", master).errors
    code, text = run_cli(capsys, "consolidate", str(master), str(inbox), "-o", str(master))
    assert code == 0, text
    survey, _, data = load_survey_file(master)
    assert survey.values["G1-01"][2020] == 513 and survey.texts["G1-01"][0]
    assert data.sheets["過年度"] == history and history_part(master) == part  # the fast write copies it as is
    assert survey.history[2019]["G1-01"].next
    code, text = run_cli(capsys, "committee", str(master), "-o", str(tmp_path / "委員会.xlsx"))
    assert code == 0 and (tmp_path / "委員会.xlsx").exists(), text
    code, text = run_cli(capsys, "export", str(master), "--csv", str(tmp_path / "集約.csv"))
    assert code == 0 and "2020" in (tmp_path / "集約.csv").read_text(encoding="utf-8-sig"), text
    code, text = run_cli(capsys, "undo", str(master))
    assert code == 0, text
    survey, _, data = load_survey_file(master)
    assert survey.values["G1-01"][2020] is None and survey.texts["G1-01"] == (None, None)
    assert data.sheets["過年度"] == history  # openpyxl's save keeps every value
    assert survey.history == load_survey_file(office / "調査票_令和２年度.xlsx")[0].history


def test_last_years_next_is_shown_locked_and_an_edit_is_reported_never_taken(office: Path, tmp_path: Path):
    master = copy_of(office, "調査票_令和２年度.xlsx", tmp_path)
    survey, _, _ = load_survey_file(master)
    split(master, tmp_path / "配布")
    form = tmp_path / "配布" / "地域共生課.xlsx"
    wb = load_workbook(form)
    ws = wb["地域共生課"]
    rows, keys = cells_by_key(ws)
    cell = ws.cell(rows["G1-01"], keys[layout.PREV_NEXT])
    assert cell.value == survey.history[2019]["G1-01"].next and cell.protection.locked
    assert ws.cell(rows["G1-01"] - 2, keys[layout.PREV_NEXT]).value == "令和元年度に記載した今後の展開"
    # A department unprotects the sheet and rewrites last year's text, then fills in the year.
    unprotect(ws)
    cell.value = "書き換えた昨年度の展開"
    wb.save(form)
    values, texts = seed_inputs("地域共生課")
    inbox = tmp_path / "提出"
    inbox.mkdir()
    fill_department(form, values, texts, out=inbox / "地域共生課.xlsx")
    sub = check(inbox / "地域共生課.xlsx", master)
    found = [f for f in sub.errors if f.code == "locked_changed"]
    assert [(f.indicator_id, f.cell) for f in found] == [("G1-01", cell.coordinate)]
    assert "令和元年度に記載した今後の展開" in found[0].message and "書き換えた昨年度の展開" in found[0].message
    consolidate(master, inbox, master)
    after, _, _ = load_survey_file(master)
    assert after.history == survey.history  # never taken
    assert after.values["G1-01"][2020] is None  # the row whose locked cell changed is refused
    assert after.values["G3-01"][2020] == 888  # the department's other rows are taken


def test_the_forms_own_check_line_counts_as_check_after_a_rollover(soffice: str, office: Path, tmp_path: Path):
    split(office / "調査票_令和２年度.xlsx", tmp_path / "配布")
    values, texts = seed_inputs("地域共生課")
    files = {
        "blank": shutil.copy(tmp_path / "配布" / "地域共生課.xlsx", tmp_path / "blank.xlsx"),
        "filled": fill_department(tmp_path / "配布" / "地域共生課.xlsx", values, texts, out=tmp_path / "filled.xlsx"),
        "wrong": fill_department(tmp_path / "配布" / "地域共生課.xlsx", {**values, "G1-01": "abc", "G3-01": -5},
                                 {k: (None, v[1]) for k, v in texts.items()}, out=tmp_path / "wrong.xlsx"),
    }
    calculated = recalculated(soffice, [Path(p) for p in files.values()], tmp_path / "lo")
    seen = {}
    for name, path in files.items():
        sub = check(path)
        blank = sum(f.code in ("blank", "text_missing") for f in sub.errors)
        want = f"点検：未入力 {blank}件・要修正 {len(sub.errors) - blank}件・要確認 {len(sub.warnings)}件"
        line = read_workbook(calculated[name]).sheets["地域共生課"][CHECK_ROW][1]
        assert line.startswith(want), (name, line, [(f.code, f.cell) for f in sub.findings])
        seen[name] = (blank, len(sub.errors) - blank)
    assert seen["blank"] == (17, 0) and seen["filled"] == (0, 0) and seen["wrong"] == (5, 2)
    assert all(f.severity is not Severity.ERROR for f in check(files["filled"]).findings)


def test_the_demo_shows_a_later_year(capsys, tmp_path: Path):
    code, text = run_cli(capsys, "demo", "-o", str(tmp_path / "デモ"), "--year", "令和３年度")
    assert code == 0, text
    for year in ("令和２年度", "令和３年度"):
        assert f"[{year}] 年度更新: {tmp_path / 'デモ' / year / f'調査票_{year}.xlsx'}" in text
    survey, _, _ = load_survey_file(tmp_path / "デモ" / "令和３年度" / "集約_令和３年度.xlsx")
    assert survey.fiscal_year == 2021 and sorted(survey.history) == [2019, 2020]
    assert all(survey.values[i.id][2021] is not None and survey.grades[i.id] for i in survey.indicators)
    assert survey.texts["G1-01"][0].startswith("【令和３年度】")
    assert (tmp_path / "デモ" / "令和３年度" / "委員会版_令和３年度.xlsx").exists()
    assert "[最終評価]" not in text and not list((tmp_path / "デモ").rglob("最終評価_*.xlsx"))
    for wrong, message in (("令和６年度", "令和元年度から令和５年度までで指定してください"), ("来年", "年度として読めません")):
        code, text = run_cli(capsys, "demo", "-o", str(tmp_path / "x"), "--year", wrong)
        assert code == 2 and message in text, text


def test_the_demo_of_the_plans_last_year_makes_its_final_evaluation(capsys, tmp_path: Path):
    code, text = run_cli(capsys, "demo", "-o", str(tmp_path / "デモ"), "--year", "R5")
    assert code == 0, text
    final = tmp_path / "デモ" / "令和５年度" / "最終評価_令和５年度.xlsx"
    assert f"[最終評価] 計画の最終年度の評価: {final}" in text
    assert "最終評価（15 指標）: A 達成" in text
    book = load_workbook(final)
    assert book.sheetnames[:2] == ["最終評価", "最終評価（基本目標別）"]
