"""Which cells to write together: the geometry behind the add-in's few, large writes.

A write through xlwings costs a cross-process call on desktop Excel and an
action in the remote engine's answer, whatever its size. These helpers turn
scattered cells into the fewest blocks: rectangles of equal value, runs of
consecutive rows or columns of equal value, and the xlwings range of a
0-based rectangle. They read and write nothing themselves.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable

from welfare_xl.core.model.cells import Rect

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw


def rectangles(cells: dict[tuple[int, int], Hashable]) -> dict[Hashable, list[Rect]]:
    """Cover the cells of each value with few rectangles.

    Vertical runs per column first, then runs with the same rows in adjacent
    columns are joined: a table whose columns share a style costs one rectangle.
    """
    by_value: dict[Hashable, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (r, c), value in cells.items():
        by_value[value][c].append(r)
    out: dict[Hashable, list[Rect]] = {}
    for value, columns in by_value.items():
        open_rects: dict[tuple[int, int], list[int]] = {}  # (r1, r2) -> [r1, c1, r2, c2]
        done: list[Rect] = []
        for c in sorted(columns):
            rows = sorted(columns[c])
            row_runs, start = [], rows[0]
            for prev, cur in zip(rows, rows[1:]):
                if cur != prev + 1:
                    row_runs.append((start, prev))
                    start = cur
            row_runs.append((start, rows[-1]))
            still_open: dict[tuple[int, int], list[int]] = {}
            for run in row_runs:
                rect = open_rects.pop(run, None)
                if rect is not None and rect[3] == c - 1:
                    rect[3] = c
                else:
                    if rect is not None:
                        done.append(tuple(rect))  # type: ignore[arg-type]
                    rect = [run[0], c, run[1], c]
                still_open[run] = rect
            done += [tuple(x) for x in open_rects.values()]  # type: ignore[misc]
            open_rects = still_open
        done += [tuple(x) for x in open_rects.values()]  # type: ignore[misc]
        out[value] = sorted(done)
    return out


def block(sheet: "xw.Sheet", rect: Rect) -> "xw.Range":
    """The xlwings range of a 0-based rectangle (r1, c1, r2, c2)."""
    r1, c1, r2, c2 = rect
    return sheet.range((r1 + 1, c1 + 1), (r2 + 1, c2 + 1))


def runs(indices: Iterable[int], value_of: Callable[[int], Any]) -> list[tuple[int, int, Any]]:
    """Consecutive indices with the same value, as (first, last, value)."""
    out: list[tuple[int, int, Any]] = []
    for i in sorted(indices):
        v = value_of(i)
        if out and out[-1][1] == i - 1 and out[-1][2] == v:
            out[-1] = (out[-1][0], i, v)
        else:
            out.append((i, i, v))
    return out
