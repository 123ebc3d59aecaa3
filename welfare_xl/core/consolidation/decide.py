"""Deciding what every returned file contributes to the master sheet (資料２).

`consolidate_submissions` takes the master's `Survey` and keyed `Table` (as
`reading.load_survey_grids` gives them) and the checked submissions, and
returns a `ConsolidationResult`; nothing is written. It runs in named steps:
sort the folder's files (`_sort_received`), choose each department's newest
return (`_choose_newest`), list the master's own problems, take or reject each
indicator of the winning return (`_take_department`: value, texts), grade
the updated survey (`_grade_changes`) and state each department
(`_department_status`).

Rules (the secretariat's, written down):

- A file is identified by its 管理情報 (department, plan, year, template
  version), never by its name: departments rename files (最新版_final_修正版.xlsx).
- Resubmissions (差し替え): per department the newest file wins, by the
  workbook's own saved time (docProps/core.xml) and then the file's
  modification time, which copying and mailing change. The others are listed
  as superseded. A saved time later than the run (beyond a few minutes of
  clock skew) is not believed: that file is ranked by its file time instead,
  and a warning names it and the file that was used. A file that does not
  belong to this survey (wrong year, wrong template, no 管理情報), or whose
  rows are another department's than its 管理情報 names, never supersedes a
  good one. A file of this
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
  unprotecting the sheet): the check, given the master as `reference`,
  rejects an indicator whose locked cells differ, naming the cell, the
  master's figure and the typed one (its figures may be another row's).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from welfare_xl.core.checks import Finding, Severity, Submission
from welfare_xl.core.consolidation.log import encode_value
from welfare_xl.core.consolidation.messages import local_time
from welfare_xl.core.consolidation.result import (
    BLANK_CODES,
    CellChange,
    ConsolidationResult,
    DepartmentState,
    DepartmentStatus,
    FileOutcome,
    FileStatus,
    IndicatorOutcome,
    IndicatorStatus,
    ReceivedFile,
    SkippedFile,
)
from welfare_xl.core.model import layout
from welfare_xl.core.model.metadata import SURVEY
from welfare_xl.core.model.numbers import same_number
from welfare_xl.core.model.survey import Indicator, Survey
from welfare_xl.core.model.text import printable
from welfare_xl.core.progress import Grade, grade_style, grade_survey
from welfare_xl.core.reading import cell_text

_UTC = timezone.utc
_OLDEST = datetime(1900, 1, 1, tzinfo=_UTC)
# How far a file's saved time may run ahead of the run's clock (another PC's clock) and still be believed.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass
class _Run:
    """The state of one run, filled in step by step."""

    survey: Survey
    table: layout.Table
    sheet: str
    after: Survey  # the master's survey with the taken values and texts
    rows: dict[str, layout.TableRow]
    latest: datetime  # the latest saved or file time believed (the run's time plus the clock skew), UTC;
    # a naive run time is the local clock's (datetime.now()), unlike a naive saved time (UTC, as core.xml)
    outcomes: dict[str, FileOutcome] = field(default_factory=dict)  # file name -> what happened to it
    candidates: dict[str, list[ReceivedFile]] = field(default_factory=dict)  # department -> returns, newest first
    refused: dict[str, list[str]] = field(default_factory=dict)  # department -> files rejected whole
    winners: dict[str, ReceivedFile] = field(default_factory=dict)
    ties: dict[str, tuple[list[ReceivedFile], str]] = field(default_factory=dict)  # department -> (tied files, why)
    warnings: list[Finding] = field(default_factory=list)
    indicators: list[IndicatorOutcome] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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

    `survey` and `table` are the master as it stands (`reading.survey_from_table`
    of that table); `sheet` is the master sheet's name, recorded in each change.
    Nothing is written: the caller applies `result.changes`.
    """
    run_at = run_at or datetime.now().replace(microsecond=0)
    run = _Run(survey, table, sheet, after=_copy_values(survey), rows=table.by_id(), latest=run_at.astimezone(_UTC) + CLOCK_SKEW,
               candidates={d: [] for d in survey.departments}, refused={d: [] for d in survey.departments})
    _sort_received(run, received, skipped)
    for dept, files in run.candidates.items():
        if files:
            _choose_newest(run, dept, files)
    run.problems += _master_problems(run)
    for dept in survey.departments:
        _take_department(run, dept)
    _grade_changes(run)
    departments = [_department_status(run, d) for d in survey.departments]
    run.changes.sort(key=lambda c: (c.col, c.row))
    return ConsolidationResult(
        run_at=run_at, survey_file=survey_file, folder=folder,
        sheet=sheet, fiscal_year=survey.fiscal_year, departments=departments,
        files=[run.outcomes[k] for k in sorted(run.outcomes)], indicators=run.indicators, changes=run.changes,
        survey=run.after, problems=run.problems, warnings=run.warnings)


# --- the newest return per department -------------------------------------------------------


def _sort_received(run: _Run, received: Sequence[ReceivedFile], skipped: Sequence[SkippedFile]) -> None:
    """Files that can stand for a department's return go to its candidates; the others get their outcome."""
    for sk in skipped:
        status = FileStatus.REJECTED if sk.refused else FileStatus.IGNORED
        run.outcomes[sk.file] = FileOutcome(sk.file, status, note=sk.reason)
    for rf in received:
        sub = rf.submission
        dept = sub.department or (sub.meta.department if sub.meta else None)
        base = dict(department=dept, saved=sub.saved, mtime=rf.mtime, warnings=sub.warnings)
        if sub.meta is not None and sub.meta.kind == SURVEY:
            run.outcomes[rf.name] = FileOutcome(
                rf.name, FileStatus.IGNORED,
                note="部署の提出ファイルではなく調査票（集約先と同じ種類のブック）のため読み込みません。", **base)
        elif sub.fatal and (sub.foreign or dept not in run.candidates):
            # Not from this survey (or of no department of it): it never stands for a return.
            run.outcomes[rf.name] = FileOutcome(rf.name, FileStatus.REJECTED, errors=sub.errors,
                                                note=_first_message(sub.errors), **base)
            if dept in run.refused:
                run.refused[dept].append(rf.name)
        elif dept not in run.candidates:
            run.outcomes[rf.name] = FileOutcome(rf.name, FileStatus.REJECTED,
                                                note=printable(f"担当部署「{dept}」はこの調査票にありません。"), **base)
        else:
            run.candidates[dept].append(rf)


def _choose_newest(run: _Run, dept: str, files: list[ReceivedFile]) -> None:
    """The newest of a department's returns wins; the others are superseded. Returns saved at the
    same moment that say different things are a guess, which becomes a warning to confirm; so is a
    saved time in the future, which is not believed."""
    files.sort(key=lambda rf: _newness(rf, run.latest), reverse=True)
    run.winners[dept] = newest = files[0]
    _warn_future(run, dept, files)
    when = _saved(newest, run.latest)
    tied = [f for f in files[1:] if _saved(f, run.latest) == when and not _same_content(f.submission, newest.submission)
            and not _future(f, run.latest) and not _future(newest, run.latest)]
    if tied:
        why = _tie_reason(newest, tied, run.latest)
        run.ties[dept] = (tied, why)
        run.warnings.append(Finding(
            Severity.WARNING, "same_saved_time",
            f"{_quoted([newest.name] + [f.name for f in tied])}は{_saved_phrase(newest, run.latest)}内容が違います。"
            f"{why}（「{newest.name}」）。どちらが最新か{dept}に確認してください。",
            file=newest.name))
    tied_names = {f.name for f in tied}
    for old in files[1:]:
        if old.name in tied_names:
            note = (f"「{newest.name}」と{_saved_phrase(newest, run.latest)}内容が違います。{run.ties[dept][1]}"
                    f"（「{newest.name}」）。")
        else:
            note = f"より新しい「{newest.name}」に差し替えられたため使いません。"
        if newest.submission.fatal:
            note += f"（「{newest.name}」はファイル全体を使えないため、この部署の指標は反映していません）"
        run.outcomes[old.name] = FileOutcome(
            old.name, FileStatus.SUPERSEDED, department=dept, saved=old.submission.saved, mtime=old.mtime,
            superseded_by=newest.name, warnings=[w for w in run.warnings if w.file == old.name], note=printable(note))


def _warn_future(run: _Run, dept: str, files: list[ReceivedFile]) -> None:
    """A warning for each return saved (by its own record) after the run, when the department sent
    others: its PC's clock was wrong, or the time was set by hand, and it was ranked by its file time
    instead; the warning names the file used. A lone return has nothing to be ranked against: it is
    warned about when its saved time is also later than its own file time (a file cannot be saved
    after it was copied into the folder), so a return saved just now by a tool is not."""
    newest = files[0]
    if len(files) < 2:
        if _future(newest, run.latest) and _utc(newest.submission.saved) > (_utc(newest.mtime) or _OLDEST) + CLOCK_SKEW:
            run.warnings.append(Finding(
                Severity.WARNING, "future_saved_time",
                f"「{newest.name}」の保存日時（{local_time(newest.submission.saved)}）が集約の実行日時より後です"
                "（保存したパソコンの時計が正しくない可能性があります）。ほかに提出がないためこのファイルを使いました。"
                f"最新の内容か{dept}に確認してください。", file=newest.name))
        return
    for rf in (f for f in files if _future(f, run.latest)):
        others = [f.name for f in files if f is not rf]
        if rf is newest:
            outcome = f"「{rf.name}」を使いました" + (f"（ほかの提出：{_quoted(others)}）" if others else "")
        else:
            outcome = f"「{newest.name}」を使い、このファイルは使いません"
        basis = (f"ファイルの更新日時（{local_time(rf.mtime)}）" if _plausible(rf.mtime, run.latest)
                 else "ほかの日時の記録がないため最も古いものとして")
        run.warnings.append(Finding(
            Severity.WARNING, "future_saved_time",
            f"「{rf.name}」の保存日時（{local_time(rf.submission.saved)}）が集約の実行日時より後です"
            "（保存したパソコンの時計が正しくない可能性があります）。この保存日時は使わず、"
            f"{basis}で新旧を判断して{outcome}。どれが最新か{dept}に確認してください。",
            file=rf.name))


def _future(rf: ReceivedFile, latest: datetime) -> bool:
    """The return says it was saved after the run (beyond the clock skew)."""
    saved = _utc(rf.submission.saved)
    return saved is not None and saved > latest


def _plausible(moment: datetime | None, latest: datetime) -> bool:
    return moment is not None and _utc(moment) <= latest


def _saved(rf: ReceivedFile, latest: datetime) -> datetime | None:
    """The return's saved time when believable (not after the run), in UTC."""
    saved = _utc(rf.submission.saved)
    return saved if saved is not None and saved <= latest else None


def _newness(rf: ReceivedFile, latest: datetime) -> tuple[datetime, datetime, str]:
    """Sort key, newest last: saved time, then file time, then name (for a stable order).

    Equal saved times happen when a department copies one workbook and edits the
    copy without Excel saving it again, or mails the same file twice: the newer
    file time is a reasonable tie-break, but when the contents differ it is a
    guess, which consolidation states (`_tie_reason`) and asks the secretariat to confirm.
    A time after `latest` (the run plus clock skew) is not believed: a saved time in
    the future gives way to the file time, and a file time in the future counts as oldest.
    """
    mtime = _utc(rf.mtime) if _plausible(rf.mtime, latest) else None
    saved = _saved(rf, latest)
    if saved is None and rf.submission.saved is not None:
        saved = mtime  # the saved time is not believed: the file time stands for it
    return (saved or _OLDEST, mtime or _OLDEST, rf.name)


def _same_content(a: Submission, b: Submission) -> bool:
    """Two returns say the same: nothing to decide between them."""
    def content(sub: Submission) -> Any:
        return (sub.fatal, sorted((f.code, f.cell or "") for f in sub.errors),
                sorted((i, encode_value(e.value), e.done, e.next) for i, e in sub.entries.items()))
    return content(a) == content(b)


def _saved_phrase(rf: ReceivedFile, latest: datetime) -> str:
    saved = _saved(rf, latest)
    return f"保存日時が同じ（{local_time(saved)}）で" if saved is not None else "どちらも保存日時の記録がなく、"


def _tie_reason(newest: ReceivedFile, tied: Sequence[ReceivedFile], latest: datetime) -> str:
    """Why `newest` was used over files saved at the same moment (Japanese, one sentence, no final 。)."""
    first = "保存日時が同じため" if _saved(newest, latest) is not None else "保存日時の記録がないため"
    if all(_utc(f.mtime) == _utc(newest.mtime) for f in tied):
        return f"{first}、ファイルの更新日時も同じため、ファイル名の順で後の方を使いました"
    return f"{first}、ファイルの更新日時が新しい方を使いました"


def _utc(moment: datetime | None) -> datetime | None:
    """Aware UTC. A naive time is taken as UTC, as docProps/core.xml and openpyxl use it."""
    if moment is None:
        return None
    return moment.replace(tzinfo=_UTC) if moment.tzinfo is None else moment.astimezone(_UTC)


# --- taking the winning returns -------------------------------------------------------------


def _master_problems(run: _Run) -> list[str]:
    """Columns and rows the master lacks: what lands there cannot be written."""
    problems = [f"シート「{run.sheet}」に列「{layout.KEY_PREFIX}{key}」がないため、その列には書き込めません。"
                for key in (layout.year_key(run.survey.fiscal_year), layout.DONE, layout.NEXT)
                if key not in run.table.columns]
    problems += [f"シート「{run.sheet}」に指標［{ind.id}］{ind.label} の行がないため、書き込めません。"
                 for ind in run.survey.indicators if ind.id not in run.rows]
    return problems


def _take_department(run: _Run, dept: str) -> None:
    """Every indicator of a department: taken from its winning return, rejected, or not submitted."""
    winner = run.winners.get(dept)
    accepted: list[str] = []
    rejected: list[str] = []
    found = winner.submission.by_indicator() if winner is not None else ({}, {})
    for ind in (i for i in run.survey.indicators if i.department == dept):
        row = run.rows.get(ind.id)
        out = IndicatorOutcome(ind, IndicatorStatus.NOT_SUBMITTED, source=winner.name if winner else None,
                               row=row.row if row else None)
        out.old_value = out.new_value = run.survey.values.get(ind.id, {}).get(run.survey.fiscal_year)
        if ind.lead:
            out.old_texts = out.new_texts = run.survey.texts.get(ind.id, (None, None))
        run.indicators.append(out)
        if winner is not None:
            (accepted if _take_indicator(run, out, winner.submission, found) else rejected).append(ind.id)
    if winner is not None:
        run.outcomes[winner.name] = _winner_outcome(run, dept, winner, accepted, rejected)


def _take_indicator(run: _Run, out: IndicatorOutcome, sub: Submission, found: tuple[dict, dict]) -> bool:
    """Take one indicator from the winning return into `run`; False when its errors reject it.
    `found` is the return's errors and warnings per indicator (`Submission.by_indicator`)."""
    ind, fy = out.indicator, run.survey.fiscal_year
    entry = sub.entries.get(ind.id)
    errors, warnings = found
    out.warnings = list(warnings.get(ind.id, ()))
    if sub.fatal or ind.id in errors or entry is None:
        out.status = IndicatorStatus.REJECTED
        out.reasons = (list(sub.errors) if sub.fatal else
                       list(errors.get(ind.id, ())) or [_missing_entry(sub, ind)])
        return False
    row = run.rows.get(ind.id)
    if row is None:
        out.status = IndicatorStatus.NO_ROW
        return True
    changes = _value_changes(run, ind, row, entry.value)
    run.after.values.setdefault(ind.id, {})[fy] = entry.value
    out.new_value = entry.value
    if ind.lead:
        out.new_texts = (entry.done, entry.next)
        changes += _text_changes(run, ind, row, out.new_texts)
        run.after.texts[ind.id] = out.new_texts
    out.status = IndicatorStatus.UPDATED if changes else IndicatorStatus.UNCHANGED
    run.changes += changes
    return True


def _winner_outcome(run: _Run, dept: str, winner: ReceivedFile, accepted: list[str],
                    rejected: list[str]) -> FileOutcome:
    sub = winner.submission
    status = (FileStatus.ACCEPTED if not rejected else
              FileStatus.PARTLY_REJECTED if accepted else FileStatus.REJECTED)
    note = (f"{len(accepted)}指標を反映、{len(rejected)}指標はエラーのため不採用" if rejected
            else f"{len(accepted)}指標を反映")
    if sub.fatal:
        older = [f.name for f in run.candidates[dept][1:]]
        note = (f"ファイル全体を使えません：{_first_message(sub.errors)} "
                f"この部署で最も新しいファイルのため、{len(rejected)}指標はすべて調査票の値のままです"
                + (f"（古い{_quoted(older)}は、より新しいこのファイルがあるため使いません）。" if older else "。"))
    if untouched(sub):
        status = FileStatus.BLANK
        note = "何も入力されていません（指標がすべて未入力のため、調査票の値のままです）"
    file_warnings = list(sub.warnings)
    if dept in run.ties:
        tied, why = run.ties[dept]
        note += f"（{_quoted([f.name for f in tied])}と{_saved_phrase(winner, run.latest)}内容が違います。{why}）"
        file_warnings += [w for w in run.warnings if w.file == winner.name]
    return FileOutcome(winner.name, status, department=dept, saved=sub.saved, mtime=winner.mtime,
                       accepted=accepted, rejected=rejected, errors=sub.errors, warnings=file_warnings, note=printable(note))


def untouched(sub: Submission) -> bool:
    """A return that is the form as distributed: every figure and text empty, nothing else wrong.
    It is 未記入 (to send back filled in), not a broken file (エラー)."""
    typed = any(e.raw not in (None, "") or e.done or e.next for e in sub.entries.values())
    return (not sub.fatal and not typed and bool(sub.errors)
            and all(f.code in BLANK_CODES for f in sub.errors))


def same_value(old: Any, new: Any) -> bool:
    """True when a cell already holds `new` as a value (a number as a number, '－' as text)."""
    if new is None:
        return old is None or (isinstance(old, str) and not old.strip())
    if isinstance(new, str):
        return isinstance(old, str) and old.strip() == new
    if isinstance(old, bool) or not isinstance(old, (int, float)):
        return False
    return same_number(old, new)


def _value_changes(run: _Run, ind: Indicator, row: layout.TableRow, new: Any) -> list[CellChange]:
    key = layout.year_key(run.survey.fiscal_year)
    if key not in run.table.columns:
        return []
    old = row.get(key)
    if same_value(old, new):
        return []
    return [CellChange(row.row, run.table.columns[key], key, ind.id, old, new, run.sheet)]


def _text_changes(run: _Run, ind: Indicator, row: layout.TableRow,
                  texts: tuple[str | None, str | None]) -> list[CellChange]:
    out = []
    for key, new in zip((layout.DONE, layout.NEXT), texts):
        if key not in run.table.columns:
            continue
        old = row.get(key)
        if cell_text(old) != new:
            out.append(CellChange(row.row, run.table.columns[key], key, ind.id, old, new, run.sheet))
    return out


def _grade_changes(run: _Run) -> None:
    """Grade the updated survey: each outcome's grade, and a change where the 進捗評価 cell differs."""
    grades: dict[str, Grade] = grade_survey(run.after)
    for out in run.indicators:
        out.grade = grades.get(out.indicator.id)
    if layout.GRADE not in run.table.columns:
        word = run.after.plan.header("grade_column")
        run.problems.append(f"シート「{run.sheet}」に{word}の列（{layout.KEY_PREFIX}{layout.GRADE}）がないため、"
                            f"{word}は書き込みません。")
        return
    col = run.table.columns[layout.GRADE]
    by_id = {o.indicator.id: o for o in run.indicators}
    for ind in run.survey.indicators:
        row = run.rows.get(ind.id)
        if row is None:
            continue
        old = row.get(layout.GRADE)
        by_id[ind.id].old_grade = old if isinstance(old, str) else None
        g = grades[ind.id]
        if old != g.label:
            run.changes.append(CellChange(row.row, col, layout.GRADE, ind.id, old, g.label, run.sheet, grade_style(g)))


# --- where each department stands -----------------------------------------------------------


def _department_status(run: _Run, dept: str) -> DepartmentStatus:
    winner, files, refused = run.winners.get(dept), run.candidates[dept], run.refused[dept]
    if winner is None:
        if refused:
            return DepartmentStatus(dept, DepartmentState.FAILED, files=refused,
                                    note=printable("提出ファイルを使えません：" + _listed(refused)))
        return DepartmentStatus(dept, DepartmentState.MISSING, note="提出ファイルがありません")
    names = [f.name for f in files]
    outcome = run.outcomes[winner.name]
    notes = []
    if winner.submission.fatal:
        notes.append(f"最新の提出「{winner.name}」を使えません（{_first_message(winner.submission.errors)}）。"
                     "様式を直して提出し直してもらってください")
        if len(files) > 1:
            notes.append(f"古い{_quoted(names[1:])}は、より新しいファイルがあるため使いません")
    elif len(files) > 1:
        notes.append("差し替え前：" + _listed(names[1:]))
    if dept in run.ties:
        tied, why = run.ties[dept]
        notes.append(f"{_quoted([winner.name] + [f.name for f in tied])}は{_saved_phrase(winner, run.latest)}内容が違います。"
                     f"{why}（「{winner.name}」）。どちらが最新か部署に確認してください")
    if refused:
        notes.append("不採用のファイル：" + _listed(refused))
    if winner.submission.fatal:
        status = DepartmentState.FAILED
    elif outcome.status == FileStatus.BLANK:
        notes.insert(0, f"「{winner.name}」は配布したままの様式で、何も入力されていません")
        status = DepartmentState.BLANK
    elif outcome.status != FileStatus.ACCEPTED:
        notes.insert(0, f"{len(outcome.rejected)}指標がエラーのため不採用")
        status = DepartmentState.FAILED
    else:
        status = DepartmentState.RESUBMITTED if len(files) > 1 else DepartmentState.SUBMITTED
    return DepartmentStatus(dept, status, file=winner.name, files=names + refused, saved=winner.submission.saved,
                            note=printable("／".join(notes)))


def _missing_entry(sub: Submission, ind: Indicator) -> Finding:
    return Finding(Severity.ERROR, "row_missing", f"指標「{ind.label}」の行が見つかりません。", file=sub.file,
                   sheet=sub.sheet, indicator_id=ind.id, indicator=ind.label)


def _first_message(findings: Sequence[Finding]) -> str:
    return findings[0].message if findings else ""


def _quoted(names: Sequence[str]) -> str:
    return _listed([f"「{n}」" for n in names], "、")


def _listed(names: Sequence[str], sep: str = "、", shown: int = 10) -> str:
    """Ten names and how many more: a note a person reads and a cell holds, however many files came
    (a prefecture's folder); the log's ファイル別の結果 lists every file."""
    more = f" ほか {len(names) - shown:,} 件（ファイル別の結果を参照）" if len(names) > shown else ""
    return sep.join(names[:shown]) + more


def _copy_values(survey: Survey) -> Survey:
    return replace(survey, values={k: dict(v) for k, v in survey.values.items()}, targets=dict(survey.targets),
                   texts=dict(survey.texts), grades=dict(survey.grades))
