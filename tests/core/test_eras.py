from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from welfare_xl.core.model.eras import fiscal_year_label, parse_fiscal_year

FW = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("year,label", [
    (2017, "平成29年度"), (2018, "平成30年度"), (2019, "令和元年度"), (2020, "令和２年度"),
    (2023, "令和５年度"), (2028, "令和10年度"), (1989, "平成元年度"), (1988, "昭和63年度"),
])
def test_label(year, label):
    assert fiscal_year_label(year) == label


@pytest.mark.parametrize("text,year", [
    ("令和元年度", 2019), ("令和1年度", 2019), ("令和１年度", 2019), ("平成31年度", 2019),
    ("R1", 2019), ("r01", 2019), ("H29", 2017), ("2019年度", 2019), ("FY2019", 2019), ("２０１９", 2019),
    (" 令和 ５ 年度 ", 2023), ("令和5年", 2023), (2019, 2019), ("昭和64年度", 1989),
])
def test_parse(text, year):
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize("text", ["平成32年度", "令和0年度", "明治5年度", "来年度", "", "20190", True, "H", 1800])
def test_parse_rejects_with_a_japanese_message(text):
    with pytest.raises(ValueError) as err:
        parse_fiscal_year(text)
    assert "年度" in str(err.value) or "平成" in str(err.value)


@given(st.integers(min_value=1926, max_value=2200))
def test_label_round_trips(year):
    label = fiscal_year_label(year)
    assert parse_fiscal_year(label) == year
    assert parse_fiscal_year(label.translate(FW)) == year  # all digits full-width
    assert parse_fiscal_year(label.replace("元", "1")) == year
    assert parse_fiscal_year(f"{year}年度") == year


@given(st.integers(min_value=1, max_value=31))
def test_heisei_names_up_to_2019(n):
    assert parse_fiscal_year(f"平成{n}年度") == 1988 + n
