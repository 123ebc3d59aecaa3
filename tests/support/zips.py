"""Making bad workbook files in code: a good return with one part rewritten, a part that lies about its size.

    from support.zips import rewrite, sheet_part, lie_about_size
    part = sheet_part(good, "地域共生課")
    rewrite(good, bad, {part: lambda xml: xml.replace(b"<sheetData>", b"<sheetData>...")})
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Mapping, Union

Change = Union[bytes, Callable[[bytes], bytes]]


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding `sheet`'s XML, by the workbook's own relationships."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    name = target.group(1).lstrip("/")
    return name if name.startswith("xl/") else f"xl/{name}"


def rewrite(src: Path, dst: Path, changes: Mapping[str, Change], *, level: int | None = None) -> Path:
    """A copy of the workbook `src` at `dst` with the parts in `changes` replaced (bytes) or transformed
    (a function of the old bytes); a part not in `src` is added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            change = changes.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data)
        for name, change in changes.items():
            if name not in zin.namelist():
                zout.writestr(name, change if isinstance(change, bytes) else change(b""))
    return dst


def lie_about_size(path: Path, member: str, declared: int) -> None:
    """Make `member` declare `declared` bytes (and the CRC of its first `declared` bytes) in both its
    local header and the central directory, while its deflate stream inflates to its real size."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
        crc = zlib.crc32(z.read(member)[:declared])
    raw = bytearray(path.read_bytes())
    # local header: CRC at +14, compressed size +18, uncompressed size +22
    struct.pack_into("<I", raw, info.header_offset + 14, crc)
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        name_len = struct.unpack_from("<H", raw, start + 28)[0]
        if bytes(raw[start + 46:start + 46 + name_len]) == member.encode():
            # central directory: CRC at +16, uncompressed size +24
            struct.pack_into("<I", raw, start + 16, crc)
            struct.pack_into("<I", raw, start + 24, declared)
        start = raw.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(raw))
