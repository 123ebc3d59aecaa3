"""Files we write open in a real spreadsheet application (LibreOffice, headless)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from support.paths import TEMPLATE
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from welfare_xl.commands.split import split


def to_pdf(soffice: str, src: Path, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=180)
    pdf = outdir / (src.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), proc.stderr + proc.stdout
    return pdf


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_split_workbook_renders_in_libreoffice(soffice: str, tmp_path: Path):
    split(TEMPLATE, tmp_path / "配布")
    path = fill_department(tmp_path / "配布" / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS)
    pdf = to_pdf(soffice, path, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "1190.55 x 841.89" in info  # A3 landscape, points
    text = pdf_text(pdf)
    for expected in ["地域共生課", "ボランティア・市民活動センターの登録者数", "504人", "700人", "【入力】"]:
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "BIZUDGothic" in fonts
