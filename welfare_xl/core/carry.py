"""A following plan: what the old plan's master hands to the new plan's first survey.

A plan ends in its target year and the next plan begins with other goals and
indicators. Indicators that keep their ID carry their history: the old
master's values for the years the new form shows (where the new template left
them blank: the template is the source of truth) and every recorded year's
texts and grade. Everything else is reported, never guessed: indicators that
end with the old plan, indicators new in this plan, an ID kept for another
unit or kind (values not carried: they would not compare), an ID whose item
was renamed (carried, but said), and values where both plans have a figure
that differ (the new template's kept).

Plain core module: surveys in, a new survey and a report out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Indicator, Survey, Value, YearRecord
from welfare_xl.core.rollover import MAX_LISTED, Rollover, RolloverError
from welfare_xl.errors import UserError


class CarryError(UserError):
    """The two surveys cannot be chained; the message (Japanese) says why, the caller adds the files."""


@dataclass
class CarryReport:
    values: list[tuple[str, int]] = field(default_factory=list)  # (id, year) carried into a blank cell
    conflicts: list[tuple[str, int, Value, Value]] = field(default_factory=list)  # (id, year, old, new kept)
    records: int = 0  # (year, id) texts-and-grade records carried
    incompatible: list[tuple[Indicator, str]] = field(default_factory=list)  # new indicator, why no values
    renamed: list[tuple[Indicator, Indicator]] = field(default_factory=list)  # (old, new) same ID
    ended: list[Indicator] = field(default_factory=list)  # old plan only
    new: list[Indicator] = field(default_factory=list)  # new plan only
    continuing: list[str] = field(default_factory=list)  # ids in both plans

    @property
    def kept(self) -> int:
        """How many indicators carried on under their ID."""
        return len(self.continuing)


def _last_record(old: Survey, ind_id: str) -> YearRecord | None:
    """The old master's own survey year, as a history record (its texts and grade)."""
    ind = old.indicator(ind_id)
    done, nxt = old.texts.get(ind.id, (None, None)) if ind.lead else (None, None)  # sub-items share the lead's
    grade = old.grades.get(ind_id)
    if done is None and nxt is None and grade is None:
        return None
    return YearRecord(done=done, next=nxt, grade=grade)


def _why_incompatible(old: Indicator, new: Indicator) -> str | None:
    if old.unit != new.unit:
        return f"単位が「{old.unit}」から「{new.unit}」に変わったため、数値は引き継いでいません。"
    if old.kind != new.kind:
        return "数値の種類（件数・割合など）が変わったため、数値は引き継いでいません。"
    return None


def carry_over(old: Survey, new: Survey) -> tuple[Survey, CarryReport]:
    """`new` (the next plan's blank first survey) with the history `old` (the last plan's master) hands on."""
    if old.plan.id == new.plan.id:
        raise CarryError(f"同じ計画（{old.plan.name}）の調査票です。同じ計画の次の年度へは「年度更新」を使ってください。")
    if new.plan.start_year <= old.plan.start_year:
        raise CarryError(f"次期計画（{new.plan.name}、{fiscal_year_label(new.plan.start_year)}から）が、"
                         f"前の計画（{old.plan.name}、{fiscal_year_label(old.plan.start_year)}から）より前に始まっています。"
                         "調査票の指定（前の計画・次期計画の順）を確認してください。")
    old_by_id = {i.id: i for i in old.indicators}
    new_ids = {i.id for i in new.indicators}
    report = CarryReport(ended=[i for i in old.indicators if i.id not in new_ids],
                         new=[i for i in new.indicators if i.id not in old_by_id])
    out = replace(new, values={k: dict(v) for k, v in new.values.items()},
                  history={y: dict(recs) for y, recs in new.history.items()}, decimals=dict(new.decimals))
    for ind in new.indicators:
        was = old_by_id.get(ind.id)
        if was is None:
            continue
        report.continuing.append(ind.id)
        if (was.item, was.sub_item) != (ind.item, ind.sub_item):
            report.renamed.append((was, ind))
        why = _why_incompatible(was, ind)
        if why:
            report.incompatible.append((ind, why))
        else:
            _carry_values(old, out, ind, report)
        report.records += _carry_records(old, out, ind)
    return out, report


def _carry_values(old: Survey, out: Survey, ind: Indicator, report: CarryReport) -> None:
    before = old.values.get(ind.id, {})
    mine = out.values.setdefault(ind.id, {})
    for year in out.years:
        then = before.get(year)
        if then is None:
            continue
        now = mine.get(year)
        if now is None:
            mine[year] = then
            report.values.append((ind.id, year))
            if (ind.id, year) in old.decimals:
                out.decimals[(ind.id, year)] = old.decimals[(ind.id, year)]
        elif now != then:
            report.conflicts.append((ind.id, year, then, now))


def _carry_records(old: Survey, out: Survey, ind: Indicator) -> int:
    records = {year: recs[ind.id] for year, recs in old.history.items() if ind.id in recs}
    last = _last_record(old, ind.id)
    if last is not None:
        records[old.fiscal_year] = last
    for year, rec in records.items():
        out.history.setdefault(year, {})[ind.id] = rec
    return len(records)


def carry_summary(report: CarryReport, old: Survey, new: Survey) -> list[str]:
    """What was carried and what needs a person's eye, in Japanese, one line per fact."""
    lines = [f"前の計画「{old.plan.name}」（{fiscal_year_label(old.fiscal_year)}）から"
             f"次期計画「{new.plan.name}」（{fiscal_year_label(new.fiscal_year)}）へ引き継ぎました。",
             f"同じIDの指標 {report.kept}件：数値 {len(report.values)}件、過年度の取組・評価 {report.records}件を引き継ぎ。"]
    show = {i.id: i for i in new.indicators}
    for ident, year, then, now in report.conflicts:
        ind = show[ident]
        lines.append(f"要確認：{ind.id} {ind.label} {fiscal_year_label(year)}の値が異なります"
                     f"（前の計画 {ind.show(then)}、次期計画のテンプレート {ind.show(now)}）。テンプレートの値のままです。")
    for ind, why in report.incompatible:
        lines.append(f"要確認：{ind.id} {ind.label}：{why}")
    for was, ind in report.renamed:
        lines.append(f"確認：{ind.id} の項目名が変わりました（「{was.label}」→「{ind.label}」）。同じ指標として引き継いでいます。")
    if report.ended:
        lines.append(f"前の計画で終わる指標 {len(report.ended)}件（引き継ぎなし）："
                     + "、".join(f"{i.id} {i.label}" for i in report.ended))
    if report.new:
        lines.append(f"次期計画の新しい指標 {len(report.new)}件（履歴なし）："
                     + "、".join(f"{i.id} {i.label}" for i in report.new))
    return lines


@dataclass
class NextPlan:
    """The following plan's first survey made from the last plan's master, and what was carried."""

    rolled: Rollover  # the new survey, the old plan's year and its indicators without a figure
    report: CarryReport
    old: Survey

    @property
    def needs_a_look(self) -> bool:
        """Something a person should check: a figure missing, values that differ, a unit changed, a rename."""
        r = self.report
        return bool(self.rolled.missing or r.conflicts or r.incompatible or r.renamed)


def roll_into(old: Survey, new: Survey) -> NextPlan:
    """The following plan's first survey (`new`, its blank template) carrying the history of the last
    plan's consolidated master (`old`); `RolloverError`/`CarryError` when the two cannot be chained."""
    year = old.fiscal_year
    if not any(old.values.get(ind.id, {}).get(year) is not None for ind in old.indicators):
        raise RolloverError(f"{fiscal_year_label(year)}の実績値が1件もありません（まだ集約していない調査票です）。"
                            "部署からの提出を集約してから次期計画へ引き継いでください。")
    carried, report = carry_over(old, new)
    missing = [ind for ind in old.indicators if old.values.get(ind.id, {}).get(year) is None]
    texts = sum((r.done is not None) + (r.next is not None) for r in carried.history.get(year, {}).values())
    grades = sum(r.grade is not None for r in carried.history.get(year, {}).values())
    rolled = Rollover(survey=carried, rolled_year=year, missing=missing, texts_kept=texts, grades_kept=grades)
    return NextPlan(rolled=rolled, report=report, old=old)


def next_plan_summary(plan: NextPlan, path: str, *, source: str, backup: str | None = None,
                      bullet: str = "  ・") -> list[str]:
    """What `roll_into` did, in Japanese: the carry-over, the old plan's indicators without a figure, files."""
    old, new = plan.old, plan.rolled.survey
    lines = [f"次期計画の調査票（{fiscal_year_label(new.fiscal_year)}）を作成しました: {path}"]
    lines += carry_summary(plan.report, old, new)
    if plan.rolled.missing:
        lines.append(f"注意: 前の計画の{fiscal_year_label(old.fiscal_year)}に実績値がない指標が "
                     f"{len(plan.rolled.missing)} 件あります：")
        lines += [f"{bullet}［{ind.id}］{ind.label}（{ind.department}）" for ind in plan.rolled.missing[:MAX_LISTED]]
        if len(plan.rolled.missing) > MAX_LISTED:
            lines.append(f"{bullet}ほか {len(plan.rolled.missing) - MAX_LISTED} 件")
    lines.append(f"前の計画の調査票 {source} は変更していません。")
    if backup:
        lines.append(f"同じ名前の既存のファイルをバックアップしました: {backup}")
    return lines
