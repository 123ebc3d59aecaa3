"""The consolidated master written fast: the .xlsx copied part by part, only what changes patched.

openpyxl loads and saves every cell of the master (and of 管理情報 and the old
集約ログ) to change a few thousand cells: ~90 % of a large consolidation. This
writer copies the package and patches the master sheet's changed cells (values as
`survey_edit._put` sets them, grade styles appended to styles.xml), the heights of
the rows whose texts changed, and replaces the 集約ログ sheets (XML written
directly, `xlsx_parts.spec_sheet_xml`) with workbook.xml, its relationships,
[Content_Types].xml and docProps updated. Everything else (defined names, print
settings, 管理情報, an .xlsm's VBA) is copied byte for byte.

`write_result` raises `Unsupported` before it writes anything when the master
uses something it does not handle; `survey_edit.write_result` then falls back to
openpyxl, the reference (tests/files/test_fast_write.py compares both).
"""

from __future__ import annotations

import gc
import re
import zipfile
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

from welfare_xl.core.consolidation.log import DATA_SHEET, LOG_SHEET
from welfare_xl.core.consolidation.result import CellChange, ConsolidationResult
from welfare_xl.core.sheets.spec import SheetSpec
from welfare_xl.files.xlsx_parts import (Styles, Unsupported, attr_text, attrs, cell_xml, col_letters, plain_text,
                                         ref_to_rc, spec_sheet_xml)

# zlib's level for every part written. The parts are the same at any level; 5 deflates the
# 2,000-row bench master's 12.5 MB of XML in 0.043 s against level 6's (zipfile's default) 0.073 s,
# into 0.917 MB against 0.891 MB (3 % larger; level 1: 0.021 s, 1.112 MB).
DEFLATE_LEVEL = 5
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF_ATTR = re.compile(r'(?:^|\s)r="([^"]*)"')
_CELL_START = re.compile(r'<c r="[A-Z]{1,3}(\d+)"')  # a cell whose reference is its first attribute: its row


class Package:
    """The parts of an .xlsx/.xlsm read into memory, with the workbook's sheets resolved to parts."""

    def __init__(self, path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as z:
                self.infos = z.infolist()
                self.parts = {i.filename: z.read(i) for i in self.infos}
        except (OSError, zipfile.BadZipFile, KeyError) as exc:
            raise Unsupported(f"cannot read the package: {exc}") from exc
        self.workbook = self.text("xl/workbook.xml")
        self.rels = self.text("xl/_rels/workbook.xml.rels")
        if re.search(r"<\w+:(workbook|sheets|Relationship)\b", self.workbook + self.rels):
            raise Unsupported("prefixed SpreadsheetML namespaces")
        targets = {a["Id"]: a for a in map(attrs, re.findall(r"<Relationship\b([^>]*)/?>", self.rels))}
        self.sheets = []  # (name, attributes, part name)
        for raw in re.findall(r"<sheet\b([^>]*)/?>", self.workbook):
            a = attrs(raw)
            rel = targets.get(a.get("r:id", ""))
            if rel is None or rel.get("Type") != WORKSHEET_TYPE:
                raise Unsupported(f"sheet {a.get('name')} is not a worksheet part")
            self.sheets.append((a["name"], a, _part_name(rel["Target"])))

    def text(self, name: str) -> str:
        if name not in self.parts:
            raise Unsupported(f"no part {name}")
        return self.parts[name].decode("utf-8")

    def part_of(self, sheet: str) -> str:
        for name, _, part in self.sheets:
            if name == sheet:
                return part
        raise Unsupported(f"no sheet {sheet}")


def _part_name(target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return str(PurePosixPath("xl") / target).replace("xl/../", "")


def write_result(survey_path: Path, out: Path, result: ConsolidationResult,
                 heights: Callable[[ConsolidationResult], dict[int, float]],
                 specs: Callable[[ConsolidationResult], list[SheetSpec]],
                 write: Callable[[Path, Callable[[Path], Any]], Path]) -> Path:
    """The survey with the result's changes and a fresh log, as `survey_edit.write_result` makes it.

    `heights` gives the 0-based master rows to resize, `specs` the log sheets of the logged result,
    `write` writes the file whole (`atomic.write_atomic`). Raises `Unsupported` before writing.
    """
    with gc_paused():
        return _write_result(survey_path, out, result, heights, specs, write)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (the previous setting back after it).

    Writing a large master builds a few hundred thousand small objects (cells, rows, XML pieces)
    while the run's result is alive: every collection the allocations set off walks all of them,
    about a fifth of the write, and finds nothing, since these objects hold no cycles (reference
    counting frees them). What the block leaves as cycles is collected after it as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_result(survey_path: Path, out: Path, result: ConsolidationResult,
                  heights: Callable[[ConsolidationResult], dict[int, float]],
                  specs: Callable[[ConsolidationResult], list[SheetSpec]],
                  write: Callable[[Path, Callable[[Path], Any]], Path]) -> Path:
    pkg = Package(survey_path)
    styles = Styles(pkg.text("xl/styles.xml"))
    shared = _shared_strings(pkg)
    changes = [ch for ch in result.changes]
    if any(ch.sheet != result.sheet for ch in changes):
        raise Unsupported("changes on more than one sheet")
    part = pkg.part_of(result.sheet)
    sheet_xml, done = patch_sheet(pkg.text(part), changes, heights(result), shared, styles)
    logged = replace(result, changes=done)
    new_parts = {part: sheet_xml}
    replace_logs(pkg, specs(logged), styles, new_parts)
    new_parts["xl/styles.xml"] = styles.result()
    _touch_core(pkg, new_parts)
    return write(out, lambda tmp: _zip(pkg, new_parts, tmp))


def _shared_strings(pkg: Package) -> list[str]:
    rel = re.search(r"<Relationship\b[^>]*sharedStrings[^>]*/?>", pkg.rels)
    if not rel:
        return []
    xml = pkg.text(_part_name(attrs(rel.group(0))["Target"]))
    return [plain_text(m.group(1) or "") for m in re.finditer(r"<si>(.*?)</si>|<si/>", xml, re.S)]


def patch_sheet(xml: str, changes: list[CellChange], heights: dict[int, float], shared: list[str],
                styles: Styles) -> tuple[str, list[CellChange]]:
    """The master sheet with its changed cells and row heights patched; the changes with `old` = held."""
    if not xml.lstrip().startswith(("<worksheet", "<?xml")) or re.search(r"<\w+:(sheetData|row|c)\b", xml):
        raise Unsupported("prefixed worksheet XML")
    covered = _merged_cells(xml)
    by_row: dict[int, dict[int, CellChange]] = {}
    for ch in changes:
        if (ch.row, ch.col) in covered:
            raise Unsupported(f"{ch.ref} is inside a merged range")  # openpyxl's path refuses it in Japanese
        if ch.col in by_row.get(ch.row, {}):
            raise Unsupported(f"{ch.ref} changes twice")
        by_row.setdefault(ch.row, {})[ch.col] = ch
    date_styles = styles.date_styles()
    held: dict[int, Any] = {}  # id(change) -> held
    wanted = set(by_row) | set(heights)
    found: set[int] = set()

    def one_row(m: re.Match) -> str:
        a = attrs(m.group(1))
        if "r" not in a:
            raise Unsupported("a row without its number")
        r = int(a["r"]) - 1
        if r not in wanted:
            return m.group(0)
        found.add(r)
        if r in heights:
            a["ht"] = _height(heights[r])
            a["customHeight"] = "1"
        body = _patch_cells(m.group(2) or "", r, by_row.get(r, {}), shared, styles, date_styles, held)
        return f"<row{attr_text(a)}>{body}</row>"

    start, end = xml.find("<sheetData"), xml.find("</sheetData>")
    if start < 0 or xml.startswith("<sheetData/>", start):
        raise Unsupported("no sheetData")
    patched = xml[:start] + _ROW.sub(one_row, xml[start:end]) + xml[end:]
    if wanted - found:
        raise Unsupported(f"rows not in the sheet: {sorted(wanted - found)[:5]}")
    return patched, [ch if _same(held[id(ch)], ch.old) else replace(ch, old=held[id(ch)]) for ch in changes]


def _same(held: Any, seen: Any) -> bool:
    """Whether the cell held exactly what the reader saw (the change can be logged as it is): the
    same object, or an equal text, whole number or truth value (a float's sign of zero, a formula's
    cached value … are left to `replace`)."""
    return held is seen or (type(held) is type(seen) and type(held) in (str, int, bool) and held == seen)


def _merged_cells(xml: str) -> set[tuple[int, int]]:
    """The cells of the sheet's merged ranges other than each range's first (openpyxl's MergedCells)."""
    covered: set[tuple[int, int]] = set()
    for ref in re.findall(r'<mergeCell ref="([^"]+)"', xml):
        ends = [ref_to_rc(x) for x in ref.split(":")]
        if len(ends) != 2:
            continue
        (r1, c1), (r2, c2) = ends
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:
            raise Unsupported(f"a merged range of {ref}")
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
    return covered


def _height(h: float) -> str:
    return str(float(h)) if float(h) != int(h) else str(int(h))


def _patch_cells(body: str, r: int, row_changes: dict[int, CellChange], shared: list[str], styles: Styles,
                 date_styles: set[int], held: dict[int, Any]) -> str:
    if not row_changes:
        return body
    found = _patch_found_cells(body, r, row_changes, shared, styles, date_styles, held)
    if found is not None:
        return found
    pending = dict(row_changes)
    out: list[str] = []
    pos = 0
    for m in _CELL.finditer(body):
        a = None
        ref = _REF_ATTR.search(m.group(1))  # the one attribute every cell is read for, without the others
        if ref is None or "&" in ref.group(1):
            a = attrs(m.group(1))
            if "r" not in a:
                raise Unsupported("a cell without its reference")
            ref_text = a["r"]
        else:
            ref_text = ref.group(1)
        cr, c = ref_to_rc(ref_text)
        if cr != r:
            raise Unsupported(f"cell {ref_text} in row {r + 1}")
        if pending and min(pending) < c:
            for col in sorted(k for k in pending if k < c):  # cells missing from the row, in column order
                out.append(body[pos:m.start()])
                pos = m.start()
                out.append(_new_cell(pending.pop(col), None, None, shared, styles, date_styles, held))
        if c in pending:
            out.append(body[pos:m.start()])
            a = attrs(m.group(1)) if a is None else a
            out.append(_new_cell(pending.pop(c), a, m.group(2) or "", shared, styles, date_styles, held))
            pos = m.end()
    out.append(body[pos:])
    for col in sorted(pending):
        out.append(_new_cell(pending[col], None, None, shared, styles, date_styles, held))
    return "".join(out)


def _patch_found_cells(body: str, r: int, row_changes: dict[int, CellChange], shared: list[str], styles: Styles,
                       date_styles: set[int], held: dict[int, Any]) -> str | None:
    """`_patch_cells` for the common row, without reading every cell: each changed cell found by its
    reference. Only when every cell of the row starts `<c r="..."` with this row's number (as the
    whole-row scan checks) and each changed cell is there, in column order; else None (the scan)."""
    row = str(r + 1)
    numbers = _CELL_START.findall(body)
    if len(numbers) != body.count("<c") or numbers.count(row) != len(numbers):
        return None  # a cell without its reference first, another row's cell, or other <c… elements
    out: list[str] = []
    pos = 0
    for col in sorted(row_changes):
        start = body.find(f'<c r="{col_letters(col)}{row}"', pos)
        m = _CELL.match(body, start) if start >= 0 else None
        if m is None:
            return None  # missing from the row (the scan inserts it) or out of order
        out.append(body[pos:start])
        ch = row_changes[col]
        out.append(_new_cell(ch, attrs(m.group(1)), m.group(2) or "", shared, styles, date_styles, held))
        pos = m.end()
    out.append(body[pos:])
    return "".join(out)


def _new_cell(ch: CellChange, a: dict[str, str] | None, inner: str | None, shared: list[str], styles: Styles,
              date_styles: set[int], held: dict[int, Any]) -> str:
    from welfare_xl.files.xlsx_parts import held_value

    if a is None:
        held[id(ch)] = None
        style = None
    else:
        held[id(ch)] = held_value(a, inner or "", shared, date_styles, ch.old)
        style = a.get("s")
    if ch.style is not None:
        style = str(styles.index(ch.style))
    return cell_xml(f"{col_letters(ch.col)}{ch.row + 1}", style, ch.new)


def replace_logs(pkg: Package, specs: list[SheetSpec], styles: Styles, new_parts: dict[str, str]) -> None:
    """Drop the old 集約ログ sheets and append the new ones: workbook.xml, its rels, content types, app.xml.

    Long because the four package parts that list sheets change together, each in a few lines.
    """
    old = [i for i, (name, _, _) in enumerate(pkg.sheets) if name in (LOG_SHEET, DATA_SHEET)]
    for i in old:
        part = pkg.sheets[i][2]
        rels = str(PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels"))
        if rels in pkg.parts:
            raise Unsupported(f"the old log sheet {pkg.sheets[i][0]} has relationships")
    wb = pkg.workbook
    view = re.search(r"<workbookView\b([^>]*)/?>", wb)
    if view and old:
        va = attrs(view.group(1))
        if int(va.get("activeTab", "0")) >= old[0] or int(va.get("firstSheet", "0")) >= old[0]:
            raise Unsupported("the active sheet follows an old log sheet")
    kept = [s for i, s in enumerate(pkg.sheets) if i not in old]
    shift = {i: i - sum(1 for o in old if o < i) for i in range(len(pkg.sheets)) if i not in old}

    def name_local(m: re.Match) -> str:
        a = attrs(m.group(1))
        if "localSheetId" not in a:
            return m.group(0)
        i = int(a["localSheetId"])
        if i in old:
            return ""
        a["localSheetId"] = str(shift[i])
        return f"<definedName{attr_text(a)}>{m.group(2)}</definedName>"

    wb = re.sub(r"<definedName\b([^>]*)>(.*?)</definedName>", name_local, wb, flags=re.S)
    wb = re.sub(r"<definedNames>\s*</definedNames>", "", wb)
    rels, ctypes = pkg.rels, pkg.text("[Content_Types].xml")
    for i in old:
        _, a, part = pkg.sheets[i]
        rels = re.sub(rf'<Relationship\b[^>]*Id="{re.escape(a["r:id"])}"[^>]*/>', "", rels)
        ctypes = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", ctypes)
        new_parts[part] = None  # type: ignore[assignment]  # deleted
    ids = {int(x) for x in re.findall(r'Id="rId(\d+)"', pkg.rels)}
    sheet_ids = [int(a["sheetId"]) for _, a, _ in pkg.sheets]
    sheets_xml = [f'<sheet{attr_text(dict(a, **{"r:id": a["r:id"]}))}/>' for _, a, _ in kept]
    used = set(pkg.parts)
    n = 1
    for spec in specs:
        while f"xl/worksheets/sheet{n}.xml" in used:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        used.add(part)
        rid = max([0, *ids]) + 1
        ids.add(rid)
        sid = max([0, *sheet_ids]) + 1
        sheet_ids.append(sid)
        state = "hidden" if spec.hidden else "visible"
        sheets_xml.append(f'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
                          f'{attr_text({"name": spec.name})} sheetId="{sid}" state="{state}" r:id="rId{rid}"/>')
        rels = rels.replace("</Relationships>", f'<Relationship Type="{WORKSHEET_TYPE}" Target="/{part}" '
                                                f'Id="rId{rid}"/></Relationships>')
        ctypes = ctypes.replace("</Types>", f'<Override PartName="/{part}" ContentType="{WORKSHEET_CT}"/></Types>')
        new_parts[part] = spec_sheet_xml(spec, styles)
    wb = re.sub(r"<sheets>.*?</sheets>", lambda m: "<sheets>" + "".join(sheets_xml) + "</sheets>", wb, count=1,
                flags=re.S)
    new_parts["xl/workbook.xml"] = wb
    new_parts["xl/_rels/workbook.xml.rels"] = rels
    new_parts["[Content_Types].xml"] = ctypes
    if "docProps/app.xml" in pkg.parts:  # the sheet titles it may list are optional: Excel rewrites them
        app = pkg.text("docProps/app.xml")
        new_parts["docProps/app.xml"] = re.sub(r"<(HeadingPairs|TitlesOfParts)\b.*?</\1>", "", app, flags=re.S)


def _touch_core(pkg: Package, new_parts: dict[str, str]) -> None:
    """docProps/core.xml's modified time, now (UTC), as openpyxl sets it on saving."""
    if "docProps/core.xml" not in pkg.parts:
        return
    now = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    core = pkg.text("docProps/core.xml")
    new_parts["docProps/core.xml"] = re.sub(r"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)",
                                            lambda m: m.group(1) + now + m.group(2), core, count=1)


def _zip(pkg: Package, new_parts: dict[str, str | None], target: Path) -> None:
    """The package with the new parts, streamed into `target`: the originals in their order, new parts after them."""
    level = {"compress_type": zipfile.ZIP_DEFLATED, "compresslevel": DEFLATE_LEVEL}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as z:
        for info in pkg.infos:
            if info.filename in new_parts:
                text = new_parts[info.filename]
                if text is not None:
                    z.writestr(info.filename, text.encode("utf-8"), **level)
            else:
                z.writestr(info, pkg.parts[info.filename], **level)
        for name, text in new_parts.items():
            if name not in pkg.parts and text is not None:
                z.writestr(name, text.encode("utf-8"), **level)
