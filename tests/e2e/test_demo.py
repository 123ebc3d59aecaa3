"""The demo runs the sample year end to end, and its 資料２ equals the seed table."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support.seed import match_seed, seed_value

from welfare_xl.cli import main
from welfare_xl.files.survey_file import load_survey_file

SEED_YEAR_COLUMNS = {2017: "平成29年度（現状値）", 2018: "平成30年度", 2019: "令和元年度"}
DONE = "令和元年度の取組状況（増減に向けて取り組んだ内容等）"
NEXT = "令和２年度に向けた今後の展開（課題に向けた取り組み等）"

EXPECTED_GRADES = {
    "順調": {"自治会・町内会等の加入世帯数", "地域協力ネットワーク（設立数）", "地域協力ネットワーク（参加団体数）",
           "福祉サービス第三者評価受審件数", "はなバス輸送人員"},
    "遅れ": {"ボランティア・市民活動センターの登録者数", "ふれあいのまちづくり事業における地域活動拠点（参加団体数）",
           "ふれあいのまちづくり事業における地域活動拠点（延べ利用者数）", "高齢者層における地域包括支援センター認知度",
           "防災市民組織の数"},
    "悪化": {"ふれあいのまちづくり事業における地域活動拠点（延べ利用回数）", "地域福祉コーディネーター相談件数", "女性相談件数",
           "「あんしん西東京」相談件数", "消費者生活相談件数"},
}


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory, soffice) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    from welfare_xl.commands.demo import demo

    code = demo(out, echo=lines.append)
    assert code == 0, "\n".join(lines)
    return out, "\n".join(lines)


def test_demo_prints_each_step_and_where_files_are(demo_out):
    out, log = demo_out
    for step in range(1, 7):
        assert f"[{step}/6]" in log
    assert str(out / "集約_令和元年度.xlsx") in log and str(out / "委員会版_令和元年度.xlsx") in log
    assert "差し替え" in log  # the late resubmission is reported


def same(got, want) -> bool:
    """Numbers equal to the last binary digit that matters; '－' and None exactly."""
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return got == pytest.approx(want, rel=1e-12)
    return got == want


def test_demo_consolidated_equals_the_seed_table(demo_out):
    out, _ = demo_out
    survey, _, _ = load_survey_file(out / "集約_令和元年度.xlsx")
    pairs = match_seed(survey)
    assert len(pairs) == 15
    for row, ind in pairs:
        for year, column in SEED_YEAR_COLUMNS.items():
            assert same(survey.values[ind.id][year], seed_value(row[column], ind)), (ind.id, year)
        assert same(survey.targets[ind.id], seed_value(row["令和５年度（目標値）"], ind)), ind.id
        if ind.lead:
            assert survey.texts[ind.id] == (row[DONE] or None, row[NEXT] or None), ind.id
        else:
            assert row[DONE] == "" and row[NEXT] == ""


def test_demo_grades(demo_out):
    out, _ = demo_out
    survey, _, _ = load_survey_file(out / "集約_令和元年度.xlsx")
    got: dict[str, set[str]] = {}
    for ind in survey.indicators:
        word = survey.grades[ind.id].split()[-1]
        got.setdefault(word, set()).add(ind.label)
    assert got == EXPECTED_GRADES


def test_demo_committee_pdf(demo_out):
    out, _ = demo_out
    pdf = out / "委員会版_令和元年度.pdf"
    assert (out / "委員会版_令和元年度.xlsx").exists() and pdf.exists()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) >= 1


def test_demo_cli(tmp_path: Path, soffice, capsys):
    assert main(["demo", "-o", str(tmp_path / "d")]) == 0
    assert "完了しました" in capsys.readouterr().out


def test_demo_prints_the_saved_times_the_log_shows(demo_out):
    """Issue 10: the demo printed 10:12 (the sample's JST) where 集約ログ showed 01:12 (the PC's clock)."""
    from welfare_xl.core.consolidation.log import LOG_SHEET
    from welfare_xl.files.reader import read_workbook

    out, printed = demo_out
    shown = dict(re.findall(r"^\s+(\S+\.xlsx)（[^、]+、(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) 保存）$", printed, re.M))
    assert len(shown) == 6
    log = read_workbook(out / "集約_令和元年度.xlsx", sheets=[LOG_SHEET]).sheets[LOG_SHEET]
    start = next(r for r, row in enumerate(log) if row[0] == "■ ファイル別の結果") + 2
    logged = {row[0]: row[3] for row in log[start:] if row and row[0] in shown}
    assert logged == shown
