"""The preflight and the reader on hostile and odd workbooks, each built here: refused before
calamine sees them, with a Japanese reason; what calamine shows empty is reported as hidden."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from support.zips import lie_about_size, rewrite

from welfare_xl.core.model.cells import HiddenValue
from welfare_xl.core.model.survey import Config
from welfare_xl.files.preflight import MB, Limits, saved_time
from welfare_xl.files.reader import WorkbookReadError, read_workbook
from welfare_xl.files.submissions import display_name

SHEET1 = "xl/worksheets/sheet1.xml"
SECRET = "WXL-SECRET-7f3a9c"


def book(path: Path, *, extra_sheet: str | None = None) -> Path:
    """A small workbook: sheet 回答 with a value, a formula never calculated and an error value."""
    wb = Workbook()
    ws = wb.active
    ws.title = "回答"
    ws["A1"], ws["B1"], ws["B2"] = "wxl:id", 3, 4
    ws["C1"] = "=SUM(B1:B2)"  # openpyxl saves no calculated value
    ws["D1"] = "#DIV/0!"  # an error value (t="e")
    if extra_sheet:
        wb.create_sheet(extra_sheet)["A1"] = "メモ"
    wb.save(path)
    return path


def refused(path: Path, **kw) -> WorkbookReadError:
    with pytest.raises(WorkbookReadError) as info:
        read_workbook(path, **kw)
    return info.value


def with_doctype(declaration: str, reference: str) -> callable:
    def change(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet", declaration.encode() + b"<worksheet", 1)
        return xml.replace(b"<t>wxl:id</t>", f"<t>{reference}</t>".encode(), 1)
    return change


def test_a_plain_workbook_is_read_with_its_hidden_cells(tmp_path: Path):
    data = read_workbook(book(tmp_path / "ok.xlsx"))
    assert data.sheets["回答"][0][:2] == ["wxl:id", 3]
    assert data.sheets["回答"][0][2:4] == [None, None]  # calamine shows both empty ...
    assert data.hidden == {"回答": {(0, 2): HiddenValue("formula", "=SUM(B1:B2)"),
                                   (0, 3): HiddenValue("error", "#DIV/0!")}}  # ... the preflight says what they hold


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10)) + "]>")


def test_entity_expansion_is_refused_before_any_parser(tmp_path: Path):
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "lol.xlsx", {SHEET1: with_doctype(BILLION_LAUGHS, "&lol9;")})
    exc = refused(bad)
    assert exc.code == "unsafe_xml" and SHEET1 in str(exc) and "DOCTYPE" in str(exc)


def test_calamine_itself_neither_expands_nor_fetches_entities(tmp_path: Path):
    """What calamine does when a declaration reaches it (recorded; the preflight never lets one through)."""
    from python_calamine import CalamineWorkbook

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    for name, decl, ref in [("lol", BILLION_LAUGHS, "&lol9;"),
                            ("xxe", f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>', "&xxe;")]:
        bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / f"{name}.xlsx",
                      {SHEET1: with_doctype(decl, ref)})
        wb = CalamineWorkbook.from_path(str(bad))
        with pytest.raises(Exception) as info:
            wb.get_sheet_by_name("回答").to_python()
        assert "unrecognized entity" in str(info.value) and SECRET not in str(info.value)


def test_external_entity_never_reaches_the_secret(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    decl = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    core = (f'<?xml version="1.0"?>{decl}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:modified>&xxe;'
            '</dcterms:modified></cp:coreProperties>').encode()
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "xxe.xlsx",
                  {SHEET1: with_doctype(decl, "&xxe;"), "docProps/core.xml": core})
    exc = refused(bad)
    assert exc.code == "unsafe_xml" and SECRET not in str(exc)
    assert saved_time(core) is None  # our own parser (defusedxml) refuses the declaration too


def test_a_value_in_the_last_cell_is_refused_by_its_extent(tmp_path: Path):
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "far.xlsx",
                  {SHEET1: lambda x: x.replace(b"</sheetData>", far)})
    assert bad.stat().st_size < 20_000
    exc = refused(bad)
    assert exc.code == "too_large" and "「回答」" in str(exc) and "A1:XFD1048576" in str(exc)


def test_a_lying_dimension_does_not_hide_the_real_extent(tmp_path: Path):
    far = b'<row r="200000"><c r="Z200000"><v>1</v></c></row></sheetData>'

    def change(xml: bytes) -> bytes:
        xml = xml.replace(b"</sheetData>", far)
        start = xml.index(b"<dimension")
        return xml[:start] + b'<dimension ref="A1:D2"/>' + xml[xml.index(b"/>", start) + 2:]
    exc = refused(rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "lie.xlsx", {SHEET1: change}))
    assert "A1:Z200000" in str(exc) and "5,200,000" in str(exc)


@pytest.mark.parametrize("tail, code", [
    (b'<row r="3"><c r="ZZZZZZ3"><v>1</v></c></row>', "too_large"),  # a column name past XFD (the fuzz found it)
    (b'<row r="99999999999999999999"><c><v>1</v></c></row>', "too_large"),  # a 20-digit row
    (b'<row r="3"><c r="A3B"><v>1</v></c></row>', "unreadable"),  # not a reference at all
    (b'<row r="x"><c r="A3"><v>1</v></c></row>', "unreadable"),
])
def test_references_past_the_sheet_or_malformed_are_refused(tmp_path: Path, tail: bytes, code: str):
    exc = refused(rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "ref.xlsx",
                          {SHEET1: lambda x: x.replace(b"</sheetData>", tail + b"</sheetData>")}))
    assert exc.code == code


def test_cells_without_references_count_too(tmp_path: Path):
    tail = b'<row r="1048576"><c><v>1</v></c></row></sheetData>'
    exc = refused(rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "nor.xlsx",
                          {SHEET1: lambda x: x.replace(b"</sheetData>", tail)}))
    assert exc.code == "too_large"


def test_only_the_sheets_of_a_return_are_read(tmp_path: Path):
    """A junk sheet too big to read stops nothing when only the table's sheets are read."""
    path = book(tmp_path / "ok.xlsx", extra_sheet="メモ")
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    junk = rewrite(path, tmp_path / "junk.xlsx", {"xl/worksheets/sheet2.xml": lambda x: x.replace(b"</sheetData>", far)})
    data = read_workbook(junk, tables_only=True)
    assert list(data.sheets) == ["回答"] and data.sheet_order == ["回答", "メモ"]
    assert "「メモ」" in str(refused(junk))


@pytest.mark.parametrize("config,fragment", [
    (Config(max_file_mb=0.001), "ファイルが大きすぎます"),
    (Config(max_unzipped_mb=0.001), "展開後のサイズが大きすぎます"),
    (Config(max_parts=3), "部品が多すぎます"),
])
def test_file_limits_are_settings(tmp_path: Path, config: Config, fragment: str):
    exc = refused(book(tmp_path / "ok.xlsx"), limits=Limits.of(config))
    assert exc.code == "too_large" and fragment in str(exc)


def test_zip_bomb_is_refused_without_inflating_it(tmp_path: Path):
    padding = b"<!-- -->" + b" " * (150 * MB)
    bomb = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "bomb.xlsx", {"xl/media/pad.xml": padding}, level=9)
    assert bomb.stat().st_size < 1 * MB
    exc = refused(bomb)
    assert exc.code == "too_large" and "xl/media/pad.xml" in str(exc) and "圧縮率" in str(exc)
    assert "圧縮率" not in str(refused(bomb, limits=Limits.of(Config(max_inflate_ratio=1e9))))  # then the total size
    assert "展開後のサイズ" in str(refused(bomb, limits=Limits.of(Config(max_inflate_ratio=1e9))))


def test_a_part_that_inflates_beyond_what_it_declares_is_refused(tmp_path: Path):
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "liar.xlsx",
                  {SHEET1: lambda x: x.replace(b"</worksheet>", b"<!--" + b"x" * 500_000 + b"--></worksheet>")})
    lie_about_size(bad, SHEET1, 2_000)
    assert "申告より大きく" in str(refused(bad))


def test_a_utf16_part_is_refused(tmp_path: Path):
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "u16.xlsx",
                  {SHEET1: lambda x: x.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")})
    assert refused(bad).code == "unsafe_xml"


def truncated(path: Path) -> bytes:
    return path.read_bytes()[: path.stat().st_size // 2]


def no_workbook(path: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize("content,fragment", [
    (lambda p: b"", "空のファイル"),
    (lambda p: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "パスワード"),
    (lambda p: "提出します".encode(), "Excel ブックではありません"),
    (truncated, "途中で切れて"),
    (no_workbook, "Excel ブックではありません"),
])
def test_what_is_not_a_workbook_says_why(tmp_path: Path, content, fragment: str):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content(book(tmp_path / "ok.xlsx")))
    exc = refused(bad)
    assert fragment in str(exc) and exc.exit_code == 2


@pytest.mark.parametrize("attr", [b'uniqueCount="4294967296"', b'count="99999999999999"', b'uniqueCount="x"'])
def test_a_shared_string_table_declaring_more_than_it_holds_is_refused(tmp_path: Path, attr: bytes):
    """calamine reserves room for the declared number first: uniqueCount="4294967296" aborted the
    process (found by the fuzz, seed 300)."""
    import re

    from support import package as pk

    parts = pk.read_parts(book(tmp_path / "ok.xlsx"))
    pk.to_shared_strings(parts)  # as Excel saves strings (openpyxl writes them inline)
    sst = re.sub(r'\s(?:count|uniqueCount)="[^"]*"', "", pk.text(parts, pk.SST_PART), count=2)
    pk.put(parts, pk.SST_PART, sst.replace("<sst ", "<sst " + attr.decode() + " ", 1))
    pk.write_parts(tmp_path / "sst.xlsx", parts)
    assert read_workbook(tmp_path / "ok.xlsx").sheets["回答"][0][0] == "wxl:id"
    assert "共有文字列" in str(refused(tmp_path / "sst.xlsx"))


def test_what_calamine_cannot_parse_is_a_read_error(tmp_path: Path):
    """Malformed XML passes the preflight (it does not parse sheets) and calamine's own error is caught."""
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "bad.xlsx",
                  {SHEET1: lambda x: x.replace(b"</sheetData>", b"<row><c r='A9'><v>1</c></row></sheetData>")})
    exc = refused(bad)
    assert exc.code == "read_failed" and "開けません" in str(exc)


def test_limits_follow_the_config():
    limits = Limits.of(Config(max_file_mb=2, max_unzipped_mb=3, max_inflate_ratio=7, max_sheet_cells=11,
                              max_parts=13))
    assert limits == Limits(2 * MB, 3 * MB, 7.0, 11, 13)
    assert Limits.of() == Limits.of(Config())


def test_display_name():
    assert display_name("地域共生課.xlsx") == "地域共生課.xlsx"
    from_zip = "地域共生課.xlsx".encode("cp932").decode("utf-8", "surrogateescape")  # as Linux gives it
    assert display_name(from_zip) == "地域共生課.xlsx"
    junk = b"\xff\xfe\x81.xlsx".decode("utf-8", "surrogateescape")
    shown = display_name(junk)
    assert shown.endswith(".xlsx") and "\ufffd" in shown
    shown.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize("chars, escaped", [(32_768, False), (40_000, True)])
def test_a_text_longer_than_a_cell_holds_is_refused(tmp_path: Path, chars: int, escaped: bool):
    """calamine would cut it short without a word; "&amp;" counts as one character."""
    text = ("&amp;" if escaped else "あ") * chars
    cell = f'<row r="9"><c r="A9" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData>'.encode()
    bad = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "long.xlsx",
                  {SHEET1: lambda x: x.replace(b"</sheetData>", cell)})
    exc = refused(bad)
    assert exc.code == "too_large" and f"{chars:,} 文字" in str(exc) and SHEET1 in str(exc)


def test_a_text_as_long_as_a_cell_holds_is_read(tmp_path: Path):
    text = "&amp;" * 32_767  # 163,835 bytes, 32,767 characters
    cell = f'<row r="9"><c r="A9" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData>'.encode()
    ok = rewrite(book(tmp_path / "ok.xlsx"), tmp_path / "full.xlsx",
                 {SHEET1: lambda x: x.replace(b"</sheetData>", cell)})
    assert read_workbook(ok).sheets["回答"][8][0] == "&" * 32_767
