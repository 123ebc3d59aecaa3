"""A following plan takes over the history of the indicators that keep their ID, and says what it did not."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest
from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.carry import CarryError, carry_over, carry_summary
from welfare_xl.core.model.source import parse_source
from welfare_xl.core.model.survey import YearRecord

NEXT_PLAN = '''
[plan]
id = "nishitokyo-chiiki-fukushi-5"
name = "第５期地域福祉計画"
title = "第５期地域福祉計画進捗状況調査票"
label = "資料２"
sheet = "資料２"
start_year = 2024
target_year = 2028
baseline_year = 2022
fiscal_year = 2024
template_version = "2024.1"

[[goals]]
no = 1
name = "つながる地域"
pages = "20-25"

[[indicators]]
id = "G1-01"
goal = 1
item = "ボランティア・市民活動センターの登録者数"
department = "地域共生課"
unit = "人"
kind = "count"
values = { 2023 = "640人" }
target = "800人"

[[indicators]]
id = "G2-01"
goal = 1
item = "自治会等の加入世帯数"
department = "協働コミュニティ課"
unit = "%"
kind = "percent"
target = "40%"

[[indicators]]
id = "N-01"
goal = 1
item = "新しい指標"
department = "地域共生課"
unit = "件"
kind = "count"
target = "10件"
'''


def _old_final():
    """The first plan's master in its target year, with values, texts and history."""
    data = tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))
    data["plan"]["fiscal_year"] = 2023
    old = parse_source(data, "old").survey
    for ident, values in old.values.items():
        for year in range(2019, 2024):
            values[year] = 600 + year - 2019 if ident == "G1-01" else 10
    old.values["G1-01"][2023] = 650
    old.texts["G1-01"] = ("令和５年度の取組", "次期計画へ")
    old.grades["G1-01"] = "○ 順調"
    old.history = {2022: {"G1-01": YearRecord("令和４年度の取組", "令和５年度へ", "△ 遅れ")}}
    return old


def _new():
    return parse_source(tomllib.loads(NEXT_PLAN), "new").survey


def test_kept_ids_carry_values_texts_and_grades_and_the_rest_is_reported() -> None:
    old, new = _old_final(), _new()
    out, report = carry_over(old, new)
    # G1-01 keeps its ID: 2022 came from the old master; 2023 is in the new template and differs.
    assert out.values["G1-01"][2022] == 603 and (("G1-01", 2022) in report.values)
    assert out.values["G1-01"][2023] == 640
    assert report.conflicts == [("G1-01", 2023, 650, 640)]
    assert out.history[2023]["G1-01"] == YearRecord("令和５年度の取組", "次期計画へ", "○ 順調")
    assert out.history[2022]["G1-01"].grade == "△ 遅れ"
    # G2-01 changed its unit: texts and grades carried, values not.
    assert out.values["G2-01"][2022] is None
    assert [(i.id, "単位" in why) for i, why in report.incompatible] == [("G2-01", True)]
    assert [(a.item, b.item) for a, b in report.renamed] == [("自治会・町内会等の加入世帯数", "自治会等の加入世帯数")]
    assert [i.id for i in report.new] == ["N-01"]
    assert "G1-01" not in {i.id for i in report.ended} and len(report.ended) == len(old.indicators) - 2
    # The new survey given in is not changed.
    assert new.values["G1-01"][2022] is None and not new.history


def test_the_summary_names_every_fact_in_japanese() -> None:
    old, new = _old_final(), _new()
    out, report = carry_over(old, new)
    text = "\n".join(carry_summary(report, old, new))
    assert "同じIDの指標 2件" in text
    assert "G1-01" in text and "650人" in text and "640人" in text  # the conflict, shown in the unit
    assert "単位が「世帯」から「%」" in text
    assert "新しい指標 1件" in text and "N-01" in text
    assert f"前の計画で終わる指標 {len(report.ended)}件" in text


def test_same_plan_or_plans_in_the_wrong_order_are_refused() -> None:
    old, new = _old_final(), _new()
    with pytest.raises(CarryError, match="年度更新"):
        carry_over(old, replace(new, plan=replace(new.plan, id=old.plan.id)))
    with pytest.raises(CarryError, match="前の計画・次期計画の順"):
        carry_over(new, old)
