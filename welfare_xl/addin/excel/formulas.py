"""What the changed cells of the live master really hold, for an exact 元に戻す.

The add-in reads the master as values (`grids.read_grid`), so a formula is seen
as its result and an error value as empty. Before 集約 overwrites cells, the
集約ログ must record what they held: on desktop Excel `held_contents` reads
their formulas (`Range.formula`, one read per run of changed rows of a column)
and `held` tells a formula, an error value and a constant apart. The remote
engine (xlwings Server / Lite) cannot: its payload carries values only and it
refuses to read formulas synchronously, so there the log records the values
read, and 元に戻す puts back values. A log written by the file adapter (the
`consolidate` command) records formulas on either engine, and 元に戻す writes
them back as formulas on both (`sheet_writer.excel_value`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

from welfare_xl.addin.excel.grids import is_desktop

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

    from welfare_xl.core.consolidation.result import CellChange

# Excel's error values as Range.Formula shows a cell holding one.
ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def held(formula: Any, seen: Any) -> Any:
    """A cell's content as a CellChange value, from its Range.Formula and the value read (`seen`).

    Range.Formula gives a formula's text, and a constant as text: a text typed
    with a leading apostrophe ("'=A1") shows "=A1" both as value and as formula,
    a formula ("=A1") shows its result as value. An error value reads as empty.
    """
    from welfare_xl.core.consolidation.result import Formula
    from welfare_xl.core.model.cells import HiddenValue

    if isinstance(formula, str) and formula.startswith("=") and formula != seen:
        return Formula(formula, seen)
    if seen is None and formula in ERRORS:
        return HiddenValue("error", formula)
    return seen


def held_contents(book: "xw.Book", sheet: "xw.Sheet", changes: Sequence["CellChange"]) -> list["CellChange"]:
    """The changes with `old` = what each cell of `sheet` holds now (desktop); as given on the remote engine."""
    from welfare_xl.core.consolidation.result import column_runs

    if not is_desktop(book) or not changes:
        return list(changes)
    formulas: dict[tuple[int, int], Any] = {}
    for run in column_runs(changes):
        read = sheet.range((run.first_row + 1, run.col + 1), (run.last_row + 1, run.col + 1)).formula
        rows = [[read]] if not isinstance(read, (list, tuple)) else read
        for offset, row in enumerate(rows):
            formulas[(run.first_row + offset, run.col)] = row[0] if isinstance(row, (list, tuple)) else row
    return [replace(ch, old=held(formulas.get((ch.row, ch.col)), ch.old)) for ch in changes]
