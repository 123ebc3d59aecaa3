"""The survey model: a plan, its indicators and the values of one survey year.

Plain data only. The template workbook (or its TOML source) is the source of
truth; adapters turn it into these objects and back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterable, Union

from welfare_xl.core.model.eras import document_number, fiscal_year_label
from welfare_xl.core.model.numbers import Kind, format_value
from welfare_xl.core.model.wording import DEFAULT_HEADERS

# A cell's value in the model: a number, None (nothing entered) or the
# not-available mark '－' that the seed prints where no figure exists.
NOT_AVAILABLE = "－"
NO_LIMIT = float("inf")  # a value range without a bound on one side (Indicator.minimum / maximum)
Value = Union[int, float, str, None]


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    title: str
    label: str  # the document label printed top right, e.g. 資料２
    sheet: str  # name of the master sheet
    start_year: int  # first plan year (計画1年目)
    target_year: int
    baseline_year: int
    year_marks: dict[int, str] = field(default_factory=dict)  # footnote marks per year column
    footnotes: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # overrides of DEFAULT_HEADERS

    def header(self, key: str, **fields: object) -> str:
        return self.headers.get(key, DEFAULT_HEADERS[key]).format(**fields)

    def plan_year_no(self, year: int) -> int:
        """1 for the plan's first year (計画1年目)."""
        return year - self.start_year + 1


@dataclass(frozen=True)
class Goal:
    no: int
    name: str
    directions: tuple[str, ...]
    pages: str
    # The plan's wording of a goal's label (key goal_label); `Survey` sets it from its plan.
    label_format: str = DEFAULT_HEADERS["goal_label"]

    @property
    def label(self) -> str:
        """基本目標１, 基本目標12: the plan's goal label with the number as documents write it."""
        return self.label_format.format(n=document_number(self.no))

    @property
    def cell_text(self) -> str:
        """The master's merged goal cell as the plan book prints it: label, name, directions."""
        lines = [self.label, self.name] + [f"　・{d}" for d in self.directions]
        return "\n".join(lines)


@dataclass(frozen=True)
class Indicator:
    id: str
    goal: int
    item: str
    department: str
    unit: str
    kind: Kind
    sub_item: str = ""
    item_note: str = ""
    decimals: int = 0  # decimals of the input cell's display format
    direction: int | None = None  # +1 higher is better, -1 lower; None: from target vs baseline
    group: str = ""  # id of the item's first row: sub-items share its texts
    # The range a value may take, as stored (a percent as a fraction). None: today's rule (at
    # least 0; a percent at most 100 %); NO_LIMIT (±inf): no bound on that side.
    minimum: float | None = None
    maximum: float | None = None
    # Departments that co-own the indicator besides `department`, which alone answers it: they see
    # its row in their form, locked and marked as answered by `department`, and never supply it.
    co_departments: tuple[str, ...] = ()
    # Years in which '－' (not surveyed that year) is a planned answer: True for every year, or the
    # years. Such a '－' draws no finding, and the grade reaches back to the latest recorded value.
    not_surveyed: bool | tuple[int, ...] = False

    @property
    def label(self) -> str:
        """How a person names the indicator: item, and sub-item when there is one."""
        return f"{self.item}（{self.sub_item}）" if self.sub_item else self.item

    @property
    def item_text(self) -> str:
        return f"{self.item}\n{self.item_note}" if self.item_note else self.item

    def show(self, value: object) -> str:
        """A value of this indicator as a person reads it: 513人, 50.70%, 2.13人/km, －, （空欄）."""
        if value is None:
            return "（空欄）"
        if value == NOT_AVAILABLE or isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return format_value(value, self.unit, self.kind, self.decimals)

    @property
    def lead(self) -> bool:
        """True for the row that carries the item's texts."""
        return self.group in ("", self.id)

    @property
    def value_range(self) -> tuple[float, float]:
        """(lowest, highest) value allowed, as stored; a side without a bound is infinite."""
        low = 0.0 if self.minimum is None else self.minimum
        high = (1.0 if self.kind is Kind.PERCENT else NO_LIMIT) if self.maximum is None else self.maximum
        return low, high

    @property
    def change_compared(self) -> bool:
        """True when a figure is compared with the previous one as a ratio (check's year-over-year
        warning): its range starts at 0 or above. A figure that may go below 0 (a rate of change
        itself) may change sign, and its ratio says nothing."""
        return self.value_range[0] >= 0

    @property
    def range_label(self) -> str:
        """The value range as a person reads it: 0.0%～120.0%, -50.0%以上, 10人以下."""
        low, high = self.value_range
        if math.isinf(low) and math.isinf(high):
            return "制限なし"
        if math.isinf(high):
            return f"{self.show(low)}以上"
        if math.isinf(low):
            return f"{self.show(high)}以下"
        return f"{self.show(low)}～{self.show(high)}"

    def owned_by(self, department: str) -> bool:
        """True for the department that answers the indicator and for each co-owner."""
        return department == self.department or department in self.co_departments

    def may_skip(self, year: int) -> bool:
        """True when '－' (not surveyed) is a planned answer for `year`."""
        return self.not_surveyed is True or (isinstance(self.not_surveyed, tuple) and year in self.not_surveyed)


@dataclass(frozen=True)
class Config:
    change_warn_ratio: float = 0.5
    reason_words: tuple[str, ...] = ("増", "減", "理由", "影響", "ため", "により", "によって")
    # Progress grading (progress.py). pro_rata: a year is on track when progress
    # reaches the share of the plan period elapsed; "improvement": when it is >= 0.
    grade_rule: str = "pro_rata"
    achieved_at: float = 1.0  # progress at or above this is 達成
    # Optional fixed expected progress per fiscal year (e.g. 多摩市's 20/40/60/80/100 %),
    # overriding pro_rata for the years it names.
    expected_shares: tuple[tuple[int, float], ...] = ()
    # Lines a printed text cell shows before the text is cut off; with the
    # column width this gives how many characters fit (layout.text_capacity).
    text_max_lines: int = 7
    # Limits on what one returned file may hold (files.reader checks the first
    # four before parsing, core.checks the last two); over a limit, that file
    # alone is refused with a Japanese reason.
    max_file_mb: float = 20.0  # the .xlsx file as sent
    max_unzipped_mb: float = 100.0  # all its parts inflated
    max_inflate_ratio: float = 100.0  # inflated / compressed, for a part over 1 MB inflated
    max_sheet_cells: int = 1_000_000  # rows x columns of a sheet that is read
    max_parts: int = 10_000  # files inside the .xlsx (Excel writes a few dozen)
    max_text_chars: int = 32_767  # a typed text (Excel's own cell limit)
    max_number: float = 1e15  # magnitude of a typed value (Excel keeps 15 digits)
    # The final evaluation in the plan's target year (core/final.py).
    final_achieved_at: float | None = None  # achievement at or above this is 達成; None: achieved_at
    final_unchanged_band: float = 0.1  # |achievement| below this (a share of |target − baseline|) is 変化なし
    mid_year: int | None = None  # the mid-term value's year; None: the middle year of the plan period


#: Config fields that are plain numeric limits, read and written the same way everywhere.
LIMIT_FIELDS = ("max_file_mb", "max_unzipped_mb", "max_inflate_ratio", "max_sheet_cells", "max_parts",
                "max_text_chars", "max_number")


def limits_from(settings: dict, prefix: str = "") -> dict[str, float | int]:
    """The limit fields found in `settings` (keys `prefix + name`), each as its default's type."""
    out: dict[str, float | int] = {}
    for name in LIMIT_FIELDS:
        raw = settings.get(prefix + name)
        if raw is not None and raw != "":
            out[name] = type(getattr(Config, name))(float(raw))
    return out


@dataclass(frozen=True)
class YearRecord:
    """What one past survey year left for one indicator besides its value: its texts and grade.

    The value itself stays in the master sheet's year column; these are kept in the
    history sheet (過年度) when the survey rolls over to the next year, so nothing
    of a year is lost.
    """

    done: str | None = None  # the year's 取組状況 (on the item's lead row)
    next: str | None = None  # the year's 今後の展開
    grade: str | None = None  # the 進捗評価 label the master showed, e.g. 「○ 順調」


@dataclass
class Survey:
    """One year's survey: definitions plus the values and texts of every row."""

    plan: Plan
    fiscal_year: int
    template_version: str
    goals: tuple[Goal, ...]
    indicators: tuple[Indicator, ...]
    config: Config = field(default_factory=Config)
    values: dict[str, dict[int, Value]] = field(default_factory=dict)
    targets: dict[str, Value] = field(default_factory=dict)
    texts: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    grades: dict[str, str | None] = field(default_factory=dict)
    # Past survey years: year -> indicator id -> its texts and grade of that year.
    history: dict[int, dict[str, YearRecord]] = field(default_factory=dict)
    # Display decimals of single values that differ from their indicator's
    # (the plan book prints 48.4% beside 50.70%): (id, year or "target") -> decimals.
    decimals: dict[tuple[str, int | str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Goals are labelled in the plan's own words, however the survey was made.
        label_format = self.plan.headers.get("goal_label", DEFAULT_HEADERS["goal_label"])
        if any(g.label_format != label_format for g in self.goals):
            self.goals = tuple(replace(g, label_format=label_format) for g in self.goals)

    @property
    def years(self) -> list[int]:
        """Year columns, baseline through the survey year."""
        return list(range(self.plan.baseline_year, self.fiscal_year + 1))

    @property
    def history_years(self) -> list[int]:
        return self.years[:-1]

    @property
    def departments(self) -> list[str]:
        return list(dict.fromkeys(i.department for i in self.indicators))

    def department_of(self, ids: Iterable[str]) -> str | None:
        """The department whose form holds the indicators `ids` (a department sheet's rows): the one
        owning them all, one that answers some of them where co-owners share them; None when no
        department, or more than one, can be told."""
        wanted = set(ids)
        inds = [i for i in self.indicators if i.id in wanted]
        if not inds:
            return None
        owners = set.intersection(*({i.department, *i.co_departments} for i in inds))
        if len(owners) > 1:
            owners &= {i.department for i in inds}
        return owners.pop() if len(owners) == 1 else None

    def indicator(self, indicator_id: str) -> Indicator:
        return self._by_id()[indicator_id]

    def _by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    def value_decimals(self, ind: Indicator, key: int | str) -> int:
        """Decimals a value (year or "target") is shown with: its own, else its indicator's."""
        return self.decimals.get((ind.id, key), ind.decimals)

    def goal(self, no: int) -> Goal:
        return next(g for g in self.goals if g.no == no)

    def for_department(self, department: str) -> "Survey":
        """The same survey restricted to one department's rows: those it answers and those it co-owns."""
        keep = tuple(i for i in self.indicators if i.owned_by(department))
        if not keep:
            raise KeyError(department)
        ids = {i.id for i in keep}
        goals = tuple(g for g in self.goals if any(i.goal == g.no for i in keep))
        return replace(
            self,
            goals=goals,
            indicators=keep,
            values={k: dict(v) for k, v in self.values.items() if k in ids},
            targets={k: v for k, v in self.targets.items() if k in ids},
            texts={k: v for k, v in self.texts.items() if k in ids},
            grades={k: v for k, v in self.grades.items() if k in ids},
            history={y: {k: v for k, v in recs.items() if k in ids} for y, recs in self.history.items()},
            decimals={k: v for k, v in self.decimals.items() if k[0] in ids},
        )

    def year_header(self, year: int) -> str:
        """Column header of a year: 平成29年度（現状値）, 令和元年度（計画1年目）."""
        label = fiscal_year_label(year)
        if year == self.plan.baseline_year:
            return f"{label}\n{self.plan.header('baseline')}"
        if self.plan.start_year <= year <= self.plan.target_year:
            return f"{label}\n{self.plan.header('plan_year', n=self.plan.plan_year_no(year))}"
        return label

    def target_header(self) -> str:
        return f"{fiscal_year_label(self.plan.target_year)}\n{self.plan.header('target')}"

    def _year_fields(self) -> dict[str, str]:
        return {"year": fiscal_year_label(self.fiscal_year), "next_year": fiscal_year_label(self.fiscal_year + 1)}

    def done_header(self) -> tuple[str, str]:
        f = self._year_fields()
        return (self.plan.header("done", **f), self.plan.header("done_note", **f))

    def next_header(self) -> tuple[str, str]:
        f = self._year_fields()
        return (self.plan.header("next", **f), self.plan.header("next_note", **f))


def last_recorded(values: dict[int, Value], before: int) -> int | None:
    """The latest year before `before` whose value is a number: a year of '－' (not surveyed) or
    with nothing entered is skipped. None when no earlier year has one."""
    years = [y for y, v in values.items() if y < before and isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(years, default=None)


def assign_groups(indicators: list[Indicator]) -> tuple[Indicator, ...]:
    """Sub-items of one item (same goal, item and department) share the first row's texts."""
    first: dict[tuple[int, str, str], str] = {}
    out = []
    for ind in indicators:
        key = (ind.goal, ind.item, ind.department)
        first.setdefault(key, ind.id)
        out.append(replace(ind, group=first[key]))
    return tuple(out)
