"""The master written part by part (`files.xlsx_patch`) against the openpyxl reference (`survey_edit`).

Both writers get the same ConsolidationResult; the two files must read the same
in openpyxl (every cell, style, height, merge, sheet, name and print setting), the
fast one must also open in python-calamine and LibreOffice, and 元に戻す must give
the same file from both.
"""

from __future__ import annotations

import os
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.paths import TEMPLATE
from support.same_book import differences

from welfare_xl.commands.undo import undo
from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET, log_specs
from welfare_xl.core.consolidation.row_fit import consolidated_heights
from welfare_xl.files import xlsx_patch
from welfare_xl.files.atomic import write_atomic
from welfare_xl.files.pdf import find_soffice, to_pdf
from welfare_xl.files.submissions import consolidate_folder
from welfare_xl.files.survey_edit import write_result, write_result_openpyxl

NOW = datetime(2026, 5, 1, 9, 30)


def fast(survey: Path, out: Path, result) -> Path:
    """The fast path alone: fails (Unsupported) instead of falling back."""
    return xlsx_patch.write_result(survey, out, result, consolidated_heights, log_specs, write_atomic)


def both(survey: Path, returns: Path, where: Path, *, keep_vba: bool = False) -> tuple[Path, Path]:
    result = consolidate_folder(survey, returns, run_at=NOW)
    assert result.changes, "a comparison without changes proves nothing"
    a = fast(survey, where / f"fast{survey.suffix}", result)
    b = write_result_openpyxl(survey, where / f"ref{survey.suffix}", result)
    assert differences(a, b, keep_vba=keep_vba) == []
    return a, b


def test_shipped_sample_same_as_openpyxl_and_readable_everywhere(office, tmp_path: Path) -> None:
    survey, returns = office
    a, _ = both(survey, returns, tmp_path)
    book = CalamineWorkbook.from_path(str(a))
    assert LOG_SHEET in book.sheet_names and DATA_SHEET in book.sheet_names
    assert book.get_sheet_by_name(LOG_SHEET).to_python()[0][0].startswith("集約ログ")
    with zipfile.ZipFile(a) as z:
        assert z.testzip() is None


def test_earlier_log_replaced_and_undo_gives_the_same_file(office, tmp_path: Path) -> None:
    survey, returns = office
    first = consolidate_folder(survey, returns, run_at=NOW)
    once = write_result_openpyxl(survey, tmp_path / "once.xlsx", first)  # a master with a log already
    fill_department(returns / "地域共生課.xlsx", {k: "1" for k in CHIIKI}, CHIIKI_TEXTS)
    a, b = both(once, returns, tmp_path)
    assert load_workbook(a).sheetnames.count(LOG_SHEET) == 1
    undo(a, now=NOW)
    undo(b, now=NOW)
    assert differences(a, b) == []


def test_formulas_kept_in_the_log_and_put_back_by_undo(office, tmp_path: Path) -> None:
    survey, returns = office
    result = consolidate_folder(survey, returns, run_at=NOW)
    wb = load_workbook(survey)
    ws = wb[result.sheet]
    targets = [ch for ch in result.changes if isinstance(ch.new, (int, float))][:2]
    ws.cell(targets[0].row + 1, targets[0].col + 1).value = "=1+2"
    ws.cell(targets[1].row + 1, targets[1].col + 1).value = "=1/0"
    wb.save(tmp_path / "式.xlsx")
    a, b = both(tmp_path / "式.xlsx", returns, tmp_path)
    undo(a, now=NOW)
    undo(b, now=NOW)
    assert differences(a, b) == []
    assert load_workbook(a)[result.sheet].cell(targets[0].row + 1, targets[0].col + 1).value == "=1+2"


def test_xlsm_keeps_its_vba(office, tmp_path: Path) -> None:
    survey, returns = office
    wb = load_workbook(survey)
    xlsm = tmp_path / "調査票.xlsm"
    wb.save(xlsm)
    with zipfile.ZipFile(xlsm, "a") as z:  # a VBA part as Excel stores it (content is opaque here)
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake-vba")
    a, _ = both(xlsm, returns, tmp_path)
    with zipfile.ZipFile(a) as z:
        assert z.read("xl/vbaProject.bin") == b"\xd0\xcf\x11\xe0fake-vba"


def test_merged_middle_falls_back_to_openpyxl_and_its_message(office, tmp_path: Path) -> None:
    survey, returns = office
    result = consolidate_folder(survey, returns, run_at=NOW)
    ch = result.changes[0]
    wb = load_workbook(survey)
    wb[result.sheet].merge_cells(start_row=ch.row + 1, start_column=ch.col, end_row=ch.row + 1, end_column=ch.col + 1)
    wb.save(tmp_path / "結合.xlsx")
    with pytest.raises(xlsx_patch.Unsupported):
        fast(tmp_path / "結合.xlsx", tmp_path / "x.xlsx", result)
    from welfare_xl.files.atomic import OutputError

    with pytest.raises(OutputError, match="結合セル"):
        write_result(tmp_path / "結合.xlsx", tmp_path / "y.xlsx", result)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_fast_file_prints_in_libreoffice(office, tmp_path: Path) -> None:

    survey, returns = office
    result = consolidate_folder(survey, returns, run_at=NOW)
    a = fast(survey, tmp_path / "fast.xlsx", result)
    pdf = to_pdf(a, tmp_path / "fast.pdf")
    assert Path(pdf).read_bytes().startswith(b"%PDF")


def test_two_thousand_rows_same_as_openpyxl(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from corpus import synthetic_office  # noqa: PLC0415

    survey, returns = synthetic_office(tmp_path, 10, 200)
    both(survey, returns, tmp_path)


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is needed to save the master as an office suite does")
def test_a_master_saved_by_an_office_suite_same_as_openpyxl(office, tmp_path: Path) -> None:
    """The master as Excel or LibreOffice saves it (shared strings, every flag spelled out), not as
    openpyxl wrote the template: the case a city hall meets after its first save."""
    import subprocess

    survey, returns = office
    saved = tmp_path / "saved"
    subprocess.run([find_soffice(), "--headless", "--convert-to", "xlsx", "--outdir", str(saved), str(survey)],
                   check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    master = saved / survey.name
    with zipfile.ZipFile(master) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    both(master, returns, tmp_path)


def test_log_sheet_cells_written_as_cell_xml_writes_each() -> None:
    """spec_sheet_xml writes texts inline itself (a fast path): the same bytes as `cell_xml` for every kind
    of value, its style index looked up once per style, a formula-like text refused unless styled as text."""
    import re

    from welfare_xl.core.sheets.spec import SheetSpec, Style
    from welfare_xl.files.xlsx_parts import Styles, Unsupported, cell_xml, spec_sheet_xml

    styles_xml = zipfile.ZipFile(TEMPLATE).read("xl/styles.xml").decode()
    plain, bold, text = Style(), Style(bold=True), Style(text=True)
    values = [" lead", "trail ", "\u3000全角空白", "a&b<c>d", "=SUM(A1)", "改行\nあり", "", None, 0, 1.5, True,
              -2, "ＡＢＣ", "x" * 200]
    spec = SheetSpec(name="t", col_widths={0: 10})
    for r, value in enumerate(values):
        for c, style in enumerate((plain, bold, text)):
            if value == "=SUM(A1)" and style is not text:
                continue
            spec.put(r, c, value, style)
    spec.row_heights[3] = 30.0
    ref = Styles(styles_xml)
    want = "".join(cell_xml(f"{'ABC'[c]}{r + 1}", str(ref.index(style)), value)
                   for (r, c), (value, style) in sorted(spec.cells.items()))
    got = re.search(r"<sheetData>(.*)</sheetData>", spec_sheet_xml(spec, Styles(styles_xml)), re.S).group(1)
    assert re.sub(r"</?row[^>]*>", "", got) == want
    assert '<row r="4" ht="30" customHeight="1">' in got
    spec.put(0, 3, "=1+1", plain)
    with pytest.raises(Unsupported):
        spec_sheet_xml(spec, Styles(styles_xml))
