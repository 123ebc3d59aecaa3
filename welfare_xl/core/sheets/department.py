"""A department's worksheet: its rows only, history locked, the year's inputs open.

The secretariat sends each department this sheet. History and target are
visible but locked; the year's value and the two texts are unlocked and marked
as input cells three ways (fill, dotted border, 【入力】 in the header), so the
marking does not depend on colour. Excel's own data validation gives feedback
even where the add-in is not installed.
"""

from __future__ import annotations

import math
from dataclasses import replace

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import cell_ref, column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.numbers import Kind, excel_number_format
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey, Value
from welfare_xl.core.sheets.selfcheck import add_self_check
from welfare_xl.core.sheets.spec import FILL_INPUT, FILL_LOCKED, PrintSetup, SheetSpec, Style, Validation
from welfare_xl.core.sheets.styles import BODY, BODY_CENTER, KEY, NUMBER_INDENT, TITLE
from welfare_xl.core.sheets.table import TableRows, goal_runs, item_runs
from welfare_xl.core.sheets.table import put_headers, put_indicator_name, put_item, put_key_row

INPUT_MARK = "【入力】"
LOCKED_NUMBER = Style(size=10, h_align="right", fill=FILL_LOCKED, wrap=False, indent=NUMBER_INDENT)
INPUT_NUMBER = Style(size=11, bold=True, h_align="right", fill=FILL_INPUT, border="dotted", locked=False, wrap=False,
                     indent=NUMBER_INDENT)
INPUT_TEXT = Style(size=9, v_align="top", fill=FILL_INPUT, border="dotted", locked=False, text=True)
INSTRUCTION = Style(size=10, border=None, wrap=True, v_align="top")
LOCKED_BODY = replace(BODY, fill=FILL_LOCKED)
LOCKED_TEXT = Style(size=9, v_align="top", fill=FILL_LOCKED, text=True)  # last year's 今後の展開; a co-owned item's texts
CO_OWNED = Style(size=9, h_align="center", fill=FILL_LOCKED, wrap=True, text=True)  # the value cell of a co-owned row
LOCKED_CENTER = replace(BODY_CENTER, fill=FILL_LOCKED)


def unit_hint(unit: str, kind: Kind) -> str:
    if kind is Kind.PERCENT:
        return "単位：％。例：50.70% と入力します（セルは％表示です）。"
    if kind is Kind.COUNT:
        return f"単位：{unit}。半角の整数で入力します（例：1059）。単位は不要です。"
    return f"単位：{unit}。半角の数値で入力します（例：2.13）。単位は不要です。"


# Excel's answer to a value the rule refuses (its warning dialog adds 「続けますか?」).
KEEP_OR_RETYPE = "「はい」でこのまま残せますが、点検で確認が必要になります。「いいえ」で入力し直せます。"


def validation_for(ind: Indicator, ref: str) -> Validation:
    """The value cell's data validation over the indicator's range (`Indicator.value_range`):
    warning style, not stop.

    Decided for issue 10: a typed unit or full-width digits ("513人", "８６団体")
    are accepted at typing and read by `check` (a 要確認 warning saying what was
    read), not refused. A stop rule cannot keep a value out anyway (pasting
    skips it), it refused 「－」, which `check` accepts as a deliberate 値なし,
    and it made the department retype what the tool reads correctly; the
    warning still stops the clerk once with the rule, and whatever is kept
    shows in the sheet's own 点検 line and column (`selfcheck`).
    """
    title, kind, unit = "入力のしかた", ind.kind, ind.unit
    operator, low, high = _bounds(ind)
    dv_type = "whole" if kind is Kind.COUNT else "decimal"
    if ind.minimum is None and ind.maximum is None:  # today's rule, in today's words
        if kind is Kind.PERCENT:
            told = "0％から100％までの数値を入力してください。"
        elif kind is Kind.COUNT:
            told = f"0以上の整数を半角で入力してください（単位「{unit}」は付けません）。"
        else:
            told = f"0以上の数値を半角で入力してください（単位「{unit}」は付けません）。"
    elif kind is Kind.PERCENT:
        told = f"{ind.range_label}の数値を入力してください。"
    else:
        what = "整数" if kind is Kind.COUNT else "数値"
        told = f"{ind.range_label}の{what}を半角で入力してください（単位「{unit}」は付けません）。"
    return Validation((ref,), dv_type, operator, low, high, title, unit_hint(unit, kind),
                      "入力の確認", f"{told}{KEEP_OR_RETYPE}", error_style="warning")


# Excel's own validation needs a bound: a side the template leaves open is held to this magnitude,
# the largest value `check` reads (Config.max_number).
_OPEN_BOUND = 1e15


def _bounds(ind: Indicator) -> tuple[str, str, str | None]:
    """(operator, formula1, formula2) of the data validation over the indicator's range."""
    low, high = ind.value_range
    if not math.isinf(low) and not math.isinf(high):
        return "between", _number(low), _number(high)
    if not math.isinf(low):
        return "greaterThanOrEqual", _number(low), None
    if not math.isinf(high):
        return "lessThanOrEqual", _number(high), None
    return "between", _number(-_OPEN_BOUND), _number(_OPEN_BOUND)


def _number(value: float) -> str:
    """A bound as a formula's number: 0, 1, 1.5, -0.25."""
    return str(int(value)) if float(value).is_integer() else f"{value:.15g}"


# Rows of a department's worksheet as `department_sheet` writes it (0-based).
TITLE_ROW = 0
SUBTITLE_ROW = 1
CHECK_ROW = 2  # the 点検 line: what is left to fix, counted by the sheet's own formulas
INSTRUCTION_ROW = 3
DEPARTMENT_SHEET_ROWS = TableRows(key=4, header=5, first_data=7)


def department_sheet(survey: Survey, department: str, *, name: str | None = None,
                     self_check: bool = True) -> SheetSpec:
    """The worksheet a department fills in. `survey` may hold values (history, and
    this year's figures when re-issuing a returned sheet). `self_check=False` leaves out the
    点検 line and column (`selfcheck.add_self_check`): the form's table alone, as `check` compares it."""
    rows = DEPARTMENT_SHEET_ROWS
    sub = survey.for_department(department)
    columns = layout.department_columns(sub)
    col = {c.key: i for i, c in enumerate(columns)}
    last = len(columns) - 1
    spec = SheetSpec(name=name or sheet_name(department), protect=True, tab_color=FILL_INPUT)

    _put_title(spec, sub, department, last)
    put_key_row(spec, columns, rows.key)
    put_headers(spec, columns, rows.header,
                suffix=lambda c: f"\n{INPUT_MARK}" if c.role in ("input_number", "input_text") else "")
    spec.row_heights[rows.header] = 54
    spec.row_heights[rows.subheader] = 18

    inds = sub.indicators
    for run in goal_runs(inds, rows.first_data):
        spec.merge(run.first, col[layout.GOAL], run.last, col[layout.GOAL], sub.goal(run.head.goal).label,
                   LOCKED_CENTER)
    previous = layout.previous_next(sub) if layout.PREV_NEXT in col else {}
    for run in item_runs(inds, rows.first_data):
        shared = run.head.department != department  # a co-owned item: another department writes its texts
        put_item(spec, sub, col, run, body=LOCKED_BODY, texts=LOCKED_TEXT if shared else INPUT_TEXT)
        if layout.PREV_NEXT in col:
            spec.merge(run.first, col[layout.PREV_NEXT], run.last, col[layout.PREV_NEXT], previous.get(run.head.id),
                       LOCKED_TEXT)
    for n, ind in enumerate(inds):
        _put_indicator(spec, sub, col, rows.first_data + n, ind, department)
    _put_text_validations(spec, sub, columns, col, department)
    _tell_co_owned(spec, sub, department)
    if self_check:
        add_self_check(spec, sub, columns, rows, CHECK_ROW, last, department)

    spec.freeze = (rows.first_data, col[layout.UNIT] + 1)
    spec.print_setup = PrintSetup(title_rows=(rows.header, rows.subheader),
                                  area=f"B1:{column_letter(last)}{rows.first_data + len(inds)}")
    return spec


def _put_title(spec: SheetSpec, sub: Survey, department: str, last_col: int) -> None:
    """The title, the year and department, and what to enter where."""
    fy_label = fiscal_year_label(sub.fiscal_year)
    words = sub.plan.header
    spec.merge(TITLE_ROW, 1, TITLE_ROW, last_col, f"{sub.plan.title}（部署別）", TITLE)
    spec.merge(SUBTITLE_ROW, 1, SUBTITLE_ROW, last_col, f"{fy_label}　{words('department_column')}：{department}", TITLE)
    spec.merge(INSTRUCTION_ROW, 1, INSTRUCTION_ROW, last_col,
               f"黄色で点線枠のセル（見出しに{INPUT_MARK}）に、{fy_label}の実績値（{words('as_of', year=fy_label)}）と"
               f"{words('done_word')}・{words('next_word')}を入力してください。"
               "数値は半角・単位なしで入力します。入力後は上の「点検」の行と右端の「点検」列（アドインがあれば「入力チェック」）で"
               "確認してから提出してください。"
               "ほかのセルは保護されています。", INSTRUCTION)
    spec.row_heights[TITLE_ROW] = 22
    spec.row_heights[INSTRUCTION_ROW] = 36


def _put_indicator(spec: SheetSpec, sub: Survey, col: dict[str, int], row: int, ind: Indicator,
                   department: str) -> None:
    """An indicator's row: its name and unit, its history and target locked, this year's input cell open
    (on a co-owner's form, locked too and saying which department answers)."""
    spec.put(row, col[layout.ID], ind.id, KEY)
    put_indicator_name(spec, col, row, ind, LOCKED_BODY)
    spec.put(row, col[layout.UNIT], ind.unit, LOCKED_CENTER)
    values = sub.values.get(ind.id, {})
    for year in sub.history_years:
        _locked_value(spec, row, col[layout.year_key(year)], ind, values.get(year))
    _locked_value(spec, row, col[layout.TARGET], ind, sub.targets.get(ind.id))
    input_col = col[layout.year_key(sub.fiscal_year)]
    if ind.department != department:
        spec.put(row, input_col, co_owned_mark(sub, ind), CO_OWNED)
        return
    fmt = excel_number_format(ind.unit, ind.kind, ind.decimals)
    spec.put(row, input_col, values.get(sub.fiscal_year), replace(INPUT_NUMBER, number_format=fmt))
    spec.validations.append(validation_for(ind, cell_ref(row, input_col)))


def _tell_co_owned(spec: SheetSpec, sub: Survey, department: str) -> None:
    """The instruction, on a form with co-owned rows, says what their marked cells mean."""
    if all(ind.department == department for ind in sub.indicators):
        return
    text, style = spec.cells[(INSTRUCTION_ROW, 1)]
    spec.cells[(INSTRUCTION_ROW, 1)] = (f"{text}{sub.plan.header('co_owned_instruction')}", style)
    spec.row_heights[INSTRUCTION_ROW] += 14


def co_owned_mark(survey: Survey, ind: Indicator) -> str:
    """What a co-owner's form shows in the (locked) value cell of an indicator another department answers."""
    return survey.plan.header("co_owned_mark", department=ind.department)


def _put_text_validations(spec: SheetSpec, sub: Survey, columns: list[layout.Column], col: dict[str, int],
                          department: str) -> None:
    """Excel's own warning on a text longer than its printed cell shows (an item's first row holds it)."""
    items = [run for run in item_runs(sub.indicators, DEPARTMENT_SHEET_ROWS.first_data)
             if run.head.department == department]
    if not items:
        return
    for key in (layout.DONE, layout.NEXT):
        cap = layout.text_capacity(columns[col[key]], sub.config.text_max_lines)
        refs = tuple(cell_ref(run.first, col[key]) for run in items)
        spec.validations.append(Validation(
            refs, "textLength", "lessThanOrEqual", str(cap), None, "入力のしかた",
            f"印刷で読める長さはおよそ{cap}文字までです。",
            "文字数の確認", f"{cap}文字を超えると印刷で切れます。短くしてください。", error_style="warning"))


def _locked_value(spec: SheetSpec, r: int, c: int, ind: Indicator, value: Value) -> None:
    if value == NOT_AVAILABLE or value is None:
        spec.put(r, c, NOT_AVAILABLE if value == NOT_AVAILABLE else None, LOCKED_CENTER)
        return
    fmt = excel_number_format(ind.unit, ind.kind, ind.decimals)
    spec.put(r, c, value, replace(LOCKED_NUMBER, number_format=fmt))


_BAD_FILE_CHARS = set('\\/:*?"<>|')
_BAD_SHEET_CHARS = set('\\/?*[]:')
MAX_SHEET_NAME = 31  # Excel's limit


def safe_filename(name: str) -> str:
    """A department name as a Windows file name (no \\ / : * ? " < > |, no control characters)."""
    return "".join("_" if ch in _BAD_FILE_CHARS or ord(ch) < 32 else ch for ch in name).strip(" .") or "部署"


def sheet_name(department: str) -> str:
    """A department name as an Excel sheet name: at most 31 characters, none of \\ / ? * [ ] :,
    no control characters and no apostrophe at either end (Excel refuses each)."""
    name = "".join("_" if ch in _BAD_SHEET_CHARS or ord(ch) < 32 else ch for ch in department)
    return name.strip("'")[:MAX_SHEET_NAME].strip("'") or "部署"
