"""Japanese fiscal-year labels (年度), both ways.

A Japanese fiscal year N runs from April N to March N+1 and is named after the
era in force on its first day, except FY2019: the Reiwa era began on 1 May 2019
and official documents call the whole year 令和元年度, while papers written
before the change call it 平成31年度. Both are accepted; 令和元年度 is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    letter: str  # the one-letter romanisation used in short forms (R1, H29)
    first_year: int  # Gregorian year of the era's year 1
    last_year: int | None  # last Gregorian year that may carry this era's name


# Newest first. Heisei may name 2019 (平成31年度) because the fiscal year began
# before the era changed; Showa 64 (January 1989) likewise.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019, None),
    Era("平成", "H", 1989, 2019),
    Era("昭和", "S", 1926, 1989),
)

# Half-width digits to full-width, as Japanese documents write small numbers (令和５年度, 基本目標１).
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

_LABEL_RE = re.compile(
    r"^(?:(?P<era>令和|平成|昭和|[RHS])\s*(?P<eyear>元|\d{1,3})"
    r"|(?:FY)?(?P<gyear>\d{4}))\s*(?:年度|年)?$",
    re.IGNORECASE,
)


def era_of(year: int) -> Era:
    """The era a fiscal year is written in (the newest whose range covers it)."""
    for era in ERAS:
        if year >= era.first_year:
            return era
    raise ValueError(f"{year}年度は昭和より前のため扱えません。")


def fiscal_year_label(year: int, *, suffix: str = "年度") -> str:
    """2019 -> '令和元年度', 2023 -> '令和５年度', 2017 -> '平成29年度'.

    Single-digit era years are written with a full-width digit, as Japanese
    public documents do (令和５年度); two-digit years stay half-width.
    """
    era = era_of(year)
    n = year - era.first_year + 1
    number = "元" if n == 1 else document_number(n)
    return f"{era.name}{number}{suffix}"


def document_number(n: int) -> str:
    """A number as Japanese public documents write it in running text: one digit full-width
    (５, 基本目標１), two or more half-width (12, 基本目標10), never 「１０」."""
    return str(n).translate(FULLWIDTH_DIGITS) if 0 <= n < 10 else str(n)


def parse_fiscal_year(text: object) -> int:
    """Gregorian fiscal year from what people write: 令和元年度, 令和1年度, 令和１年度,
    平成31年度 (=2019), R1, H29, 2019年度, FY2019, 2019. Raises ValueError with a
    Japanese message when the label is not a valid fiscal year."""
    if isinstance(text, bool):
        raise ValueError(f"「{text}」は年度として読めません。")
    if isinstance(text, int):
        year = text
        if not 1926 <= year <= 2999:
            raise ValueError(f"「{text}」は年度として読めません。")
        return year
    raw = str(text)
    norm = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    m = _LABEL_RE.match(norm)
    if not m:
        raise ValueError(f"「{raw}」は年度として読めません（例：令和元年度、2019年度）。")
    if m.group("gyear"):
        year = int(m.group("gyear"))
        if not 1926 <= year <= 2999:
            raise ValueError(f"「{raw}」は年度として読めません。")
        return year
    era_token = m.group("era")
    era = next(e for e in ERAS if era_token in (e.name, e.letter, e.letter.lower()))
    n = 1 if m.group("eyear") == "元" else int(m.group("eyear"))
    if n < 1:
        raise ValueError(f"「{raw}」は年度として読めません（{era.name}0年はありません）。")
    year = era.first_year + n - 1
    if era.last_year is not None and year > era.last_year:
        raise ValueError(
            f"「{raw}」はありません（{era.name}は{era.last_year - era.first_year + 1}年度までです）。"
        )
    return year
