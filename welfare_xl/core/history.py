"""The history sheet (過年度) read back: each past year's texts and grade per indicator.

A master rolled over to the next year (`core.rollover`) keeps what every past
year left besides its value (its 取組状況, 今後の展開 and the 進捗評価 the master
showed) in a sheet of its own, one row per indicator and year
(`core.sheets.history` writes it). Like every sheet of the project it carries a
hidden key row; this module finds that row by its keys, never by the sheet's
name or position, and reads the rows into `Survey.history`.

The indicator column's key is ``wxl:indicator``, not the master's ``wxl:id``:
every reader that looks for *the* indicator table (`layout.find_table`, the
preflight's scan for the text ``wxl:id``) must never take this table, whose IDs
repeat once per year, for a second master or a department's form.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from welfare_xl.core.model.cells import Grid, cell_str, cell_text
from welfare_xl.core.model.layout import KEY_PREFIX, KEY_ROW_SCAN
from welfare_xl.core.model.survey import YearRecord

# Column keys of the history sheet (without the wxl: prefix).
INDICATOR = "indicator"
YEAR = "year"  # the fiscal year as a number (hidden); the label beside it is for people
YEAR_LABEL = "year_label"
GOAL = "goal"
ITEM = "item"
SUB_ITEM = "sub_item"
DEPARTMENT = "department"
DONE = "done"
NEXT = "next"
GRADE = "grade"
REQUIRED = (INDICATOR, YEAR)

History = dict[int, dict[str, YearRecord]]


def find_key_row(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """(row, key -> column) of the history sheet's key row, or None when `grid` is not that sheet."""
    for r, row in enumerate(grid[:KEY_ROW_SCAN]):
        keys: dict[str, int] = {}
        for c, v in enumerate(row):
            text = v.strip() if isinstance(v, str) else ""
            if text.startswith(KEY_PREFIX):
                keys.setdefault(text[len(KEY_PREFIX):], c)
        if all(k in keys for k in REQUIRED):
            return r, keys
    return None


def read_history(grid: Grid) -> History | None:
    """The records of a history sheet by year and indicator ID; None when `grid` has no history key row.

    A row without an ID or a readable year (a note, a row a person added) is skipped; a later row
    repeating a year and ID does not replace the first.
    """
    found = find_key_row(grid)
    if found is None:
        return None
    key_row, keys = found
    out: History = {}
    for row in grid[key_row + 1:]:
        ident = _cell(row, keys[INDICATOR])
        ident = ident.strip() if isinstance(ident, str) else ""
        year = _year(_cell(row, keys[YEAR]))
        if not ident or ident.startswith(KEY_PREFIX) or year is None:
            continue
        record = YearRecord(done=_text(row, keys.get(DONE)), next=_text(row, keys.get(NEXT)),
                            grade=_text(row, keys.get(GRADE)))
        out.setdefault(year, {}).setdefault(ident, record)
    return out


def history_from_sheets(sheets: Mapping[str, Grid], order: Sequence[str] | None = None, *,
                        skip: Sequence[str] = ()) -> History:
    """The history found on any sheet of a workbook (the first that carries its key row), else {}."""
    for name in order or list(sheets):
        if name in skip or name not in sheets:
            continue
        history = read_history(sheets[name])
        if history is not None:
            return history
    return {}


def _cell(row: Sequence[Any], col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def _year(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)) and float(raw).is_integer():
        return int(raw)
    text = cell_str(raw).strip()
    return int(text) if text.isdigit() else None


def _text(row: Sequence[Any], col: int | None) -> str | None:
    return cell_text(_cell(row, col))
