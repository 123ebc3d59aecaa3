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


# --- check, the form, consolidation and grades on a plan that uses them (support.indicator_plan) ---------

from datetime import datetime  # noqa: E402

from support.grids import grid_of  # noqa: E402
from support.indicator_plan import plan_survey  # noqa: E402

from welfare_xl.core.checks import check_submission  # noqa: E402
from welfare_xl.core.consolidation.decide import consolidate_submissions  # noqa: E402
from welfare_xl.core.consolidation.result import ReceivedFile  # noqa: E402
from welfare_xl.core.model import layout  # noqa: E402
from welfare_xl.core.model.cells import Formula, cell_ref  # noqa: E402
from welfare_xl.core.model.metadata import DEPARTMENT  # noqa: E402
from welfare_xl.core.model.survey import NOT_AVAILABLE  # noqa: E402
from welfare_xl.core.progress import GradeCode, grade, grade_note  # noqa: E402
from welfare_xl.core.reading import load_survey_grids  # noqa: E402
from welfare_xl.core.sheets.department import department_sheet  # noqa: E402
from welfare_xl.core.sheets.master import survey_sheet  # noqa: E402

TEXTS = ("相談会を開催した。", "継続する。")


def _master():
    survey = plan_survey()
    sheets = {survey.plan.sheet: grid_of(survey_sheet(survey)), "管理情報": to_grid(survey, SURVEY)}
    return load_survey_grids(sheets, list(sheets))


def _return(survey, dept: str, values: dict, texts: dict | None = None, *, reference=None, name=None):
    """A department's return as grids, typed into its form, checked (against `reference` when given)."""
    grid = grid_of(department_sheet(survey, dept))
    table = layout.find_table(grid)
    for row in table.rows:
        if row.id in values:
            grid[row.row][table.columns[layout.year_key(survey.fiscal_year)]] = values[row.id]
        if row.id in (texts or {}):
            grid[row.row][table.columns[layout.DONE]], grid[row.row][table.columns[layout.NEXT]] = texts[row.id]
    sheets = {dept: grid, "管理情報": to_grid(survey.for_department(dept), DEPARTMENT, dept)}
    return check_submission(name or f"{dept}.xlsx", sheets, list(sheets), reference=reference,
                            saved=datetime(2023, 5, 1, 9))


FUKUSHI = {"A-01": 1.3, "A-03": 150, "A-06": 110}
KENKO = {"A-02": -0.015, "A-04": 0.38, "A-05": "－"}


def test_check_takes_values_in_the_indicators_range_and_names_the_range_of_one_outside() -> None:
    survey = plan_survey()
    sub = _return(survey, "福祉課", FUKUSHI, {i: TEXTS for i in FUKUSHI})
    assert not sub.errors, [f.line() for f in sub.errors]
    assert sub.entries["A-01"].value == pytest.approx(1.3)  # a 充足率 of 130 %: over 100 % is allowed here
    sub = _return(survey, "健康課", KENKO, {i: TEXTS for i in KENKO})
    assert not sub.findings, [f.line() for f in sub.findings]  # -1.5 % and a planned '－': nothing to say
    assert sub.entries["A-02"].value == pytest.approx(-0.015) and sub.entries["A-05"].value == NOT_AVAILABLE

    sub = _return(survey, "福祉課", {**FUKUSHI, "A-01": 1.6}, {i: TEXTS for i in FUKUSHI})
    assert [(f.code, f.indicator_id) for f in sub.errors] == [("out_of_range", "A-01")]
    assert "160.0%" in sub.errors[0].message and "0.0%～150.0%" in sub.errors[0].message
    sub = _return(survey, "健康課", {**KENKO, "A-02": "-120%"}, {i: TEXTS for i in KENKO})
    assert [(f.code, f.indicator_id) for f in sub.errors] == [("out_of_range", "A-02")]
    assert "-100.0%～100.0%" in sub.errors[0].message
    # An indicator without a range of its own keeps today's rule and words.
    sub = _return(survey, "健康課", {**KENKO, "A-04": 1.2}, {i: TEXTS for i in KENKO})
    assert [f.code for f in sub.errors] == ["percent_range"]


def test_a_dash_is_a_finding_where_the_template_does_not_plan_it() -> None:
    survey = plan_survey()
    sub = _return(survey, "健康課", {**KENKO, "A-04": "－"}, {i: TEXTS for i in KENKO})
    assert [(f.code, f.indicator_id) for f in sub.findings] == [("not_available", "A-04")]


def test_year_over_year_warning_compares_with_the_last_figure_recorded_and_names_its_year() -> None:
    survey = plan_survey()
    master, _ = _master()
    # A-06: 令和２年度 '－', 令和３年度 never entered: 110人 is compared with 令和元年度's 100人 (within 50 %).
    sub = _return(survey, "福祉課", FUKUSHI, {i: TEXTS for i in FUKUSHI}, reference=master)
    assert not [f for f in sub.warnings if f.code == "big_change"]
    sub = _return(survey, "福祉課", {**FUKUSHI, "A-06": 200}, {i: TEXTS for i in FUKUSHI}, reference=master)
    big = [f for f in sub.warnings if f.code == "big_change"]
    assert [f.indicator_id for f in big] == ["A-06"]
    assert big[0].message.startswith("直近の実績（令和元年度：100人）から+100%変化しています。")
    # The immediately previous year, when it has a figure, is still called 前年度.
    sub = _return(survey, "福祉課", {**FUKUSHI, "A-03": 300}, {i: TEXTS for i in FUKUSHI})
    big = [f for f in sub.warnings if f.code == "big_change"]
    assert [f.indicator_id for f in big] == ["A-03"] and big[0].message.startswith("前年度（令和３年度：135件）から")


def test_co_owner_sees_the_row_locked_and_what_it_types_there_is_reported_never_taken() -> None:
    survey = plan_survey()
    spec = department_sheet(survey, "健康課")
    grid = grid_of(spec)
    table = layout.find_table(grid)
    assert [r.id for r in table.rows] == ["A-02", "A-03", "A-04", "A-05"]
    row = table.by_id()["A-03"]
    value_cell = (row.row, table.columns[layout.year_key(2022)])
    value, style = spec.cells[value_cell]
    assert value == "福祉課が回答" and style.locked
    assert all(style.locked for (r, _), (_, style) in spec.cells.items() if r == row.row)
    assert cell_ref(*value_cell) not in {ref for v in spec.validations for ref in v.ranges}
    assert "共同担当" in grid[3][1]  # the instruction says what the marked rows are
    # 福祉課 answers it: its own form has the open input cell.
    own = department_sheet(survey, "福祉課")
    own_table = layout.find_table(grid_of(own))
    own_cell = (own_table.by_id()["A-03"].row, own_table.columns[layout.year_key(2022)])
    assert not own.cells[own_cell][1].locked

    sub = _return(survey, "健康課", {**KENKO, "A-03": 999}, {i: TEXTS for i in KENKO})
    assert sub.department == "健康課" and not sub.errors and "A-03" not in sub.entries
    typed = [f for f in sub.warnings if f.code == "co_owned_input"]
    assert [(f.indicator_id, f.cell) for f in typed] == [("A-03", cell_ref(*value_cell))]
    assert "福祉課が回答します" in typed[0].message and "999" in typed[0].message and "集約しません" in typed[0].message

    master, book = _master()
    files = [ReceivedFile(_return(survey, "健康課", {**KENKO, "A-03": 999}, {i: TEXTS for i in KENKO}), None),
             ReceivedFile(_return(survey, "福祉課", FUKUSHI, {i: TEXTS for i in FUKUSHI}), None)]
    result = consolidate_submissions(master, book.table, files, sheet=book.sheet, run_at=datetime(2023, 5, 20))
    by_id = {o.indicator.id: o for o in result.indicators}
    assert by_id["A-03"].new_value == 150 and by_id["A-03"].source == "福祉課.xlsx"
    assert [(d.department, d.status.value) for d in result.departments] == [("福祉課", "submitted"), ("健康課", "submitted")]


def test_master_names_the_answering_department_first_and_its_co_owners_after_it() -> None:
    survey = plan_survey()
    spec = survey_sheet(survey)
    table = layout.find_table(grid_of(spec))
    row = table.by_id()["A-03"]
    assert spec.cells[(row.row, table.columns[layout.DEPARTMENT])][0] == "福祉課（健康課）"
    assert spec.cells[(table.by_id()["A-01"].row, table.columns[layout.DEPARTMENT])][0] == "福祉課"
    worded = replace(survey, plan=replace(survey.plan, headers={"co_departments": "{department}・{co}"}))
    assert survey_sheet(worded).cells[(row.row, table.columns[layout.DEPARTMENT])][0] == "福祉課・健康課"


def test_form_validation_and_self_check_follow_the_range_and_the_last_recorded_year() -> None:
    survey = plan_survey()
    spec = department_sheet(survey, "福祉課")
    table = layout.find_table(grid_of(spec))
    rows, col = table.by_id(), table.columns
    ref = {i: cell_ref(rows[i].row, col[layout.year_key(2022)]) for i in rows}
    dv = {v.ranges[0]: v for v in spec.validations if v.type in ("whole", "decimal")}
    assert (dv[ref["A-01"]].type, dv[ref["A-01"]].operator, dv[ref["A-01"]].formula1, dv[ref["A-01"]].formula2) == (
        "decimal", "between", "0", "1.5")
    assert "0.0%～150.0%" in dv[ref["A-01"]].error
    assert (dv[ref["A-06"]].operator, dv[ref["A-06"]].formula1) == ("greaterThanOrEqual", "0")  # today's rule
    kenko = department_sheet(survey, "健康課")
    ktable = layout.find_table(grid_of(kenko))
    a02 = cell_ref(ktable.by_id()["A-02"].row, ktable.columns[layout.year_key(2022)])
    kdv = next(v for v in kenko.validations if v.ranges == (a02,))
    assert (kdv.operator, kdv.formula1, kdv.formula2) == ("between", "-1", "1")

    helpers = max(col.values()) + 1  # the 点検 column; its hidden helpers follow
    formulas = {c - helpers: str(v) for (r, c), (v, _) in spec.cells.items() if r == rows["A-06"].row and c > helpers}
    # The change is measured from 令和元年度's column (令和２年度 '－', 令和３年度 empty are skipped).
    assert cell_ref(rows["A-06"].row, col[layout.year_key(2019)]) in formulas[3]
    assert cell_ref(rows["A-06"].row, col[layout.year_key(2021)]) not in formulas[3]
    value_formula = {c - helpers: str(v) for (r, c), (v, _) in spec.cells.items()
                     if r == rows["A-01"].row and c > helpers}[2]
    assert ">1.5," in value_formula and ">1," not in value_formula
    kformulas = {c: str(v) for (r, c), (v, _) in kenko.cells.items() if r == ktable.by_id()["A-05"].row}
    assert not any("値なし" in f for f in kformulas.values())  # '－' planned this year: no word for it
    # A co-owned row's 点検 says only whether something was typed over the mark (check's co_owned_input).
    co = {c: v.text for (r, c), (v, _) in kenko.cells.items() if r == ktable.by_id()["A-03"].row and isinstance(v, Formula)}
    check_col = max(ktable.columns.values()) + 1
    assert check_col + 1 not in co  # no number is read from it
    assert '"福祉課が回答"' in co[check_col + 2] and "要確認" in co[check_col + 2] and "<0" not in co[check_col + 2]


def test_grade_stands_on_the_first_measured_year_and_on_the_last_figure_of_a_year_not_surveyed() -> None:
    survey = plan_survey()
    survey.values["A-04"][2022] = 0.38
    g = grade(survey.indicator("A-04"), survey)
    # From 令和３年度's 30 % toward 50 %: 40 % of the way, a third of the period from 令和３年度 elapsed.
    assert (g.code, g.baseline_year, g.value_year) == (GradeCode.ON_TRACK, 2021, None)
    assert g.progress == pytest.approx(0.4) and g.expected == pytest.approx(1 / 3)
    assert grade_note(g, survey) == "現状値がないため、令和３年度の値を基準に評価しています。"
    # In the first measured year itself there is nothing to measure from yet.
    assert grade(survey.indicator("A-04"), survey, 2021).code == GradeCode.NA

    survey.values["A-05"][2022] = NOT_AVAILABLE
    g = grade(survey.indicator("A-05"), survey)
    # 令和３年度's 65 %: half of the way, against the pace of 令和３年度 (2 of 5 years).
    assert (g.code, g.value_year, g.baseline_year) == (GradeCode.ON_TRACK, 2021, None)
    assert g.progress == pytest.approx(0.5) and g.expected == pytest.approx(0.4)
    assert grade_note(g, survey) == "令和４年度は調査を行っていないため、令和３年度の値で評価しています。"
    # A '－' the template does not plan stays 評価不能.
    survey.values["A-01"][2022] = NOT_AVAILABLE
    g = grade(survey.indicator("A-01"), survey)
    assert g.code == GradeCode.NA and g.value_year is None and grade_note(g, survey) == ""
