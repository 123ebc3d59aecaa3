"""The 設定 sheet of the survey workbook: which folders the buttons use.

The secretariat keeps the survey workbook, the returned files (提出) and the
files sent out (配布) side by side. Folder names are read from a small sheet of
label/value rows so a clerk can change them without touching any file but the
workbook. Rows are found by their label, not by position.

Relative folders are taken from the 作業フォルダ, which by default is the folder
the workbook is saved in. The remote engine (Excel in a browser, xlwings Server)
does not know where the workbook is saved; there the 作業フォルダ must be an
absolute path, and the actions say so when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING

from welfare_xl.addin.excel.grids import book_folder, find_sheet, last_visible_sheet, read_grid
from welfare_xl.core.model.cells import Grid
from welfare_xl.core.sheets.spec import FILL_HEADER, FILL_INPUT, SheetSpec, Style
from welfare_xl.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

SHEET = "設定"
BASE = "作業フォルダ"
SUBMISSIONS = "提出フォルダ"
DISTRIBUTION = "配布フォルダ"

DEFAULTS: dict[str, str] = {BASE: "", SUBMISSIONS: "提出", DISTRIBUTION: "配布"}
_HELP = {
    BASE: "空欄のときは、このブックを保存したフォルダ。ブラウザー版の Excel など、ブックの場所が分からないときは絶対パスを書きます。",
    SUBMISSIONS: "部署から返ってきた調査票（.xlsx）を置くフォルダ。「集約」「提出状況」が読みます。",
    DISTRIBUTION: "「部署別シート作成」が、部署に配る調査票を書き出すフォルダ。",
}
_TITLE = "welfare-xl 設定"
_INTRO = ("アドインのボタンがこのシートを読みます。フォルダは絶対パスか、作業フォルダからの相対パスで書きます。"
          "項目名（A列）は変えないでください。")
_HEADER_ROW = 3


class FolderUnknown(UserError):
    """A folder cannot be located (the workbook's own folder is unknown)."""


@dataclass
class Settings:
    values: dict[str, str] = field(default_factory=lambda: dict(DEFAULTS))
    present: bool = True  # False: the sheet was missing (and is being created)
    book_dir: Path | None = None  # the folder the workbook is saved in, if known

    @property
    def base(self) -> Path | None:
        """The 作業フォルダ: the written one, else the workbook's folder."""
        written = self.values.get(BASE, "").strip()
        if written:
            path = _path(written)
            if path is not None:
                return path
            if self.book_dir is not None:
                return self.book_dir / written
            return None
        return self.book_dir

    def folder(self, key: str) -> Path:
        """The folder named by `key`, resolved; raises FolderUnknown (Japanese) when it cannot be."""
        written = (self.values.get(key) or DEFAULTS[key]).strip() or DEFAULTS[key]
        path = _path(written)
        if path is not None:
            return path
        base = self.base
        if base is None:
            raise FolderUnknown(_unknown(f"「{key}」（{written}）"))
        return base / written

    def folder_of_base(self) -> Path:
        """The 作業フォルダ itself (where outputs "next to the survey" go), or FolderUnknown."""
        base = self.base
        if base is None:
            raise FolderUnknown(_unknown("書き出し先のフォルダ"))
        return base


def _unknown(what: str) -> str:
    return (f"{what}の場所が分かりません。このブックの保存場所が分からないためです"
            "（まだ保存していないブック、またはブラウザー版の Excel など）。"
            f"ブックを保存するか、「{SHEET}」シートの「{BASE}」にフォルダの絶対パス"
            "（例：C:\\進捗調査\\令和元年度）を書いてから、もう一度実行してください。")


def _path(text: str) -> Path | None:
    """`text` as a path when it is absolute (Windows or POSIX), else None."""
    if PureWindowsPath(text).is_absolute() or text.startswith("/"):
        return Path(text)
    return None


def parse(grid: Grid) -> dict[str, str]:
    """Label → value of the known rows; unknown rows are ignored."""
    values = dict(DEFAULTS)
    for row in grid:
        if not row or not isinstance(row[0], str):
            continue
        label = row[0].strip()
        if label in DEFAULTS:
            raw = row[1] if len(row) > 1 else None
            values[label] = "" if raw is None else str(raw).strip()
    return values


def spec() -> SheetSpec:
    """The 設定 sheet as first written, with the defaults."""
    out = SheetSpec(name=SHEET, col_widths={0: 16, 1: 40, 2: 90})
    plain = Style(border=None, wrap=False, v_align="center")
    out.put(0, 0, _TITLE, Style(bold=True, size=13, border=None, wrap=False))
    out.put(1, 0, _INTRO, plain)
    header = Style(bold=True, fill=FILL_HEADER, wrap=False)
    for c, text in enumerate(("項目", "値", "説明")):
        out.put(_HEADER_ROW, c, text, header)
    for n, (key, value) in enumerate(DEFAULTS.items(), start=_HEADER_ROW + 1):
        out.put(n, 0, key, Style(wrap=False))
        out.put(n, 1, value or None, Style(wrap=False, fill=FILL_INPUT, locked=False, text=True))
        out.put(n, 2, _HELP[key], Style(wrap=False, size=9))
    return out


def load(book: "xw.Book", *, create: bool) -> Settings:
    """The settings of the open workbook.

    With `create`, a missing 設定 sheet is added with the defaults (a queued write
    on the remote engine: the defaults are returned from memory, not read back).
    """
    settings = Settings(book_dir=book_folder(book))
    sheet = find_sheet(book, SHEET)
    if sheet is not None:
        settings.values = parse(read_grid(sheet))
        return settings
    settings.present = False
    if create:
        from welfare_xl.addin.excel.sheet_writer import write_new_sheet

        active = book.sheets.active
        write_new_sheet(book, spec(), after=last_visible_sheet(book))  # never after the hidden 管理情報
        active.activate()  # adding a sheet activates it; the clerk stays where they were
    return settings
