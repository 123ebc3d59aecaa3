"""A table row's cell references, made when asked (`RowRefs`): the same as `cell_ref`, through a
pickle (the worker processes send them back) and shared by the tables of one layout."""

from __future__ import annotations

import pickle

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_ref


def grid(extra_rows: int = 0) -> list[list]:
    keys = [None, "wxl:id", "wxl:item", "wxl:y2019", "wxl:done"]
    rows = [[None] * 5 for _ in range(extra_rows)] + [keys]
    rows += [[None, "G1-01", "指標", "504人", "実施した"], [None, "G1-02", "指標2", 3, None]]
    return rows


def test_row_references_are_the_cells_of_that_row():
    table = layout.find_table(grid(extra_rows=3))
    refs = table.refs(table.by_id()["G1-02"])
    assert dict(refs) == {"id": "B6", "item": "C6", "y2019": "D6", "done": "E6"}
    assert refs["y2019"] == cell_ref(5, 3) and len(refs) == 4 and "next" not in refs
    assert refs == {"id": "B6", "item": "C6", "y2019": "D6", "done": "E6"}


def test_they_survive_a_pickle():
    table = layout.find_table(grid())
    refs = table.refs(table.by_id()["G1-01"])
    assert dict(pickle.loads(pickle.dumps(refs))) == dict(refs) == {"id": "B2", "item": "C2", "y2019": "D2",
                                                                     "done": "E2"}


def test_tables_of_one_layout_share_their_columns_and_others_do_not():
    a, b = layout.find_table(grid(1)), layout.find_table(grid(1))
    other = layout.find_table([["wxl:id", "wxl:item"], ["G1-01", "x"]])
    assert a.columns is b.columns and a.columns == {"id": 1, "item": 2, "y2019": 3, "done": 4}
    assert other.columns == {"id": 0, "item": 1} and other.columns is not a.columns
