"""年度更新: a consolidated master's survey turned into next year's survey, nothing of the year lost.

`roll_over` takes the survey as the consolidated master holds it and returns
next year's: the fiscal year one later, the rolled year's texts and grades
moved into `Survey.history` (shown in the 過年度 sheet, `core.sheets.history`),
texts and grades cleared, a new empty year column, the rolled year's values
kept as locked history (every sheet locks the years before the survey year),
the rolled year's column mark carried to the new column, and every setting,
footnote and display decimal kept. `next_year_specs` is the new workbook: the
master sheet, 過年度 and 管理情報 (a new year starts a new 集約ログ).

What is refused (`RolloverError`, exit 2) and why:

* a master never consolidated: not one indicator has a value for the year.
  The 集約ログ is not asked for: the secretariat may type a late figure by
  hand, the log of an undone consolidation is renamed, and what would be lost
  by rolling an empty year is the year's figures, which this rule guards;
* a master already at the plan's target year: the following plan is made from
  a new template;
* a department's workbook is refused by `core.reading` before this module.

Indicators with no value for the year are listed (`Rollover.missing`): the run
goes on, and the CLI exits 1 as `consolidate` does when something needs a look.

The template version is bumped by one rule (`next_version`): every 4-digit
occurrence of the rolled year becomes the next year ("2019.1" -> "2020.1"),
else ".<next year>" is appended ("v3" -> "v3.2020"), so it always changes and
returns of last year's form are refused as another year's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.model.survey import Indicator, Survey, YearRecord
from welfare_xl.core.sheets.history import history_sheet
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import SheetSpec, grid_spec
from welfare_xl.errors import UserError

MAX_LISTED = 20  # indicators without a value listed by name in the summary


class RolloverError(UserError):
    """The master cannot be rolled over (exit code 2); the caller adds the file's name."""


@dataclass
class Rollover:
    """What `roll_over` made: next year's survey and what the summary says about the rolled year."""

    survey: Survey  # next year's
    rolled_year: int
    missing: list[Indicator] = field(default_factory=list)  # no value for the rolled year
    texts_kept: int = 0  # texts (取組状況 and 今後の展開 counted apart) moved into the history
    grades_kept: int = 0

    @property
    def next_year(self) -> int:
        return self.survey.fiscal_year


def next_version(version: str, year: int) -> str:
    """The template version of the year after `year` (see the module's docstring)."""
    bumped, n = re.subn(rf"(?<!\d){year}(?!\d)", str(year + 1), version)
    return bumped if n else f"{version}.{year + 1}"


def refusal(survey: Survey) -> str | None:
    """Why `survey` cannot be rolled over (a Japanese sentence without the file), or None."""
    plan = survey.plan
    if survey.fiscal_year >= plan.target_year:
        return (f"計画の最終年度（{fiscal_year_label(plan.target_year)}）の調査票です。これより先の年度には更新できません。"
                "次の計画のテンプレートを作成し、それを指定して次期計画へ引き継いでください"
                "（welfare-xl rollover 集約済みの調査票 --next-plan 次期計画の調査票 -o 保存するブック）。")
    year = survey.fiscal_year
    if not any(survey.values.get(ind.id, {}).get(year) is not None for ind in survey.indicators):
        return (f"{fiscal_year_label(year)}の実績値が1件もありません（まだ集約していない調査票です）。"
                f"部署からの提出を集約してから年度更新してください。")
    return None


def roll_over(survey: Survey) -> Rollover:
    """Next year's survey from the consolidated master's; `RolloverError` when it cannot be made."""
    why = refusal(survey)
    if why:
        raise RolloverError(why)
    year = survey.fiscal_year
    records: dict[str, YearRecord] = {}
    texts = grades = 0
    for ind in survey.indicators:
        done, upcoming = survey.texts.get(ind.id, (None, None)) if ind.lead else (None, None)
        grade = survey.grades.get(ind.id)
        records[ind.id] = YearRecord(done=done, next=upcoming, grade=grade)
        texts += (done is not None) + (upcoming is not None)
        grades += grade is not None
    history = {y: dict(recs) for y, recs in survey.history.items()}
    history[year] = records
    marks = dict(survey.plan.year_marks)
    if year in marks and year + 1 not in marks:
        marks[year + 1] = marks[year]
    values = {ind.id: {**survey.values.get(ind.id, {}), year + 1: None} for ind in survey.indicators}
    following = replace(
        survey,
        plan=replace(survey.plan, year_marks=marks),
        fiscal_year=year + 1,
        template_version=next_version(survey.template_version, year),
        values=values,
        targets=dict(survey.targets),
        texts={},
        grades={},
        history=history,
        decimals=dict(survey.decimals),
    )
    missing = [ind for ind in survey.indicators if survey.values.get(ind.id, {}).get(year) is None]
    return Rollover(survey=following, rolled_year=year, missing=missing, texts_kept=texts, grades_kept=grades)


def next_book_name(survey: Survey) -> str:
    """The file name (without suffix) of the workbook rolled over from `survey`, by the plan's wording
    (調査票_令和２年度): the same every year, one more year in it."""
    return survey.plan.header("rollover_book", next_year=fiscal_year_label(survey.fiscal_year + 1))


def next_year_specs(survey: Survey) -> list[SheetSpec]:
    """The workbook of next year's survey: the master sheet, the history sheet and 管理情報 (hidden)."""
    return [
        survey_sheet(survey),
        history_sheet(survey),
        grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True, widths={0: 26, 1: 40, 2: 30}),
    ]


def summary_lines(rolled: Rollover, path: str, *, source: str, backup: str | None = None,
                  bullet: str = "  ・", limit: int = MAX_LISTED) -> list[str]:
    """What a rollover did, in Japanese: years, indicators, texts kept, indicators without a value, files."""
    survey = rolled.survey
    old, new = fiscal_year_label(rolled.rolled_year), fiscal_year_label(rolled.next_year)
    plan = survey.plan
    history = plan.header("history_sheet")
    done, nxt, grade = plan.header("done_word"), plan.header("next_word"), plan.header("grade_column")
    lines = [f"{old} → {new} の調査票を作成しました: {path}",
             f"指標 {len(survey.indicators)} 件。{old}の実績値は{plan.sheet}の{old}の列に残し、"
             f"{done}・{nxt} {rolled.texts_kept} 件と{grade} {rolled.grades_kept} 件を"
             f"「{history}」シートに移しました（{len(survey.history)} 年度分）。",
             f"{new}の実績値・{done}・{nxt}・{grade}は空欄です。様式の版：{survey.template_version}"]
    if rolled.missing:
        lines.append(f"注意: {old}の実績値がない指標が {len(rolled.missing)} 件あります"
                     f"（空欄のまま「{history}」に移りました。必要なら元の調査票に入力してから、もう一度年度更新してください）：")
        for ind in rolled.missing[:limit]:
            lines.append(f"{bullet}［{ind.id}］{ind.label}（{ind.department}）")
        if len(rolled.missing) > limit:
            lines.append(f"{bullet}ほか {len(rolled.missing) - limit} 件")
    lines.append(f"集約ログは引き継いでいません（{new}の集約で新しく作られます）。元の調査票 {source} は変更していません。")
    if backup:
        lines.append(f"同じ名前の既存のファイルをバックアップしました: {backup}")
    return lines
