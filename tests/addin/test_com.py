"""The add-in's desktop-only (COM) paths, against a recording fake of the COM objects.

Desktop Excel cannot run here, so these tests check what the code asks COM for
(objects, methods, arguments, constants from the Excel object model) and how it
uses the answers. What Excel does with those calls is listed in README's
checklist for a Windows PC.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from support.com_fake import Com, FakeSheet, desktop_app

from welfare_xl.addin.excel import grids as live

# Excel object model constants the calls must carry.
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_BY_COLUMNS, XL_PREVIOUS = -4123, 2, 1, 2, 2


# --- read_grid: the last cell holding a value, not UsedRange -------------------------------


def finding_sheet(by_rows: tuple[int, int] | None, by_columns: tuple[int, int] | None,
                  cells: dict[tuple[int, int], object] | None = None) -> FakeSheet:
    """A sheet whose UsedRange reaches row 1,048,576 (formatting copied down) and whose
    Cells.Find answers the given last cells by rows and by columns."""
    api = Com("Worksheet")
    found = {XL_BY_ROWS: by_rows, XL_BY_COLUMNS: by_columns}

    def find(**kw):
        hit = found[kw["SearchOrder"]]
        return None if hit is None else Com("found", Row=hit[0], Column=hit[1])

    object.__setattr__(api, "Cells", Com("Worksheet.Cells", api.calls).method("Find", find))
    return FakeSheet(cells=cells, used=(1_048_576, 30), api=api)


def test_read_grid_on_desktop_reads_up_to_the_last_value_found():
    sheet = finding_sheet((12, 3), (5, 7), cells={(1, 1): "見出し", (12, 3): 513, (5, 7): "x"})
    grid = live.read_grid(sheet)
    assert sheet.reads == [((1, 1), (12, 7))]  # one read, not down to row 1,048,576
    assert len(grid) == 12 and all(len(row) == 7 for row in grid)
    assert grid[11][2] == 513.0 and grid[4][6] == "x" and grid[0][0] == "見出し"

    finds = [kw for path, _, kw in sheet.api.calls if path == "Worksheet.Cells.Find"]
    assert [kw["SearchOrder"] for kw in finds] == [XL_BY_ROWS, XL_BY_COLUMNS]
    for kw in finds:
        # Every setting Excel would otherwise take from the clerk's last Find dialog is given.
        assert kw["What"] == "*" and kw["LookIn"] == XL_FORMULAS and kw["LookAt"] == XL_PART
        assert kw["SearchDirection"] == XL_PREVIOUS
        assert kw["MatchCase"] is False and kw["MatchByte"] is False and kw["SearchFormat"] is False
    # searching backwards from A1 wraps to the sheet's end
    assert ("Worksheet.Cells()", (1, 1), {}) in sheet.api.calls


def test_read_grid_on_a_desktop_sheet_without_values_reads_a1_only():
    sheet = finding_sheet(None, None)
    assert live.read_grid(sheet) == [[None]]
    assert sheet.reads == [((1, 1), (1, 1))]
    assert sum(path == "Worksheet.Cells.Find" for path, _, _ in sheet.api.calls) == 1


def test_read_grid_falls_back_to_the_used_range_when_find_fails():
    api = Com("Worksheet")
    object.__setattr__(api, "Cells", Com("Worksheet.Cells", api.calls).method("Find", RuntimeError("COM error")))
    sheet = FakeSheet(api=api, used=(4, 2), cells={(4, 2): 1})
    assert live.read_grid(sheet)[3][1] == 1.0
    assert sheet.reads == [((1, 1), (4, 2))]


# --- book_folder: FullName/Path through COM, never xlwings' fullname conversion -------------


class DesktopBook:
    """A desktop Book whose `fullname` must not be used (it converts OneDrive URLs)."""

    def __init__(self, full_name: str, path: str = "") -> None:
        self.app = desktop_app()
        self.api = SimpleNamespace(FullName=full_name, Path=path)

    @property
    def fullname(self) -> str:  # pragma: no cover - reaching it is the failure
        raise AssertionError("book.fullname walks OneDrive folders or raises for a URL: read book.api instead")


def test_book_folder_reads_the_workbook_path_over_com(tmp_path: Path):
    book = DesktopBook(str(tmp_path / "調査票.xlsx"), str(tmp_path))
    assert live.book_folder(book) == tmp_path


@pytest.mark.parametrize("full_name, path", [
    ("https://d.docs.live.net/0123456789abcdef/進捗/調査票.xlsx", "https://d.docs.live.net/0123456789abcdef/進捗"),
    ("https://city.sharepoint.com/sites/fukushi/Shared Documents/調査票.xlsx",
     "https://city.sharepoint.com/sites/fukushi/Shared Documents"),
    ("Book1", ""),  # never saved
    ("調査票.xlsx", "relative"),
    ("C:\\no\\such\\folder\\調査票.xlsx", "C:\\no\\such\\folder"),
])
def test_book_folder_is_unknown_for_urls_unsaved_books_and_missing_folders(full_name: str, path: str):
    assert live.book_folder(DesktopBook(full_name, path)) is None


def test_book_folder_is_unknown_when_com_fails():
    class Failing:
        app = desktop_app()

        @property
        def api(self):
            raise RuntimeError("COM error")

    assert live.book_folder(Failing()) is None


def test_an_unknown_book_folder_asks_for_the_working_folder():
    from welfare_xl.addin.excel import settings as settings_sheet

    settings = settings_sheet.Settings(book_dir=None)
    with pytest.raises(settings_sheet.FolderUnknown) as exc:
        settings.folder(settings_sheet.SUBMISSIONS)
    assert f"「{settings_sheet.SHEET}」シートの「{settings_sheet.BASE}」" in str(exc.value)


# --- where new sheets go ---------------------------------------------------------------------


def test_visibility_as_com_and_the_remote_engine_report_it():
    assert live.is_visible(FakeSheet(visible=-1)) and live.is_visible(FakeSheet(visible=True))
    assert not live.is_visible(FakeSheet(visible=0)) and not live.is_visible(FakeSheet(visible=False))
    assert not live.is_visible(FakeSheet(visible=2))  # xlSheetVeryHidden is truthy


def test_new_sheets_go_after_the_last_visible_sheet():
    sheets = [FakeSheet("資料２"), FakeSheet("設定"), FakeSheet("管理情報", visible=0), FakeSheet("x", visible=2)]
    book = SimpleNamespace(sheets=sheets, app=desktop_app())
    assert live.last_visible_sheet(book).name == "設定"


class NewSheet:
    """A sheet just added over COM: naming may fail, deletion is recorded."""

    def __init__(self, refuse_name: bool = False) -> None:
        self.refuse_name, self.deleted, self._name = refuse_name, False, "Sheet4"

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if self.refuse_name:
            raise RuntimeError("COM error: that name is not allowed")
        self._name = value

    def delete(self) -> None:
        self.deleted = True


class AddingSheets:
    def __init__(self, new: NewSheet) -> None:
        self.new, self.adds = new, []

    def add(self, name=None, before=None, after=None):
        self.adds.append({"name": name, "before": before, "after": after})
        return self.new


def adding_book(new: NewSheet) -> SimpleNamespace:
    return SimpleNamespace(app=desktop_app(), sheets=AddingSheets(new))


def test_a_new_sheet_is_named_inside_the_cleanup_on_desktop(monkeypatch: pytest.MonkeyPatch):
    from welfare_xl.addin.excel import sheet_writer
    from welfare_xl.core.sheets.spec import SheetSpec

    rendered = []
    monkeypatch.setattr(sheet_writer, "write_sheet", lambda book, sheet, spec, **kw: rendered.append(sheet.name))
    anchor = FakeSheet("設定")
    book = adding_book(NewSheet())
    sheet = sheet_writer.write_new_sheet(book, SheetSpec(name="集約ログ"), after=anchor)
    assert book.sheets.adds == [{"name": None, "before": None, "after": anchor}]
    assert sheet.name == "集約ログ" and rendered == ["集約ログ"] and not sheet.deleted

    refused = adding_book(NewSheet(refuse_name=True))
    with pytest.raises(RuntimeError, match="name is not allowed"):
        sheet_writer.write_new_sheet(refused, SheetSpec(name="集約ログ"), after=anchor)
    assert refused.sheets.new.deleted  # no unnamed "Sheet4" left behind


def test_a_half_rendered_sheet_is_deleted_on_desktop(monkeypatch: pytest.MonkeyPatch):
    from welfare_xl.addin.excel import sheet_writer
    from welfare_xl.core.sheets.spec import SheetSpec

    def fail(*args, **kwargs):
        raise RuntimeError("COM error half-way")

    monkeypatch.setattr(sheet_writer, "write_sheet", fail)
    book = adding_book(NewSheet())
    with pytest.raises(RuntimeError, match="half-way"):
        sheet_writer.write_new_sheet(book, SheetSpec(name="設定"), after=FakeSheet("資料２"))
    assert book.sheets.new.deleted


# --- protection: restored exactly as it was ---------------------------------------------------


ALLOW = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
         "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
         "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")


def protected_sheet(*, contents=True, drawing=False, scenarios=False, ui_only=False, selection=1,
                    allowed=("AllowFormattingColumns", "AllowFormattingRows"), unprotect=None) -> FakeSheet:
    ws = Com("Worksheet", ProtectContents=contents, ProtectDrawingObjects=drawing, ProtectScenarios=scenarios,
             ProtectionMode=ui_only, EnableSelection=selection)
    object.__setattr__(ws, "Protection", Com("Worksheet.Protection", ws.calls, **{a: a in allowed for a in ALLOW}))
    ws.method("Unprotect", unprotect).method("Protect")
    return FakeSheet("地域共生課", api=ws)


def protect_calls(sheet: FakeSheet) -> list:
    return [(path, kw) for path, _, kw in sheet.api.calls
            if path in ("Worksheet.Unprotect", "Worksheet.Protect", "Worksheet.EnableSelection=")]


def test_protection_is_restored_exactly_as_read():
    from welfare_xl.addin.excel.com import unprotected

    sheet = protected_sheet(drawing=False, selection=1, allowed=("AllowFormattingColumns", "AllowFormattingRows",
                                                                 "AllowSorting"))
    with unprotected(SimpleNamespace(app=desktop_app()), sheet):
        assert [p for p, _ in protect_calls(sheet)] == ["Worksheet.Unprotect"]
    (_, _), (protect, kw), (selection, _) = protect_calls(sheet)
    assert protect == "Worksheet.Protect" and selection == "Worksheet.EnableSelection="
    assert kw == {"DrawingObjects": False, "Contents": True, "Scenarios": False, "UserInterfaceOnly": False,
                  **{a: a in ("AllowFormattingColumns", "AllowFormattingRows", "AllowSorting") for a in ALLOW}}
    assert sheet.api.sets()["EnableSelection"] == 1  # xlUnlockedCells, as it was


def test_protection_is_restored_after_a_failed_write_and_covers_objects_only_protection():
    from welfare_xl.addin.excel.com import unprotected

    sheet = protected_sheet(contents=False, drawing=True, scenarios=True, ui_only=True, selection=-4142)
    with pytest.raises(RuntimeError, match="write failed"):
        with unprotected(SimpleNamespace(app=desktop_app()), sheet):
            raise RuntimeError("write failed")
    calls = protect_calls(sheet)
    assert [p for p, _ in calls] == ["Worksheet.Unprotect", "Worksheet.Protect", "Worksheet.EnableSelection="]
    kw = calls[1][1]
    assert (kw["Contents"], kw["DrawingObjects"], kw["Scenarios"], kw["UserInterfaceOnly"]) == (False, True, True, True)
    assert sheet.api.sets()["EnableSelection"] == -4142


def test_an_unprotected_sheet_is_left_alone_and_a_password_is_reported():
    from welfare_xl.addin.excel.com import SheetLocked, unprotected

    sheet = protected_sheet(contents=False)
    with unprotected(SimpleNamespace(app=desktop_app()), sheet):
        pass
    assert protect_calls(sheet) == []

    locked = protected_sheet(unprotect=RuntimeError("COM error: wrong password"))
    with pytest.raises(SheetLocked, match="パスワードで保護"):
        with unprotected(SimpleNamespace(app=desktop_app()), locked):
            raise AssertionError("must not write into a sheet still protected")
    assert [p for p, _ in protect_calls(locked)] == ["Worksheet.Unprotect"]


def test_new_sheets_are_protected_like_the_form_file(tmp_path: Path):
    """The protection desktop.protect gives a sheet the add-in makes is the one the file
    adapter writes into the department form (openpyxl's sheetProtection), flag for flag."""
    from openpyxl import load_workbook

    from welfare_xl.addin.excel.com import FORM_PROTECTION, protect
    from welfare_xl.commands.split import split

    split(Path(__file__).resolve().parents[2] / "templates" / "調査票.xlsx", tmp_path)
    p = load_workbook(next(tmp_path.glob("*.xlsx"))).worksheets[0].protection
    # openpyxl's flags say "locked" (True: not allowed); Protect's Allow… say "allowed".
    from_file = {"Contents": p.sheet, "DrawingObjects": p.objects, "Scenarios": p.scenarios,
                 "AllowFormattingCells": not p.formatCells, "AllowFormattingColumns": not p.formatColumns,
                 "AllowFormattingRows": not p.formatRows, "AllowInsertingColumns": not p.insertColumns,
                 "AllowInsertingRows": not p.insertRows, "AllowInsertingHyperlinks": not p.insertHyperlinks,
                 "AllowDeletingColumns": not p.deleteColumns, "AllowDeletingRows": not p.deleteRows,
                 "AllowSorting": not p.sort, "AllowFiltering": not p.autoFilter,
                 "AllowUsingPivotTables": not p.pivotTables}
    assert {k: bool(v) for k, v in from_file.items()} == {k: v for k, v in FORM_PROTECTION.items()
                                                        if k != "UserInterfaceOnly"}
    sheet = FakeSheet(api=Com("Worksheet").method("Protect"))
    protect(sheet)
    assert sheet.api.calls == [("Worksheet.Protect", (), FORM_PROTECTION)]


# --- department sheets: conditional fills, indent and validation as the file adapter writes them ---


@pytest.fixture(scope="module")
def department_file_and_spec(tmp_path_factory: pytest.TempPathFactory):
    """地域共生課's form as the file adapter writes it (split) and the SheetSpec the button renders."""
    from openpyxl import load_workbook

    from welfare_xl.commands.split import split
    from welfare_xl.core.sheets.department import department_sheet
    from welfare_xl.files.survey_file import load_survey_file

    out = tmp_path_factory.mktemp("split")
    template = Path(__file__).resolve().parents[2] / "templates" / "調査票.xlsx"
    split(template, out)
    survey, _, _ = load_survey_file(template)
    return load_workbook(out / "地域共生課.xlsx").worksheets[0], department_sheet(survey, "地域共生課")


def one_cell(address: str) -> str:
    """"H8:H8" as openpyxl keeps it: "H8"."""
    first, _, last = address.partition(":")
    return first if last in ("", first) else address


def bgr_to_hex(color: int) -> str:
    return f"{color & 0xFF:02X}{(color >> 8) & 0xFF:02X}{(color >> 16) & 0xFF:02X}"


def test_conditional_fills_on_desktop_are_the_files_rules_read_from_their_top_left_cell(department_file_and_spec):
    from support.com_fake import formatting_worksheet

    from welfare_xl.addin.excel.com import write_conditional_formats

    ws, spec = department_file_and_spec
    sheet = FakeSheet("地域共生課", api=formatting_worksheet("地域共生課"))
    write_conditional_formats(sheet, spec.conditional_formats)
    calls = sheet.api.calls
    assert calls[0] == ("Sheet.activate", (), {})  # Select needs the sheet active
    assert calls[-2:] == [("Worksheet[地域共生課].Range", ("A1",), {}), ("Range(A1).Select", (), {})]

    # Per rule, in the spec's order: the range selected (its top-left cell is the active one, which
    # Formula1's relative references are read against), the expression rule added, moved last in
    # priority, stop-if-true, its fill.
    rules, body = [], calls[1:-2]
    for n in range(0, len(body), 6):
        (rng, (address,), _), select, (add, _, kw), last, stop, color = body[n:n + 6]
        assert rng == "Worksheet[地域共生課].Range" and select == (f"Range({address}).Select", (), {})
        assert add == f"Range({address}).FormatConditions.Add" and kw["Type"] == 2  # xlExpression
        assert last == (f"Range({address}).FormatCondition.SetLastPriority", (), {})
        assert stop == (f"Range({address}).FormatCondition.StopIfTrue=", (True,), {})
        assert color[0] == f"Range({address}).FormatCondition.Interior.Color="
        rules.append((address, [kw["Formula1"]], bgr_to_hex(color[1][0]), stop[1][0]))
    assert len(body) == 6 * len(spec.conditional_formats) > 0

    # The same rules, ranges, formulas, fills and order as the file adapter's (openpyxl's) file.
    in_file = sorted(((rule.priority, str(cf.sqref), ["=" + f for f in rule.formula], rule.dxf.fill.fgColor.rgb[-6:],
                       bool(rule.stopIfTrue)) for cf in ws.conditional_formatting for rule in cf.rules))
    assert [(one_cell(a), *rest) for a, *rest in rules] == [r[1:] for r in in_file]
    assert [(r[0], r[1][0][1:], r[2]) for r in rules] == \
           [(" ".join(c.ranges), c.formula, c.fill) for c in spec.conditional_formats]


def test_indent_on_desktop_is_the_files_cell_for_cell(department_file_and_spec):
    from support.com_fake import formatting_worksheet

    from welfare_xl.addin.excel.com import write_indents
    from welfare_xl.core.model.cells import range_cells

    ws, spec = department_file_and_spec
    sheet = FakeSheet("地域共生課", api=formatting_worksheet("地域共生課"))
    write_indents(sheet, {rc: style for rc, (_, style) in spec.cells.items()})
    written: dict[tuple[int, int], int] = {}
    ranges = [args[0] for path, args, _ in sheet.api.calls if path == "Worksheet[地域共生課].Range"]
    levels = [(path, args[0]) for path, args, _ in sheet.api.calls if path.endswith(".IndentLevel=")]
    assert [p for p, _ in levels] == [f"Range({a}).IndentLevel=" for a in ranges]
    for address, (_, level) in zip(ranges, levels):
        for rc in range_cells(address):
            written[rc] = level
    in_file = {(c.row - 1, c.column - 1): c.alignment.indent for row in ws.iter_rows() for c in row
               if c.alignment.indent}
    assert written == in_file and written
    assert len(ranges) < len(written)  # one write per rectangle of equal indent, not per cell


def test_validation_on_desktop_is_the_files_with_its_warning_style_and_messages(department_file_and_spec):
    from support.com_fake import formatting_worksheet

    from welfare_xl.addin.excel.com import write_validations
    from welfare_xl.core.model.cells import range_cells

    ws, spec = department_file_and_spec
    sheet = FakeSheet("地域共生課", api=formatting_worksheet("地域共生課"))
    write_validations(sheet, spec.validations)
    alert = {1: "stop", 2: "warning", 3: "information"}
    dv_type = {1: "whole", 2: "decimal", 6: "textLength"}
    written: dict[tuple[int, int], tuple] = {}
    current: dict = {}
    for path, args, kw in sheet.api.calls:
        if path.endswith(".Validation.Add"):
            address = path[len("Range("):path.index(")")]
            current = {"address": address, "rule": (dv_type[kw["Type"]], kw["Formula1"], kw.get("Formula2"),
                                                     alert[kw["AlertStyle"]])}
        elif path.endswith((".InputMessage=", ".ErrorMessage=")):
            current[path.rsplit(".", 1)[1]] = args[0]
            for rc in range_cells(current["address"]):
                written[rc] = (*current["rule"], current.get("InputMessage=", ""), current.get("ErrorMessage=", ""))
    in_file = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            for rc in range_cells(ref):
                in_file[rc] = (dv.type, dv.formula1, dv.formula2, dv.errorStyle, dv.prompt or "", dv.error or "")
    assert written == in_file and {r[3] for r in written.values()} == {"warning"}
