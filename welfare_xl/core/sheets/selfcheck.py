"""A department's worksheet that checks itself with Excel alone: a 点検 line, a 点検 column and marks.

Many department PCs never get Python or the add-in, so the form carries what
Excel (or LibreOffice) evaluates by itself, no macro: per indicator row, hidden
formulas read the typed value and texts the way `core.checks` does and give
each finding as a word ("要修正：数値でない"); a visible 点検 column joins a
row's words; the 点検 line above the table counts them (「点検：未入力 2件・
要修正 1件・要確認 1件」); conditional formatting gives the input cells the
fills the add-in's 入力チェック gives (red: to fix, yellow: to confirm).

The three categories are `check`'s: 未入力 and 要修正 are its errors (blank,
not a number, out of range, ...), 要確認 its warnings (a number typed with its
unit or in full-width digits, 「－」, a text longer than its printed cell, a
big change from last year without a reason). Excel's formulas cannot follow
`check` everywhere (README, "the form's own 点検"); where they differ, a typed
text read as a number is 要確認 and anything unreadable 要修正, like `check`.

The helper columns stand right of the table, after the 点検 column, hidden and
without a key (`wxl:`), so no reader takes them for a column of the survey.
Functions used: IF, ISERROR, ISNUMBER, ISTEXT, IFERROR, VALUE, ASC, TRIM,
CLEAN, SUBSTITUTE, LEFT, RIGHT, LEN, FIND, MATCH, ABS, INT, AND, OR, NOT,
SUMPRODUCT: all in Excel 2007 and LibreOffice, none needing the _xlfn prefix.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace

from welfare_xl.core.model.cells import Formula
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_ref, column_letter
from welfare_xl.core.model.numbers import NOT_AVAILABLE_MARKS, Kind
from welfare_xl.core.model.survey import Indicator, Survey, last_recorded
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_WARNING, ConditionalFormat, SheetSpec, Style
from welfare_xl.core.sheets.styles import HEADER, TITLE
from welfare_xl.core.sheets.table import TableRows, item_runs

# The three words of the 点検 line, each three characters long (the formulas test LEFT(…, 3)).
BLANK = "未入力"
FIX = "要修正"
CONFIRM = "要確認"
CATEGORIES = (BLANK, FIX, CONFIRM)
FILL_DONE = "E2EFDA"  # the 点検 line with nothing left to fix

CHECK_HEADER = "点検"
CHECK_WIDTH = 30
LINE_STYLE = replace(TITLE, size=12, border="thin", wrap=False)
ROW_STYLE = Style(size=9, v_align="center", wrap=True)
HELPER_STYLE = Style(size=9, border=None, wrap=False)


@dataclass(frozen=True)
class Helpers:
    """0-based columns: the visible 点検 column, then the hidden helpers (read number, value,
    change, done text, next text). The four status columns stand side by side."""

    check: int

    @property
    def number(self) -> int:
        return self.check + 1

    @property
    def value(self) -> int:
        return self.check + 2

    @property
    def change(self) -> int:
        return self.check + 3

    @property
    def done(self) -> int:
        return self.check + 4

    @property
    def next(self) -> int:
        return self.check + 5

    @property
    def statuses(self) -> tuple[int, int, int, int]:
        return self.value, self.change, self.done, self.next


def add_self_check(spec: SheetSpec, sub: Survey, columns: list[layout.Column], rows: TableRows,
                   line_row: int, last_col: int, department: str) -> None:
    """Write the 点検 column, its hidden helpers, the 点検 line (merged over columns 1..`last_col`
    on `line_row`) and the conditional formatting onto `department`'s `spec` (its co-owned rows,
    answered by another department, get none)."""
    col = {c.key: i for i, c in enumerate(columns)}
    helpers = Helpers(check=len(columns))
    inds = sub.indicators
    first, last = rows.first_data, rows.first_data + len(inds) - 1
    labels = {key: _label(columns[col[key]]) for key in (layout.DONE, layout.NEXT)}

    spec.merge(rows.header, helpers.check, rows.subheader, helpers.check, CHECK_HEADER, HEADER)
    spec.col_widths[helpers.check] = CHECK_WIDTH
    for c in range(helpers.number, helpers.next + 1):
        spec.hidden_cols.add(c)
        spec.col_widths[c] = 12
    lead_row = {run.head.id: run.first for run in item_runs(inds, first)}
    for n, ind in enumerate(inds):
        r = first + n
        if ind.department != department:  # a co-owned row, answered by another department
            _put_co_owned_row(spec, sub, col, helpers, r)
            continue
        lead = lead_row.get(ind.group or ind.id, r)
        _put_row(spec, sub, col, helpers, r, ind, lead, labels if ind.lead else None)
    _put_line(spec, helpers, line_row, first, last, last_col)
    _put_marks(spec, col, helpers, col[layout.year_key(sub.fiscal_year)], first, last)


def _label(column: layout.Column) -> str:
    """A text column's name inside a formula word: its header's first line, without spaces."""
    return column.header.split("\n")[0].replace(" ", "").replace("\u3000", "")


def _put_row(spec: SheetSpec, sub: Survey, col: dict[str, int], h: Helpers, r: int, ind: Indicator,
             lead: int, labels: dict[str, str] | None) -> None:
    value = cell_ref(r, col[layout.year_key(sub.fiscal_year)])
    number = cell_ref(r, h.number)
    spec.put(r, h.number, _formula(_number_formula(value, ind)), HELPER_STYLE)
    spec.put(r, h.value, _formula(_value_formula(value, number, ind, sub.config.max_number,
                                                 ind.may_skip(sub.fiscal_year))), HELPER_STYLE)
    if labels is not None:
        for key, c in ((layout.DONE, h.done), (layout.NEXT, h.next)):
            cap = layout.text_capacity(layout.Column(key, "", width=spec.col_widths.get(col[key], 10)),
                                       sub.config.text_max_lines)
            formula = _text_formula(cell_ref(r, col[key]), labels[key], sub.config.max_text_chars, cap)
            spec.put(r, c, _formula(formula), HELPER_STYLE)
    # The previous figure actually recorded, as check compares with (a year of '－' or none skipped).
    prev_year = last_recorded(sub.values.get(ind.id, {}), sub.fiscal_year)
    prev_key = layout.year_key(prev_year) if prev_year is not None else None
    if prev_key in col and ind.change_compared:
        statuses = [cell_ref(r, c) for c in (h.value, h.done, h.next)]
        done = cell_ref(lead, col[layout.DONE])
        formula = _change_formula(number, cell_ref(r, col[prev_key]), statuses, done, sub)
        spec.put(r, h.change, _formula(formula), HELPER_STYLE)
    _put_check_cell(spec, h, r)


def _put_check_cell(spec: SheetSpec, h: Helpers, r: int) -> None:
    """The visible 点検 cell of row `r`: the row's words joined."""
    words = " ".join(f"{cell_ref(r, c)}" for c in h.statuses)
    joined = "&\" \"&".join(words.split())
    spec.put(r, h.check, _formula(f'SUBSTITUTE(TRIM({joined})," ","・")'), ROW_STYLE)


def _put_co_owned_row(spec: SheetSpec, sub: Survey, col: dict[str, int], h: Helpers, r: int) -> None:
    """`check.check_co_owned`: a cell of a co-owned row that no longer holds what the form wrote there
    (the answering department's mark, the texts) was typed into, which is 要確認: it is not taken."""
    for key, c in ((layout.year_key(sub.fiscal_year), h.value), (layout.DONE, h.done), (layout.NEXT, h.next)):
        given = spec.cells.get((r, col[key]), (None, None))[0]
        ref = cell_ref(r, col[key])
        typed = f'AND(TRIM({ref}&"")<>"",TRIM({ref}&"")<>{_q("" if given is None else str(given).strip())})'
        spec.put(r, c, _formula(f'IF({typed},{_q(CONFIRM + "：他部署が回答する指標")},"")'), HELPER_STYLE)
    _put_check_cell(spec, h, r)


def _formula(text: str) -> Formula:
    """A cell's formula (`text` without its '=')."""
    return Formula("=" + text)


def _q(text: str) -> str:
    """A text as a formula's string literal."""
    return '"' + text.replace('"', '""') + '"'


def _typed(cell: str) -> str:
    """What was typed in `cell` as text, half-width (ASC), without any space: `check`'s reading
    of a typed number (NFKC, spaces removed)."""
    return f'SUBSTITUTE(SUBSTITUTE(ASC({cell}&""),"\u3000","")," ","")'


def _number_formula(cell: str, ind: Indicator) -> str:
    """The number read from the value cell: the number itself, a text read as `check` reads it
    (unit, commas, full-width digits, % for a percent), or "" when none can be read (an error
    value, TRUE/FALSE: LibreOffice counts those as numbers, Excel and `check` do not)."""
    t = _typed(cell)
    if ind.kind is Kind.PERCENT:
        text = f'IF(RIGHT({t},1)="%",VALUE({t}),VALUE({t})/100)'
    else:
        unit = unicodedata.normalize("NFKC", ind.unit).replace(" ", "")
        bare = (f'IF(AND(LEN({t})>{len(unit)},RIGHT({t},{len(unit)})={_q(unit)}),'
                f'LEFT({t},LEN({t})-{len(unit)}),{t})') if unit else t
        text = f'IF(ISNUMBER(FIND("%",{t})),"",VALUE({bare}))'
    return f'IF(OR(ISERROR({cell}),ISLOGICAL({cell})),"",IF(ISNUMBER({cell}),{cell},IFERROR({text},"")))'


def _value_formula(cell: str, number: str, ind: Indicator, max_number: float, skip_ok: bool = False) -> str:
    """The value cell's finding as `check._check_value` makes it, in its order, or "" (`skip_ok`:
    '－' is a planned answer this year, no finding)."""
    t = _typed(cell)
    marks = ",".join(_q(m) for m in sorted(NOT_AVAILABLE_MARKS | {unicodedata.normalize("NFKC", m)
                                                                  for m in NOT_AVAILABLE_MARKS}))
    tests = [
        (f"ISERROR({cell})", f"{FIX}：エラー値"),
        (f'{t}=""', f"{BLANK}：実績値"),
        (f"AND(ISTEXT({cell}),ISNUMBER(MATCH({t},{{{marks}}},0)))", "" if skip_ok else f"{CONFIRM}：値なし（－）"),
        (f'{number}=""', f"{FIX}：数値でない"),
        (f"ABS({number})>{max_number:.15g}", f"{FIX}：大きすぎる"),
    ]
    tests += _range_tests(number, ind)
    if ind.kind is Kind.COUNT:
        tests.append((f"{number}<>INT({number})", f"{FIX}：整数でない"))
    tests.append((f"ISTEXT({cell})", f"{CONFIRM}：文字を数値に読み替え"))
    return _first_of(tests)


def _range_tests(number: str, ind: Indicator) -> list[tuple[str, str]]:
    """`check._out_of_range`: below the indicator's lowest value, then above its highest, in today's
    words where the template keeps today's rule."""
    low, high = ind.value_range
    default = ind.minimum is None and ind.maximum is None
    tests = []
    if not math.isinf(low):
        word = "負の数" if ind.minimum is None else "範囲外"
        tests.append((f"{number}<{low:.15g}", f"{FIX}：{word}"))
    if not math.isinf(high):
        word = "0～100％の範囲外" if default and ind.kind is Kind.PERCENT else "範囲外"
        tests.append((f"{number}>{high:.15g}", f"{FIX}：{word}"))
    return tests


def _first_of(tests: list[tuple[str, str]]) -> str:
    """IF(test1, word1, IF(test2, word2, … "")): the first test that holds gives the word."""
    formula = '""'
    for test, word in reversed(tests):
        formula = f"IF({test},{_q(word)},{formula})"
    return formula


def _text_formula(cell: str, label: str, max_chars: int, cap: int) -> str:
    """A text cell's finding as `check._check_texts` makes it: missing, over the limit, longer than printed."""
    return _first_of([
        (f"ISERROR({cell})", f"{FIX}：{label}がエラー値"),
        (f'LEN(TRIM(CLEAN(SUBSTITUTE({cell}&"","\u3000"," "))))=0', f"{BLANK}：{label}"),
        (f"LEN({cell})>{max_chars}", f"{FIX}：{label}が長すぎる"),
        (f"LEN({cell})>{cap}", f"{CONFIRM}：{label}が印刷で切れる"),
    ])


def _is_error(ref: str) -> str:
    return f'OR(LEFT({ref},3)="{BLANK}",LEFT({ref},3)="{FIX}")'


def _change_formula(number: str, prev: str, statuses: list[str], done: str, sub: Survey) -> str:
    """`check._check_change`: a readable figure of a row with no error, more than the ratio away
    from last year's non-zero figure, and no reason word in the item's 取組状況."""
    ok = f"NOT(OR({','.join(_is_error(s) for s in statuses)}))"
    words = sub.config.reason_words
    reason = f"OR({','.join(f'ISNUMBER(FIND({_q(w)},{done}))' for w in words)})" if words else "FALSE"
    big = f"ABS({number}/{prev}-1)>{sub.config.change_warn_ratio:.15g}"
    return (f'IF(AND(ISNUMBER({number}),ISNUMBER({prev}),{ok}),IF({prev}=0,"",IF({big},'
            f'IF({reason},"",{_q(CONFIRM + "：前年度から大きく変化")}),"")),"")')


def _put_line(spec: SheetSpec, h: Helpers, line_row: int, first: int, last: int, last_col: int) -> None:
    """The counts (hidden cells of the line's row, one per category) and the 点検 line reading them."""
    area = f"{cell_ref(first, h.value)}:{cell_ref(last, h.next)}"
    counts = {}
    for category, c in zip(CATEGORIES, (h.value, h.change, h.done)):
        spec.put(line_row, c, _formula(f'SUMPRODUCT(--(LEFT({area},3)="{category}"))'), HELPER_STYLE)
        counts[category] = cell_ref(line_row, c)
    blank, fix, confirm = (counts[c] for c in CATEGORIES)
    advice = (f'IF({blank}+{fix}>0,"右端の「点検」列を見て、赤のセルを直してから提出してください。",'
              f'IF({confirm}>0,"右端の「点検」列の内容を確かめてから提出してください。","このまま提出できます。"))')
    text = (f'"点検：{BLANK} "&{blank}&"件・{FIX} "&{fix}&"件・{CONFIRM} "&{confirm}&"件　"&{advice}')
    spec.merge(line_row, 1, line_row, last_col, _formula(text), LINE_STYLE)
    spec.row_heights[line_row] = 22
    line = f"{cell_ref(line_row, 1)}:{cell_ref(line_row, last_col)}"
    spec.conditional_formats += [
        ConditionalFormat((line,), f"{_abs(blank)}+{_abs(fix)}>0", FILL_ERROR),
        ConditionalFormat((line,), f"{_abs(confirm)}>0", FILL_WARNING),
        ConditionalFormat((line,), "TRUE", FILL_DONE),
    ]


def _abs(ref: str) -> str:
    """An A1 reference made absolute ($B$3)."""
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters):]}"


def _put_marks(spec: SheetSpec, col: dict[str, int], h: Helpers, value_col: int, first: int, last: int) -> None:
    """Red on an input cell with an error, yellow on one to confirm: one rule per column and
    kind, its formula relative to the column's first row."""
    def status(c: int) -> str:
        return f"${column_letter(c)}{first + 1}"

    for input_col, statuses in ((value_col, (h.value, h.change)), (col[layout.DONE], (h.done,)),
                                (col[layout.NEXT], (h.next,))):
        area = f"{cell_ref(first, input_col)}:{cell_ref(last, input_col)}"
        errors = ",".join(_is_error(status(c)) for c in statuses)
        confirms = ",".join(f'LEFT({status(c)},3)="{CONFIRM}"' for c in statuses)
        spec.conditional_formats += [
            ConditionalFormat((area,), f"OR({errors})", FILL_ERROR),
            ConditionalFormat((area,), f"OR({confirms})", FILL_WARNING),
        ]
