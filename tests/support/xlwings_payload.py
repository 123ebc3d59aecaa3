"""Run the add-in through xlwings' remote engine on real workbook files.

xlwings' remote engine (`xlwings/pro/_xlremote.py`, the engine behind xlwings
Server and xlwings Lite) is driven by a JSON payload describing the workbook and
answers with the list of *actions* the client would apply to Excel. This module
builds that payload from an .xlsx file the way an Office.js client describes a
workbook, and replays the recorded actions onto an openpyxl copy of the same
file, so a test can look at the result as a workbook.

The replay follows Office.js semantics where they differ from openpyxl's: the
remote engine sends column widths in points and sheet positions 0-based; a
string value is parsed by Excel as if typed (a leading apostrophe keeps it text,
a leading "=" makes it a formula). Unknown actions raise, so an action the
add-in starts to emit without a faithful replay here makes the tests fail.
"""

from __future__ import annotations

import os

# The remote engine loads only when this is set before xlwings is first imported
# (PolyForm Noncommercial 1.0.0, which names government institutions as permitted
# users). Importing this module first is enough; conftest.py sets it too.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import copy  # noqa: E402
import datetime as dt  # noqa: E402
import re  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import xlwings as xw  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from openpyxl.cell.cell import MergedCell  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter, range_boundaries  # noqa: E402
from openpyxl.workbook.defined_name import DefinedName  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402

assert xw.__pro__, "xlwings' remote engine did not load: XLWINGS_LICENSE_KEY was set too late"

CLIENT = "Office.js"  # the client that supports notes, alignment and validation
NOTE_AUTHOR = "replay"

# Office.js' Excel.SheetVisibility per openpyxl sheet_state.
_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}


# --- payload ------------------------------------------------------------------------


def _cell_json(value: Any) -> Any:
    """A cell value as Office.js sends it: JSON numbers (integral ones as ints), ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def _sheet_values(ws) -> list[list[Any]]:
    if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
        return [[]]
    # Trim to the cells holding values: the remote engine derives the used range from it.
    last_row = last_col = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                last_row = max(last_row, cell.row)
                last_col = max(last_col, cell.column)
    if not last_row:
        return [[]]
    return [[_cell_json(ws.cell(r, c).value) for c in range(1, last_col + 1)] for r in range(1, last_row + 1)]


def _names(wb) -> list[dict[str, Any]]:
    """Defined names as the Office.js client lists them (book and sheet scope)."""
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}

    def entry(name: str, refers_to: str, scope: int | None) -> dict[str, Any]:
        sheet_index, address = None, None
        m = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)", refers_to)
        if m:
            sheet = (m[1] or m[2]).replace("''", "'")
            sheet_index, address = index.get(sheet), m[3].replace("$", "")
        return {
            "name": name, "refers_to": f"={refers_to}", "sheet_index": sheet_index, "address": address,
            "book_scope": scope is None, "scope_sheet_index": scope,
            "scope_sheet_name": None if scope is None else wb.worksheets[scope].title,
        }

    out = [entry(n, d.attr_text, None) for n, d in wb.defined_names.items()]
    for i, ws in enumerate(wb.worksheets):
        out += [entry(n, d.attr_text, i) for n, d in ws.defined_names.items()]
    return out


def payload(path: str | Path, *, active: str | None = None, name: str | None = None) -> dict[str, Any]:
    """The JSON an Office.js client sends for the workbook at `path`.

    `active` names the active sheet (default: the file's active sheet); `name`
    is the book name the client reports (default: the file name).
    """
    path = Path(path)
    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        notes = [{"address": cell.coordinate} for row in ws.iter_rows() for cell in row if cell.comment]
        sheets.append({
            "name": ws.title,
            "values": _sheet_values(ws),
            "visibility": _VISIBILITY[ws.sheet_state],
            "pictures": [], "shapes": [], "charts": [], "tables": [], "pivot_tables": [],
            "notes": notes, "show_gridlines": True, "print_area": None,
        })
    active_index = wb.sheetnames.index(active) if active else wb.worksheets.index(wb.active)
    return {
        "client": CLIENT,
        "version": xw.__version__,
        "book": {"name": name or path.name, "active_sheet_index": active_index, "selection": "A1"},
        "names": _names(wb),
        "sheets": sheets,
    }


def open_book(path: str | Path, *, active: str | None = None) -> xw.Book:
    """A remote-engine Book for the file, set as the caller of the add-in's actions."""
    book = xw.Book(json=payload(path, active=active))
    book.set_mock_caller()
    return book


# --- replay -------------------------------------------------------------------------


@dataclass
class Replay:
    """What replaying a list of actions did, besides changing the workbook."""

    alerts: list[dict[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _color(hex_color: str | None) -> PatternFill:
    if hex_color is None:
        return PatternFill()
    rgb = hex_color.lstrip("#").upper()
    return PatternFill(fill_type="solid", fgColor=rgb, bgColor=rgb)


def _excel_text(value: Any) -> tuple[Any, bool]:
    """A written value as Excel stores it, and whether it carries the text prefix."""
    if value == "":
        return None, False
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:], True
        stripped = value.strip()
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", stripped):
            number = float(stripped)
            return (int(number) if number.is_integer() and "." not in stripped else number), False
    return value, False


_H_ALIGN = {"General": "general", "Left": "left", "Center": "center", "Right": "right", "Fill": "fill",
            "Justify": "justify", "CenterAcrossSelection": "centerContinuous", "Distributed": "distributed"}
_V_ALIGN = {"Top": "top", "Center": "center", "Bottom": "bottom", "Justify": "justify", "Distributed": "distributed"}
_LINE = {("continuous", "thin"): "thin", ("continuous", "medium"): "medium", ("continuous", "thick"): "thick",
         ("continuous", "hairline"): "hair", ("dot", "thin"): "dotted", ("dash", "thin"): "dashed",
         ("double", "thick"): "double", ("double", "thin"): "double"}
_DV_TYPE = {"whole_number": "whole", "decimal": "decimal", "text_length": "textLength", "date": "date",
            "time": "time", "custom": "custom"}
_DV_OPERATOR = {"between": "between", "not_between": "notBetween", "equal_to": "equal",
                "not_equal_to": "notEqual", "greater_than": "greaterThan", "less_than": "lessThan",
                "greater_than_or_equal": "greaterThanOrEqual", "less_than_or_equal": "lessThanOrEqual"}


_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def points_to_width(points: float) -> float:
    """Office.js column width (points) as an .xlsx width, for a workbook whose
    default font has a maximum digit width of 7 px (Calibri 11, openpyxl's default)."""
    return points / 0.75 / 7


class _Replayer:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.result = Replay()
        # Border line style and weight arrive as separate actions per side.
        self.pending_border: dict[tuple[int, int, int, int, int, str], dict[str, str]] = {}

    def sheet(self, action: dict[str, Any]):
        return self.wb.worksheets[action["sheet_position"]]

    def cells(self, action: dict[str, Any]):
        ws = self.sheet(action)
        r0, c0 = action["start_row"], action["start_column"]
        for r in range(r0, r0 + action["row_count"]):
            for c in range(c0, c0 + action["column_count"]):
                yield r - r0, c - c0, ws.cell(r + 1, c + 1)

    def apply(self, action: dict[str, Any]) -> None:
        func = action["func"]
        self.result.counts[func] = self.result.counts.get(func, 0) + 1
        handler = getattr(self, f"do_{func}", None)
        if handler is None:
            raise NotImplementedError(f"replay does not know the action {func!r}: {action}")
        handler(action, *action["args"])

    # values and formats
    def do_setValues(self, action, *_):
        values = action["values"]
        ws = self.sheet(action)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                cell = ws.cell(action["start_row"] + i + 1, action["start_column"] + j + 1)
                stored, prefixed = _excel_text(value)
                if isinstance(cell, MergedCell):
                    # Excel keeps only the top-left value of a merged area; writing
                    # anything else into the area's other cells would be lost.
                    assert stored is None, f"value {value!r} written into merged cell {cell.coordinate}"
                    continue
                cell.value = stored
                if isinstance(stored, str):
                    # Excel parses an unprefixed "=…" as a formula and "#N/A" as an error value.
                    cell.data_type = ("s" if prefixed else "f" if stored.startswith("=")
                                      else "e" if stored in _ERRORS else "s")
                if prefixed:
                    cell.quotePrefix = True

    def do_rangeClearContents(self, action, *_):
        for _, _, cell in self.cells(action):
            cell.value = None

    def do_setRangeColor(self, action, color):
        for _, _, cell in self.cells(action):
            cell.fill = _color(color)

    def do_setRangeColors(self, action, matrix):
        for i, j, cell in self.cells(action):
            if matrix[i][j] != "keep":
                cell.fill = _color(matrix[i][j])

    def do_setNumberFormat(self, action, fmt):
        for _, _, cell in self.cells(action):
            cell.number_format = fmt

    def do_setFontProperty(self, action, attribute, value):
        for _, _, cell in self.cells(action):
            font = copy.copy(cell.font)
            if attribute == "color":
                value = value.lstrip("#").upper() if value else None
            setattr(font, {"name": "name", "size": "sz", "bold": "b", "italic": "i", "color": "color"}[attribute], value)
            cell.font = Font(name=font.name, size=font.sz, bold=font.b, italic=font.i, color=font.color)

    def _align(self, action, **kwargs):
        for _, _, cell in self.cells(action):
            a = cell.alignment
            merged = {"horizontal": a.horizontal, "vertical": a.vertical, "wrap_text": a.wrap_text, "indent": a.indent,
                      **kwargs}
            cell.alignment = Alignment(**merged)

    def do_setHorizontalAlignment(self, action, value):
        self._align(action, horizontal=_H_ALIGN[value])

    def do_setVerticalAlignment(self, action, value):
        self._align(action, vertical=_V_ALIGN[value])

    def do_rangeAdjustIndent(self, action, amount):
        for _, _, cell in self.cells(action):
            a = copy.copy(cell.alignment)
            cell.alignment = Alignment(horizontal=a.horizontal, vertical=a.vertical, wrap_text=a.wrap_text,
                                       indent=max(0, (a.indent or 0) + amount))

    def do_addConditionalFormat(self, action, entry):
        # Office.js (and xlwings) put a new rule at the top of the sheet's priority list.
        from openpyxl.formatting.rule import FormulaRule

        assert entry["type"] == "Custom", f"replay knows custom rules only: {entry}"
        ws = self.sheet(action)
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rule.priority += 1
        r, c = action["start_row"], action["start_column"]
        ref = f"{get_column_letter(c + 1)}{r + 1}:{get_column_letter(c + action['column_count'])}{r + action['row_count']}"
        color = entry["fill_color"].lstrip("#").upper()
        rule = FormulaRule(formula=[entry["formula"].lstrip("=")], stopIfTrue=entry["stop_if_true"],
                           fill=PatternFill(fill_type="solid", start_color=color, end_color=color))
        ws.conditional_formatting.add(ref, rule)
        rule.priority = 1

    def do_setWrapText(self, action, value):
        self._align(action, wrap_text=bool(value))

    def do_setBorderProperty(self, action, side, attribute, value):
        key = (action["sheet_position"], action["start_row"], action["start_column"],
               action["row_count"], action["column_count"], side)
        state = self.pending_border.setdefault(key, {"line_style": "continuous", "weight": "thin"})
        state[attribute] = value
        style = None if state["line_style"] in (None, "none") else _LINE[(state["line_style"], state["weight"])]
        last_r, last_c = action["row_count"] - 1, action["column_count"] - 1
        for i, j, cell in self.cells(action):
            b = cell.border
            sides = {"left": b.left, "right": b.right, "top": b.top, "bottom": b.bottom}
            s = Side(style=style)
            if (side == "edge_top" and i == 0) or (side == "inside_horizontal" and i > 0):
                sides["top"] = s
            if (side == "edge_bottom" and i == last_r) or (side == "inside_horizontal" and i < last_r):
                sides["bottom"] = s
            if (side == "edge_left" and j == 0) or (side == "inside_vertical" and j > 0):
                sides["left"] = s
            if (side == "edge_right" and j == last_c) or (side == "inside_vertical" and j < last_c):
                sides["right"] = s
            cell.border = Border(**sides)

    def do_rangeMerge(self, action, across):
        r, c = action["start_row"] + 1, action["start_column"] + 1
        last_r, last_c = r + action["row_count"] - 1, c + action["column_count"] - 1
        ws = self.sheet(action)
        for top in range(r, last_r + 1) if across else [r]:  # across: each row on its own
            ws.merge_cells(start_row=top, start_column=c, end_row=last_r if not across else top, end_column=last_c)

    def do_setColumnWidth(self, action, points):
        ws = self.sheet(action)
        for c in range(action["start_column"], action["start_column"] + action["column_count"]):
            ws.column_dimensions[get_column_letter(c + 1)].width = points_to_width(points)

    def do_setRowHeight(self, action, points):
        ws = self.sheet(action)
        for r in range(action["start_row"], action["start_row"] + action["row_count"]):
            ws.row_dimensions[r + 1].height = points

    def do_setSheetAutofit(self, action, axis):
        # Excel sizes the rows to their content; in a file that is "no explicit height".
        assert axis == "rows", axis
        for dim in self.sheet(action).row_dimensions.values():
            dim.height = None

    def do_setColumnHidden(self, action, hidden):
        ws = self.sheet(action)
        for c in range(action["start_column"], action["start_column"] + action["column_count"]):
            ws.column_dimensions[get_column_letter(c + 1)].hidden = hidden

    def do_setRowHidden(self, action, hidden):
        ws = self.sheet(action)
        for r in range(action["start_row"], action["start_row"] + action["row_count"]):
            ws.row_dimensions[r + 1].hidden = hidden

    def do_freezePaneAtRange(self, action, address):
        # Office.js freezes the given range as the top-left pane.
        min_col, min_row, max_col, max_row = range_boundaries(address.replace("$", ""))
        self.sheet(action).freeze_panes = f"{get_column_letter(max_col + 1)}{max_row + 1}"

    def do_setPrintArea(self, action, address):
        self.sheet(action).print_area = address.replace("$", "")

    def do_setDataValidationRule(self, action, rule):
        r, c = action["start_row"] + 1, action["start_column"] + 1
        ref = (f"{get_column_letter(c)}{r}:{get_column_letter(c + action['column_count'] - 1)}"
               f"{r + action['row_count'] - 1}")
        f1 = rule["formula1"].lstrip("=")
        f2 = rule["formula2"].lstrip("=") if rule.get("formula2") else None
        dv = DataValidation(type=_DV_TYPE[rule["type"]], operator=_DV_OPERATOR[rule["operator"]],
                            formula1=f1, formula2=f2, allow_blank=True)
        dv.add(ref)
        self.sheet(action).add_data_validation(dv)

    # notes and names
    def do_addNote(self, action, address, text):
        cell = self.sheet(action)[address.replace("$", "")]
        assert cell.comment is None, f"a note already exists at {address}"
        cell.comment = Comment(text, NOTE_AUTHOR)

    def do_deleteNote(self, action, address):
        cell = self.sheet(action)[address.replace("$", "")]
        assert cell.comment is not None, f"no note to delete at {address}"
        cell.comment = None

    def do_namesAdd(self, action, name, refers_to):
        dn = DefinedName(name, attr_text=refers_to.lstrip("="))
        if action["sheet_position"] is None:
            self.wb.defined_names[name] = dn
        else:
            self.wb.worksheets[action["sheet_position"]].defined_names[name] = dn

    def do_nameDelete(self, action, full_name, refers_to, name, sheet_index, book_scope, scope_sheet_index):
        if book_scope:
            del self.wb.defined_names[name]
        else:
            del self.wb.worksheets[scope_sheet_index].defined_names[name.rsplit("!", 1)[-1]]

    # sheets and book
    def do_addSheet(self, action, index, name):
        self.wb.create_sheet(name, index)

    def do_setSheetName(self, action, name):
        self.sheet(action).title = name

    def do_setSheetVisibility(self, action, visibility):
        self.sheet(action).sheet_state = {v: k for k, v in _VISIBILITY.items()}[visibility]

    def do_sheetDelete(self, action, *_):
        self.wb.remove(self.sheet(action))

    def do_activateSheet(self, action, index):
        self.wb.active = index

    def do_alert(self, action, prompt, title, buttons, mode, callback):
        self.result.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})


def replay(actions: list[dict[str, Any]], wb: Workbook) -> Replay:
    """Apply the remote engine's actions to an openpyxl workbook, in order."""
    player = _Replayer(wb)
    for action in actions:
        player.apply(action)
    return player.result


def replay_file(book: xw.Book, source: str | Path, out: str | Path | None = None) -> tuple[Workbook, Replay]:
    """Replay `book`'s actions onto a copy of `source` (saved to `out` when given)."""
    wb = load_workbook(source)
    result = replay(book.json()["actions"], wb)
    if out is not None:
        wb.save(out)
    return wb, result


def alerts(book: xw.Book) -> list[str]:
    """The prompts of the alerts the actions would show."""
    return [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]


def count(book: xw.Book, func: str | None = None) -> int:
    actions = book.json()["actions"]
    return len(actions) if func is None else sum(1 for a in actions if a["func"] == func)
