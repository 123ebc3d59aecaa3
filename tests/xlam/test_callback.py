"""The ribbon callback at run time: what it refuses before xlwings' RunPython reads the
active workbook's settings, read back from the built add-in with olevba, and checked
against the xlwings module the builder embeds."""

from __future__ import annotations

import importlib.resources
import io
import re
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from welfare_xl.xlam import ADDIN_FILENAME, AddinBuildError, build_addin_bytes
from welfare_xl.xlam.build import XLWINGS_PROCEDURES_USED, xlwings_module_source

REPO = Path(__file__).resolve().parents[2]
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def built() -> bytes:
    return (REPO / "addin" / ADDIN_FILENAME).read_bytes()


@pytest.fixture(scope="module")
def callback(built: bytes) -> str:
    """The WelfareXL module as the committed add-in stores it (olevba, strict)."""
    parser = VBA_Parser(ADDIN_FILENAME, data=built, relaxed=False)
    sources = {name: code for _, _, name, code in parser.extract_macros()}
    return sources["WelfareXL.bas"].replace("\r\n", "\n")


def procedure(source: str, name: str) -> str:
    """The text of one Sub or Function, declaration to End."""
    match = re.search(
        rf"^(?:Public |Private )?(Sub|Function) {name}\(.*?^End \1$", source, re.MULTILINE | re.DOTALL
    )
    assert match, name
    return match.group(0)


def decode(units: str) -> str:
    return "".join(chr(int(unit, 16)) for unit in units.split(" "))


def messages(source: str) -> dict[str, str]:
    return {
        name: decode(units)
        for name, units in re.findall(r'Private Const (MSG_\w+) As String = "([0-9A-F ]+)"', source)
    }


def assert_in_order(text: str, pieces: list[str]) -> None:
    """Every piece is in `text`, in this order."""
    positions = [text.find(piece) for piece in pieces]
    assert -1 not in positions, dict(zip(pieces, positions, strict=True))
    assert positions == sorted(positions)


def test_the_refusal_runs_after_the_guards_and_before_run_python(callback: str) -> None:
    on_action = procedure(callback, "WelfareXL_OnAction")
    steps = [
        "If Not IsSafeTag(actionTag) Then",
        "If ActiveWorkbook Is Nothing Then",
        "problem = WorkbookSettingsProblem()",
        "If Len(problem) > 0 Then\n        MsgBox problem, vbCritical, MSG_TITLE\n        Exit Sub\n    End If",
        "RunPython \"import welfare_xl.addin;",
    ]
    assert_in_order(on_action, steps)
    assert on_action.count("RunPython \"") == 1


def test_the_refusal_checks_every_sheet_and_the_file_beside_the_workbook(callback: str) -> None:
    check = procedure(callback, "WorkbookSettingsProblem")
    assert 'confName = PROJECT_NAME & ".conf"' in check
    # every sheet (chart sheets too), the name compared without case, as Excel's Sheets(name) does
    assert "For Each sheet In ActiveWorkbook.Sheets" in check
    assert "StrComp(sheet.Name, confName, vbTextCompare) = 0" in check
    assert 'LCase$(Right$(sheet.Name, 3)) = ".py"' in check
    # the file: xlwings' own path and its own guard, an error turned into a Japanese refusal
    guarded = check.index("On Error GoTo LocationUnknown")
    assert guarded < check.index("If GetFullName(ActiveWorkbook) <> \"\" Then")
    assert guarded < check.index("confFile = GetDirectoryConfigFilePath()") < check.index("If FileExists(confFile) Then")
    # no path is built from ActiveWorkbook.Path here (a URL, or "" for a new workbook)
    assert ".Path" not in check
    assert re.search(r"LocationUnknown:\n\s+WorkbookSettingsProblem = FillIn\(UnicodeText\(MSG_NO_FOLDER\)", check)
    for name in ("MSG_CONF_SHEET", "MSG_CODE_SHEET", "MSG_CONF_FILE", "MSG_NO_FOLDER"):
        assert f"FillIn(UnicodeText({name}), ActiveWorkbook.Name, " in check, name


def test_refusal_messages_say_what_they_should(callback: str) -> None:
    found = messages(callback)
    assert found["MSG_CONF_SHEET"] == (
        "ブック「%1」に「%2」シートがあります。このシートは実行する Python を変えられるため、"
        "安全のため実行を中止しました。シートを削除して保存してから、もう一度実行してください。"
    )
    assert found["MSG_CODE_SHEET"] == (
        "ブック「%1」に名前が .py で終わるシート「%2」があります。このシートのプログラムが実行されるおそれがあるため、"
        "安全のため実行を中止しました。シートを削除するか名前を変えて保存してから、もう一度実行してください。"
    )
    assert found["MSG_CONF_FILE"] == (
        "ブック「%1」のフォルダーに設定ファイル「%2」があります。このファイルは実行する Python を変えられるため、"
        "安全のため実行を中止しました。ファイルを削除するか、ブックを別のフォルダーに保存し直してから、"
        "もう一度実行してください。"
    )
    assert found["MSG_NO_FOLDER"] == (
        "ブック「%1」の保存場所（%2）を確かめられないため、安全のため実行を中止しました。"
        "ブックをパソコンか共有フォルダーに保存し直してから、もう一度実行してください。"
    )
    # FillIn reads one digit after each "%": the templates hold no other "%".
    for name, text in found.items():
        assert re.findall(r"%(.?)", text) in ([], ["1", "2"]), name


def test_vba_lines_fit_the_editor(callback: str) -> None:
    # The VBA editor refuses lines over 1023 characters; the hex messages are long.
    assert max(len(line) for line in callback.split("\n")) <= 1023


def xlwings_get_config() -> str:
    return procedure(xlwings_module_source().replace("\r\n", "\n"), "GetConfig")


def test_xlwings_reads_the_workbook_before_the_user_file_as_the_refusal_assumes() -> None:
    """The facts the refusal rests on, read from the module the builder embeds: a new
    xlwings that reads another source first fails here."""
    get_config = xlwings_get_config()
    sources = [
        'SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf")',
        'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")',
        'If GetFullName(ActiveWorkbook) <> "" Then',
        "FileExists(GetDirectoryConfigFilePath())",
        "FileExists(GetConfigFilePath())",
    ]
    assert_in_order(get_config, sources)
    assert get_config.count("SheetExists(") == 2 and get_config.count("GetConfigFromFile(") == 2
    module = xlwings_module_source()
    # the file beside the workbook is named by the active workbook; the user file by the profile
    assert re.search(r"GetDirectoryConfigFilePath = GetDirectoryPath\(ActiveWorkbook\) & pathSeparator & "
                     r'PROJECT_NAME & "\.conf"', module)
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in module
    # RunPython runs embedded code from a worksheet named *.py, and defaults the workbook folder to on
    run_python = procedure(module.replace("\r\n", "\n"), "RunPython")
    assert 'If Right$(sht.Name, 3) = ".py" Then' in run_python
    assert 'GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")' in run_python
    for name in XLWINGS_PROCEDURES_USED:
        assert re.search(rf"^Function {name}\(", module, re.MULTILINE), name


def test_the_add_in_itself_brings_no_conf_sheet(built: bytes) -> None:
    # GetConfig also reads a welfare_xl.conf sheet in ThisWorkbook, the add-in: it has none.
    with zipfile.ZipFile(io.BytesIO(built)) as package:
        workbook = etree.fromstring(package.read("xl/workbook.xml"))
    assert [sheet.get("name") for sheet in workbook.iter(f"{MAIN_NS}sheet")] == ["Sheet1"]


def test_the_callback_needs_no_office_type_library(built: bytes, callback: str) -> None:
    """control As Object: the project references OLE Automation only, and no module
    names a type of the Office library (IRibbonControl, IRibbonUI, Office.*)."""
    with zipfile.ZipFile(io.BytesIO(built)) as package:
        ole = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
    dir_data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    # REFERENCEREGISTERED records (id 0x000D): one, stdole
    libids = re.findall(rb"\*\\G\{([0-9A-F-]+)\}", dir_data)
    assert libids == [b"00020430-0000-0000-C000-000000000046"]
    assert "Public Sub WelfareXL_OnAction(control As Object)" in callback
    parser = VBA_Parser(ADDIN_FILENAME, data=built, relaxed=False)
    for _, _, name, code in parser.extract_macros():
        code_only = "\n".join(line.split("'", 1)[0] for line in code.splitlines())
        assert not re.search(r"\bIRibbon\w*|\bOffice\.", code_only), name


def test_build_refuses_an_xlwings_without_the_procedures_the_refusal_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "xlwings"
    package.mkdir()
    original = (importlib.resources.files("xlwings") / "xlwings_custom_addin.bas").read_bytes()
    renamed = original.replace(b"Function GetDirectoryConfigFilePath(", b"Function GetDirConfigFilePath(")
    assert renamed != original
    (package / "xlwings_custom_addin.bas").write_bytes(renamed)
    real_files = importlib.resources.files
    monkeypatch.setattr(
        importlib.resources, "files", lambda name: package if name == "xlwings" else real_files(name)
    )
    with pytest.raises(AddinBuildError, match="GetDirectoryConfigFilePath"):
        build_addin_bytes()
