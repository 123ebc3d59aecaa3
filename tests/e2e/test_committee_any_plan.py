"""The committee version of a long plan, written and printed: the chart inside the print area (read
back from the saved workbook's drawing), and in the PDF the 100 % axis label, the full long name,
the grade trend and a print scale that keeps 10 pt text at 9 pt or more (issue 9)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.long_plan import LONG_NAME, long_plan
from support.libreoffice import pdf_words

from welfare_xl.core.sheets.committee import SUMMARY_SHEET
from welfare_xl.files.committee_book import write_committee
from welfare_xl.files.pdf import to_pdf

EMU_PER_PX = 9525


@pytest.fixture(scope="module")
def long_book(tmp_path_factory) -> Path:
    return write_committee(long_plan(8, unrecorded=(2018,)), tmp_path_factory.mktemp("long") / "委員会.xlsx")


@pytest.fixture(scope="module")
def long_pdf(long_book: Path, soffice: str) -> Path:
    return to_pdf(long_book, long_book.with_suffix(".pdf"), soffice=soffice)


def _col_px(ws, letter: str) -> float:
    dim = ws.column_dimensions.get(letter)
    width = dim.width if dim is not None and dim.width else 8.43
    return width * 7 + 5


def test_chart_inside_the_print_area_of_the_saved_workbook(long_book: Path) -> None:
    from openpyxl.utils import column_index_from_string, get_column_letter

    ws = load_workbook(long_book)[SUMMARY_SHEET]
    (chart,) = ws._charts
    anchor = chart.anchor
    first = anchor._from.col  # 0-based
    left_px = sum(_col_px(ws, get_column_letter(c + 1)) for c in range(first)) + anchor._from.colOff / EMU_PER_PX
    right_px = left_px + anchor.ext.width / EMU_PER_PX
    area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
    last_letter, last_row = re.search(r"\$?([A-Z]+)\$?(\d+)$", area.split("!")[-1]).groups()
    area_px = sum(_col_px(ws, get_column_letter(c)) for c in range(1, column_index_from_string(last_letter) + 1))
    assert right_px <= area_px, (right_px, area_px)
    top_rows = sum((ws.row_dimensions[r].height or 15) for r in range(1, anchor._from.row + 1))
    area_pt = sum((ws.row_dimensions[r].height or 15) for r in range(1, int(last_row) + 1))
    assert top_rows + anchor.ext.height / 12700 <= area_pt + 1, "the chart reaches below the print area"




def test_pdf_shows_the_100_percent_label_and_the_full_long_name(long_pdf: Path) -> None:
    layout = subprocess.run(["pdftotext", "-layout", str(long_pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    summary_page = next(p for p in layout.split("\f") if "進捗評価の集計" in p)
    assert re.search(r"(?<![\d−-])100%", summary_page), "the axis' 100 % label is printed"
    # The long name, wrapped in its table cell: the lines of one cell start at the same x.
    words = [w for w in pdf_words(long_pdf) if w[0] == 1 + layout.split("\f").index(summary_page)]
    by_x: dict[float, list[tuple[float, str]]] = {}
    for _, x0, y0, _, _, text in words:
        by_x.setdefault(round(x0), []).append((y0, text))
    columns = ["".join(t for _, t in sorted(v)) for v in by_x.values()]
    assert any(LONG_NAME in c for c in columns)


def test_pdf_prints_10pt_text_at_9pt_or_more_on_every_page(long_pdf: Path) -> None:
    """「進捗評価」 (4 full-width characters, 10 pt bold) heads a column on every page: its printed
    width is 4 × 10 pt × the page's scale."""
    words = pdf_words(long_pdf)
    pages = {w[0] for w in words}
    heads = {p: [w for w in words if w[0] == p and w[5] == "進捗評価"] for p in pages}
    assert all(heads.values()), "every page has a 進捗評価 column"
    for page, found in heads.items():
        for _, x0, _, x1, _, _ in found:
            assert (x1 - x0) / 4 >= 9.0 * 0.995, (page, x1 - x0)


def test_pdf_shows_the_trend_and_its_footnote(long_pdf: Path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(long_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # Seven plan years: the trend is broken after an arrow into two even lines (four grades, then three).
    assert re.search(r"[◎○△×－](→[◎○△×－]){3}→", text), text
    assert re.search(r"(?<![→◎○△×－])[◎○△×－](→[◎○△×－]){2}(?![→◎○△×－])", text)
    assert "推計" in text and "省略" in text
