"""A workbook as the zip of XML parts it is: read, edit and write parts, the way a hostile file is made.

The hostile corpus (`support.hostile`) and the mutation fuzz (`support.mutate`) damage
returns below what openpyxl can write: a DOCTYPE in a sheet part, a cell in XFD1048576
with a lying `<dimension>`, an error value, a shared-string index out of range, a
relationship pointing out of the zip. These helpers work on the raw parts; everything
else (which sheet part is which, where a cell is) is read from the package itself.

    parts = read_parts(good)
    name = sheet_part(parts, "地域共生課")
    parts[name] = set_cell(parts[name], "H7", '<v>1</v>')
    write_parts(out, parts)
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Callable, Mapping

Parts = dict[str, bytes]

SST_PART = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def read_parts(path: str | Path) -> Parts:
    """Every part of the zip by name, in the zip's order."""
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


ZIP_TIME = (2020, 5, 1, 9, 0, 0)


def write_parts(path: str | Path, parts: Mapping[str, bytes], *, level: int = 6) -> Path:
    """A zip of `parts` (deflated) at `path`."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            # A fixed time stamp: the same parts give the same bytes (writestr stamps the current
            # second, so two writes straddling a 2-second tick differed and the seeded fuzz flaked).
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=level)
    return path


def edit_parts(src: str | Path, out: str | Path, edit: Callable[[Parts], None]) -> Path:
    """Copy a workbook to `out` with `edit` applied to its parts (in place on the dict)."""
    parts = read_parts(src)
    edit(parts)
    return write_parts(out, parts)


def text(parts: Parts, name: str) -> str:
    return parts[name].decode("utf-8")


def put(parts: Parts, name: str, xml: str) -> None:
    parts[name] = xml.encode("utf-8")


def sheet_part(parts: Parts, title: str) -> str:
    """The part name of the worksheet called `title`, through xl/workbook.xml and its relationships."""
    workbook = text(parts, "xl/workbook.xml")
    m = re.search(r'<sheet\b[^>]*\bname="' + re.escape(title) + r'"[^>]*>', workbook)
    if m is None:
        raise KeyError(f"no sheet {title!r} in xl/workbook.xml")
    rid = re.search(r'\br:id="([^"]+)"', m.group(0)).group(1)
    rels = text(parts, "xl/_rels/workbook.xml.rels")
    rel = next(r for r in re.findall(r"<Relationship\b[^>]*>", rels) if f'Id="{rid}"' in r)
    target = re.search(r'Target="([^"]+)"', rel).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


_CELL = r'<c r="{ref}"(?=[\s/>])[^>]*?(?:/>|>.*?</c>)'


def cell_xml(xml: str, ref: str) -> str | None:
    """The `<c>` element of cell `ref` in a sheet part, or None."""
    m = re.search(_CELL.format(ref=re.escape(ref)), xml, re.S)
    return m.group(0) if m else None


def set_cell(xml: str, ref: str, inner: str, *, type_: str | None = None) -> str:
    """Cell `ref` replaced by `<c r=ref s=(kept) t=type_>inner</c>`; the cell must exist in the part."""
    old = cell_xml(xml, ref)
    if old is None:
        raise KeyError(f"no cell {ref} in the sheet part")
    style = re.search(r'\ss="(\d+)"', old.split(">", 1)[0])
    attrs = f' r="{ref}"' + (f' s="{style.group(1)}"' if style else "") + (f' t="{type_}"' if type_ else "")
    return xml.replace(old, f"<c{attrs}>{inner}</c>", 1)


def inline_text(value: str) -> str:
    """The inner XML of an inline-string cell holding `value` (escaped)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<is><t xml:space="preserve">{escaped}</t></is>'


def append_row(xml: str, row_xml: str) -> str:
    """A `<row>` added at the end of `<sheetData>`."""
    return xml.replace("</sheetData>", row_xml + "</sheetData>", 1)


def to_shared_strings(parts: Parts) -> None:
    """Turn every inline string of every sheet into a shared string, as Excel saves text.

    openpyxl (and so the split and the clerk's helper) writes inline strings; Excel writes
    xl/sharedStrings.xml and `t="s"` cells holding an index. The fuzz and the shared-string
    cases need the latter.
    """
    table: dict[str, int] = {}
    inline = re.compile(r'<c ([^>]*?)\s*t="inlineStr"([^>]*)><is><t(?:\s[^>]*)?>(.*?)</t></is></c>', re.S)

    def shared(m: re.Match) -> str:
        index = table.setdefault(m.group(3), len(table))
        return f'<c {m.group(1)}{m.group(2)} t="s"><v>{index}</v></c>'

    for name in [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        put(parts, name, inline.sub(shared, text(parts, name)))
    items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in table)
    put(parts, SST_PART, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(table)}" uniqueCount="{len(table)}">{items}</sst>')
    types = text(parts, "[Content_Types].xml")
    put(parts, "[Content_Types].xml", types.replace(
        "</Types>", f'<Override PartName="/{SST_PART}" ContentType="{SST_TYPE}"/></Types>', 1))
    rels = text(parts, "xl/_rels/workbook.xml.rels")
    put(parts, "xl/_rels/workbook.xml.rels", rels.replace(
        "</Relationships>", f'<Relationship Type="{SST_REL}" Target="sharedStrings.xml" Id="rIdSst"/></Relationships>', 1))


def shared_index(parts: Parts, value: str) -> int:
    """The index of `value` in xl/sharedStrings.xml."""
    items = re.findall(r"<si>(.*?)</si>", text(parts, SST_PART), re.S)
    return next(i for i, item in enumerate(items) if html.unescape(re.sub(r"<[^>]+>", "", item)) == value)
