"""sheet_extent's fast path (tags as Excel writes them, counted with bytes.count) and the general
path (every spelling, one regex pass per tag kind) give the same answer, on sheets of every spelling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from welfare_xl.files.sheet_xml import BrokenReference, _any_extent, _excel_extent, sheet_extent

LETTERS = st.sampled_from(["A", "B", "Z", "AA", "AZ", "BA", "XFD", "XFE", "ZZZ", "a", "$A", "AAAA"])
DIGITS = st.sampled_from(["1", "2", "9", "10", "99", "1048576", "1048577", "12345678", "01", "$3", "0"])
SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\x0c"])


@st.composite
def cell(draw) -> str:
    prefix = draw(st.sampled_from(["", "", "", "x:"]))
    ref = f'r="{draw(LETTERS)}{draw(DIGITS)}"'
    attrs = draw(st.sampled_from([[ref], [ref, 't="s"'], ['s="1"', ref], ['t="n"'], []]))
    sep = draw(SPACE)
    head = f"<{prefix}c" + "".join(sep + a for a in attrs)
    return draw(st.sampled_from([head + "/>", head + "><v>1</v></" + prefix + "c>"]))


@st.composite
def sheet(draw) -> bytes:
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        prefix = draw(st.sampled_from(["", "", "x:"]))
        ref = draw(st.sampled_from(['r="1"', 'r="7"', 'r="1048577"', 'r="0x1"', "", 'spans="1:2" r="3"']))
        attrs = f"{draw(SPACE)}{ref}" if ref else ""
        cells = "".join(draw(st.lists(cell(), max_size=4)))
        rows.append(f"<{prefix}row{attrs}>{cells}</{prefix}row>")
    noise = draw(st.sampled_from(["", "<cols><col min=\"1\"/></cols>", "<t>a:c b</t>", "<!-- <c r=\"ZZ9\"/> -->"]))
    return f'<worksheet><dimension ref="A1:B2"/>{noise}<sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()


def general(data: bytes):
    try:
        return _any_extent(data, 0, 0)
    except BrokenReference:
        return "broken"


@settings(max_examples=600, deadline=None)
@given(sheet())
def test_the_fast_path_agrees_with_the_general_one(data: bytes):
    fast = _excel_extent(data)
    if fast is not None:
        assert fast == general(data)


def test_excel_written_sheets_take_the_fast_path():
    data = (b'<worksheet><dimension ref="A1:C3"/><sheetData><row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c>'
            b'<c r="AB12"/></row><row r="40"><c r="C40"><v>2</v></c></row></sheetData></worksheet>')
    assert _excel_extent(data) == (40, 28)
    assert sheet_extent(data) == (40, 28)


@pytest.mark.parametrize("data", [
    b'<sheetData><row r="1"><c s="1" r="B9"/></row></sheetData>',  # reference not first
    b'<sheetData><x:row r="1"><x:c r="B9"/></x:row></sheetData>',  # prefixed
    b'<sheetData><row><c/><c/></row></sheetData>',  # no references
])
def test_other_spellings_take_the_general_path(data: bytes):
    assert _excel_extent(data) is None
    assert sheet_extent(data) == _any_extent(data, 0, 0)
