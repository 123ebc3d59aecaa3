"""Writing into an existing survey workbook with openpyxl, keeping its styles and everything else.

Consolidation writes only the cells that change and a fresh 集約ログ sheet with
its hidden data sheet (集約ログ_データ); 元に戻す writes back the logged values
and keeps the two as 集約ログ（取消済） and 集約ログ_データ（取消済）.
The workbook is opened once, edited, and saved atomically; an .xlsm keeps its
macros. Strings are written as text, never as formulas; a `Formula` as the
formula it is. Before a cell is overwritten, what it really held (`held`: a
formula, which the values-only reader saw only as its cached result, an error,
or the constant) is what the 集約ログ records, so that 元に戻す is exact.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, UNDONE_SUFFIX, log_specs
from welfare_xl.core.consolidation.result import CellChange, ConsolidationResult, Formula, UndoPlan
from welfare_xl.core.consolidation.row_fit import consolidated_heights
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.files.atomic import OutputError, WriteError, io_error, save_atomic, write_atomic
from welfare_xl.files.writer import StyleCache, write_sheet

_log = logging.getLogger(__name__)


def open_for_writing(survey_path: Path) -> Any:
    """The survey as an openpyxl workbook to edit (macros kept for an .xlsm); `OutputError` when it cannot be opened."""
    from openpyxl import load_workbook

    try:
        return load_workbook(survey_path, keep_vba=survey_path.suffix.lower() == ".xlsm")
    except Exception as exc:  # openpyxl raises many types for a file it cannot load
        raise OutputError(f"{survey_path.name}: 調査票を書き込み用に開けません（{type(exc).__name__}）。") from exc


def apply_changes(wb: Any, changes: Iterable[CellChange]) -> list[CellChange]:
    """Write cell changes into an openpyxl workbook: strings as text (never formulas), a `Formula`
    as a formula, styles where given. Returns the changes with `old` = what each cell really held."""
    from openpyxl.cell.cell import MergedCell

    cache = StyleCache()
    done = []
    for ch in changes:
        if ch.sheet not in wb.sheetnames:
            raise OutputError(f"シート「{ch.sheet}」がないため、セル {ch.ref}（指標［{ch.indicator_id}］）に書き込めません。")
        cell = wb[ch.sheet].cell(row=ch.row + 1, column=ch.col + 1)
        if isinstance(cell, MergedCell):
            raise OutputError(f"シート「{ch.sheet}」のセル {ch.ref}（指標［{ch.indicator_id}］）は結合セルの途中のため書き込めません。"
                              "結合を元の形に戻してから集約してください。")
        done.append(replace(ch, old=held(cell, ch.old)))
        _put(cell, ch.new)
        if ch.style is not None:
            cache.apply(cell, ch.style)
    return done


def held(cell: Any, seen: Any) -> Any:
    """What an openpyxl cell holds, as a CellChange value; `seen` is what the values-only reader showed.

    A formula is a `Formula` (its text, with `seen` as its cached result), an
    error value a `HiddenValue` "error", anything else the constant as stored.
    A data-table formula ({=TABLE()}) cannot be written back: `seen` stands for it.
    """
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    value = cell.value
    if isinstance(value, ArrayFormula):
        return Formula(value.text or "", seen, value.ref)
    if isinstance(value, DataTableFormula):
        return seen
    if cell.data_type == "f" and isinstance(value, str):
        return Formula(value, seen)
    if cell.data_type == "e" and isinstance(value, str):
        return HiddenValue("error", value)
    return value


def _put(cell: Any, value: Any) -> None:
    """Set an openpyxl cell to a CellChange value, as exactly that content."""
    from openpyxl.worksheet.formula import ArrayFormula

    if isinstance(value, Formula):
        cell.value = ArrayFormula(value.array, value.text) if value.array else value.text
        cell.data_type = "f"
    elif isinstance(value, HiddenValue):
        cell.value = value.text
        cell.data_type = "e" if value.kind == "error" else "f"
    else:
        cell.value = value
        if isinstance(value, str):
            # openpyxl makes a formula of any string starting with '='; a department's
            # text ("=1+1", "+81", "@SUM(A1)") must stay the text it typed.
            cell.data_type = "s"


def write_result(survey_path: Path, out: Path, result: ConsolidationResult) -> Path:
    """The survey with the result's changes and a fresh log (集約ログ and its hidden data sheet),
    saved atomically to `out`.

    The log records what each changed cell really held (formulas as formulas), for an exact undo.
    The package is patched part by part (`welfare_xl.files.xlsx_patch`, only what changes); a
    master that path does not handle is written by openpyxl (`write_result_openpyxl`, the reference),
    as is every master when the environment sets WELFARE_XL_FAST_WRITE=0.
    """
    from welfare_xl.files import xlsx_patch

    if os.environ.get("WELFARE_XL_FAST_WRITE", "1") == "0":  # a switch for support: the reference path only
        return write_result_openpyxl(survey_path, out, result)
    try:
        return xlsx_patch.write_result(survey_path, out, result, consolidated_heights, log_specs, _write_whole)
    except xlsx_patch.Unsupported as why:
        _log.info("%s: written with openpyxl, the fast writer does not handle it (%s)", survey_path.name, why)
    return write_result_openpyxl(survey_path, out, result)


def _write_whole(path: Path, fill: Any) -> Path:
    """`write_atomic`, a failed write (a full disk …) said in Japanese as `save_atomic` says it."""
    try:
        return write_atomic(path, fill)
    except Exception as exc:
        failed = io_error(exc)
        if failed is None:
            raise
        raise WriteError(Path(path), failed) from None


def write_result_openpyxl(survey_path: Path, out: Path, result: ConsolidationResult) -> Path:
    """`write_result` through openpyxl: the whole workbook loaded, edited and saved (the reference)."""
    wb = open_for_writing(survey_path)
    logged = replace(result, changes=apply_changes(wb, result.changes))
    if result.sheet in wb.sheetnames:
        fit_text_rows(wb[result.sheet], result)
    for name in (LOG_SHEET, DATA_SHEET):
        if name in wb.sheetnames:
            del wb[name]
    cache = StyleCache()
    for spec in log_specs(logged):
        write_sheet(wb.create_sheet(spec.name), spec, cache)
    return save_atomic(wb, out)


def fit_text_rows(ws: Any, result: ConsolidationResult) -> None:
    """Size the master rows whose texts changed to the new texts (`row_fit.consolidated_heights`)."""
    for row, height in consolidated_heights(result).items():
        ws.row_dimensions[row + 1].height = height


def write_undo(survey_path: Path, out: Path, plan: UndoPlan, now: datetime) -> Path:
    """The survey with the plan's cells put back and its 集約ログ renamed 集約ログ（取消済）
    (its data sheet likewise), saved to `out`.

    The command makes the backup of a file at `out` first (`welfare_xl.files.atomic.backup_existing`).
    """
    wb = open_for_writing(survey_path)
    apply_changes(wb, plan.restore)
    if plan.sheet in wb.sheetnames:
        fit_undone_rows(wb[plan.sheet], survey_path, plan)
    for name in (LOG_SHEET, DATA_SHEET):
        undone = name + UNDONE_SUFFIX
        if undone in wb.sheetnames:
            del wb[undone]
        if name in wb.sheetnames:
            wb[name].title = undone
    return save_atomic(wb, out)


def fit_undone_rows(ws: Any, survey_path: Path, plan: UndoPlan) -> None:
    """Size the master rows whose texts 元に戻す puts back to those texts (`row_fit.undone_heights`),
    from the survey file as read before the undo (the grid `plan` was made against)."""
    from welfare_xl.core.consolidation.row_fit import undone_heights
    from welfare_xl.files.survey_file import load_survey_file

    if not any(ch.key in (layout.DONE, layout.NEXT) for ch in plan.restore):
        return
    _, book, data = load_survey_file(survey_path)
    for row, height in undone_heights(book.meta, data.sheets[plan.sheet], plan).items():
        ws.row_dimensions[row + 1].height = height
