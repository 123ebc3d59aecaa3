"""元に戻す: put back what a consolidation overwrote, from its 集約ログ alone.

`plan_undo(log_grid, grid, sheet=...)` is the one entry for both adapters (the
`undo` command on a file, the add-in's button on the open workbook): it reads
the log's changes (from its hidden data sheet, or from a log of the previous
formats itself: `log.changes_grid`), refuses a log that records another sheet, and finds every
logged cell again in the master sheet as it is now, by indicator ID and column
key, since rows or columns may have been inserted. Cells edited by hand since
(`stale_changes`) and changes whose row or column is gone are left alone and
listed in the returned `UndoPlan`. Every refusal is a `LogError` whose message
is a complete Japanese sentence; the caller adds only where it looked (the
file's name, or nothing in the open workbook).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from welfare_xl.core.consolidation.log import LOG_SHEET, LogError, changes_grid, logged_changes
from welfare_xl.core.consolidation.result import CellChange, UndoPlan
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid
from welfare_xl.core.model.numbers import same_number

# What 元に戻す says when the book has no 集約ログ to apply.
NOTHING_TO_UNDO = f"元に戻す集約がありません（「{LOG_SHEET}」シートがありません）。"


def undo_changes(log_grid: Grid, data_grid: Grid | None = None) -> list[CellChange]:
    """The changes that restore what a consolidation overwrote, read from its log alone
    (`data_grid`: its data sheet 集約ログ_データ, when there is one), at the cells the log recorded.

    Each returned change has `new` = the value before consolidation and `old` =
    what consolidation wrote (what the cell should hold now; see `stale_changes`).
    Rows or columns may have been inserted since: to apply them, use `plan_undo`,
    which finds each cell again by indicator ID and column key.
    """
    return [ch.reverted() for ch in reversed(logged_changes(changes_grid(log_grid, data_grid)))]


def plan_undo(log_grid: Grid, grid: Grid, *, sheet: str = "", data_grid: Grid | None = None) -> UndoPlan:
    """Undo of the consolidation `log_grid` records, against the master sheet's current `grid`.

    `data_grid` is the log's hidden data sheet (集約ログ_データ), None when the book has
    none (a log of the previous formats holds its changes itself).
    `sheet` is the name of the master sheet `grid` is; a log recording changes
    to another sheet raises LogError (without `sheet`, the log's own is taken).
    Every logged change is found again in `grid` by its indicator ID (the row)
    and column key (the column), never by the logged cell reference, which
    inserted or deleted rows and columns make wrong. A change whose row or column
    no longer exists is reported in `lost`; one whose cell no longer holds what
    consolidation wrote (edited by hand since) in `edited`; both are left alone.
    """
    changes = undo_changes(log_grid, data_grid)
    foreign = next((ch.sheet for ch in changes if ch.sheet and sheet and ch.sheet != sheet), None)
    if foreign is not None:
        raise LogError(f"「{LOG_SHEET}」はシート「{foreign}」への集約の記録ですが、"
                       f"この調査票の集約先は「{sheet}」です。元に戻せません。")
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
