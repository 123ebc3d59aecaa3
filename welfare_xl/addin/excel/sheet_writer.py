"""Writing a `SheetSpec` into the open workbook through xlwings.

The file adapter (`welfare_xl.files.writer`) writes the same specs with openpyxl; this
is its live counterpart. Writes are grouped so that their number follows the
sheet's *shape*, not its cell count:

* values: one bulk write of the whole block;
* each formatting attribute (fill, number format, font, alignment, wrap,
  borders): one write per rectangle of cells sharing the same value;
* merges: one write per merge, or per block of rows merged across alike;
* column widths and row heights: one write per run of equal size.

(The rectangles and runs are found by `excel.ranges`.)

What both engines support is written here (values, number formats, fills,
fonts, alignment, wrap, borders, merges, widths, heights, hidden rows and
columns, data validation rules, freeze panes, print area; on the remote engine
also conditional formatting and indent). Sheet protection, unlocked cells, the
input and error messages of data validation, its warning style, page set-up,
and the tab colour exist only on the desktop engine (`excel.com`), which also
writes the conditional formatting and indent there; the remote engine has no
API for the rest, so a rule of warning style (the form's numbers and texts)
is not written there at all.

The actions also write onto sheets that exist: `paint` sets the fills of
scattered cells (入力チェック's marks, 集約's grades) in one write, and
`excel_value` is how any value must be written for Excel to keep it as it is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable

from welfare_xl.addin.excel.grids import is_desktop, set_column_width
from welfare_xl.addin.excel.ranges import block, rectangles, runs
from welfare_xl.core.model.cells import Cell, Formula, HiddenValue, Rect, range_cells
from welfare_xl.core.sheets.spec import FONT, ConditionalFormat, SheetSpec, Style, Validation

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

MAX_COLOR_CELLS = 10_000  # xlwings' limit per Range.set_colors call


def excel_value(value: Any) -> Any:
    """A spec value as it must be written for Excel to store exactly it.

    Excel parses a string written to Range.Value (COM) or range.values
    (Office.js) as if it had been typed: "TRUE" becomes a boolean, "1e3" a
    number, "#N/A" an error, "令和2年4月1日", "4月1日", "R2.4.1" and "H31/4/1"
    dates (Japanese Excel reads era dates and full-width digits too), "=…" a
    formula. Which strings it parses depends on the locale and the version, so
    no test of ours can list them: every non-empty string gets a leading
    apostrophe, which Excel does not store (it marks the cell as text, as
    typing an apostrophe does). Numbers, dates, booleans and None are written
    as they are. The empty string is the one exception: "'" alone would leave
    a cell holding an empty text instead of an empty cell. A formula (or an
    error value) 元に戻す puts back is written as Excel parses it: its text alone.
    """
    if isinstance(value, str) and value:
        return "'" + value
    if isinstance(value, HiddenValue):
        return value.text
    if isinstance(value, Formula):  # a form's own formula, or one 元に戻す puts back
        return value.text
    return value


# Border styles of the spec as xlwings line style and weight.
_BORDERS = {"thin": ("continuous", "thin"), "dotted": ("dot", "thin"), "medium": ("continuous", "medium"),
            "hair": ("continuous", "hairline"), "dashed": ("dash", "thin"), "thick": ("continuous", "thick")}


def _set_border(rng: "xw.Range", border: str) -> None:
    line_style, weight = _BORDERS[border]
    if weight == "thin":  # Excel's default weight for a new line: one action per side, not two
        rng.borders.set("all", line_style=line_style)
    else:
        rng.borders.set("all", line_style=line_style, weight=weight)


# (attribute, value of a Style or None to skip, writer). Skipped values are
# those a new sheet already has, so they cost nothing.
_Writer = Callable[["xw.Range", Any], None]
_ATTRIBUTES: list[tuple[str, Callable[[Style], Any], _Writer]] = [
    ("fill", lambda s: s.fill and f"#{s.fill}", lambda r, v: setattr(r, "color", v)),
    ("number_format", lambda s: None if s.number_format == "General" else s.number_format,
     lambda r, v: setattr(r, "number_format", v)),
    ("font_name", lambda s: FONT, lambda r, v: setattr(r.font, "name", v)),
    ("font_size", lambda s: s.size, lambda r, v: setattr(r.font, "size", v)),
    ("bold", lambda s: True if s.bold else None, lambda r, v: setattr(r.font, "bold", v)),
    ("font_color", lambda s: s.color and f"#{s.color}", lambda r, v: setattr(r.font, "color", v)),
    ("h_align", lambda s: s.h_align, lambda r, v: setattr(r, "horizontal_alignment", v)),
    ("v_align", lambda s: None if s.v_align == "bottom" else s.v_align,
     lambda r, v: setattr(r, "vertical_alignment", v)),
    ("wrap", lambda s: True if s.wrap else None, lambda r, v: setattr(r, "wrap_text", v)),
    ("border", lambda s: s.border, _set_border),
]


def write_formats(sheet: "xw.Sheet", cells: dict[tuple[int, int], Style]) -> None:
    """Write each formatting attribute per rectangle of equal value."""
    for _, value_of, write in _ATTRIBUTES:
        values = {rc: value_of(style) for rc, style in cells.items()}
        try:
            for value, rects in rectangles({rc: v for rc, v in values.items() if v is not None}).items():
                for rect in rects:
                    write(block(sheet, rect), value)
        except NotImplementedError:
            # Alignment needs an Office.js client; other remote clients (e.g.
            # Google Sheets) lack it. The sheet stays usable without it.
            continue


def write_merges(sheet: "xw.Sheet", merges: Iterable[Rect]) -> None:
    """Merge cells: one write per block of consecutive one-row merges of the same
    columns (Excel's "merge across"), one per other merge."""
    rows_of_span: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r1, c1, r2, c2 in merges:
        if r1 == r2:
            rows_of_span[(c1, c2)].append(r1)
        else:
            block(sheet, (r1, c1, r2, c2)).merge()
    for (c1, c2), rows in rows_of_span.items():
        for first, last, _ in runs(rows, lambda r: True):
            block(sheet, (first, c1, last, c2)).merge(across=first != last)


def _rule(v: Validation) -> tuple[str, str, str, str | None]:
    return (v.type, v.operator, v.formula1, v.formula2)


_RULE_METHOD = {"whole": "set_whole_number", "decimal": "set_decimal", "textLength": "set_text_length"}


def _snake(operator: str) -> str:
    """Excel's operator name (greaterThanOrEqual) as xlwings spells it (greater_than_or_equal)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", operator).lower()




def write_validations(sheet: "xw.Sheet", validations: list[Validation]) -> None:
    """Data validation rules through xlwings (both engines), grouped per rule.

    Only rules with Excel's default "stop" style are written: xlwings cannot set
    the alert style, and a stop rule where the form wants a warning (long texts)
    would refuse the clerk's text. The desktop engine writes all rules with their
    messages instead (`com.write_validations`).
    """
    cells: dict[tuple[int, int], tuple[str, str, str, str | None]] = {}
    for v in validations:
        if v.error_style != "stop" or v.type not in _RULE_METHOD:
            continue
        for ref in v.ranges:
            for rc in range_cells(ref):
                cells[rc] = _rule(v)
    for (kind, operator, f1, f2), rects in rectangles(cells).items():
        for rect in rects:
            method = getattr(block(sheet, rect).data_validation, _RULE_METHOD[kind])
            try:
                if f2 is None:
                    method(_snake(operator), f1)
                else:
                    method(_snake(operator), f1, f2)
            except NotImplementedError:
                return  # a remote client without data validation (not Office.js)


def remote_indents(sheet: "xw.Sheet", cells: dict[tuple[int, int], Style]) -> None:
    """Indent levels on the remote engine (Office.js adjustIndent on a new sheet's level 0),
    one write per rectangle of equal indent, after the alignment the writes above set."""
    indents = {rc: style.indent for rc, style in cells.items() if style.indent}
    for level, rects in rectangles(indents).items():
        for rect in rects:
            block(sheet, rect).adjust_indent(level)


def remote_conditional_formats(sheet: "xw.Sheet", rules: list[ConditionalFormat]) -> None:
    """The spec's conditional fills on the remote engine (xlwings' custom rules, Office.js).

    Office.js reads a custom rule's relative references against the top-left
    cell of its range, as the spec writes them. xlwings puts each new rule at
    the top of the priority list, so the rules are added last to first. A rule
    over several ranges would need its formula moved for each: no spec makes
    one (the desktop engine writes such a rule over the ranges' union).
    """
    for rule in reversed(rules):
        if len(rule.ranges) != 1:
            continue
        sheet.range(rule.ranges[0]).conditional_formats.add_custom(
            f"={rule.formula}", fill_color=f"#{rule.fill}", stop_if_true=True)


def paint(sheet: "xw.Sheet", colors: dict[Cell, str | None]) -> None:
    """Set the fills of scattered cells with as few writes as possible.

    One `set_colors` per block of at most 10,000 cells, cells not listed kept
    (`...`): a single action on the remote engine whatever the number of cells.
    """
    if not colors:
        return
    r1 = min(r for r, _ in colors)
    r2 = max(r for r, _ in colors)
    c1 = min(c for _, c in colors)
    c2 = max(c for _, c in colors)
    rows_per_block = max(1, MAX_COLOR_CELLS // (c2 - c1 + 1))
    for top in range(r1, r2 + 1, rows_per_block):
        bottom = min(r2, top + rows_per_block - 1)
        matrix = [[_hex(colors[(r, c)]) if (r, c) in colors else ... for c in range(c1, c2 + 1)]
                  for r in range(top, bottom + 1)]
        if any(v is not ... for row in matrix for v in row):
            block(sheet, (top, c1, bottom, c2)).set_colors(matrix)


def _hex(color: str | None) -> str | None:
    return f"#{color}" if color else None


def write_sheet(book: "xw.Book", sheet: "xw.Sheet", spec: SheetSpec, *, autofit_rows: bool = False) -> None:
    """Write `spec` onto the (new, empty) `sheet`.

    `autofit_rows` lets Excel size the rows to their wrapped text instead of
    writing the spec's row heights: one write for a long list (a log) whose
    heights differ from row to row.
    """
    if spec.max_row < 0:
        return
    grid: list[list[Any]] = [[None] * (spec.max_col + 1) for _ in range(spec.max_row + 1)]
    for (r, c), (value, _) in spec.cells.items():
        grid[r][c] = excel_value(value)
    sheet.range((1, 1), (spec.max_row + 1, spec.max_col + 1)).value = grid

    write_merges(sheet, spec.merges)
    write_formats(sheet, {rc: style for rc, (_, style) in spec.cells.items()})

    for c1, c2, width in runs(spec.col_widths, spec.col_widths.__getitem__):
        set_column_width(book, sheet.range((1, c1 + 1), (1, c2 + 1)), width)
    if autofit_rows:
        sheet.autofit("rows")
    else:
        for r1, r2, height in runs(spec.row_heights, spec.row_heights.__getitem__):
            sheet.range((r1 + 1, 1), (r2 + 1, 1)).row_height = height
    for c1, c2, _ in runs(spec.hidden_cols, lambda c: True):
        sheet.range((1, c1 + 1), (1, c2 + 1)).columns.hidden = True
    for r1, r2, _ in runs(spec.hidden_rows, lambda r: True):
        sheet.range((r1 + 1, 1), (r2 + 1, 1)).rows.hidden = True
    if spec.print_setup and spec.print_setup.area:
        sheet.page_setup.print_area = spec.print_setup.area

    if is_desktop(book):
        from welfare_xl.addin.excel import com as desktop

        desktop.finish_sheet(book, sheet, spec)
    else:
        write_validations(sheet, spec.validations)
        remote_indents(sheet, {rc: style for rc, (_, style) in spec.cells.items()})
        remote_conditional_formats(sheet, spec.conditional_formats)
        if spec.freeze and all(spec.freeze):
            r, c = spec.freeze
            sheet.freeze_panes.freeze_at(sheet.range((1, 1), (r, c)))
    if spec.hidden:
        sheet.visible = False


def write_new_sheet(book: "xw.Book", spec: SheetSpec, *, after: "xw.Sheet | None" = None,
                     autofit_rows: bool = False) -> "xw.Sheet":
    """Add a sheet named `spec.name` after `after` and write `spec` on it.

    Should desktop Excel fail half-way, from adding the sheet on, the half-made
    sheet is deleted again, so that a later run does not take it for a finished
    one. COM adds a sheet and names it in two calls, so on the desktop the
    sheet is added unnamed and named inside the same cleanup: a name Excel
    refuses leaves no "Sheet4" behind. (The remote engine queues the writes;
    after an error `run` drops them all, so there is nothing to delete.)

    `after` should be a visible sheet (`grids.last_visible_sheet`): given the
    last sheet, xlwings' COM engine moves that sheet, and the last one is often
    the hidden 管理情報.
    """
    desktop = is_desktop(book)
    sheet = None
    try:
        if desktop:
            sheet = book.sheets.add(after=after)
            sheet.name = spec.name
        else:
            sheet = book.sheets.add(name=spec.name, after=after)
        write_sheet(book, sheet, spec, autofit_rows=autofit_rows)
    except Exception:
        if desktop and sheet is not None:
            try:
                sheet.delete()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
        raise
    return sheet
