"""`welfare-xl final`: a 令和５年度 master with synthetic values 2017–2023 → the final evaluation
workbook and PDF, as a clerk runs it; the projection before the target year; what it refuses."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import run_cli
from support.paths import TEMPLATE
from support.plan_years import EXPECTED_CATEGORIES, target_year_survey, write_master

from welfare_xl.cli import main
from welfare_xl.commands.split import split
from welfare_xl.files.pdf import ENV_SOFFICE

# 基本目標 -> A, B, C, D, E, 計 (the categories of support.plan_years, counted by hand).
EXPECTED_COUNTS = [[1, 0, 0, 0, 0, 1], [0, 3, 1, 1, 1, 6], [1, 0, 1, 1, 0, 3], [0, 1, 0, 0, 1, 2],
                   [0, 2, 0, 0, 0, 2], [1, 0, 0, 0, 0, 1], [3, 6, 2, 2, 2, 15]]


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    return write_master(target_year_survey(), tmp_path_factory.mktemp("r5") / "調査票_令和５年度.xlsx")


@pytest.fixture(scope="module")
def made(master: Path, soffice: str, tmp_path_factory) -> tuple[int, str, Path]:
    """(exit code, what was printed, folder) of `final MASTER -o 最終評価.xlsx --pdf`."""
    out = tmp_path_factory.mktemp("final")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = main(["final", str(master), "-o", str(out / "最終評価.xlsx"), "--pdf"])
    return code, buf.getvalue(), out


def pdf_text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_the_command_reports_the_categories_per_goal_and_the_unfair_grade(made):
    code, text, out = made
    assert code == 0, text
    assert "Traceback" not in text
    assert f"最終評価を作成しました: {out / '最終評価.xlsx'}" in text
    assert "最終評価（15 指標）: A 達成 3、B 改善 6、C 変化なし 2、D 悪化 2、E 評価困難 2" in text
    assert "  基本目標２: A 達成 0、B 改善 3、C 変化なし 1、D 悪化 1、E 評価困難 1" in text
    assert ("令和５年度の進捗評価は「△ 遅れ」でも、現状値から改善している指標が 5 件あります"
            "（目標年度は進捗の目安が100%のため。最終評価は「B 改善」）:") in text
    assert "  防災市民組織の数（危機管理課）" in text
    assert "評価困難: 福祉サービス第三者評価受審件数（地域共生課）: 目標値がありません。" in text
    assert f"PDF を作成しました: {out / '最終評価.pdf'}" in text  # --pdf alone: beside the workbook


def test_the_workbook_holds_the_table_and_the_summary(made):
    _, _, out = made
    wb = load_workbook(out / "最終評価.xlsx")
    assert wb.sheetnames == ["最終評価", "最終評価（基本目標別）"]
    ws = wb["最終評価"]
    assert ws["A1"].value == "第４期西東京市地域福祉計画　最終評価"
    headers = [c.value for c in ws[3]]
    cat, latest = headers.index("最終評価"), headers.index("最新値")
    rows = {(r[1].value, r[2].value or ""): r for r in ws.iter_rows(min_row=5, max_row=19)}
    survey = target_year_survey()
    assert {i.id: rows[(i.item_text, i.sub_item)][cat].value for i in survey.indicators} == EXPECTED_CATEGORIES
    row = rows[("自治会・町内会等の加入世帯数", "")]
    assert (row[latest].value, row[latest + 1].value) == (19900, "令和４年度＊２")
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A3) and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$4"
    summary = wb["最終評価（基本目標別）"]
    counts = [[summary.cell(5 + g, c).value for c in range(2, 8)] for g in range(7)]
    assert counts == EXPECTED_COUNTS
    review = summary.cell(5, 8)
    assert review.value is None and review.protection.locked is False and review.alignment.wrap_text
    assert summary.cell(4, 8).value is None and summary.cell(3, 8).value == "評価と課題"
    assert summary.cell(3, 9).value == "次期計画への方向性"


def test_the_pdf_is_a3_with_every_value_and_no_font_below_9pt(made):
    _, _, out = made
    pdf = out / "最終評価.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "1190.55 x 841.89" in info  # A3 landscape
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 2 <= pages <= 3
    text = pdf_text(pdf, "-layout")
    assert re.search(r"第４期西東京市地域福祉計画\s+最終評価\n", text)
    for expected in ["19,900世帯", "令和４年度＊２", "令和元年度＊１", "令和２年度＊２",
                     "48.4%", "58.40%", "2.09人/km", "D 悪化", "E 評価困難", "評価と課題", "次期計画への方向性",
                     "達成率が10%以上", "「△ 遅れ」"]:
        assert expected in text, expected
    assert "###" not in text  # no value too wide for its column
    assert text.count("最終評価（基本目標別）") >= 1
    # Every word's box is at least as tall as 9 pt type (a line box is 1.3 em in BIZ UDゴシック).
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', pdf_text(pdf, "-bbox"))
    heights = [float(y2) - float(y1) for y1, y2, _ in boxes]
    assert heights and min(heights) / 1.3 >= 8.9, min(heights)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "BIZUDGothic" in fonts


def test_before_the_target_year_it_is_a_projection_titled_so(tmp_path: Path, capsys):
    master = write_master(target_year_survey(2021), tmp_path / "R3.xlsx")
    code, text = run_cli(capsys, "final", str(master), "-o", str(tmp_path / "見込み.xlsx"))
    assert code == 0
    assert "目標年度（令和５年度）の前のため、令和３年度時点の見込みとして作成しました" in text
    ws = load_workbook(tmp_path / "見込み.xlsx")["最終評価"]
    assert ws["A1"].value == "第４期西東京市地域福祉計画　最終評価（見込み：令和３年度時点）"
    assert "令和５年度の進捗評価" not in text


def test_a_master_never_consolidated_is_written_and_flagged(tmp_path: Path, capsys):
    survey = target_year_survey()
    for values in survey.values.values():
        values[2023] = None
    master = write_master(survey, tmp_path / "未集約.xlsx")
    code, text = run_cli(capsys, "final", str(master), "-o", str(tmp_path / "最終評価.xlsx"))
    assert code == 1
    assert "どの指標も最終評価ができませんでした（すべて評価困難）。集約前の調査票ではありませんか。" in text
    assert (tmp_path / "最終評価.xlsx").is_file()


def test_a_department_workbook_is_refused(tmp_path: Path, capsys):
    split(TEMPLATE, tmp_path / "配布")
    code, text = run_cli(capsys, "final", str(tmp_path / "配布" / "地域共生課.xlsx"), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2
    assert "部署別の調査票（地域共生課）です。" in text and not (tmp_path / "x.xlsx").exists()


def test_output_rules(master: Path, tmp_path: Path, capsys):
    code, text = run_cli(capsys, "final", str(master), "-o", str(master))
    assert code == 2 and "調査票そのもの" in text
    code, text = run_cli(capsys, "final", str(master), "-o", str(tmp_path / "最終評価.csv"))
    assert code == 2 and "最終評価の出力先は .xlsx" in text
    out = tmp_path / "最終評価.xlsx"
    out.write_bytes(b"an earlier file")
    code, text = run_cli(capsys, "final", str(master), "-o", str(out))
    assert code == 0 and "既存のファイルをバックアップしました" in text
    backups = list(tmp_path.glob("最終評価.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == b"an earlier file"
    assert load_workbook(out).sheetnames[0] == "最終評価"


def test_pdf_without_libreoffice_keeps_the_workbook(master: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_SOFFICE, str(tmp_path / "no-such-soffice"))
    code, text = run_cli(capsys, "final", str(master), "-o", str(tmp_path / "最終評価.xlsx"),
                         "--pdf", str(tmp_path / "委員会用.pdf"))
    assert code == 1
    assert "PDF は作成できませんでした" in text and "作成済み" in text
    assert (tmp_path / "最終評価.xlsx").is_file() and not (tmp_path / "委員会用.pdf").exists()
