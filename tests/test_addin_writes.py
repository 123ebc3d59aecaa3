"""What the add-in writes into cells, as plain functions (the same on both engines)."""

from __future__ import annotations

from welfare_xl import layout as L
from welfare_xl.addin.collect import value_writes
from welfare_xl.consolidation import CellChange


def change(row: int, col: int, key: str, new: object) -> CellChange:
    return CellChange(row, col, key, f"ID{row}", None, new)


def test_value_writes_cover_runs_of_changed_rows_only():
    year = L.year_key(2019)
    changes = [change(r, 8, year, float(r)) for r in (5, 6, 7, 9, 12, 13)]
    assert value_writes(changes, {}) == [(5, 8, [5.0, 6.0, 7.0]), (9, 8, [9.0]), (12, 8, [12.0, 13.0])]


def test_value_writes_never_cover_part_of_a_merged_text():
    # Item 6 has sub-rows 7 and 8: its texts are merged over rows 6-8. A text run 5-6
    # written as one block would cover part of that merge, which Excel refuses.
    spans = {5: (5, 5), 6: (6, 8), 7: (6, 8), 8: (6, 8), 9: (9, 9), 10: (10, 10)}
    texts = [change(r, 10, L.DONE, f"t{r}") for r in (5, 6, 9, 10)]
    assert value_writes(texts, spans) == [(5, 10, ["t5"]), (6, 10, ["t6"]), (9, 10, ["t9", "t10"])]
    # Values of the same rows are not merged: one block, whatever the item groups.
    year = L.year_key(2019)
    values = [change(r, 8, year, 1.0) for r in (5, 6, 7, 8)]
    assert value_writes(values, spans) == [(5, 8, [1.0, 1.0, 1.0, 1.0])]
