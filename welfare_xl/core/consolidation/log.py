"""The sheet 集約ログ: what a run did, for people, and every changed cell, for 元に戻す, apart.

`log_specs(result)` is the pair of sheets either adapter renders:

- 集約ログ (LOG_SHEET, `log_sheet_spec`), for people, printed on A3: 実行の概要,
  提出状況, ファイル別の結果, 指標別の反映内容 and 変更したセル, each cell with
  its indicator, column and the value before and after as a person reads it;
- 集約ログ_データ (DATA_SHEET, `log_data_spec`), hidden, for 元に戻す: a marker
  row `wxl:changes` (CHANGES_MARKER) with the format (LOG_FORMAT), a field-name
  row (CHANGE_FIELDS), a Japanese label row, then one row per changed cell with
  its old and new values as typed JSON (`encode_value`), until the first empty
  row. A value is what the cell really held: a formula comes back as a formula
  (`result.Formula`), a text that starts with '=' as that text. A value whose
  JSON is longer than LONG_CHARS (any legal cell content must fit: 32,767
  characters, and more once quoted) is not put in its cell: the cell holds a
  reference ``{"$long": "L1"}`` and the JSON follows in a last section, 変更前後の
  長い値 (marker row `wxl:values`, VALUES_MARKER), in pieces of at most
  LONG_CHARS, one row each: the reference in column A, the piece in column B.

The two are written, replaced and renamed together. `logged_changes(grid)`
reads the changes back from any reader's grid of the data sheet, and from a
集約ログ of the previous formats (/1 and /2 kept everything on the one sheet;
`changes_grid` picks the grid that holds them); a sheet that is not such a log
raises `LogError` with a Japanese message.

元に戻す renames the log it applied to LOG_SHEET + UNDONE_SUFFIX (集約ログ（取消済）)
and its data sheet to DATA_SHEET + UNDONE_SUFFIX, so the same run is never
undone twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from welfare_xl.core.checks import Finding, Severity
from welfare_xl.core.consolidation.messages import closing, column_label, local_time, status_line
from welfare_xl.core.consolidation.result import (
    REFUSED,
    CellChange,
    ConsolidationResult,
    DepartmentState,
    FileStatus,
    Formula,
    IndicatorOutcome,
    IndicatorStatus,
    from_jsonable,
    shown,
    to_jsonable,
)
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid, HiddenValue, cell_str, parse_cell
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.progress import grade_from_label, grade_style
from welfare_xl.core.reading import cell_text
from welfare_xl.core.sheets.spec import (
    FILL_ERROR,
    FILL_HEADER,
    FILL_WARNING,
    PrintSetup,
    SheetSpec,
    Style,
    fit_row_heights,
)
from welfare_xl.errors import UserError

LOG_SHEET = "集約ログ"
DATA_SHEET = "集約ログ_データ"  # hidden: what 元に戻す reads, apart from what people read
UNDONE_SUFFIX = "（取消済）"  # 元に戻す renames the log it applied: 集約ログ（取消済）, 集約ログ_データ（取消済）
# /2: formulas and errors as such, long values in pieces (VALUES_MARKER); /3: the same on the hidden DATA_SHEET.
LOG_FORMAT = "welfare-xl-log/3"
FORMATS = ("welfare-xl-log/1", "welfare-xl-log/2", LOG_FORMAT)  # the formats logged_changes reads
CHANGES_MARKER = "wxl:changes"
CHANGE_FIELDS = ("sheet", "cell", "indicator_id", "key", "old", "new")
CHANGE_LABELS = ("シート", "セル", "指標ID", "列", "変更前（JSON）", "変更後（JSON）")
VALUES_MARKER = "wxl:values"
VALUE_FIELDS = ("ref", "part")
VALUE_LABELS = ("参照", "値（JSON の一部）")
LONG_TAG = "$long"
# Characters (code points) of JSON one log cell holds. Excel's limit is 32,767 UTF-16 units per
# cell; a code point takes at most two, and the add-in writes a leading apostrophe.
LONG_CHARS = 16_000


class LogError(UserError):
    """A 集約ログ sheet cannot be read back for undo; the message is for the user."""


# --- typed values ---------------------------------------------------------------------------


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), without a new encoder per call


def encode_value(value: Any) -> str:
    """A cell value as the JSON text of a log cell; `decode_value` gives it back, type and all."""
    return _JSON.encode(to_jsonable(value))


def decode_value(text: Any) -> Any:
    """The value a log cell encodes; a cell that is not a string is taken as it is."""
    if not isinstance(text, str):
        return text
    return from_jsonable(json.loads(text))


# --- writing the sheet ----------------------------------------------------------------------

_TITLE = Style(bold=True, size=14, border=None, wrap=False, text=True)
_NOTE = Style(size=9, border=None, wrap=False, text=True)
_SECTION = Style(bold=True, size=11, border=None, wrap=False, text=True)
_HEAD = Style(bold=True, size=10, fill=FILL_HEADER, h_align="center", text=True)
_KEY = Style(size=8, border=None, wrap=False, color="808080", text=True)
_LABEL = Style(bold=True, size=10, fill=FILL_HEADER, wrap=False, text=True)
_VALUE = Style(size=10, border=None, wrap=False, text=True)
_CELL = Style(size=10, v_align="top", text=True)
_MACHINE = Style(size=9, v_align="top", wrap=False, text=True)
_BAD = Style(size=10, v_align="top", bold=True, fill=FILL_ERROR, text=True)
_ATTENTION = Style(size=10, v_align="top", bold=True, fill=FILL_WARNING, text=True)

# Column widths (Excel units). Each column holds the same kind of content in every section:
# A file / department / ID, B department / status, C indicator, D status, E remarks and file,
# F..G values, H grade, I..J texts, K reasons.
_WIDTHS = {0: 26, 1: 16, 2: 34, 3: 16, 4: 46, 5: 13, 6: 13, 7: 11, 8: 30, 9: 30, 10: 44}
_TEXT_PREVIEW = 60  # characters of a long text shown in the log (the sheet itself has it whole)

# The fill of a status word. The word carries the meaning; the fill only helps the eye.
_BAD_STATUSES = {*REFUSED, DepartmentState.FAILED, IndicatorStatus.REJECTED, IndicatorStatus.NO_ROW}
_ATTENTION_STATUSES = {DepartmentState.MISSING, DepartmentState.BLANK, FileStatus.BLANK, IndicatorStatus.NOT_SUBMITTED,
                       FileStatus.SUPERSEDED,
                       FileStatus.IGNORED}


@dataclass
class _Writer:
    """The log sheet written top to bottom, row by row."""

    spec: SheetSpec
    r: int = 0

    def line(self, *values: Any, style: Style | Sequence[Style]) -> None:
        """One line from column A, written as given (no table styling of empty cells)."""
        for c, v in enumerate(values):
            self.spec.put(self.r, c, v, style if isinstance(style, Style) else style[c])
        self.r += 1

    def row(self, values: Sequence[Any], style: Style | Sequence[Style]) -> None:
        """One table row; every cell styled, empty ones too, so the grid prints whole."""
        cells, r = self.spec.cells, self.r  # SheetSpec.put, for the thousands of rows of a large run
        if isinstance(style, Style):
            for c, v in enumerate(values):
                cells[(r, c)] = (None if v == "" else v, style)
        else:
            for c, v in enumerate(values):
                cells[(r, c)] = (None if v == "" else v, style[c])
        self.r += 1

    def section(self, title: str) -> None:
        self.r += 1
        self.line(f"■ {title}", style=_SECTION)


def log_specs(result: ConsolidationResult) -> list[SheetSpec]:
    """The log as written: the readable 集約ログ, then its hidden data sheet for 元に戻す."""
    return [log_sheet_spec(result), log_data_spec(result)]


def log_sheet_spec(result: ConsolidationResult) -> SheetSpec:
    """The sheet 集約ログ, for people: read top to bottom, printed on A3 landscape.

    Sections: 実行の概要, 提出状況 (department × status), ファイル別の結果 (each
    file, then its errors and notable warnings with sheet, cell and indicator),
    指標別の反映内容 (source file, previous → new value, grade, texts) and
    変更したセル (each cell with its indicator and column, before and after as a
    person reads them). What 元に戻す reads is on the hidden `log_data_spec`.
    """
    spec = SheetSpec(name=LOG_SHEET, col_widths=dict(_WIDTHS), tab_color="808080",
                     print_setup=PrintSetup(paper="A3", landscape=True, fit_width=True))
    w = _Writer(spec)
    w.line(f"集約ログ（{fiscal_year_label(result.fiscal_year)}）", style=_TITLE)
    w.line(f"このシートは集約のたびに作り直されます。元に戻すためのデータは非表示のシート「{DATA_SHEET}」にあります"
           "（編集しないでください）。", style=_NOTE)
    for part in (_overview, _departments, _files, _indicators, _changes):
        part(w, result)
    # Excel does not grow rows a program wrote: size them so wrapped reasons show whole.
    fit_row_heights(spec, min_height=15.0)
    return spec


def log_data_spec(result: ConsolidationResult) -> SheetSpec:
    """The hidden sheet 集約ログ_データ: every changed cell as typed JSON, for 元に戻す (see the module)."""
    spec = SheetSpec(name=DATA_SHEET, col_widths={0: 12, 1: 10, 2: 10, 3: 10, 4: 40, 5: 40}, hidden=True)
    w = _Writer(spec)
    w.line(f"「{LOG_SHEET}」の変更したセル（元に戻すときに使います。編集しないでください）", style=_NOTE)
    w.line(CHANGES_MARKER, LOG_FORMAT, style=_KEY)
    w.row(list(CHANGE_FIELDS), _KEY)
    w.row(list(CHANGE_LABELS), _HEAD)
    long: list[tuple[str, str]] = []  # (reference, JSON) of values too long for their cell

    def logged(value: Any) -> str:
        text = encode_value(value)
        if len(text) <= LONG_CHARS:
            return text
        ref = f"L{len(long) + 1}"
        long.append((ref, text))
        return json.dumps({LONG_TAG: ref})

    for ch in result.changes:
        w.row([ch.sheet, ch.ref, ch.indicator_id, ch.key, logged(ch.old), logged(ch.new)], _MACHINE)
    if long:
        w.r += 1
        w.line(VALUES_MARKER, LOG_FORMAT, style=_KEY)
        w.row(list(VALUE_FIELDS), _KEY)
        w.row(list(VALUE_LABELS), _HEAD)
        for ref, text in long:
            for start in range(0, len(text), LONG_CHARS):
                w.row([ref, text[start:start + LONG_CHARS]], _MACHINE)
    return spec


def _overview(w: _Writer, result: ConsolidationResult) -> None:
    w.section("実行の概要")
    where = f"シート「{result.sheet}」"
    overview = [
        ("実行日時", local_time(result.run_at)),
        ("調査票", result.survey_file),
        ("提出フォルダ", result.folder),
        ("集約先", f"{result.output}（{where}）" if result.output else where),
        ("バックアップ", result.backup or "（なし）"),
        ("提出状況", status_line(result.departments)),
        ("変更したセル", f"{len(result.changes)} 件"),
        ("結果", closing(result)),
    ]
    overview += [("集約先の問題", p) for p in result.problems]
    overview += [("確認が必要なこと", warning.message) for warning in result.to_confirm]
    for label, value in overview:
        w.line(label, value, style=(_LABEL, _VALUE))


def _departments(w: _Writer, result: ConsolidationResult) -> None:
    w.section("提出状況")
    w.row([result.survey.plan.header("department_column"), "状況", "採用したファイル", "保存日時", "備考"], _HEAD)
    for d in result.departments:
        w.row([d.department, d.label, d.file or "", local_time(d.saved), d.note],
              [_CELL, _status_style(d.status), _CELL, _CELL, _CELL])


def _files(w: _Writer, result: ConsolidationResult) -> None:
    w.section("ファイル別の結果")
    w.row(["ファイル", result.survey.plan.header("department_column"), "結果", "保存日時",
           "内容（シート／セル［指標ID］指標　内容）"], _HEAD)
    for f in result.files:
        superseded = f.status == FileStatus.SUPERSEDED
        listed = _noteworthy(f.errors + f.warnings) if not superseded else []
        read_as = len(f.warnings) - len(_noteworthy(f.warnings)) if not superseded else 0
        note = f.note + (f"（数値の書き方を読み替えた指標 {read_as}件）" if read_as else "")
        w.row([f.file, f.department or "", f.label, local_time(f.saved), note],
              [_CELL, _CELL, _status_style(f.status), _CELL, _CELL])
        for finding in listed:
            mark = _BAD if finding.severity == Severity.ERROR else _ATTENTION
            w.row(["", "", finding.mark, "", finding.describe(file=False, mark=None, sep="　")],
                  [_CELL, _CELL, mark, _CELL, _CELL])


def _indicators(w: _Writer, result: ConsolidationResult) -> None:
    w.section("指標別の反映内容")
    words = result.survey.plan.header
    w.row(["ID", words("department_column"), "指標", "結果", "提出ファイル", "前の値", "新しい値", words("grade_column"),
           words("done_word"), words("next_word"), "不採用の理由・注意"], _HEAD)
    brief = {"file": False, "sheet": False, "subject": False}
    for o in result.indicators:
        ind = o.indicator
        notes = [x.describe(**brief, mark=None) for x in o.reasons]
        notes += [x.describe(**brief, mark="：") for x in _noteworthy(o.warnings)]
        w.row([ind.id, ind.department, ind.label, o.label, o.source or "", ind.show(o.old_value),
               ind.show(o.new_value), o.grade.label if o.grade else "",
               _texts_cell(o, 0), _texts_cell(o, 1), "\n".join(notes)],
              [_CELL, _CELL, _CELL, _status_style(o.status)] + [_CELL] * 7)


def _changes(w: _Writer, result: ConsolidationResult) -> None:
    """Each changed cell as a person reads it: cell, indicator, column, before → after."""
    w.section("変更したセル")
    if not result.changes:
        w.line("（変更したセルはありません）", style=_NOTE)
        return
    w.row(["セル", "指標ID", "指標", "列", "変更前 → 変更後"], _HEAD)
    indicators = {i.id: (i, i.label) for i in result.survey.indicators}
    columns: dict[str, str] = {}  # key -> its label, worded once
    for ch in result.changes:
        ind, label = indicators.get(ch.indicator_id, (None, ""))
        column = columns.get(ch.key)
        if column is None:
            column = columns[ch.key] = column_label(ch.key, result.survey.plan)
        before, after = _readable(ch.key, ch.old, ind), _readable(ch.key, ch.new, ind)
        w.row([f"{ch.sheet}!{ch.ref}" if ch.sheet else ch.ref, ch.indicator_id, label, column, f"{before} → {after}"],
              _CELL)


def _readable(key: str, value: Any, ind: Any) -> str:
    """A logged cell value as a person reads it: a figure with its unit, a formula, an error, a text's start."""
    if isinstance(value, Formula):
        return f"数式 {_preview(value.text)}"
    if isinstance(value, HiddenValue):
        return value.text if value.kind == "error" else f"数式 {_preview(value.text)}"
    if value is None or value == "":
        return "（空欄）"
    if isinstance(value, str):
        return _preview(value)
    if ind is not None and layout.key_year(key):
        return ind.show(value)
    return _preview(str(value))


def _preview(text: str) -> str:
    """The start of a text on one line (line breaks shown as ／)."""
    flat = "／".join(part.strip() for part in text.replace("\r\n", "\n").split("\n"))
    return flat if len(flat) <= _TEXT_PREVIEW else flat[:_TEXT_PREVIEW] + "…"


def _status_style(status: Any) -> Style:
    """Cell style of a status word (a FileStatus, DepartmentState or IndicatorStatus)."""
    if status in _BAD_STATUSES:
        return _BAD
    if status in _ATTENTION_STATUSES:
        return _ATTENTION
    return _CELL


def _noteworthy(findings: Iterable[Finding]) -> list[Finding]:
    """Findings worth a line in the log. How a typed number was read ("513人" → 513) was
    shown to the department by its own check and is in the JSON; here it would drown the rest."""
    return [f for f in findings if f.code != "normalized"]


def _texts_cell(out: IndicatorOutcome, n: int) -> str:
    """The log's view of one text: （変更なし）, or the start of the new text."""
    taken = out.status in (IndicatorStatus.UPDATED, IndicatorStatus.UNCHANGED)
    if out.new_texts is None or not taken:
        return ""
    old, new = (out.old_texts or (None, None))[n], out.new_texts[n]
    if cell_text(old) == new:
        return "（変更なし）"
    if not new:
        return ""
    return new if len(new) <= _TEXT_PREVIEW else new[:_TEXT_PREVIEW] + "…"


# --- reading it back ------------------------------------------------------------------------


def logged_changes(log_grid: Grid) -> list[CellChange]:
    """The cell changes a 集約ログ grid records, in the order they were made."""
    start = _marker_row(log_grid, CHANGES_MARKER)
    if start is None or start + 1 >= len(log_grid):
        raise LogError(f"「{LOG_SHEET}」シートに対応する変更したセルの記録（非表示のシート「{DATA_SHEET}」の"
                       f"{CHANGES_MARKER}）がありません。集約で作られたログのシートを削除・編集していないか確認してください。")
    fmt = cell_str(log_grid[start][1]) if len(log_grid[start]) > 1 else ""
    if fmt and fmt not in FORMATS:
        raise LogError(f"「{LOG_SHEET}」シートの変更記録は、このバージョンでは読めない形式（{fmt}）です。"
                       "集約したときと同じか新しいバージョンの welfare-xl で元に戻してください。")
    fields = {cell_str(v): c for c, v in enumerate(log_grid[start + 1]) if cell_str(v)}
    missing = [f for f in CHANGE_FIELDS if f not in fields]
    if missing:
        raise LogError(f"「{LOG_SHEET}」シートの変更記録の見出しが足りません：{'、'.join(missing)}。"
                       "ログを編集していないか確認してください。")
    long = _long_values(log_grid, start)
    out = []
    for n, row in enumerate(log_grid[start + 3:], start=start + 4):
        cells = {f: (row[c] if c < len(row) else None) for f, c in fields.items()}
        if not cell_str(cells["cell"]):
            break
        out.append(_logged_change(cells, n, long))
    return out


def changes_grid(log_grid: Grid, data_grid: Grid | None) -> Grid:
    """The grid that holds a run's changed cells: the 集約ログ itself for the formats that kept them
    on the one sheet (/1, /2), else its data sheet. A 集約ログ written by a previous release over a
    newer one's may leave a stale data sheet behind: the log's own record wins."""
    if _marker_row(log_grid, CHANGES_MARKER) is not None or data_grid is None:
        return log_grid
    return data_grid


def _marker_row(grid: Grid, marker: str, after: int = 0) -> int | None:
    return next((r for r in range(after, len(grid)) if grid[r] and cell_str(grid[r][0]) == marker), None)


def _long_values(log_grid: Grid, changes_start: int) -> dict[str, str]:
    """Reference -> JSON of the values the 変更前後の長い値 section holds in pieces ({} without one)."""
    start = _marker_row(log_grid, VALUES_MARKER, changes_start)
    if start is None:
        return {}
    pieces: dict[str, list[str]] = {}
    for row in log_grid[start + 3:]:
        ref = cell_str(row[0]) if row else ""
        if not ref:
            break
        part = row[1] if len(row) > 1 else None
        pieces.setdefault(ref, []).append(part if isinstance(part, str) else "")
    return {ref: "".join(parts) for ref, parts in pieces.items()}


def _logged_change(cells: dict[str, Any], n: int, long: dict[str, str]) -> CellChange:
    """One row of the 変更したセル section (row `n`, 1-based, for the message); `long` the long values."""
    try:
        r, c = parse_cell(cell_str(cells["cell"]))
        old, new = (_logged_value(cells[f], long) for f in ("old", "new"))
    except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
        raise LogError(f"「{LOG_SHEET}」シートの {n} 行目の変更記録を読めません（{exc}）。"
                       "ログを編集していないか確認してください。") from exc
    key = cell_str(cells["key"])
    style = grade_style(grade_from_label(shown(new))) if key == layout.GRADE else None
    return CellChange(r, c, key, cell_str(cells["indicator_id"]), old, new, cell_str(cells["sheet"]), style)


def _logged_value(text: Any, long: dict[str, str]) -> Any:
    """The value a log cell records: its JSON, or the long value it refers to."""
    if isinstance(text, str):
        data = json.loads(text)
        if isinstance(data, dict) and set(data) == {LONG_TAG}:
            if data[LONG_TAG] not in long:
                raise ValueError(f"長い値 {data[LONG_TAG]} が「{VALUES_MARKER}」の欄にありません")
            return decode_value(long[data[LONG_TAG]])
    return decode_value(text)
