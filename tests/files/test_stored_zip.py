"""The reader opens only what the preflight checked: the checked parts, stored in a zip of our own
(`stored_zip`), read by python-calamine exactly as the original file would be."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.paths import TEMPLATE

from welfare_xl.commands.split import split
from welfare_xl.files.preflight import Limits, inspect
from welfare_xl.files.reader import read_workbook
from welfare_xl.files.stored_zip import stored_zip


def parts(*items: tuple[str, bytes]) -> list[tuple[str, bytes, int]]:
    return [(name, data, zlib.crc32(data)) for name, data in items]


def test_python_reads_the_zip_back_whole():
    given = parts(("[Content_Types].xml", b"<Types/>"), ("xl/sheet 名前.xml", "<a>あ</a>".encode()), ("empty", b""))
    with zipfile.ZipFile(io.BytesIO(stored_zip(given))) as z:
        assert z.testzip() is None  # every CRC holds
        assert [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()] == \
            [(n, zipfile.ZIP_STORED, d) for n, d, _ in given]


def everything(path: Path) -> dict[str, list[list]]:
    """Every sheet as calamine reads the original file."""
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    finally:
        wb.close()


def as_read(path: Path) -> dict[str, list[list]]:
    data = read_workbook(path)
    return {name: [["" if v is None else v for v in row] for row in grid] for name, grid in data.sheets.items()}


def trimmed(grids: dict[str, list[list]]) -> dict[str, list[list]]:
    """calamine pads rows to one width; the reader drops nothing but may pad differently."""
    out = {}
    for name, grid in grids.items():
        rows = [list(r) for r in grid]
        for r in rows:
            while r and r[-1] == "":
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        out[name] = rows
    return out


def test_the_template_and_a_filled_return_read_as_from_the_original(tmp_path: Path):
    forms = split(TEMPLATE, tmp_path / "配布")
    filled = fill_department(tmp_path / "配布" / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS)
    for path in [TEMPLATE, filled, *forms]:
        assert trimmed(as_read(path)) == trimmed(everything(path)), path.name


def test_dates_hidden_sheets_and_shared_strings_survive(tmp_path: Path):
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.title = "見える"
    ws["A1"], ws["B1"], ws["C1"] = datetime(2020, 4, 1, 9, 30), 0.25, "文字"
    ws["B1"].number_format = "0.00%"
    hidden = wb.create_sheet("隠し")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    path = tmp_path / "b.xlsx"
    wb.save(path)
    data = read_workbook(path)
    assert data.sheets["見える"][0] == [datetime(2020, 4, 1, 9, 30), 0.25, "文字"]
    assert data.hidden_sheets == {"隠し"}


def test_the_reader_gets_no_part_the_preflight_did_not_check(tmp_path: Path):
    filled = fill_department(split(TEMPLATE, tmp_path / "配布")[0], {}, {})
    found = inspect(filled, Limits.of(), tables_only=True)
    with zipfile.ZipFile(io.BytesIO(found.package)) as z, zipfile.ZipFile(filled) as original:
        names = set(z.namelist())
        assert "xl/theme/theme1.xml" in original.namelist() and "docProps/app.xml" in original.namelist()
        # The reader needs neither the theme nor [Content_Types].xml: a broken or crafted one stops nothing.
        assert not names & {"xl/theme/theme1.xml", "docProps/app.xml", "[Content_Types].xml"}
        assert {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"} <= names
        assert all(z.read(n) == original.read(n) for n in names)


def test_a_crafted_content_types_part_stops_nothing(tmp_path: Path):
    """The reader never opens [Content_Types].xml: a declaration in it (refused in any part the reader
    reads) leaves the return readable, as it was before the reader got only the checked parts."""
    from support.zips import rewrite

    filled = fill_department(split(TEMPLATE, tmp_path / "配布")[0], {}, {})
    crafted = rewrite(filled, tmp_path / "crafted.xlsx",
                      {"[Content_Types].xml": lambda x: b'<!DOCTYPE x [<!ENTITY a "b">]>' + x})
    assert trimmed(as_read(crafted)) == trimmed(as_read(filled))
