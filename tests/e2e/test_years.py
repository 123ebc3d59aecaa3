"""Every year of the plan: 令和元年度 through 令和５年度 from the shipped template, rolled over each year.

Each year the secretariat splits the master, every department fills its form
(synthetic figures that move each indicator toward, or away from, its target,
and texts naming the year), each return is checked, the folder is consolidated
into the master, and the master is rolled over to the next year. At every step
the master's headers (year columns, marks, 計画n年目), every year's values,
every past year's texts and grades (the 過年度 sheet as read back into
`Survey.history`), this year's texts and the department forms' column of last
year's 今後の展開 are asserted, and the committee version's grade trend (every
year's recorded grade, printed in its summary); in 令和５年度 the final
evaluation (baseline, mid-term and latest values with their years, each
category worked out by hand) is asserted and rolling the master is refused.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.fill import fill_department
from support.paths import TEMPLATE

from welfare_xl.commands.check import check
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.rollover import rollover
from welfare_xl.commands.split import split
from welfare_xl.core import history as history_keys
from welfare_xl.core.history import read_history
from welfare_xl.core.model import layout
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.final import FinalCode, evaluate
from welfare_xl.core.model.survey import Indicator, Survey, YearRecord
from welfare_xl.core.progress import grade_from_label
from welfare_xl.core.sheets.committee import committee_specs, resolve_grades
from welfare_xl.core.sheets.committee_trend import grade_trends
from welfare_xl.core.sheets.master import SURVEY_SHEET_ROWS
from welfare_xl.errors import UserError
from welfare_xl.files.reader import read_workbook
from welfare_xl.files.survey_file import load_survey_file

FIRST, LAST = 2019, 2023
PACE = (1.2, 0.6, -0.2)  # share of the yearly step toward the target: on track, behind, worse


def figure(ind: Indicator, n: int, survey: Survey, year: int) -> float | int:
    """The indicator's synthetic figure of `year`: the baseline moved by a steady pace toward its target."""
    base = survey.values[ind.id][survey.plan.baseline_year]
    target = survey.targets[ind.id]
    step = (target - base) / (survey.plan.target_year - survey.plan.baseline_year)
    value = base + step * (year - survey.plan.baseline_year) * PACE[n % len(PACE)]
    if ind.kind is Kind.COUNT:
        return int(round(value))
    return round(value, 3 if ind.kind is Kind.PERCENT else 2)


def typed(ind: Indicator, value: float | int) -> object:
    """As a clerk types it: a percent with its sign, a count with its unit, a rate as a number."""
    if ind.kind is Kind.PERCENT:
        return f"{value * 100:.2f}%"
    if ind.kind is Kind.COUNT:
        return f"{value}{ind.unit}"
    return value


def texts_of(ind: Indicator, year: int) -> tuple[str, str]:
    label = fiscal_year_label(year)
    return f"{label}は{ind.item}について講座と周知を行った（{ind.id}）。", f"{fiscal_year_label(year + 1)}も{ind.id}の取組を続ける。"


def play_year(master: Path, year: int, work: Path, base: Survey) -> None:
    """Split, fill every department, check every return, consolidate into `master` (in place)."""
    dist, inbox = work / f"配布{year}", work / f"提出{year}"
    inbox.mkdir(parents=True)
    split(master, dist)
    survey, _, _ = load_survey_file(master)
    for dept in survey.departments:
        own = [(n, i) for n, i in enumerate(base.indicators) if i.department == dept]
        values = {i.id: typed(i, figure(i, n, base, year)) for n, i in own}
        texts = {i.id: texts_of(i, year) for _, i in own if i.lead}
        fill_department(dist / f"{dept}.xlsx", values, texts, out=inbox / f"{dept}.xlsx",
                        saved=datetime(year + 1, 4, 20, 9, 0, tzinfo=timezone.utc))
        result = check(inbox / f"{dept}.xlsx", master)
        assert not result.errors, [f.line() for f in result.errors]
    result = consolidate(master, inbox, master)
    assert result.exit_code == 0, result.to_json()


def assert_headers(master: Path, survey: Survey) -> None:
    grid = read_workbook(master).sheets[survey.plan.sheet]
    table = layout.find_table(grid)
    assert table is not None
    marks = {2017: "※１※２", 2018: "※１※２"}
    for year in range(2017, survey.fiscal_year + 1):
        header = grid[SURVEY_SHEET_ROWS.header][table.columns[layout.year_key(year)]]
        assert header.startswith(fiscal_year_label(year)), header
        assert header.endswith(marks.get(year, "※２")), header  # the rolled column's mark carried each year
        if year >= FIRST:
            assert f"（計画{year - FIRST + 1}年目）" in header, header
    assert layout.year_key(survey.fiscal_year + 1) not in table.columns
    done_header = grid[SURVEY_SHEET_ROWS.header][table.columns[layout.DONE]]
    assert done_header.startswith(fiscal_year_label(survey.fiscal_year)), done_header


def assert_trend(survey: Survey, grades: dict[int, dict[str, str | None]]) -> None:
    """The committee version's grade trend: every year's recorded grade (none computed), this year's last,
    printed in the summary sheet."""
    trends = grade_trends(survey, resolve_grades(survey).shown)
    assert trends.years == tuple(range(FIRST, survey.fiscal_year + 1))
    assert trends.shown == (survey.fiscal_year > FIRST) and not trends.estimated_years()
    assert not trends.partly_estimated()
    summary = committee_specs(survey)[1]
    printed = {str(v).replace("\n", "") for v, _ in summary.cells.values()}
    for ind in survey.indicators:
        want = "→".join(grade_from_label(grades[y][ind.id]).mark for y in range(FIRST, survey.fiscal_year + 1))
        assert trends.text(ind.id, "＊") == want, (ind.id, survey.fiscal_year)
        if trends.shown:
            assert want in printed, (ind.id, want)


def assert_final(survey: Survey, base: Survey) -> None:
    """The target year's final evaluation: latest value and year, and the category the figures give
    (a pace of 1.2 of the way: 達成; 0.6: 改善; −0.2: 悪化 — or 変化なし where a count rounds back to the
    baseline; no target: 評価困難), by hand from the shipped thresholds (100 %, band 10 %)."""
    ev = evaluate(survey)
    assert not ev.provisional

    def by_hand(ind: Indicator, n: int) -> FinalCode:
        b, t = base.values[ind.id][2017], base.targets[ind.id]
        if t is None:
            return FinalCode.NA
        share = (figure(ind, n, base, LAST) - b) / (t - b)
        return (FinalCode.ACHIEVED if share >= 1 else FinalCode.IMPROVED if share >= 0.1
                else FinalCode.UNCHANGED if share > -0.1 else FinalCode.WORSE)

    rows = {r.indicator.id: r for r in ev.rows}
    for n, ind in enumerate(base.indicators):
        row = rows[ind.id]
        assert (row.latest.year, row.baseline.year) == (LAST, 2017), ind.id
        assert row.latest.value == pytest.approx(figure(ind, n, base, LAST))
        assert row.mid.year == 2021 and row.mid.value == pytest.approx(figure(ind, n, base, 2021))
        assert row.code is by_hand(ind, n), (ind.id, row.label, row.category)
    counts = ev.counts()
    assert sum(counts.values()) == len(base.indicators)
    assert counts[FinalCode.ACHIEVED] and counts[FinalCode.IMPROVED] and counts[FinalCode.WORSE]


def test_five_years_of_the_plan_rolled_over_one_after_another(tmp_path: Path):
    base, _, _ = load_survey_file(TEMPLATE)
    master = tmp_path / "令和元年度" / "調査票.xlsx"
    master.parent.mkdir()
    shutil.copy(TEMPLATE, master)
    grades: dict[int, dict[str, str | None]] = {}
    for year in range(FIRST, LAST + 1):
        play_year(master, year, master.parent, base)
        survey, _, data = load_survey_file(master)
        assert survey.fiscal_year == year
        assert_headers(master, survey)
        for n, ind in enumerate(base.indicators):
            for past in range(FIRST, year + 1):
                assert survey.values[ind.id][past] == pytest.approx(figure(ind, n, base, past)), (ind.id, past)
            assert survey.values[ind.id][2017] == base.values[ind.id][2017]  # the baseline as printed
            assert survey.texts.get(ind.id) == (texts_of(ind, year) if ind.lead else None)
            assert survey.grades[ind.id], (ind.id, year)
        grades[year] = dict(survey.grades)
        # Every past year's texts and grades, from the 過年度 sheet (newest year first), and Survey.history.
        want = {y: {i.id: YearRecord(*(texts_of(i, y) if i.lead else (None, None)), grade=grades[y][i.id])
                    for i in base.indicators} for y in range(FIRST, year)}
        assert survey.history == want
        if year > FIRST:
            sheet = data.sheets["過年度"]
            assert read_history(sheet) == want
            key_row, keys = history_keys.find_key_row(sheet)
            years = [r[keys[history_keys.YEAR]] for r in sheet[key_row + 1:] if r[keys[history_keys.YEAR]]]
            assert years == sorted(years, reverse=True) and years[0] == year - 1
            assert data.sheet_order[:2] == ["資料２", "過年度"] and "集約ログ" in data.sheet_order
            form = read_workbook(master.parent / f"配布{year}" / "地域共生課.xlsx").sheets["地域共生課"]
            table = layout.find_table(form)
            assert table.by_id()["G1-01"].get(layout.PREV_NEXT) == texts_of(base.indicator("G1-01"), year - 1)[1]
        assert_trend(survey, grades)
        if year < LAST:
            following = tmp_path / fiscal_year_label(year + 1) / "調査票.xlsx"
            result = rollover(master, following)
            assert result.exit_code == 0 and result.rolled.next_year == year + 1
            assert not result.rolled.missing
            master = following
    assert_final(survey, base)
    with pytest.raises(UserError) as refused:
        rollover(master, tmp_path / "令和６年度.xlsx")
    assert refused.value.exit_code == 2
    assert "計画の最終年度（令和５年度）の調査票です" in str(refused.value) and "調査票.xlsx" in str(refused.value)
    assert not (tmp_path / "令和６年度.xlsx").exists()


def test_the_export_carries_every_recorded_year(tmp_path: Path):
    """The tidy export of a rolled-over master: each past year's row has the grade and texts kept for it."""
    from support.plan_years import target_year_survey

    from welfare_xl.core.tidy import tidy_frame

    survey = target_year_survey()
    survey.history = {2021: {"G1-01": YearRecord("令和３年度の取組", "令和４年度へ", "○ 順調")}}
    frame = tidy_frame(survey)
    frame = frame[frame["role"] != "target"].set_index(["indicator_id", "fiscal_year"])  # 2023 is also the target's
    row = frame.loc[("G1-01", 2021)]
    assert (row["grade"], row["grade_code"], row["done"], row["next"]) == ("○ 順調", "on_track", "令和３年度の取組", "令和４年度へ")
    assert frame.loc[("G1-01", 2022), ["grade", "done"]].isna().all()  # nothing recorded for 令和４年度
    # A grade standing on a first measured year says so on the survey year's row.
    assert "令和元年度の値を基準" in frame.loc[("G2-03a", 2023), "grade_note"]
