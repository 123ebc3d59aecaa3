"""A SheetSpec as worksheet XML (`xlsx_parts.spec_sheet_xml`, the 集約ログ sheets of the fast write)
against the plain rendering it stands for.

The writer streams the cells in (row, column) order with each style and column
looked up once; here the rows are grouped and sorted the plain way, every cell
written by `cell_xml`, whatever order the cells were put in and whichever rows
have a height without cells.
"""

from __future__ import annotations

import re
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import TEMPLATE

from welfare_xl.core.sheets.spec import SheetSpec, Style
from welfare_xl.files.xlsx_parts import Styles, cell_xml, col_letters, spec_sheet_xml

TEMPLATE_STYLES = zipfile.ZipFile(TEMPLATE).read("xl/styles.xml").decode()
STYLES = [Style(), Style(bold=True), Style(text=True), Style(size=9, wrap=False), Style(fill="FFEEDD")]
VALUES = st.one_of(st.text(st.sampled_from("aZ0 &<>\"'\n\u3000漢かな→%=-"), max_size=12), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none())


def plain_sheet_data(spec: SheetSpec, styles: Styles) -> str:
    rows: dict[int, list[int]] = {}
    for r, c in spec.cells:
        rows.setdefault(r, []).append(c)
    out = []
    for r in sorted(rows.keys() | spec.row_heights.keys()):
        h = spec.row_heights.get(r)
        out.append(f'<row r="{r + 1}" ht="{"%.16g" % h}" customHeight="1">' if h is not None else f'<row r="{r + 1}">')
        for c in sorted(rows.get(r, [])):
            value, style = spec.cells[(r, c)]
            out.append(cell_xml(f"{col_letters(c)}{r + 1}", str(styles.index(style)), value))
        out.append("</row>")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30), VALUES, st.sampled_from(range(len(STYLES)))),
                max_size=40),
       st.dictionaries(st.integers(0, 12), st.sampled_from([15.0, 18.0, 30.5, 100.0, 12.25]), max_size=5))
def test_cells_in_any_order_and_rows_with_a_height_alone_written_as_the_plain_rendering(cells, heights) -> None:
    spec = SheetSpec(name="t", col_widths={0: 10})
    for r, c, value, s in cells:
        style = STYLES[s]
        if isinstance(value, str) and value.startswith("=") and not style.text:
            style = STYLES[2]  # a formula-like text is written only when styled as text
        spec.put(r, c, value, style)
    spec.row_heights.update(heights)
    xml = spec_sheet_xml(spec, Styles(TEMPLATE_STYLES))
    got = re.search(r"<sheetData>(.*)</sheetData>", xml, re.S).group(1)
    assert got == plain_sheet_data(spec, Styles(TEMPLATE_STYLES))
    last = f"{col_letters(max(spec.max_col, 0))}{max(spec.max_row, 0) + 1}" if spec.cells else "A1"
    assert f'<dimension ref="A1:{last}"/>' in xml
