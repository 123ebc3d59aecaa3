"""集約, 元に戻す and 提出状況: the returned department workbooks and the live master sheet.

The files in the 提出フォルダ are read and checked by the file adapter and the
consolidation core, exactly as `welfare-xl consolidate` does; only the target
differs: the changes go into the open workbook's master sheet (資料２) through
xlwings, and the log into its 集約ログ sheet and the hidden 集約ログ_データ
beside it, which 元に戻す reads back.

Writes to the master touch only the cells that change: one bulk write per run
of consecutive changed rows of a column (`consolidation.result.column_runs`). A cell
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
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.com import quiet, unprotected
from welfare_xl.addin.excel.formulas import held_contents
from welfare_xl.addin.excel.grids import (NotApplicable, find_sheet, is_desktop, last_visible_sheet, read_grid, status,
                                          status_progress)
from welfare_xl.addin.excel.ranges import block, rectangles, runs
from welfare_xl.addin.excel.sheet_writer import excel_value, paint, write_new_sheet
from welfare_xl.addin.excel.workbook import LiveSurvey, read_survey
from welfare_xl.core.model import layout

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

    from welfare_xl.core.consolidation.result import CellChange

LABEL = "集約"
UNDO_LABEL = "元に戻す"
STATUS_LABEL = "提出状況"
MAX_LISTED = 10


# --- reading the folder ------------------------------------------------------------------


def _submissions(book: "xw.Book", live: LiveSurvey, folders: settings.Settings, label: str):
    """Read and check every workbook of the 提出フォルダ; returns (result of the core, folder)."""
    from welfare_xl.core.consolidation.decide import consolidate_submissions
    from welfare_xl.files.submissions import scan_folder

    folder = folders.folder(settings.SUBMISSIONS)
    if not folder.is_dir():
        raise NotApplicable(
            f"提出フォルダ「{folder}」がありません。部署から返ってきた調査票（.xlsx）を入れるフォルダを作り、"
            f"ファイルを置いてから、もう一度「{label}」を押してください（フォルダは「{settings.SHEET}」シートの"
            f"「{settings.SUBMISSIONS}」で変えられます）。")
    n = sum(1 for p in folder.iterdir() if p.is_file())
    status(book, f"提出フォルダのファイル {n} 件を読み込んでいます…（{folder}）")
    progress = status_progress(book, f"{label}：提出ファイルを点検しています")
    received, skipped = scan_folder(folder, live.meta, live.survey, progress=progress)  # locked cells against the master
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
    from welfare_xl.core.consolidation.result import column_runs

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


def fit_rows(sheet: "xw.Sheet", heights: dict[int, float]) -> None:
    """Set the heights of master rows (0-based row -> pt): one write per run of rows of equal height.

    The rows of an item whose texts were written (`core.consolidation.row_fit`): Excel
    does not grow a row for a merged text, so the add-in sizes them as the file path does.
    """
    for first, last, height in runs(heights, heights.__getitem__):
        sheet.range((first + 1, 1), (last + 1, 1)).row_height = height


# --- consolidate ---------------------------------------------------------------------------


def consolidate(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, log_data_spec, log_sheet_spec
    from welfare_xl.core.consolidation.messages import run_summary
    from welfare_xl.core.consolidation.row_fit import consolidated_heights

    live = read_survey(book, LABEL)
    folders = settings.load(book, create=True)
    result, _ = _submissions(book, live, folders, LABEL)
    master = book.sheets[live.sheet]
    spans = _group_rows(live)
    # What the cells hold (formulas, on desktop Excel), for the log: 元に戻す puts back exactly that.
    logged = replace(result, changes=held_contents(book, master, result.changes))
    with quiet(book):
        # The log first: it holds every old value, so should desktop Excel fail
        # while writing the master, 元に戻す can still put back what was written.
        status(book, f"「{LOG_SHEET}」シートを作成しています…")
        for name in (DATA_SHEET, LOG_SHEET):
            old = find_sheet(book, name)
            if old is not None:
                old.delete()
        # The data sheet first: a readable log is never there without what undoes it.
        write_new_sheet(book, log_data_spec(logged), after=last_visible_sheet(book))
        write_new_sheet(book, log_sheet_spec(logged), after=last_visible_sheet(book), autofit_rows=True)
        status(book, f"「{live.sheet}」に {len(result.changes)} 個のセルを書き込んでいます…")
        with unprotected(book, master):
            write_changes(book, master, result.changes, spans)
            fit_rows(master, consolidated_heights(result))
        master.activate()
    status(book, None)

    lines = run_summary(result, bullet="・", sep="：", limit=MAX_LISTED)
    lines.append("")
    lines.append(f"詳しい内容は「{LOG_SHEET}」シートにあります。集約前に戻すときは「{UNDO_LABEL}」を押してください。"
                 "ブックはまだ保存していません。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)


# --- undo ----------------------------------------------------------------------------------


def undo(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, UNDONE_SUFFIX
    from welfare_xl.core.consolidation.messages import undo_summary
    from welfare_xl.core.consolidation.row_fit import undone_heights
    from welfare_xl.core.consolidation.undo import NOTHING_TO_UNDO, plan_undo

    live = read_survey(book, UNDO_LABEL)
    log_sheet = find_sheet(book, LOG_SHEET)
    if log_sheet is None:
        return NOTHING_TO_UNDO
    # Found again by indicator ID and column key: rows may have been inserted since. A log that
    # cannot be used (another sheet's, edited) raises LogError, a complete sentence for the clerk.
    data_sheet = find_sheet(book, DATA_SHEET)
    plan = plan_undo(read_grid(log_sheet), live.grid, sheet=live.sheet,
                     data_grid=read_grid(data_sheet) if data_sheet is not None else None)
    plan.words = live.meta.survey.plan
    master = book.sheets[live.sheet]
    undone = f"{LOG_SHEET}{UNDONE_SUFFIX}"
    with quiet(book):
        with unprotected(book, master):
            write_changes(book, master, plan.restore, _group_rows(live))
            fit_rows(master, undone_heights(live.meta, live.grid, plan))
        # Kept for the record under another name; 元に戻す does not apply them twice.
        for sheet in (log_sheet, data_sheet):
            if sheet is None:
                continue
            renamed = f"{sheet.name}{UNDONE_SUFFIX}"
            previous = find_sheet(book, renamed)
            if previous is not None:
                previous.delete()
            sheet.name = renamed
        master.activate()
    status(book, None)

    lines = undo_summary(plan, bullet="・", limit=MAX_LISTED)
    lines.append(f"集約の記録は「{undone}」シートに残しました。ブックはまだ保存していません。")
    return "\n".join(lines)


# --- status --------------------------------------------------------------------------------


def status_report(book: "xw.Book") -> str:
    from welfare_xl.core.consolidation.messages import status_summary
    from welfare_xl.core.consolidation.result import SubmissionStatus

    live = read_survey(book, STATUS_LABEL)
    folders = settings.load(book, create=False)
    result, folder = _submissions(book, live, folders, STATUS_LABEL)
    state = SubmissionStatus.of(result)
    status(book, None)
    sheet = f"「{live.sheet}」"  # the plan's own master sheet
    next_step = (f"「集約」を押すと{sheet}に反映します。" if state.complete
                 else f"「確認が必要なこと」を部署に確認してください。{sheet}はまだ変更していません。" if state.all_in
                 else f"{sheet}はまだ変更していません。")
    return "\n".join(status_summary(state, bullet="・", sep="：", limit=MAX_LISTED) + ["", next_step])
