"""The plan's wording: every key documented in the template source, checked when read, goal labels."""

from __future__ import annotations

import re
import tomllib

import pytest
from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.model.eras import document_number
from welfare_xl.core.model.source import SourceError, parse_source
from welfare_xl.core.model.survey import Goal
from welfare_xl.core.model.wording import DEFAULT_HEADERS, header_fields

SOURCE = TEMPLATE_SOURCE


def _source() -> dict:
    return tomllib.loads(SOURCE.read_text(encoding="utf-8"))


def test_the_template_source_documents_every_key_with_its_default():
    text = SOURCE.read_text(encoding="utf-8")
    documented = dict(re.findall(r'^#\s+(\w+) = "((?:[^"\\]|\\.)*)"', text, re.MULTILINE))
    assert set(documented) == set(DEFAULT_HEADERS)
    for key, default in DEFAULT_HEADERS.items():
        assert documented[key].replace("\\n", "\n") == default, key


def test_an_unknown_key_stays_an_error():
    data = _source()
    data["plan"]["headers"] = {"grade_colum": "評価"}
    with pytest.raises(SourceError, match="不明な項目があります：grade_colum"):
        parse_source(data, "x.toml")


@pytest.mark.parametrize("key,text", [("goal_label", "目標{no}"), ("done", "{year"), ("as_of", "{0}時点")])
def test_a_field_the_key_does_not_have_is_refused_in_japanese(key, text):
    data = _source()
    data["plan"]["headers"] = {key: text}
    with pytest.raises(SourceError) as err:
        parse_source(data, "x.toml")
    assert f"{key}「{text}」" in str(err.value) and "使える差し込み" in str(err.value)


def test_the_text_headers_may_use_both_years():
    assert header_fields("done_note") == {"year", "next_year"} and header_fields("goal_label") == {"n"}
    data = _source()
    data["plan"]["headers"] = {"done_note": "{next_year}へ{{継続}}"}
    survey = parse_source(data).survey
    assert survey.done_header()[1] == "令和２年度へ{継続}"


@pytest.mark.parametrize("n,shown", [(1, "１"), (9, "９"), (10, "10"), (12, "12"), (105, "105")])
def test_document_numbers_one_digit_full_width_more_half_width(n, shown):
    assert document_number(n) == shown


def test_goal_labels_in_the_plans_words_and_never_full_width_two_digits():
    data = _source()
    data["plan"]["headers"] = {"goal_label": "施策目標{n}"}
    data["goals"].append({"no": 10, "name": "十番目", "directions": ["a"], "pages": "1"})
    survey = parse_source(data).survey
    assert [g.label for g in survey.goals][-2:] == ["施策目標６", "施策目標10"]
    assert survey.goals[-1].cell_text.startswith("施策目標10\n十番目\n")
    assert Goal(no=11, name="x", directions=(), pages="").label == "基本目標11"
    # Carried through a department's share of the survey.
    assert survey.for_department(survey.departments[0]).goals[0].label.startswith("施策目標")
