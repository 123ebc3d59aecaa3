"""The committee version: what it holds, what it must not hold, its print set-up, and its PDF.

The consolidated input is built the way the consolidation leaves it: the
committed template with the seed's 令和元年度 values and texts written into the
資料２ rows found by indicator ID.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.paths import TEMPLATE  # noqa: E402
from support.libreoffice import pdf_words  # noqa: E402
from support.paths import TEMPLATE_SOURCE as SOURCE  # noqa: E402
from support.seed import rows_by_id  # noqa: E402

from welfare_xl import cli
from welfare_xl.commands.committee import committee
from welfare_xl.core.model import layout
from welfare_xl.core.model.numbers import Status, format_value, parse_value
from welfare_xl.core.model.survey import NOT_AVAILABLE
from welfare_xl.core.progress import grade_survey
from welfare_xl.core.sheets.committee import SUMMARY_SHEET, committee_specs, resolve_grades
from welfare_xl.core.sheets.spec import FILL_INPUT, FONT
from welfare_xl.files.committee_book import write_committee
from welfare_xl.files.pdf import ENV_SOFFICE, RenderFailedError, RenderTimeoutError, SofficeNotFoundError, to_pdf
from welfare_xl.files.source import load_source

DONE_COL = "令和元年度の取組状況（増減に向けて取り組んだ内容等）"
NEXT_COL = "令和２年度に向けた今後の展開（課題に向けた取り組み等）"
YEAR_COLS = {2017: "平成29年度（現状値）", 2018: "平成30年度", 2019: "令和元年度", "target": "令和５年度（目標値）"}
SHEET = "資料２"

SURVEY = load_source(SOURCE).survey
IDS = [i.id for i in SURVEY.indicators]

# Hand-counted from the table of the seed's 令和元年度 grades.
EXPECTED_GRADES = {
    "G1-01": "△ 遅れ", "G2-01": "○ 順調", "G2-02a": "△ 遅れ", "G2-02b": "△ 遅れ", "G2-02c": "× 悪化",
    "G2-03a": "○ 順調", "G2-03b": "○ 順調", "G3-01": "× 悪化", "G3-02": "× 悪化", "G3-03": "× 悪化",
    "G4-01": "△ 遅れ", "G4-02": "○ 順調", "G5-01": "△ 遅れ", "G5-02": "× 悪化", "G6-01": "○ 順調",
}
# 基本目標 -> (達成, 順調, 遅れ, 悪化, 評価不能, 計)
EXPECTED_COUNTS = {
    1: (0, 0, 1, 0, 0, 1), 2: (0, 3, 2, 1, 0, 6), 3: (0, 0, 0, 3, 0, 3),
    4: (0, 1, 1, 0, 0, 2), 5: (0, 0, 1, 1, 0, 2), 6: (0, 1, 0, 0, 0, 1),
}


SEED = rows_by_id(SURVEY)


def seed_value(ind_id: str, year: int | str):
    ind = SURVEY.indicator(ind_id)
    parsed = parse_value(SEED[ind_id][YEAR_COLS[year]], ind.unit, ind.kind)
    if parsed.status is Status.NOT_AVAILABLE:
        return NOT_AVAILABLE
    assert parsed.status is Status.NUMBER
    return parsed.value


def make_consolidated(path: Path, grades: dict[str, str] | None = None) -> Path:
    """The template with the seed's 令和元年度 values and texts (and optional grade cells), by ID."""
    shutil.copy(TEMPLATE, path)
    wb = load_workbook(path)
    ws = wb[SHEET]
    table = layout.find_table([[c.value for c in row] for row in ws.iter_rows()])
    assert table is not None
    rows = table.by_id()
    for ind in SURVEY.indicators:
        r = rows[ind.id].row + 1
        ws.cell(r, table.columns[layout.year_key(2019)] + 1).value = seed_value(ind.id, 2019)
        if ind.lead:
            ws.cell(r, table.columns[layout.DONE] + 1).value = SEED[ind.id][DONE_COL] or None
            ws.cell(r, table.columns[layout.NEXT] + 1).value = SEED[ind.id][NEXT_COL] or None
        if grades and ind.id in grades:
            ws.cell(r, table.columns[layout.GRADE] + 1).value = grades[ind.id]
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("committee")
    src = make_consolidated(tmp / "集約済み.xlsx")
    result = committee(src, tmp / "委員会.xlsx")
    return result.path, result


@pytest.fixture(scope="module")
def book(built):
    return load_workbook(built[0])


# --- the table --------------------------------------------------------------------------------


def _header_columns(ws) -> tuple[int, dict[str, int]]:
    """Row of the table's header (1-based) and columns by header text's first line."""
    for row in ws.iter_rows(max_row=10):
        texts = {str(c.value).split("\n")[0]: c.column for c in row if c.value}
        if "項目" in texts and "進捗評価" in texts:
            return row[0].row, texts
    raise AssertionError("header row not found")


def _indicator_rows(ws) -> dict[str, int]:
    """Rows of the table by indicator, found by the printed item and sub-item (there are no IDs)."""
    header, cols = _header_columns(ws)
    item_col, sub_col = cols["項目"], cols["細目"]
    rows, item = {}, None
    for r in range(header + 2, ws.max_row + 1):
        if ws.cell(r, item_col).value:
            item = str(ws.cell(r, item_col).value).split("\n")[0]
        elif not any(ws.cell(r, c).value for c in cols.values()):
            continue
        sub = ws.cell(r, sub_col).value or ""
        for ind in SURVEY.indicators:
            if ind.item == item and ind.sub_item == sub and ind.id not in rows:
                rows[ind.id] = r
    return rows


def test_summary_lines_and_exit_code(built) -> None:
    path, result = built
    assert result.exit_code == 0 and result.pdf is None
    text = "\n".join(result.summary_lines())
    assert "委員会版を作成しました" in text
    assert "○ 順調 5、△ 遅れ 5、× 悪化 5" in text
    assert "遅れ・悪化の指標（10 件）" in text


def test_only_the_expected_sheets_nothing_hidden(book) -> None:
    assert book.sheetnames == [SHEET, SUMMARY_SHEET]
    for ws in book.worksheets:
        assert ws.sheet_state == "visible"
        assert not any(d.hidden for d in ws.row_dimensions.values()), ws.title
        assert not any(d.hidden for d in ws.column_dimensions.values()), ws.title
        assert not ws.data_validations.dataValidation, ws.title
        assert not ws.conditional_formatting, ws.title
        assert not ws.protection.sheet


def test_no_formulas_ids_keys_or_input_marking(book) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                assert cell.data_type != "f" and not (isinstance(v, str) and v.startswith("=")), cell.coordinate
                if isinstance(v, str):
                    assert v.strip() not in IDS, (ws.title, cell.coordinate, v)
                    assert "wxl:" not in v and "【入力】" not in v, (ws.title, cell.coordinate)
                assert not (cell.fill.fgColor.rgb or "").endswith(FILL_INPUT), (ws.title, cell.coordinate)
    assert "管理情報" not in book.sheetnames
    assert {n for n in book.defined_names} == set()  # print areas/titles live on the sheets


def test_values_texts_and_marks_equal_the_seed(book) -> None:
    ws = book[SHEET]
    header, cols = _header_columns(ws)
    rows = _indicator_rows(ws)
    assert set(rows) == set(IDS)
    year_col = {2017: cols["平成29年度"], 2018: cols["平成30年度"], 2019: cols["令和元年度"], "target": cols["令和５年度"]}
    for ind in SURVEY.indicators:
        r = rows[ind.id]
        for year, c in year_col.items():
            want = seed_value(ind.id, year)
            got = ws.cell(r, c).value
            assert got == (pytest.approx(want) if isinstance(want, float) else want), (ind.id, year)
        assert ws.cell(r, cols["進捗評価"]).value == EXPECTED_GRADES[ind.id], ind.id
        if ind.lead:
            assert ws.cell(r, cols["令和元年度の取組状況"]).value == (SEED[ind.id][DONE_COL] or None)
            assert ws.cell(r, cols["令和２年度に向けた今後の展開"]).value == (SEED[ind.id][NEXT_COL] or None)


def test_behind_marks_are_bold_and_hatched(book) -> None:
    ws = book[SHEET]
    _, cols = _header_columns(ws)
    for ind_id, r in _indicator_rows(ws).items():
        cell = ws.cell(r, cols["進捗評価"])
        behind = EXPECTED_GRADES[ind_id][0] in "△×"
        assert bool(cell.font.b) == behind, ind_id
        assert (cell.fill.patternType == "lightUp") == behind, ind_id


def test_legend_and_footnotes_under_the_table(book) -> None:
    ws = book[SHEET]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for footnote in SURVEY.plan.footnotes:
        assert footnote in texts
    assert "進捗評価の見方" in texts
    for label in ("◎ 達成", "○ 順調", "△ 遅れ", "× 悪化", "－ 評価不能"):
        r = next(c.row for row in ws.iter_rows() for c in row if c.value == label and c.column == 1)
        definition = next(c.value for c in ws[r] if c.column > 1 and c.value)
        assert "進捗率" in definition or "実績値" in definition
    assert any("（実績値 − 現状値）÷（目標値 − 現状値）" in t for t in texts)


def test_rows_are_sized_to_their_texts(book) -> None:
    """The template's fixed row height is replaced by one fitted to each text (longest: はなバス)."""
    ws = book[SHEET]
    rows = _indicator_rows(ws)
    heights = {i: ws.row_dimensions[r].height for i, r in rows.items()}
    assert heights["G6-01"] > 100  # 9 wrapped lines of 今後の展開
    assert heights["G3-03"] < 40  # one short line each


def test_page_breaks_never_split_a_goal_cell(built) -> None:
    ws = load_workbook(built[0])[SHEET]
    breaks = [b.id for b in ws.row_breaks.brk]  # page starts after these (1-based) rows
    for rng in ws.merged_cells.ranges:
        assert not any(rng.min_row <= b < rng.max_row for b in breaks), str(rng)


def test_print_setup_and_font(book) -> None:
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == 8  # A3
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.print_area
        for row in ws.iter_rows():
            for cell in row:
                assert cell.font.name == FONT, (ws.title, cell.coordinate)
    assert book[SHEET].print_title_rows.replace("$", "") == "4:5"  # the header rows
    assert book[SUMMARY_SHEET].page_setup.fitToHeight == 1
    assert book._fonts[0].name == FONT  # the workbook's standard font, so widths measure the same everywhere


# --- the summary sheet ------------------------------------------------------------------------


def test_summary_counts_per_goal(book) -> None:
    ws = book[SUMMARY_SHEET]
    header = next(row for row in ws.iter_rows() if row[0].value == "基本目標" and row[2].value == "◎ 達成")
    labels = [c.value for c in header[2:8]]
    assert labels == ["◎ 達成", "○ 順調", "△ 遅れ", "× 悪化", "－ 評価不能", "計"]
    counts = {}
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if row[0].value == "合計":
            assert tuple(c.value for c in row[2:8]) == (0, 5, 5, 5, 0, 15)
            break
        no = SURVEY.goals[len(counts)].no
        assert str(row[0].value).startswith(SURVEY.goal(no).label)
        counts[no] = tuple(c.value for c in row[2:8])
    assert counts == EXPECTED_COUNTS


def test_summary_progress_table_and_chart(built, book) -> None:
    ws = book[SUMMARY_SHEET]
    header = next(row for row in ws.iter_rows() if row[0].value == "基本目標" and row[1].value == "項目")
    progress = {}
    for row in ws.iter_rows(min_row=header[0].row + 1, max_row=header[0].row + len(IDS)):
        ind = next(i for i in SURVEY.indicators if i.label == row[1].value)
        progress[ind.id] = (row[5].value, row[6].value, row[7].value)
    assert set(progress) == set(IDS)
    assert progress["G5-02"][0] == pytest.approx((1405 - 1161) / (1100 - 1161))
    assert progress["G2-01"][1] == pytest.approx(2 / 6)
    assert {i: p[2] for i, p in progress.items()} == EXPECTED_GRADES
    with zipfile.ZipFile(built[0]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    assert re.search(r'<(c:)?barDir val="bar"/>', xml)
    assert len(re.findall(r"<(?:c:)?ser>", xml)) == 2  # progress and the expected pace
    first, last = header[0].row + 1, header[0].row + len(IDS)
    assert f"'{SUMMARY_SHEET}'!$F${first}:$F${last}" in xml  # 進捗率
    # Indicator labels: wrapped (and shortened when long) in their own column right of the print area,
    # the full names staying in the table's 項目 column (issue 9: chart labels wrap or shorten).
    labels = re.search(rf"<(?:c:)?cat><(?:c:)?(?:num|str)Ref><(?:c:)?f>'{SUMMARY_SHEET}'!\$([A-Z]+)\${first}:\$[A-Z]+\${last}<",
                       xml)
    assert labels, "the categories are the sheet's own cells"
    label_col = ws[f"{labels.group(1)}{first}"].column
    for row in ws.iter_rows(min_row=first, max_row=last):
        short = ws.cell(row[0].row, label_col).value.replace("\n", "").replace("…", "")
        assert short and all(part in row[1].value for part in short.split("（")[0:1]), (short, row[1].value)
    assert FONT in xml
    # Bars cut at the −100 % axis end (延べ利用回数 −120 %, 消費者生活相談件数 −400 %) carry no label.
    unlabelled = re.findall(r'<(?:c:)?dLbl><(?:c:)?idx val="(\d+)"/>', xml)
    assert unlabelled == [str(IDS.index("G2-02c")), str(IDS.index("G5-02"))]


# --- grades from the consolidated workbook ----------------------------------------------------


def test_grades_written_in_the_workbook_are_shown_and_differences_reported(tmp_path: Path) -> None:
    src = make_consolidated(tmp_path / "集約済み.xlsx",
                            grades={"G1-01": "○ 順調", "G2-01": "○順調", "G3-01": "要確認"})
    result = committee(src, tmp_path / "委員会.xlsx")
    g = result.grades
    assert g.shown["G1-01"].label == "○ 順調"  # as the secretariat left it
    assert g.computed["G1-01"].label == "△ 遅れ"
    assert g.differing == ["G1-01"]
    assert g.unreadable == {"G3-01": "要確認"}
    assert g.shown["G3-01"].label == "× 悪化"  # unreadable: graded from the values
    text = "\n".join(result.summary_lines())
    assert "ボランティア・市民活動センターの登録者数 の進捗評価は集約ファイルでは「○ 順調」" in text
    assert "「要確認」は評価として読めない" in text
    assert "進捗評価が空欄だった 13 指標は、値から評価しました。" in text


def test_core_builds_specs_from_a_survey_without_files() -> None:
    """The add-in's path: a Survey read from the live workbook straight to SheetSpecs."""
    survey = replace(SURVEY, values={k: dict(v) for k, v in SURVEY.values.items()})
    for i in IDS:
        survey.values[i][2019] = seed_value(i, 2019)
    specs = committee_specs(survey)
    assert [s.name for s in specs] == [SHEET, SUMMARY_SHEET]
    assert all(not s.hidden and not s.hidden_rows and not s.hidden_cols and not s.validations for s in specs)
    shown = {v for s in specs for v, _ in s.cells.values()}
    assert not shown & set(IDS)
    assert {g.label for g in grade_survey(survey).values()} <= shown
    assert len(specs[1].charts) == 1


def test_a_goal_longer_than_a_page_continues_with_its_goal_cell_repeated(tmp_path: Path) -> None:
    survey = replace(SURVEY, values={k: dict(v) for k, v in SURVEY.values.items()}, texts={})
    long_text = "地域の活動拠点の運営を支援し、参加団体との連絡会を定期的に開催した。" * 12
    for ind in survey.indicators:
        survey.values[ind.id][2019] = seed_value(ind.id, 2019)
        if ind.lead:
            survey.texts[ind.id] = (long_text, long_text)
    table = committee_specs(survey)[0]
    assert table.row_breaks
    goal_col = 0
    starts = {m[0]: table.cells[(m[0], m[1])][0] for m in table.merges if m[1] == goal_col and m[0] >= 5}
    continued = [t for t in starts.values() if "（続き）" in t]
    assert continued, "基本目標２ (6 long rows) must continue on a second page"
    for b in table.row_breaks:
        assert not any(m[0] < b <= m[2] for m in table.merges), b  # no merged block crosses a break
    write_committee(survey, tmp_path / "長文.xlsx")  # and it renders


# --- errors the user can act on ---------------------------------------------------------------


def test_pdf_without_libreoffice_writes_the_workbook_and_says_so(tmp_path: Path, monkeypatch, capsys) -> None:
    src = make_consolidated(tmp_path / "集約済み.xlsx")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(ENV_SOFFICE, raising=False)
    code = cli.main(["committee", str(src), "-o", str(tmp_path / "委員会.xlsx"), "--pdf", str(tmp_path / "委員会.pdf")])
    out, err = capsys.readouterr()
    assert code == 1
    assert (tmp_path / "委員会.xlsx").is_file() and not (tmp_path / "委員会.pdf").exists()
    assert "PDF を作成するには LibreOffice が必要" in out and "作成済み" in out
    assert "Traceback" not in out + err


def test_soffice_setting_pointing_nowhere(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(ENV_SOFFICE, str(tmp_path / "no-such-soffice"))
    with pytest.raises(SofficeNotFoundError, match=ENV_SOFFICE):
        to_pdf(TEMPLATE, tmp_path / "x.pdf")


def test_renderer_that_makes_no_pdf(tmp_path: Path) -> None:
    false = shutil.which("false")
    assert false
    with pytest.raises(RenderFailedError, match="PDF を作成できませんでした"):
        to_pdf(TEMPLATE, tmp_path / "x.pdf", soffice=false)
    assert not (tmp_path / "x.pdf").exists()


def test_renderer_that_hangs_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "hang.sh"
    script.write_text("#!/bin/sh\nsleep 30 &\nsleep 30\n", encoding="utf-8")
    script.chmod(0o755)
    with pytest.raises(RenderTimeoutError, match="秒以内に PDF を作成しなかった"):
        to_pdf(TEMPLATE, tmp_path / "x.pdf", soffice=str(script), timeout=0.5)


@pytest.mark.parametrize(("args", "fragment"), [
    (["-o", "{tmp}/委員会.csv"], ".xlsx のファイル名"),
    (["-o", "{tmp}/委員会.xlsx", "--pdf", "{tmp}/委員会.png"], ".pdf のファイル名"),
    (["-o", "{src}"], "上書きすることはできません"),
])
def test_bad_output_paths(tmp_path: Path, capsys, args, fragment) -> None:
    src = make_consolidated(tmp_path / "集約済み.xlsx")
    argv = ["committee", str(src)] + [a.format(tmp=tmp_path, src=src) for a in args]
    assert cli.main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_missing_or_foreign_input(tmp_path: Path, capsys) -> None:
    assert cli.main(["committee", str(tmp_path / "ない.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "ファイルがありません" in capsys.readouterr().err
    foreign = tmp_path / "別物.xlsx"
    from openpyxl import Workbook

    Workbook().save(foreign)
    assert cli.main(["committee", str(foreign), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "管理情報" in capsys.readouterr().err


def test_a_department_workbook_is_not_a_consolidated_one(tmp_path: Path, capsys) -> None:
    from welfare_xl.commands.split import split

    (dept,) = [p for p in split(TEMPLATE, tmp_path / "配布") if p.stem == "交通課"]
    assert cli.main(["committee", str(dept), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "部署別の調査票（交通課）" in capsys.readouterr().err
    assert not (tmp_path / "o.xlsx").exists()


def test_grades_recomputed_when_the_column_is_empty() -> None:
    survey = replace(SURVEY, values={k: dict(v) for k, v in SURVEY.values.items()})
    for i in IDS:
        survey.values[i][2019] = seed_value(i, 2019)
    g = resolve_grades(survey)
    assert not g.stored and {i: x.label for i, x in g.shown.items()} == EXPECTED_GRADES


# --- the PDF, printed by LibreOffice -----------------------------------------------------------




def _columns_text(words) -> str:
    """The text of left-aligned cells, column by column: words that start at the same x, top to bottom.

    Lines of one wrapped cell all start at the cell's left edge, so joining the
    words of one x position in page and line order gives each cell's text whole,
    whatever sits beside it on the same printed line.
    """
    by_x: dict[tuple[int, float], list] = {}
    for page, x0, y0, _x1, _y1, text in words:
        by_x.setdefault((page, round(x0, 0)), []).append((y0, text))
    return "|".join("".join(t for _, t in sorted(v)) for _, v in sorted(by_x.items()))


@pytest.fixture(scope="module")
def pdf(built, soffice: str, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "委員会.pdf"
    return to_pdf(built[0], out, soffice=soffice)


def test_pdf_pages_are_a3_landscape(pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert 2 <= len(sizes) <= 5
    assert all((w, h) == ("1190.55", "841.89") for w, h in sizes), sizes


def test_pdf_embeds_biz_ud_gothic_only(pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert fonts
    for f in fonts:
        assert "BIZUDGothic" in f[0], f
        assert f[-5] == "yes", f  # embedded


def test_pdf_shows_every_label_value_and_whole_text(pdf: Path) -> None:
    words = pdf_words(pdf)
    columns = re.sub(r"\s+", "", _columns_text(words))
    texts = {w[5] for w in words}
    for ind in SURVEY.indicators:
        for line in ind.item_text.split("\n"):
            assert re.sub(r"\s+", "", line) in columns, line
        if ind.sub_item:
            assert ind.sub_item in texts
        for year in (2017, 2018, 2019, "target"):
            value = seed_value(ind.id, year)
            # Each value with its own display decimals (issue 9: 48.4% printed as the plan book does, not 48.40%).
            places = SURVEY.value_decimals(ind, year)
            shown = NOT_AVAILABLE if value == NOT_AVAILABLE else format_value(value, ind.unit, ind.kind, places)
            assert shown in texts, (ind.id, year, shown)
        if ind.lead:
            for text in (SEED[ind.id][DONE_COL], SEED[ind.id][NEXT_COL]):
                if text:
                    assert re.sub(r"\s+", "", text) in columns, text[-20:]  # whole, to its last line
    # Read as printed, line by line (pdftotext may list a line's first word after the rest of it).
    printed = "".join(w[5] for w in sorted(words, key=lambda w: (w[0], round(w[2]), w[1])))
    for footnote in SURVEY.plan.footnotes:
        assert re.sub(r"\s+", "", footnote)[:40] in re.sub(r"\s+", "", printed)


def test_pdf_grade_printed_on_the_row_and_page_of_its_values(pdf: Path) -> None:
    """The rightmost column (進捗評価) is on the same page and line as the indicator's values."""
    words = pdf_words(pdf)
    table_pages = {w[0] for w in words if w[5] == "基本目標・施策の方向"}  # the summary has these too
    words = [w for w in words if w[0] in table_pages]
    for ind in SURVEY.indicators:
        value = format_value(seed_value(ind.id, 2019), ind.unit, ind.kind, ind.decimals)
        word = EXPECTED_GRADES[ind.id].split()[1]
        hits = [
            (p, y0) for p, _x0, y0, x1, y1, t in words if t == value
            if any(q == p and t2 == word and x2 > x1 and abs((b0 + b1) / 2 - (y0 + y1) / 2) < 3
                   for q, x2, b0, _, b1, t2 in words)
        ]
        assert hits, (ind.id, value, word)
    assert "###" not in "".join(w[5] for w in words)


# --- row heights from text (sheetspec.fit_row_heights) ----------------------------------------


def test_fit_row_heights_spreads_a_merged_text_over_its_rows() -> None:
    from welfare_xl.core.sheets.fit import wrapped_lines
    from welfare_xl.core.sheets.spec import SheetSpec, Style, fit_row_heights

    spec = SheetSpec(name="t", col_widths={0: 10, 1: 20})
    text = "あ" * 100  # 20-wide column at 9 pt: about 10 characters a line
    spec.merge(0, 1, 2, 1, text, Style(size=9))
    spec.put(0, 0, "一行", Style(size=9))
    heading = "二行目まである長い見出し" * 2
    spec.put(1, 0, heading, Style(size=9))
    fit_row_heights(spec)
    lines = wrapped_lines(text, 20 * 7 + 5, 9)
    assert lines >= 100 / 13  # never fewer lines than the characters need
    assert sum(spec.row_heights[r] for r in range(3)) >= lines * 9
    assert wrapped_lines(heading, 10 * 7 + 5, 9) > 2
    assert spec.row_heights[1] >= wrapped_lines(heading, 10 * 7 + 5, 9) * 9  # its own text decides
    assert wrapped_lines("ab\ncd", 500, 9) == 2  # every paragraph starts a line
