"""A writer for MS-CFB (Compound File Binary) version 3 files.

Written from [MS-CFB]. ``olefile`` and ``oletools`` can read compound files but not
create them, so ``vbaProject.bin`` is produced here. Scope: what a VBA project
needs — storages and streams, 512-byte sectors, the mini stream for streams under
4096 bytes, DIFAT sectors for files over ~6.8 MB — with fully deterministic output
(no timestamps, no CLSIDs, fixed sector order).

Sector order in the file: FAT, DIFAT, directory, mini FAT, mini stream, then the
regular streams in directory order. Each storage's children form a red-black tree
(2.6.4) built perfectly balanced from the sorted names; only the nodes of an
incomplete bottom level are red, which satisfies even the textbook red-black
rules, not just the two that MS-CFB requires.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["CompoundFileError", "build_compound_file", "cfb_name_key"]

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
_ENTRY_SIZE = 128
_ENTRIES_PER_SECTOR = SECTOR_SIZE // _ENTRY_SIZE
_IDS_PER_SECTOR = SECTOR_SIZE // 4
_HEADER_DIFAT_SLOTS = 109

# Special sector numbers (2.1).
DIFSECT = 0xFFFFFFFC
FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

# Directory entry object types and colours (2.6.1).
_TYPE_UNALLOCATED = 0x00
_TYPE_STORAGE = 0x01
_TYPE_STREAM = 0x02
_TYPE_ROOT = 0x05
_RED = 0x00
_BLACK = 0x01

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_FORBIDDEN_NAME_CHARS = frozenset("/\\:!")


class CompoundFileError(ValueError):
    """Raised when the requested tree cannot be stored in a compound file."""


@dataclass(eq=False)
class _Entry:
    name: str
    object_type: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    index: int = -1
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def cfb_name_key(name: str) -> tuple[int, tuple[int, ...]]:
    """Sort key of a directory entry name (2.6.4): shorter names first, then
    UTF-16 code units compared after simple upper-casing."""
    units = name.encode("utf-16-le")
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    upper_units = upper.encode("utf-16-le")
    return len(units), tuple(
        int.from_bytes(upper_units[i : i + 2], "little") for i in range(0, len(upper_units), 2)
    )


def _check_name(name: str) -> None:
    if not name:
        raise CompoundFileError("empty directory entry name")
    if len(name.encode("utf-16-le")) > 62:  # 31 UTF-16 code units + terminator = 64 bytes
        raise CompoundFileError(f"directory entry name longer than 31 characters: {name!r}")
    if _FORBIDDEN_NAME_CHARS & set(name):
        raise CompoundFileError(f"directory entry name contains one of / \\ : ! : {name!r}")


def _build_tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _TYPE_ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        for part in parts:
            _check_name(part)
        parent = root
        for part in parts[:-1]:
            node = parent.children.get(part)
            if node is None:
                node = parent.children[part] = _Entry(part, _TYPE_STORAGE)
            elif node.object_type != _TYPE_STORAGE:
                raise CompoundFileError(f"{part!r} is both a stream and a storage")
            parent = node
        leaf = parts[-1]
        if leaf in parent.children:
            raise CompoundFileError(f"duplicate entry {path!r}")
        if len(data) >= 1 << 32:
            raise CompoundFileError(f"stream too large for a version 3 file: {path!r}")
        parent.children[leaf] = _Entry(leaf, _TYPE_STREAM, data=bytes(data))
    return root


def _link_siblings(children: list[_Entry]) -> int:
    """Arrange ``children`` (already sorted) as a balanced binary search tree via
    their left/right fields and colour it; return the index of its root."""
    if not children:
        return NOSTREAM
    depths: dict[int, int] = {}

    def link(low: int, high: int, depth: int) -> int:
        if low > high:
            return NOSTREAM
        middle = (low + high) // 2
        node = children[middle]
        depths[id(node)] = depth
        node.left = link(low, middle - 1, depth + 1)
        node.right = link(middle + 1, high, depth + 1)
        return node.index

    top = link(0, len(children) - 1, 0)
    max_depth = max(depths.values())
    perfect = len(children) == (1 << (max_depth + 1)) - 1
    for node in children:
        # Median splitting leaves every missing child on the last two levels, so
        # painting an incomplete last level red equalises black heights.
        node.color = _RED if (not perfect and depths[id(node)] == max_depth) else _BLACK
    return top


def _assign_directory(root: _Entry) -> list[_Entry]:
    """Give every entry a directory index (breadth first, siblings in sort order)
    and link each storage's children into its tree."""
    ordered: list[_Entry] = [root]
    root.index = 0
    queue = [root]
    while queue:
        storage = queue.pop(0)
        children = sorted(storage.children.values(), key=lambda e: cfb_name_key(e.name))
        for child in children:
            child.index = len(ordered)
            ordered.append(child)
        storage.child = _link_siblings(children)
        queue.extend(c for c in children if c.object_type == _TYPE_STORAGE)
    root.color = _BLACK
    return ordered


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _pack_entry(entry: _Entry | None) -> bytes:
    if entry is None:  # unallocated slot (2.6.3): zero except the three stream IDs
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            b"", 0, _TYPE_UNALLOCATED, _RED, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0,
        )
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.object_type,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        b"",  # CLSID: none
        0,  # state bits
        0,  # creation time: zero keeps the output reproducible
        0,  # modification time
        entry.start if entry.object_type != _TYPE_STORAGE else 0,
        entry.size,
    )


def build_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Return a compound file holding ``streams``.

    Keys are paths below the root storage with ``/`` between storage names, e.g.
    ``{"PROJECT": b"...", "VBA/dir": b"..."}``; intermediate storages are created
    as needed. The same input always produces the same bytes.

    Long because it lays the file out in one pass in [MS-CFB]'s own order (mini
    stream, regular streams, directory, FAT, DIFAT), and each step fixes the
    sector numbers the next one writes: split apart, the sector arithmetic would
    travel through half a dozen return values and be harder to check against the
    spec, section by section.
    """
    root = _build_tree(streams)
    entries = _assign_directory(root)
    stream_entries = [e for e in entries if e.object_type == _TYPE_STREAM]
    mini = [e for e in stream_entries if 0 < len(e.data) < MINI_STREAM_CUTOFF]
    regular = [e for e in stream_entries if len(e.data) >= MINI_STREAM_CUTOFF]

    # Mini stream layout: each small stream gets whole 64-byte mini sectors.
    minifat: list[int] = []
    mini_stream = bytearray()
    for entry in mini:
        count = _ceil_div(len(entry.data), MINI_SECTOR_SIZE)
        entry.start = len(minifat)
        entry.size = len(entry.data)
        minifat.extend(range(entry.start + 1, entry.start + count))
        minifat.append(ENDOFCHAIN)
        mini_stream += entry.data.ljust(count * MINI_SECTOR_SIZE, b"\x00")
    for entry in stream_entries:
        if not entry.data:
            entry.start, entry.size = ENDOFCHAIN, 0

    dir_sectors = _ceil_div(len(entries), _ENTRIES_PER_SECTOR)
    minifat_sectors = _ceil_div(len(minifat), _IDS_PER_SECTOR)
    ministream_sectors = _ceil_div(len(mini_stream), SECTOR_SIZE)
    regular_sectors = sum(_ceil_div(len(e.data), SECTOR_SIZE) for e in regular)
    data_sectors = dir_sectors + minifat_sectors + ministream_sectors + regular_sectors

    # The FAT must also describe its own sectors and the DIFAT sectors: iterate.
    fat_sectors = difat_sectors = 0
    while True:
        needed_fat = _ceil_div(data_sectors + fat_sectors + difat_sectors, _IDS_PER_SECTOR)
        needed_difat = _ceil_div(max(0, needed_fat - _HEADER_DIFAT_SLOTS), _IDS_PER_SECTOR - 1)
        if (needed_fat, needed_difat) == (fat_sectors, difat_sectors):
            break
        fat_sectors, difat_sectors = needed_fat, needed_difat

    fat = [FREESECT] * (fat_sectors * _IDS_PER_SECTOR)
    next_sector = 0

    def allocate(count: int, marker: int | None = None) -> int:
        """Reserve ``count`` consecutive sectors, chained unless ``marker`` is
        given; return the first one (ENDOFCHAIN when count is 0)."""
        nonlocal next_sector
        if count == 0:
            return ENDOFCHAIN
        first = next_sector
        for sector in range(first, first + count):
            if marker is not None:
                fat[sector] = marker
            else:
                fat[sector] = sector + 1 if sector + 1 < first + count else ENDOFCHAIN
        next_sector += count
        return first

    first_fat = allocate(fat_sectors, FATSECT)
    first_difat = allocate(difat_sectors, DIFSECT)
    first_dir = allocate(dir_sectors)
    first_minifat = allocate(minifat_sectors)
    first_ministream = allocate(ministream_sectors)
    for entry in regular:
        entry.size = len(entry.data)
        entry.start = allocate(_ceil_div(entry.size, SECTOR_SIZE))
    root.start = first_ministream
    root.size = len(mini_stream)

    fat_sector_ids = list(range(first_fat, first_fat + fat_sectors)) if fat_sectors else []
    header_difat = fat_sector_ids[:_HEADER_DIFAT_SLOTS]
    header_difat += [FREESECT] * (_HEADER_DIFAT_SLOTS - len(header_difat))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _SIGNATURE,
        b"",  # header CLSID: zero
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order mark: little-endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"",  # reserved
        0,  # number of directory sectors: MUST be 0 in version 3
        fat_sectors,
        first_dir,
        0,  # transaction signature
        MINI_STREAM_CUTOFF,
        first_minifat,
        minifat_sectors,
        first_difat if difat_sectors else ENDOFCHAIN,
        difat_sectors,
    ) + struct.pack(f"<{_HEADER_DIFAT_SLOTS}I", *header_difat)

    body = bytearray()
    body += struct.pack(f"<{len(fat)}I", *fat)
    overflow = fat_sector_ids[_HEADER_DIFAT_SLOTS:]
    for n in range(difat_sectors):
        slots = overflow[n * 127 : (n + 1) * 127]
        slots += [FREESECT] * (127 - len(slots))
        following = first_difat + n + 1 if n + 1 < difat_sectors else ENDOFCHAIN
        body += struct.pack("<128I", *slots, following)
    directory = b"".join(_pack_entry(e) for e in entries)
    directory += _pack_entry(None) * (dir_sectors * _ENTRIES_PER_SECTOR - len(entries))
    body += directory
    minifat += [FREESECT] * (minifat_sectors * _IDS_PER_SECTOR - len(minifat))
    body += struct.pack(f"<{len(minifat)}I", *minifat)
    body += bytes(mini_stream).ljust(ministream_sectors * SECTOR_SIZE, b"\x00")
    for entry in regular:
        body += entry.data.ljust(_ceil_div(len(entry.data), SECTOR_SIZE) * SECTOR_SIZE, b"\x00")
    if len(body) != next_sector * SECTOR_SIZE:
        raise RuntimeError("compound file layout is inconsistent")  # internal invariant
    return header + bytes(body)
