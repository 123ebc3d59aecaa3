"""The add-in's log file: where a button's failure is written down in detail.

The clerk sees a Japanese message; the traceback goes to `welfare_xl.log` next
to the workbook, or, when that folder is unknown or not writable,
`~/.welfare_xl/welfare_xl.log`. 環境チェック shows where the log goes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

LOG_NAME = "welfare_xl.log"


def log_paths(book: "xw.Book | None") -> list[Path]:
    """Where the log may go, in order: next to the workbook, then the user's folder."""
    paths = []
    if book is not None:
        try:
            from welfare_xl.addin.excel.grids import book_folder

            folder = book_folder(book)
            if folder is not None:
                paths.append(folder / LOG_NAME)
        except Exception:  # noqa: BLE001 - the log must not fail the report
            pass
    paths.append(Path.home() / ".welfare_xl" / LOG_NAME)
    return paths


def write_log(book: "xw.Book | None", tag: str, details: str) -> Path | None:
    """Append a dated entry; returns the file written, None if no place was writable."""
    name = ""
    try:
        name = book.name if book is not None else ""
    except Exception:  # noqa: BLE001
        pass
    from welfare_xl import __version__

    entry = (f"[{dt.datetime.now().isoformat(timespec='seconds')}] welfare-xl {__version__} "
             f"action={tag} book={name}\n{details.rstrip()}\n\n")
    for path in log_paths(book):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(entry)
            return path
        except OSError:
            continue
    return None
