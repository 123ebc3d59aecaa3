"""What the add-in writes into cells, as plain functions (the same on both engines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import support.xlwings_payload  # noqa: F401 - first: sets XLWINGS_LICENSE_KEY before xlwings is imported

from welfare_xl.addin.actions.collect import value_writes
from welfare_xl.addin.excel.sheet_writer import excel_value
from welfare_xl.core.consolidation.result import CellChange
from welfare_xl.core.model import layout


def change(row: int, col: int, key: str, new: object) -> CellChange:
    return CellChange(row, col, key, f"ID{row}", None, new)


def test_value_writes_cover_runs_of_changed_rows_only():
    year = layout.year_key(2019)
    changes = [change(r, 8, year, float(r)) for r in (5, 6, 7, 9, 12, 13)]
    assert value_writes(changes, {}) == [(5, 8, [5.0, 6.0, 7.0]), (9, 8, [9.0]), (12, 8, [12.0, 13.0])]


def test_value_writes_never_cover_part_of_a_merged_text():
    # Item 6 has sub-rows 7 and 8: its texts are merged over rows 6-8. A text run 5-6
    # written as one block would cover part of that merge, which Excel refuses.
    spans = {5: (5, 5), 6: (6, 8), 7: (6, 8), 8: (6, 8), 9: (9, 9), 10: (10, 10)}
    texts = [change(r, 10, layout.DONE, f"t{r}") for r in (5, 6, 9, 10)]
    assert value_writes(texts, spans) == [(5, 10, ["t5"]), (6, 10, ["t6"]), (9, 10, ["t9", "t10"])]
    # Values of the same rows are not merged: one block, whatever the item groups.
    year = layout.year_key(2019)
    values = [change(r, 8, year, 1.0) for r in (5, 6, 7, 8)]
    assert value_writes(values, spans) == [(5, 8, [1.0, 1.0, 1.0, 1.0])]


# --- strings are written as text --------------------------------------------------------------

# Strings Excel would store as something else if written as typed (booleans, numbers, errors,
# Japanese dates, a formula), and ordinary text: every one gets the apostrophe.
TEXTS = ["TRUE", "false", "1e3", "#N/A", "令和2年4月1日", "4月1日", "R2.4.1", "H31/4/1", "=SUM(A1:A3)", "-",
         "１２３", "0012", "50.70%", "講座を3回開催した。", "'引用", " "]


@pytest.mark.parametrize("text", TEXTS)
def test_every_text_is_written_with_the_text_prefix(text: str):
    assert excel_value(text) == "'" + text


def test_other_values_are_written_as_they_are():
    for value in (None, "", 0, 1.5, 513.0, True, False, dt.date(2020, 4, 1), dt.datetime(2020, 4, 1, 9, 30)):
        assert excel_value(value) is value
    assert excel_value("") == ""  # not "'": that would leave an empty text, not an empty cell


def test_a_rendered_sheet_sends_every_text_prefixed(tmp_path: Path):
    import support.xlwings_payload as xl
    from openpyxl import Workbook

    from welfare_xl.addin.excel.sheet_writer import write_new_sheet
    from welfare_xl.core.sheets.spec import SheetSpec, Style

    path = tmp_path / "book.xlsx"
    wb = Workbook()
    wb.active.title = "資料２"
    wb.save(path)
    book = xl.open_book(path)
    spec = SheetSpec(name="文字")
    for r, text in enumerate(TEXTS):
        spec.put(r, 0, text, Style())
    spec.put(len(TEXTS), 0, 42.0, Style())
    write_new_sheet(book, spec, after=book.sheets[0])
    (write,) = [a for a in book.json()["actions"] if a["func"] == "setValues"]
    assert [row[0] for row in write["values"]] == ["'" + t for t in TEXTS] + [42]
    replayed, _ = xl.replay_file(book, path)
    assert [replayed["文字"].cell(r + 1, 1).value for r in range(len(TEXTS))] == TEXTS


def test_rectangles_cover_each_value_exactly():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from welfare_xl.addin.excel.ranges import rectangles

    cells = st.dictionaries(st.tuples(st.integers(0, 12), st.integers(0, 6)), st.sampled_from("abc"), max_size=60)

    @settings(max_examples=80, deadline=None)
    @given(cells)
    def covers(grid):
        for value, rects in rectangles(grid).items():
            covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
            assert len(covered) == len(set(covered))  # no cell written twice
            assert set(covered) == {rc for rc, v in grid.items() if v == value}

    covers()
    table = {(r, c): "x" for r in range(5, 400) for c in range(2, 9)}
    assert rectangles(table) == {"x": [(5, 2, 399, 8)]}
