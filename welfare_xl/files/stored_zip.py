"""A zip of parts already inflated and checked, stored (not deflated), for the reader.

The preflight (`welfare_xl.files.preflight`) inflates and checks every part the
reader will open. Handing python-calamine a package of exactly those parts,
stored, means it opens nothing the preflight has not checked (a part it would
find by itself is simply not there) and inflates nothing a second time.

Written from PKWARE's APPNOTE.TXT (4.3.7 local file header, 4.3.12 central
directory header, 4.3.16 end of central directory record): no zip64 (the
preflight's limits keep every part and the whole far below 4 GiB), names in
UTF-8 (flag bit 11) where they are not ASCII.
"""

from __future__ import annotations

import struct

_LOCAL = struct.Struct("<IHHHHHIIIHH")  # 30 bytes, then the name
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # 46 bytes, then the name
_END = struct.Struct("<IHHHHIIH")  # 22 bytes
_VERSION = 20  # 2.0: what a stored or deflated part needs
_UTF8 = 0x800
_DOS_DATE = (1 << 5) | 1  # 1980-01-01: the parts carry no time the reader uses
MAX_PARTS = 0xFFFF


def stored_zip(parts: list[tuple[str, bytes, int]]) -> bytes:
    """The bytes of a zip holding each (name, data, crc32 of data) stored, in the order given."""
    if len(parts) > MAX_PARTS:
        raise ValueError(f"{len(parts)} parts: more than a zip without zip64 holds")
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, crc in parts:
        try:
            raw, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw, flags = name.encode("utf-8"), _UTF8
        size = len(data)
        local = _LOCAL.pack(0x04034B50, _VERSION, flags, 0, 0, _DOS_DATE, crc, size, size, len(raw), 0)
        out += (local, raw, data)
        central.append(_CENTRAL.pack(0x02014B50, _VERSION, _VERSION, flags, 0, 0, _DOS_DATE, crc, size, size,
                                     len(raw), 0, 0, 0, 0, 0, offset) + raw)
        offset += len(local) + len(raw) + size
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(out) + directory + end
