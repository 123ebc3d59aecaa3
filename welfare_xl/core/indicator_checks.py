"""The checks that follow what the template says an indicator may be (issue 9): its value range, its
co-owners, and the figure it had when it was last recorded.

Part of `core.checks` (`check_submission` calls them), kept apart for size: each records findings on
the `Checker` of one return.
"""

from __future__ import annotations

from typing import Any

from welfare_xl.core.findings import Checker, Entry, Severity
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_str
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import Kind, format_value
from welfare_xl.core.model.survey import Indicator, Survey, last_recorded
from welfare_xl.core.model.text import shortened
from welfare_xl.core.reading import master_value


def out_of_range(checker: Checker, ind: Indicator, value: float, shown: str, cell: str) -> bool:
    """An error for a value outside the indicator's range (`Indicator.value_range`), in today's words
    where the template keeps today's rule (at least 0; a percent at most 100 %); False when inside."""
    low, high = ind.value_range
    if low <= value <= high:
        return False
    if value < low and ind.minimum is None:
        checker.add(Severity.ERROR, "negative", f"実績値が負の数（{shown}）です。0以上の数値を入力してください。", cell=cell, ind=ind)
    elif ind.kind is Kind.PERCENT and ind.minimum is None and ind.maximum is None:
        checker.add(Severity.ERROR, "percent_range", f"割合が0％～100％の範囲外（{shown}）です。"
                    "50.70% のように％で入力してください。", cell=cell, ind=ind)
    else:
        checker.add(Severity.ERROR, "out_of_range", f"実績値（{shown}）がこの指標の範囲（{ind.range_label}）の外です。"
                    "値と単位を確かめて入力し直してください。", cell=cell, ind=ind)
    return True


def label_text(value: Any) -> str:
    """A cell's text as the form wrote it (line ends as Excel keeps them)."""
    return cell_str(value).replace("\r\n", "\n")


def check_change(checker: Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entries: dict[str, Entry],
                 reference: Survey | None) -> None:
    """A warning for a figure far from the previous figure actually recorded (a year of '－' or none is
    skipped, and named), unless the item's 取組状況 gives a reason. An indicator whose range goes
    below 0 (a rate of change itself) gets none: a relative change of a figure that may change sign
    says nothing (`Indicator.change_compared`)."""
    entry = entries[ind.id]
    if not entry.ok or not isinstance(entry.value, (int, float)) or not ind.change_compared:
        return
    # The master's figures when known: the file's locked cells may have been altered.
    source = reference if reference is not None else survey
    history = (reference.values.get(ind.id, {}) if reference is not None else
               {y: master_value(row.get(layout.year_key(y)), ind) for y in survey.history_years})
    prev_year = last_recorded(history, survey.fiscal_year)
    if prev_year is None or not history[prev_year]:
        return
    prev = history[prev_year]
    change = entry.value / prev - 1
    if abs(change) <= survey.config.change_warn_ratio:
        return
    lead = entries.get(ind.group) or entry
    text = lead.done or ""
    if any(word in text for word in survey.config.reason_words):
        return
    shown = format_value(prev, ind.unit, ind.kind, source.value_decimals(ind, prev_year))
    since = "前年度" if prev_year == survey.fiscal_year - 1 else "直近の実績"
    checker.add(Severity.WARNING, "big_change",
                f"{since}（{fiscal_year_label(prev_year)}：{shown}）から"
                f"{change:+.0%}変化しています。値が正しいか確認し、増減の理由を{survey.plan.header('done_word')}に記入してください。",
                cell=entry.cells[layout.year_key(survey.fiscal_year)], ind=ind)


def check_co_owned(checker: Checker, survey: Survey, table: layout.Table, form: dict[str, layout.TableRow]) -> None:
    """A value or text typed into a co-owned row (locked, answered by another department) is reported,
    never taken: only the answering department's return supplies the indicator."""
    department = checker.sub.department or ""
    defs = {i.id: i for i in survey.indicators}
    keys = [k for k in (layout.year_key(survey.fiscal_year), layout.DONE, layout.NEXT) if k in table.columns]
    for row in table.rows:
        ind = defs.get(row.id)
        if ind is None or ind.department == department or not ind.owned_by(department):
            continue
        given = form.get(row.id)
        for key in keys:
            got = row.get(key)
            if got is None or (given is not None and label_text(got) == label_text(given.get(key))):
                continue
            checker.add(Severity.WARNING, "co_owned_input",
                        f"この指標は{ind.department}が回答します（{department}は共同で担当）。このセルの入力"
                        f"（{shortened(label_text(got).replace(chr(10), ' '))}）は集約しません。"
                        f"値や内容を伝える場合は{ind.department}に連絡してください。", cell=table.ref(row, key), ind=ind)
