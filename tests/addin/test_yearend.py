"""年度更新 through xlwings' remote engine: next year's workbook beside the consolidated master, the master
untouched, the refusals, and the 過年度 history read from the open workbook by the other buttons."""

from __future__ import annotations

from pathlib import Path

import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
from openpyxl import load_workbook
from support.buttons import DONE, NEXT, only_alert, run, table_of, with_settings

from welfare_xl.core.model import layout
from welfare_xl.files.survey_file import load_survey_file

NEXT_BOOK = "調査票_令和２年度.xlsx"


def consolidated(office: Path, tmp_path: Path) -> Path:
    """The office's survey after the 集約 button, saved as the clerk saves it."""
    after = tmp_path / "集約済.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    return after


def test_rollover_writes_next_years_workbook_beside_the_master_and_changes_nothing_open(office: Path, tmp_path: Path):
    master = consolidated(office, tmp_path)
    alert = only_alert(run(master, "rollover"))  # the open workbook gets no write at all
    out = tmp_path / NEXT_BOOK
    assert alert["mode"] == "info", alert
    assert f"令和元年度 → 令和２年度 の調査票を作成しました: {out}" in alert["prompt"]
    # Only three departments returned: the others' indicators are listed, the run goes on.
    assert "実績値がない指標が" in alert["prompt"] and "［G5-01］" in alert["prompt"]
    survey, _, data = load_survey_file(out)
    assert survey.fiscal_year == 2020 and survey.template_version == "2020.1"
    assert data.sheet_order == ["資料２", "過年度", "管理情報"]
    assert survey.history[2019]["G1-01"].done == DONE and survey.history[2019]["G1-01"].next == NEXT
    assert survey.history[2019]["G4-01"].grade  # the grade the master showed
    assert survey.values["G4-01"][2019] == 0.507 and survey.values["G4-01"][2020] is None


def test_rollover_refuses_a_master_never_consolidated(survey: Path, tmp_path: Path):
    alert = only_alert(run(survey, "rollover"))
    assert alert["mode"] == "critical"
    assert "「調査票.xlsx」は令和元年度の実績値が1件もありません" in alert["prompt"], alert
    assert not (tmp_path / NEXT_BOOK).exists()


def test_rollover_refuses_a_department_workbook(chiiki: Path, tmp_path: Path):
    alert = only_alert(run(chiiki, "rollover"))
    assert alert["mode"] == "critical" and "部署別の調査票（地域共生課）です" in alert["prompt"]
    assert "「年度更新」は事務局の調査票" in alert["prompt"]
    assert not (tmp_path / NEXT_BOOK).exists()


def test_rollover_backs_up_a_blank_next_year_and_refuses_one_with_figures(office: Path, tmp_path: Path):
    master = consolidated(office, tmp_path)
    only_alert(run(master, "rollover"))
    alert = only_alert(run(master, "rollover"))  # pressed again: the blank 令和２年度 book is backed up
    backups = list(tmp_path.glob("調査票_令和２年度.backup-*.xlsx"))
    assert len(backups) == 1 and str(backups[0]) in alert["prompt"]
    # Once the new year holds a figure, pressing again on the old master must not replace it.
    out = tmp_path / NEXT_BOOK
    wb = load_workbook(out)
    ws = wb["資料２"]
    table = table_of(ws)
    ws.cell(table.by_id()["G1-01"].row + 1, table.columns[layout.year_key(2020)] + 1).value = 600
    wb.save(out)
    before = out.read_bytes()
    alert = only_alert(run(master, "rollover"))
    assert alert["mode"] == "critical" and "令和２年度の実績値が入った調査票です" in alert["prompt"], alert
    assert out.read_bytes() == before


def test_the_buttons_read_the_history_of_the_open_workbook(office: Path, tmp_path: Path):
    """部署別シート作成 on the rolled-over workbook: last year's 今後の展開 beside this year's texts."""
    master = consolidated(office, tmp_path)
    only_alert(run(master, "rollover"))
    folder = tmp_path / "次年度"
    folder.mkdir()
    rolled = with_settings(tmp_path / NEXT_BOOK, folder / NEXT_BOOK, folder)
    book = run(rolled, "split")
    wb, _ = xl.replay_file(book, rolled)
    ws = wb["地域共生課"]
    table = table_of(ws)
    row = table.by_id()["G1-01"].row + 1
    assert ws.cell(row, table.columns[layout.PREV_NEXT] + 1).value == NEXT
    assert table.columns[layout.PREV_NEXT] + 1 == table.columns[layout.DONE]  # beside this year's texts
    assert ws.cell(row, table.columns[layout.PREV_NEXT] + 1).protection.locked
    sent = load_workbook(folder / "配布" / "地域共生課.xlsx")["地域共生課"]
    assert sent.cell(row, table.columns[layout.PREV_NEXT] + 1).value == NEXT


def _target_year_master(tmp_path: Path) -> Path:
    """The last plan's master in its target year (with 過年度), a 設定 sheet pointing at `tmp_path`."""
    from support.plan_years import target_year_survey

    from welfare_xl.core.rollover import next_year_specs
    from welfare_xl.files.writer import write_specs

    old = target_year_survey()
    bare = write_specs(tmp_path / "bare.xlsx", next_year_specs(old), title=old.plan.title)
    master = with_settings(bare, tmp_path / "集約_令和５年度.xlsx", tmp_path)
    Path(bare).unlink()
    return master


def test_in_the_last_year_rollover_goes_on_into_the_following_plan_found_in_the_folder(tmp_path: Path):
    from support.paths import ROOT

    from welfare_xl.commands.template import build_template

    master = _target_year_master(tmp_path)
    alert = only_alert(run(master, "rollover"))  # no template yet: said what to do
    assert alert["mode"] == "critical" and "次の計画の調査票（テンプレート）を作業フォルダ" in alert["prompt"], alert
    build_template(ROOT / "templates" / "sample" / "次期計画_例.toml", tmp_path / "第５期テンプレート.xlsx")
    alert = only_alert(run(master, "rollover"))
    assert alert["mode"] == "info", alert
    out = tmp_path / "調査票_令和６年度.xlsx"
    assert f"次期計画の調査票（令和６年度）を作成しました: {out}" in alert["prompt"]
    assert "同じIDの指標 4件" in alert["prompt"] and "次期計画の新しい指標 2件" in alert["prompt"]
    survey, _, _ = load_survey_file(out)
    assert survey.plan.id == "example-chiiki-fukushi-5" and survey.values["G1-01"][2023] == 700
    # Pressed again: the survey made before is no template; it is backed up and made anew.
    alert = only_alert(run(master, "rollover"))
    assert alert["mode"] == "info" and "バックアップしました" in alert["prompt"], alert
    # Two candidate templates: none is guessed.
    build_template(ROOT / "templates" / "sample" / "次期計画_例.toml", tmp_path / "もう一つ.xlsx")
    alert = only_alert(run(master, "rollover"))
    assert alert["mode"] == "critical" and "複数あります" in alert["prompt"] and "もう一つ.xlsx" in alert["prompt"]
