"""Nothing about this city is hard-coded: another plan goes through split and check unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.fill import fill_department

from welfare_xl.commands.check import check
from welfare_xl.commands.split import split
from welfare_xl.commands.template import build_template
from welfare_xl.files.survey_file import load_survey_file

OTHER = '''
[plan]
id = "minato-kenko-2"
name = "第２期みなと健康づくり計画"
title = "第２期みなと健康づくり計画 進捗状況調査票"
label = "資料３"
sheet = "進捗一覧"
start_year = 2024
target_year = 2028
baseline_year = 2022
fiscal_year = 2025
template_version = "R7-a"
footnotes = ["※　数値は各年度末現在。"]
headers = { baseline = "（基準値）", done = "{year}の実績と取組", next_note = "次年度の課題" }

[config]
change_warn_ratio = 0.2
reason_words = ["要因"]

[[goals]]
no = 1
name = "生涯を通じた健康づくり"
directions = ["健診の受診促進"]
pages = "10-12"

[[goals]]
no = 2
name = "子育てを支える地域"
directions = ["相談体制の充実", "居場所づくり"]
pages = "13-20"

[[indicators]]
id = "H-01"
goal = 1
item = "特定健診受診率"
department = "健康推進課"
unit = "%"
kind = "percent"
values = { 2022 = "41.5%", 2023 = "42.0%", 2024 = "43.1%" }
target = "60.0%"

[[indicators]]
id = "H-02"
goal = 1
item = "平均歩数"
sub_item = "男性"
department = "健康推進課"
unit = "歩"
kind = "count"
values = { 2022 = "7,100歩", 2023 = "7,050歩", 2024 = "7,210歩" }
target = "8,000歩"

[[indicators]]
id = "H-03"
goal = 1
item = "平均歩数"
sub_item = "女性"
department = "健康推進課"
unit = "歩"
kind = "count"
values = { 2022 = "6,200歩", 2023 = "6,320歩", 2024 = "6,300歩" }
target = "7,000歩"

[[indicators]]
id = "K-01"
goal = 2
item = "子育てひろばの開設数"
department = "子ども家庭支援センター"
unit = "か所"
kind = "count"
values = { 2022 = "12か所", 2023 = "12か所", 2024 = "13か所" }
target = "12か所"
direction = "up"

[[indicators]]
id = "K-02"
goal = 2
item = "相談の平均待ち日数"
department = "子ども家庭支援センター"
unit = "日"
kind = "rate"
values = { 2022 = "4.5日", 2023 = "4.2日", 2024 = "3.9日" }
target = "2.0日"
'''


@pytest.fixture
def other(tmp_path: Path) -> Path:
    (tmp_path / "other.toml").write_text(OTHER, encoding="utf-8")
    return build_template(tmp_path / "other.toml", tmp_path / "other.xlsx")


def test_other_plan_template(other: Path):
    survey, book, _ = load_survey_file(other)
    assert book.sheet == "進捗一覧"
    assert survey.years == [2022, 2023, 2024, 2025]
    assert survey.departments == ["健康推進課", "子ども家庭支援センター"]
    assert survey.year_header(2025) == "令和７年度\n（計画2年目）"
    assert survey.year_header(2022) == "令和４年度\n（基準値）"  # the plan's own wording
    assert survey.targets["K-02"] == 2.0 and survey.indicator("K-01").direction == 1
    headers = {c.value for row in load_workbook(other)["進捗一覧"].iter_rows(max_row=5) for c in row}
    assert "令和７年度の実績と取組" in headers and "令和８年度に向けた今後の展開" in headers
    assert "次年度の課題" in headers and "令和４年度\n（基準値）" in headers


def test_other_plan_split_and_check(other: Path, tmp_path: Path):
    paths = split(other, tmp_path / "out")
    assert sorted(p.name for p in paths) == ["健康推進課.xlsx", "子ども家庭支援センター.xlsx"]
    kenko = fill_department(tmp_path / "out" / "健康推進課.xlsx", {"H-01": "４４．２％", "H-02": "7,300歩", "H-03": 6400},
                 {"H-01": ("受診勧奨を実施。", "継続する。"), "H-02": ("ウォーキング教室。", "拡充する。")})
    sub = check(kenko, other)
    assert not sub.errors, [f.line() for f in sub.errors]
    assert sub.department == "健康推進課"
    assert sub.entries["H-01"].value == pytest.approx(0.442)
    assert {f.indicator_id for f in sub.warnings if f.code == "normalized"} == {"H-01", "H-02"}

    kodomo = fill_department(tmp_path / "out" / "子ども家庭支援センター.xlsx", {"K-01": "13.5", "K-02": "2.5日"},
                  {"K-01": ("開設。", "継続。"), "K-02": ("体制強化。", "継続。")})
    sub = check(kodomo, other)
    assert [(f.code, f.indicator_id) for f in sub.errors] == [("not_integer", "K-01")]
    # 3.9 -> 2.5 is -36 %, over this plan's 20 % threshold, and the text lacks its reason word 要因.
    assert [(f.code, f.indicator_id) for f in sub.warnings] == [("normalized", "K-02"), ("big_change", "K-02")]
