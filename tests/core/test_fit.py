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
from welfare_xl.core.sheets.spec import SheetSpec, Style, fit_row_heights

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


# --- the fast paths measure as the plain formulas do -------------------------------------------
# text_em skips unicodedata for ASCII and learns each character once; wrapped_lines counts a
# paragraph from its length when that decides; fit_row_heights measures each column span and each
# (text, width, size, wrap) once. The plain formulas below are what they stand for.

_TEXTS = st.text(st.sampled_from("aZ09 -%.,()ｱｶﾞ漢字かなカナ○△■「」、。ー①Ω×→\u3000é"), max_size=90)


def _plain_em(line: str) -> float:
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "FWA" else 0.5 for ch in line)


def _plain_lines(text: str, width_px: float, size_pt: float) -> int:
    import math

    per_line = max(int(fit.room_em(width_px, size_pt)) - fit.KINSOKU_EM, 1)
    return sum(max(math.ceil(_plain_em(p) / per_line), 1) for p in text.split("\n"))


@given(_TEXTS)
def test_text_em_is_the_plain_sum_of_character_widths(line: str):
    assert fit.text_em(line) == _plain_em(line)
    assert fit.text_em(line) == _plain_em(line)  # the second time from the learnt widths


@given(st.lists(_TEXTS, min_size=1, max_size=3).map("\n".join), st.floats(20, 600), st.sampled_from([8, 9, 10, 11, 14]))
def test_wrapped_lines_is_the_plain_count(text: str, width_px: float, size_pt: float):
    assert fit.wrapped_lines(text, width_px, size_pt) == _plain_lines(text, width_px, size_pt)


def _plain_fit(spec: SheetSpec, rows, min_height: float) -> dict[int, float]:
    """fit_row_heights as it was written before its caches (every cell measured afresh)."""
    refit = set(rows) if rows is not None else set(range(spec.max_row + 1))
    heights = {r: min_height if r in refit else spec.row_heights.get(r, 15.0) for r in range(spec.max_row + 1)}
    span_of = {(m[0], m[1]): m for m in spec.merges}
    covered = {(r, c) for r1, c1, r2, c2 in spec.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    needs = []
    for (r, c), (value, style) in spec.cells.items():
        if value is None or (r, c) in covered:
            continue
        r1, c1, r2, c2 = span_of.get((r, c), (r, c, r, c))
        width = sum(fit.column_pixels(spec.col_widths.get(x, fit.DEFAULT_COL_WIDTH)) for x in range(c1, c2 + 1))
        lines = _plain_lines(value, width, style.size) if isinstance(value, str) and style.wrap else \
            len(value.split("\n")) if isinstance(value, str) else 1
        needs.append((r1, r2, 0.0 if value == "" else lines * style.size * fit.LINE_SPACING + fit.ROW_PADDING_PT))
    for r1, r2, need in sorted(needs, key=lambda n: n[1] - n[0]):
        have = sum(heights[r] for r in range(r1, r2 + 1))
        if need > have:
            for r in range(r1, r2 + 1):
                heights[r] += (need - have) / (r2 - r1 + 1)
    out = dict(spec.row_heights)
    for r, h in heights.items():
        if r in refit or h > spec.row_heights.get(r, 15.0) or r in spec.row_heights:
            out[r] = round(h, 1)
    return out


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 4), st.one_of(_TEXTS, st.integers(0, 10**6)),
                          st.sampled_from([9, 10, 14]), st.booleans()), max_size=30),
       st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3), st.integers(1, 3), st.integers(0, 2), _TEXTS),
                max_size=3),
       st.booleans())
def test_fit_row_heights_gives_the_plain_heights(cells, merges, some_rows):
    spec = SheetSpec(name="t", col_widths={0: 6, 2: 20.5, 3: 3})
    taken: set[tuple[int, int]] = set()
    for r, c, height, width, text in merges:  # non-overlapping merged blocks, as sheets write them
        block = {(r + i, c + j) for i in range(height) for j in range(width + 1)}
        if not block & taken:
            taken |= block
            spec.merge(r, c, r + height - 1, c + width, text, Style(size=10))
    for r, c, value, size, wrap in cells:
        if (r, c) not in taken:
            spec.put(r, c, value, Style(size=size, wrap=wrap))
    spec.row_heights[1] = 40.0
    rows = range(0, 5) if some_rows else None
    want = _plain_fit(spec, rows, 18.0)
    fit_row_heights(spec, rows, min_height=18.0)
    assert spec.row_heights == want


@given(st.lists(st.one_of(_TEXTS, st.lists(_TEXTS, min_size=2, max_size=3).map("\n".join), st.integers(0, 10**6),
                          st.none()), min_size=1, max_size=12),
       st.floats(20, 600), st.sampled_from([8, 9, 10, 11, 14]), st.booleans())
def test_a_height_meter_measures_as_text_height(texts, width_px: float, size_pt: float, wrap: bool):
    """height_meter (one width and size for many texts, a short text counted by its line breaks,
    a long one measured once) gives text_height's figure for each text, the second time too."""
    meter = fit.height_meter(width_px, size_pt, wrap)
    for text in texts + texts:
        assert meter(text) == fit.text_height(text, width_px, size_pt, wrap)
