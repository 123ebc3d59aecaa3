from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from welfare_xl.core.model.numbers import Kind, Status, excel_number_format, parse_value

FW = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize("raw,unit,kind,value,note", [
    ("504人", "人", "count", 504, "単位「人」を除去"),
    ("１９，１７７世帯", "世帯", "count", 19177, "全角文字を半角に変換"),
    ("１９，１７７世帯", "世帯", "count", 19177, "桁区切りのカンマを除去"),
    (" 2.13 人/km", "人/km", "rate", 2.13, "前後の空白を除去"),
    ("2.13人/㎞", "人/km", "rate", 2.13, "単位「人/km」を除去"),
    ("50.70%", "%", "percent", 0.507, "％を小数に変換"),
    ("50.70％", "%", "percent", 0.507, "全角文字を半角に変換"),
    ("50.7", "%", "percent", 0.507, "％の数値として読み取り"),
    ("504", "人", "count", 504, "文字列として入力された数値を数値に変換"),
    ("504\u00a0", "人", "count", 504, "ノーブレークスペース"),
    ("504 ", "人", "count", 504, "前後の空白を除去"),
    ("'504", "人", "count", 504, "先頭のアポストロフィを除去"),
    ("２団体", "団体", "count", 2, "単位「団体」を除去"),
    ("△5", "件", "count", -5, "△を負の符号として読み取り"),
    ("−3", "件", "count", -3, None),
])
def test_typed_text(raw, unit, kind, value, note):
    p = parse_value(raw, unit, kind)
    assert p.status is Status.NUMBER
    assert p.value == pytest.approx(value)
    if note:
        assert any(note in n for n in p.notes), p.notes


@pytest.mark.parametrize("raw", ["－", "-", "ー", "―", " － ", "N/A"])
def test_not_available(raw):
    assert parse_value(raw, "人").status is Status.NOT_AVAILABLE


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty(raw):
    assert parse_value(raw, "人").status is Status.EMPTY


@pytest.mark.parametrize("raw,fragment", [
    ("abc", "数値として読めません"), ("504件", "単位「件」"), ("1,05", "カンマ"), ("12.5%", "％"), (True, "TRUE"),
])
def test_invalid_says_why(raw, fragment):
    p = parse_value(raw, "人", "count")
    assert p.status is Status.INVALID
    assert fragment in p.error


def test_numbers_pass_through_and_counts_become_int():
    assert parse_value(504.0, "人").value == 504 and isinstance(parse_value(504.0, "人").value, int)
    assert parse_value(0.507, "%", "percent").value == 0.507
    assert parse_value(float("nan"), "人").status is Status.INVALID
    assert not parse_value(504, "人").notes


def test_excel_formats():
    assert excel_number_format("人", "count") == '#,##0"人"'
    assert excel_number_format("%", "percent", 3) == "0.0%"
    assert excel_number_format("%", "percent", 4) == "0.00%"
    assert excel_number_format("人/km", "rate", 2) == '#,##0.00"人/km"'


units = st.sampled_from(["人", "世帯", "団体", "回", "件", "組織"])


@given(st.integers(min_value=0, max_value=10**9), units, st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from(["", " ", "\u00a0", "\u3000"]))
def test_count_however_typed(n, unit, commas, fullwidth, with_unit, pad):
    text = f"{n:,}" if commas else str(n)
    if fullwidth:
        text = text.translate(FW)
    if with_unit:
        text += unit
    p = parse_value(pad + text + pad, unit, Kind.COUNT)
    assert p.status is Status.NUMBER
    assert p.value == n and isinstance(p.value, int)
    assert p.notes  # typed as text: always recorded


@given(st.integers(min_value=0, max_value=10000), st.integers(min_value=0, max_value=2), st.booleans())
def test_percent_however_typed(hundredths, places, fullwidth):
    value = hundredths / 100
    text = f"{value:.{places}f}%"
    if fullwidth:
        text = text.translate(FW).replace("%", "％")
    p = parse_value(text, "%", Kind.PERCENT)
    assert p.status is Status.NUMBER
    assert p.value == pytest.approx(round(value, places) / 100)


@given(st.text(max_size=30))
def test_never_raises(text):
    p = parse_value(text, "人", Kind.COUNT)
    assert p.status in Status
    if p.status is Status.NUMBER:
        assert math.isfinite(p.value)
    if p.status is Status.INVALID:
        assert p.error


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.sampled_from(["人/km", "km", "時間"]))
def test_rate_with_unit(x, unit):
    text = f"{x:.2f}{unit}"
    assume(float(f"{x:.2f}") >= 0)
    p = parse_value(text, unit, Kind.RATE)
    assert p.status is Status.NUMBER
    assert p.value == pytest.approx(float(f"{x:.2f}"))
