"""The shortcuts of a return's check (issue 10): each gives what the long way gives.

The 管理情報 and key rows already read are recognised by comparing cells (never by a hash), and
must still tell True from 1 from 1.0 and a number from a text; a grid changed after it was read
is read anew; numbers stored as numbers are read as `parse_value` reads them; column letters come
from a table up to ZZ and are worked out beyond it.
"""

from __future__ import annotations

import math

import pytest
from support.grids import template_master

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_ref, column_index, column_letter
from welfare_xl.core.model.metadata import DEPARTMENT, SURVEY, MetadataError, from_grid, to_grid
from welfare_xl.core.model.numbers import Kind, Status, parse_value, stored_number


@pytest.fixture(scope="module")
def survey():
    return template_master()[0]


def meta_grid(survey, field: str, value) -> list[list]:
    """The survey's 管理情報 as a reader gives it (lists), with `field`'s value cell set to `value`."""
    grid = [list(row) + [None] * (3 - len(row)) for row in to_grid(survey, DEPARTMENT, "交通課")]
    row = next(r for r in grid if r[0] == field)
    row[1] = value
    return grid


def test_true_1_and_1_0_are_told_apart(survey):
    """Equal cells of other types never share a result: the bool reads as 'True', 1.0 is its own entry."""
    one = from_grid(meta_grid(survey, "plan_name", 1))
    true = from_grid(meta_grid(survey, "plan_name", True))
    float_one = from_grid(meta_grid(survey, "plan_name", 1.0))
    text_one = from_grid(meta_grid(survey, "plan_name", "1"))
    assert one.survey.plan.name == "1" and true.survey.plan.name == "True"
    assert float_one.survey.plan.name == text_one.survey.plan.name == "1"
    assert len({id(one), id(true), id(float_one), id(text_one)}) == 4
    assert from_grid(meta_grid(survey, "plan_name", True)) is true  # and each is read once
    assert from_grid(meta_grid(survey, "plan_name", 1)) is one


def test_a_bool_where_a_number_was_read_is_refused(survey):
    """text_max_lines 1 reads; True ('True') is no number, even right after 1 was read."""
    assert from_grid(meta_grid(survey, "config.text_max_lines", 1)).survey.config.text_max_lines == 1
    with pytest.raises(MetadataError):
        from_grid(meta_grid(survey, "config.text_max_lines", True))
    assert from_grid(meta_grid(survey, "config.text_max_lines", 2.0)).survey.config.text_max_lines == 2
    assert from_grid(meta_grid(survey, "config.text_max_lines", "3")).survey.config.text_max_lines == 3


def test_a_number_and_a_text_of_the_same_figure_are_told_apart(survey):
    float_year = from_grid(meta_grid(survey, "plan_name", 2019.5))
    text_year = from_grid(meta_grid(survey, "plan_name", "2019.50"))
    assert (float_year.survey.plan.name, text_year.survey.plan.name) == ("2019.5", "2019.50")


def test_a_grid_changed_after_it_was_read_is_read_anew(survey):
    grid = meta_grid(survey, "plan_name", "計画A")
    assert from_grid(grid).survey.plan.name == "計画A"
    next(r for r in grid if r[0] == "plan_name")[1] = "計画B"  # the same lists, changed in place
    assert from_grid(grid).survey.plan.name == "計画B"
    assert from_grid(meta_grid(survey, "plan_name", "計画A")).survey.plan.name == "計画A"


def test_rows_of_tuples_read_as_lists_do(survey):
    lists = meta_grid(survey, "department", "危機管理課")
    tuples = [tuple(row) for row in lists]
    assert from_grid(tuples).department == from_grid(lists).department == "危機管理課"
    assert from_grid(tuple(tuples)).survey == from_grid(lists).survey


def test_the_survey_and_a_department_grid_are_each_their_own(survey):
    assert from_grid(to_grid(survey, SURVEY)).kind == SURVEY
    assert from_grid(meta_grid(survey, "department", "交通課")).kind == DEPARTMENT


def key_grid(keys: list) -> list[list]:
    return [["表題", None, None, None], [None, "説明 wxl:id は見出しではない", None, None], keys,
            ["G1-01", "指標", "504人", ""], ["G1-02", "指標2", 3, "実施"]]


def test_a_key_row_seen_before_reads_the_same_and_another_reads_its_own():
    first = layout.find_table(key_grid(["wxl:id", "wxl:item", "wxl:y2019", "wxl:done"]))
    again = layout.find_table(key_grid(["wxl:id", "wxl:item", "wxl:y2019", "wxl:done"]))
    moved = layout.find_table(key_grid(["wxl:id", "wxl:y2019", "wxl:item", " wxl:done "]))
    copied = layout.find_table(key_grid(["wxl:id", "wxl:item", "wxl:item", "wxl:done"]))
    assert first.key_row == 2 and first.columns is again.columns
    assert first.columns == {"id": 0, "item": 1, "y2019": 2, "done": 3}
    assert moved.columns == {"id": 0, "y2019": 1, "item": 2, "done": 3}
    assert copied.columns == {"id": 0, "item": 1, "done": 3} and copied.duplicate_columns == [("item", 2)]
    assert first.duplicate_columns == [] and again.duplicate_columns is not first.duplicate_columns
    assert first.by_id()["G1-01"].cells == {"id": "G1-01", "item": "指標", "y2019": "504人", "done": None}
    assert moved.by_id()["G1-02"].cells == {"id": "G1-02", "y2019": "指標2", "item": 3, "done": "実施"}


def test_a_key_row_changed_in_place_is_read_anew():
    grid = key_grid(["wxl:id", "wxl:item", "wxl:y2019", "wxl:done", "wxl:target"])  # a row no other test has
    assert layout.find_table(grid).columns["done"] == 3
    grid[2][3] = "wxl:next"
    assert layout.find_table(grid).columns == {"id": 0, "item": 1, "y2019": 2, "next": 3, "target": 4}
    tuples = [tuple(row) for row in grid]
    assert layout.find_table(tuples).columns == {"id": 0, "item": 1, "y2019": 2, "next": 3, "target": 4}
    assert layout.find_table([["wxl:item", "wxl:done"], ["G1-01", "x"]]) is None  # no ID column


def test_a_row_ending_before_a_keyed_column_and_empty_texts_read_as_empty():
    table = layout.find_table([["wxl:id", "wxl:item", "wxl:y2019"], ["G1-01"], ["G1-02", "", 0], ["G1-03", " ", False]])
    rows = table.by_id()
    assert rows["G1-01"].cells == {"id": "G1-01", "item": None, "y2019": None}
    assert rows["G1-02"].cells == {"id": "G1-02", "item": None, "y2019": 0}
    assert rows["G1-03"].cells == {"id": "G1-03", "item": " ", "y2019": False}


NUMBERS = [0, 0.0, -0.0, 1, 1.0, 513, 513.0, 513.5, -3, 2.13, 0.507, 1e300, 10 ** 400, -(10 ** 400),
           float("inf"), float("-inf"), float("nan")]


@pytest.mark.parametrize("kind", [Kind.COUNT, Kind.PERCENT, Kind.RATE, "count", "rate"])
def test_a_stored_number_reads_as_parse_value_reads_it(kind):
    for raw in NUMBERS:
        parsed = parse_value(raw, "人", kind)
        value = stored_number(raw, kind)
        if parsed.status is Status.NUMBER:
            assert value == parsed.value and type(value) is type(parsed.value), raw
        else:
            assert value is None and parsed.status is Status.INVALID, raw
    assert type(stored_number(513.0, Kind.COUNT)) is int and type(stored_number(513.0, Kind.RATE)) is float
    assert stored_number(float("nan"), Kind.RATE) is None and not math.isnan(stored_number(0.5, Kind.RATE) or 0)


def test_an_unknown_kind_is_refused_either_way():
    with pytest.raises(ValueError):
        parse_value(3, "人", "volume")
    with pytest.raises(ValueError):
        stored_number(3, "volume")


def column_letter_long_way(col0: int) -> str:
    out, n = "", col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def test_column_letters_from_the_table_and_beyond():
    for col in [*range(800), 16_383]:
        assert column_letter(col) == column_letter_long_way(col)
        assert column_index(column_letter(col)) == col
        assert cell_ref(6, col) == f"{column_letter_long_way(col)}7"
    assert (column_letter(701), column_letter(702), cell_ref(0, 16_383)) == ("ZZ", "AAA", "XFD1")
    with pytest.raises(ValueError):
        column_letter(-1)
    with pytest.raises(ValueError):
        cell_ref(0, -1)


def test_a_row_reference_is_in_a_row_exactly_when_it_can_be_made():
    table = layout.find_table(key_grid(["wxl:id", "wxl:item", "wxl:y2019", "wxl:done"]))
    refs = table.refs(table.by_id()["G1-02"])
    for key in ("id", "item", "y2019", "done", "next", "target", ""):
        assert (key in refs) == (key in dict(refs)) == (key in table.columns)
    assert refs["done"] == "D5" and refs.get("next") is None


def test_a_finding_makes_each_part_printable_whichever_holds_a_control_character():
    from welfare_xl.core.findings import Finding, Severity

    clean = {"message": "値が未入力です。", "file": "地域共生課.xlsx", "sheet": "地域共生課", "cell": "H8",
             "indicator_id": "G1-01", "indicator": "相談件数"}
    assert Finding(Severity.ERROR, "blank", **clean).to_dict() == {"severity": "error", **clean}
    for part, text in clean.items():
        dirty = Finding(Severity.ERROR, "blank", **{**clean, part: text + "\x07"})
        shown = dirty.to_dict()
        assert shown[part] == text + "[U+0007]"
        assert all(shown[p] == clean[p] for p in clean if p != part)
    odd = Finding(Severity.ERROR, "blank", "a\x0b", cell=7, sheet=None)  # a part of no text is left as it is
    assert (odd.message, odd.cell, odd.sheet) == ("a[U+000B]", 7, None)
