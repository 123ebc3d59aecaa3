"""集約, 元に戻す and 提出状況: the returned department workbooks and the live master sheet.

The files in the 提出フォルダ are read and checked by the file adapter and the
consolidation core, exactly as `welfare-xl consolidate` does; only the target
differs: the changes go into the open workbook's master sheet (資料２) through
xlwings, and the log into its 集約ログ sheet, which 元に戻す reads back.

Writes to the master touch only the cells that change: one bulk write per run
of consecutive changed rows of a column (`consolidation.column_runs`). A cell
between two changed rows is never written, not even with the value just read:
a formula typed there would become its value and an error cell (#N/A, read as
empty) would become blank, and the 集約ログ, which lists only changed cells,
could not undo that. The same holds on both engines (Office.js writes values
too), so there is one path. The number of writes follows the number of runs,
not of rows. In the text columns an item's text is merged over its sub-rows;
a run never ends inside such a merge (Excel refuses to write part of a
merged area), so a changed text on a multi-row item is written on its own,
to the merge's top-left cell. Fills of the 進捗評価 column are one write per
column; bold is one write per run of equal weight; the hatch of a behind grade
is desktop-only (the remote engine sets solid fills).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Sequence

from welfare_xl.core.model import layout
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.com import quiet, unprotected
from welfare_xl.addin.excel.grids import NotApplicable, find_sheet, is_desktop, last_visible_sheet, read_grid, status
from welfare_xl.addin.excel.ranges import block, rectangles
from welfare_xl.addin.excel.sheet_writer import excel_value, paint, render_new_sheet
from welfare_xl.addin.excel.workbook import LiveSurvey, read_survey

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

    from welfare_xl.core.consolidation import CellChange, ConsolidationResult

LABEL = "集約"
UNDO_LABEL = "元に戻す"
STATUS_LABEL = "提出状況"
UNDONE_SUFFIX = "（取消済）"  # consolidation.UNDONE_SUFFIX; not imported, to keep this import light
MAX_LISTED = 10


# --- reading the folder ------------------------------------------------------------------


def _submissions(book: "xw.Book", live: LiveSurvey, folders: settings.Settings, label: str):
    """Read and check every workbook of the 提出フォルダ; returns (result of the core, folder)."""
    from welfare_xl.files.submissions import scan_folder
    from welfare_xl.core.consolidation import consolidate_submissions

    folder = folders.folder(settings.SUBMISSIONS)
    if not folder.is_dir():
        raise NotApplicable(
            f"提出フォルダ「{folder}」がありません。部署から返ってきた調査票（.xlsx）を入れるフォルダを作り、"
            f"ファイルを置いてから、もう一度「{label}」を押してください（フォルダは「{settings.SHEET}」シートの"
            f"「{settings.SUBMISSIONS}」で変えられます）。")
    n = sum(1 for p in folder.iterdir() if p.is_file())
    status(book, f"提出フォルダのファイル {n} 件を読み込んでいます…（{folder}）")
    received, skipped = scan_folder(folder, live.meta, live.survey)  # locked cells against the master
    result = consolidate_submissions(live.survey, live.table, received, sheet=live.sheet, skipped=skipped,
                                     survey_file=book.name, folder=str(folder))
    return result, folder


# --- writing changes -----------------------------------------------------------------------


def _group_rows(live: LiveSurvey) -> dict[int, tuple[int, int]]:
    """Row -> (first, last) row of its item group: the rows the texts are merged over."""
    rows = {r.id: r.row for r in live.table.rows}
    groups: dict[str, list[int]] = defaultdict(list)
    for ind in live.survey.indicators:
        if ind.id in rows:
            groups[ind.group or ind.id].append(rows[ind.id])
    span = {}
    for members in groups.values():
        first, last = min(members), max(members)
        if last - first + 1 == len(members):  # only where the group's rows are still together
            for r in members:
                span[r] = (first, last)
    return span


def value_writes(changes: Sequence["CellChange"], spans: dict[int, tuple[int, int]]) -> list[tuple[int, int, list[Any]]]:
    """(first row, column, new values top to bottom) of each bulk write, 0-based.

    Only changed cells: one write per run of consecutive changed rows of a
    column. In a text column (取組状況, 今後の展開), a row whose item spans
    several rows (`spans`: the rows its text is merged over) is written on its
    own, so that no write covers part of a merged area.
    """
    from welfare_xl.core.consolidation import column_runs

    text_cols = {ch.col for ch in changes if ch.key in (layout.DONE, layout.NEXT)}
    out: list[tuple[int, int, list[Any]]] = []
    for run in column_runs(changes):
        merged = spans if run.col in text_cols else {}
        piece: list[Any] = []
        first = run.first_row
        for offset, value in enumerate(run.values):
            row = run.first_row + offset
            alone = merged.get(row, (row, row)) != (row, row)
            if alone and piece:
                out.append((first, run.col, piece))
                piece = []
            if not piece:
                first = row
            piece.append(value)
            if alone:
                out.append((first, run.col, piece))
                piece = []
        if piece:
            out.append((first, run.col, piece))
    return out


def write_changes(book: "xw.Book", sheet: "xw.Sheet", changes: Sequence["CellChange"],
                  spans: dict[int, tuple[int, int]]) -> None:
    """Apply cell changes to the live sheet: values per run of changed rows, styles per column.

    No unchanged cell is written, so the sheet as read is not needed.
    """
    for first, col, values in value_writes(changes, spans):
        sheet.range((first + 1, col + 1), (first + len(values), col + 1)).value = [[excel_value(v)] for v in values]

    styled = {(ch.row, ch.col): ch.style for ch in changes if ch.style is not None}
    if not styled:
        return
    paint(sheet, {rc: style.fill for rc, style in styled.items()})
    for bold, rects in rectangles({rc: style.bold for rc, style in styled.items()}).items():
        for rect in rects:
            block(sheet, rect).font.bold = bold
    if is_desktop(book):
        from welfare_xl.addin.excel.com import patterns

        patterns(sheet, styled)


# --- consolidate ---------------------------------------------------------------------------


def _listing(result: "ConsolidationResult") -> list[str]:
    from welfare_xl.core.consolidation import PARTLY_REJECTED, REJECTED

    lines = [f"提出状況：{result.status_line()}"]
    missing = [d for d in result.departments if not d.done]
    if missing:
        lines.append("未提出・エラーの部署：" + "、".join(f"{d.department}（{d.label}）" for d in missing))
    problems = []
    for f in result.files:
        if f.status in (REJECTED, PARTLY_REJECTED):
            first = f.errors[0] if f.errors else None
            where = f"：{first.describe(file=False, mark=None)}" if first is not None else ""
            more = f"（ほか {len(f.errors) - 1} 件）" if len(f.errors) > 1 else ""
            problems.append(f"・{f.file}（{f.label}）{where}{more}")
    if problems:
        lines.append("反映しなかった内容があります：")
        lines += problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            lines.append(f"（ほか {len(problems) - MAX_LISTED} ファイル）")
    lines += [f"・集約先の問題：{p}" for p in result.problems]
    if result.warnings:
        lines.append("確認が必要なこと：")
        lines += ["・" + w.describe(sheet=False, cell=False, subject=False, mark=None, sep="：")
                  for w in result.warnings[:MAX_LISTED]]
    return lines


def _problems_of(result: "ConsolidationResult") -> bool:
    """Rejected files or problems of the master: more than a decision to confirm."""
    from welfare_xl.core.consolidation import PARTLY_REJECTED, REJECTED

    return bool(result.problems) or any(f.status in (REJECTED, PARTLY_REJECTED) for f in result.files)


def consolidate(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation import LOG_SHEET, log_sheet_spec

    live = read_survey(book, LABEL)
    folders = settings.load(book, create=True)
    result, _ = _submissions(book, live, folders, LABEL)
    master = book.sheets[live.sheet]
    spans = _group_rows(live)
    with quiet(book):
        # The log first: it holds every old value, so should desktop Excel fail
        # while writing the master, 元に戻す can still put back what was written.
        status(book, f"「{LOG_SHEET}」シートを作成しています…")
        old_log = find_sheet(book, LOG_SHEET)
        if old_log is not None:
            old_log.delete()
        render_new_sheet(book, log_sheet_spec(result), after=last_visible_sheet(book), autofit_rows=True)
        status(book, f"「{live.sheet}」に {len(result.changes)} 個のセルを書き込んでいます…")
        with unprotected(book, master):
            write_changes(book, master, result.changes, spans)
        master.activate()
    status(book, None)

    fy = fiscal_year_label(result.fiscal_year)
    n_values = sum(c.key == layout.year_key(result.fiscal_year) for c in result.changes)
    n_texts = sum(c.key in (layout.DONE, layout.NEXT) for c in result.changes)
    n_grades = sum(c.key == layout.GRADE for c in result.changes)
    lines = [f"{fy}の提出ファイルを「{live.sheet}」に集約しました。",
             f"変更したセル：{len(result.changes)} 個（実績値 {n_values}、取組状況・今後の展開 {n_texts}、進捗評価 {n_grades}）"]
    lines += _listing(result)
    lines.append("")
    if result.complete:
        lines.append("すべての部署の提出を反映しました。")
    elif all(d.done for d in result.departments) and not _problems_of(result):
        lines.append("すべての部署の提出を反映しましたが、「確認が必要なこと」を部署に確認してください。")
    else:
        lines.append("未提出・エラーの部署に連絡し、提出されたらもう一度「集約」を押してください。")
    lines.append(f"詳しい内容は「{LOG_SHEET}」シートにあります。集約前に戻すときは「{UNDO_LABEL}」を押してください。"
                 "ブックはまだ保存していません。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)


# --- undo ----------------------------------------------------------------------------------


def undo(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation import LOG_SHEET, LogError, plan_undo, undo_changes

    live = read_survey(book, UNDO_LABEL)
    log_sheet = find_sheet(book, LOG_SHEET)
    if log_sheet is None:
        return f"元に戻す集約がありません（「{LOG_SHEET}」シートがありません）。"
    log_grid = read_grid(log_sheet)
    try:
        foreign = [ch for ch in undo_changes(log_grid) if ch.sheet and ch.sheet != live.sheet]
        if foreign:
            raise NotApplicable(f"「{LOG_SHEET}」はシート「{foreign[0].sheet}」への集約の記録ですが、"
                                f"このブックの集約先は「{live.sheet}」です。元に戻せません。")
        # Found again by indicator ID and column key: rows may have been inserted since.
        plan = plan_undo(log_grid, live.grid, sheet=live.sheet)
    except LogError as exc:
        raise NotApplicable(f"「{LOG_SHEET}」シートを読み取れないため、元に戻せません。{exc}") from exc
    master = book.sheets[live.sheet]
    with quiet(book):
        with unprotected(book, master):
            write_changes(book, master, plan.restore, _group_rows(live))
        undone = f"{LOG_SHEET}{UNDONE_SUFFIX}"
        previous = find_sheet(book, undone)
        if previous is not None:
            previous.delete()
        log_sheet.name = undone  # kept for the record; 元に戻す does not apply it twice
        master.activate()
    status(book, None)

    lines = plan.summary_lines(bullet="・", limit=MAX_LISTED)
    lines.append(f"集約の記録は「{undone}」シートに残しました。ブックはまだ保存していません。")
    return "\n".join(lines)


# --- status --------------------------------------------------------------------------------


def status_report(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation import SubmissionStatus

    live = read_survey(book, STATUS_LABEL)
    folders = settings.load(book, create=False)
    result, folder = _submissions(book, live, folders, STATUS_LABEL)
    state = SubmissionStatus.of(result)
    status(book, None)
    next_step = ("「集約」を押すと資料２に反映します。" if state.complete
                 else "「確認が必要なこと」を部署に確認してください。資料２はまだ変更していません。" if state.all_in
                 else "資料２はまだ変更していません。")
    return "\n".join(state.summary_lines(bullet="・", sep="：", limit=MAX_LISTED) + ["", next_step])
