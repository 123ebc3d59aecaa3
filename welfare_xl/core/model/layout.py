"""Where things sit in a survey sheet: the one place that knows the columns.

Every sheet the project writes carries a hidden *key row*: one machine key per
column (``wxl:id``, ``wxl:y2019``, ``wxl:done`` ...). Readers find columns by
those keys and rows by the indicator ID in the ``wxl:id`` column, never by
position, so a department that moves a column or inserts a row does not break
consolidation. This module works on plain grids (lists of rows of values) as
given by any reader: python-calamine, openpyxl or xlwings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from welfare_xl.core.model.cells import Grid, cell_ref
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Survey

KEY_PREFIX = "wxl:"
KEY_ROW_SCAN = 50  # the key row is looked for in this many rows from the top

ID = "id"
GOAL = "goal"
PAGES = "pages"
ITEM = "item"
SUB_ITEM = "sub_item"
DEPARTMENT = "department"
UNIT = "unit"
TARGET = "target"
DONE = "done"
NEXT = "next"
GRADE = "grade"
PREV_NEXT = "prev_next"  # a department's form: last year's 今後の展開, locked, for reference only


def year_key(year: int) -> str:
    return f"y{year}"


def key_year(key: str) -> int | None:
    if len(key) == 5 and key[0] == "y" and key[1:].isdigit():
        return int(key[1:])
    return None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    subheader: str | None = None  # second header row; None merges the header over both rows
    width: float = 10.0
    role: str = "fixed"  # fixed | history | input_number | input_text | target | grade | hidden


# The columns that name an indicator, after the hidden ID column: (key, wording key of its header, width).
_SURVEY_NAME_COLUMNS = ((GOAL, "goal_column", 30), (PAGES, "pages_column", 7), (ITEM, "item_column", 22),
                        (SUB_ITEM, "sub_item_column", 12), (DEPARTMENT, "department_column", 12))
_DEPARTMENT_NAME_COLUMNS = ((GOAL, "goal", 11), (ITEM, "item_column", 24), (SUB_ITEM, "sub_item_column", 12),
                            (UNIT, "unit_column", 7))


def survey_columns(survey: Survey) -> list[Column]:
    """Columns of the master sheet, in print order."""
    # 12 wide: the longest grade, 「－ 評価不能」, fits at 10 pt (core.sheets.fit).
    grade = Column(GRADE, survey.plan.header("grade_column"), width=12, role="grade")
    return _columns(survey, _SURVEY_NAME_COLUMNS) + [grade]


def department_columns(survey: Survey) -> list[Column]:
    """Columns of a department's worksheet: its history, its input, its texts; after a rollover
    (when the history has last year's 今後の展開), that text locked beside this year's texts."""
    cols = _columns(survey, _DEPARTMENT_NAME_COLUMNS)
    if previous_next(survey):
        header = survey.plan.header("prev_next", prev_year=fiscal_year_label(survey.fiscal_year - 1))
        at = next(i for i, c in enumerate(cols) if c.key == DONE)
        cols.insert(at, Column(PREV_NEXT, header, survey.plan.header("prev_next_note"), width=30, role="history"))
    return cols


def previous_next(survey: Survey) -> dict[str, str]:
    """Lead indicator ID -> the 今後の展開 the history keeps for the year before the survey year."""
    records = survey.history.get(survey.fiscal_year - 1, {})
    return {i.id: records[i.id].next for i in survey.indicators
            if i.lead and i.id in records and records[i.id].next}


def _columns(survey: Survey, names: tuple[tuple[str, str, float], ...]) -> list[Column]:
    """The hidden ID column, the naming columns, then the years, the target and the two texts."""
    cols = [Column(ID, "", width=8, role="hidden")]
    cols += [Column(key, survey.plan.header(wording), width=width) for key, wording, width in names]
    for year in survey.years:
        mark = survey.plan.year_marks.get(year, "")
        header = survey.year_header(year) + (f"\n{mark}" if mark else "")
        role = "input_number" if year == survey.fiscal_year else "history"
        cols.append(Column(year_key(year), header, width=12, role=role))
    cols.append(Column(TARGET, survey.target_header(), width=12, role="target"))
    done, done_sub = survey.done_header()
    nxt, nxt_sub = survey.next_header()
    cols.append(Column(DONE, done, done_sub, width=44, role="input_text"))
    cols.append(Column(NEXT, nxt, nxt_sub, width=36, role="input_text"))
    return cols


@dataclass
class TableRow:
    row: int  # 0-based row index in the grid
    id: str
    cells: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.cells.get(key)


@dataclass
class Table:
    key_row: int
    columns: dict[str, int]  # key -> 0-based column index (shared by tables of one layout: never change it)
    rows: list[TableRow] = field(default_factory=list)
    duplicates: list[TableRow] = field(default_factory=list)  # later rows repeating an ID
    duplicate_columns: list[tuple[str, int]] = field(default_factory=list)  # (key, column) of copied columns

    def ref(self, row: TableRow | int, key: str) -> str:
        r = row.row if isinstance(row, TableRow) else row
        return cell_ref(r, self.columns[key])

    def refs(self, row: TableRow) -> "RowRefs":
        """The A1 reference of each of the table's columns in `row`."""
        return RowRefs(row.row, self.columns)

    def by_id(self) -> dict[str, TableRow]:
        return {r.id: r for r in self.rows}


class RowRefs(Mapping[str, str]):
    """Column key -> A1 reference of one table row, made when asked: a checked return keeps its
    rows' references for its messages, and a folder of 10,000 returns would otherwise hold a
    string for every cell of every row (a row number and the table's shared columns are enough)."""

    __slots__ = ("_row", "_columns")

    def __init__(self, row: int, columns: Mapping[str, int]) -> None:
        self._row, self._columns = row, columns

    def __getitem__(self, key: str) -> str:
        return cell_ref(self._row, self._columns[key])

    def __contains__(self, key: object) -> bool:
        return key in self._columns  # without making the reference (Mapping's would)

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return f"RowRefs({dict(self)!r})"

    def __reduce__(self):
        return RowRefs, (self._row, self._columns)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def find_table(grid: Grid) -> Table | None:
    """Locate the key row and the indicator rows below it; None when absent."""
    for r, row in enumerate(grid[:KEY_ROW_SCAN]):
        # Only a text holding the prefix can be a key: rows without one are passed over (their
        # empty cells first, by `filter`), and of the key row only those texts are stripped.
        for v in filter(None, row):
            if isinstance(v, str) and KEY_PREFIX in v:
                break
        else:
            continue
        keys, repeated = _keys_of(row)
        if ID in keys:
            table = _read_rows(grid, r, keys)
            table.duplicate_columns = list(repeated)
            return table
    return None


def _keys_of(row: Sequence[Any]) -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
    """A key row's columns (one dict per distinct layout, shared by every table of that layout: never
    change it; the returns of one form keep one, not one each, and their entries refer to it, see
    `RowRefs`) and its copied columns (key, column), the first of each key being the one read.

    The returns of one form repeat its key row: one equal to a row seen lately (cell by cell: a
    cell equal to a text is that text) takes what it was read as."""
    for at, (seen, keys, repeated) in enumerate(_KEY_ROWS):
        if row == seen:
            if at:
                _KEY_ROWS.insert(0, _KEY_ROWS.pop(at))
            return keys, repeated
    marked = [(c, v) for c, v in enumerate(row) if isinstance(v, str) and KEY_PREFIX in v]
    found: dict[str, int] = {}
    copied: list[tuple[str, int]] = []
    for c, v in marked:
        text = v.strip()
        if text.startswith(KEY_PREFIX):
            key = text[len(KEY_PREFIX):]
            if key in found:
                copied.append((key, c))
            else:
                found[key] = c
    keys, repeated = _shared_columns(tuple(found.items())), tuple(copied)
    _KEY_ROWS.insert(0, (tuple(row) if isinstance(row, tuple) else list(row), keys, repeated))
    del _KEY_ROWS[_KEY_ROWS_MAX:]
    return keys, repeated


# The key rows read lately, newest first: (the row's cells, its columns, its copied columns).
_KEY_ROWS: list[tuple[list[Any], dict[str, int], tuple[tuple[str, int], ...]]] = []
_KEY_ROWS_MAX = 16


@lru_cache(maxsize=64)
def _shared_columns(items: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """One columns dict per distinct layout (`_keys_of`)."""
    return dict(items)


def _read_rows(grid: Grid, key_row: int, keys: dict[str, int]) -> Table:
    table = Table(key_row=key_row, columns=keys)
    seen: set[str] = set()
    id_col = keys[ID]
    items = tuple(keys.items())
    width = max(keys.values()) + 1  # a row at least this long holds every keyed column
    for r in range(key_row + 1, len(grid)):
        row = grid[r]
        ident = _text(row[id_col]) if id_col < len(row) else ""
        if not ident or ident.startswith(KEY_PREFIX):
            continue
        if len(row) >= width:
            cells = {k: row[c] for k, c in items}
        else:
            cells = {k: (row[c] if c < len(row) else None) for k, c in items}
        if "" in cells.values():  # an empty text reads as an empty cell
            cells = {k: (None if v == "" else v) for k, v in cells.items()}
        entry = TableRow(row=r, id=ident, cells=cells)
        if ident in seen:
            table.duplicates.append(entry)
        else:
            seen.add(ident)
            table.rows.append(entry)
    return table


# Full-width characters per line in a wrapped 9 pt cell, per unit of Excel column width.
CHARS_PER_WIDTH = 0.6
TEXT_LINE_HEIGHT_PT = 12.5


def text_capacity(column: Column, lines: int) -> int:
    """About how many characters a printed text cell of this column shows."""
    return int(column.width * CHARS_PER_WIDTH) * lines
