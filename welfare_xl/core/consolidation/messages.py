"""The Japanese summaries of consolidation, one of each, for the CLI and the add-in alike.

- `run_summary`: what a run did (集約): changed cells, the 提出状況, the files
  and contents not taken, what to confirm, and `closing`, its last word (also
  the 結果 line of the 集約ログ);
- `status_summary`: who has submitted (提出状況), from the folder alone;
- `undo_summary`: what 元に戻す put back and which cells it left alone.

Each takes the list's `bullet`, the `sep` after a heading or a name and a
`limit` per list (departments are always all listed): the CLI prints every line (`"  "`, `": "`, no limit), the
add-in's message boxes use `"・"`, `"："` and a limit, and add what is about
the button (which sheet to look at, what to press next). `status_line` is the
count of departments per status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from welfare_xl.core.consolidation.result import (
    REFUSED,
    TO_CHECK,
    CellChange,
    ConsolidationResult,
    DepartmentState,
    DepartmentStatus,
    FileOutcome,
    SubmissionStatus,
    UndoPlan,
)
from welfare_xl.core.model import layout
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Plan
from welfare_xl.core.model.wording import default_header


def status_line(departments: Sequence[DepartmentStatus]) -> str:
    """提出済 2、差し替え 1、未提出 1、エラー 1（全5部署）; 未記入 only when a form came back blank."""
    counts = {s: sum(d.status == s for d in departments) for s in DepartmentState}
    shown = [s for s in DepartmentState if counts[s] or s != DepartmentState.BLANK]
    return f"{'、'.join(f'{s.label} {counts[s]}' for s in shown)}（全{len(departments)}部署）"


def closing(result: ConsolidationResult) -> str:
    """The last word of a run: done, or what the secretariat has to do."""
    return ("すべての部署の提出を反映しました。" if result.complete else
            "すべての部署の提出を反映しましたが、確認が必要なことがあります（「確認が必要なこと」を見てください）。"
            if result.all_taken else
            f"{_not_done(result.departments)}があります。該当部署に連絡し、提出後にもう一度集約してください。")


def _not_done(departments: Sequence[DepartmentStatus]) -> str:
    """未提出・エラー, and 未記入 among them when a form came back blank."""
    blank = any(d.status == DepartmentState.BLANK for d in departments)
    return "未提出・未記入・エラー" if blank else "未提出・エラー"


def headline(result: ConsolidationResult) -> str:
    """What the run did, in a few words: consolidated, or why nothing was taken."""
    year, sheet = fiscal_year_label(result.fiscal_year), result.sheet
    if not result.returns:
        return f"{year}の提出ファイルがありません（{result.folder or '提出フォルダ'}）。「{sheet}」に反映した提出はありません"
    if not result.taken_any:
        return f"{year}の提出ファイルに反映できるものがありません。「{sheet}」に反映した提出はありません"
    return f"{year}の提出ファイルを「{sheet}」に集約しました"


def run_summary(result: ConsolidationResult, *, bullet: str = "  ", sep: str = ": ",
                limit: int | None = None, every_file: bool = False) -> list[str]:
    """What a consolidation run did, problems named with file and cell, ending with `closing`.

    `every_file` also lists each file of the folder with what became of it (the
    CLI's record of a run; a message box has no room for it).
    """
    head = headline(result)
    lines = [f"{head}{sep}{result.output}" if result.output else f"{head}。"]
    if result.backup:
        lines.append(f"元の調査票はバックアップしました{sep}{result.backup}")
    lines.append(f"変更したセル{sep}{_changed_cells(result)}")
    lines.append(f"提出状況{sep}{status_line(result.departments)}")
    lines += _departments(result.departments, bullet, sep)
    if every_file:
        lines += _titled("ファイル", [f"{f.file}{sep}{f.label}" + (f"（{f.note}）" if f.note else "")
                                   for f in result.files], bullet, sep, limit)
    lines += _files_to_check(result.files, bullet, sep, limit)
    errors = [e for f in result.files if f.status in REFUSED for e in f.errors]
    lines += _titled("反映しなかった内容", [e.describe(mark=sep) for e in errors], bullet, sep, limit)
    lines += [f"集約先の問題{sep}{p}" for p in result.problems]
    lines += _titled("確認が必要なこと", [w.describe(mark=sep) for w in result.to_confirm], bullet, sep, limit)
    lines.append(closing(result))
    return lines


def status_summary(state: SubmissionStatus, *, bullet: str = "  ", sep: str = ": ",
                   limit: int | None = None) -> list[str]:
    """Who has submitted: counts, each department, the files and points to confirm."""
    folder = f"{fiscal_year_label(state.fiscal_year)}の提出状況（{state.folder}）"
    lines = [f"{folder}{sep}{status_line(state.departments)}"]
    lines += _departments(state.departments, bullet, sep)
    lines += _files_to_check(state.files, bullet, sep, limit)
    warnings = [w.describe(mark=None, sep=sep) for w in state.warnings]
    lines += _titled("確認が必要なこと", warnings, bullet, sep, limit)
    lines.append("すべての部署が提出済みです。" if state.complete else
                 "すべての部署が提出済みですが、確認が必要なことがあります。" if state.all_in else
                 f"{_not_done(state.departments)}の部署があります。")
    return lines


def undo_summary(plan: UndoPlan, *, bullet: str = "  ", limit: int | None = None) -> list[str]:
    """What was put back and what was not, naming each cell left alone (columns in the wording
    of `plan.words`, the survey's plan, when known)."""
    lines = [f"直前の集約で変更した「{plan.sheet}」のセル {len(plan.restore)} 個を、集約前の内容に戻しました。"]
    moved = [ch for ch in plan.restore if ch.logged_ref and ch.logged_ref != ch.ref]
    if moved:
        lines.append(f"集約の後に行や列が挿入・削除されていたため、うち {len(moved)} 個は指標IDと列で探し直して戻しました。")
    if plan.edited:
        lines.append(f"次の {len(plan.edited)} 個のセルは集約の後に手で変更されているため、戻していません：")
        lines += _listed([describe_cell(ch, plan.words) for ch in plan.edited], bullet, limit, unit="個")
    if plan.lost:
        lines.append(f"次の {len(plan.lost)} 個の変更は、行または列がなくなっているため戻せません：")
        lines += _listed([reason for _, reason in plan.lost], bullet, limit, unit="個")
    return lines


def describe_cell(ch: CellChange, words: Plan | None = None) -> str:
    """A changed cell for a person: M16［G3-03］進捗評価（集約時は M15）."""
    moved = f"（集約時は {ch.logged_ref}）" if ch.logged_ref and ch.logged_ref != ch.ref else ""
    return f"{ch.ref}［{ch.indicator_id}］{column_label(ch.key, words)}{moved}"


# The master's columns a message names by a word of the plan: key -> wording key.
_COLUMN_WORDS = {layout.DONE: "done_word", layout.NEXT: "next_word", layout.GRADE: "grade_column"}


def column_label(key: str, words: Plan | None = None) -> str:
    """A master column as a person names it, from its key, in the wording of `words` (the
    survey's plan; the default wording without one): 令和元年度の実績値, 取組状況, 進捗評価."""
    word = _COLUMN_WORDS.get(key)
    label = (words.header(word) if words else default_header(word)) if word else None
    year = layout.key_year(key)
    return label or (f"{fiscal_year_label(year)}の実績値" if year else key)


def local_time(moment: datetime | None) -> str:
    """A time as the secretariat's clock shows it."""
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _changed_cells(result: ConsolidationResult) -> str:
    changes = result.changes
    n_values = sum(c.key == layout.year_key(result.fiscal_year) for c in changes)
    n_texts = sum(c.key in (layout.DONE, layout.NEXT) for c in changes)
    n_grades = sum(c.key == layout.GRADE for c in changes)
    words = result.survey.plan.header
    return (f"{len(changes)} 個（実績値 {n_values}、{words('done_word')}・{words('next_word')} {n_texts}、"
            f"{words('grade_column')} {n_grades}）")


def _departments(departments: Sequence[DepartmentStatus], bullet: str, sep: str) -> list[str]:
    """Every department, never cut short: who is missing is what the list is for."""
    return [f"{bullet}{d.department}{sep}{d.label}" + (f"（{d.note}）" if d.note else "") for d in departments]


def _files_to_check(files: Sequence[FileOutcome], bullet: str, sep: str, limit: int | None) -> list[str]:
    """The files not taken whole: refused, or not read at all."""
    items = [f"{f.file}（{f.label}）" + (f"{sep}{f.note}" if f.note else "") for f in files if f.status in TO_CHECK]
    return _titled("確認が必要なファイル", items, bullet, sep, limit)


def _titled(title: str, items: list[str], bullet: str, sep: str, limit: int | None) -> list[str]:
    """A heading and its list, or nothing when the list is empty."""
    return [title + sep.strip()] + _listed(items, bullet, limit) if items else []


def _listed(items: list[str], bullet: str, limit: int | None, unit: str = "件") -> list[str]:
    shown = items if limit is None else items[:limit]
    more = [f"（ほか {len(items) - len(shown)} {unit}）"] if len(items) > len(shown) else []
    return [f"{bullet}{x}" for x in shown] + more
