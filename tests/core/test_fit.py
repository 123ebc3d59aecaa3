"""The one measure of printed text (welfare_xl.core.sheets.fit): em, pixels, indent, padding,
column widths and back, wrapped lines, labels that fit; and the sheets that size columns with it
(the survey's headers, the committee version, the final evaluation) agree with it.

Expected figures are worked out here by hand from the font's rule (BIZ UDゴシック: full-width 1 em,
others ½ em; an em at s pt is s × 96/72 px) and Excel's (a column of width w is 7w + 5 px).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.long_plan import long_plan
from support.plan_years import target_year_survey

from welfare_xl.core.final import evaluate
from welfare_xl.core.sheets import fit
from welfare_xl.core.sheets.committee import committee_specs
from welfare_xl.core.sheets.final import final_specs
from welfare_xl.core.sheets.spec import SheetSpec, Style

# --- a text ----------------------------------------------------------------------------------


def test_full_width_is_one_em_and_narrow_half():
    assert fit.text_em("あいう") == 3
    assert fit.text_em("1,234人") == 3.5  # five narrow, one full-width
    assert fit.text_em("ABC") == 1.5
    assert fit.text_em("※○") == 2  # ambiguous width prints full-width in a Japanese font
    assert fit.text_em("") == 0


def test_a_text_is_as_wide_as_its_widest_line():
    assert fit.widest_em("令和５年度\n（計画1年目）") == 6.5
    assert fit.widest_em(1234) == 2  # a number as its digits


def test_pixels_of_a_text_at_a_size_with_padding_indent_and_room():
    # 3 em at 12 pt = 3 × 16 px; 8 px of inner margins.
    assert fit.text_px(["あいう"], 12) == pytest.approx(48 + 8)
    assert fit.text_px(["あいう", None, "", "あ"], 12) == pytest.approx(48 + 8)  # the widest; empties skipped
    assert fit.text_px(["あいう"], 12, indent=2) == pytest.approx(48 + 8 + 2 * fit.INDENT_PX)
    assert fit.text_px(["あいう"], 12, wrap=True) == pytest.approx(64 + 8)  # one em for line breaking
    assert fit.text_px(["あいa"], 12, wrap=True) == pytest.approx(64 + 8)  # in whole characters
    assert fit.text_px(["あいう"], 12, slack_px=4) == pytest.approx(48 + 12)
    assert fit.text_px([], 12) == fit.CELL_PADDING_PX


def test_indent_is_the_measured_one():
    """LibreOffice printed an indent level about 20 px wide (the committee's PDFs); Excel less."""
    assert 20 <= fit.INDENT_PX <= 24


# --- a column --------------------------------------------------------------------------------


def test_excel_width_of_pixels():
    assert fit.column_pixels(10) == 75
    assert fit.excel_width(75) == 10.0  # exactly: no float rounding up to 10.1
    assert fit.excel_width(75.01) == 10.1
    assert fit.excel_width(75.01, step=0.5) == 10.5
    assert fit.excel_width(75.01, step=1) == 11.0
    assert fit.excel_width(40, minimum=10) == 10.0
    assert isinstance(fit.excel_width(75, step=1), float)


@given(st.floats(min_value=6, max_value=2000), st.sampled_from([0.1, 0.5, 1.0]))
def test_excel_width_is_the_narrowest_step_that_holds_the_pixels(px: float, step: float):
    width = fit.excel_width(px, step=step)
    assert fit.column_pixels(width) >= px - 1e-6
    assert fit.column_pixels(width - step) < px
    assert abs(width / step - round(width / step)) < 1e-6


@given(st.text(alphabet="あ漢カ（）ー1,.%人Ab ※", min_size=1, max_size=40),
       st.sampled_from([9, 10, 11, 14]), st.integers(0, 2))
def test_a_label_fits_the_width_made_for_it_and_not_a_step_less(text: str, size: float, indent: int):
    width = fit.width_for([text], size, indent)
    assert fit.label_fits(text, fit.column_pixels(width), size, indent)
    if fit.text_em(text) > 0:
        assert not fit.label_fits(text, fit.column_pixels(width - 0.1) - 1e-6, size, indent)


@given(st.text(alphabet="あ漢カ（）ー1,.%人Ab", min_size=1, max_size=60), st.sampled_from([9, 10, 11]))
def test_a_wrapping_column_sized_for_a_line_keeps_it_on_one_line(text: str, size: float):
    """The width (`column_width(wrap=True)`) and the row height (`wrapped_lines`) estimates agree:
    a cell sized for its text is given a one-line row, not a row for two."""
    width = fit.column_width([text], size, wrap=True)
    assert fit.wrapped_lines(text, fit.column_pixels(width), size) == 1


def test_printed_columns_keep_room_and_half_units():
    # 「19,177世帯」: 5 em at 10 pt = 66.7 px, 8 padding, one indent, 4 slack: 100.7 px -> 13.7 -> 14.0.
    assert fit.column_width(["19,177世帯"], 10, indent=1) == 14.0
    assert fit.column_width(["あ"], 10, minimum=10) == 10.0
    assert fit.width_for(["19,177世帯"], 10, indent=1) == 13.1  # 96.7 px: just fits: the survey's headers


def test_wrapped_lines_and_row_height():
    # A 20-wide column (145 px) at 10 pt holds 10 full-width characters a line, one kept for 禁則: 9.
    assert fit.wrapped_lines("あ" * 9, 145, 10) == 1
    assert fit.wrapped_lines("あ" * 10, 145, 10) == 2
    assert fit.wrapped_lines("あ" * 10 + "\nい", 145, 10) == 3  # a paragraph starts a line
    assert fit.wrapped_lines("あ" * 30, 145, 10, wrap=False) == 1
    assert fit.text_height("あ" * 10, 145, 10) == pytest.approx(2 * 10 * 1.3 + 5)
    assert fit.text_height(None, 145, 10) == 0


def test_cut_and_wrap_in_em_keep_japanese_line_breaking():
    assert fit.cut_em("あいうえお", 2.5) == ("あい", "うえお")
    assert fit.cut_em("ab", 5) == ("ab", "")
    lines, rest = fit.wrap_em("あいう）えお", 3, 2)
    assert lines == ["あい", "う）え"] and rest == "お"  # 「）」 never starts a line
    assert all(line[0] not in fit.NO_LINE_START for line in lines)


# --- cells of a sheet ------------------------------------------------------------------------


def test_misfits_measures_merged_cells_over_their_columns_and_each_line():
    spec = SheetSpec(name="表", col_widths={0: 5, 1: 5})  # 40 px each
    style = Style(size=10)
    spec.put(0, 0, "あいうえお", style)  # 5 em = 66.7 px + 8 > 40
    spec.merge(1, 0, 1, 1, "あいうえお", style)  # over 80 px: fits
    spec.put(2, 0, "あ\nあいうえお", style)  # its second line does not fit
    spec.put(3, 0, "あ", Style(size=10, indent=1))  # 13.3 + 8 + an indent level > 40
    got = fit.misfits(spec, [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)])
    assert [(m.row, m.line) for m in got] == [(0, "あいうえお"), (2, "あいうえお"), (3, "あ")]
    assert got[0].need == 5 and got[0].room == pytest.approx(32 / (10 * 96 / 72))
    assert "表 R1C1「あいうえお」" in str(got[0])


# --- the sheets measure with it --------------------------------------------------------------


def _number_cells_fit(spec: SheetSpec) -> list[tuple[int, int, str]]:
    """Number cells (right-aligned, indented) whose shown text does not fit its column by `fit`."""
    bad = []
    for (r, c), (value, style) in spec.cells.items():
        if isinstance(value, (int, float)) and style.indent and not style.wrap:
            shown = _shown(value, style.number_format)
            if not fit.label_fits(shown, fit.cell_width_px(spec, r, c), style.size, style.indent):
                bad.append((r, c, shown))
    return bad


def _shown(value: float, number_format: str) -> str:
    """About what the cell prints: the digits with separators and the unit of the format."""
    unit = number_format.split('"')[1] if '"' in number_format else ("%" if "%" in number_format else "")
    places = len(number_format.split(".")[1].split('"')[0].rstrip("%")) if "." in number_format else 0
    number = value * 100 if unit == "%" else value
    return f"{number:,.{places}f}{unit}"


def test_committee_and_final_number_columns_hold_their_values_by_the_one_measure():
    """Both handouts size value columns with `fit.column_width`; the final evaluation's guessed
    indent (14 px) left 「19,177世帯」 touching its border in LibreOffice's PDF."""
    final_table = final_specs(evaluate(target_year_survey()))[0]
    committee_table, summary = committee_specs(long_plan(5))
    for spec in (final_table, committee_table, summary):
        assert _number_cells_fit(spec) == [], spec.name
    assert any(isinstance(v, int) and v >= 19177 for v, _ in final_table.cells.values())
