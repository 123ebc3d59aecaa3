"""The style records of the fast master writer (`files.xlsx_styles`) against openpyxl's, and without openpyxl.

The fast path writes styles.xml's font, fill, border, numFmt and xf records itself
(openpyxl's import alone is a tenth of a second of a consolidation). Here openpyxl is
the reference: the records it writes for what `writer.StyleCache` sets must be the
same bytes; the number format a cell reads back must be the style's; a format
openpyxl reads as a date must be one the fast path leaves to openpyxl.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import ROOT, TEMPLATE

from welfare_xl.core.sheets.spec import Style
from welfare_xl.files.xlsx_parts import Styles
from welfare_xl.files.xlsx_styles import BUILTIN_NUMFMTS, is_date_code, is_date_id

TEMPLATE_STYLES = zipfile.ZipFile(TEMPLATE).read("xl/styles.xml").decode()


class OpenpyxlStyles(Styles):
    """`Styles` with each record made by openpyxl from `StyleCache`'s objects: the reference."""

    def index(self, style: Style) -> int:
        from openpyxl.styles.cell_style import CellStyle
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
        from openpyxl.xml.functions import tostring

        from welfare_xl.files.writer import StyleCache

        if style in self.added:
            return self.added[style]
        objs = StyleCache().get(style)
        fmt = objs["number_format"]
        fmt_id = BUILTIN_FORMATS_REVERSE.get(fmt)
        if fmt_id is None:
            fmt_id = next((i for i, code in self.numfmts.items() if code == fmt), None)
        if fmt_id is None:
            fmt_id = max([163, *self.numfmts]) + 1
            self.numfmts[fmt_id] = fmt
            code = fmt.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            self._new["numFmts"].append(f'<numFmt numFmtId="{fmt_id}" formatCode="{code}"/>')

        def xml(obj: Any) -> str:
            return tostring(obj.to_tree()).decode()

        xf = CellStyle(numFmtId=fmt_id, fontId=self._add("fonts", xml(objs["font"])),
                       fillId=self._add("fills", xml(objs["fill"])), borderId=self._add("borders", xml(objs["border"])),
                       xfId=0, alignment=objs["alignment"], protection=objs["protection"])
        self.added[style] = self._add("cellXfs", xml(xf))
        self.xf_numfmt.append(fmt_id)
        return self.added[style]


# The number formats our sheets use (units, percentages, text) and plain ones of the spec's table.
SHEET_FORMATS = ["General", "0", "0.0", "0.00", "#,##0", "#,##0.00", "0%", "0.0%", "@",
                 '#,##0"人"', '#,##0"件"', '#,##0"団体"', '#,##0.00"人/km"', '#,##0.0"%"']
COLORS = [None, "FF0000", "000000", "D9E1F2", "80808080", "00000000", "ffeedd"]

styles = st.builds(
    Style, bold=st.booleans(), size=st.sampled_from([8, 9, 10, 10.5, 11, 14.0, 16]),
    fill=st.sampled_from(COLORS), pattern=st.sampled_from(["solid", "lightUp", "darkGrid", "gray125", "none"]),
    pattern_color=st.sampled_from(COLORS), h_align=st.sampled_from(["left", "center", "right", "general", "fill"]),
    v_align=st.sampled_from(["center", "top", "bottom"]), wrap=st.booleans(), number_format=st.sampled_from(SHEET_FORMATS),
    border=st.sampled_from([None, "thin", "dotted", "medium", "double", "hair"]), locked=st.booleans(),
    color=st.sampled_from(COLORS), text=st.booleans(), indent=st.integers(0, 3))


@settings(max_examples=300, deadline=None)
@given(st.lists(styles, min_size=1, max_size=6))
def test_style_records_are_the_bytes_openpyxl_writes(wanted: list[Style]) -> None:
    fast, ref = Styles(TEMPLATE_STYLES), OpenpyxlStyles(TEMPLATE_STYLES)
    assert [fast.index(s) for s in wanted] == [ref.index(s) for s in wanted]
    assert fast.result() == ref.result()


def test_the_styles_of_a_consolidation_are_the_bytes_openpyxl_writes() -> None:
    """Every Style the master's grades and the 集約ログ sheets use (no hypothesis needed to meet them)."""
    from welfare_xl.core.consolidation import log
    from welfare_xl.core.sheets import styles as sheet_styles

    found = {v for mod in (log, sheet_styles) for v in vars(mod).values() if isinstance(v, Style)}
    assert len(found) >= 5, found
    fast, ref = Styles(TEMPLATE_STYLES), OpenpyxlStyles(TEMPLATE_STYLES)
    for s in sorted(found, key=repr):
        assert fast.index(s) == ref.index(s)
    assert fast.result() == ref.result()


@pytest.mark.parametrize("code", sorted({*SHEET_FORMATS, *BUILTIN_NUMFMTS.values(), "#,##0_);(#,##0)",
                                         '"$"#,##0_);("$"#,##0)', '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)'}))
def test_a_cell_reads_back_the_number_format_of_its_style(code: str) -> None:
    """Where the spec's table and openpyxl's differ (ids 5-8, 37-44), the fast path writes the code
    itself, so the cell shows the style's format in every reader (a built-in id only where both agree)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    styles = Styles(TEMPLATE_STYLES)
    index = styles.index(Style(number_format=code))
    xml = styles.result()
    fmt_id = int(re.findall(r"<xf\b[^>]*numFmtId=\"(\d+)\"", re.search(r"<cellXfs.*</cellXfs>", xml, re.S)[0])[index])
    written = dict((int(i), c.replace("&quot;", '"')) for i, c in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', xml))
    read_back = written.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
    assert read_back == code


CODE_PARTS = ["0", "#", ",", ".", "%", "?", "/", " ", ";", "@", "-", ":", '"年"', '"day"', '"s"', "\\d", "\\人",
              "_)", "_d", "*d", "* ", "[Red]", "[Blue]", "[h]", "[mm]", "[$-411]", "[>100]", "[DBNum1]", "d", "dd",
              "m", "mmm", "y", "yyyy", "h", "s", "e", "g", "b", "E+", "e-", "General", "AM/PM", "A/P"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(CODE_PARTS), max_size=8).map("".join))
def test_every_format_openpyxl_reads_as_a_date_is_left_to_openpyxl(code: str) -> None:
    """The fast path reads a number cell as a number; one openpyxl would read as a date must be
    refused (Unsupported, then written by openpyxl): our test may say 'date' more often, never less."""
    from openpyxl.styles.numbers import is_date_format

    if is_date_format(code):
        assert is_date_code(code)


def test_built_in_ids_openpyxl_reads_as_dates_are_dates_here_and_the_sheets_formats_are_not() -> None:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    for fmt_id in range(0, 200):
        if is_date_format(BUILTIN_FORMATS.get(fmt_id, "General")):
            assert is_date_id(fmt_id, {}), fmt_id
    assert is_date_id(200, {200: "yyyy/m/d"}) and not is_date_id(14, {14: "0.0"})
    for code in SHEET_FORMATS + ["0.00E+00", "##0.0E+0", "#,##0;[Red]-#,##0", '0"円"']:
        assert not is_date_code(code), code
    for code in ["[$-411]ggge\"年\"m\"月\"d\"日\"", "ge.m.d", "[h]:mm", "mm:ss", "yyyy", "0;0;d"]:
        assert is_date_code(code), code
    assert Styles(TEMPLATE_STYLES).date_styles() == set()  # the shipped master's numbers stay on the fast path


def test_the_fast_write_does_not_import_openpyxl(tmp_path: Path, office: tuple[Path, Path]) -> None:
    """A whole `consolidate` on the shipped sample in a fresh interpreter: written by the fast path
    (a fall-back would load openpyxl), and openpyxl never imported."""
    survey, returns = office
    out = tmp_path / "集約.xlsx"
    code = ("import json, sys\n"
            "from welfare_xl.commands.consolidate import consolidate\n"
            f"result = consolidate({str(survey)!r}, {str(returns)!r}, {str(out)!r})\n"
            "print(json.dumps({'changes': len(result.changes),"
            " 'loaded': sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy', 'pandas'))}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["changes"] > 0
    assert got["loaded"] == []
    from openpyxl import load_workbook

    assert "集約ログ" in load_workbook(out, read_only=True).sheetnames
