"""The master rows 集約 and 元に戻す resize: each item row whose texts they write gets the height its texts need.

Both adapters write only the cells that change, and neither Excel nor LibreOffice
grows a row for a merged text (an item's texts are merged over its sub-rows), so
the writer sets the heights itself: as `master.text_row_heights` lays the rows out
for the master *after* the run. One place for the file adapter
(`files.survey_edit`) and the add-in's buttons (`addin.actions.collect`).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from welfare_xl.core.consolidation.result import CellChange, ConsolidationResult, UndoPlan, shown
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid
from welfare_xl.core.model.metadata import Meta
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.reading import survey_from_table
from welfare_xl.core.sheets.master import text_row_heights

TEXT_KEYS = (layout.DONE, layout.NEXT)


def _text_ids(changes: Iterable[CellChange]) -> list[str]:
    return [ch.indicator_id for ch in changes if ch.key in TEXT_KEYS]


def _by_row(survey: Survey, rows: Mapping[str, int], changed: list[str]) -> dict[int, float]:
    """0-based sheet row -> height, for the rows of every item `changed` names that the sheet has."""
    return {rows[i]: h for i, h in text_row_heights(survey, changed).items() if i in rows}


def consolidated_heights(result: ConsolidationResult) -> dict[int, float]:
    """0-based master row -> height (pt) of each row of an item whose texts the consolidation writes."""
    rows = {o.indicator.id: o.row for o in result.indicators if o.row is not None}
    return _by_row(result.survey, rows, _text_ids(result.changes))


def undone_heights(meta: Meta, grid: Grid, plan: UndoPlan) -> dict[int, float]:
    """0-based master row -> height (pt) of each row of an item whose texts 元に戻す puts back.

    `grid` is the master sheet as read before the undo (the one `plan` was made
    against); the heights are those of the master with the plan's cells put back
    (a formula as its cached value, as a values-only reader shows it).
    """
    changed = _text_ids(plan.restore)
    if not changed:
        return {}
    after = [list(row) for row in grid]
    for ch in plan.restore:
        while len(after) <= ch.row:
            after.append([])
        row = after[ch.row]
        row.extend([None] * (ch.col + 1 - len(row)))
        row[ch.col] = shown(ch.new)
    table = layout.find_table(after)
    if table is None:  # plan_undo found it in the same grid; only a broken caller gets here
        return {}
    rows = {r.id: r.row for r in table.rows}
    return _by_row(survey_from_table(meta, table), rows, changed)
