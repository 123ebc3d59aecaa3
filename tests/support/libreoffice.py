"""LibreOffice headless for the tests: a workbook recalculated and saved as a spreadsheet application does,
and the words of a PDF it printed, with their boxes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def recalculated(soffice: str, files: list[Path], outdir: Path) -> dict[str, Path]:
    """The files as LibreOffice saves them after loading: every formula calculated (openpyxl keeps none)."""
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(outdir / 'lo-profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)],
        capture_output=True, text=True, timeout=300)
    out = {f.stem: outdir / f.name for f in files}
    assert proc.returncode == 0 and all(p.exists() for p in out.values()), proc.stderr + proc.stdout
    return out


def pdf_words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every word pdftotext finds in `pdf`."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            text = m.group(5).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            out.append((page, *map(float, m.groups()[:4]), text))
    return out
