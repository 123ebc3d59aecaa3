"""What a consolidation run takes and gives: plain data, its statuses and its JSON.

Inputs are `ReceivedFile`s (a checked submission with its file time) and
`SkippedFile`s (folder entries not read as a workbook). The output is a
`ConsolidationResult`: a `FileOutcome` per file, an `IndicatorOutcome` per
indicator, a `DepartmentStatus` per department (the 提出状況 table) and the
`CellChange`s to make on the master sheet, which the add-in writes in
`column_runs`. `SubmissionStatus` is the part of a result the 提出状況 command
and button show; `UndoPlan` is what 元に戻す will do (see `undo.plan_undo`).

The statuses (`FileStatus`, `DepartmentState`, `IndicatorStatus`) are
`StrEnum`s whose values are what the JSON output and the log say
(`"accepted"`, `"missing"` ...), each member with its Japanese `label`. Typed cell
values travel as JSON through `to_jsonable` / `from_jsonable`, so a datetime or
an infinite float comes back as what it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Iterable

from welfare_xl.core.checks import Finding, Submission
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Formula, HiddenValue, cell_ref  # Formula: a CellChange value too
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Indicator, Plan, Survey
from welfare_xl.core.progress import Grade, grade_from_label, grade_style
from welfare_xl.core.sheets.spec import Style

# --- statuses -------------------------------------------------------------------------------


class _Status(StrEnum):
    """A status: its value is the word the JSON output says, `label` what people read."""

    label: str

    def __new__(cls, value: str, label: str) -> "_Status":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class FileStatus(_Status):
    """What consolidation did with a file of the folder."""

    ACCEPTED = "accepted", "反映"  # every indicator taken
    PARTLY_REJECTED = "partly_rejected", "一部不採用"  # some indicators refused for their errors
    REJECTED = "rejected", "不採用"  # nothing taken: errors, or not a return of this survey
    SUPERSEDED = "superseded", "差し替え前"  # a newer return of the same department won
    BLANK = "blank", "未記入"  # the form as distributed: nothing typed in it (nothing taken)
    IGNORED = "ignored", "対象外"  # not read as a return (lock file, not a workbook, a survey)


class DepartmentState(_Status):
    """Where a department stands (a line of the 提出状況 table); the order is the table's."""

    SUBMITTED = "submitted", "提出済"
    RESUBMITTED = "resubmitted", "差し替え"  # taken from the newest of several returns
    MISSING = "missing", "未提出"
    BLANK = "blank", "未記入"  # its newest return is the form as distributed, nothing typed in it
    FAILED = "error", "エラー"  # its newest return, or a part of it, could not be used


class IndicatorStatus(_Status):
    """What happened to an indicator of the master."""

    UPDATED = "updated", "反映（変更あり）"  # taken, and a cell changed
    UNCHANGED = "unchanged", "反映（変更なし）"  # taken; the master already held it
    REJECTED = "rejected", "不採用"  # an error in the winning return: the master keeps its figures
    NOT_SUBMITTED = "not_submitted", "未提出"  # the department has no return
    NO_ROW = "no_row", "集約先に行なし"  # taken, but the master sheet has no row for it


# Files whose errors kept something out of the master.
REFUSED = (FileStatus.REJECTED, FileStatus.PARTLY_REJECTED)
# Files whose figures went (at least in part) into the master.
TAKEN = (FileStatus.ACCEPTED, FileStatus.PARTLY_REJECTED)
# Files the secretariat should look at: refused, sent back blank, or not read at all.
TO_CHECK = (FileStatus.IGNORED, FileStatus.BLANK, *REFUSED)
# What a form as distributed says when checked: every input empty, nothing else wrong.
BLANK_CODES = frozenset({"blank", "text_missing"})


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedFile:
    """A workbook found in the submissions folder, read and checked."""

    submission: Submission
    mtime: datetime | None = None  # the file system's modification time

    @property
    def name(self) -> str:
        return self.submission.file


@dataclass(frozen=True)
class SkippedFile:
    """A folder entry that was not read as a submission (lock file, not a workbook ...)."""

    file: str
    reason: str  # Japanese
    refused: bool = False  # meant as a return (another format, a link): 不採用, not 対象外


# --- the changes ----------------------------------------------------------------------------


def shown(value: Any) -> Any:
    """A CellChange value as a values-only reader shows it: a formula's cached result, an error as empty."""
    if isinstance(value, Formula):
        return value.value
    if isinstance(value, HiddenValue):
        return None
    return value


@dataclass(frozen=True)
class CellChange:
    """One cell to set on the master sheet: (row0, col0, key, indicator_id, old, new).

    `old` is the cell's content before: as the reader returned it, or, once the
    writer has looked at the cell (what the 集約ログ records), what it really held:
    a `Formula`, an error (`HiddenValue` "error") or the constant. `new` is what
    to write. A str is always written as text, never as a formula, whatever it
    begins with; a `Formula` as a formula. `style`, when set, is the cell's
    style to apply with the value (the 進捗評価 cells: behind grades are hatched).
    """

    row: int
    col: int
    key: str
    indicator_id: str
    old: Any
    new: Any
    sheet: str = ""
    style: Style | None = None
    # Where the 集約ログ recorded the cell, when it was re-located for undo: information only.
    logged_ref: str | None = field(default=None, compare=False)

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    def reverted(self) -> "CellChange":
        """The change that puts the old content back."""
        style = grade_style(grade_from_label(shown(self.old))) if self.key == layout.GRADE else None
        return replace(self, old=self.new, new=self.old, style=style)

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.ref, "row": self.row, "col": self.col, "key": self.key,
                "indicator_id": self.indicator_id, "old": to_jsonable(self.old), "new": to_jsonable(self.new)}


@dataclass(frozen=True)
class ColumnRun:
    """Changes to consecutive rows of one column: one bulk write for the add-in."""

    sheet: str
    col: int
    first_row: int
    values: tuple[Any, ...]  # new values, top to bottom

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.values) - 1

    @property
    def ref(self) -> str:
        first, last = cell_ref(self.first_row, self.col), cell_ref(self.last_row, self.col)
        return first if first == last else f"{first}:{last}"


def column_runs(changes: Iterable[CellChange]) -> list[ColumnRun]:
    """Changes grouped into runs of consecutive rows per column, for one bulk write each."""
    by_col: dict[tuple[str, int], dict[int, Any]] = {}
    for ch in changes:
        by_col.setdefault((ch.sheet, ch.col), {})[ch.row] = ch.new
    runs = []
    for (sheet, col), cells in sorted(by_col.items()):
        rows = sorted(cells)
        start = prev = rows[0]
        for row in rows[1:] + [None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            runs.append(ColumnRun(sheet, col, start, tuple(cells[x] for x in range(start, prev + 1))))
            if row is not None:
                start = prev = row
    return runs


# --- the outcomes ---------------------------------------------------------------------------


class _Labelled:
    """An outcome whose `status` people read as its `label`."""

    status: _Status

    @property
    def label(self) -> str:
        return self.status.label


@dataclass
class FileOutcome(_Labelled):
    """What consolidation did with one file of the folder."""

    file: str
    status: FileStatus
    department: str | None = None
    saved: datetime | None = None
    mtime: datetime | None = None
    superseded_by: str | None = None
    accepted: list[str] = field(default_factory=list)  # indicator IDs taken from this file
    rejected: list[str] = field(default_factory=list)  # indicator IDs refused because of errors
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    note: str = ""  # Japanese: the reason in one sentence

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status.value, "status_label": self.label,
            "department": self.department, "saved": _iso(self.saved), "mtime": _iso(self.mtime),
            "superseded_by": self.superseded_by, "accepted": list(self.accepted), "rejected": list(self.rejected),
            "note": self.note, **_findings_json(errors=self.errors, warnings=self.warnings),
        }


@dataclass
class IndicatorOutcome(_Labelled):
    """One indicator of the master: where its figures came from and what changed."""

    indicator: Indicator
    status: IndicatorStatus
    source: str | None = None  # the file the department's figures were taken from
    row: int | None = None  # 0-based row of the master sheet
    old_value: Any = None
    new_value: Any = None
    old_texts: tuple[str | None, str | None] | None = None  # item's first row only
    new_texts: tuple[str | None, str | None] | None = None
    grade: Grade | None = None  # after consolidation
    old_grade: str | None = None
    reasons: list[Finding] = field(default_factory=list)  # the errors that rejected it
    warnings: list[Finding] = field(default_factory=list)  # what the check asked the department to confirm

    def to_json(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            "indicator_id": ind.id, "label": ind.label, "department": ind.department, "unit": ind.unit,
            "status": self.status.value, "status_label": self.label, "source": self.source,
            "old_value": to_jsonable(self.old_value), "new_value": to_jsonable(self.new_value),
            "old_texts": list(self.old_texts) if self.old_texts is not None else None,
            "new_texts": list(self.new_texts) if self.new_texts is not None else None,
            "old_grade": self.old_grade, "grade": self.grade.label if self.grade else None,
            "grade_code": self.grade.code if self.grade else None,
            # the year a grade's baseline or figure was taken from instead (footnoted; None: its own)
            "grade_baseline_year": self.grade.baseline_year if self.grade else None,
            "grade_value_year": self.grade.value_year if self.grade else None,
            **_findings_json(reasons=self.reasons, warnings=self.warnings),
        }


@dataclass
class DepartmentStatus(_Labelled):
    """One line of the 提出状況 table."""

    department: str
    status: DepartmentState
    file: str | None = None  # the file whose figures were taken
    files: list[str] = field(default_factory=list)  # every file of this department, newest first
    saved: datetime | None = None
    note: str = ""

    @property
    def done(self) -> bool:
        return self.status in (DepartmentState.SUBMITTED, DepartmentState.RESUBMITTED)

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "status": self.status.value, "status_label": self.label,
                "file": self.file, "files": list(self.files), "saved": _iso(self.saved), "note": self.note}


@dataclass
class ConsolidationResult:
    """Everything one consolidation run decided; plain data for both adapters and the log."""

    run_at: datetime
    survey_file: str
    folder: str
    sheet: str  # the master sheet the changes are for
    fiscal_year: int
    departments: list[DepartmentStatus]
    files: list[FileOutcome]
    indicators: list[IndicatorOutcome]
    changes: list[CellChange]
    survey: Survey  # the master's survey after consolidation
    problems: list[str] = field(default_factory=list)  # Japanese: issues of the master itself
    output: str = ""  # set by the adapter that wrote the result
    backup: str | None = None
    # Decisions the secretariat should confirm (two returns saved at the same moment that
    # disagree): the result stands, but the run is not complete (exit code 1).
    warnings: list[Finding] = field(default_factory=list)

    @property
    def returns(self) -> list[FileOutcome]:
        """The files read as returns (not the ones left aside unread: lock files, other kinds of file)."""
        return [f for f in self.files if f.status != FileStatus.IGNORED]

    @property
    def taken_any(self) -> bool:
        """Some return's figures were taken (whole or in part)."""
        return any(f.status in TAKEN for f in self.files)

    @property
    def all_taken(self) -> bool:
        """Something was submitted, every department submitted, every file went through cleanly, the
        master had no problem (decisions to confirm may remain)."""
        return (self.taken_any and all(d.done for d in self.departments) and not self.problems
                and not any(f.status in REFUSED for f in self.files))

    @property
    def to_confirm(self) -> list[Finding]:
        """What the secretariat should confirm: the run's own warnings, then the warnings on the files
        whose figures were used that are not routine (`Finding.routine`), each once."""
        found = list(self.warnings)
        found += [w for f in self.files if f.status in TAKEN for w in f.warnings if not w.routine]
        return list(dict.fromkeys(found))

    @property
    def complete(self) -> bool:
        """Every department submitted, every file went through cleanly, nothing to confirm."""
        return self.all_taken and not self.to_confirm

    @property
    def exit_code(self) -> int:
        return 0 if self.complete else 1

    def counts(self) -> dict[str, int]:
        """Departments per status, in the 提出状況 table's order, keyed by the JSON value."""
        return {state.value: sum(d.status == state for d in self.departments) for state in DepartmentState}

    def to_json(self) -> dict[str, Any]:
        rejected = [o for o in self.indicators if o.status == IndicatorStatus.REJECTED]
        return {
            "format": "welfare-xl-consolidation/1",
            "run_at": _iso(self.run_at), "survey": self.survey_file, "folder": self.folder,
            "output": self.output, "backup": self.backup, "sheet": self.sheet,
            "fiscal_year": self.fiscal_year, "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "exit_code": self.exit_code, "complete": self.complete,
            "summary": {
                "departments": len(self.departments), **self.counts(),
                "files": len(self.files),
                "updated_indicators": sum(o.status == IndicatorStatus.UPDATED for o in self.indicators),
                "rejected_indicators": len(rejected),
                "changed_cells": len(self.changes),
            },
            "departments": [d.to_json() for d in self.departments],
            "files": [f.to_json() for f in self.files],
            "indicators": [o.to_json() for o in self.indicators],
            "changes": [c.to_json() for c in self.changes],
            "problems": list(self.problems), **_findings_json(warnings=self.warnings),
        }


@dataclass
class SubmissionStatus:
    """Who has submitted, from the folder alone (nothing is written)."""

    fiscal_year: int
    survey_file: str
    folder: str
    departments: list[DepartmentStatus]
    files: list[FileOutcome]
    warnings: list[Finding] = field(default_factory=list)

    @classmethod
    def of(cls, result: ConsolidationResult) -> "SubmissionStatus":
        return cls(result.fiscal_year, result.survey_file, result.folder, result.departments, result.files,
                   result.to_confirm)

    @property
    def complete(self) -> bool:
        return bool(self.departments) and all(d.done for d in self.departments) and not self.warnings and not any(
            f.status in REFUSED for f in self.files)

    @property
    def all_in(self) -> bool:
        """Every department has a usable return and no file needs a look (warnings may remain)."""
        return all(d.done for d in self.departments) and not any(f.status in TO_CHECK for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {"survey": self.survey_file, "folder": self.folder, "fiscal_year": self.fiscal_year,
                "complete": self.complete,
                "departments": [d.to_json() for d in self.departments],
                "files": [f.to_json() for f in self.files], **_findings_json(warnings=self.warnings)}


@dataclass
class UndoPlan:
    """What 元に戻す will do to the master sheet as it stands now (see `undo.plan_undo`)."""

    sheet: str  # the master sheet the log is for
    restore: list[CellChange]  # re-located in the current sheet: apply these
    edited: list[CellChange]  # re-located, but changed by hand since consolidation: left alone
    lost: list[tuple[CellChange, str]]  # (change as logged, Japanese reason): its row or column is gone
    words: Plan | None = None  # the survey's plan, whose wording the summary uses (set by the caller)


# --- JSON -----------------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """A cell value as JSON data that `from_jsonable` turns back into the same value and type."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Formula):
        formula = {"text": value.text, "value": to_jsonable(value.value), "array": value.array}
        return {"$formula": {k: v for k, v in formula.items() if v is not None}}
    if isinstance(value, HiddenValue):
        return {"$error": value.text} if value.kind == "error" else {"$formula": {"text": value.text}}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    return {"$text": str(value)}


_FROM_TAG = {
    "$float": float,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$seconds": lambda raw: timedelta(seconds=raw),
    "$text": lambda raw: raw,
    "$formula": lambda raw: Formula(raw["text"], from_jsonable(raw.get("value")), raw.get("array")),
    "$error": lambda raw: HiddenValue("error", raw),
}


def from_jsonable(data: Any) -> Any:
    """The cell value `to_jsonable` made `data` of."""
    if isinstance(data, dict) and len(data) == 1:
        ((tag, raw),) = data.items()
        if tag in _FROM_TAG:
            return _FROM_TAG[tag](raw)
    return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _findings_json(**findings: list[Finding]) -> dict[str, list[dict[str, Any]]]:
    """Lists of findings as JSON, each under its key, in the order given."""
    return {key: [{"code": f.code, **f.to_dict()} for f in found] for key, found in findings.items()}
