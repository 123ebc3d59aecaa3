"""The small pieces of SpreadsheetML the fast master writer (`welfare_xl.files.xlsx_patch`) reads and writes.

Cells as openpyxl reads and writes them (`held_value`, `cell_xml`), the style
table (`Styles`: a cell style appended to styles.xml as openpyxl would write it)
and a `SheetSpec` as worksheet XML (`spec_sheet_xml`, for the 集約ログ sheets).
Anything this module does not handle raises `Unsupported`, and the caller falls
back to openpyxl, which stays the reference.
"""

from __future__ import annotations

import re
from typing import Any, Iterable
from html import unescape
from xml.sax.saxutils import escape

from welfare_xl.core.consolidation.result import Formula
from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.core.sheets.spec import SheetSpec, Style
from welfare_xl.files.xlsx_styles import (BUILTIN_IDS, Unsupported, border_xml, fill_xml, font_xml, is_date_id,
                                          numfmt_xml, xf_xml)

ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_T = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>|<t(?:\s[^>]*)?/>", re.S)
_F = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>", re.S)


def attrs(text: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in ATTR.findall(text)}


def attr_text(values: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in values.items())


def col_letters(col0: int) -> str:
    letters = _LETTERS.get(col0)
    if letters is None:
        n, letters = col0 + 1, ""
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        _LETTERS[col0] = letters
    return letters


_LETTERS: dict[int, str] = {}  # 0-based column -> letters, learnt on first use


_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")
_COLUMNS: dict[str, int] = {}  # letters -> 0-based column, learnt on first use


def ref_to_rc(ref: str) -> tuple[int, int]:
    m = _REF.fullmatch(ref)
    if not m:
        raise Unsupported(f"cell reference {ref!r}")
    letters = m.group(1)
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        col = _COLUMNS[letters] = col - 1
    return int(m.group(2)) - 1, col


# --- cells --------------------------------------------------------------------------------------


def plain_text(inner: str) -> str:
    """The text of an <si> or <is>: its <t> runs, phonetic runs (<rPh>) left out, as openpyxl reads it."""
    inner = re.sub(r"<rPh\b.*?</rPh>", "", inner, flags=re.S)
    return "".join(unescape(m.group(1) or "") for m in _T.finditer(inner))


def held_value(cell_attrs: dict[str, str], inner: str, shared: list[str], date_styles: set[int], seen: Any) -> Any:
    """What openpyxl would hold for this <c> (as `survey_edit.held` returns it): `seen` is the reader's value."""
    kind = cell_attrs.get("t", "n")
    f = _F.search(inner)
    v = _V.search(inner)
    value = unescape(v.group(1)) if v else None
    if f:
        fa = attrs(f.group(1))
        text = "=" + unescape(f.group(2) or "")
        ftype = fa.get("t", "normal")
        if ftype == "array":
            return Formula(text, seen, fa.get("ref"))
        if ftype == "dataTable":
            return seen
        if ftype != "normal" or not f.group(2):
            raise Unsupported(f"formula of type {ftype} in {cell_attrs.get('r')}")
        return Formula(text, seen)
    if kind == "e":
        return HiddenValue("error", value or "")
    if kind == "s":
        return shared[int(value)] if value is not None else None
    if kind == "inlineStr":
        if "<r>" in inner or "<r " in inner:
            raise Unsupported(f"rich inline text in {cell_attrs.get('r')}")
        return plain_text(inner) if "<is" in inner else None
    if kind == "str":
        return value
    if kind == "b":
        return bool(int(value)) if value is not None else None
    if kind != "n":
        raise Unsupported(f"cell type {kind}")
    if value is None or value == "":
        return None
    if int(cell_attrs.get("s", "0")) in date_styles:
        raise Unsupported(f"a date-formatted number in {cell_attrs.get('r')}")
    return float(value) if ("." in value or "E" in value or "e" in value) else int(value)


def _text_xml(text: str) -> str:
    if _ILLEGAL.search(text):
        raise Unsupported("a control character in a text")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f"<is><t{space}>{text}</t></is>"


def _number(value: Any) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    return "%.16g" % value


def cell_xml(ref: str, style: str | None, value: Any) -> str:
    """One <c> holding `value` as `survey_edit._put` sets it and openpyxl writes it."""
    s = f' s="{style}"' if style not in (None, "0") else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, Formula):
        if value.array:
            return f'<c r="{ref}"{s}><f t="array" ref="{escape(value.array)}">{escape(value.text[1:])}</f><v></v></c>'
        return f'<c r="{ref}"{s}><f>{escape(value.text[1:])}</f><v></v></c>'
    if isinstance(value, HiddenValue):
        if value.kind == "error":
            return f'<c r="{ref}"{s} t="e"><v>{escape(value.text)}</v></c>'
        return f'<c r="{ref}"{s}><f>{escape(value.text[1:])}</f><v></v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, str):
        if value == "":
            return f'<c r="{ref}"{s} t="inlineStr"/>'
        return f'<c r="{ref}"{s} t="inlineStr">{_text_xml(value)}</c>'
    raise Unsupported(f"a value of type {type(value).__name__}")


# --- styles -------------------------------------------------------------------------------------


class Styles:
    """styles.xml with cell styles appended (font, fill, border, number format, alignment,
    protection), one xf per distinct `Style`, the records as openpyxl writes what `StyleCache`
    sets (`xlsx_styles`, without importing openpyxl)."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        self.added: dict[Style, int] = {}
        self._new: dict[str, list[str]] = {"numFmts": [], "fonts": [], "fills": [], "borders": [], "cellXfs": []}
        self._counts = {name: self._count(name) for name in self._new}
        self.numfmts = {int(a["numFmtId"]): a.get("formatCode", "")
                        for a in map(attrs, re.findall(r"<numFmt\b([^>]*)/?>", xml))}
        xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        if not xfs:
            raise Unsupported("styles.xml has no cellXfs")
        self.xf_numfmt = [int(attrs(a).get("numFmtId", "0")) for a in re.findall(r"<xf\b([^>]*?)/?>", xfs.group(1))]

    def _count(self, name: str) -> int:
        block = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", self.xml, re.S)
        if block is None:
            if name == "numFmts":
                return 0
            raise Unsupported(f"styles.xml has no {name} list")
        child = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}[name]
        return len(re.findall(rf"<{child}\b", block.group(1)))

    def date_styles(self) -> set[int]:
        """The cellXfs indices whose number format shows a date or time (`xlsx_styles.is_date_id`)."""
        custom = self.numfmts
        return {i for i, fid in enumerate(self.xf_numfmt) if is_date_id(fid, custom)}

    def _add(self, name: str, xml: str) -> int:
        self._new[name].append(xml)
        return self._counts[name] + len(self._new[name]) - 1

    def index(self, style: Style) -> int:
        """The cellXfs index of `style`: its records appended once (font, fill, border, numFmt when new, xf)."""
        known = self.added.get(style)
        if known is not None:
            return known
        fmt = style.number_format
        fmt_id = BUILTIN_IDS.get(fmt)
        if fmt_id is None:
            fmt_id = next((i for i, code in self.numfmts.items() if code == fmt), None)
        if fmt_id is None:
            fmt_id = max([163, *self.numfmts]) + 1
            self.numfmts[fmt_id] = fmt
            self._new["numFmts"].append(numfmt_xml(fmt_id, fmt))
        font, fill, border = font_xml(style), fill_xml(style), border_xml(style)
        xf = xf_xml(style, fmt_id, self._add("fonts", font), self._add("fills", fill), self._add("borders", border))
        self.added[style] = self._add("cellXfs", xf)
        self.xf_numfmt.append(fmt_id)
        return self.added[style]

    def result(self) -> str:
        xml = self.xml
        for name in ("fonts", "fills", "borders", "cellXfs"):
            if self._new[name]:
                xml = self._append(xml, name, self._new[name])
        if self._new["numFmts"]:
            if re.search(r"<numFmts\b[^>]*>", xml):
                xml = self._append(xml, "numFmts", self._new["numFmts"])
            else:
                block = f'<numFmts count="{len(self._new["numFmts"])}">{"".join(self._new["numFmts"])}</numFmts>'
                xml = re.sub(r"(<styleSheet\b[^>]*>)", lambda m: m.group(1) + block, xml, count=1)
        return xml

    def _append(self, xml: str, name: str, items: list[str]) -> str:
        total = self._count_in(xml, name) + len(items)
        xml = re.sub(rf"</{name}>", lambda m: "".join(items) + m.group(0), xml, count=1)

        def recount(m: re.Match) -> str:
            tag = m.group(0)
            if ' count="' in tag:
                return re.sub(r' count="\d*"', f' count="{total}"', tag)
            return tag[:-1] + f' count="{total}">'

        return re.sub(rf"<{name}\b[^>]*>", recount, xml, count=1)

    def _count_in(self, xml: str, name: str) -> int:
        return self._counts[name] if name != "numFmts" else len(re.findall(r"<numFmt\b", xml))


# --- a SheetSpec as a worksheet ---------------------------------------------------------------------

_HANDLED = {"name", "cells", "col_widths", "row_heights", "hidden", "tab_color", "print_setup", "merges"}
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def spec_sheet_xml(spec: SheetSpec, styles: Styles) -> str:
    """The worksheet XML of a SheetSpec as `writer.write_sheet` makes it, for the parts the log uses.

    Long because it walks one worksheet's elements in their schema order, each a few lines.
    """
    from welfare_xl.core.sheets.spec import FONT

    for name, value in vars(spec).items():
        if name not in _HANDLED and value:
            raise Unsupported(f"sheet {spec.name}: {name}")
    if spec.print_setup and (spec.print_setup.title_rows or spec.print_setup.area):
        raise Unsupported(f"sheet {spec.name}: print titles or area")
    p = spec.print_setup
    out = [f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetPr>']
    if spec.tab_color:
        out.append(f'<tabColor rgb="{"00" + spec.tab_color if len(spec.tab_color) == 6 else spec.tab_color}"/>')
    out.append('<outlinePr summaryBelow="1" summaryRight="1"/>')
    out.append('<pageSetUpPr fitToPage="1"/>' if p and p.fit_width else "<pageSetUpPr/>")
    out.append("</sheetPr>")
    data: list[str] = []
    max_row, max_col = _sheet_data(spec, styles, data)
    last = f"{col_letters(max(max_col, 0))}{max(max_row, 0) + 1}"
    out.append(f'<dimension ref="A1:{last}"/>' if spec.cells else '<dimension ref="A1:A1"/>')
    out.append('<sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/></sheetView>'
               '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
    if spec.col_widths:
        out.append("<cols>")
        for c, w in sorted(spec.col_widths.items()):
            out.append(f'<col width="{_number(w)}" customWidth="1" min="{c + 1}" max="{c + 1}"/>')
        out.append("</cols>")
    out.append("<sheetData>")
    out += data
    out.append("</sheetData>")
    if spec.merges:
        refs = [f"{col_letters(c1)}{r1 + 1}:{col_letters(c2)}{r2 + 1}" for r1, c1, r2, c2 in spec.merges]
        out.append(f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{x}"/>' for x in refs)
                   + "</mergeCells>")
    if p:
        m = p.margins_cm / 2.54
        out.append('<printOptions horizontalCentered="1"/>')
        x, b = _number(m), _number(m + 0.2)
        out.append(f'<pageMargins left="{x}" right="{x}" top="{x}" bottom="{b}" header="0.3" footer="0.3"/>')
        fit = f' fitToHeight="{1 if p.fit_height else 0}" fitToWidth="1"' if p.fit_width else ""
        out.append(f'<pageSetup orientation="{"landscape" if p.landscape else "portrait"}" '
                   f'paperSize="{8 if p.paper == "A3" else 9}"{fit}/>')
        if p.footer_page_numbers:
            out.append(f'<headerFooter><oddFooter>{escape(f"&C&{chr(34)}{FONT}{chr(34)}&P / &N")}</oddFooter></headerFooter>')
    else:
        out.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    out.append("</worksheet>")
    return "".join(out)


def _sheet_data(spec: SheetSpec, styles: Styles, out: list[str]) -> tuple[int, int]:
    """The rows of a SheetSpec as `cell_xml` writes them; the last row and column holding a cell.

    The cells are taken in (row, column) order: as the spec holds them when it was filled in that
    order (the log's specs are; checking it costs a sort of sorted keys), else sorted.
    """
    keys = list(spec.cells)
    if keys == sorted(keys):
        return _rows(spec, styles, out, spec.cells.items())
    return _rows(spec, styles, out, sorted(spec.cells.items(), key=_key))


def _key(item: tuple[tuple[int, int], Any]) -> tuple[int, int]:
    return item[0]


def _rows(spec: SheetSpec, styles: Styles, out: list[str],
          items: Iterable[tuple[tuple[int, int], tuple[Any, Style]]]) -> tuple[int, int]:
    """`_sheet_data` over `items`, in (row, column) order.

    Long because it is the one loop over every cell of a large log, kept flat: each style's index
    and each column's letters looked up once, a plain text written inline the way `cell_xml`
    writes it, rows without cells but with a height in between.
    """
    heights = spec.row_heights
    height_rows = sorted(heights)
    next_h = 0  # the first of height_rows not written yet
    ht_attr: dict[float, str] = {}
    style_ids: dict[int, tuple[str, str]] = {}  # id(style) -> (index, ' s="index"' or ""); the spec keeps it alive
    letters: dict[int, str] = {}
    last_style: Style | None = None
    index = s = ""
    max_col = -1
    r_open = -1  # the row being written
    n = ""

    def open_row(r: int) -> None:
        h = heights.get(r)
        if h is None:
            out.append(f'<row r="{r + 1}">')
            return
        attr = ht_attr.get(h)
        if attr is None:
            attr = ht_attr[h] = f' ht="{_number(h)}" customHeight="1">'
        out.append(f'<row r="{r + 1}"{attr}')

    for (r, c), (value, style) in items:
        if r != r_open:
            if r_open >= 0:
                out.append("</row>")
            while next_h < len(height_rows) and height_rows[next_h] < r:  # a row with a height alone
                open_row(height_rows[next_h])
                out.append("</row>")
                next_h += 1
            if next_h < len(height_rows) and height_rows[next_h] == r:
                next_h += 1
            open_row(r)
            r_open, n = r, str(r + 1)
        if style is not last_style:
            known = style_ids.get(id(style))
            if known is None:
                i = str(styles.index(style))
                known = style_ids[id(style)] = (i, f' s="{i}"' if i != "0" else "")
            index, s = known
            last_style = style
        col = letters.get(c)
        if col is None:
            col = letters[c] = col_letters(c)
            max_col = max(max_col, c)
        if type(value) is str and value:
            if value[0] == "=" and not style.text:
                raise Unsupported(f"sheet {spec.name}: a formula")
            if not value.isprintable() and _ILLEGAL.search(value):
                raise Unsupported("a control character in a text")
            space = ' xml:space="preserve"' if value != value.strip() else ""
            if "&" in value or "<" in value or ">" in value:
                value = value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            out.append(f'<c r="{col}{n}"{s} t="inlineStr"><is><t{space}>{value}</t></is></c>')
            continue
        if isinstance(value, (Formula, HiddenValue)):
            raise Unsupported(f"sheet {spec.name}: a formula")
        out.append(cell_xml(f"{col}{n}", index, value))
    if r_open >= 0:
        out.append("</row>")
    for r in height_rows[next_h:]:
        open_row(r)
        out.append("</row>")
    return r_open, max_col
