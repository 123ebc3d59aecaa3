"""What an indicator may be (issue 9, item 5): a value range, co-owners, years not surveyed; carried from the
template source through the 管理情報 and back, an older 管理情報 reading as today's rules."""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace

import pytest
from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.model.metadata import SURVEY, from_grid, to_grid
from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.model.source import SourceError, parse_source
from welfare_xl.core.model.survey import Indicator


def _data() -> dict:
    return tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))


def _with(data: dict, ident: str, **fields) -> dict:
    for r in data["indicators"]:
        if r["id"] == ident:
            r.update(fields)
    return data


def test_default_ranges_are_todays_rules() -> None:
    count = Indicator("a", 1, "x", "A課", "人", Kind.COUNT)
    percent = Indicator("b", 1, "x", "A課", "%", Kind.PERCENT)
    assert count.value_range == (0.0, math.inf)
    assert percent.value_range == (0.0, 1.0)
    assert replace(percent, maximum=1.5).value_range == (0.0, 1.5)
    assert replace(count, minimum=-math.inf).value_range == (-math.inf, math.inf)


def test_source_reads_ranges_co_owners_and_years_not_surveyed() -> None:
    data = _with(_data(), "G4-01", min="10%", max="150%", not_surveyed_ok=[2020, 2018])
    data = _with(data, "G6-01", min="なし", co_departments=["地域共生課", "交通課"])
    data = _with(data, "G1-01", not_surveyed_ok=True)
    survey = parse_source(data, "test").survey
    g4, g6, g1 = (survey.indicator(i) for i in ("G4-01", "G6-01", "G1-01"))
    assert g4.value_range == (pytest.approx(0.1), pytest.approx(1.5))
    assert g4.not_surveyed == (2018, 2020) and g4.may_skip(2020) and not g4.may_skip(2019)
    assert g6.minimum == -math.inf and g6.maximum is None and g6.value_range == (-math.inf, math.inf)
    # The answering department is never its own co-owner.
    assert g6.department == "交通課" and g6.co_departments == ("地域共生課",)
    assert g1.may_skip(2019) and g1.may_skip(2023)
    # A co-owner sees the row in its form; it is not a department of its own that must return it.
    assert "G6-01" in {i.id for i in survey.for_department("地域共生課").indicators}
    assert survey.departments == parse_source(_data(), "test").survey.departments


@pytest.mark.parametrize("fields,words", [
    ({"min": "80%", "max": "20%"}, "min が max より大きく"),
    ({"max": "abc"}, "数値として読めません"),
    ({"co_departments": "地域共生課"}, "部署名のリスト"),
    ({"not_surveyed_ok": "yes"}, "not_surveyed_ok"),
])
def test_source_refuses_a_broken_option_in_japanese(fields, words) -> None:
    with pytest.raises(SourceError, match=words):
        parse_source(_with(_data(), "G4-01", **fields), "test")


def test_options_travel_through_the_metadata_sheet() -> None:
    data = _with(_data(), "G4-01", max="120%", not_surveyed_ok=[2020])
    data = _with(data, "G6-01", min="なし", max="5人/km", co_departments=["地域共生課"])
    data = _with(data, "G1-01", not_surveyed_ok=True, min=-10)
    survey = parse_source(data, "test").survey
    back = from_grid(to_grid(survey, SURVEY)).survey
    assert back.indicators == survey.indicators


def test_a_survey_without_options_keeps_its_metadata_sheet_and_an_older_one_reads_as_today() -> None:
    survey = parse_source(_data(), "test").survey
    grid = to_grid(survey, SURVEY)
    header = next(row for n, row in enumerate(grid) if n and grid[n - 1] == ["wxl:indicators"])
    assert header[-1] == "group"  # no optional column: the shipped template's 管理情報 is unchanged
    back = from_grid(grid).survey
    assert back.indicators == survey.indicators
    assert all(i.value_range[0] == 0 and not i.co_departments and not i.not_surveyed for i in back.indicators)
