"""Merging departments' returned worksheets into the master sheet (資料２).

Plain core, shared by the CLI (files, openpyxl) and the add-in (live workbook,
xlwings): no Excel library is imported here. Input is what any reader can give:

- the master's `Survey` and its keyed `Table` (rows by indicator ID, columns by
  key, as `books.load_survey_grids` returns them);
- the checked submissions (`checks.check_submission`), each with the file's
  modification time, and the files that were skipped before reading.

Output is a `ConsolidationResult`: what happened to every file, indicator and
department, and the list of `CellChange`s to make on the master sheet. Adapters
apply the changes (the file adapter with openpyxl, the add-in in bulk column
runs, see `column_runs`) and render `log_sheet_spec(result)` as the sheet
集約ログ. The log carries every changed cell with its old and new value as
typed JSON, so `plan_undo(log_grid, grid)` can restore the master from the log
alone, without a backup, finding each cell again by indicator ID and column key.

Rules (the secretariat's, written down):

- A file is identified by its 管理情報 (department, plan, year, template
  version), never by its name: departments rename files (最新版_final_修正版.xlsx).
- Resubmissions (差し替え): per department the newest file wins, by the
  workbook's own saved time (docProps/core.xml) and then the file's
  modification time, which copying and mailing change. The others are listed
  as superseded. A file that does not belong to this survey (wrong year,
  wrong template, no 管理情報) never supersedes a good one. A file of this
  survey that cannot be read as a whole (a deleted input column, no table)
  still counts: when it is the newest, all of the department's indicators are
  rejected (the master keeps what it had) and the department is エラー; the
  older return it was meant to replace is not used in its place.
- An indicator with an error in the winning file is rejected: its value and,
  on the item's first row, its texts stay as they were in the master. The
  file's other indicators, and other files, still go through.
- Only cells whose content changes are written; the grade column (進捗評価) is
  recomputed for every row from the updated survey.
- Only the year's value and the texts are taken from a return, never its
  history years or target (locked cells a department can still change by
  unprotecting the sheet): the check, given the master as `reference`, warns
  about those, naming the cell, the master's figure and the typed one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping, Sequence

from welfare_xl.core.model import layout
from welfare_xl.core.reading import cell_text
from welfare_xl.core.checks import ERROR, WARNING, Finding, Submission
from welfare_xl.errors import UserError
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import SURVEY
from welfare_xl.core.model.numbers import same_number
from welfare_xl.core.progress import Grade, grade_from_label, grade_style, grade_survey
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_HEADER, FILL_WARNING, PrintSetup, SheetSpec, Style, fit_row_heights
from welfare_xl.core.model.survey import Indicator, Survey
from welfare_xl.core.model.cells import Grid, cell_ref, parse_cell

LOG_SHEET = "集約ログ"
UNDONE_SUFFIX = "（取消済）"  # 元に戻す renames the log it applied: 集約ログ（取消済）
LOG_FORMAT = "welfare-xl-log/1"
CHANGES_MARKER = "wxl:changes"
CHANGE_FIELDS = ("sheet", "cell", "indicator_id", "key", "old", "new")
CHANGE_LABELS = ("シート", "セル", "指標ID", "列", "変更前（JSON）", "変更後（JSON）")

# What happened to a file.
ACCEPTED = "accepted"
PARTLY_REJECTED = "partly_rejected"
REJECTED = "rejected"
SUPERSEDED = "superseded"
IGNORED = "ignored"
FILE_LABELS = {
    ACCEPTED: "反映",
    PARTLY_REJECTED: "一部不採用",
    REJECTED: "不採用",
    SUPERSEDED: "差し替え前",
    IGNORED: "対象外",
}

# Where a department stands (the 提出状況 table).
SUBMITTED = "submitted"
RESUBMITTED = "resubmitted"
MISSING = "missing"
FAILED = "error"
DEPARTMENT_LABELS = {SUBMITTED: "提出済", RESUBMITTED: "差し替え", MISSING: "未提出", FAILED: "エラー"}

# What happened to an indicator.
UPDATED = "updated"
UNCHANGED = "unchanged"
NOT_SUBMITTED = "not_submitted"
NO_ROW = "no_row"
INDICATOR_LABELS = {
    UPDATED: "反映（変更あり）",
    UNCHANGED: "反映（変更なし）",
    REJECTED: "不採用",
    NOT_SUBMITTED: "未提出",
    NO_ROW: "集約先に行なし",
}

_UTC = timezone.utc
_OLDEST = datetime(1900, 1, 1, tzinfo=_UTC)


class LogError(UserError):
    """A 集約ログ sheet cannot be read back for undo; the message is for the user."""


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


# --- outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """One cell to set on the master sheet: (row0, col0, key, indicator_id, old, new).

    `old` is the cell's content before (as the reader returned it), `new` what
    to write. A str is always written as text, never as a formula, whatever it
    begins with. `style`, when set, is the cell's style to apply with the value
    (the 進捗評価 cells: behind grades are hatched).
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
        style = grade_style(grade_from_label(self.old)) if self.key == layout.GRADE else None
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


@dataclass
class FileOutcome:
    """What consolidation did with one file of the folder."""

    file: str
    status: str  # ACCEPTED, PARTLY_REJECTED, REJECTED, SUPERSEDED or IGNORED
    department: str | None = None
    saved: datetime | None = None
    mtime: datetime | None = None
    superseded_by: str | None = None
    accepted: list[str] = field(default_factory=list)  # indicator IDs taken from this file
    rejected: list[str] = field(default_factory=list)  # indicator IDs refused because of errors
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    note: str = ""  # Japanese: the reason in one sentence

    @property
    def label(self) -> str:
        return FILE_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status, "status_label": self.label,
            "department": self.department, "saved": _iso(self.saved), "mtime": _iso(self.mtime),
            "superseded_by": self.superseded_by, "accepted": list(self.accepted), "rejected": list(self.rejected),
            "note": self.note,
            "errors": [_finding_json(f) for f in self.errors],
            "warnings": [_finding_json(f) for f in self.warnings],
        }


@dataclass
class IndicatorOutcome:
    """One indicator of the master: where its figures came from and what changed."""

    indicator: Indicator
    status: str  # UPDATED, UNCHANGED, REJECTED, NOT_SUBMITTED or NO_ROW
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

    @property
    def label(self) -> str:
        return INDICATOR_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            "indicator_id": ind.id, "label": ind.label, "department": ind.department, "unit": ind.unit,
            "status": self.status, "status_label": self.label, "source": self.source,
            "old_value": to_jsonable(self.old_value), "new_value": to_jsonable(self.new_value),
            "old_texts": list(self.old_texts) if self.old_texts is not None else None,
            "new_texts": list(self.new_texts) if self.new_texts is not None else None,
            "old_grade": self.old_grade, "grade": self.grade.label if self.grade else None,
            "grade_code": self.grade.code if self.grade else None,
            "reasons": [_finding_json(f) for f in self.reasons],
            "warnings": [_finding_json(f) for f in self.warnings],
        }


@dataclass
class DepartmentStatus:
    """One line of the 提出状況 table."""

    department: str
    status: str  # SUBMITTED, RESUBMITTED, MISSING or FAILED
    file: str | None = None  # the file whose figures were taken
    files: list[str] = field(default_factory=list)  # every file of this department, newest first
    saved: datetime | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return DEPARTMENT_LABELS[self.status]

    @property
    def done(self) -> bool:
        return self.status in (SUBMITTED, RESUBMITTED)

    def to_json(self) -> dict[str, Any]:
        return {"department": self.department, "status": self.status, "status_label": self.label,
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
    grades: dict[str, Grade]
    problems: list[str] = field(default_factory=list)  # Japanese: issues of the master itself
    output: str = ""  # set by the adapter that wrote the result
    backup: str | None = None
    # Decisions the secretariat should confirm (two returns saved at the same moment that
    # disagree): the result stands, but the run is not complete (exit code 1).
    warnings: list[Finding] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every department submitted, every file went through cleanly, nothing to confirm."""
        return (all(d.done for d in self.departments) and not self.problems and not self.warnings
                and not any(f.status in (REJECTED, PARTLY_REJECTED) for f in self.files))

    @property
    def exit_code(self) -> int:
        return 0 if self.complete else 1

    def counts(self) -> dict[str, int]:
        n = {code: 0 for code in DEPARTMENT_LABELS}
        for d in self.departments:
            n[d.status] += 1
        return n

    def status_line(self) -> str:
        n = self.counts()
        parts = "、".join(f"{DEPARTMENT_LABELS[c]} {n[c]}" for c in DEPARTMENT_LABELS)
        return f"{parts}（全{len(self.departments)}部署）"

    def to_json(self) -> dict[str, Any]:
        rejected = [o for o in self.indicators if o.status == REJECTED]
        return {
            "format": "welfare-xl-consolidation/1",
            "run_at": _iso(self.run_at), "survey": self.survey_file, "folder": self.folder,
            "output": self.output, "backup": self.backup, "sheet": self.sheet,
            "fiscal_year": self.fiscal_year, "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "exit_code": self.exit_code, "complete": self.complete,
            "summary": {
                "departments": len(self.departments), **self.counts(),
                "files": len(self.files),
                "updated_indicators": sum(o.status == UPDATED for o in self.indicators),
                "rejected_indicators": len(rejected),
                "changed_cells": len(self.changes),
            },
            "departments": [d.to_json() for d in self.departments],
            "files": [f.to_json() for f in self.files],
            "indicators": [o.to_json() for o in self.indicators],
            "changes": [c.to_json() for c in self.changes],
            "problems": list(self.problems),
            "warnings": [_finding_json(f) for f in self.warnings],
        }

    def summary_lines(self) -> list[str]:
        """What the CLI prints: a few Japanese lines, problems first named with file and cell."""
        fy = fiscal_year_label(self.fiscal_year)
        lines = [f"{fy}の提出ファイルを集約しました: {self.output or self.survey_file}（シート「{self.sheet}」）"]
        if self.backup:
            lines.append(f"元の調査票はバックアップしました: {self.backup}")
        lines.append(f"提出状況: {self.status_line()}")
        for d in self.departments:
            lines.append(f"  {d.department}: {d.label}" + (f"（{d.note}）" if d.note else ""))
        lines.append("ファイル:")
        for f in self.files:
            lines.append(f"  {f.file}: {f.label}" + (f"（{f.note}）" if f.note else ""))
        errors = [e for f in self.files if f.status in (PARTLY_REJECTED, REJECTED) for e in f.errors]
        if errors:
            lines.append("反映しなかった内容:")
            lines += [f"  {e.line()}" for e in errors]
        lines += [f"集約先の問題: {p}" for p in self.problems]
        if self.warnings:
            lines.append("確認が必要なこと:")
            lines += [f"  {w.line()}" for w in self.warnings]
        n_values = sum(c.key == layout.year_key(self.fiscal_year) for c in self.changes)
        n_texts = sum(c.key in (layout.DONE, layout.NEXT) for c in self.changes)
        n_grades = sum(c.key == layout.GRADE for c in self.changes)
        lines.append(f"変更したセル: {len(self.changes)} 件（実績値 {n_values}、取組状況・今後の展開 {n_texts}、"
                     f"進捗評価 {n_grades}）。詳細は「{LOG_SHEET}」シートにあります。")
        lines.append(_closing(self))
        return lines


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
                   list(result.warnings))

    @property
    def complete(self) -> bool:
        return all(d.done for d in self.departments) and not self.warnings and not any(
            f.status in (REJECTED, PARTLY_REJECTED) for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {"survey": self.survey_file, "folder": self.folder, "fiscal_year": self.fiscal_year,
                "complete": self.complete,
                "departments": [d.to_json() for d in self.departments],
                "files": [f.to_json() for f in self.files],
                "warnings": [_finding_json(f) for f in self.warnings]}

    def summary_lines(self, *, bullet: str = "  ", sep: str = ": ", limit: int | None = None) -> list[str]:
        """The status in Japanese: counts, each department, files and points to confirm.

        The CLI prints it as is; the add-in's 提出状況 button shows it with its own
        bullets, a limit per list and a hint of what to press next.
        """
        def listed(items: list[str]) -> list[str]:
            shown = items if limit is None else items[:limit]
            more = [f"（ほか {len(items) - len(shown)} 件）"] if len(items) > len(shown) else []
            return [f"{bullet}{x}" for x in shown] + more

        n = {code: sum(d.status == code for d in self.departments) for code in DEPARTMENT_LABELS}
        counts = "、".join(f"{DEPARTMENT_LABELS[c]} {n[c]}" for c in DEPARTMENT_LABELS)
        lines = [f"{fiscal_year_label(self.fiscal_year)}の提出状況（{self.folder}）{sep}{counts}（全{len(self.departments)}部署）"]
        lines += [f"{bullet}{d.department}{sep}{d.label}" + (f"（{d.note}）" if d.note else "") for d in self.departments]
        others = [f for f in self.files if f.status in (IGNORED, REJECTED, PARTLY_REJECTED)]
        if others:
            lines.append("確認が必要なファイル" + sep.strip())
            lines += listed([f"{f.file}{sep}{f.label}（{f.note}）" for f in others])
        if self.warnings:
            lines.append("確認が必要なこと" + sep.strip())
            lines += listed([w.describe(mark=None, sep=sep) for w in self.warnings])
        if self.complete:
            lines.append("すべての部署が提出済みです。")
        elif self.all_in:
            lines.append("すべての部署が提出済みですが、確認が必要なことがあります。")
        else:
            lines.append("未提出・エラーの部署があります。")
        return lines

    @property
    def all_in(self) -> bool:
        """Every department has a usable return and no file needs a look (warnings may remain)."""
        return all(d.done for d in self.departments) and not any(
            f.status in (IGNORED, REJECTED, PARTLY_REJECTED) for f in self.files)


# --- consolidation --------------------------------------------------------------------------


def consolidate_submissions(
    survey: Survey,
    table: layout.Table,
    received: Sequence[ReceivedFile],
    *,
    sheet: str,
    skipped: Sequence[SkippedFile] = (),
    run_at: datetime | None = None,
    survey_file: str = "",
    folder: str = "",
) -> ConsolidationResult:
    """Decide what every file contributes to the master and which cells change.

    `survey` and `table` are the master as it stands (`books.survey_from_table`
    of that table); `sheet` is the master sheet's name, recorded in each change.
    Nothing is written: the caller applies `result.changes`.
    """
    run_at = run_at or datetime.now().replace(microsecond=0)
    fy = survey.fiscal_year
    departments = survey.departments
    outcomes: dict[str, FileOutcome] = {}
    candidates: dict[str, list[ReceivedFile]] = {d: [] for d in departments}
    refused: dict[str, list[str]] = {d: [] for d in departments}  # department -> files rejected whole

    for sk in skipped:
        outcomes[sk.file] = FileOutcome(sk.file, IGNORED, note=sk.reason)
    for rf in received:
        sub = rf.submission
        dept = sub.department or (sub.meta.department if sub.meta else None)
        base = dict(department=dept, saved=sub.saved, mtime=rf.mtime, warnings=sub.warnings)
        if sub.meta is not None and sub.meta.kind == SURVEY:
            outcomes[rf.name] = FileOutcome(
                rf.name, IGNORED, note="部署の提出ファイルではなく調査票（集約先と同じ種類のブック）のため読み込みません。", **base)
        elif sub.fatal and (sub.foreign or dept not in candidates):
            # Not from this survey (or of no department of it): it never stands for a return.
            outcomes[rf.name] = FileOutcome(rf.name, REJECTED, errors=sub.errors, note=_first_message(sub.errors), **base)
            if dept in refused:
                refused[dept].append(rf.name)
        elif dept not in candidates:
            outcomes[rf.name] = FileOutcome(rf.name, REJECTED, note=f"担当部署「{dept}」はこの調査票にありません。", **base)
        else:
            candidates[dept].append(rf)

    winners: dict[str, ReceivedFile] = {}
    ties: dict[str, tuple[list[ReceivedFile], str]] = {}  # department -> (files tied with the newest, why)
    warnings: list[Finding] = []
    for dept, files in candidates.items():
        if not files:
            continue
        files.sort(key=_newness, reverse=True)
        winners[dept] = newest = files[0]
        tied = [f for f in files[1:] if _utc(f.submission.saved) == _utc(newest.submission.saved)
                and not _same_content(f.submission, newest.submission)]
        if tied:
            why = _tie_reason(newest, tied)
            ties[dept] = (tied, why)
            warnings.append(Finding(
                WARNING, "same_saved_time",
                f"{_quoted([newest.name] + [f.name for f in tied])}は{_saved_phrase(newest)}内容が違います。"
                f"{why}（「{newest.name}」）。どちらが最新か{dept}に確認してください。",
                file=newest.name))
        tied_names = {f.name for f in tied}
        for old in files[1:]:
            if old.name in tied_names:
                note = f"「{newest.name}」と{_saved_phrase(newest)}内容が違います。{ties[dept][1]}（「{newest.name}」）。"
            else:
                note = f"より新しい「{newest.name}」に差し替えられたため使いません。"
            if newest.submission.fatal:
                note += f"（「{newest.name}」はファイル全体を使えないため、この部署の指標は反映していません）"
            outcomes[old.name] = FileOutcome(
                old.name, SUPERSEDED, department=dept, saved=old.submission.saved, mtime=old.mtime,
                superseded_by=newest.name, warnings=[], note=note)

    after = _copy_values(survey)
    rows = table.by_id()
    value_key = layout.year_key(fy)
    indicators: list[IndicatorOutcome] = []
    changes: list[CellChange] = []
    problems: list[str] = []
    for key in (value_key, layout.DONE, layout.NEXT):
        if key not in table.columns:
            problems.append(f"シート「{sheet}」に列「{layout.KEY_PREFIX}{key}」がないため、その列には書き込めません。")
    for ind in survey.indicators:
        if ind.id not in rows:
            problems.append(f"シート「{sheet}」に指標［{ind.id}］{ind.label} の行がないため、書き込めません。")

    for dept in departments:
        winner = winners.get(dept)
        sub = winner.submission if winner else None
        failed = sub.failed_ids() if sub else set()
        accepted: list[str] = []
        rejected: list[str] = []
        for ind in (i for i in survey.indicators if i.department == dept):
            row = rows.get(ind.id)
            out = IndicatorOutcome(ind, NOT_SUBMITTED, source=winner.name if winner else None,
                                   row=row.row if row else None)
            out.old_value = out.new_value = survey.values.get(ind.id, {}).get(fy)
            if ind.lead:
                out.old_texts = out.new_texts = survey.texts.get(ind.id, (None, None))
            indicators.append(out)
            if sub is None:
                continue
            entry = sub.entries.get(ind.id)
            out.warnings = [f for f in sub.warnings if f.indicator_id == ind.id]
            if sub.fatal or ind.id in failed or entry is None:
                out.status = REJECTED
                out.reasons = (list(sub.errors) if sub.fatal else
                               [f for f in sub.errors if f.indicator_id == ind.id] or [_missing_entry(sub, ind)])
                rejected.append(ind.id)
                continue
            accepted.append(ind.id)
            if row is None:
                out.status = NO_ROW
                continue
            cell_changes = _value_changes(ind, row, table, value_key, entry.value, sheet)
            after.values.setdefault(ind.id, {})[fy] = entry.value
            out.new_value = entry.value
            if ind.lead:
                new_texts = (entry.done, entry.next)
                cell_changes += _text_changes(ind, row, table, new_texts, sheet)
                after.texts[ind.id] = new_texts
                out.new_texts = new_texts
            out.status = UPDATED if cell_changes else UNCHANGED
            changes += cell_changes
        if winner is not None:
            status = ACCEPTED if not rejected else (PARTLY_REJECTED if accepted else REJECTED)
            note = (f"{len(accepted)}指標を反映、{len(rejected)}指標はエラーのため不採用" if rejected
                    else f"{len(accepted)}指標を反映")
            if sub.fatal:
                older = [f.name for f in candidates[dept][1:]]
                note = (f"ファイル全体を使えません：{_first_message(sub.errors)} "
                        f"この部署で最も新しいファイルのため、{len(rejected)}指標はすべて調査票の値のままです"
                        + (f"（古い{_quoted(older)}は、より新しいこのファイルがあるため使いません）。" if older else "。"))
            file_warnings = list(sub.warnings)
            if dept in ties:
                tied, why = ties[dept]
                note += f"（{_quoted([f.name for f in tied])}と{_saved_phrase(winner)}内容が違います。{why}）"
                file_warnings += [w for w in warnings if w.file == winner.name]
            outcomes[winner.name] = FileOutcome(
                winner.name, status, department=dept, saved=sub.saved, mtime=winner.mtime,
                accepted=accepted, rejected=rejected, errors=sub.errors, warnings=file_warnings, note=note)

    grades = grade_survey(after)
    for out in indicators:
        out.grade = grades.get(out.indicator.id)
    if layout.GRADE not in table.columns:
        problems.append(f"シート「{sheet}」に進捗評価の列（{layout.KEY_PREFIX}{layout.GRADE}）がないため、進捗評価は書き込みません。")
    else:
        col = table.columns[layout.GRADE]
        by_id = {o.indicator.id: o for o in indicators}
        for ind in survey.indicators:
            row = rows.get(ind.id)
            if row is None:
                continue
            old = row.get(layout.GRADE)
            by_id[ind.id].old_grade = old if isinstance(old, str) else None
            g = grades[ind.id]
            if old != g.label:
                changes.append(CellChange(row.row, col, layout.GRADE, ind.id, old, g.label, sheet, grade_style(g)))

    dept_status = [_department_status(d, winners.get(d), candidates[d], refused[d], outcomes, ties.get(d))
                   for d in departments]
    changes.sort(key=lambda c: (c.col, c.row))
    return ConsolidationResult(
        run_at=run_at, survey_file=survey_file, folder=folder, sheet=sheet, fiscal_year=fy,
        departments=dept_status, files=[outcomes[k] for k in sorted(outcomes)], indicators=indicators,
        changes=changes, survey=after, grades=grades, problems=problems, warnings=warnings)


def _newness(rf: ReceivedFile) -> tuple[datetime, datetime, str]:
    """Sort key, newest last: saved time, then file time, then name (for a stable order).

    Equal saved times happen when a department copies one workbook and edits the
    copy without Excel saving it again, or mails the same file twice: the newer
    file time is a reasonable tie-break, but when the contents differ it is a
    guess, which consolidation states (`_tie_reason`) and asks the secretariat to confirm.
    """
    return (_utc(rf.submission.saved) or _OLDEST, _utc(rf.mtime) or _OLDEST, rf.name)


def _same_content(a: Submission, b: Submission) -> bool:
    """Two returns say the same: nothing to decide between them."""
    def content(sub: Submission) -> Any:
        return (sub.fatal, sorted((f.code, f.cell or "") for f in sub.errors),
                sorted((i, encode_value(e.value), e.done, e.next) for i, e in sub.entries.items()))
    return content(a) == content(b)


def _saved_phrase(rf: ReceivedFile) -> str:
    saved = rf.submission.saved
    return f"保存日時が同じ（{_local(saved)}）で" if saved is not None else "どちらも保存日時の記録がなく、"


def _tie_reason(newest: ReceivedFile, tied: Sequence[ReceivedFile]) -> str:
    """Why `newest` was used over files saved at the same moment (Japanese, one sentence, no final 。)."""
    first = "保存日時が同じため" if newest.submission.saved is not None else "保存日時の記録がないため"
    if all(_utc(f.mtime) == _utc(newest.mtime) for f in tied):
        return f"{first}、ファイルの更新日時も同じため、ファイル名の順で後の方を使いました"
    return f"{first}、ファイルの更新日時が新しい方を使いました"


def _utc(moment: datetime | None) -> datetime | None:
    """Aware UTC. A naive time is taken as UTC, as docProps/core.xml and openpyxl use it."""
    if moment is None:
        return None
    return moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)


def _missing_entry(sub: Submission, ind: Indicator) -> Finding:
    return Finding(ERROR, "row_missing", f"指標「{ind.label}」の行が見つかりません。", file=sub.file,
                   sheet=sub.sheet, indicator_id=ind.id, indicator=ind.label)


def _first_message(findings: Sequence[Finding]) -> str:
    return findings[0].message if findings else ""


def _quoted(names: Sequence[str]) -> str:
    return "、".join(f"「{n}」" for n in names)


def _copy_values(survey: Survey) -> Survey:
    return replace(survey, values={k: dict(v) for k, v in survey.values.items()}, targets=dict(survey.targets),
                   texts=dict(survey.texts), grades=dict(survey.grades))


def same_value(old: Any, new: Any) -> bool:
    """True when a cell already holds `new` as a value (a number as a number, '－' as text)."""
    if new is None:
        return old is None or (isinstance(old, str) and not old.strip())
    if isinstance(new, str):
        return isinstance(old, str) and old.strip() == new
    if isinstance(old, bool) or not isinstance(old, (int, float)):
        return False
    return same_number(old, new)


def _value_changes(ind: Indicator, row: layout.TableRow, table: layout.Table, key: str, new: Any,
                   sheet: str) -> list[CellChange]:
    if key not in table.columns:
        return []
    old = row.get(key)
    if same_value(old, new):
        return []
    return [CellChange(row.row, table.columns[key], key, ind.id, old, new, sheet)]


def _text_changes(ind: Indicator, row: layout.TableRow, table: layout.Table, texts: tuple[str | None, str | None],
                  sheet: str) -> list[CellChange]:
    out = []
    for key, new in zip((layout.DONE, layout.NEXT), texts):
        if key not in table.columns:
            continue
        old = row.get(key)
        if cell_text(old) != new:
            out.append(CellChange(row.row, table.columns[key], key, ind.id, old, new, sheet))
    return out


def _department_status(dept: str, winner: ReceivedFile | None, files: list[ReceivedFile], refused: list[str],
                       outcomes: Mapping[str, FileOutcome],
                       tie: tuple[list[ReceivedFile], str] | None = None) -> DepartmentStatus:
    names = [f.name for f in files]
    if winner is None:
        if refused:
            return DepartmentStatus(dept, FAILED, files=refused,
                                    note="提出ファイルを使えません：" + "、".join(refused))
        return DepartmentStatus(dept, MISSING, note="提出ファイルがありません")
    outcome = outcomes[winner.name]
    notes = []
    if winner.submission.fatal:
        notes.append(f"最新の提出「{winner.name}」を使えません（{_first_message(winner.submission.errors)}）。"
                     "様式を直して提出し直してもらってください")
        if len(files) > 1:
            notes.append(f"古い{_quoted(names[1:])}は、より新しいファイルがあるため使いません")
    elif len(files) > 1:
        notes.append("差し替え前：" + "、".join(names[1:]))
    if tie is not None:
        tied, why = tie
        notes.append(f"{_quoted([winner.name] + [f.name for f in tied])}は{_saved_phrase(winner)}内容が違います。"
                     f"{why}（「{winner.name}」）。どちらが最新か部署に確認してください")
    if refused:
        notes.append("不採用のファイル：" + "、".join(refused))
    if winner.submission.fatal:
        status = FAILED
    elif outcome.status != ACCEPTED:
        notes.insert(0, f"{len(outcome.rejected)}指標がエラーのため不採用")
        status = FAILED
    else:
        status = RESUBMITTED if len(files) > 1 else SUBMITTED
    return DepartmentStatus(dept, status, file=winner.name, files=names + refused, saved=winner.submission.saved,
                            note="／".join(notes))


# --- typed values for the log (undo) --------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """A cell value as JSON data that `from_jsonable` turns back into the same value and type."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
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


def from_jsonable(data: Any) -> Any:
    if isinstance(data, dict) and len(data) == 1:
        ((tag, raw),) = data.items()
        if tag == "$float":
            return float(raw)
        if tag == "$datetime":
            return datetime.fromisoformat(raw)
        if tag == "$date":
            return date.fromisoformat(raw)
        if tag == "$time":
            return time.fromisoformat(raw)
        if tag == "$seconds":
            return timedelta(seconds=raw)
        if tag == "$text":
            return raw
    return data


def encode_value(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False)


def decode_value(text: Any) -> Any:
    """The value a log cell encodes; a cell that is not a string is taken as it is."""
    if not isinstance(text, str):
        return text
    return from_jsonable(json.loads(text))


def _closing(result: ConsolidationResult) -> str:
    """The last word of a run: done, or what the secretariat has to do."""
    if result.complete:
        return "すべての部署の提出を反映しました。"
    if (all(d.done for d in result.departments) and not result.problems
            and not any(f.status in (REJECTED, PARTLY_REJECTED) for f in result.files)):
        return "すべての部署の提出を反映しましたが、確認が必要なことがあります（「確認が必要なこと」を見てください）。"
    return "未提出・エラーがあります。該当部署に連絡し、提出後にもう一度集約してください。"


# --- the log sheet --------------------------------------------------------------------------

_LOG_TITLE = Style(bold=True, size=14, border=None, wrap=False, text=True)
_LOG_NOTE = Style(size=9, border=None, wrap=False, text=True)
_LOG_SECTION = Style(bold=True, size=11, border=None, wrap=False, text=True)
_LOG_HEAD = Style(bold=True, size=10, fill=FILL_HEADER, h_align="center", text=True)
_LOG_KEY = Style(size=8, border=None, wrap=False, color="808080", text=True)
_LOG_LABEL = Style(bold=True, size=10, fill=FILL_HEADER, wrap=False, text=True)
_LOG_VALUE = Style(size=10, border=None, wrap=False, text=True)
_LOG_CELL = Style(size=10, v_align="top", text=True)
_LOG_MACHINE = Style(size=9, v_align="top", wrap=False, text=True)
_LOG_BAD = Style(size=10, v_align="top", bold=True, fill=FILL_ERROR, text=True)
_LOG_ATTENTION = Style(size=10, v_align="top", bold=True, fill=FILL_WARNING, text=True)

# Column widths (Excel units). Each column holds the same kind of content in every section:
# A file / department / ID, B department / status, C indicator, D status, E remarks and file,
# F..G values, H grade, I..J texts, K reasons.
_LOG_WIDTHS = {0: 26, 1: 16, 2: 34, 3: 16, 4: 46, 5: 13, 6: 13, 7: 11, 8: 30, 9: 30, 10: 44}
_TEXT_PREVIEW = 60  # characters of a long text shown in the log (the sheet itself has it whole)


def _status_style(status: str) -> Style:
    """Cell style of a status word. The word carries the meaning; the fill only helps the eye."""
    if status in (REJECTED, PARTLY_REJECTED, FAILED, NO_ROW):
        return _LOG_BAD
    if status in (MISSING, NOT_SUBMITTED, SUPERSEDED, IGNORED):
        return _LOG_ATTENTION
    return _LOG_CELL



def _local(moment: datetime | None) -> str:
    """A time as the secretariat's clock shows it."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"code": f.code, **f.to_dict()}


def _preview(text: str | None) -> str:
    if not text:
        return ""
    return text if len(text) <= _TEXT_PREVIEW else text[:_TEXT_PREVIEW] + "…"


def _texts_cell(out: IndicatorOutcome, n: int) -> str:
    """The log's view of one text: （変更なし）, or the start of the new text."""
    if out.new_texts is None or out.status in (REJECTED, NOT_SUBMITTED, NO_ROW):
        return ""
    old, new = (out.old_texts or (None, None))[n], out.new_texts[n]
    return "（変更なし）" if cell_text(old) == new else _preview(new)



def _noteworthy(findings: Iterable[Finding]) -> list[Finding]:
    """Findings worth a line in the log. How a typed number was read ("513人" → 513) was
    shown to the department by its own check and is in the JSON; here it would drown the rest."""
    return [f for f in findings if f.code != "normalized"]


def log_sheet_spec(result: ConsolidationResult) -> SheetSpec:
    """The sheet 集約ログ: readable top to bottom, and machine-readable at the bottom for undo.

    Sections: 実行の概要, 提出状況 (department × status), ファイル別の結果 (each
    file, then its errors and notable warnings with sheet, cell and indicator),
    指標別の反映内容 (source file, previous → new value, grade, texts), and
    変更したセル: a marker row ``wxl:changes``, a field-name row (sheet, cell,
    indicator_id, key, old, new), a Japanese label row, then one row per changed
    cell with old and new values as typed JSON, until the first empty row.
    """
    spec = SheetSpec(name=LOG_SHEET, col_widths=dict(_LOG_WIDTHS), tab_color="808080",
                     print_setup=PrintSetup(paper="A3", landscape=True, fit_width=True))
    r = 0

    def put_row(values: Sequence[Any], style: Style | Sequence[Style]) -> None:
        """One table row; every cell styled, empty ones too, so the grid prints whole."""
        nonlocal r
        for c, v in enumerate(values):
            spec.put(r, c, None if v == "" else v, style if isinstance(style, Style) else style[c])
        r += 1

    def section(title: str) -> None:
        nonlocal r
        r += 1
        spec.put(r, 0, f"■ {title}", _LOG_SECTION)
        r += 1

    fy = fiscal_year_label(result.fiscal_year)
    spec.put(r, 0, f"集約ログ（{fy}）", _LOG_TITLE)
    r += 1
    spec.put(r, 0, "このシートは集約のたびに作り直されます。最後の「変更したセル」は元に戻す処理が読み取るため、編集しないでください。",
             _LOG_NOTE)
    r += 1

    section("実行の概要")
    overview = [
        ("実行日時", _local(result.run_at)),
        ("調査票", result.survey_file),
        ("提出フォルダ", result.folder),
        ("集約先", f"{result.output}（シート「{result.sheet}」）" if result.output else f"シート「{result.sheet}」"),
        ("バックアップ", result.backup or "（なし）"),
        ("提出状況", result.status_line()),
        ("変更したセル", f"{len(result.changes)} 件"),
        ("結果", _closing(result)),
    ]
    overview += [("集約先の問題", p) for p in result.problems]
    overview += [("確認が必要なこと", w.message) for w in result.warnings]
    for label, value in overview:
        spec.put(r, 0, label, _LOG_LABEL)
        spec.put(r, 1, value, _LOG_VALUE)
        r += 1

    section("提出状況")
    put_row(["担当部署", "状況", "採用したファイル", "保存日時", "備考"], _LOG_HEAD)
    for d in result.departments:
        put_row([d.department, d.label, d.file or "", _local(d.saved), d.note],
                [_LOG_CELL, _status_style(d.status), _LOG_CELL, _LOG_CELL, _LOG_CELL])

    section("ファイル別の結果")
    put_row(["ファイル", "担当部署", "結果", "保存日時", "内容（シート／セル［指標ID］指標　内容）"], _LOG_HEAD)
    for f in result.files:
        listed = _noteworthy(f.errors + f.warnings) if f.status != SUPERSEDED else []
        read_as = len(f.warnings) - len(_noteworthy(f.warnings)) if f.status != SUPERSEDED else 0
        note = f.note + (f"（数値の書き方を読み替えた指標 {read_as}件）" if read_as else "")
        put_row([f.file, f.department or "", f.label, _local(f.saved), note],
                [_LOG_CELL, _LOG_CELL, _status_style(f.status), _LOG_CELL, _LOG_CELL])
        for finding in listed:
            error = finding.severity == ERROR
            put_row(["", "", finding.mark, "", finding.describe(file=False, mark=None, sep="　")],
                    [_LOG_CELL, _LOG_CELL, _LOG_BAD if error else _LOG_ATTENTION, _LOG_CELL, _LOG_CELL])

    section("指標別の反映内容")
    put_row(["ID", "担当部署", "指標", "結果", "提出ファイル", "前の値", "新しい値", "進捗評価",
             "取組状況", "今後の展開", "不採用の理由・注意"], _LOG_HEAD)
    for o in result.indicators:
        ind = o.indicator
        brief = {"file": False, "sheet": False, "subject": False}
        notes = [x.describe(**brief, mark=None) for x in o.reasons]
        notes += [x.describe(**brief, mark="：") for x in _noteworthy(o.warnings)]
        put_row([ind.id, ind.department, ind.label, o.label, o.source or "", ind.show(o.old_value),
                 ind.show(o.new_value), o.grade.label if o.grade else "",
                 _texts_cell(o, 0), _texts_cell(o, 1), "\n".join(notes)],
                [_LOG_CELL, _LOG_CELL, _LOG_CELL, _status_style(o.status)] + [_LOG_CELL] * 7)

    section("変更したセル（元に戻すときに使います）")
    spec.put(r, 0, CHANGES_MARKER, _LOG_KEY)
    spec.put(r, 1, LOG_FORMAT, _LOG_KEY)
    r += 1
    put_row(list(CHANGE_FIELDS), _LOG_KEY)
    put_row(list(CHANGE_LABELS), _LOG_HEAD)
    for ch in result.changes:
        put_row([ch.sheet, ch.ref, ch.indicator_id, ch.key, encode_value(ch.old), encode_value(ch.new)], _LOG_MACHINE)
    if not result.changes:
        spec.put(r + 1, 0, "（変更したセルはありません）", _LOG_NOTE)
    # Excel does not grow rows a program wrote: size them so wrapped reasons show whole.
    fit_row_heights(spec, min_height=15.0)
    return spec


# --- undo -----------------------------------------------------------------------------------



def logged_changes(log_grid: Grid) -> list[CellChange]:
    """The cell changes a 集約ログ grid records, in the order they were made."""
    start = next((r for r, row in enumerate(log_grid) if row and _s(row[0]) == CHANGES_MARKER), None)
    if start is None or start + 1 >= len(log_grid):
        raise LogError(f"「{LOG_SHEET}」シートに変更したセルの記録（{CHANGES_MARKER}）がありません。"
                       "集約で作られたログのシートを指定してください。")
    fields = {_s(v): c for c, v in enumerate(log_grid[start + 1]) if _s(v)}
    missing = [f for f in CHANGE_FIELDS if f not in fields]
    if missing:
        raise LogError(f"「{LOG_SHEET}」シートの変更記録の見出しが足りません：{'、'.join(missing)}。"
                       "ログを編集していないか確認してください。")
    out = []
    for n, row in enumerate(log_grid[start + 3:], start=start + 4):
        cells = {f: (row[c] if c < len(row) else None) for f, c in fields.items()}
        if not _s(cells["cell"]):
            break
        try:
            r, c = parse_cell(_s(cells["cell"]))
            old, new = decode_value(cells["old"]), decode_value(cells["new"])
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            raise LogError(f"「{LOG_SHEET}」シートの {n} 行目の変更記録を読めません（{exc}）。"
                           "ログを編集していないか確認してください。") from exc
        key = _s(cells["key"])
        style = grade_style(grade_from_label(new)) if key == layout.GRADE else None
        out.append(CellChange(r, c, key, _s(cells["indicator_id"]), old, new, _s(cells["sheet"]), style))
    return out


def undo_changes(log_grid: Grid) -> list[CellChange]:
    """The changes that restore what a consolidation overwrote, read from its log alone,
    at the cells the log recorded.

    Each returned change has `new` = the value before consolidation and `old` =
    what consolidation wrote (what the cell should hold now; see `stale_changes`).
    Rows or columns may have been inserted since: to apply them, use `plan_undo`,
    which finds each cell again by indicator ID and column key.
    """
    return [ch.reverted() for ch in reversed(logged_changes(log_grid))]


@dataclass
class UndoPlan:
    """What 元に戻す will do to the master sheet as it stands now (see `plan_undo`)."""

    sheet: str  # the master sheet the log is for
    restore: list[CellChange]  # re-located in the current sheet: apply these
    edited: list[CellChange]  # re-located, but changed by hand since consolidation: left alone
    lost: list[tuple[CellChange, str]]  # (change as logged, Japanese reason): its row or column is gone

    @property
    def moved(self) -> list[CellChange]:
        """Changes whose cell is no longer where the log recorded it (rows or columns inserted)."""
        return [ch for ch in self.restore + self.edited if ch.logged_ref and ch.logged_ref != ch.ref]

    def summary_lines(self, *, bullet: str = "  ", limit: int | None = None) -> list[str]:
        """What was put back and what was not, in Japanese, naming each cell left alone."""
        def listed(items: list[str]) -> list[str]:
            shown = items if limit is None else items[:limit]
            more = [f"（ほか {len(items) - len(shown)} 個）"] if len(items) > len(shown) else []
            return [f"{bullet}{x}" for x in shown] + more

        lines = [f"直前の集約で変更した「{self.sheet}」のセル {len(self.restore)} 個を、集約前の内容に戻しました。"]
        moved = [ch for ch in self.restore if ch.logged_ref and ch.logged_ref != ch.ref]
        if moved:
            lines.append(f"集約の後に行や列が挿入・削除されていたため、うち {len(moved)} 個は指標IDと列で探し直して戻しました。")
        if self.edited:
            lines.append(f"次の {len(self.edited)} 個のセルは集約の後に手で変更されているため、戻していません：")
            lines += listed([describe_cell(ch) for ch in self.edited])
        if self.lost:
            lines.append(f"次の {len(self.lost)} 個の変更は、行または列がなくなっているため戻せません：")
            lines += listed([reason for _, reason in self.lost])
        return lines


def describe_cell(ch: CellChange) -> str:
    """A changed cell for a person: M16［G3-03］進捗評価（集約時は M15）."""
    label = {layout.DONE: "取組状況", layout.NEXT: "今後の展開", layout.GRADE: "進捗評価"}.get(ch.key)
    year = layout.key_year(ch.key)
    label = label or (f"{fiscal_year_label(year)}の実績値" if year else ch.key)
    moved = f"（集約時は {ch.logged_ref}）" if ch.logged_ref and ch.logged_ref != ch.ref else ""
    return f"{ch.ref}［{ch.indicator_id}］{label}{moved}"


def plan_undo(log_grid: Grid, grid: Grid, *, sheet: str = "") -> UndoPlan:
    """Undo of the consolidation `log_grid` records, against the master sheet's current `grid`.

    Every logged change is found again in `grid` by its indicator ID (the row)
    and column key (the column), never by the logged cell reference, which
    inserted or deleted rows and columns make wrong. A change whose row or column
    no longer exists is reported in `lost`; one whose cell no longer holds what
    consolidation wrote (edited by hand since) in `edited`; both are left alone.
    """
    changes = undo_changes(log_grid)
    sheet = sheet or next((ch.sheet for ch in changes if ch.sheet), "")
    table = layout.find_table(grid)
    if table is None:
        raise LogError(f"シート「{sheet}」に指標の表（キー行 {layout.KEY_PREFIX}{layout.ID}）が見つからないため、元に戻せません。"
                       "行や列を削除していないか確認してください。")
    rows = table.by_id()
    placed: list[CellChange] = []
    lost: list[tuple[CellChange, str]] = []
    for ch in changes:
        row, col = rows.get(ch.indicator_id), table.columns.get(ch.key)
        if row is None:
            lost.append((ch, f"シート「{sheet}」に指標［{ch.indicator_id}］の行がありません（集約時のセル：{ch.ref}）。"))
        elif col is None:
            lost.append((ch, f"シート「{sheet}」に列「{layout.KEY_PREFIX}{ch.key}」がありません"
                             f"（指標［{ch.indicator_id}］、集約時のセル：{ch.ref}）。"))
        else:
            placed.append(replace(ch, row=row.row, col=col, logged_ref=ch.ref))
    edited = stale_changes(placed, grid)
    stale = {(ch.row, ch.col) for ch in edited}
    restore = [ch for ch in placed if (ch.row, ch.col) not in stale]
    return UndoPlan(sheet, restore, edited, lost)


def stale_changes(changes: Iterable[CellChange], grid: Grid) -> list[CellChange]:
    """Changes whose cell no longer holds `old`: edited by hand since, so undo would overwrite that."""
    out = []
    for ch in changes:
        current = grid[ch.row][ch.col] if ch.row < len(grid) and ch.col < len(grid[ch.row]) else None
        if not _same_cell(current, ch.old):
            out.append(ch)
    return out


def _same_cell(a: Any, b: Any) -> bool:
    if a in ("", None) and b in ("", None):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return same_number(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    return a == b


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


def _s(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ("" if v is None else str(v))
