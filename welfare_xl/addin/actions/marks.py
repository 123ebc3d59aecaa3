"""入力チェック and チェック表示クリア on the active department sheet.

入力チェック runs the same `checks.check_submission` that the CLI and the
consolidation run, on the values read from the open workbook, and marks each
problem cell twice: a fill (errors red, warnings yellow) and a note whose text
starts with エラー or 注意, so the marking does not rest on colour alone. A
summary is shown in a message box. Nothing else on the sheet changes: no value
is written.

What was marked is remembered in sheet-level defined names (`wxl_check_f…` for
filled cells, `wxl_check_n…` for the notes the add-in added), because a
department's workbook has a locked structure and cannot take a helper sheet.
Names refer to the cells themselves, so Excel keeps them pointing at the right
cells. チェック表示クリア removes exactly that: it puts back each cell's fill,
deletes only the notes the add-in added, and deletes the names. A note a
person wrote on a cell is never touched.

Which fill goes back depends on what the engine can read. Desktop Excel
reads a cell's fill (Interior.Color) before 入力チェック first marks it, and
the record keeps it in more names, one set per colour (`wxl_check_pFFF2CC_1`,
`wxl_check_pnone_1` for no fill): a fill the department chose is restored as
it was. The remote engine cannot read formatting, so there, and for a cell
marked before its fill was recorded, the form's own fill for the column is
restored (taken from the department sheet's SheetSpec). A solid colour is
what is recorded; a hatched fill comes back solid.

Actions do not grow with the number of rows: one fill write for all cells, and
one note (plus a share of a name) per flagged cell.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from welfare_xl.addin.excel.com import unprotected
from welfare_xl.addin.excel.grids import NotApplicable, is_desktop, read_grid
from welfare_xl.addin.excel.sheet_writer import paint
from welfare_xl.addin.excel.workbook import read_book_meta
from welfare_xl.core.checks import Finding, Severity, Submission, check_submission
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Cell, column_letter, parse_cell, range_cells
from welfare_xl.core.model.metadata import DEPARTMENT, Meta
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.sheets.department import DEPARTMENT_SHEET_ROWS, department_sheet
from welfare_xl.core.sheets.spec import FILL_ERROR, FILL_WARNING

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

LABEL = "入力チェック"
CLEAR_LABEL = "チェック表示クリア"
NAME_PREFIX = "wxl_check_"
FILL_NAME = NAME_PREFIX + "f"  # + 1, 2, ...
NOTE_NAME = NAME_PREFIX + "n"
PREV_NAME = NAME_PREFIX + "p"  # + RRGGBB or "none" + "_1", "_2", ...: the fill before the first mark
_PREV = re.compile(r"wxl_check_p(none|[0-9A-Fa-f]{6})_\d+\Z", re.IGNORECASE)
NOTE_HEAD = "［入力チェック］"
MAX_REFERS_TO = 250  # Excel refuses longer definitions from VBA/COM in some versions
MAX_LISTED = 12  # findings listed in the message box


@dataclass
class Record:
    """The marks 入力チェック left on a sheet, as its defined names say."""

    fills: set[Cell] = field(default_factory=set)
    notes: set[Cell] = field(default_factory=set)
    names: list[Any] = field(default_factory=list)  # xlwings Name objects to delete
    previous: dict[Cell, str | None] = field(default_factory=dict)  # fill before the first mark (desktop)

    def __bool__(self) -> bool:
        return bool(self.fills or self.notes or self.names)


_AREA = re.compile(r"(?:'(?:[^']|'')+'|[^'!,=]+)!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)")


def parse_refers_to(refers_to: str | None) -> set[Cell]:
    """Cells of a definition such as ='地域共生課'!$G$7,'地域共生課'!$J$9 (deleted areas skipped)."""
    cells: set[Cell] = set()
    for address in _AREA.findall(refers_to or ""):
        cells.update(range_cells(address.replace("$", "")))
    return cells


def read_record(sheet: "xw.Sheet") -> Record:
    record = Record()
    for name in sheet.names:
        local = name.name.rsplit("!", 1)[-1]
        if not local.startswith(NAME_PREFIX):
            continue
        record.names.append(name)
        cells = parse_refers_to(name.refers_to)
        previous = _PREV.match(local)
        if previous:
            color = None if previous[1].lower() == "none" else previous[1].upper()
            record.previous.update({cell: color for cell in cells})
            continue
        (record.notes if local.startswith(NOTE_NAME) else record.fills).update(cells)
    return record


def _quoted(sheet_name: str) -> str:
    return "'" + sheet_name.replace("'", "''") + "'"


def definitions(sheet_name: str, cells: Iterable[Cell]) -> list[str]:
    """Definitions of names listing `cells`, each short enough for Excel."""
    prefix = _quoted(sheet_name) + "!"
    out: list[str] = []
    current = ""
    for r, c in sorted(cells):
        area = f"{prefix}${column_letter(c)}${r + 1}"
        if current and len(current) + 1 + len(area) > MAX_REFERS_TO:
            out.append(current)
            current = ""
        current = f"{current},{area}" if current else f"={area}"
    if current:
        out.append(current)
    return out


def write_record(sheet: "xw.Sheet", old: Record, fills: Iterable[Cell], notes: Iterable[Cell],
                 previous: dict[Cell, str | None] | None = None) -> None:
    """Replace the record: marked fills, added notes, and the fills before marking where known."""
    for name in old.names:
        name.delete()
    for base, cells in ((FILL_NAME, fills), (NOTE_NAME, notes)):
        for n, refers_to in enumerate(definitions(sheet.name, cells), 1):
            sheet.names.add(f"{base}{n}", refers_to)
    for color, cells in sorted(_by_color(previous or {}).items(), key=lambda kv: kv[0] or ""):
        for n, refers_to in enumerate(definitions(sheet.name, cells), 1):
            sheet.names.add(f"{PREV_NAME}{color or 'none'}_{n}", refers_to)


def _by_color(previous: dict[Cell, str | None]) -> dict[str | None, list[Cell]]:
    out: dict[str | None, list[Cell]] = defaultdict(list)
    for cell, color in previous.items():
        out[color].append(cell)
    return out


def previous_fills(book: "xw.Book", sheet: "xw.Sheet", cells: Iterable[Cell]) -> dict[Cell, str | None]:
    """The fill each cell has now, as RRGGBB (None: no fill), read before it is marked.

    Desktop only: the remote engine cannot read formatting (an empty answer
    there, and the form's fill is restored instead). One COM read per cell, and
    only for cells being marked for the first time: their number follows the
    findings, not the rows. A cell whose fill cannot be read is left out.
    """
    if not is_desktop(book):
        return {}
    out: dict[Cell, str | None] = {}
    for r, c in sorted(cells):
        try:
            rgb = sheet.range((r + 1, c + 1)).color  # COM: None when Interior.ColorIndex is xlNone
        except Exception:  # noqa: BLE001 - the form's fill is the fallback
            continue
        out[(r, c)] = None if rgb is None else "{:02X}{:02X}{:02X}".format(*rgb)
    return out


def restore_fills(meta: Meta, table: layout.Table | None, cells: Iterable[Cell],
                  previous: dict[Cell, str | None]) -> dict[Cell, str | None]:
    """The fill each marked cell gets back: the one recorded before marking, else the form's."""
    cells = list(cells)
    colors = original_fills(meta, table, cells)
    colors.update({cell: previous[cell] for cell in cells if cell in previous})
    return colors


def _department(meta: Meta, table: layout.Table) -> str | None:
    if meta.kind == DEPARTMENT and meta.department:
        return meta.department
    return meta.survey.department_of(r.id for r in table.rows)


def form_fills(meta: Meta, department: str) -> dict[str, str | None]:
    """The fill of a data cell in each column of the department's form, by column key.

    Read from the SheetSpec the form was made from, since a fill cannot be read
    back from the live workbook on every engine.
    """
    spec = department_sheet(meta.survey, department)
    keys = {c: str(v)[len(layout.KEY_PREFIX):] for (r, c), (v, _) in spec.cells.items()
            if r == DEPARTMENT_SHEET_ROWS.key and isinstance(v, str) and v.startswith(layout.KEY_PREFIX)}
    # A row the department answers (a co-owned row is locked throughout).
    inds = meta.survey.for_department(department).indicators
    row = DEPARTMENT_SHEET_ROWS.first_data + next((n for n, i in enumerate(inds) if i.department == department), 0)
    return {key: spec.cells[(row, c)][1].fill for c, key in keys.items() if (row, c) in spec.cells}


def original_fills(meta: Meta, table: layout.Table | None, cells: Iterable[Cell]) -> dict[Cell, str | None]:
    """What each marked cell looked like before it was marked."""
    department = _department(meta, table) if table is not None else None
    by_key = form_fills(meta, department) if department else {}
    key_of = {c: k for k, c in table.columns.items()} if table is not None else {}
    data_rows = {r.row for r in table.rows} | {r.row for r in table.duplicates} if table is not None else set()
    out = {}
    for r, c in cells:
        key = key_of.get(c)
        out[(r, c)] = by_key.get(key) if key is not None and r in data_rows else None
    return out


def _note_text(findings: list[Finding]) -> str:
    lines = [NOTE_HEAD]
    for f in sorted(findings, key=lambda f: f.severity != Severity.ERROR):
        # The note sits on the cell: only what is wrong there.
        lines.append(f.describe(file=False, sheet=False, cell=False, subject=False, mark="："))
    return "\n".join(lines)


def _has_note(rng: "xw.Range") -> bool:
    return rng.note is not None


def _target_sheet(book: "xw.Book", meta: Meta) -> "xw.Sheet":
    sheet = book.sheets.active
    if sheet.name == META_SHEET:
        raise NotApplicable(f"「{META_SHEET}」シートは点検できません。部署のシートを選んでから実行してください。")
    if meta.kind != DEPARTMENT and sheet.name == meta.survey.plan.sheet:
        raise NotApplicable(
            f"「{sheet.name}」は集約先の表です。入力チェックは、部署別シート（部署名のシート）を選んでから実行してください。")
    return sheet


def _listing(sub: Submission) -> list[str]:
    lines = []
    ordered = sorted(sub.findings, key=lambda f: (f.severity != Severity.ERROR,))
    for f in ordered[:MAX_LISTED]:
        lines.append("・" + f.describe(file=False, sheet=False, mark=" ", sep="："))
    if len(ordered) > MAX_LISTED:
        lines.append(f"（ほか {len(ordered) - MAX_LISTED} 件はセルのメモを見てください）")
    return lines


def check(book: "xw.Book") -> str:
    meta, meta_grid = read_book_meta(book)
    sheet = _target_sheet(book, meta)
    grid = read_grid(sheet)
    record = read_record(sheet)
    sub = check_submission(book.name, {META_SHEET: meta_grid, sheet.name: grid}, [sheet.name], sheet=sheet.name)
    if sub.fatal:
        reasons = "\n".join(f"・{f.message}" for f in sub.errors)
        raise NotApplicable(f"「{sheet.name}」シートは点検できませんでした。\n{reasons}\n"
                            "部署別シート（配布された様式のシート）を選んでから実行してください。")

    flagged: dict[Cell, list[Finding]] = defaultdict(list)
    for f in sub.findings:
        if f.cell:
            flagged[parse_cell(f.cell)].append(f)
    severity = {rc: Severity.ERROR if any(f.severity == Severity.ERROR for f in fs) else Severity.WARNING for rc, fs in flagged.items()}

    table = layout.find_table(grid)
    colors: dict[Cell, str | None] = restore_fills(meta, table, record.fills - set(flagged), record.previous)
    colors.update({rc: FILL_ERROR if s == Severity.ERROR else FILL_WARNING for rc, s in severity.items()})
    # A cell already marked shows our mark now: its fill before marking is the recorded one.
    previous = dict(record.previous)
    previous.update(previous_fills(book, sheet, set(flagged) - record.fills))

    noted: set[Cell] = set()
    old_notes = set(record.notes)
    painted = False
    foreign = 0
    with unprotected(book, sheet):
        try:
            paint(sheet, colors)
            painted = True
            for r, c in sorted(record.notes):
                rng = sheet.range((r + 1, c + 1))
                if _has_note(rng):
                    rng.note.delete()
                old_notes.discard((r, c))
            notes_supported = True
            for (r, c), findings in sorted(flagged.items()):
                rng = sheet.range((r + 1, c + 1))
                if (r, c) not in record.notes and _has_note(rng):
                    foreign += 1  # someone's own note: leave it, the fill and the list still tell
                    continue
                if not notes_supported:
                    continue
                try:
                    rng.add_note(_note_text(findings))
                except NotImplementedError:
                    notes_supported = False  # a remote client without notes (not Office.js)
                    continue
                noted.add((r, c))
        finally:
            # Recorded even when Excel fails half-way (desktop applies each write at
            # once), so that チェック表示クリア can still remove whatever was marked.
            fills = set(flagged) if painted else set(flagged) | record.fills
            write_record(sheet, record, fills, noted | old_notes,
                         {cell: previous[cell] for cell in fills if cell in previous})

    n_err, n_warn = len(sub.errors), len(sub.warnings)
    head = f"「{sheet.name}」シート（{sub.department}）を点検しました。"
    if not sub.findings:
        return head + "\n問題は見つかりませんでした。このまま提出できます。"
    lines = [head + f"エラー {n_err} 件、注意 {n_warn} 件。"]
    marks = "エラーのセルは赤、注意のセルは黄色にしました"
    lines.append(marks + ("。内容はセルのメモにも書いてあります。" if noted else "。"))
    if foreign:
        lines.append(f"（{foreign} 個のセルには元からメモがあったため、メモは付けていません）")
    lines.append("")
    lines += _listing(sub)
    lines.append("")
    if n_err:
        lines.append("エラーを直してから、もう一度「入力チェック」を押してください。")
    else:
        lines.append("注意の内容を確認してください。正しければ、このまま提出できます。")
    lines.append(f"色とメモは「{CLEAR_LABEL}」で消せます。")
    return "\n".join(lines)


def clear(book: "xw.Book") -> str:
    sheet = book.sheets.active
    record = read_record(sheet)
    if not record:
        return f"「{sheet.name}」シートには「{LABEL}」の表示がありません。"
    meta, _ = read_book_meta(book)
    table = layout.find_table(read_grid(sheet))
    colors = restore_fills(meta, table, record.fills, record.previous)
    removed = 0
    with unprotected(book, sheet):
        paint(sheet, colors)
        for r, c in sorted(record.notes):
            rng = sheet.range((r + 1, c + 1))
            if _has_note(rng):
                rng.note.delete()
                removed += 1
        for name in record.names:
            name.delete()
    return (f"「{sheet.name}」シートの「{LABEL}」の表示を消しました（色 {len(record.fills)} 個、メモ {removed} 個）。"
            "入力した値は変わっていません。")
