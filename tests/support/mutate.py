"""Seeded random damage to a good return: the mutation fuzz of issue 8.

A mutant is 地域共生課's good return, saved as Excel saves it (shared strings), with one
part damaged: the department sheet's XML, the 管理情報 sheet's, sharedStrings, styles,
workbook.xml, its relationships, [Content_Types].xml, docProps/core.xml, or the zip's own
bytes. Damage is byte flips, truncation, random bytes, XML fragments, a duplicated or
removed element, a huge or impossible number in an attribute or index, or the zip
rewritten with its central directory damaged or missing. `mutants(good, folder, n, seed)`
writes n of them; the same seed always gives the same files.

Damage no reader could ever tell from a real answer is left out, so that "its value
must be the good one or the file is named" holds: flips and random bytes never write a
digit, an index is only ever made impossible (never another valid one), and shared
strings are only duplicated or removed at the end of the table (a shift in the middle
would give every later cell another real string).
"""

from __future__ import annotations

import random
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from support import package as pk

PARTS = ("sheet", "meta_sheet", "shared_strings", "styles", "workbook", "workbook_rels", "content_types", "core",
         "zip")
XML_OPS = ("flip", "truncate", "insert_bytes", "insert_xml", "duplicate", "remove", "huge_number")
ZIP_OPS = ("flip", "truncate", "insert_bytes", "cd_damaged", "cd_missing", "local_sizes")

FRAGMENTS = (
    '<c r="XFD1048576"><v>1</v></c>', '<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "&a;", "&#0;", "&#xFFFF;", "<![CDATA[]]>", "]]>", "</sheetData>",
    '<?xml version="1.0"?>', '<c r="A1" t="e"><v>#REF!</v></c>', '<c r="B2"><f>1/0</f></c>', "<si><t>x</t></si>",
    '<sheet name="x" sheetId="1" r:id="rId999"/>', 'xmlns="urn:x"', "<", ">", "&", '"', "\x00", "\x07", "\ufeff",
    '<c r="H7" t="s"><v>-1</v></c>', '<dimension ref="A1:XFD1048576"/>', '<mergeCell ref="A1:XFD1048576"/>',
)
HUGE = ("4294967296", "18446744073709551616", "99999999999999999999999", "-1", "1048577", "NaN", "1e999", "")
HUGE_REFS = ("XFD1048576", "A1048577", "XFE1", "A0", "ZZZZZZ1", "A-1", "")
DIGITS = set(b"0123456789")


@dataclass(frozen=True)
class Mutant:
    index: int
    part: str
    op: str
    detail: str

    @property
    def name(self) -> str:
        return f"m{self.index:04d}_{self.part}_{self.op}.xlsx"


def base_parts(good: Path) -> pk.Parts:
    """The good return as Excel would save it: shared strings instead of inline strings."""
    parts = pk.read_parts(good)
    pk.to_shared_strings(parts)
    return parts


def part_name(parts: pk.Parts, part: str, sheet: str) -> str:
    return {"sheet": pk.sheet_part(parts, sheet), "meta_sheet": pk.sheet_part(parts, "管理情報"),
            "shared_strings": pk.SST_PART, "styles": "xl/styles.xml", "workbook": "xl/workbook.xml",
            "workbook_rels": "xl/_rels/workbook.xml.rels", "content_types": "[Content_Types].xml",
            "core": "docProps/core.xml"}[part]


def _no_digit(rng: random.Random) -> int:
    while True:
        b = rng.randrange(256)
        if b not in DIGITS:
            return b


def _flip(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    spots = []
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(buf))
        if buf[at] in DIGITS:
            continue  # a digit flipped into another is a different figure, not damage
        buf[at] = _no_digit(rng)
        spots.append(at)
    return bytes(buf), f"bytes at {spots}"


def _element(xml: str, rng: random.Random, part: str) -> re.Match | None:
    tags = "si" if part == "shared_strings" else "row|c|xf|font|fill|border|sheet|Relationship|Override|numFmt"
    found = list(re.finditer(rf"<({tags})\b[^>]*?(?:/>|>.*?</\1>)", xml, re.S))
    if not found:
        return None
    return found[-1] if part == "shared_strings" else rng.choice(found)


def damage_part(data: bytes, op: str, rng: random.Random, part: str) -> tuple[bytes, str]:
    """One kind of damage to one XML part's bytes."""
    if op == "flip":
        return _flip(data, rng)
    if op == "truncate":
        at = rng.randrange(len(data))
        return data[:at], f"cut at {at} of {len(data)}"
    if op == "insert_bytes":
        at, junk = rng.randrange(len(data)), bytes(_no_digit(rng) for _ in range(rng.randint(1, 64)))
        return data[:at] + junk + data[at:], f"{len(junk)} bytes at {at}"
    xml = data.decode("utf-8", errors="surrogateescape")
    if op == "insert_xml":
        spots = [m.start() for m in re.finditer("<", xml)] or [0]
        at, fragment = rng.choice(spots), rng.choice(FRAGMENTS)
        return _enc(xml[:at] + fragment + xml[at:]), f"{fragment!r} at {at}"
    if op in ("duplicate", "remove"):
        m = _element(xml, rng, part)
        if m is None:
            return _flip(data, rng)
        new = m.group(0) * 2 if op == "duplicate" else ""
        return _enc(xml[:m.start()] + new + xml[m.end():]), f"{op} {m.group(0)[:60]!r}"
    # huge_number: an attribute's number, a cell reference or a shared-string index made impossible
    spots = list(re.finditer(r'\b(r|ref|count|uniqueCount|sheetId|s|numFmtId|xfId|spans)="([^"]*)"', xml))
    spots += list(re.finditer(r'(t="s")[^>]*><v>(\d+)</v>', xml))
    if not spots:
        return _flip(data, rng)
    m = rng.choice(spots)
    value = rng.choice(HUGE_REFS if m.group(1) in ("r", "ref") else HUGE)
    return _enc(xml[:m.start(2)] + value + xml[m.end(2):]), f"{m.group(1)} {m.group(2)!r} -> {value!r}"


def _enc(xml: str) -> bytes:
    return xml.encode("utf-8", errors="surrogateescape")


def damage_zip(data: bytes, op: str, rng: random.Random) -> tuple[bytes, str]:
    """Damage to the zip file's own bytes: headers, central directory, sizes."""
    cd = data.rfind(b"PK\x05\x06")
    cd_start = struct.unpack("<I", data[cd + 16:cd + 20])[0] if cd >= 0 else len(data) // 2
    if op == "cd_damaged":
        buf = bytearray(data)
        spots = [rng.randrange(cd_start, len(buf)) for _ in range(rng.randint(1, 6))]
        for at in spots:
            buf[at] = _no_digit(rng)
        return bytes(buf), f"central directory bytes at {spots}"
    if op == "cd_missing":
        return data[:cd_start], f"central directory cut at {cd_start}"
    if op == "local_sizes":
        heads = [m.start() for m in re.finditer(b"PK\x03\x04", data[:cd_start])]
        at = rng.choice(heads) + rng.choice((18, 22))  # compressed or uncompressed size of an entry
        value = rng.choice((0, 0xFFFFFFFF, 0x7FFFFFFF, rng.randrange(1 << 32)))
        return data[:at] + struct.pack("<I", value) + data[at + 4:], f"local size at {at} -> {value}"
    return damage_part(data, op, rng, "zip")


def make_mutant(parts: pk.Parts, out: Path, index: int, seed: int, sheet: str) -> Mutant:
    rng = random.Random(f"{seed}:{index}")
    part = rng.choice(PARTS)
    damaged = dict(parts)
    if part == "zip":
        op = rng.choice(ZIP_OPS)
        tmp = out.with_suffix(".tmp")
        pk.write_parts(tmp, damaged)
        data, detail = damage_zip(tmp.read_bytes(), op, rng)
        tmp.unlink()
    else:
        op = rng.choice(XML_OPS)
        name = part_name(parts, part, sheet)
        damaged[name], detail = damage_part(parts[name], op, rng, part)
        data = None
    mutant = Mutant(index, part, op, detail)
    path = out.parent / mutant.name
    if data is None:
        pk.write_parts(path, damaged)
    else:
        path.write_bytes(data)
    return mutant


def mutants(good: Path, folder: Path, count: int, seed: int, sheet: str) -> list[Mutant]:
    """`count` mutants of the return `good` (whose department sheet is `sheet`) written into `folder`."""
    parts = base_parts(good)
    return [make_mutant(parts, folder / "x", i, seed, sheet) for i in range(count)]


# --- what a run with mutants must show ------------------------------------------------------

FLAGGED = ("一部不採用", "不採用", "対象外", "エラー", "注意")


def file_lines(out: str) -> dict[str, str]:
    """A run's ファイル list: file name -> what became of it (label and note)."""
    lines = out.splitlines()
    start = lines.index("ファイル:") + 1 if "ファイル:" in lines else len(lines)
    found = {}
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        name, _, said = line.strip().partition(": ")
        found[name] = said
    return found


def judge(out_text: str, master: Path, made: list[Mutant], expected, department: str, year: str) -> list[str]:
    """What is wrong with a run that ended normally on a folder of mutants of `department`'s return.

    Every mutant named; every other department exact; no cell but `department`'s inputs changed;
    its figures the good ones, blank, or from a taken file the run flags. Its texts are not
    compared (a flipped character in a sentence is another sentence).
    """
    from support.runner import compare, snapshot
    from welfare_xl.core.model import layout

    files = file_lines(out_text)
    problems = [f"not named: {m.name}" for m in made if m.name not in files]
    ours = {i for i, d in expected.departments.items() if d == department}
    texts = tuple(f"{i} {k} " for i in ours for k in (layout.DONE, layout.NEXT))
    got = snapshot(master)
    problems += [p for p in compare(got, expected.blank, expected.good, expected.departments,
                                    victims=frozenset({department}), year_key=year) if not p.startswith(texts)]
    wrong = sorted(i for i in ours if got[i, year] not in (expected.good[i, year], expected.blank[i, year]))
    if wrong:
        taken = {n: s for n, s in files.items() if s.startswith(("反映", "一部不採用"))}
        if not all(any(w in s for w in FLAGGED) for s in taken.values()):
            problems.append(f"{wrong} differ from the good figures, yet the file taken is not flagged: {taken}")
    return problems
