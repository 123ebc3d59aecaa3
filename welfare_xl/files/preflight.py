"""Checking a workbook file before any parser sees it: the zip, its sizes, its XML, its sheets' extent.

python-calamine is fast but native: on a hostile file it can ask for hundreds of
gigabytes (one value in a sheet's last cell makes a 17-billion-cell grid) and
the process aborts where Python cannot catch it. So every workbook is looked at
here first, cheaply, and refused with a Japanese reason (`WorkbookReadError`)
when it is over a limit (`Limits`, from the survey's `Config`) or not what
Excel writes:

- the file: not empty, not over `max_file_mb`, a zip (an encrypted workbook is
  an OLE compound file, not a zip);
- the zip's central directory: at most `Config.max_parts` parts, no encrypted part, only
  stored or deflated parts, declared sizes within `max_unzipped_mb` and, for a
  part over 1 MB inflated, within `max_inflate_ratio` of its compressed size;
- every XML part (``.xml``, ``.rels``, ``.vml``) is inflated here, bounded by its
  declared size, so a part that inflates beyond what it declares (a zip bomb that
  lies) or fails its CRC is refused; it must be UTF-8 and hold no DOCTYPE or
  ENTITY declaration. (calamine itself neither expands entities nor fetches
  external ones: it stops with XmlError "unrecognized entity" and skips a bare
  DOCTYPE; the project refuses any declaration anyway, before calamine, with a
  reason the clerk can act on);
- the sheets to be read: the grid calamine builds from A1 spans the largest
  cell reference, so `<dimension>` and every real cell reference (a crafted file
  can lie in `<dimension>`) must stay within `max_sheet_cells`.

Only the sheets asked for are checked and later parsed: for a return, 管理情報 and
the sheets that carry the keyed indicator table (`wanted_sheets`), so a huge
scratch sheet beside them is never parsed. The same pass finds the cells a
values-only reader shows empty (`HiddenCells`: error values, formulas never
calculated) and the workbook's saved time (docProps/core.xml, parsed with
defusedxml).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping
from xml.parsers import expat

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import MAX_COLS, MAX_ROWS, HiddenValue, cell_ref
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.survey import Config
from welfare_xl.errors import UserError
from welfare_xl.files.sheet_xml import BrokenReference, LazyHiddenCells, hidden_cells, sheet_extent
from welfare_xl.files.stored_zip import stored_zip

__all__ = ["Inspection", "Limits", "WorkbookReadError", "hidden_cells", "inspect", "saved_time", "sheet_extent"]

MB = 1024 * 1024
RATIO_FROM = 1 * MB  # the inflate ratio is checked on parts inflating beyond this
XML_SUFFIXES = (".xml", ".rels", ".vml")
# The parts python-calamine opens by itself whatever the relationships say (besides the sheets it
# is asked for): each is inflated and checked here first, wherever it sits.
READER_PARTS = ("workbook.xml", "workbook.xml.rels", "sharedstrings.xml", "styles.xml", "core.xml")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ENCRYPTED = ("パスワードが付いているか、古い形式（.xls）のファイルのため開けません。"
             "パスワードを外して .xlsx 形式で保存し直してもらってください。")
BROKEN = ("壊れているか途中で切れているため開けません（送信やコピーの途中で切れた可能性があります）。"
          "部署に保存し直して送り直してもらってください。")
NOT_A_WORKBOOK = "拡張子は .xlsx ですが Excel ブックではありません。部署に Excel で保存し直してもらってください。"
RESAVE = "Excel で開いて保存し直してもらってください。"


class WorkbookReadError(UserError):
    """A file could not be read as a workbook; the message is for the user (Japanese).

    `code` says why, for the tools: "unreadable" (empty, broken, encrypted, not a
    workbook), "too_large" (over a limit), "unsafe_xml" (declarations), "read_failed"
    (the reader itself failed).
    """

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """What one workbook file may hold before it is parsed (see `Config`)."""

    file_bytes: int
    unzipped_bytes: int
    inflate_ratio: float
    sheet_cells: int
    parts: int

    @classmethod
    def of(cls, config: Config | None = None) -> "Limits":
        """The limits of a survey's settings; the defaults when no survey is known."""
        c = config or Config()
        return cls(int(c.max_file_mb * MB), int(c.max_unzipped_mb * MB), float(c.max_inflate_ratio),
                   int(c.max_sheet_cells), int(c.max_parts))


@dataclass
class Inspection:
    """What the preflight learnt: the sheets in order, those to read, their hidden cells, the saved time."""

    order: list[str]
    read: list[str]
    hidden: dict[str, Mapping[tuple[int, int], HiddenValue]] = field(default_factory=dict)
    modified: datetime | None = None
    # What the reader opens: the parts inflated and checked here, stored (`stored_zip`), and no other.
    package: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class _Sheet:
    name: str
    part: str | None  # the zip member of its XML; None for a chart sheet or a broken relationship


def inspect(path: Path, limits: Limits, sheets: list[str] | None = None, *,
            tables_only: bool = False) -> Inspection:
    """Refuse `path` (WorkbookReadError) unless it is safe to hand to the reader; say which sheets to read.

    `sheets` names the sheets to read (None: all); `tables_only` reads only 管理情報 and the
    sheets carrying a keyed indicator table (all sheets when none can be told by its XML).
    The file is read once: `Inspection.package` holds the parts checked here for the reader.
    """
    data = _read_file(path, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = _Parts(data, _check_directory(z, limits))
        book = _sheets(xml)
        for name in xml.names:  # every part the reader itself opens, checked before it does
            if name.lower().endswith(READER_PARTS):
                xml.get(name)
        for s in book:
            if s.part in xml and (sheets is None or s.name in sheets):
                xml.get(s.part)
    except WorkbookReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a zip or XML structure that does not hold: broken, whatever the detail
        raise WorkbookReadError(BROKEN) from exc
    order = [s.name for s in book]
    wanted = wanted_sheets(book, xml, sheets, tables_only)
    found = Inspection(order=order, read=[s.name for s in book if s.name in wanted],
                       modified=saved_time(xml.get("docProps/core.xml")), package=stored_zip(xml.checked()))
    shared = _shared_count(xml)
    for s in book:
        if s.name in wanted and s.part in xml:
            sheet = xml.get(s.part)
            _check_extent(s.name, sheet, limits)
            _check_shared_refs(s.name, sheet, shared)
            found.hidden[s.name] = LazyHiddenCells(sheet)
    return found


class _Parts:
    """The zip's parts by name; an XML part is inflated and checked (`_check_part`) the first time
    it is asked for, so only the parts a reader needs are ever inflated. The others are bounded by
    their declared sizes and inflate ratio (`_check_directory`) and never reach a parser."""

    def __init__(self, data: bytes, infos: list[zipfile.ZipInfo]) -> None:
        self._data = data
        self._infos = {i.filename: i for i in infos}
        self.names = list(self._infos)
        self._xml: dict[str, bytes] = {}

    def checked(self) -> list[tuple[str, bytes, int]]:
        """(name, bytes, CRC-32) of every part inflated and checked so far, in the zip's order."""
        return [(name, self._xml[name], self._infos[name].CRC) for name in self.names if name in self._xml]

    def __contains__(self, name: object) -> bool:
        return name in self._infos and str(name).lower().endswith(XML_SUFFIXES)

    def get(self, name: str | None, default: bytes | None = None) -> bytes | None:
        if name not in self:
            return default
        if name not in self._xml:
            part = _inflate(self._data, self._infos[name])
            _check_part(name, part)
            self._xml[name] = part
        return self._xml[name]

    def __getitem__(self, name: str) -> bytes:
        part = self.get(name)
        if part is None:
            raise KeyError(name)
        return part

    def ending(self, suffix: str) -> bytes:
        """The first part whose name ends with `suffix` (any case), b"" when none does."""
        name = next((n for n in self.names if n.lower().endswith(suffix)), None)
        return self.get(name, b"") or b""


# --- the file and its zip ----------------------------------------------------------------


def _read_file(path: Path, limits: Limits) -> bytes:
    """The file's bytes, once it is known to be a zip within the size limit."""
    size = path.stat().st_size
    if size == 0:
        raise WorkbookReadError("空のファイル（0 バイト）です。部署に保存し直して送り直してもらってください。")
    if size > limits.file_bytes:
        raise WorkbookReadError(f"ファイルが大きすぎます（{_mb(size)}、上限 {_mb(limits.file_bytes)}）。"
                                "不要なシートや画像を削除して保存し直してもらってください。", "too_large")
    with path.open("rb") as fh:
        data = fh.read()
    if data[:8] == OLE_MAGIC:
        raise WorkbookReadError(ENCRYPTED)
    if not data.startswith(b"PK"):
        raise WorkbookReadError(NOT_A_WORKBOOK)
    return data


def _check_directory(z: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    infos = z.infolist()
    if len(infos) > limits.parts:
        raise WorkbookReadError(f"ブックの部品が多すぎます（{len(infos):,} 個）。{RESAVE}", "too_large")
    names = [info.filename.lower() for info in infos]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise WorkbookReadError(f"同じ名前の部品（{twice}）が2つある壊れたファイルで、どちらが正しいか分かりません。{RESAVE}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookReadError(ENCRYPTED)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookReadError(f"Excel が使わない圧縮方式の部品（{info.filename}）があります。{RESAVE}")
        total += info.file_size
        if info.file_size > RATIO_FROM and info.file_size > limits.inflate_ratio * max(info.compress_size, 1):
            raise WorkbookReadError(
                f"圧縮率が異常に高い部品（{info.filename}：{_mb(info.compress_size)} が {_mb(info.file_size)} に展開）"
                f"があります（上限 {limits.inflate_ratio:g} 倍）。{RESAVE}", "too_large")
    if total > limits.unzipped_bytes:
        raise WorkbookReadError(f"展開後のサイズが大きすぎます（{_mb(total)}、上限 {_mb(limits.unzipped_bytes)}）。"
                                "不要なシートや画像を削除して保存し直してもらってください。", "too_large")
    return infos


def _inflate(raw: bytes, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, never more than it declares: a part that inflates further, or fails its CRC, is broken."""
    at = info.header_offset
    local = raw[at:at + 30]
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(info.filename)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    at += 30 + name_len + extra_len
    packed = memoryview(raw)[at:at + info.compress_size]
    if len(packed) < info.compress_size:
        raise zipfile.BadZipFile(info.filename)
    if info.compress_type == zipfile.ZIP_STORED:
        data = bytes(packed)
    else:
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(packed, info.file_size + 1)
        if len(data) > info.file_size:
            raise WorkbookReadError(f"部品（{info.filename}）が申告より大きく展開されます。{RESAVE}", "too_large")
        if not inflater.eof:
            raise zipfile.BadZipFile(info.filename)
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(info.filename)
    return data


# --- XML -----------------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


EXCEL_CELL_CHARS = 32_767  # the most characters a cell holds in Excel
# A text element long enough in bytes to hold more than a cell can: a candidate, counted exactly.
_LONG_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]{%d,})" % (EXCEL_CELL_CHARS + 1))
# What every such element holds, found in one pass from each ">": no match, no candidate.
_LONG_RUN = re.compile(rb">[^<]{%d}" % (EXCEL_CELL_CHARS + 1))


def _check_xml(name: str, data: bytes) -> None:
    """UTF-8 (as Excel writes) and no DOCTYPE/ENTITY declaration: nothing to expand, nothing to fetch;
    and no text longer than a cell holds, which the reader would cut short without a word."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        raise WorkbookReadError(f"Excel が使わない文字コードの部品（{name}）があります。{RESAVE}", "unsafe_xml")
    if _DECLARATION.search(data):  # (the regex engine finds "<!" faster than `in` does)
        raise WorkbookReadError(f"Excel が書かない宣言（DOCTYPE／ENTITY）を含む部品（{name}）があります。"
                                f"安全のため読み込みません。{RESAVE}", "unsafe_xml")
    if len(data) <= EXCEL_CELL_CHARS or not _LONG_RUN.search(data):
        return  # every character takes a byte at least: no text in it can be longer than a cell holds
    for match in _LONG_TEXT.finditer(data):
        chars = len(html.unescape(match.group(1).decode("utf-8", "replace")))
        if chars > EXCEL_CELL_CHARS:
            raise WorkbookReadError(
                f"1つのセルに Excel の上限（{EXCEL_CELL_CHARS:,}文字）を超える {chars:,} 文字の文字列があります"
                f"（部品 {name}）。Excel 以外で作られたか壊れたファイルのため、途中で切れた文字を反映しないよう"
                f"読み込みません。{RESAVE}", "too_large")


def _check_part(name: str, data: bytes) -> None:
    _check_xml(name, data)
    if name.lower().endswith("sharedstrings.xml"):
        _check_shared_counts(name, data)


def _parse(data: bytes):
    import defusedxml.ElementTree as ET

    return ET.fromstring(data, forbid_dtd=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheets(xml: _Parts) -> list[_Sheet]:
    """The workbook's sheets in order, each with its XML part (via the workbook's relationships)."""
    root_rels = xml.get("_rels/.rels")
    workbook = _workbook_part(root_rels) if root_rels is not None else "xl/workbook.xml"
    if workbook not in xml:
        raise WorkbookReadError(NOT_A_WORKBOOK)
    folder = str(PurePosixPath(workbook).parent)
    rels_part = f"{folder}/_rels/{PurePosixPath(workbook).name}.rels"
    return list(_sheet_list(folder, xml[workbook], xml.get(rels_part, b"<r/>")))


# Parsed once per distinct content: the returns of one form share these parts byte for byte.
@lru_cache(maxsize=64)
def _workbook_part(root_rels: bytes) -> str:
    workbook = "xl/workbook.xml"
    for rel in _parse(root_rels):
        if rel.get("Type", "").endswith("/officeDocument"):
            workbook = _resolve("", rel.get("Target", ""))
    return workbook


@lru_cache(maxsize=64)
def _sheet_list(folder: str, workbook: bytes, rels: bytes) -> tuple[_Sheet, ...]:
    targets = {rel.get("Id"): _resolve(folder, rel.get("Target", "")) for rel in _parse(rels)}
    out = []
    for el in _parse(workbook).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            out.append(_Sheet(el.get("name", ""), targets.get(rid)))
    return tuple(out)


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def saved_time(data: bytes | None) -> datetime | None:
    """dcterms:modified from docProps/core.xml's bytes: when Excel last saved the workbook."""
    if data is None or _DECLARATION.search(data):
        return None  # a declaration is refused, as everywhere
    try:
        parser = expat.ParserCreate()
        parser.Parse(data, True)  # well-formed, or no saved time
    except Exception:  # noqa: BLE001 - a broken core.xml only loses the saved time
        return None
    found = _MODIFIED.search(data)
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found.group(1).decode("utf-8").strip().replace("Z", "+00:00"))
    except ValueError:
        return None


# The first element named modified (dcterms:modified) that holds text.
_MODIFIED = re.compile(rb"<(?:[\w.-]+:)?modified(?:\s[^>]*)?>([^<]*[^<\s][^<]*)<")


# --- which sheets, and how big ---------------------------------------------------------------

_KEY_TEXT = f"{layout.KEY_PREFIX}{layout.ID}".encode()
_KEY = re.escape(_KEY_TEXT)
_INLINE_KEY = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>\s*" + _KEY + rb"\s*</(?:\w+:)?t>")
_SHARED_ITEM = re.compile(rb"<(?:\w+:)?si[\s>]")
# Literal searches by the regex engine: 3-4x faster than bytes `in` on a sheet's XML.
_KEY_FOUND = re.compile(_KEY)
_SHARED_TYPE = re.compile(rb't="s"')


def wanted_sheets(book: list[_Sheet], xml: dict[str, bytes], sheets: list[str] | None,
                  tables_only: bool) -> set[str]:
    """The sheets to read: those named; or 管理情報 and the sheets whose XML holds the key `wxl:id`."""
    names = {s.name for s in book}
    if sheets is not None:
        return names & set(sheets)
    if not tables_only:
        return names
    shared = _shared_index(xml.get("xl/sharedStrings.xml", b"") or b"")
    if shared is None:  # the key can only be inline: look for its text before the pattern
        def keyed(data: bytes) -> bool:
            return _KEY_FOUND.search(data) is not None and _INLINE_KEY.search(data) is not None
    else:
        either = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*' + str(shared).encode()
                            + rb"\s*</(?:\w+:)?v>|" + _INLINE_KEY.pattern)

        def keyed(data: bytes) -> bool:
            return either.search(data) is not None
    tables = {s.name for s in book if s.part in xml and keyed(xml[s.part])}
    return (tables | {META_SHEET}) & names if tables else names


def _shared_index(data: bytes) -> int | None:
    """The index of the shared string `wxl:id`, or None."""
    m = _INLINE_KEY.search(data) if _KEY_FOUND.search(data) else None
    if m is None:
        return None
    return len(_SHARED_ITEM.findall(data, 0, m.start())) - 1


_SHARED_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*</(?:\w+:)?v>')


_SST_COUNTS = re.compile(rb'<(?:\w+:)?sst\s[^>]*>')
_COUNT_ATTR = re.compile(rb'\b(count|uniqueCount)="([^"]*)"')


def _check_shared_counts(name: str, data: bytes) -> None:
    """The shared-string table's declared sizes are what it holds: a reader reserves room for the
    declared number before reading one string (uniqueCount="4294967296" aborts it; the fuzz found it)."""
    head = _SST_COUNTS.search(data)
    if head is None:
        return
    items = len(_SHARED_ITEM.findall(data))
    for attr, value in _COUNT_ATTR.findall(head.group()):
        declared = int(value) if value.isdigit() else -1
        # uniqueCount is the number of strings; count, the cells using them (at most a sheet's cells).
        bound = items if attr == b"uniqueCount" else max(items, MAX_ROWS * 16)
        if not 0 <= declared <= bound:
            raise WorkbookReadError(f"共有文字列の表（{name}）の件数の記録（{attr.decode()}={value.decode()[:20]}）が"
                                    f"中身（{items} 件）と合いません。壊れたファイルです。{RESAVE}")


def _shared_count(xml: _Parts) -> Callable[[], int]:
    """How many strings the shared-string table holds, counted the first time it is asked."""
    counted: list[int] = []

    def count() -> int:
        if not counted:
            counted.append(len(_SHARED_ITEM.findall(xml.ending("sharedstrings.xml"))))
        return counted[0]
    return count


def _check_shared_refs(sheet: str, data: bytes, shared: Callable[[], int]) -> None:
    """Every shared-string number a cell of the sheet holds names a string that exists: the reader
    would otherwise take another string for it (a number past 2**64 wraps round) or fail."""
    refs = _SHARED_REF.findall(data) if _SHARED_TYPE.search(data) else None
    if not refs:
        return
    count = shared()
    highest = max(int(r) for r in refs)
    if highest >= count:
        raise WorkbookReadError(f"シート「{sheet}」のセルが、共有文字列（sharedStrings）にない {highest} 番の文字列を"
                                f"指しています（{count} 個まで）。壊れたファイルです。{RESAVE}")


def _check_extent(sheet: str, data: bytes, limits: Limits) -> None:
    try:
        rows, cols = sheet_extent(data)
    except BrokenReference as exc:
        raise WorkbookReadError(f"セルや行の位置の記録が壊れています。{RESAVE}") from exc
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > limits.sheet_cells:
        corner = cell_ref(max(min(rows, MAX_ROWS), 1) - 1, max(min(cols, MAX_COLS), 1) - 1)
        raise WorkbookReadError(
            f"シート「{sheet}」の使用範囲が大きすぎます（A1:{corner}、{rows * cols:,} セル、上限 {limits.sheet_cells:,} セル）。"
            "表の外の不要な行や列を削除して保存し直してもらってください。", "too_large")


def _mb(n: float) -> str:
    return f"{n / MB:,.1f} MB"
