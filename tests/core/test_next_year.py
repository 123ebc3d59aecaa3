"""core.rollover and the 過年度 sheet on plain values: what a year keeps, what is refused, what is read back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.grids import grid_of
from support.seed import template_survey

from welfare_xl.core.history import read_history
from welfare_xl.core.model import layout
from welfare_xl.core.model.survey import Survey, YearRecord
from welfare_xl.core.reading import find_tables, load_survey_grids
from welfare_xl.core.rollover import RolloverError, next_book_name, next_version, roll_over
from welfare_xl.core.rollover import next_year_specs
from welfare_xl.core.sheets.department import department_sheet


def consolidated(year_texts: str = "R1") -> Survey:
    """The template's survey with a figure, texts on each item's first row and a grade for every indicator."""
    s = template_survey()
    values = {i.id: {**s.values[i.id], s.fiscal_year: 10 + n} for n, i in enumerate(s.indicators)}
    texts = {i.id: (f"{year_texts} {i.id} done", f"{year_texts} {i.id} next") for i in s.indicators if i.lead}
    return replace(s, values=values, texts=texts, grades={i.id: "○ 順調" for i in s.indicators})


@pytest.mark.parametrize("version,year,want", [("2019.1", 2019, "2020.1"), ("2019.3-r2", 2019, "2020.3-r2"),
                                               ("v3", 2019, "v3.2020"), ("12019.1", 2019, "12019.1.2020")])
def test_the_version_always_changes_by_one_rule(version: str, year: int, want: str):
    assert next_version(version, year) == want


def test_a_year_rolled_keeps_its_texts_and_grades_and_opens_the_next():
    s = consolidated()
    rolled = roll_over(s)
    nxt = rolled.survey
    assert nxt.fiscal_year == 2020 and nxt.years == [2017, 2018, 2019, 2020]
    assert nxt.template_version == "2020.1"
    assert nxt.plan.year_marks[2020] == "※２" and nxt.plan.year_marks[2019] == "※２"
    assert nxt.texts == {} and nxt.grades == {}
    assert all(nxt.values[i][2020] is None and nxt.values[i][2019] == s.values[i][2019] for i in s.values)
    assert nxt.decimals == s.decimals and nxt.targets == s.targets and nxt.config == s.config
    leads = [i for i in s.indicators if i.lead]
    assert rolled.texts_kept == 2 * len(leads) and rolled.grades_kept == len(s.indicators)
    assert nxt.history[2019]["G2-02a"] == YearRecord("R1 G2-02a done", "R1 G2-02a next", "○ 順調")
    assert nxt.history[2019]["G2-02b"] == YearRecord(None, None, "○ 順調")  # a sub-item shares its item's texts
    assert s.history == {}  # the master's survey is not changed
    # A second year adds to the history, the first year stays.
    second = replace(nxt, values={i: {**v, 2020: 1} for i, v in nxt.values.items()},
                     texts={i.id: ("R2 done", "R2 next") for i in nxt.indicators if i.lead})
    assert sorted(roll_over(second).survey.history) == [2019, 2020]
    assert roll_over(second).survey.history[2019] == nxt.history[2019]
    assert next_book_name(second) == "調査票_令和３年度"


def test_refusals_and_missing_figures():
    s = consolidated()
    blank = replace(s, values={i: {**v, 2019: None} for i, v in s.values.items()})
    with pytest.raises(RolloverError, match="令和元年度の実績値が1件もありません"):
        roll_over(blank)
    last = replace(s, fiscal_year=2023)
    with pytest.raises(RolloverError, match="計画の最終年度（令和５年度）の調査票です"):
        roll_over(last)
    partly = replace(s, values={**s.values, "G1-01": {**s.values["G1-01"], 2019: None}})
    assert [i.id for i in roll_over(partly).missing] == ["G1-01"]


def test_the_history_sheet_reads_back_and_is_never_taken_for_an_indicator_table():
    s = consolidated()
    two = roll_over(replace(roll_over(s).survey, values={i: {**v, 2020: 5} for i, v in s.values.items()},
                            texts={"G1-01": ("R2 only", None)}, grades={"G1-01": "× 悪化"})).survey
    specs = {spec.name: grid_of(spec) for spec in next_year_specs(two)}
    assert list(specs) == ["資料２", "過年度", "管理情報"]
    assert read_history(specs["過年度"]) == two.history
    assert [name for name, _ in find_tables(specs)] == ["資料２"]  # keyed wxl:indicator, not wxl:id
    survey, book = load_survey_grids(specs, list(specs))
    assert survey.history == two.history and book.sheet == "資料２"
    assert read_history(specs["資料２"]) is None


def test_a_department_form_shows_last_years_next_only_when_the_history_has_it():
    s = consolidated()
    first = department_sheet(s, "地域共生課")
    assert not any(v == layout.KEY_PREFIX + layout.PREV_NEXT for v, _ in first.cells.values())
    rolled = roll_over(s).survey
    table = layout.find_table(grid_of(department_sheet(rolled, "地域共生課")))
    assert table.columns[layout.PREV_NEXT] + 1 == table.columns[layout.DONE]
    assert table.by_id()["G1-01"].get(layout.PREV_NEXT) == "R1 G1-01 next"
    assert table.by_id()["G2-02b"].get(layout.PREV_NEXT) is None  # merged under its item's first row
    empty = replace(rolled, history={2019: {i: replace(r, next=None) for i, r in rolled.history[2019].items()}})
    assert layout.PREV_NEXT not in layout.find_table(grid_of(department_sheet(empty, "地域共生課"))).columns
