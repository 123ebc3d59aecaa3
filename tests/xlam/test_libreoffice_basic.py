"""LibreOffice, an independent VBA reader, imports the add-in's VBA project.

LibreOffice loads the VBA modules of an Excel file into a Basic library named
after the VBA project (its "Load Basic code" option is on by default) and
stores that library when the document is saved as ODS. Its type detection does
not recognise the add-in content type, so the Excel 2007 VBA import filter is
named explicitly.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from welfare_xl.xlam import ADDIN_FILENAME
from welfare_xl.xlam.build import VBA_PROJECT_NAME, xlwings_module_source
from welfare_xl.xlam.ovba import normalize_source

REPO = Path(__file__).resolve().parents[2]
VBA_DIR = REPO / "addin" / "vba"
SCRIPT_NS = "{http://openoffice.org/2000/script}"
LIBRARY_NS = "{http://openoffice.org/2000/library}"


def expected_modules() -> dict[str, tuple[str, str]]:
    """module name -> (LibreOffice module type, source text as stored in the project)."""
    modules = {
        path.stem: ("document" if path.suffix == ".cls" else "normal", path.read_text(encoding="utf-8"))
        for path in VBA_DIR.iterdir()
    }
    modules["xlwings"] = ("normal", xlwings_module_source())
    return modules


def as_imported(source: str) -> str:
    """What LibreOffice keeps of a module: the code without Attribute lines, LF endings."""
    lines = normalize_source(source).split("\r\n")[:-1]
    return "".join(line + "\n" for line in lines if not line.startswith("Attribute "))


def test_libreoffice_imports_every_vba_module(tmp_path: Path, soffice: str) -> None:
    # The soffice fixture (conftest.py) skips without LibreOffice, but fails when CI is set.
    addin = tmp_path / ADDIN_FILENAME
    shutil.copyfile(REPO / "addin" / ADDIN_FILENAME, addin)
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",  # fresh profile per run
            "--headless",
            "--norestore",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path / "out"),
            str(addin),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    converted = tmp_path / "out" / "welfare_xl.ods"
    assert converted.is_file(), f"conversion failed: {result.stdout}\n{result.stderr}"

    with zipfile.ZipFile(converted) as ods:
        libraries = etree.fromstring(ods.read("Basic/script-lc.xml"))
        assert VBA_PROJECT_NAME in {lib.get(f"{LIBRARY_NS}name") for lib in libraries}
        library = etree.fromstring(ods.read(f"Basic/{VBA_PROJECT_NAME}/script-lb.xml"))
        expected = expected_modules()
        assert {element.get(f"{LIBRARY_NS}name") for element in library} == set(expected)

        for name, (module_type, source) in expected.items():
            module = etree.fromstring(ods.read(f"Basic/{VBA_PROJECT_NAME}/{name}.xml"))
            assert module.get(f"{SCRIPT_NS}name") == name
            assert module.get(f"{SCRIPT_NS}moduleType") == module_type, name
            header_1, header_2, code = module.text.split("\n", 2)
            assert header_1.startswith("Rem Attribute VBA_ModuleType="), name
            assert header_2 == "Option VBASupport 1", name
            assert code.rstrip("\n") == as_imported(source).rstrip("\n"), name

        callback = etree.fromstring(ods.read(f"Basic/{VBA_PROJECT_NAME}/WelfareXL.xml")).text
        assert "Public Sub WelfareXL_OnAction(control As Object)" in callback
