"""The following plan: `welfare-xl rollover --next-plan` carries the history of the indicators that keep their ID.

The last plan's master in its target year (synthetic values 2017–2023, `support.plan_years`)
goes on into the shipped example of a following plan (`templates/sample/次期計画_例.toml`):
kept IDs bring their figures for the years the new form shows and every year's texts and
grades; a changed unit brings texts but no figures; renamed, ended and new indicators are
named; nothing is written over the inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import run_cli
from support.paths import ROOT, TEMPLATE
from support.plan_years import target_year_survey

from welfare_xl.commands.split import split
from welfare_xl.commands.template import build_template
from welfare_xl.core.model.survey import YearRecord
from welfare_xl.core.rollover import next_year_specs
from welfare_xl.files.writer import write_specs
from welfare_xl.files.survey_file import load_survey_file

NEXT_SOURCE = ROOT / "templates" / "sample" / "次期計画_例.toml"


@pytest.fixture
def books(tmp_path: Path) -> tuple[Path, Path]:
    old = target_year_survey()
    old.texts["G1-01"] = ("令和５年度の取組", "第５期へ")
    old.history = {2022: {"G1-01": YearRecord("令和４年度の取組", "令和５年度へ", "○ 順調")}}
    master = write_specs(tmp_path / "集約_令和５年度.xlsx", next_year_specs(old), title=old.plan.title)  # with 過年度
    template = build_template(NEXT_SOURCE, tmp_path / "第５期調査票.xlsx")
    return Path(master), Path(template)


def test_the_following_plan_carries_what_keeps_its_id_and_names_the_rest(books, tmp_path, capsys) -> None:
    master, template = books
    before = (master.read_bytes(), template.read_bytes())
    out = tmp_path / "第５期_令和６年度.xlsx"
    code, text = run_cli(capsys, "rollover", str(master), "--next-plan", str(template), "-o", str(out))
    assert code == 1, text  # renamed indicators and a changed unit need a look
    assert "次期計画の調査票（令和６年度）を作成しました" in text
    assert "同じIDの指標 4件" in text
    assert "要確認：G2-01" in text and "単位が「世帯」から「%」" in text
    assert "G3-01 の項目名が変わりました" in text
    assert "前の計画で終わる指標 11件" in text and "G6-01 はなバス輸送人員" in text
    assert "次期計画の新しい指標 2件" in text and "N2-01" in text
    assert (master.read_bytes(), template.read_bytes()) == before  # neither input is written

    survey, _, _ = load_survey_file(out)
    assert survey.plan.id == "example-chiiki-fukushi-5" and survey.fiscal_year == 2024
    assert survey.values["G1-01"][2022] == 660 and survey.values["G1-01"][2023] == 700
    assert survey.values["G5-01"][2023] == 120
    assert survey.values["G2-01"][2022] is None  # 世帯 -> %: no figure carried
    assert survey.values["N1-01"][2022] is None
    assert survey.history[2023]["G1-01"] == YearRecord("令和５年度の取組", "第５期へ", survey.history[2023]["G1-01"].grade)
    assert survey.history[2023]["G1-01"].grade  # the grade the old master showed
    assert survey.history[2022]["G1-01"].grade == "○ 順調"
    assert "G6-01" not in {i.id for i in survey.indicators}
    sheets = load_workbook(out).sheetnames
    assert sheets[:2] == ["資料２", "過年度"]

    # The new plan's forms show last year's 今後の展開 of an indicator that kept its ID.
    split(out, tmp_path / "配布")
    form = load_workbook(tmp_path / "配布" / "地域共生課.xlsx").worksheets[0]
    assert "第５期へ" in [c.value for row in form.iter_rows() for c in row]


def test_what_cannot_go_on_into_a_following_plan_is_refused(books, tmp_path, capsys) -> None:
    master, template = books
    out = tmp_path / "out.xlsx"
    # The same plan again is a year's rollover, not a following plan.
    code, text = run_cli(capsys, "rollover", str(master), "--next-plan", str(TEMPLATE), "-o", str(out))
    assert code == 2 and "年度更新" in text and not out.exists()
    # The plans the wrong way round.
    code, text = run_cli(capsys, "rollover", str(template), "--next-plan", str(master), "-o", str(out))
    assert code == 2 and not out.exists()
    # Never over the following plan's template.
    code, text = run_cli(capsys, "rollover", str(master), "--next-plan", str(template), "-o", str(template))
    assert code == 2 and not out.exists()
    # A department's workbook is no plan's template.
    split(template, tmp_path / "配布")
    code, text = run_cli(capsys, "rollover", str(master), "--next-plan",
                         str(tmp_path / "配布" / "地域共生課.xlsx"), "-o", str(out))
    assert code == 2 and "部署別" in text and not out.exists()
    # Without --next-plan, the target year's master says how to go on.
    code, text = run_cli(capsys, "rollover", str(master), "-o", str(out))
    assert code == 2 and "--next-plan" in text and not out.exists()
