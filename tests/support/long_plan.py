"""A synthetic plan of any length, built as a `Survey` (no file): for the committee version's layout tests.

`long_plan(n)` has `n` year columns (the baseline and n − 1 survey years, the last one this year's),
values in every year, the grades of past plan years recorded in `Survey.history` (except the
years named in `unrecorded`, as a master from before rollovers kept history), and what makes a
layout hard: a 78-character indicator name, sub-items, seven-digit counts, a percent whose
baseline is printed with one decimal and the rest with two, a lower-is-better indicator, and one
that cannot be graded (「－ 評価不能」).
"""

from __future__ import annotations

from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.model.survey import NOT_AVAILABLE, Goal, Indicator, Plan, Survey, YearRecord, assign_groups
from welfare_xl.core.progress import grade

BASELINE = 2017
LONG_NAME = ("地域の見守り活動に参加した住民ボランティアのうち、研修を修了して継続的に活動している人の割合（"
             "民生委員・児童委員及び協力員を含み、町会・自治会の役員を除く）")
assert len(LONG_NAME) == 78

GOALS = (
    Goal(1, "つながりをつくる", ("見守りの輪を広げる", "担い手を育てる"), "10-12"),
    Goal(2, "支援につなぐ", ("相談窓口の充実",), "13-15"),
    Goal(3, "安心して暮らす", ("移動手段の確保",), "16-18"),
)
INDICATORS = assign_groups([
    Indicator("L-01", 1, LONG_NAME, "福祉総務課", "%", Kind.PERCENT, decimals=4),
    Indicator("L-02", 1, "地域活動拠点", "福祉総務課", "団体", Kind.COUNT, sub_item="参加団体数"),
    Indicator("L-03", 1, "地域活動拠点", "福祉総務課", "人", Kind.COUNT, sub_item="延べ利用者数"),
    Indicator("L-04", 2, "福祉相談の延べ件数", "相談支援課", "件", Kind.COUNT),
    Indicator("L-05", 2, "消費生活相談件数", "相談支援課", "件", Kind.COUNT),
    Indicator("L-06", 3, "コミュニティバスの年間輸送人員", "交通政策課", "人", Kind.COUNT),
    Indicator("L-07", 3, "福祉有償運送の登録団体数", "交通政策課", "団体", Kind.COUNT),
])
# (baseline, target, yearly step): L-05 is lower-is-better; L-07 has no baseline (評価不能 throughout).
FIGURES = {
    "L-01": (0.484, 0.584, 0.011), "L-02": (83, 100, 2), "L-03": (15260, 18000, 300),
    "L-04": (1_059_000, 1_749_000, 61_000), "L-05": (1161, 1100, -4), "L-06": (2_090_000, 2_180_000, 7_000),
    "L-07": (None, 12, 1),
}
WORDING = {"done": "{year}の取組", "next": "{next_year}の展開"}


def long_plan(year_columns: int, unrecorded: tuple[int, ...] = (), *, start_offset: int = 1) -> Survey:
    """The plan with `year_columns` year columns (baseline included); plan years start `start_offset`
    years after the baseline; the target year is at least two years after this year."""
    fiscal = BASELINE + year_columns - 1
    plan = Plan(id="long", name="第２期ながい地域福祉計画", title="第２期ながい地域福祉計画 進捗状況調査票", label="資料３",
                sheet="進捗一覧", start_year=BASELINE + start_offset, target_year=max(fiscal + 2, BASELINE + 6),
                baseline_year=BASELINE, footnotes=("※　数値は各年度末現在。",), headers=dict(WORDING))
    survey = Survey(plan=plan, fiscal_year=fiscal, template_version="T-1", goals=GOALS, indicators=INDICATORS)
    for ind in INDICATORS:
        base, target, step = FIGURES[ind.id]
        values = {}
        for n, year in enumerate(survey.years):
            if base is None:
                values[year] = NOT_AVAILABLE if year == BASELINE else 3 + n
                continue
            wobble = -2 * step if n % 3 == 2 else 0  # a bad year now and then, for a varied trend
            value = base + step * n + wobble
            values[year] = round(value, 3) if ind.kind is Kind.PERCENT else int(value)
        survey.values[ind.id] = values
        survey.targets[ind.id] = target
        survey.texts[ind.id] = (f"{ind.label[:10]}の取組を進めた。", "引き続き取り組む。") if ind.lead else (None, None)
    survey.decimals = {("L-01", BASELINE): 3}  # decimals of the fraction: 48.4% beside 50.70%, as the plan book prints it
    for year in survey.years[:-1]:
        if year < plan.start_year or year in unrecorded:
            continue
        survey.history[year] = {i.id: YearRecord(done="前年度の取組", next="前年度の展開", grade=grade(i, survey, year).label)
                                for i in INDICATORS}
    return survey
