"""The hostile corpus: bad and hostile returns, each built by code into a submissions folder.

Issue 8 ("Nothing lost, nothing misplaced, nothing let in"). Every `Case` is one bad
input a secretariat can find in its folder: a function that writes the file(s) next to
the good returns, and what the user must see when the folder is consolidated: the exit
code, the entry named in stdout with a Japanese reason (any of `words`: a key word, not
the sentence, since the wording is written elsewhere), the good departments' figures
exact, nothing from outside the folder shown. `tests/e2e/test_hostile_folder.py` runs
every case alone and all of them in one folder; `docs/hostile-inputs.md` is the table.

The good returns (`Kit`) are the committed template split and filled from the seed
table, saved at `T_GOOD`. A case that damages a department's return replaces that
department's good one (`replaces`); its figures may then be missing from the master but
never wrong (`runner.compare`). Damaged returns are saved at `T_BAD` (earlier than the
good ones: in the all-in-one folder the good return wins); files that try to win over a
good return are saved at `T_LATE`.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from support import package as pk
from support.fill import cells_by_key, fill_department, save_as_person, unprotect
from support.paths import TEMPLATE
from support.seed import seed_inputs

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import column_letter

UTC = timezone.utc
T_BAD = datetime(2020, 5, 10, 9, 0, tzinfo=UTC)
T_GOOD = datetime(2020, 5, 15, 9, 0, tzinfo=UTC)
T_LATE = datetime(2020, 5, 18, 9, 0, tzinfo=UTC)
DEPARTMENTS = ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]
X = "地域共生課"  # the department whose return is damaged, unless a case says otherwise
Y = "協働コミュニティ課"
YEAR = layout.year_key(2019)
SECRET = "WXL-SECRET-4f1c9b"  # planted outside the folder; must never be shown or written

# Key words of reasons (any one on a line naming the file).
UNREADABLE = ("開けません", "読み込めません", "読めません", "壊れ", "破損", "形式", "ではありません")
LIMIT = ("大き", "多すぎ", "上限", "制限", "超え", "範囲")
REFUSED = UNREADABLE + LIMIT + ("不正", "安全", "拒否", "DOCTYPE", "実体")
NUMBER = ("数値", "大き", "上限", "範囲", "無限", "桁")


@dataclass
class Kit:
    """The good year: blank master, distribution forms, the five good returns and their inputs."""

    base: Path
    master: Path
    forms: Path
    goods: Path

    def good(self, dept: str = X) -> Path:
        return self.goods / f"{dept}.xlsx"

    def refs(self, dept: str = X) -> tuple[dict[str, int], dict[str, int]]:
        """(indicator ID -> 1-based row, key -> 1-based column) of a department's form."""
        from openpyxl import load_workbook

        wb = load_workbook(self.good(dept))
        return cells_by_key(wb[dept])

    def ref(self, ind: str, key: str = YEAR, dept: str = X) -> str:
        rows, cols = self.refs(dept)
        return f"{column_letter(cols[key] - 1)}{rows[ind]}"

    def outside(self) -> Path:
        """A folder beside the submissions folder, holding a secret file."""
        path = self.base / "outside"
        path.mkdir(exist_ok=True)
        (path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
        return path


def build_kit(base: Path) -> Kit:
    """Template → split → the five departments fill their forms from the seed, saved at T_GOOD."""
    from welfare_xl.commands.split import split

    base.mkdir(parents=True, exist_ok=True)
    master = base / "調査票.xlsx"
    shutil.copy(TEMPLATE, master)
    split(master, base / "配布")
    goods = base / "提出"
    goods.mkdir()
    for dept in DEPARTMENTS:
        values, texts = seed_inputs(dept)
        fill_department(base / "配布" / f"{dept}.xlsx", values, texts, saved=T_GOOD, mtime=T_GOOD,
                        out=goods / f"{dept}.xlsx")
    return Kit(base, master, base / "配布", goods)


@dataclass
class Expected:
    """What a master must hold: as distributed, and after the five good returns alone."""

    blank: dict  # runner.Snapshot of the master as distributed
    good: dict  # runner.Snapshot after consolidating the good returns alone
    departments: dict[str, str]  # indicator ID -> department


def expect_good(kit: Kit, base: Path) -> Expected:
    """Consolidate the good returns alone (fenced, like every run here): the oracle of the corpus and the fuzz."""
    from support.runner import consolidate, snapshot
    from support.seed import template_survey

    run = consolidate(kit.master, kit.goods, base / "good.xlsx", home=base / "home")
    assert run.code == 0, run.describe()
    return Expected(snapshot(kit.master), snapshot(base / "good.xlsx"),
                    {ind.id: ind.department for ind in template_survey().indicators})


Builder = Callable[[Kit, Path, str], list[str]]  # (kit, folder, name) -> entries written


@dataclass(frozen=True)
class Case:
    """One bad input and what the user must see when its folder is consolidated."""

    id: str
    what: str  # the bad input (docs table)
    sees: str  # what the user sees, gist (docs table)
    build: Builder
    words: tuple[str, ...] = ()  # any of these on a stdout line naming the entry; () = named is enough
    codes: tuple[int, ...] = (1,)  # allowed exit codes for this case + the good returns
    replaces: str | None = None  # the department whose good return is left out of the folder
    victim: bool = True  # the replaced department's figures may be missing (never wrong)
    quiet: bool = False  # the entry is not listed at all
    secret: bool = False  # SECRET must not appear in stdout, stderr, the log or the master
    pending: str | None = None  # "issue 8: <part>" while today's code fails it (strict xfail)
    shown_as: str | None = None  # how to find the entry in stdout when its name is not printable
    # (indicator, key) -> the value the damaged return may land with besides the good or blank one
    # (a text cleaned of a control character, and the warning says so)
    typed: tuple[tuple[tuple[str, str], object], ...] = ()

    @property
    def victims(self) -> frozenset[str]:
        return frozenset({self.replaces}) if self.replaces and self.victim else frozenset()


# --- builders' tools --------------------------------------------------------------------------


def stamp(parts: pk.Parts, when: datetime) -> None:
    """docProps/core.xml's dcterms:modified set to `when`, as Excel stamps a save."""
    import re

    core = pk.text(parts, "docProps/core.xml")
    stamp_text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pk.put(parts, "docProps/core.xml", re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                              lambda m: m.group(1) + stamp_text + m.group(2), core))


def xml_case(folder: Path, name: str, kit: Kit, edit: Callable[[pk.Parts, str], None], *, dept: str = X,
             shared: bool = False, saved: datetime = T_BAD) -> list[str]:
    """`dept`'s good return with `edit(parts, sheet part name)` applied, as `<name>.xlsx`."""
    parts = pk.read_parts(kit.good(dept))
    if shared:
        pk.to_shared_strings(parts)
    stamp(parts, saved)
    edit(parts, pk.sheet_part(parts, dept))
    pk.write_parts(folder / f"{name}.xlsx", parts)
    return [f"{name}.xlsx"]


def sheet_edit(edit: Callable[[str], str]) -> Callable[[pk.Parts, str], None]:
    """An edit of the department sheet's XML text."""
    def apply(parts: pk.Parts, sheet: str) -> None:
        pk.put(parts, sheet, edit(pk.text(parts, sheet)))
    return apply


def cell_case(ref_of: Callable[[Kit], str], inner: str, type_: str | None = None) -> Builder:
    """A return whose cell (found by indicator ID and key on the good form) holds raw XML `inner`."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        ref = ref_of(kit)
        return xml_case(folder, name, kit, sheet_edit(lambda xml: pk.set_cell(xml, ref, inner, type_=type_)))
    return build


def typed_case(ind: str, key: str, raw: str) -> Builder:
    """A return where a clerk typed `raw` (any characters) into indicator `ind`'s `key` cell."""
    return cell_case(lambda kit: kit.ref(ind, key), pk.inline_text(raw), "inlineStr")


def book_case(edit: Callable, *, dept: str = X, saved: datetime = T_BAD, mtime: datetime | None = None) -> Builder:
    """A return edited with openpyxl as a person edits it: `edit(wb, ws, rows, cols)`."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        from openpyxl import load_workbook

        wb = load_workbook(kit.good(dept))
        ws = wb[dept]
        rows, cols = cells_by_key(ws)
        edit(wb, ws, rows, cols)
        save_as_person(wb, folder / f"{name}.xlsx", saved=saved, mtime=mtime or saved)
        return [f"{name}.xlsx"]
    return build


def raw_file(data: bytes | Callable[[Kit], bytes], suffix: str = ".xlsx", *, prefix: str = "",
             fixed: str | None = None) -> Builder:
    """A file of the given bytes named `<prefix><name><suffix>` (or exactly `fixed`)."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        entry = fixed or f"{prefix}{name}{suffix}"
        (folder / entry).write_bytes(data(kit) if callable(data) else data)
        return [entry]
    return build


def meta_case(field: str, value: object, *, dept: str = X, saved: datetime = T_LATE) -> Builder:
    """A return whose 管理情報 says another `field` (department, fiscal_year, plan_id ...)."""
    def edit(wb, ws, rows, cols) -> None:
        meta = wb["管理情報"]
        for row in meta.iter_rows():
            if row[0].value == field:
                row[1].value = value
                return
        raise KeyError(field)
    return book_case(edit, dept=dept, saved=saved)


def doctype(xml: str, declaration: str) -> str:
    """`xml` with an internal DTD subset inserted before its root element."""
    at = xml.index("<", xml.index("?>") + 2 if xml.startswith("<?xml") else 0)
    root = xml[at + 1:].split(None, 1)[0].rstrip(">")
    return f"{xml[:at]}<!DOCTYPE {root} [{declaration}]>{xml[at:]}"


LAUGHS = ('<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10)))


def cfb(stream_names: tuple[str, ...]) -> bytes:
    """Bytes of an OLE compound file (MS-CFB) header and a directory naming `stream_names`:
    what an encrypted .xlsx or an .xls looks like to a reader that sniffs its first bytes."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + bytes.fromhex("3E000300FEFF0900") + bytes(488)
    entries = b""
    for name in ("Root Entry",) + stream_names:
        raw = name.encode("utf-16-le") + b"\0\0"
        entries += raw.ljust(64, b"\0") + len(raw).to_bytes(2, "little") + bytes(62)
    return header + entries.ljust(512 * 3, b"\0")


def ods(kit: Kit) -> bytes:
    """A small OpenDocument spreadsheet holding one of 地域共生課's figures (LibreOffice's format)."""
    import io

    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               '<office:spreadsheet><table:table table:name="地域共生課"><table:table-row>'
               '<table:table-cell office:value-type="string"><text:p>G1-01</text:p></table:table-cell>'
               '<table:table-cell office:value-type="float" office:value="513"><text:p>513</text:p>'
               '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def symlink_out(kit: Kit, folder: Path, name: str) -> list[str]:
    """A link in the folder to a return outside it: 地域共生課's, newer, carrying SECRET and wrong figures."""
    outside = kit.outside()
    target = outside / "secret-return.xlsx"
    values, texts = seed_inputs(X)
    fill_department(kit.forms / f"{X}.xlsx", {k: "1" for k in values},
                    {k: (f"{SECRET} {d}", n) for k, (d, n) in texts.items()}, saved=T_LATE, mtime=T_LATE,
                    out=target)
    os.symlink(target, folder / f"{name}.xlsx")
    return [f"{name}.xlsx"]


def rels_external(kit: Kit, folder: Path, name: str) -> list[str]:
    """The department sheet's relationship pointing at a file outside the zip (file:///…/secret.xml)."""
    outside = kit.outside()
    secret = outside / "secret.xml"
    secret.write_text('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                      f'<row r="1"><c r="A1" t="inlineStr"><is><t>{SECRET}</t></is></c></row>'
                      "</sheetData></worksheet>", encoding="utf-8")
    def edit(parts: pk.Parts, sheet: str) -> None:
        rels = pk.text(parts, "xl/_rels/workbook.xml.rels")
        target = "/" + sheet
        pk.put(parts, "xl/_rels/workbook.xml.rels",
               rels.replace(f'Target="{target}"', f'Target="{secret.as_uri()}" TargetMode="External"', 1))
    return xml_case(folder, name, kit, edit)


def external_entity(part: str, element: str) -> Builder:
    """An external entity reading the outside secret, used in `element` of `part` (sheet when None)."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        uri = (kit.outside() / "secret.txt").as_uri()
        def edit(parts: pk.Parts, sheet: str) -> None:
            target = part or sheet
            xml = doctype(pk.text(parts, target), f'<!ENTITY xxe SYSTEM "{uri}">')
            pk.put(parts, target, xml.replace(element, element + "&xxe;", 1))
        return xml_case(folder, name, kit, edit)
    return build


def bomb(padding_mb: int, *, in_sheet: bool = True) -> Builder:
    """A return inflating by `padding_mb` MB: zeros before 地域共生課's G1-01 figure ("000…0513", read
    whole it is 513), or spaces in a part nobody reads; a few hundred KB on disk. Built once per kit."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        cache = kit.base / "cache" / f"bomb-{padding_mb}-{in_sheet}.xlsx"
        if not cache.exists():
            cache.parent.mkdir(exist_ok=True)
            parts = pk.read_parts(kit.good())
            stamp(parts, T_BAD)
            sheet = pk.sheet_part(parts, X)
            head, tail = pk.set_cell(pk.text(parts, sheet), kit.ref("G1-01"), "<v>@PAD@513</v>").split("@PAD@")
            with zipfile.ZipFile(cache, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
                for part, data in parts.items():
                    if part != sheet or not in_sheet:
                        z.writestr(part, data)
                with z.open(sheet if in_sheet else "xl/media/padding.bin", "w") as f:
                    f.write(head.encode("utf-8") if in_sheet else b"")
                    chunk = (b"0" if in_sheet else b" ") * (1 << 20)
                    for _ in range(padding_mb):
                        f.write(chunk)
                    f.write(tail.encode("utf-8") if in_sheet else b"")
        shutil.copy(cache, folder / f"{name}.xlsx")
        return [f"{name}.xlsx"]
    return build


def big_file(kit: Kit, folder: Path, name: str) -> list[str]:
    """A return of 21 MB (over the 20 MB file limit): incompressible bytes in a part nobody reads."""
    def edit(parts: pk.Parts, sheet: str) -> None:
        parts["xl/media/image1.bin"] = os.urandom(21 << 20)
    return xml_case(folder, name, kit, edit)


def many_sheets(count: int) -> Builder:
    """A return with `count` extra (empty) worksheets."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        def edit(parts: pk.Parts, sheet: str) -> None:
            book, rels = pk.text(parts, "xl/workbook.xml"), pk.text(parts, "xl/_rels/workbook.xml.rels")
            types = pk.text(parts, "[Content_Types].xml")
            sheets, links, overrides = [], [], []
            ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
            for i in range(count):
                part = f"xl/worksheets/extra{i}.xml"
                parts[part] = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                               b"<sheetData/></worksheet>")
                sheets.append(f'<sheet {ns} name="S{i}" sheetId="{100 + i}" state="visible" r:id="rX{i}"/>')
                links.append('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             f'relationships/worksheet" Target="/{part}" Id="rX{i}"/>')
                overrides.append(f'<Override PartName="/{part}" ContentType="{kind}"/>')
            pk.put(parts, "xl/workbook.xml", book.replace("</sheets>", "".join(sheets) + "</sheets>", 1))
            pk.put(parts, "xl/_rels/workbook.xml.rels",
                   rels.replace("</Relationships>", "".join(links) + "</Relationships>", 1))
            pk.put(parts, "[Content_Types].xml", types.replace("</Types>", "".join(overrides) + "</Types>", 1))
        return xml_case(folder, name, kit, edit)
    return build


def without_styles(parts: pk.Parts, sheet: str) -> None:
    import re

    del parts["xl/styles.xml"]
    rels = pk.text(parts, "xl/_rels/workbook.xml.rels")
    pk.put(parts, "xl/_rels/workbook.xml.rels", re.sub(r'<Relationship[^>]*Target="styles.xml"[^>]*/>', "", rels))
    types = pk.text(parts, "[Content_Types].xml")
    pk.put(parts, "[Content_Types].xml", re.sub(r'<Override PartName="/xl/styles.xml"[^>]*/>', "", types))


def rels_to(target: str) -> Callable[[pk.Parts, str], None]:
    def edit(parts: pk.Parts, sheet: str) -> None:
        rels = pk.text(parts, "xl/_rels/workbook.xml.rels")
        pk.put(parts, "xl/_rels/workbook.xml.rels", rels.replace(f'Target="/{sheet}"', f'Target="{target}"', 1))
    return edit


def extra_member(member: str, data: bytes) -> Callable[[pk.Parts, str], None]:
    def edit(parts: pk.Parts, sheet: str) -> None:
        parts[member] = data
    return edit


def duplicate_member(kit: Kit, folder: Path, name: str) -> list[str]:
    """Two zip entries with the sheet part's name: the second holds other figures (which one is read?)."""
    import warnings

    parts = pk.read_parts(kit.good())
    stamp(parts, T_BAD)
    sheet = pk.sheet_part(parts, X)
    xml = pk.text(parts, sheet)
    rows, cols = kit.refs()
    other = xml
    for ind in rows:
        other = pk.set_cell(other, kit.ref(ind), "<v>1</v>")
    with warnings.catch_warnings(), zipfile.ZipFile(folder / f"{name}.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        for part, data in parts.items():
            z.writestr(part, data)
        z.writestr(sheet, other)
    return [f"{name}.xlsx"]


def truncated(kit: Kit) -> bytes:
    data = kit.good().read_bytes()
    return data[: len(data) // 2]


def no_central_directory(kit: Kit) -> bytes:
    data = kit.good().read_bytes()
    with zipfile.ZipFile(kit.good()) as z:
        first = min(i.header_offset for i in z.infolist())
        end = max(i.header_offset + len(i.FileHeader()) + i.compress_size for i in z.infolist())
    return data[first:end]


def docx(kit: Kit) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                   'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>提出します</w:t></w:r></w:p></w:body>'
                   "</w:document>")
    return buf.getvalue()


def empty_zip(kit: Kit) -> bytes:
    import io

    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    return buf.getvalue()


def non_utf8_name(kit: Kit, folder: Path, name: str) -> list[str]:
    """地域共生課's good return under a Shift_JIS name (地域_<name>.xlsx), as unzip leaves a Windows zip."""
    raw = os.fsencode(folder) + b"/" + "地域".encode("cp932") + f"_{name}.xlsx".encode()
    shutil.copy2(kit.good(), raw)
    return [f"_{name}.xlsx"]


def subfolder(kit: Kit, folder: Path, name: str) -> list[str]:
    """A subfolder holding a newer return of 地域共生課 with wrong figures: it must not be read."""
    (folder / name).mkdir()
    values, texts = seed_inputs(X)
    fill_department(kit.forms / f"{X}.xlsx", {k: "1" for k in values}, texts, saved=T_LATE, mtime=T_LATE,
                    out=folder / name / f"{X}.xlsx")
    return [name]


def future_and_corrected(kit: Kit, folder: Path, name: str) -> list[str]:
    """A return stamped 2099 (a PC with a wrong clock) with wrong figures, sent before the corrected
    good return (its file time is older): the corrected one must win."""
    values, texts = seed_inputs(X)
    fill_department(kit.forms / f"{X}.xlsx", {k: "1" for k in values}, texts,
                    saved=datetime(2099, 1, 1, tzinfo=UTC), mtime=T_BAD, out=folder / f"{name}.xlsx")
    return [f"{name}.xlsx"]


def copy_master(kit: Kit, folder: Path, name: str) -> list[str]:
    shutil.copy(kit.master, folder / f"{name}.xlsx")
    return [f"{name}.xlsx"]


def folder_with_goods(kit: Kit, base: Path, leave_out: str | None = None) -> Path:
    """`base/提出` holding the good returns of every department but `leave_out`."""
    folder = base / "提出"
    folder.mkdir(parents=True)
    for dept in DEPARTMENTS:
        if dept != leave_out:
            shutil.copy2(kit.good(dept), folder / f"{dept}.xlsx")
    return folder


def blank_form(kit: Kit, folder: Path, name: str) -> list[str]:
    """The form as distributed, sent back untouched: saved (by the split) before the departments filled theirs."""
    parts = pk.read_parts(kit.forms / f"{X}.xlsx")
    stamp(parts, T_BAD)
    path = folder / f"{name}.xlsx"
    pk.write_parts(path, parts)
    os.utime(path, (T_BAD.timestamp(), T_BAD.timestamp()))
    return [f"{name}.xlsx"]


def draft_first(wb, ws, rows, cols) -> None:
    draft = wb.copy_worksheet(ws)
    draft.title = "下書き"
    for ind, row in rows.items():
        draft.cell(row, cols[YEAR]).value = "1"
    wb.move_sheet(draft, offset=-wb.index(draft))


def swap_ids(a: str, b: str) -> Callable:
    def edit(wb, ws, rows, cols) -> None:
        col = cols[layout.ID]
        ws.cell(rows[a], col).value, ws.cell(rows[b], col).value = b, a
    return edit


def set_cells(*changes: tuple[str, str, object], protect_off: bool = True) -> Callable:
    def edit(wb, ws, rows, cols) -> None:
        if protect_off:
            unprotect(ws)
        for ind, key, value in changes:
            ws.cell(rows[ind], cols[key]).value = value
    return edit


def unmerged_second_row(wb, ws, rows, cols) -> None:
    """The clerk unmerges 取組状況 of the G2-02 group and types into its second row."""
    col = cols[layout.DONE]
    for rng in list(ws.merged_cells.ranges):
        if rng.min_col == col and rng.min_row == rows["G2-02a"]:
            ws.unmerge_cells(str(rng))
    ws.cell(rows["G2-02b"], col).value = "延べ利用者数は前年度より減少した。"


def copied_row(wb, ws, rows, cols) -> None:
    last = max(rows.values())
    for c in range(1, ws.max_column + 1):
        ws.cell(last + 1, c).value = ws.cell(last, c).value
    ws.cell(last + 1, cols[YEAR]).value = "80件"


def delete_year_column(wb, ws, rows, cols) -> None:
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.delete_cols(cols[YEAR])


def rename_sheet(wb, ws, rows, cols) -> None:
    ws.title = "提出用"



# --- the corpus -------------------------------------------------------------------------------

R = "issue 8: reading (preflight, per-file isolation, exit codes)"
C = "issue 8: checks (wrong data refused)"
H = "issue 8: reading (hidden cells) + checks (their messages)"


def xml_builder(edit: Callable[[pk.Parts, str], None], **options) -> Builder:
    return lambda kit, folder, name: xml_case(folder, name, kit, edit, **options)


def in_part(part: str, declaration: str, use: tuple[str, str] | None = None) -> Callable[[pk.Parts, str], None]:
    """A DTD in `part` (the department sheet when ''), optionally `use` = (after this text, insert that)."""
    def edit(parts: pk.Parts, sheet: str) -> None:
        target = part or sheet
        xml = doctype(pk.text(parts, target), declaration)
        if use:
            xml = xml.replace(use[0], use[0] + use[1], 1)
        pk.put(parts, target, xml)
    return edit


def year_cell(ind: str = "G1-01") -> Callable[[Kit], str]:
    return lambda kit: kit.ref(ind)


def sst_index(index: Callable[[pk.Parts], str]) -> Builder:
    """A shared-strings return (as Excel saves) whose G1-01 figure cell points at string `index(parts)`."""
    def build(kit: Kit, folder: Path, name: str) -> list[str]:
        ref = kit.ref("G1-01")
        def edit(parts: pk.Parts, sheet: str) -> None:
            pk.put(parts, sheet, pk.set_cell(pk.text(parts, sheet), ref, f"<v>{index(parts)}</v>", type_="s"))
        return xml_case(folder, name, kit, edit, shared=True)
    return build


LAST_CELL = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

CASES: list[Case] = [
    # --- XML a parser must neither expand nor resolve
    Case("entity_expansion_sheet", "シートXMLに実体展開（billion laughs）", "不採用（安全に読めないファイル）",
         xml_builder(in_part("", LAUGHS, ("<sheetData>", ""))), REFUSED, replaces=X),
    Case("entity_expansion_used", "シートXMLの文字列セルで実体展開を使用（&lol9;）", "不採用（安全に読めないファイル）",
         xml_builder(in_part("", LAUGHS, ('<is><t>', "&lol9;"))), REFUSED, replaces=X),
    Case("external_entity_sheet", "シートXMLに外部実体（フォルダ外の秘密ファイル）", "不採用。外部ファイルの内容は表示も書き込みもしない",
         external_entity("", "<is><t>"), REFUSED, replaces=X, secret=True),
    Case("entity_shared_strings", "sharedStrings.xml に実体展開", "不採用（安全に読めないファイル）",
         xml_builder(in_part(pk.SST_PART, LAUGHS, ("<si><t", "")), shared=True), REFUSED, replaces=X),
    Case("external_entity_shared_strings", "sharedStrings.xml に外部実体", "不採用。外部ファイルの内容は表示しない",
         lambda kit, folder, name: xml_case(folder, name, kit, lambda parts, sheet: pk.put(
             parts, pk.SST_PART, doctype(pk.text(parts, pk.SST_PART),
                                         f'<!ENTITY xxe SYSTEM "{(kit.outside() / "secret.txt").as_uri()}">')
             .replace('preserve">', 'preserve">&xxe;', 1)), shared=True),
         REFUSED, replaces=X, secret=True),
    Case("external_entity_core", "docProps/core.xml に外部実体", "読み取らない（保存日時なし）か不採用。外部ファイルの内容は表示しない",
         external_entity("docProps/core.xml", "<dc:creator"), (), codes=(0, 1), replaces=X, secret=True),
    Case("entity_expansion_workbook", "xl/workbook.xml に実体展開", "不採用（安全に読めないファイル）",
         xml_builder(in_part("xl/workbook.xml", LAUGHS)), REFUSED, replaces=X),
    # --- what a clerk typed
    Case("control_char_text", "取組状況に制御文字（BEL、Excel の _x0007_）", "制御文字の指摘（除去して注意、またはエラー）",
         typed_case("G1-01", layout.DONE, "機関紙の発行_x0007_、社協内HP"), ("制御", "U+0007", "使えない文字", "特殊文字"),
         replaces=X, typed=((("G1-01", layout.DONE), "機関紙の発行、社協内HP"),)),
    Case("control_char_raw_text", "取組状況に生の制御文字（XML内の \\x01）", "制御文字の指摘（除去して注意、またはエラー）",
         cell_case(lambda kit: kit.ref("G3-01", layout.DONE), "<is><t>相談\x01件数</t></is>", "inlineStr"),
         ("制御", "U+0001", "使えない文字", "特殊文字") + UNREADABLE, replaces=X,
         typed=((("G3-01", layout.DONE), "相談件数"),)),
    Case("control_char_value", "実績値に制御文字（51\\x07 3）", "エラー：数値でない（U+0007 を表示）",
         typed_case("G1-01", YEAR, "51_x0007_3"), ("制御", "U+0007", "数値"), replaces=X),
    Case("digits_400", "400桁の数字（文字列）", "エラー：大きすぎる数値",
         typed_case("G1-01", YEAR, "9" * 400), NUMBER, replaces=X),
    Case("number_1e308", "実績値 1e308（数値セル）", "エラー：上限を超える数値",
         cell_case(year_cell(), "<v>1E+308</v>"), NUMBER, replaces=X),
    Case("number_infinity", "実績値 1E+400（無限大に桁あふれ）", "エラー：数値でない／上限超え",
         cell_case(year_cell(), "<v>1E+400</v>"), NUMBER, replaces=X),
    Case("number_nan", "実績値 NaN（数値セル）", "エラー：数値でない",
         cell_case(year_cell(), "<v>NaN</v>"), NUMBER, replaces=X),
    Case("date_in_value", "実績値に日付（2020/3/31）", "エラー：数値でない",
         book_case(set_cells(("G1-01", YEAR, datetime(2020, 3, 31)), protect_off=False)), ("数値", "日付"),
         replaces=X),
    Case("text_32768", "取組状況に 32,768 文字", "エラー：文字数の上限超え",
         # Written into the XML: openpyxl itself cuts a string to 32,767 characters on save.
         typed_case("G1-01", layout.DONE, "あ" * 32_768), ("文字", "上限"), replaces=X),
    Case("error_value", "実績値がエラー値 #DIV/0!", "エラー：エラー値（#DIV/0!）",
         cell_case(year_cell(), "<v>#DIV/0!</v>", "e"), ("#DIV/0!", "エラー値"), replaces=X),
    Case("formula_no_cache", "実績値が計算結果のない数式", "エラー：数式の計算結果が保存されていない",
         cell_case(year_cell(), "<f>SUM(500,13)</f>"), ("数式", "計算結果"), replaces=X),
    Case("unmerged_second_row", "グループ2行目（結合を解除）に取組状況を入力", "注意：読み取らない欄の入力（1行目へ）",
         book_case(unmerged_second_row), ("1行目", "最初の行", "先頭", "入力欄"), replaces=X, victim=False),
    # --- the form changed by hand
    Case("swapped_ids", "2行の指標IDを入れ替え（貼り付け）", "エラー：保護セル（実績の履歴・目標）が調査票と違う",
         book_case(swap_ids("G3-01", "G3-03")), ("保護", "一致", "違", "入れ替", "コピー"), replaces=X),
    Case("draft_sheet_first", "部署シートの下書きコピーを先頭に", "注意：下書きシートを指摘、部署シートを読む",
         book_case(draft_first), ("下書き",), replaces=X),
    Case("wrong_department", "行は地域共生課、管理情報は協働コミュニティ課", "不採用：内容が別の部署",
         meta_case("department", Y), ("部署", "担当")),
    Case("future_saved_time", "保存日時が未来（2099年）の古い版と、後から届いた訂正版", "注意：未来の保存日時、訂正版を反映",
         future_and_corrected, ("実行日時より後", "未来", "将来")),
    Case("locked_history_changed", "保護を外して平成30年度の値を変更", "その指標はエラー（調査票と違う）",
         book_case(set_cells(("G3-01", layout.year_key(2018), 800))), ("保護", "調査票"), replaces=X),
    Case("target_changed", "保護を外して目標値を変更", "その指標はエラー（調査票と違う）",
         book_case(set_cells(("G4-02", layout.TARGET, 95))), ("保護", "目標"), replaces=X),
    Case("label_changed", "保護を外して項目名を変更", "その指標はエラー（項目が調査票と違う）",
         book_case(set_cells(("G1-01", layout.ITEM, "別の項目"))), ("項目", "保護", "違"), replaces=X),
    Case("sheet_renamed", "部署シートの名前を変更", "反映（名前ではなく内容で探す）",
         book_case(rename_sheet), ("反映",), codes=(0,), replaces=X, victim=False),
    Case("copied_row", "指標の行をコピー（重複行）", "エラー：コピーした行",
         book_case(copied_row), ("コピー",), replaces=X),
    Case("deleted_year_column", "入力列（令和元年度）を削除", "不採用：入力欄の列がない",
         book_case(delete_year_column), ("列",), replaces=X),
    Case("blank_form", "配布したままの未入力の様式", "エラー：未入力",
         blank_form, ("未入力",), replaces=X),
    Case("other_year", "別の年度（平成30年度）の様式", "不採用：年度が違う",
         meta_case("fiscal_year", 2018), ("年度",)),
    Case("other_plan", "別の計画の調査票", "不採用：別の計画",
         meta_case("plan_id", "another-plan"), ("計画",)),
    Case("other_version", "様式の版が違う", "不採用：様式の版が違う",
         meta_case("template_version", "2018.1"), ("版",)),
    Case("survey_in_folder", "集約先と同じ調査票をフォルダに置いた", "対象外：調査票のため読み込まない",
         copy_master, ("調査票",), codes=(0,)),
    # --- sizes and shapes
    Case("last_cell", "10 KB のファイルで XFD1048576 に値（dimension は偽り）", "不採用：シートが大きすぎる",
         xml_builder(sheet_edit(lambda xml: pk.append_row(xml, LAST_CELL))), LIMIT, replaces=X),
    Case("last_cell_meta", "隠しシート（管理情報）の XFD1048576 に値", "不採用：シートが大きすぎる",
         xml_builder(lambda parts, sheet: pk.put(parts, pk.sheet_part(parts, "管理情報"), pk.append_row(
             pk.text(parts, pk.sheet_part(parts, "管理情報")), LAST_CELL))), LIMIT, replaces=X),
    Case("zip_bomb", "400 KB が 400 MB に展開（実績値の前に 0 が 4 億個）", "不採用：展開後のサイズが上限超え",
         bomb(400), LIMIT, replaces=X),
    Case("zip_bomb_unread_part", "読まない部品が 150 MB に展開", "不採用：展開後のサイズが上限超え",
         bomb(150, in_sheet=False), LIMIT, replaces=X),
    Case("big_file", "21 MB のファイル（上限 20 MB）", "不採用：ファイルが大きすぎる",
         big_file, LIMIT, replaces=X),
    Case("many_sheets", "空のシートが 3,000 枚", "反映、またはシートが多すぎて不採用",
         many_sheets(3000), ("反映",) + LIMIT, codes=(0, 1), replaces=X),
    # --- package parts
    Case("sst_out_of_range", "sharedStrings の番号が範囲外（99999）", "エラー（その値を読めない）または不採用",
         sst_index(lambda parts: "99999"), ("エラー", "不採用") + REFUSED, replaces=X),
    Case("sst_index_wraps", "sharedStrings の番号が 2^64＋n（今は 0 番の文字列が読まれる）", "不採用（番号が範囲外）。別の文字列を読まない",
         sst_index(lambda parts: str(2**64 + pk.shared_index(parts, "888件"))),
         ("範囲外", "共有文字列", "sharedStrings", "壊れ", "開けません"), replaces=X),
    Case("styles_missing", "styles.xml がない", "反映（書式なしでも値は読める）または不採用",
         xml_builder(without_styles), ("反映",) + REFUSED, codes=(0, 1), replaces=X),
    Case("rels_etc_passwd", "workbook.xml.rels が ../../etc/passwd を指す", "不採用：開けない（zip の外は読まない）",
         xml_builder(rels_to("../../etc/passwd")), REFUSED, replaces=X),
    Case("rels_external_file", "シートの関係が file:///…/secret.xml（外部）を指す", "不採用：開けない（外部ファイルは読まない）",
         rels_external, REFUSED, replaces=X, secret=True),
    Case("zip_slip", "zip 内に ../../zip-slip.txt という部品", "反映または不採用。フォルダの外に何も書かない",
         xml_builder(extra_member("../../zip-slip.txt", SECRET.encode())), (), codes=(0, 1), replaces=X, secret=True),
    Case("duplicate_member", "同じ名前のシート部品が2つ（中身が違う）", "不採用：どちらが正しいか分からない",
         duplicate_member, REFUSED, replaces=X),
    # --- not a return at all
    Case("truncated", "途中で切れた .xlsx", "不採用：開けません", raw_file(truncated), UNREADABLE),
    Case("no_central_directory", "中央ディレクトリのない .xlsx", "不採用：開けません",
         raw_file(no_central_directory), UNREADABLE),
    Case("encrypted", "パスワード付き（OLE/CFB）を .xlsx の名前で", "不採用：パスワード付き・開けません",
         raw_file(cfb(("EncryptionInfo", "EncryptedPackage"))), UNREADABLE + ("パスワード", "暗号")),
    Case("empty", "0 バイトの .xlsx", "不採用：空のファイル", raw_file(b""), UNREADABLE + ("空", "0 バイト")),
    Case("text_file", "中身がテキストの .xlsx", "不採用：開けません",
         raw_file("提出します。よろしくお願いします。\n".encode("cp932")), UNREADABLE),
    Case("docx_as_xlsx", "Word 文書を .xlsx の名前で", "不採用：開けません", raw_file(docx), UNREADABLE),
    Case("empty_zip", "部品のない zip を .xlsx の名前で", "不採用：開けません", raw_file(empty_zip), UNREADABLE),
    Case("ods", ".ods（LibreOffice 形式）の提出", "不採用：.xlsx で出し直してもらう", raw_file(ods, ".ods"),
         ("ods", "xlsx", "形式")),
    Case("xls", ".xls（古い形式）の提出", "不採用：.xlsx で出し直してもらう",
         raw_file(cfb(("Workbook", "\x05SummaryInformation")), ".xls"), ("xls", "形式")),
    # --- folder entries
    Case("apple_double", "._x.xlsx（Mac のリソースファイル）", "表示しない（黙って無視）",
         raw_file(bytes.fromhex("00051607") + bytes(80), prefix="._"), codes=(0,), quiet=True),
    Case("ds_store", ".DS_Store", "表示しない（黙って無視）", raw_file(b"\0\0\0\1Bud1" + bytes(64), fixed=".DS_Store"),
         codes=(0,), quiet=True),
    Case("thumbs_db", "Thumbs.db と desktop.ini", "表示しない（黙って無視）",
         lambda kit, folder, name: raw_file(cfb(("Catalog",)), fixed="Thumbs.db")(kit, folder, name)
         + raw_file(b"[.ShellClassInfo]\r\n", fixed="desktop.ini")(kit, folder, name),
         codes=(0,), quiet=True),
    Case("excel_lock", "~$x.xlsx（Excel のロックファイル）", "対象外：ロックファイル",
         raw_file(b"\x06tanaka" + bytes(47) + "田中".encode("utf-16-le") + bytes(100), prefix="~$"),
         ("ロック", "一時ファイル"), codes=(0,)),
    Case("libreoffice_lock", ".~lock.x.xlsx#（LibreOffice のロックファイル）", "対象外：ロックファイル",
         raw_file(b"tanaka,PC01,tanaka,30.11.2026 10:00,file:///home/tanaka/.config/libreoffice/4;",
                  prefix=".~lock.", suffix=".xlsx#"), ("ロック", "一時ファイル"), codes=(0,)),
    Case("symlink_outside", "フォルダの外のファイルへのシンボリックリンク", "不採用：リンクは読まない（外の内容は表示しない）",
         symlink_out, ("リンク",), secret=True),
    Case("subfolder", "サブフォルダ（中に別の提出ファイル）", "対象外：フォルダ（中は読まない）",
         subfolder, ("フォルダ",), codes=(0,)),
    Case("non_utf8_name", "UTF-8 でないファイル名（Shift_JIS の「地域」）", "反映（名前は安全に表示）",
         non_utf8_name, ("反映",), codes=(0,), replaces=X, victim=False),
]

BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"
