"""The cell styles the sheets share: the master sheet, a department's worksheet and the committee version.

One name for each look, so the sheets agree on what a title, a header, a body
cell or a note looks like. A style only one sheet uses stays with that sheet;
the fills are in `spec`, with the data classes.
"""

from __future__ import annotations

from dataclasses import replace

from welfare_xl.core.sheets.spec import FILL_HEADER, Style

TITLE = Style(bold=True, size=16, border=None, wrap=False)
KEY = Style(size=8, border=None, wrap=False, color="808080")  # the hidden key row and ID column
HEADER = Style(bold=True, size=10, fill=FILL_HEADER, h_align="center")
SUBHEADER = Style(size=9, fill=FILL_HEADER, h_align="center")
BODY = Style(size=10)
BODY_CENTER = Style(size=10, h_align="center")
GOAL_TEXT = Style(size=9, v_align="top")  # the merged 基本目標・施策の方向 cell
# Right-aligned numbers are indented one level from the right border, so that 「4団体」 never
# touches the next column, printed by Excel or LibreOffice alike.
NUMBER_INDENT = 1
NUMBER = Style(size=10, h_align="right", wrap=False, indent=NUMBER_INDENT)
NOTE = Style(size=9, border=None, wrap=False)


def number_style(number_format: str) -> Style:
    """A number cell showing its value in `number_format` (with its unit, e.g. #,##0"人"); one
    (frozen) Style per format, shared by every cell that shows it."""
    style = _NUMBER_STYLES.get(number_format)
    if style is None:
        style = _NUMBER_STYLES[number_format] = replace(NUMBER, number_format=number_format)
    return style


_NUMBER_STYLES: dict[str, Style] = {}
