"""Checking a department's worksheet: findings a clerk can act on.

Every finding names the file, sheet, cell and indicator and says in Japanese
what is wrong and what to do. Errors stop an indicator from being consolidated;
warnings ask the department to confirm. The same function serves `welfare-xl
check`, the add-in's 入力チェック button and consolidation, so what a
department sees before sending is what the secretariat's consolidation applies.
The findings and the submission they go to are `core.findings` (imported from
here too, as the rest of the project always has).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from welfare_xl.core.findings import FOREIGN_CODES, Checker, Entry, Finding, Severity, Submission, Unusable
from welfare_xl.core.indicator_checks import check_change, check_co_owned, out_of_range
from welfare_xl.core.indicator_checks import label_text as _label_text
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid, HiddenCells, cell_ref, column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import DEPARTMENT, Meta, MetadataError
from welfare_xl.core.model.numbers import Kind, Status, format_value, parse_value, same_figure
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.model.text import CONTROL_RE, codepoint, control_characters, shortened, without_control
from welfare_xl.core.reading import cell_text, find_tables, master_value, read_meta
from welfare_xl.core.sheets.department import department_sheet, sheet_name

__all__ = ["FOREIGN_CODES", "Entry", "Finding", "Severity", "Submission", "check_submission"]


def check_submission(file: str, sheets: Mapping[str, Grid], order: Sequence[str] | None = None, *,
                     expected: Meta | None = None, sheet: str | None = None,
                     saved: datetime | None = None, reference: Survey | None = None,
                     hidden: HiddenCells | None = None) -> Submission:
    """Read and check one department's worksheet.

    `sheets` are the workbook's grids by name (at least the 管理情報 sheet and the
    department's sheet). `expected` is the survey the file must belong to;
    `sheet` restricts the check to one sheet (the add-in checks the active one).
    `reference` is the master survey as it stands: the locked cells (history
    years, target) are compared with its values, which a department can only
    change by unprotecting the sheet, and the big-change check measures from
    its previous-year value rather than the file's. The label cells (item,
    sub-item, unit) are compared with the form as it was distributed. A row
    whose locked cells differ is rejected: its ID no longer says which
    indicator its figures are. `hidden` holds, per sheet, the cells a
    values-only reader shows empty although they hold an error value or a
    formula never calculated: an input cell among them gets its own error.
    """
    sub = Submission(file=file, saved=saved)
    checker = Checker(sub)
    try:
        meta = _identify(checker, sheets, expected)
        table = _department_table(checker, meta, sheets, order, sheet)
        wanted = _department_indicators(checker, meta, table, expected)
        _require_input_columns(checker, meta.survey, table)
    except Unusable:
        return sub
    checker.hidden = (hidden or {}).get(sub.sheet or "", {})
    survey = meta.survey
    rows = table.by_id()
    _check_copied_and_unknown_rows(checker, survey, table, rows)
    _check_entries(checker, survey, table, wanted, rows)
    if reference is not None and (reference.plan.id, reference.fiscal_year) != (survey.plan.id, survey.fiscal_year):
        reference = None  # another survey's figures say nothing about this file's locked cells
    form = _form_rows(survey, sub.department or "")
    labels = _form_labels(survey, sub.department or "")
    entries = sub.entries
    for ind in wanted:
        entry = entries.get(ind.id)
        if entry is not None:
            row = rows[ind.id]
            _check_labels(checker, ind, row, entry, labels.get(ind.id))
            if reference is not None:
                _check_locked(checker, survey, reference, ind, row, entry)
            check_change(checker, survey, ind, row, entries, reference)
    check_co_owned(checker, survey, table, form)
    return sub


def _identify(checker: Checker, sheets: Mapping[str, Grid], expected: Meta | None) -> Meta:
    """The file's 管理情報, which must be there and, when `expected` is given, name the same survey."""
    try:
        meta = read_meta(sheets)
    except MetadataError as exc:
        checker.fatal("not_from_template", f"{exc} 事務局から配布された調査票に入力してください。")
    checker.sub.meta = meta
    if expected is not None:
        mismatch = _identity_mismatch(meta, expected)
        if mismatch:
            checker.fatal("wrong_template", mismatch)
    return meta


def _identity_mismatch(meta: Meta, expected: Meta) -> str | None:
    got, want = meta.survey, expected.survey
    if got.plan.id != want.plan.id:
        if got.plan.name == want.plan.name:  # same title, another plan (a copy edited for another city)
            return (f"別の計画の調査票です（計画名は同じ「{got.plan.name}」ですが、計画の識別子が"
                    f"このファイルは「{got.plan.id}」、集約先は「{want.plan.id}」です）。")
        return f"別の計画の調査票です（このファイル：{got.plan.name}、集約先：{want.plan.name}）。"
    if got.fiscal_year != want.fiscal_year:
        return (f"年度が違います（このファイル：{fiscal_year_label(got.fiscal_year)}、"
                f"集約先：{fiscal_year_label(want.fiscal_year)}）。今年度の様式に入力し直してください。")
    if got.template_version != want.template_version:
        return (f"様式の版が違います（このファイル：{got.template_version}、集約先：{want.template_version}）。"
                "事務局から配布された最新の様式を使ってください。")
    return None


def _department_table(checker: Checker, meta: Meta, sheets: Mapping[str, Grid], order: Sequence[str] | None,
                      sheet: str | None) -> layout.Table:
    """The indicator table to check (its sheet becomes the submission's), whose columns can be told apart."""
    tables = find_tables({k: v for k, v in sheets.items() if sheet is None or k == sheet}, order)
    if sheet is None:
        # The master sheet (it has a 担当部署 column) is never a department's return.
        tables = [(n, t) for n, t in tables if layout.DEPARTMENT not in t.columns]
    if not tables:
        if meta.kind != DEPARTMENT and sheet is None:
            checker.fatal("survey_file", f"このファイルは集約用の調査票（{meta.survey.plan.sheet}）で、部署別の調査票ではありません。"
                          "点検するのは各部署が入力したファイルです（部署別の調査票は welfare-xl split や"
                          "「部署別シート作成」で作ります。調査票の中の部署別シートは --sheet で指定します）。")
        checker.fatal("no_table", "指標の表（ID列のある表）が見つかりません。配布された様式のシートを使ってください。")
    # A department file holds one sheet of its own; a survey workbook may hold several
    # department sheets, and then the sheet to check is named by the caller.
    table = tables[0][1] if sheet is not None else _own_table(checker, meta, tables)
    if table.duplicate_columns:
        titles = _column_titles(meta.survey)
        for key, col in table.duplicate_columns:
            first = column_letter(table.columns[key])
            checker.add(Severity.ERROR, "column_duplicated",
                        f"「{titles.get(key, key)}」の列が{first}列と{column_letter(col)}列の2か所にあります。"
                        f"どちらに入力したのか分からないため読み取れません。コピーした列を削除してください。",
                        cell=cell_ref(table.key_row + 1, col))
        checker.stop()
    return table


def _own_table(checker: Checker, meta: Meta, tables: list[tuple[str, layout.Table]]) -> layout.Table:
    """The table of a department workbook's own sheet (it becomes the submission's sheet).

    The split names that sheet after the department (`sheet_name`): it is read
    whatever other sheet stands first (a 下書き copy), which is reported. When it
    was renamed, the only sheet with a table is read; among several, none can be
    told to be the one meant, and the file is refused.
    """
    names = [n for n, _ in tables]
    if meta.kind != DEPARTMENT or len(tables) == 1:
        checker.sub.sheet, table = tables[0]
        return table
    own = sheet_name(meta.department or "")
    if own not in names:
        checker.sub.sheet = None
        checker.fatal("ambiguous_sheet", f"指標の表のあるシートが{len(names)}枚あり（{_quoted(names)}）、"
                      f"どれが提出するシートか分かりません。提出するシートだけを残し、ほかのシート（下書きなど）は"
                      f"削除してください。")
    checker.sub.sheet = own
    others = [n for n in names if n != own]
    checker.add(Severity.WARNING, "extra_sheet",
                f"指標の表のあるシートがほかにもあります（{_quoted(others)}）。読み取ったのはシート「{own}」です。"
                "下書きなどのコピーは削除し、提出するシートに入力してください。")
    return dict(tables)[own]


def _quoted(names: Sequence[str]) -> str:
    return "、".join(f"「{n}」" for n in names)


def _column_titles(survey: Survey) -> dict[str, str]:
    """Column key -> its header on one line, to name a column to a person."""
    def titles() -> dict[str, str]:
        columns = layout.department_columns(survey) + layout.survey_columns(survey)
        return {c.key: c.header.replace("\n", "") for c in reversed(columns)}
    return _per_survey(survey, "titles", titles)


def _survey_columns(survey: Survey) -> dict[str, layout.Column]:
    return _per_survey(survey, "columns", lambda: {c.key: c for c in layout.survey_columns(survey)})


# What the checks derive from a survey's definitions alone, computed once per survey: the returns
# of a folder share one parsed 管理情報 (`metadata.from_grid`), so a folder pays for these once,
# not once per file or row. Keyed by the survey object, which the entry keeps alive; read only.
_DERIVED: dict[tuple[int, str], tuple[Survey, Any]] = {}
_DERIVED_MAX = 256


def _per_survey(survey: Survey, what: str, make: Callable[[], Any]) -> Any:
    key = (id(survey), what)
    hit = _DERIVED.get(key)
    if hit is None or hit[0] is not survey:
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        hit = _DERIVED[key] = (survey, make())
    return hit[1]


def _department_indicators(checker: Checker, meta: Meta, table: layout.Table,
                           expected: Meta | None) -> list[Indicator]:
    """The indicators of the department whose sheet this is (it becomes the submission's department)."""
    department = meta.department if meta.kind == DEPARTMENT else meta.survey.department_of(r.id for r in table.rows)
    word = meta.survey.plan.header("department_column")
    if department is None:
        checker.fatal("no_department", f"どの{word}のシートか判別できません（指標の行がありません）。")
    checker.sub.department = department
    wanted = [i for i in meta.survey.indicators if i.department == department]
    own = {i.id for i in wanted}
    if table.rows and not any(r.id in own for r in table.rows):
        # Another department's sheet (or this 管理情報 pasted into its workbook): never this department's return.
        known = {i.id: i.department for i in (expected.survey if expected else meta.survey).indicators}
        theirs = list(dict.fromkeys(known[r.id] for r in table.rows if r.id in known))
        whose = f"（{'、'.join(theirs)}の指標です）" if theirs else ""
        checker.fatal("other_department",
                      f"管理情報の{word}は「{department}」ですが、指標の表に{department}の指標が1行もありません{whose}。"
                      f"別の部署のシートや管理情報をコピーしたファイルのため、集約しません。"
                      f"{department}に配布した様式に入力してください。")
    if not wanted:
        checker.fatal("no_department", f"管理情報に{word}「{department}」の指標がありません。")
    return wanted


def _require_input_columns(checker: Checker, survey: Survey, table: layout.Table) -> None:
    needed = {layout.year_key(survey.fiscal_year), layout.DONE, layout.NEXT}
    missing = needed - set(table.columns)
    if missing:
        titles = _column_titles(survey)
        checker.fatal("column_missing", "入力欄の列が見つかりません（列を削除しないでください）："
                      + "、".join(f"「{titles[k]}」" for k in sorted(missing)))


def _check_copied_and_unknown_rows(checker: Checker, survey: Survey, table: layout.Table,
                                   first: dict[str, layout.TableRow]) -> None:
    defs = _per_survey(survey, "defs", lambda: {i.id: i for i in survey.indicators})
    for dup in table.duplicates:
        # The ID column is hidden: point at a cell of the copied row a person can see.
        visible = next((k for k in (layout.year_key(survey.fiscal_year), layout.ITEM) if k in table.columns), layout.ID)
        checker.add(Severity.ERROR, "duplicate_row",
                    f"{dup.row + 1}行目は{first[dup.id].row + 1}行目の指標をコピーした行です。"
                    "コピーした行を削除し、元の行に入力してください。",
                    cell=table.ref(dup, visible), ind=defs.get(dup.id))
    for row in table.rows:
        if row.id not in defs:
            checker.add(Severity.WARNING, "unknown_row", f"ID「{row.id}」はこの調査票の指標ではないため無視します。",
                        cell=table.ref(row, layout.ID))


def _check_entries(checker: Checker, survey: Survey, table: layout.Table, wanted: list[Indicator],
                   rows: dict[str, layout.TableRow]) -> None:
    """Each wanted indicator's row read into an entry, its value and (on an item's first row) texts checked."""
    for ind in wanted:
        row = rows.get(ind.id)
        if row is None:
            checker.add(Severity.ERROR, "row_missing", f"指標「{ind.label}」の行がありません。行を削除せず、配布された様式に入力してください。", ind=ind)
            continue
        entry = Entry(indicator=ind, row=row.row, cells=table.refs(row))
        checker.sub.entries[ind.id] = entry
        _check_value(checker, survey, ind, row, entry)
        if ind.lead:
            _check_texts(checker, survey, ind, row, entry)
        else:
            _check_unread_texts(checker, survey, ind, row, entry)


def _check_value(checker: Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entry: Entry) -> None:
    key, fy = _per_survey(survey, "year", lambda: (layout.year_key(survey.fiscal_year),
                                                   fiscal_year_label(survey.fiscal_year)))
    raw = row.cells.get(key)
    cell = entry.cells[key]
    entry.raw = raw
    parsed = parse_value(raw, ind.unit, ind.kind)
    if parsed.status is Status.EMPTY:
        if not _hidden_content(checker, cell, ind, "数値"):
            checker.add(Severity.ERROR, "blank", f"{fy}の実績値が未入力です。数値を入力してください。", cell=cell, ind=ind)
        return
    if parsed.status is Status.NOT_AVAILABLE:
        entry.value = NOT_AVAILABLE
        if not ind.may_skip(survey.fiscal_year):  # else a planned answer: the template says the year is not surveyed
            checker.add(Severity.WARNING, "not_available", "実績値が「－」（値なし）です。調査を実施しなかった場合などに限ります。"
                        "数値がある場合は入力してください。", cell=cell, ind=ind)
        return
    if parsed.status is Status.INVALID:
        checker.add(Severity.ERROR, parsed.code or "not_number", f"{parsed.error} 半角の数値で入力してください（単位：{ind.unit}）。",
                    cell=cell, ind=ind)
        return
    value = parsed.value
    limit = survey.config.max_number
    if abs(value) > limit:
        checker.add(Severity.ERROR, "too_large", f"実績値（{shortened(f'{value:,.0f}')}）が大きすぎます（上限：{limit:,.0f}）。"
                    f"単位（{ind.unit}）と桁を確かめて入力し直してください。", cell=cell, ind=ind)
        return
    shown = format_value(value, ind.unit, ind.kind, parsed.decimals)
    if out_of_range(checker, ind, value, shown, cell):
        return
    if ind.kind is Kind.COUNT and not float(value).is_integer():
        checker.add(Severity.ERROR, "not_integer", f"「{ind.unit}」の数は整数で入力してください（入力：{value}）。", cell=cell, ind=ind)
        return
    entry.value = int(value) if ind.kind is Kind.COUNT else value
    if parsed.normalized:
        how = "、".join(parsed.notes)
        checker.add(Severity.WARNING, "normalized", f"「{raw}」を {shown} として読み取りました（{how}）。"
                    "正しければこのままで構いません。", cell=cell, ind=ind)


def _hidden_content(checker: Checker, cell: str, ind: Indicator, what: str) -> bool:
    """An error for an input cell that looks empty but holds an error value or an uncalculated
    formula (`what` is what to type there instead); False when it is really empty."""
    hidden = checker.hidden_at(cell)
    if hidden is None:
        return False
    if hidden.kind == "error":
        checker.add(Severity.ERROR, "error_value", f"エラー値（{shortened(hidden.text)}）です。{what}を入力してください。",
                    cell=cell, ind=ind)
    else:
        checker.add(Severity.ERROR, "formula_not_calculated",
                    f"数式（{shortened(hidden.text, 60)}）の計算結果が保存されていません。Excel で開いて保存し直してください。"
                    f"（数式を使わず{what}を入力しても構いません）", cell=cell, ind=ind)
    return True


def _check_texts(checker: Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entry: Entry) -> None:
    for key, label, cap in _per_survey(survey, "texts", lambda: _text_columns(survey)):
        cell = entry.cells[key]
        text = _typed_text(checker, row.cells.get(key), label, cell, ind)
        setattr(entry, key, text)
        if text is None:
            if not _hidden_content(checker, cell, ind, "文字"):
                checker.add(Severity.ERROR, "text_missing", f"「{label}」が未入力です。"
                            f"{survey.plan.header('done_word')}・{survey.plan.header('next_word')}を記入してください。",
                            cell=cell, ind=ind)
            continue
        if len(text) > survey.config.max_text_chars:
            checker.add(Severity.ERROR, "text_too_long", f"「{label}」が{len(text):,}文字あり、上限の"
                        f"{survey.config.max_text_chars:,}文字を超えています。要点を絞って短くしてください。", cell=cell, ind=ind)
            continue
        if len(text) > cap:
            checker.add(Severity.WARNING, "text_long", f"「{label}」が{len(text)}文字あり、印刷すると約{cap}文字から先が切れます。"
                        "要点を絞って短くしてください。", cell=cell, ind=ind)


def _text_columns(survey: Survey) -> tuple[tuple[str, str, int], ...]:
    """(key, header, about how many characters print) of the two text columns."""
    cols = _survey_columns(survey)
    return tuple((key, cols[key].header, layout.text_capacity(cols[key], survey.config.text_max_lines))
                 for key in (layout.DONE, layout.NEXT))


def _typed_text(checker: Checker, raw: Any, label: str, cell: str, ind: Indicator) -> str | None:
    """A text cell's content as it can be consolidated: control characters (which no cell can
    hold) removed, with a warning saying which."""
    text = cell_text(raw)
    if text is None or not CONTROL_RE.search(text):
        return text
    found = "、".join(map(codepoint, control_characters(text)))
    checker.add(Severity.WARNING, "text_control_character",
                f"「{label}」に見えない制御文字（{found}）が含まれていたため取り除きました（垂直タブ・改ページは改行にしました）。"
                "内容が正しいか確認してください。", cell=cell, ind=ind)
    return cell_text(without_control(text))


def _check_unread_texts(checker: Checker, survey: Survey, ind: Indicator, row: layout.TableRow,
                        entry: Entry) -> None:
    """Text typed into a sub-item's own text cells (the item's cells were unmerged): no one reads it."""
    lead = checker.sub.entries.get(ind.group)
    cols = _survey_columns(survey)
    for key in (layout.DONE, layout.NEXT):
        if key not in entry.cells or cell_text(row.get(key)) is None:
            continue
        where = f"この項目の1行目のセル（{lead.cells[key]}）" if lead is not None else "この項目の1行目のセル"
        checker.add(Severity.WARNING, "text_not_read",
                    f"このセルの「{cols[key].header}」は読み取られません（項目の記入欄は{where}です）。"
                    f"内容を{where}に移してください。", cell=entry.cells[key], ind=ind)


def _check_locked(checker: Checker, survey: Survey, reference: Survey, ind: Indicator, row: layout.TableRow,
                  entry: Entry) -> None:
    """History years and target as the file has them, against the master's (they are locked cells)."""
    master = reference.values.get(ind.id, {})
    years = _per_survey(survey, "history", lambda: [(y, layout.year_key(y), fiscal_year_label(y))
                                                     for y in survey.history_years])
    locked = [(key, label, master.get(y)) for y, key, label in years]
    locked.append((layout.TARGET, "目標値", reference.targets.get(ind.id)))
    cells = entry.cells
    for key, label, want in locked:
        if key not in cells:
            continue  # a deleted locked column: nothing typed there to tell about
        raw = row.cells.get(key)
        got = master_value(raw, ind)
        if same_figure(got, want):
            continue
        typed = ind.show(got) if got is not None or raw is None else shortened(str(raw))
        checker.add(Severity.ERROR, "locked_changed",
                    f"保護されたセル（{label}）が調査票と違います（調査票：{ind.show(want)}、このファイル：{typed}）。"
                    + _NOT_THIS_ROW, cell=cells[key], ind=ind)
    if layout.PREV_NEXT in cells and ind.lead:
        _check_previous_next(checker, survey, reference, ind, row, entry)


def _check_previous_next(checker: Checker, survey: Survey, reference: Survey, ind: Indicator,
                         row: layout.TableRow, entry: Entry) -> None:
    """Last year's 今後の展開 (a locked column of a rolled-over form, never consolidated) against the history."""
    record = reference.history.get(survey.fiscal_year - 1, {}).get(ind.id)
    want, got = (record.next if record else None), cell_text(row.get(layout.PREV_NEXT))
    if (want or "").strip() == (got or "").strip():
        return
    label = survey.plan.header("prev_next", prev_year=fiscal_year_label(survey.fiscal_year - 1))
    checker.add(Severity.ERROR, "locked_changed",
                f"保護されたセル（{label}）が調査票と違います（調査票：{_shown_label(want or '')}、"
                f"このファイル：{_shown_label(got or '')}）。" + _NOT_THIS_ROW, cell=entry.cells[layout.PREV_NEXT], ind=ind)


# Why a row whose locked cells differ is refused, and what to do (the end of those messages).
_NOT_THIS_ROW = ("行や指標IDをコピー・入れ替えたか、保護を解除して変更した可能性があり、この行の入力がこの指標のものか"
                 "分からないため集約しません。配布された様式のこの指標の行に入力し直してください（調査票の値に誤りがある"
                 "場合は事務局に連絡してください）。")
# The cells that name an indicator on its row of the form, as the split writes them.
_LABEL_KEYS = (layout.ITEM, layout.SUB_ITEM, layout.UNIT)


def _form_rows(survey: Survey, department: str) -> dict[str, layout.TableRow]:
    """The department's form as it was distributed (`department_sheet`), read back as a table (once per
    survey and department; read only)."""
    return _per_survey(survey, f"form:{department}", lambda: _distributed_rows(survey, department))


def _distributed_rows(survey: Survey, department: str) -> dict[str, layout.TableRow]:
    if not any(i.department == department for i in survey.indicators):
        return {}
    spec = department_sheet(survey, department, self_check=False)  # the labels, not the form's formulas
    width = spec.max_col + 1  # once: the property scans every cell
    grid = [[None] * width for _ in range(spec.max_row + 1)]
    for (r, c), (value, _) in spec.cells.items():
        grid[r][c] = value
    table = layout.find_table(grid)
    return table.by_id() if table is not None else {}


def _form_labels(survey: Survey, department: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Indicator ID -> (key, text) of its label cells on the department's form (`_form_rows`)."""
    def labels() -> dict[str, tuple[tuple[str, str], ...]]:
        form = _form_rows(survey, department)
        return {ident: tuple((key, _label_text(row.get(key))) for key in _LABEL_KEYS) for ident, row in form.items()}
    return _per_survey(survey, f"labels:{department}", labels)


def _check_labels(checker: Checker, ind: Indicator, row: layout.TableRow, entry: Entry,
                  form: tuple[tuple[str, str], ...] | None) -> None:
    """Item, sub-item and unit as the file shows them on the indicator's row, against the form's
    (`_form_labels`)."""
    if form is None:
        return
    cells = entry.cells
    for key, want in form:
        if key not in cells:
            continue  # a deleted locked column: nothing there to tell about
        got = _label_text(row.cells.get(key))
        if want == got:
            continue
        titles = _column_titles_of(checker)
        checker.add(Severity.ERROR, "label_changed",
                    f"保護されたセル（{titles.get(key, key)}）が配布した様式と違います（様式：{_shown_label(want)}、"
                    f"このファイル：{_shown_label(got)}）。" + _NOT_THIS_ROW, cell=cells[key], ind=ind)


def _shown_label(text: str) -> str:
    return f"「{shortened(text.replace(chr(10), ' '))}」" if text else "（空欄）"


def _column_titles_of(checker: Checker) -> dict[str, str]:
    meta = checker.sub.meta
    return _column_titles(meta.survey) if meta is not None else {}
