"""The built add-in: up to date, a valid package, a VBA project that real readers
(olefile, olevba) parse back to exactly our sources."""

from __future__ import annotations

import importlib.resources
import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from welfare_xl.xlam import ADDIN_FILENAME, build_addin, build_addin_bytes
from welfare_xl.xlam.build import _mac_only_lines, default_addin_path
from welfare_xl.xlam.ovba import normalize_source

REPO = Path(__file__).resolve().parents[2]
VBA_DIR = REPO / "addin" / "vba"
COMMITTED = REPO / "addin" / ADDIN_FILENAME

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


@pytest.fixture(scope="module")
def built() -> bytes:
    return build_addin_bytes()


@pytest.fixture(scope="module")
def package(built: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(built))


@pytest.fixture(scope="module")
def vba_bin(package: zipfile.ZipFile) -> bytes:
    return package.read("xl/vbaProject.bin")


def test_committed_addin_is_up_to_date(built: bytes) -> None:
    assert default_addin_path() == COMMITTED
    assert COMMITTED.read_bytes() == built, (
        "addin/welfare_xl.xlam is out of date: run `welfare-xl addin build` (or "
        "python -c 'from welfare_xl.xlam import build_addin; build_addin()') and commit it"
    )


def test_build_is_reproducible(built: bytes) -> None:
    assert build_addin_bytes() == built


def test_build_addin_writes_the_file(tmp_path: Path, built: bytes) -> None:
    target = tmp_path / "out" / "custom.xlam"
    assert build_addin(target) == target
    assert target.read_bytes() == built


def test_package_parts_content_types_and_relationships(package: zipfile.ZipFile) -> None:
    names = package.namelist()
    assert names[0] == "[Content_Types].xml"
    assert set(names) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/app.xml",
        "docProps/core.xml",
        "customUI/customUI14.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/vbaProject.bin",
        "xl/worksheets/sheet1.xml",
    }
    for info in package.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        if info.filename.endswith((".xml", ".rels")):
            etree.fromstring(package.read(info.filename))  # well-formed

    types = etree.fromstring(package.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT_NS}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT_NS}Default")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for name in names:
        if name != "[Content_Types].xml":
            assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name

    def relationships(part: str) -> dict[str, str]:
        root = etree.fromstring(package.read(part))
        return {r.get("Type"): r.get("Target") for r in root.iter(f"{REL_NS}Relationship")}

    root_rels = relationships("_rels/.rels")
    assert root_rels[RIBBON_REL] == "customUI/customUI14.xml"
    assert set(root_rels.values()) <= set(names)
    workbook_rels = relationships("xl/_rels/workbook.xml.rels")
    assert workbook_rels[VBA_REL] == "vbaProject.bin"
    assert {f"xl/{target}" for target in workbook_rels.values()} <= set(names)


def test_code_names_match_the_document_modules(package: zipfile.ZipFile) -> None:
    workbook = etree.fromstring(package.read("xl/workbook.xml"))
    sheet = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    assert workbook.find(f"{MAIN_NS}workbookPr").get("codeName") == "ThisWorkbook"
    assert sheet.find(f"{MAIN_NS}sheetPr").get("codeName") == "Sheet1"
    assert [s.get("name") for s in workbook.iter(f"{MAIN_NS}sheet")] == ["Sheet1"]


def test_ribbon_part_is_the_source_file(package: zipfile.ZipFile) -> None:
    assert package.read("customUI/customUI14.xml") == (REPO / "addin/customUI/customUI14.xml").read_bytes()


def test_olefile_opens_vba_project_strictly(vba_bin: bytes) -> None:
    ole = olefile.OleFileIO(vba_bin, raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.parsing_issues == []
    assert sorted("/".join(path) for path in ole.listdir()) == [
        "PROJECT",
        "PROJECTwm",
        "VBA/Sheet1",
        "VBA/ThisWorkbook",
        "VBA/WelfareXL",
        "VBA/_VBA_PROJECT",
        "VBA/dir",
        "VBA/xlwings",
    ]
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    project = ole.openstream("PROJECT").read().decode("cp932")
    assert 'Name="WelfareXLAddin"' in project
    dir_data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert dir_data[:10] == struct.pack("<HII", 0x0001, 4, 1)  # PROJECTSYSKIND first
    code_page_at = dir_data.index(struct.pack("<HI", 0x0003, 2))
    assert struct.unpack_from("<H", dir_data, code_page_at + 6)[0] == 932
    assert b"stdole2.tlb#OLE Automation" in dir_data


def expected_xlwings_source() -> str:
    # Bytes, not read_text(): universal newlines would hide the file's CRLF.
    text = (importlib.resources.files("xlwings") / "xlwings_custom_addin.bas").read_bytes().decode("ascii")
    original = 'Public Const PROJECT_NAME As String = "myaddin"'
    assert text.count(original) == 1
    return text.replace(original, 'Public Const PROJECT_NAME As String = "welfare_xl"')


def test_olevba_returns_exactly_our_sources(built: bytes) -> None:
    parser = VBA_Parser(ADDIN_FILENAME, data=built, relaxed=False)
    assert parser.detect_vba_macros()
    sources = {name: code for _, _, name, code in parser.extract_macros()}
    expected = {
        path.stem + (".bas" if path.suffix == ".bas" else ".cls"): normalize_source(path.read_text(encoding="utf-8"))
        for path in VBA_DIR.iterdir()
    }
    expected["xlwings.bas"] = expected_xlwings_source()
    assert set(sources) == set(expected)
    for name, code in expected.items():
        assert sources[name] == code, name
    assert "\r\n" in sources["WelfareXL.bas"] and "\n" not in sources["WelfareXL.bas"].replace("\r\n", "")


def test_vba_sources_are_ascii_and_the_callback_is_guarded() -> None:
    for path in VBA_DIR.iterdir():
        assert path.read_bytes().isascii(), path
    callback = (VBA_DIR / "WelfareXL.bas").read_text(encoding="ascii")
    assert "Public Sub WelfareXL_OnAction(control As Object)" in callback
    assert "RunPython \"import welfare_xl.addin; welfare_xl.addin.run('\" & actionTag & \"')\"" in callback
    assert "If Not IsSafeTag(actionTag) Then" in callback


def test_japanese_messages_spelled_in_vba_say_what_they_should() -> None:
    callback = (VBA_DIR / "WelfareXL.bas").read_text(encoding="ascii")
    constants = dict(re.findall(r'Private Const (MSG_\w+) As String = "([0-9A-F ]+)"', callback))

    def decode(units: str) -> str:
        return "".join(chr(int(unit, 16)) for unit in units.split(" "))

    # ActiveWorkbook is Nothing with no workbook open and in Protected View: say both.
    assert decode(constants["MSG_NO_WORKBOOK"]) == "ブックを開き、「編集を有効にする」を押してから実行してください。"
    assert decode(constants["MSG_BAD_TAG"]) == "ボタンの設定が正しくありません。"


def test_dictionary_class_is_only_needed_on_the_mac() -> None:
    # xlwings' module declares "As Dictionary" inside "#If Mac" only, so the add-in
    # ships without the Dictionary class; the builder checks this on every build.
    source = expected_xlwings_source()
    uses = [i for i, line in enumerate(source.splitlines()) if re.search(r"\bAs\s+(New\s+)?Dictionary\b", line)]
    assert uses
    mac_only = _mac_only_lines(source)
    assert all(mac_only[i] for i in uses)


def test_conditional_compilation_tracking() -> None:
    lines = [
        "#If Mac Then",
        "mac 1",
        "#Else",
        "windows 1",
        "#End If",
        "#If Not Mac Then",
        "windows 2",
        "#Else",
        "mac 2",
        "#End If",
        "#If VBA7 Then",
        "#If Mac Then",
        "mac 3",
        "#End If",
        "windows 3",
        "#End If",
    ]
    flags = dict(zip(lines, _mac_only_lines("\n".join(lines)), strict=True))
    assert [line for line in lines if not line.startswith("#") and flags[line]] == ["mac 1", "mac 2", "mac 3"]


def test_a_crlf_checkout_builds_the_same_addin(tmp_path):
    """Git for Windows checks text out with CRLF; the build must not depend on it."""
    import shutil

    from welfare_xl.xlam.build import addin_source_dir

    src = tmp_path / "addin"
    shutil.copytree(addin_source_dir(), src)
    for path in list(src.rglob("*.xml")) + list(src.rglob("*.bas")) + list(src.rglob("*.cls")):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert build_addin_bytes(src) == default_addin_path().read_bytes()
