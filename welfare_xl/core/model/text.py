"""Text that reaches a sheet or a message: no character a workbook cannot hold.

An .xlsx cell is XML 1.0, which has no place for most control characters
(U+0000-U+0008, U+000B, U+000C, U+000E-U+001F); openpyxl refuses them with
IllegalCharacterError and Excel reports the file as broken. They still reach
us: pasted from other programs into a cell, or in a file or sheet name. Every
text the core puts into a finding, a note or a cell goes through this module,
so nothing a department typed can break the master or the 集約ログ.
"""

from __future__ import annotations

import re

#: The characters an .xlsx cell cannot hold (tab, line feed and carriage return it can).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Line and page separators some programs paste where a line break was meant.
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def codepoint(ch: str) -> str:
    """'\\x07' -> 'U+0007': how a person is told about an invisible character."""
    return f"U+{ord(ch):04X}"


def control_characters(text: str) -> list[str]:
    """The distinct control characters of `text` a cell cannot hold, in the order they occur."""
    return list(dict.fromkeys(CONTROL_RE.findall(text)))


def printable(text: str) -> str:
    """`text` with each character a cell cannot hold written as its code point ('[U+0007]').

    For messages, notes and log lines: what is shown stays readable and can
    always be written to a sheet.
    """
    return CONTROL_RE.sub(lambda m: f"[{codepoint(m.group())}]", text)


def without_control(text: str) -> str:
    """`text` as it can be written to a cell: vertical tab and form feed become line breaks, the
    other control characters are removed."""
    return CONTROL_RE.sub(lambda m: _LINE_BREAKS.get(m.group(), ""), text)


def shortened(text: str, limit: int = 40) -> str:
    """`text` printable and cut to about `limit` characters, to quote it in a message."""
    text = printable(text)
    return text if len(text) <= limit else text[:limit] + f"…（{len(text)}文字）"
