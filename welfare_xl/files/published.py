"""A printed output (the committee version, the final evaluation) and its PDF, written as every command writes.

`publish` is the one place the commands that print a survey (`committee`, `final`) share: each
output under the lock, a file already there first copied to a timestamped backup (the caller's
`echo` is told where), the workbook written by the caller's writer, then the PDF rendered by
LibreOffice. A PDF that cannot be made leaves the workbook written and says why
(`Published.pdf_error`); the output rules themselves (`atomic.check_output`) are the caller's,
made before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.files.atomic import Output, backup_existing
from welfare_xl.files.lock import locked
from welfare_xl.files.pdf import RenderError, to_pdf


@dataclass
class Published:
    pdf: Path | None = None  # as the user named it
    pdf_error: str | None = None


def backed_up(path: Path, now: datetime, echo: Callable[[str], None] | None) -> None:
    """Copy a file already at `path` to a timestamped backup beside it, and say where."""
    made = backup_existing(path, now)
    if made is not None and echo is not None:
        echo(f"既存のファイルをバックアップしました: {made}")


def publish(write: Callable[[Path], object], out: Output, pdf: Output | None, *, now: datetime,
            echo: Callable[[str], None] | None = None) -> Published:
    """`write(path)` the workbook at `out` and render it to `pdf` (when asked), each backed up and locked."""
    with locked(out.path):
        backed_up(out.path, now, echo)
        write(out.path)
    done = Published()
    if pdf is not None:
        try:
            with locked(pdf.path):
                backed_up(pdf.path, now, echo)
                to_pdf(out.path, pdf.path)
            done.pdf = pdf.given
        except RenderError as exc:
            done.pdf_error = str(exc)
    return done
