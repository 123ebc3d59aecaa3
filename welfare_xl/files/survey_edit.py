"""Writing into an existing survey workbook with openpyxl, keeping its styles and everything else.

Consolidation writes only the cells that change and a fresh 集約ログ sheet;
元に戻す writes back the logged values and keeps the log as 集約ログ（取消済）.
The workbook is opened once, edited, and saved atomically; an .xlsm keeps its
macros. Strings are written as text, never as formulas.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from welfare_xl.core.consolidation.log import LOG_SHEET, UNDONE_SUFFIX, log_sheet_spec
from welfare_xl.core.consolidation.result import CellChange, ConsolidationResult, UndoPlan
from welfare_xl.files.atomic import OutputError, save_atomic
from welfare_xl.files.writer import StyleCache, write_sheet


def open_for_writing(survey_path: Path) -> Any:
    """The survey as an openpyxl workbook to edit (macros kept for an .xlsm); `OutputError` when it cannot be opened."""
    from openpyxl import load_workbook

    try:
        return load_workbook(survey_path, keep_vba=survey_path.suffix.lower() == ".xlsm")
    except Exception as exc:  # openpyxl raises many types for a file it cannot load
        raise OutputError(f"{survey_path.name}: 調査票を書き込み用に開けません（{type(exc).__name__}）。") from exc


def apply_changes(wb: Any, changes: Iterable[CellChange]) -> None:
    """Write cell changes into an openpyxl workbook: strings as text (never formulas), styles where given."""
    from openpyxl.cell.cell import MergedCell

    cache = StyleCache()
    for ch in changes:
        if ch.sheet not in wb.sheetnames:
            raise OutputError(f"シート「{ch.sheet}」がないため、セル {ch.ref}（指標［{ch.indicator_id}］）に書き込めません。")
        cell = wb[ch.sheet].cell(row=ch.row + 1, column=ch.col + 1)
        if isinstance(cell, MergedCell):
            raise OutputError(f"シート「{ch.sheet}」のセル {ch.ref}（指標［{ch.indicator_id}］）は結合セルの途中のため書き込めません。"
                              "結合を元の形に戻してから集約してください。")
        cell.value = ch.new
        if isinstance(ch.new, str):
            # openpyxl makes a formula of any string starting with '='; a department's
            # text ("=1+1", "+81", "@SUM(A1)") must stay the text it typed.
            cell.data_type = "s"
        if ch.style is not None:
            cache.apply(cell, ch.style)


def write_result(survey_path: Path, out: Path, result: ConsolidationResult) -> Path:
    """The survey with the result's changes and a fresh log sheet, saved atomically to `out`."""
    wb = open_for_writing(survey_path)
    apply_changes(wb, result.changes)
    if LOG_SHEET in wb.sheetnames:
        del wb[LOG_SHEET]
    write_sheet(wb.create_sheet(LOG_SHEET), log_sheet_spec(result))
    return save_atomic(wb, out)


def write_undo(survey_path: Path, out: Path, plan: UndoPlan, now: datetime) -> Path:
    """The survey with the plan's cells put back and its 集約ログ renamed 集約ログ（取消済）, saved to `out`.

    The command makes the backup of a file at `out` first (`welfare_xl.files.atomic.backup_existing`).
    """
    wb = open_for_writing(survey_path)
    apply_changes(wb, plan.restore)
    undone = LOG_SHEET + UNDONE_SUFFIX
    if undone in wb.sheetnames:
        del wb[undone]
    wb[LOG_SHEET].title = undone
    return save_atomic(wb, out)
