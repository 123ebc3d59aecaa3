"""LibreOffice headless for the tests: a workbook recalculated and saved as a spreadsheet application does."""

from __future__ import annotations

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
