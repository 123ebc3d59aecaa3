"""委員会版作成 through xlwings' remote engine: the committee workbook next to the survey, the survey untouched."""

from __future__ import annotations

from pathlib import Path

import support.xlwings_payload as xl  # first: sets XLWINGS_LICENSE_KEY before xlwings is imported
import xlwings as xw
from openpyxl import load_workbook
from support.buttons import DONE, only_alert, run

import welfare_xl.addin as addin
from welfare_xl.addin.actions import publish
from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SHEET as META_SHEET


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


def test_committee_writes_the_workbook_next_to_the_survey(office: Path, tmp_path: Path):
    after = tmp_path / "after.xlsx"
    xl.replay_file(run(office, "consolidate"), office, after)
    alert = only_alert(run(after, "committee"))
    out = publish.output_path(xw.Book(json=xl.payload(after)), tmp_path)
    assert out == tmp_path / "after_委員会版.xlsx" and out.exists()
    assert f"委員会版を作成しました: {out}" in alert["prompt"]
    assert "デスクトップ版の Excel" in alert["prompt"]  # the PDF is desktop-only
    wb = load_workbook(out)
    assert "資料２" in wb.sheetnames
    texts = {c.value for row in wb["資料２"].iter_rows() for c in row if isinstance(c.value, str)}
    assert DONE in texts  # the consolidated text made it into the committee version
    assert not any(isinstance(t, str) and t.startswith(layout.KEY_PREFIX) for t in texts)


def test_final_writes_the_evaluation_next_to_the_survey_without_touching_it(tmp_path: Path):
    """最終評価 on the last year's master: the workbook beside it, the survey given no write."""
    from support.buttons import with_settings
    from support.plan_years import target_year_survey

    from welfare_xl.core.rollover import next_year_specs
    from welfare_xl.files.writer import write_specs

    old = target_year_survey()
    bare = write_specs(tmp_path / "bare.xlsx", next_year_specs(old), title=old.plan.title)
    master = with_settings(bare, tmp_path / "集約_令和５年度.xlsx", tmp_path)
    alert = only_alert(run(master, "final"))
    out = tmp_path / "集約_令和５年度_最終評価.xlsx"
    assert alert["mode"] == "info", alert
    assert f"最終評価を作成しました: {out}" in alert["prompt"]
    assert "A 達成 3、B 改善 6、C 変化なし 2、D 悪化 2、E 評価困難 2" in alert["prompt"]
    assert "デスクトップ版の Excel" in alert["prompt"]
    assert load_workbook(out).sheetnames[:2] == ["最終評価", "最終評価（基本目標別）"]


def test_final_refuses_a_department_workbook(chiiki: Path, tmp_path: Path):
    alert = only_alert(run(chiiki, "final"))
    assert alert["mode"] == "critical" and "部署別の調査票（地域共生課）です" in alert["prompt"]
    assert "「最終評価」は事務局の調査票" in alert["prompt"]
    assert not list(tmp_path.glob("*最終評価*"))
