"""A checked return as plain data: findings, entries, the submission, and the recorder of findings.

`core.checks` fills these in (`check_submission`); consolidation, the
commands and the add-in read them. Every finding is safe to write anywhere:
whatever it quotes has no character a cell cannot hold (`core.model.text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping, NoReturn

from welfare_xl.core.model.cells import HiddenValue, parse_cell
from welfare_xl.core.model.metadata import Meta
from welfare_xl.core.model.survey import Indicator
from welfare_xl.core.model.text import CONTROL_RE, printable


class Severity(StrEnum):
    """How bad a finding is; the value is what JSON output and tools see."""

    ERROR = "error"  # the indicator (or, when fatal, the whole file) is not consolidated
    WARNING = "warning"  # the department is asked to confirm

# Fatal findings meaning the file is not from this survey at all (no 管理情報; another
# plan, year or template version) or not the return of the department its 管理情報 names
# (another department's rows, or a 管理情報 without that department's indicators), as
# opposed to a file of this survey the department broke.
FOREIGN_CODES = frozenset({"not_from_template", "wrong_template", "other_department", "no_department"})

# Warnings about a figure or text the department saw when it checked its own sheet, and that ask
# nothing of the secretariat: kept in the 集約ログ, but not in a run's summary nor its exit code.
# Every other warning on a file that is used (a text changed on reading, text no one reads, a draft
# sheet, a row of no indicator) is shown with the run's own and makes the run exit 1.
ROUTINE_WARNINGS = frozenset({"normalized", "not_available", "big_change", "text_long"})


@dataclass(frozen=True, slots=True)  # slots: a large folder holds tens of thousands
class Finding:
    severity: Severity
    code: str  # machine-readable kind of finding (for tests and tools)
    message: str  # Japanese: what is wrong and what to do
    file: str = ""
    sheet: str | None = None
    cell: str | None = None
    indicator_id: str | None = None
    indicator: str | None = None

    def __post_init__(self) -> None:
        # Any part may quote what a department typed or named: keep each one writable to a sheet.
        parts = (self.message, self.file, self.sheet, self.cell, self.indicator_id, self.indicator)
        try:  # all parts at once first (a control character is one character: none spans two parts)
            if not CONTROL_RE.search("".join(filter(None, parts))):
                return
        except TypeError:  # a part that is no text: each part on its own
            pass
        for name in ("message", "file", "sheet", "cell", "indicator_id", "indicator"):
            value = getattr(self, name)
            if isinstance(value, str) and CONTROL_RE.search(value):
                object.__setattr__(self, name, printable(value))

    def to_dict(self) -> dict[str, Any]:
        return {"severity": str(self.severity), "file": self.file, "sheet": self.sheet, "cell": self.cell,
                "indicator_id": self.indicator_id, "indicator": self.indicator, "message": self.message}

    @property
    def routine(self) -> bool:
        """A warning the department has already seen on its own sheet and the secretariat need not."""
        return self.severity == Severity.WARNING and self.code in ROUTINE_WARNINGS

    @property
    def mark(self) -> str:
        return "エラー" if self.severity == Severity.ERROR else "注意"

    def describe(self, *, file: bool = True, sheet: bool = True, cell: bool = True, subject: bool = True,
                 mark: str | None = ": ", sep: str = " ") -> str:
        """The one way a finding is written for people, with what the context already says left out.

        `エラー: 地域共生課.xlsx／地域共生課／H9 ［G2-02b］延べ利用者数 message`: `mark` follows
        エラー/注意 (None: no mark), `sep` stands before the message; `file`, `sheet`,
        `cell` and `subject` (the indicator) drop a part when False.
        """
        place = "／".join(x for x in (self.file if file else None, self.sheet if sheet else None,
                                      self.cell if cell else None) if x)
        who = f"［{self.indicator_id}］{self.indicator or ''}" if subject and self.indicator_id else ""
        head = " ".join(x for x in (place, who) if x)
        text = f"{head}{sep}{self.message}" if head else self.message
        return f"{self.mark}{mark}{text}" if mark is not None else text

    def line(self) -> str:
        """One line for a terminal: everything, the file first."""
        return self.describe()


@dataclass(slots=True)  # slots: a large folder holds tens of thousands
class Entry:
    """What a department's sheet says for one indicator, after normalization."""

    indicator: Indicator
    row: int
    value: Any = None  # number, NOT_AVAILABLE or None
    raw: Any = None
    done: str | None = None
    next: str | None = None
    cells: Mapping[str, str] = field(default_factory=dict)  # key -> A1 reference (`layout.Table.refs`)
    ok: bool = True


@dataclass
class Submission:
    """A department's returned worksheet, read and checked."""

    file: str
    meta: Meta | None = None
    department: str | None = None
    sheet: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    saved: datetime | None = None
    fatal: bool = False  # the file as a whole cannot be used

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def foreign(self) -> bool:
        """The file does not belong to this survey: it can never stand for a department's return."""
        return self.meta is None or any(f.code in FOREIGN_CODES for f in self.errors)

    def failed_ids(self) -> set[str]:
        return {f.indicator_id for f in self.errors if f.indicator_id}

    def by_indicator(self) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
        """Errors and warnings per indicator ID, each in its order (`errors`, `warnings` and
        `failed_ids` for every indicator at once: one pass, not one per indicator)."""
        errors: dict[str, list[Finding]] = {}
        warnings: dict[str, list[Finding]] = {}
        for f in self.findings:
            if f.indicator_id and f.severity in (Severity.ERROR, Severity.WARNING):
                (errors if f.severity == Severity.ERROR else warnings).setdefault(f.indicator_id, []).append(f)
        return errors, warnings


class Unusable(Exception):
    """The file as a whole cannot be used; the findings recorded so far say why."""


class Checker:
    """Records findings on a submission, marking an indicator's entry failed on its errors."""

    def __init__(self, sub: Submission) -> None:
        self.sub = sub
        self.hidden: Mapping[tuple[int, int], HiddenValue] = {}  # the submission's sheet's hidden cells

    def hidden_at(self, ref: str) -> HiddenValue | None:
        """What a values-only reader hid in the cell at `ref` (an error value, an uncalculated formula)."""
        # `self.hidden` may be lazy (found on first use): ask it, never test its truth.
        return self.hidden.get(parse_cell(ref))

    def add(self, severity: Severity, code: str, message: str, *, cell: str | None = None,
            ind: Indicator | None = None) -> None:
        self.sub.findings.append(Finding(
            severity, code, message, file=self.sub.file, sheet=self.sub.sheet, cell=cell,
            indicator_id=ind.id if ind else None, indicator=ind.label if ind else None))
        if severity == Severity.ERROR and ind is not None and ind.id in self.sub.entries:
            self.sub.entries[ind.id].ok = False

    def fatal(self, code: str, message: str) -> NoReturn:
        """Record why the file cannot be used, and stop checking it."""
        self.add(Severity.ERROR, code, message)
        self.stop()

    def stop(self) -> NoReturn:
        """Stop checking a file the findings so far make unusable."""
        self.sub.fatal = True
        raise Unusable
