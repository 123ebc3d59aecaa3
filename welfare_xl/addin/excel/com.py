"""What only desktop Excel (the COM engine on Windows) can do for the add-in.

The remote engine has no API for sheet protection, locked cells, the messages
and alert style of data validation, page set-up, freeze panes by split, tab
colours, hatched fills or PDF export; here they are done through the COM
object model (`.api`). xlwings' own conditional formatting and indent do not
serve the desktop (its COM Add reads relative references against whatever
cell is active; its desktop engine has no indent), so those are here too. (The status bar, also desktop-only, is `grids.status`.)
Nothing in this module runs on the remote engine, so the
Linux test suite cannot exercise it: README's checklist for a Windows PC lists
what to look at after each button.

COM constants are spelled out as numbers (from the Excel object model
reference) so that no type library is needed.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from welfare_xl.addin.excel.grids import is_desktop
from welfare_xl.addin.excel.ranges import block, rectangles
from welfare_xl.core.model.cells import cell_ref, range_cells
from welfare_xl.core.sheets.spec import ConditionalFormat, SheetSpec, Style, Validation
from welfare_xl.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

# XlDVType, XlDVAlertStyle, XlFormatConditionOperator
_DV_TYPE = {"whole": 1, "decimal": 2, "textLength": 6}
_DV_ALERT = {"stop": 1, "warning": 2, "information": 3}
_DV_OPERATOR = {"between": 1, "notBetween": 2, "equal": 3, "notEqual": 4, "greaterThan": 5, "lessThan": 6,
                "greaterThanOrEqual": 7, "lessThanOrEqual": 8}
_PAPER = {"A3": 8, "A4": 9}  # XlPaperSize
_XL_EXPRESSION = 2  # XlFormatConditionType: a rule whose formula decides
_LANDSCAPE, _PORTRAIT = 2, 1  # XlPageOrientation


def _bgr(hex_color: str) -> int:
    """#RRGGBB as the BGR integer COM uses for colours."""
    h = hex_color.lstrip("#")
    return int(h[0:2], 16) + int(h[2:4], 16) * 256 + int(h[4:6], 16) * 65536


# The Protect arguments Excel also exposes as properties to read back (Worksheet and
# Worksheet.Protection), in the order of Worksheet.Protect's parameters.
_ALLOW = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
          "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
          "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")

# As the form's file is protected (xlsx.py: no password, only column widths and
# row heights may change; openpyxl's defaults leave objects and scenarios
# unprotected, so a clerk can still add a note to a cell).
FORM_PROTECTION: dict[str, bool] = {
    "DrawingObjects": False, "Contents": True, "Scenarios": False, "UserInterfaceOnly": False,
    **{name: name in ("AllowFormattingColumns", "AllowFormattingRows") for name in _ALLOW},
}


class SheetLocked(UserError):
    """The sheet is protected with a password the add-in does not know."""


def protect(sheet: "xw.Sheet") -> None:
    """Protect a sheet the add-in made as the form's file is protected."""
    sheet.api.Protect(**FORM_PROTECTION)


def protection(ws: Any) -> tuple[dict[str, bool], Any] | None:
    """The protection of a worksheet (its COM object) as Protect arguments and its
    EnableSelection, or None when nothing of it is protected."""
    contents, drawing, scenarios = bool(ws.ProtectContents), bool(ws.ProtectDrawingObjects), bool(ws.ProtectScenarios)
    if not (contents or drawing or scenarios):
        return None
    allowed = ws.Protection
    settings = {"DrawingObjects": drawing, "Contents": contents, "Scenarios": scenarios,
                "UserInterfaceOnly": bool(ws.ProtectionMode),
                **{name: bool(getattr(allowed, name)) for name in _ALLOW}}
    return settings, ws.EnableSelection


@contextmanager
def unprotected(book: "xw.Book", sheet: "xw.Sheet") -> Iterator[None]:
    """Lift a password-less protection while the add-in writes, then restore exactly it.

    A protected sheet refuses fills and notes over COM. Every Protect argument
    Excel reports back (contents, drawing objects, scenarios, the Allow… rights,
    and EnableSelection, which Protect leaves alone) is read before and given
    again after, so the clerk's sheet is protected as it was, whoever protected
    it and how. (Unprotect would also drop a user-interface-only protection set by
    a macro; it is restored too, though Excel does not save that one.) On the
    remote engine the client applies the writes itself and this does nothing.
    """
    if not is_desktop(book):
        yield
        return
    ws = sheet.api
    before = protection(ws)
    if before is None:
        yield
        return
    settings, selection = before
    try:
        ws.Unprotect()
    except Exception as exc:  # noqa: BLE001 - COM reports a wrong (here: missing) password as an error
        raise SheetLocked(f"「{sheet.name}」シートはパスワードで保護されているため、書き込めません。"
                          "「校閲 → シート保護の解除」で保護を外してから、もう一度実行してください。") from exc
    try:
        yield
    finally:
        ws.Protect(**settings)
        ws.EnableSelection = selection


@contextmanager
def quiet(book: "xw.Book") -> Iterator[None]:
    """No screen updates while writing (desktop only; the remote client batches anyway)."""
    if not is_desktop(book):
        yield
        return
    with book.app.properties(screen_updating=False):
        yield


def write_validations(sheet: "xw.Sheet", validations: list[Validation]) -> None:
    """Data validation with the form's alert style and its input and error messages."""
    groups: dict[int, Validation] = {}
    cells: dict[tuple[int, int], int] = {}
    for n, v in enumerate(validations):
        if v.type not in _DV_TYPE:
            continue
        groups[n] = v
        for ref in v.ranges:
            for rc in range_cells(ref):
                cells[rc] = n
    for n, rects in rectangles(cells).items():
        v = groups[n]  # type: ignore[index]
        for rect in rects:
            dv = block(sheet, rect).api.Validation
            dv.Delete()
            kwargs = {"Type": _DV_TYPE[v.type], "AlertStyle": _DV_ALERT[v.error_style],
                      "Operator": _DV_OPERATOR[v.operator], "Formula1": v.formula1}
            if v.formula2 is not None:
                kwargs["Formula2"] = v.formula2
            dv.Add(**kwargs)
            dv.IgnoreBlank = True
            if v.prompt:
                dv.InputTitle = v.prompt_title[:32]  # Excel's limits: 32 / 255 characters
                dv.InputMessage = v.prompt[:255]
                dv.ShowInput = True
            if v.error:
                dv.ErrorTitle = v.error_title[:32]
                dv.ErrorMessage = v.error[:255]
                dv.ShowError = True


def _address(rect: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rect
    return cell_ref(r1, c1) if (r1, c1) == (r2, c2) else f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"


def write_conditional_formats(sheet: "xw.Sheet", rules: list[ConditionalFormat]) -> None:
    """Excel's own conditional fills (`SheetSpec.conditional_formats`), as the file adapter writes them:
    one expression rule per spec rule over its ranges, its fill, stop-if-true, in the spec's order.

    FormatConditions.Add reads the relative references of Formula1 against the
    active cell, while the spec (like the file format) writes them for the
    top-left cell of the rule's first range: the range is selected first, which
    makes that cell the active one (the sheet is activated for it; A1 is
    selected again at the end). Each new rule is moved to the end of the sheet's
    priority list (SetLastPriority), so the first spec rule is the first Excel
    evaluates, whatever priority Add gives a new rule.
    """
    if not rules:
        return
    sheet.activate()
    ws = sheet.api
    for rule in rules:
        area = ws.Range(",".join(rule.ranges))
        area.Select()
        condition = area.FormatConditions.Add(Type=_XL_EXPRESSION, Formula1=f"={rule.formula}")
        condition.SetLastPriority()
        condition.StopIfTrue = True
        condition.Interior.Color = _bgr(rule.fill)
    ws.Range("A1").Select()


def write_indents(sheet: "xw.Sheet", cells: dict[tuple[int, int], Style]) -> None:
    """Excel's indent level (`Style.indent`: numbers kept off the border), one write per rectangle of
    equal indent; after the alignment, which an indent needs (on a General cell it would set Left)."""
    indents = {rc: style.indent for rc, style in cells.items() if style.indent}
    ws = sheet.api
    for level, rects in rectangles(indents).items():
        for rect in rects:
            ws.Range(_address(rect)).IndentLevel = level


def _page_setup(book: "xw.Book", sheet: "xw.Sheet", spec: SheetSpec) -> None:
    p = spec.print_setup
    if p is None:
        return
    ps = sheet.api.PageSetup
    to_points = book.app.api.CentimetersToPoints
    ps.PaperSize = _PAPER.get(p.paper, 9)
    ps.Orientation = _LANDSCAPE if p.landscape else _PORTRAIT
    if p.fit_width:
        ps.Zoom = False
        ps.FitToPagesWide = 1
        ps.FitToPagesTall = False
    if p.title_rows:
        ps.PrintTitleRows = f"${p.title_rows[0] + 1}:${p.title_rows[1] + 1}"
    margin = to_points(p.margins_cm)
    ps.LeftMargin = ps.RightMargin = ps.TopMargin = margin
    ps.BottomMargin = margin + to_points(0.5)
    ps.CenterHorizontally = True
    if p.footer_page_numbers:
        ps.CenterFooter = "&P / &N"


def _freeze(book: "xw.Book", sheet: "xw.Sheet", row: int, col: int) -> None:
    """Freeze panes: COM only freezes through the window of the active sheet."""
    sheet.activate()
    window = book.app.api.ActiveWindow
    window.FreezePanes = False
    window.ScrollRow = 1
    window.ScrollColumn = 1
    window.SplitRow = row
    window.SplitColumn = col
    window.FreezePanes = True


def finish_sheet(book: "xw.Book", sheet: "xw.Sheet", spec: SheetSpec) -> None:
    """Everything of `spec` the portable writes leave out, on the desktop engine."""
    unlocked = {rc: True for rc, (_, style) in spec.cells.items() if not style.locked}
    for rect in rectangles(unlocked).get(True, []):
        block(sheet, rect).api.Locked = False
    write_validations(sheet, spec.validations)
    write_indents(sheet, {rc: style for rc, (_, style) in spec.cells.items()})
    write_conditional_formats(sheet, spec.conditional_formats)
    _page_setup(book, sheet, spec)
    if spec.freeze and any(spec.freeze):
        _freeze(book, sheet, *spec.freeze)
    if spec.tab_color:
        sheet.api.Tab.Color = _bgr(spec.tab_color)
    if spec.protect:
        protect(sheet)


# XlPattern of the hatches SheetSpec styles use (openpyxl's pattern names).
_PATTERN = {"solid": 1, "lightUp": 13, "lightDown": 14, "lightHorizontal": 11, "lightVertical": 12,
            "darkUp": -4162, "darkDown": -4121, "darkHorizontal": -4128, "darkVertical": -4166,
            "gray125": 17, "gray0625": 18}


def patterns(sheet: "xw.Sheet", styles: dict[tuple[int, int], Style]) -> None:
    """Hatched fills (Interior.Pattern), which only the desktop engine can set.

    Called after the portable solid fills were written; only cells whose style
    asks for a pattern are touched, one COM call per rectangle of equal pattern.
    """
    wanted = {rc: (s.pattern, s.pattern_color or s.fill) for rc, s in styles.items()
              if s.fill and s.pattern != "solid" and s.pattern in _PATTERN}
    for (pattern, color), rects in rectangles(wanted).items():
        for rect in rects:
            interior = block(sheet, rect).api.Interior
            interior.Pattern = _PATTERN[pattern]
            interior.PatternColor = _bgr(color)


def export_pdf(book: "xw.Book", xlsx: Path, pdf: Path) -> None:
    """PDF of a workbook file through Excel's own export, in the caller's Excel instance."""
    other = book.app.books.open(str(xlsx), read_only=True)
    try:
        other.to_pdf(str(pdf), show=False)
    finally:
        other.close()
