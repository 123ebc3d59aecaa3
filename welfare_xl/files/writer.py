"""Writing workbooks with openpyxl: `SheetSpec`s onto worksheets, with their styles, charts and print set-up.

The core describes a sheet (`welfare_xl.core.sheets.spec.SheetSpec`); `write_sheet`
puts one onto an openpyxl worksheet and `write_specs` makes a new workbook of
several, saved atomically (`welfare_xl.files.atomic`). `StyleCache` turns the
core's `Style` values into openpyxl style objects once per workbook; it also
styles the cells written into an existing survey (`welfare_xl.files.survey_edit`).
openpyxl is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from welfare_xl.core.model.cells import Formula
from welfare_xl.core.sheets.spec import FONT, ChartSpec, ConditionalFormat, SheetSpec, Style
from welfare_xl.files.atomic import save_atomic

# The author of every workbook welfare-xl makes (docProps/core.xml), which a PDF printed from it
# inherits: the tool, not the library (openpyxl's default is "openpyxl"); the survey data names
# no person or office that could stand for it.
AUTHOR = "welfare-xl"


class StyleCache:
    """One set of openpyxl style objects per distinct Style (files stay small).

    Use one cache per workbook: `apply` reuses the style array of a cell it
    styled before, and that array indexes the workbook's own style tables.
    """

    def __init__(self) -> None:
        self._cache: dict[Style, dict[str, Any]] = {}
        self._arrays: dict[Style, Any] = {}

    def apply(self, cell, style: Style) -> None:
        """Style one cell. Setting openpyxl's six style attributes looks each one up in
        the workbook's style lists (about 0.5 ms a cell, minutes for a large log);
        copying the style array of a cell already styled the same way is immediate."""
        array = self._arrays.get(style)
        if array is not None:
            cell._style = copy(array)
            return
        for attr, obj in self.get(style).items():
            setattr(cell, attr, obj)
        self._arrays[style] = copy(cell._style)

    def get(self, style: Style) -> dict[str, Any]:
        if style not in self._cache:
            from openpyxl.styles import Alignment, Border, Font, Protection, Side

            side = Side(style=style.border) if style.border else Side()
            self._cache[style] = {
                "font": Font(name=FONT, size=style.size, bold=style.bold, color=style.color),
                "fill": _fill(style),
                "alignment": Alignment(horizontal=style.h_align, vertical=style.v_align, wrap_text=style.wrap,
                                       indent=style.indent),
                "border": Border(left=side, right=side, top=side, bottom=side),
                "protection": Protection(locked=style.locked),
                "number_format": style.number_format,
            }
        return self._cache[style]


def _fill(style: Style):
    """An openpyxl fill. For a pattern (hatch), Excel draws fgColor lines on bgColor."""
    from openpyxl.styles import PatternFill

    if not style.fill:
        return PatternFill()
    hatch = style.pattern_color if style.pattern != "solid" and style.pattern_color else style.fill
    return PatternFill(fill_type=style.pattern, fgColor=hatch, bgColor=style.fill)


def write_sheet(ws, spec: SheetSpec, cache: StyleCache | None = None) -> None:
    """Write a SheetSpec onto an (empty) openpyxl worksheet."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cache = cache or StyleCache()
    for (r, c), (value, style) in sorted(spec.cells.items()):
        cell = ws.cell(row=r + 1, column=c + 1)
        if isinstance(value, Formula):
            cell.value = "=" + value.text.lstrip("=")
        elif value is not None:
            cell.value = value
            if style.text and isinstance(value, str):
                # openpyxl turns any string starting with '=' into a formula; an
                # explicit string type keeps what a department typed as text.
                cell.data_type = "s"
        cache.apply(cell, style)
    for r1, c1, r2, c2 in spec.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    for c, w in spec.col_widths.items():
        ws.column_dimensions[get_column_letter(c + 1)].width = w
    for r, h in spec.row_heights.items():
        ws.row_dimensions[r + 1].height = h
    for c in spec.hidden_cols:
        ws.column_dimensions[get_column_letter(c + 1)].hidden = True
    for r in spec.hidden_rows:
        ws.row_dimensions[r + 1].hidden = True
    for v in spec.validations:
        dv = DataValidation(type=v.type, operator=v.operator, formula1=v.formula1, formula2=v.formula2,
                            allow_blank=True, showInputMessage=bool(v.prompt), showErrorMessage=bool(v.error),
                            promptTitle=v.prompt_title or None, prompt=v.prompt or None,
                            errorTitle=v.error_title or None, error=v.error or None, errorStyle=v.error_style)
        for ref in v.ranges:
            dv.add(ref)
        ws.add_data_validation(dv)
    _conditional_formats(ws, spec.conditional_formats)
    if spec.freeze:
        ws.freeze_panes = ws.cell(row=spec.freeze[0] + 1, column=spec.freeze[1] + 1)
    if spec.print_setup:
        _print_setup(ws, spec)
    if spec.protect:
        # No password: the protection keeps the form's shape against slips, it is not security.
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # allow widening columns to read long text
        ws.protection.formatRows = False
    if spec.hidden:
        ws.sheet_state = "hidden"
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    if spec.row_breaks:
        from openpyxl.worksheet.pagebreak import Break

        for r in sorted(set(spec.row_breaks)):
            if r > 0:
                ws.row_breaks.append(Break(id=r))  # openpyxl: break after 1-based row r
    for chart in spec.charts:
        _add_chart(ws, chart)


def _conditional_formats(ws, rules: list[ConditionalFormat]) -> None:
    """Excel's own conditional fills, in the spec's order; the first rule that holds stops the others."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    for rule in rules:
        fill = PatternFill(fill_type="solid", start_color=rule.fill, end_color=rule.fill)
        ws.conditional_formatting.add(" ".join(rule.ranges),
                                      FormulaRule(formula=[rule.formula], fill=fill, stopIfTrue=True))


def _text_properties(size: float, bold: bool = False):
    """Chart text in the project's font (Latin and East Asian), so no fallback font is printed."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties

    props = CharacterProperties(latin=Font(typeface=FONT), ea=Font(typeface=FONT), sz=int(size * 100), b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _chart_title(text: str, size: float):
    from openpyxl.chart.text import Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import RegularTextRun

    rich = _text_properties(size, bold=True)
    rich.p[0].r = [RegularTextRun(rPr=rich.p[0].pPr.defRPr, t=text)]
    return Title(tx=Text(rich=rich), overlay=False)


def _add_chart(ws, spec: ChartSpec) -> None:
    """An openpyxl bar chart over the sheet's own cells, text in the project's font."""
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.label import DataLabel, DataLabelList
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties

    chart = BarChart()
    chart.type = "bar" if spec.horizontal else "col"
    chart.grouping = "clustered"
    chart.width, chart.height = spec.width_cm, spec.height_cm
    chart.style = 2
    if spec.title:
        chart.title = _chart_title(spec.title, spec.font_size + 2)
    cats = Reference(ws, min_col=spec.category_col + 1, min_row=spec.first_row + 1, max_row=spec.last_row + 1)
    for s in spec.series:
        ref = Reference(ws, min_col=s.col + 1, min_row=spec.first_row + 1, max_row=spec.last_row + 1)
        series = Series(ref, title=s.title)
        series.graphicalProperties = GraphicalProperties(solidFill=s.color, ln=LineProperties(solidFill="404040"))
        if s.data_labels:
            series.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                         numFmt=s.number_format, txPr=_text_properties(spec.font_size - 1))
            series.dLbls.position = "outEnd"
            # openpyxl has no <c:delete> for one label; showing nothing is the same.
            series.dLbls.dLbl = [DataLabel(idx=i, showVal=False, showSerName=False, showCatName=False,
                                           showLegendKey=False, showPercent=False, showBubbleSize=False)
                                 for i in s.no_label]
        chart.series.append(series)
    chart.set_categories(cats)
    chart.gapWidth = 60
    # Categories are listed top to bottom in sheet order; the value axis then sits at the bottom.
    if spec.horizontal:
        chart.x_axis.scaling.orientation = "maxMin"
    # Category labels at the chart's edge, not at zero where negative bars would cover them.
    chart.x_axis.tickLblPos = "low"
    chart.y_axis.crosses = "max" if spec.horizontal else "autoZero"
    if spec.axis_min is not None:
        chart.y_axis.scaling.min = spec.axis_min
    if spec.axis_max is not None:
        chart.y_axis.scaling.max = spec.axis_max
    if spec.major_unit is not None:
        chart.y_axis.majorUnit = spec.major_unit
    chart.y_axis.number_format = spec.axis_number_format
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False  # openpyxl >= 3.1 hides axes unless told otherwise
        axis.txPr = _text_properties(spec.font_size)
    if spec.axis_title:
        chart.y_axis.title = _chart_title(spec.axis_title, spec.font_size)
    chart.legend.position = "b"
    chart.legend.txPr = _text_properties(spec.font_size)
    ws.add_chart(chart, ws.cell(row=spec.anchor[0] + 1, column=spec.anchor[1] + 1).coordinate)


def _print_setup(ws, spec: SheetSpec) -> None:
    from openpyxl.worksheet.page import PageMargins

    p = spec.print_setup
    assert p is not None
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if p.paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if p.landscape else "portrait"
    if p.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if p.fit_height else 0
    if p.title_rows:
        ws.print_title_rows = f"{p.title_rows[0] + 1}:{p.title_rows[1] + 1}"
    if p.area:
        ws.print_area = p.area
    m = p.margins_cm / 2.54
    ws.page_margins = PageMargins(left=m, right=m, top=m, bottom=m + 0.2, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if p.footer_page_numbers:
        ws.oddFooter.center.text = "&P / &N"
        ws.oddFooter.center.font = FONT


def new_workbook():
    """An openpyxl workbook without sheets."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def add_sheets(wb, specs: list[SheetSpec]) -> None:
    """Append one new worksheet per spec to an openpyxl workbook, sharing one style cache."""
    cache = StyleCache()
    for spec in specs:
        ws = wb.create_sheet(spec.name)
        write_sheet(ws, spec, cache)


def set_base_font(wb, name: str = FONT, size: float = 11) -> None:
    """Make `name` the workbook's standard font (the Normal style and every unstyled cell).

    Excel and LibreOffice measure column widths in digits of the standard font.
    openpyxl's standard font is Calibri, which LibreOffice on Linux replaces with
    a wider font, so the same file printed ~25 % smaller there than in Excel and
    wrapped its texts differently. With BIZ UDゴシック as the standard font both
    measure the same. Call on a fresh workbook, before any cell is styled.
    """
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    font = Font(name=name, size=size, family=3, charset=128)  # 128: Japanese (Shift_JIS) character set
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


def write_specs(path: str | Path, specs: list[SheetSpec], *, lock_structure: bool = False,
                title: str | None = None, base_font: str | None = None) -> Path:
    """A new workbook holding the given sheets, written atomically, its author welfare-xl (AUTHOR).

    `base_font` sets the workbook's standard font (see `set_base_font`); None keeps openpyxl's.
    """
    wb = new_workbook()
    if base_font:
        set_base_font(wb, base_font)
    add_sheets(wb, specs)
    first_visible = next((i for i, s in enumerate(specs) if not s.hidden), 0)
    wb.active = first_visible
    if lock_structure:
        wb.security = _workbook_protection()
    if title:
        wb.properties.title = title
    wb.properties.creator = AUTHOR
    return save_atomic(wb, path)


def _workbook_protection():
    from openpyxl.workbook.protection import WorkbookProtection

    return WorkbookProtection(lockStructure=True)
