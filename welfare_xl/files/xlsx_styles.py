"""SpreadsheetML style records written directly, without openpyxl (its import alone costs ~0.1 s).

Written from ECMA-376 Part 1: the built-in number formats (18.8.30 numFmt), the date
and time codes of a format (18.8.31 numFmts), and the records of styles.xml that a
`Style` needs (18.8.22 font, 18.8.20 fill / 18.8.32 patternFill, 18.8.4 border,
18.8.45 xf with 18.8.1 alignment and 18.8.33 protection). Each record is the one
openpyxl writes for the same style in `files.writer.StyleCache` (same elements,
attributes, order and value spelling), so a master written by the fast path and by
openpyxl, the reference, carry the same styles.xml (tests/files/test_xlsx_styles.py
compares them record by record). A value outside the schema's lists raises
`Unsupported`: the caller falls back to openpyxl.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from welfare_xl.core.sheets.spec import FONT, Style


class Unsupported(Exception):
    """The workbook uses something the fast writer does not handle: write it with openpyxl."""


# 18.8.30: the formats every language shares, implied by their id (no numFmt element is written).
# The ids left out (5-8, 23-36, 41-44, 50 and up) depend on the language of the application.
BUILTIN_NUMFMTS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
# The ids a style's code is written as: not 37-40, whose codes the table prints with a space where
# applications read "_)" (openpyxl: "#,##0_);(#,##0)"), so that a cell always reads back its style's
# code; any other code gets a numFmt element of its own.
BUILTIN_IDS: dict[str, int] = {code: i for i, code in BUILTIN_NUMFMTS.items() if not 37 <= i <= 40}

# Text in a format code that is printed as it stands, never read as a date or time part: a quoted
# string, an escaped character (\x), a space the width of a character (_x), a bracketed colour,
# condition or locale ([Red], [>100], [$-411]); the elapsed-time brackets [h] [mm] [ss] are kept.
_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\[(?![hHmMsS]+\])[^\]]*\]')
_NOT_A_DATE = re.compile(r"general|[eE][+-]", re.I)  # "General", and scientific notation's E+ / E-
# Date and time parts (18.8.31): year, month or minute, day, hour, second, AM/PM, and the East
# Asian era codes (e: era year, g: era name; b: Buddhist year).
_DATE_PART = re.compile(r"[ymdhsaepgb]", re.I)


def is_date_code(code: str) -> bool:
    """Whether a number format shows a number as a date or time, in any of its sections.

    Errs towards True (a cell of that style then goes to openpyxl, which reads it as it does).
    """
    return bool(_DATE_PART.search(_NOT_A_DATE.sub("", _LITERAL.sub("", code))))


def is_date_id(fmt_id: int, custom: dict[int, str]) -> bool:
    """Whether numFmtId `fmt_id` of a styles.xml with these numFmt elements is a date or time format.

    An id neither written in the file nor shared by every language (a language's own currency,
    date or era format) counts as a date: the fast writer then leaves the cell to openpyxl.
    """
    code = custom.get(fmt_id, BUILTIN_NUMFMTS.get(fmt_id))
    return True if code is None else is_date_code(code)


# --- the records of one Style ---------------------------------------------------------------------

_PATTERNS = {"none", "solid", "mediumGray", "darkGray", "lightGray", "darkHorizontal", "darkVertical", "darkDown",
             "darkUp", "darkGrid", "darkTrellis", "lightHorizontal", "lightVertical", "lightDown", "lightUp",
             "lightGrid", "lightTrellis", "gray125", "gray0625"}  # 18.18.55 ST_PatternType
_BORDERS = {"none", "thin", "medium", "dashed", "dotted", "thick", "double", "hair", "mediumDashed", "dashDot",
            "mediumDashDot", "dashDotDot", "mediumDashDotDot", "slantDashDot"}  # 18.18.3 ST_BorderStyle
_HORIZONTAL = {"general", "left", "center", "right", "fill", "justify", "centerContinuous", "distributed"}
_VERTICAL = {"top", "center", "bottom", "justify", "distributed"}  # 18.18.40 / 18.18.88
_HEX = re.compile(r"[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}")
_NO_COLOR = "00000000"  # a colour left at its default is not written


def number(value: float) -> str:
    """A number as an attribute value (at most 16 significant digits, no trailing .0)."""
    return "%.16g" % value


def rgb(color: str) -> str:
    """An ARGB colour (18.8.19 color@rgb); six hex digits get the alpha byte 00 in front."""
    if not isinstance(color, str) or not _HEX.fullmatch(color):
        raise Unsupported(f"a colour {color!r}")
    return "00" + color if len(color) == 6 else color


def font_xml(style: Style) -> str:
    bold = '<b val="1"/>' if style.bold else ""
    color = f'<color rgb="{rgb(style.color)}"/>' if style.color else ""
    size = f'<sz val="{number(float(style.size))}"/>' if style.size is not None else ""
    return f'<font><name val="{_attr(FONT)}"/>{bold}{color}{size}</font>'


def fill_xml(style: Style) -> str:
    """The cell's fill; a pattern (hatch) draws fgColor lines on bgColor (as `writer._fill` sets it)."""
    if not style.fill:
        return "<fill><patternFill/></fill>"
    if style.pattern not in _PATTERNS:
        raise Unsupported(f"a fill pattern {style.pattern!r}")
    hatch = style.pattern_color if style.pattern != "solid" and style.pattern_color else style.fill
    colors = "".join(f'<{tag}Color rgb="{value}"/>' for tag, value in (("fg", rgb(hatch)), ("bg", rgb(style.fill)))
                     if value != _NO_COLOR)
    kind = f' patternType="{style.pattern}"' if style.pattern != "none" else ""  # "none" is the default, left out
    if not colors:
        return f"<fill><patternFill{kind}/></fill>"
    return f"<fill><patternFill{kind}>{colors}</patternFill></fill>"


def border_xml(style: Style) -> str:
    """The same line on the four sides (none when `border` is None)."""
    if not style.border:
        return "<border><left/><right/><top/><bottom/></border>"
    if style.border not in _BORDERS:
        raise Unsupported(f"a border style {style.border!r}")
    line = f' style="{style.border}"'
    return f"<border><left{line}/><right{line}/><top{line}/><bottom{line}/></border>"


def xf_xml(style: Style, fmt_id: int, font_id: int, fill_id: int, border_id: int) -> str:
    """The cell format (cellXfs/xf) pointing at its records, with its alignment and protection."""
    align = []
    if style.h_align:
        if style.h_align not in _HORIZONTAL:
            raise Unsupported(f"a horizontal alignment {style.h_align!r}")
        align.append(f' horizontal="{style.h_align}"')
    if style.v_align:
        if style.v_align not in _VERTICAL:
            raise Unsupported(f"a vertical alignment {style.v_align!r}")
        align.append(f' vertical="{style.v_align}"')
    if style.wrap:
        align.append(' wrapText="1"')
    if style.indent:
        if style.indent < 0:
            raise Unsupported(f"an indent of {style.indent}")
        align.append(f' indent="{number(float(style.indent))}"')
    return (f'<xf numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" '
            f'applyAlignment="1" applyProtection="1" xfId="0"><alignment{"".join(align)}/>'
            f'<protection locked="{1 if style.locked else 0}" hidden="0"/></xf>')


def numfmt_xml(fmt_id: int, code: str) -> str:
    return f'<numFmt numFmtId="{fmt_id}" formatCode="{_attr(code)}"/>'


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})
