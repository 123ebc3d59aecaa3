"""MS-CFB writer: files are read back by olefile with strict defect checking."""

from __future__ import annotations

import random
import struct

import olefile
import pytest

from welfare_xl.xlam.cfb import CompoundFileError, build_compound_file, cfb_name_key

NOSTREAM = 0xFFFFFFFF
RED, BLACK = 0, 1


def open_strict(data: bytes) -> olefile.OleFileIO:
    """Open with olefile raising on every defect, even 'unsure' ones."""
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_UNSURE)
    assert ole.parsing_issues == []
    return ole


def assert_valid_red_black_tree(ole: olefile.OleFileIO, top: int) -> int:
    """Check one storage's sibling tree (MS-CFB 2.6.4 plus the textbook rules);
    return the number of entries in it."""
    entries = ole.direntries
    if top == NOSTREAM:
        return 0
    assert entries[top].color == BLACK, "tree root must be black"
    names: list[str] = []

    def walk(sid: int, parent_red: bool) -> int:
        if sid == NOSTREAM:
            return 1
        entry = entries[sid]
        red = entry.color == RED
        assert not (red and parent_red), "two consecutive red nodes"
        left = walk(entry.sid_left, red)
        names.append(entry.name)
        right = walk(entry.sid_right, red)
        assert left == right, "black heights differ"
        return left + (0 if red else 1)

    walk(top, parent_red=False)
    keys = [cfb_name_key(name) for name in names]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "siblings out of order"
    return len(names)


def test_streams_round_trip_and_storages_are_created() -> None:
    rng = random.Random(1)
    streams = {
        "PROJECT": b"ID=...\r\n",
        "PROJECTwm": b"",
        "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"),
        "VBA/dir": rng.randbytes(5000),
        "VBA/Deep/Er/Stream": b"nested",
    }
    for size in (1, 63, 64, 65, 4095, 4096, 4097, 20000):
        streams[f"VBA/S{size}"] = rng.randbytes(size)
    ole = open_strict(build_compound_file(streams))
    for path, data in streams.items():
        assert ole.openstream(path).read() == data, path
        assert ole.get_size(path) == len(data)
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    assert ole.get_type("VBA/Deep/Er") == olefile.STGTY_STORAGE
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)


def test_small_streams_live_in_the_mini_stream() -> None:
    data = build_compound_file({"small": b"x" * 4095, "large": b"y" * 4096})
    ole = open_strict(data)
    by_name = {e.name: e for e in ole.direntries if e is not None}
    assert by_name["small"].is_minifat
    assert not by_name["large"].is_minifat
    # Header (2.2): version 3, 512-byte sectors, 64-byte mini sectors, cutoff 4096.
    _minor, major, order, shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    assert (major, order, shift, mini_shift) == (3, 0xFFFE, 9, 6)
    assert struct.unpack_from("<I", data, 56)[0] == 4096
    assert (len(data) - 512) % 512 == 0


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 40])
def test_sibling_trees_are_valid_red_black_trees(count: int) -> None:
    names = [f"M{i}" for i in range(count)] + ["LongerName", "z"]
    ole = open_strict(build_compound_file({f"S/{name}": name.encode() for name in names}))
    storage = next(e for e in ole.direntries if e is not None and e.name == "S")
    assert assert_valid_red_black_tree(ole, storage.sid_child) == len(names)
    assert assert_valid_red_black_tree(ole, ole.direntries[0].sid_child) == 1


def test_name_order_is_length_then_upper_case() -> None:
    names = ["b", "A", "aa", "B1", "_VBA_PROJECT", "dir", "PROJECTwm", "PROJECT"]
    ordered = sorted(names, key=cfb_name_key)
    assert ordered == ["A", "b", "aa", "B1", "dir", "PROJECT", "PROJECTwm", "_VBA_PROJECT"]


def test_file_over_109_fat_sectors_uses_difat() -> None:
    big = random.Random(2).randbytes(7_500_000)  # > 109 * 128 sectors of 512 bytes
    data = build_compound_file({"big": big, "tiny": b"t"})
    difat_sectors = struct.unpack_from("<I", data, 72)[0]
    assert difat_sectors >= 1
    ole = open_strict(data)
    assert ole.openstream("big").read() == big
    assert ole.openstream("tiny").read() == b"t"


def test_output_is_deterministic() -> None:
    streams = {"b/x": b"1" * 100, "a": b"2" * 5000}
    assert build_compound_file(streams) == build_compound_file(dict(reversed(list(streams.items()))))


@pytest.mark.parametrize(
    "streams",
    [
        {"a" * 32: b""},  # longer than 31 characters
        {"bad:name": b""},
        {"bad!name": b""},
        {"x": b"", "x/y": b""},  # x both stream and storage
        {"": b""},
    ],
)
def test_invalid_trees_are_refused(streams: dict[str, bytes]) -> None:
    with pytest.raises(CompoundFileError):
        build_compound_file(streams)
