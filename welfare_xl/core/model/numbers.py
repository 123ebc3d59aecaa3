"""Reading a number the way people really type it into a survey cell.

Clerks type "504人", "１９，１７７世帯", " 2.13 人/km", "50.70%", "－", numbers
stored as text, non-breaking spaces and trailing blanks. `parse_value` turns such
input into a number and records every normalization it applied, so a check can
tell the user exactly what was read ("「１９，１７７世帯」を 19,177 と読み取りました").

Nothing here knows about Excel: the input is whatever a cell held (str, int,
float, None), the output a plain `ParsedValue`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache

from welfare_xl.core.model.text import codepoint, control_characters, shortened


class Kind(str, Enum):
    """What an indicator's number measures; decides the checks and the format."""

    COUNT = "count"  # whole things: 人, 世帯, 団体, 回, 件, 組織
    PERCENT = "percent"  # a share; stored as a fraction (0.507 shows as 50.70%)
    RATE = "rate"  # a decimal quantity with a unit: 2.13人/km


class Status(str, Enum):
    NUMBER = "number"
    EMPTY = "empty"  # nothing typed
    NOT_AVAILABLE = "not_available"  # '－' and friends: deliberately no value
    INVALID = "invalid"  # typed, but not a number we can read


# Dashes people type for "no value" (全角ハイフン, 長音, ダッシュ, マイナス記号...).
NOT_AVAILABLE_MARKS = frozenset({"－", "-", "‐", "―", "—", "–", "ー", "−", "ｰ", "─", "N/A", "NA", "n/a", "該当なし"})

NOT_FINITE = "not_finite"
CONTROL_CHARACTER = "control_character"

_NUMBER_RE = re.compile(r"^(?P<sign>[+\-])?(?P<int>\d+|\d{1,3}(?:,\d{3})+)(?:\.(?P<frac>\d+))?$")


@dataclass(frozen=True)
class ParsedValue:
    raw: object
    status: Status
    value: float | int | None = None
    decimals: int | None = None  # digits after the point as typed (for display)
    notes: tuple[str, ...] = field(default=())  # Japanese descriptions of each normalization
    error: str | None = None  # Japanese reason when status is INVALID
    # Why, when INVALID for a reason of its own: NOT_FINITE (infinite, NaN, too many digits to be a
    # number at all) or CONTROL_CHARACTER (a character no cell can hold); None for any other.
    code: str | None = None

    @property
    def normalized(self) -> bool:
        return bool(self.notes)


@lru_cache(maxsize=256)  # an indicator's unit, from the survey's definitions: the same few for every return
def _norm_unit(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit).replace(" ", "").lower()


def parse_value(raw: object, unit: str = "", kind: Kind | str = Kind.COUNT) -> ParsedValue:
    """Parse one cell's content for an indicator measured in `unit` of `kind`.

    Percent indicators return a fraction (50.70% -> 0.507). A bare number typed
    as text for a percent indicator ("50.7") is read as percent points, with a
    note; a true number is taken as Excel stores it (0.507 shows as 50.7%).
    """
    if kind.__class__ is not Kind:
        kind = Kind(kind)
    if raw is None:
        return ParsedValue(raw, Status.EMPTY)
    if isinstance(raw, bool):
        return ParsedValue(raw, Status.INVALID, error="TRUE/FALSE は数値ではありません。")
    if isinstance(raw, (int, float)):
        value = stored_number(raw, kind)
        if value is None:
            return _not_finite(raw)
        return ParsedValue(raw, Status.NUMBER, value=value)
    if not isinstance(raw, str):
        return ParsedValue(raw, Status.INVALID, error=f"「{shortened(str(raw))}」は数値として読めません。")
    control = control_characters(raw)
    if control:
        return ParsedValue(raw, Status.INVALID, code=CONTROL_CHARACTER,
                           error=f"「{shortened(raw)}」に見えない制御文字（{'、'.join(map(codepoint, control))}）が"
                                 "含まれています。セルの内容を消して入力し直してください。")
    return _parse_text(raw, unit, kind)


def stored_number(raw: int | float, kind: Kind | str = Kind.COUNT) -> int | float | None:
    """The value `parse_value` reads from a number stored as a number (an int or float, not a bool):
    a whole float as an int for a COUNT; None when it is not finite (then `parse_value` says why).
    Without a `ParsedValue`: the master's figures of every row of every return are read with it."""
    if kind.__class__ is not Kind:
        kind = Kind(kind)
    if not _finite(raw):
        return None
    if kind is Kind.COUNT and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _finite(number: float | Decimal) -> bool:
    """A number a float can hold: not infinite, not NaN, not an integer too long to convert."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def _not_finite(raw: object) -> ParsedValue:
    try:
        shown = shortened(str(raw))
    except ValueError:  # an int longer than Python converts to a string
        shown = "桁数が多すぎる整数"
    return ParsedValue(raw, Status.INVALID, code=NOT_FINITE,
                       error=f"「{shown}」は数値として扱えない値（無限大・非数、または桁数が多すぎる数）です。")


def _parse_text(raw: str, unit: str, kind: Kind) -> ParsedValue:
    """A number typed as text; `notes` collects, in order, each normalization applied."""
    notes: list[str] = []
    text = _cleaned(raw, notes)
    if not text:
        return ParsedValue(raw, Status.EMPTY)
    if text in NOT_AVAILABLE_MARKS or raw.strip() in NOT_AVAILABLE_MARKS:
        return ParsedValue(raw, Status.NOT_AVAILABLE)
    sign, text = _accounting_sign(text, notes)
    percent, text = _without_unit(text, unit, notes)
    if not text:
        return ParsedValue(raw, Status.INVALID, error=f"「{shortened(raw)}」に数値がありません。")
    match = _NUMBER_RE.match(text)
    if not match:
        return _unreadable(raw, text, unit)
    if "," in match.group("int"):
        notes.append("桁区切りのカンマを除去")
    if match.group("sign") == "-":
        sign = -sign
    frac = match.group("frac")
    try:
        dec = Decimal(match.group("int").replace(",", "") + ("." + frac if frac else ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return ParsedValue(raw, Status.INVALID, error=f"「{shortened(raw)}」は数値として読めません。")
    decimals = len(frac) if frac else 0

    if kind is Kind.PERCENT:
        if not percent:
            notes.append("％の数値として読み取り")
        dec = dec / 100
        decimals += 2
        if percent:
            notes.append("％を小数に変換")
    elif percent:
        return ParsedValue(raw, Status.INVALID,
                           error=f"「{shortened(raw)}」は％で入力されていますが、この指標の単位は「{unit}」です。")

    if not _finite(dec):
        return _not_finite(raw)
    number: float | int
    if kind is Kind.COUNT and dec == dec.to_integral_value():
        number = int(dec) * sign
    else:
        number = float(dec) * sign
    notes.insert(0, "文字列として入力された数値を数値に変換")
    return ParsedValue(raw, Status.NUMBER, value=number, decimals=decimals, notes=tuple(dict.fromkeys(notes)))


def _cleaned(raw: str, notes: list[str]) -> str:
    """`raw` without the spaces, full-width forms and leading apostrophe typed around a number."""
    if "\u00a0" in raw or "\u3000" in raw:
        notes.append("空白文字（全角空白・ノーブレークスペース）を除去")
    nfkc = unicodedata.normalize("NFKC", raw)
    if nfkc != raw and any(unicodedata.normalize("NFKC", c) != c and c not in "\u00a0\u3000" for c in raw):
        notes.append("全角文字を半角に変換")
    # NFKC leaves the minus sign (U+2212) alone; people paste it from Word.
    text = nfkc.replace("\u00a0", " ").replace("\u2212", "-")
    stripped = text.strip()
    if stripped != text and stripped:
        notes.append("前後の空白を除去")
    text = stripped
    if text.startswith("'"):
        text = text[1:].strip()
        notes.append("先頭のアポストロフィを除去")
    return text


def _accounting_sign(text: str, notes: list[str]) -> tuple[int, str]:
    """The sign of a leading △ or ▲ (the Japanese accounting minus) and the text after it."""
    if text[0] in "△▲":
        notes.append("△を負の符号として読み取り")
        return -1, text[1:].strip()
    return 1, text


def _without_unit(text: str, unit: str, notes: list[str]) -> tuple[bool, str]:
    """Whether the text ends in %, and the text without it (or without the indicator's unit) and spaces."""
    if text.endswith("%"):
        return True, text[:-1].strip().replace(" ", "")
    if unit:
        want = _norm_unit(unit)
        compact = text.replace(" ", "")
        if compact.lower().endswith(want) and len(compact) > len(want):
            notes.append(f"単位「{unit}」を除去")
            return False, compact[: len(compact) - len(want)]
    return False, text.replace(" ", "")


def _unreadable(raw: str, text: str, unit: str) -> ParsedValue:
    """The INVALID result for a text that is no number, saying why in Japanese."""
    trailing = re.match(r"^[+\-]?[\d,]*\.?\d*(?P<rest>[^\d,.].*)$", text)
    if trailing and re.match(r"^[+\-]?\d", text):
        rest = trailing.group("rest")
        hint = f"単位「{rest}」はこの指標の単位（{unit or 'なし'}）と異なります。" if unit else f"「{rest}」を取り除いてください。"
        return ParsedValue(raw, Status.INVALID, error=f"「{shortened(raw)}」は数値として読めません。{hint}")
    if re.fullmatch(r"[+\-]?[\d,]+(\.\d+)?", text):
        return ParsedValue(raw, Status.INVALID, error=f"「{shortened(raw)}」は桁区切りのカンマの位置が正しくありません。")
    return ParsedValue(raw, Status.INVALID, error=f"「{shortened(raw)}」は数値として読めません。")


TOLERANCE = 1e-9  # two figures this close (relative, or absolute near zero) are the same figure


def same_number(a: float, b: float) -> bool:
    """The one float comparison of the project: rounding noise is no difference."""
    return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def same_figure(a: object, b: object) -> bool:
    """Numbers compared with the tolerance, anything else (text, '－', None) as it is."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):  # both numbers, bools not
        return same_number(a, b)
    return a == b


def format_value(value: float | int, unit: str, kind: Kind | str, decimals: int | None = None) -> str:
    """How a number reads back to a person: 19,177世帯, 50.70%, 2.13人/km.

    `decimals` are the digits typed after the point (for percents, of the fraction).
    """
    if kind.__class__ is not Kind:
        kind = Kind(kind)
    if kind is Kind.PERCENT:
        places = max((decimals or 2) - 2, 0) if decimals is not None else 1
        return f"{value * 100:.{places}f}%"
    if kind is Kind.COUNT and float(value).is_integer():
        return f"{int(value):,}{unit}"
    places = decimals if decimals is not None else 2
    return f"{value:,.{places}f}{unit}"


def excel_number_format(unit: str, kind: Kind | str, decimals: int = 0) -> str:
    """The Excel number format that shows a stored number with its unit."""
    kind = Kind(kind)
    if kind is Kind.PERCENT:
        places = max(decimals - 2, 0)
        return "0" + ("." + "0" * places if places else "") + "%"
    base = "#,##0" + ("." + "0" * decimals if decimals else "")
    if not unit:
        return base
    escaped = unit.replace('"', '""')
    return f'{base}"{escaped}"'
