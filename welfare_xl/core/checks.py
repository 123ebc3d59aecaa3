"""Checking a department's worksheet: findings a clerk can act on.

Every finding names the file, sheet, cell and indicator and says in Japanese
what is wrong and what to do. Errors stop an indicator from being consolidated;
warnings ask the department to confirm. The same function serves `welfare-xl
check`, the add-in's 入力チェック button and consolidation, so what a
department sees before sending is what the secretariat's consolidation applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping, NoReturn, Sequence

from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid, cell_ref, column_letter
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import DEPARTMENT, Meta, MetadataError
from welfare_xl.core.model.numbers import Kind, Status, format_value, parse_value, same_figure
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey
from welfare_xl.core.reading import cell_text, find_tables, master_value, read_meta


class Severity(StrEnum):
    """How bad a finding is; the value is what JSON output and tools see."""

    ERROR = "error"  # the indicator (or, when fatal, the whole file) is not consolidated
    WARNING = "warning"  # the department is asked to confirm

# Fatal findings meaning the file is not from this survey at all (no 管理情報; another
# plan, year or template version), as opposed to a file of this survey the department broke.
FOREIGN_CODES = frozenset({"not_from_template", "wrong_template"})


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # machine-readable kind of finding (for tests and tools)
    message: str  # Japanese: what is wrong and what to do
    file: str = ""
    sheet: str | None = None
    cell: str | None = None
    indicator_id: str | None = None
    indicator: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"severity": str(self.severity), "file": self.file, "sheet": self.sheet, "cell": self.cell,
                "indicator_id": self.indicator_id, "indicator": self.indicator, "message": self.message}

    @property
    def mark(self) -> str:
        return "エラー" if self.severity == Severity.ERROR else "注意"

    def describe(self, *, file: bool = True, sheet: bool = True, cell: bool = True, subject: bool = True,
                 mark: str | None = ": ", sep: str = " ") -> str:
        """The one way a finding is written for people, with what the context already says left out.

        `エラー: 地域共生課.xlsx／地域共生課／H9 ［G2-02b］延べ利用者数 message`: `mark` follows
        エラー/注意 (None: no mark), `sep` stands before the message; `file`, `sheet`,
        `cell` and `subject` (the indicator) drop a part when False.
        """
        place = "／".join(x for x in (self.file if file else None, self.sheet if sheet else None,
                                      self.cell if cell else None) if x)
        who = f"［{self.indicator_id}］{self.indicator or ''}" if subject and self.indicator_id else ""
        head = " ".join(x for x in (place, who) if x)
        text = f"{head}{sep}{self.message}" if head else self.message
        return f"{self.mark}{mark}{text}" if mark is not None else text

    def line(self) -> str:
        """One line for a terminal: everything, the file first."""
        return self.describe()


@dataclass
class Entry:
    """What a department's sheet says for one indicator, after normalization."""

    indicator: Indicator
    row: int
    value: Any = None  # number, NOT_AVAILABLE or None
    raw: Any = None
    done: str | None = None
    next: str | None = None
    cells: dict[str, str] = field(default_factory=dict)  # key -> A1 reference
    ok: bool = True


@dataclass
class Submission:
    """A department's returned worksheet, read and checked."""

    file: str
    meta: Meta | None = None
    department: str | None = None
    sheet: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    saved: datetime | None = None
    fatal: bool = False  # the file as a whole cannot be used

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def foreign(self) -> bool:
        """The file does not belong to this survey: it can never stand for a department's return."""
        return self.meta is None or any(f.code in FOREIGN_CODES for f in self.errors)

    def failed_ids(self) -> set[str]:
        return {f.indicator_id for f in self.errors if f.indicator_id}


class _Unusable(Exception):
    """The file as a whole cannot be used; the findings recorded so far say why."""


class _Checker:
    """Records findings on a submission, marking an indicator's entry failed on its errors."""

    def __init__(self, sub: Submission) -> None:
        self.sub = sub

    def add(self, severity: Severity, code: str, message: str, *, cell: str | None = None,
            ind: Indicator | None = None) -> None:
        self.sub.findings.append(Finding(
            severity, code, message, file=self.sub.file, sheet=self.sub.sheet, cell=cell,
            indicator_id=ind.id if ind else None, indicator=ind.label if ind else None))
        if severity == Severity.ERROR and ind is not None and ind.id in self.sub.entries:
            self.sub.entries[ind.id].ok = False

    def fatal(self, code: str, message: str) -> NoReturn:
        """Record why the file cannot be used, and stop checking it."""
        self.add(Severity.ERROR, code, message)
        self.stop()

    def stop(self) -> NoReturn:
        """Stop checking a file the findings so far make unusable."""
        self.sub.fatal = True
        raise _Unusable


def check_submission(file: str, sheets: Mapping[str, Grid], order: Sequence[str] | None = None, *,
                     expected: Meta | None = None, sheet: str | None = None,
                     saved: datetime | None = None, reference: Survey | None = None) -> Submission:
    """Read and check one department's worksheet.

    `sheets` are the workbook's grids by name (at least the 管理情報 sheet and the
    department's sheet). `expected` is the survey the file must belong to;
    `sheet` restricts the check to one sheet (the add-in checks the active one).
    `reference` is the master survey as it stands: the locked cells (history
    years, target) are compared with its values, which a department can only
    change by unprotecting the sheet, and the big-change check measures from
    its previous-year value rather than the file's.
    """
    sub = Submission(file=file, saved=saved)
    checker = _Checker(sub)
    try:
        meta = _identify(checker, sheets, expected)
        table = _department_table(checker, meta, sheets, order, sheet)
        wanted = _department_indicators(checker, meta, table)
        _require_input_columns(checker, meta.survey, table)
    except _Unusable:
        return sub
    survey = meta.survey
    _check_copied_and_unknown_rows(checker, survey, table)
    _check_entries(checker, survey, table, wanted)
    if reference is not None and (reference.plan.id, reference.fiscal_year) != (survey.plan.id, survey.fiscal_year):
        reference = None  # another survey's figures say nothing about this file's locked cells
    rows = table.by_id()
    for ind in wanted:
        if ind.id in sub.entries:
            if reference is not None:
                _check_locked(checker, survey, reference, ind, rows[ind.id], sub.entries[ind.id])
            _check_change(checker, survey, ind, rows[ind.id], sub.entries, reference)
    return sub


def _identify(checker: _Checker, sheets: Mapping[str, Grid], expected: Meta | None) -> Meta:
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
        return f"別の計画の調査票です（このファイル：{got.plan.name}、集約先：{want.plan.name}）。"
    if got.fiscal_year != want.fiscal_year:
        return (f"年度が違います（このファイル：{fiscal_year_label(got.fiscal_year)}、"
                f"集約先：{fiscal_year_label(want.fiscal_year)}）。今年度の様式に入力し直してください。")
    if got.template_version != want.template_version:
        return (f"様式の版が違います（このファイル：{got.template_version}、集約先：{want.template_version}）。"
                "事務局から配布された最新の様式を使ってください。")
    return None


def _department_table(checker: _Checker, meta: Meta, sheets: Mapping[str, Grid], order: Sequence[str] | None,
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
    checker.sub.sheet, table = tables[0]
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


def _column_titles(survey: Survey) -> dict[str, str]:
    """Column key -> its header on one line, to name a column to a person."""
    return {c.key: c.header.replace("\n", "") for c in layout.survey_columns(survey)}


def _department_indicators(checker: _Checker, meta: Meta, table: layout.Table) -> list[Indicator]:
    """The indicators of the department whose sheet this is (it becomes the submission's department)."""
    defs = {i.id: i for i in meta.survey.indicators}
    department = meta.department if meta.kind == DEPARTMENT else _department_of(table, defs)
    if department is None:
        checker.fatal("no_department", "どの担当部署のシートか判別できません（指標の行がありません）。")
    checker.sub.department = department
    wanted = [i for i in meta.survey.indicators if i.department == department]
    if not wanted:
        checker.fatal("no_department", f"管理情報に担当部署「{department}」の指標がありません。")
    return wanted


def _department_of(table: layout.Table, defs: dict[str, Indicator]) -> str | None:
    found = {defs[r.id].department for r in table.rows if r.id in defs}
    return found.pop() if len(found) == 1 else None


def _require_input_columns(checker: _Checker, survey: Survey, table: layout.Table) -> None:
    needed = {layout.year_key(survey.fiscal_year), layout.DONE, layout.NEXT}
    missing = needed - set(table.columns)
    if missing:
        titles = _column_titles(survey)
        checker.fatal("column_missing", "入力欄の列が見つかりません（列を削除しないでください）："
                      + "、".join(f"「{titles[k]}」" for k in sorted(missing)))


def _check_copied_and_unknown_rows(checker: _Checker, survey: Survey, table: layout.Table) -> None:
    defs = {i.id: i for i in survey.indicators}
    first = table.by_id()
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


def _check_entries(checker: _Checker, survey: Survey, table: layout.Table, wanted: list[Indicator]) -> None:
    """Each wanted indicator's row read into an entry, its value and (on an item's first row) texts checked."""
    rows = table.by_id()
    for ind in wanted:
        row = rows.get(ind.id)
        if row is None:
            checker.add(Severity.ERROR, "row_missing", f"指標「{ind.label}」の行がありません。行を削除せず、配布された様式に入力してください。", ind=ind)
            continue
        entry = Entry(indicator=ind, row=row.row, cells={k: table.ref(row, k) for k in table.columns})
        checker.sub.entries[ind.id] = entry
        _check_value(checker, survey, ind, row, entry)
        if ind.lead:
            _check_texts(checker, survey, ind, row, entry)


def _check_value(checker: _Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entry: Entry) -> None:
    key = layout.year_key(survey.fiscal_year)
    raw = row.get(key)
    cell = entry.cells[key]
    entry.raw = raw
    fy = fiscal_year_label(survey.fiscal_year)
    parsed = parse_value(raw, ind.unit, ind.kind)
    if parsed.status is Status.EMPTY:
        checker.add(Severity.ERROR, "blank", f"{fy}の実績値が未入力です。数値を入力してください。", cell=cell, ind=ind)
        return
    if parsed.status is Status.NOT_AVAILABLE:
        entry.value = NOT_AVAILABLE
        checker.add(Severity.WARNING, "not_available", "実績値が「－」（値なし）です。調査を実施しなかった場合などに限ります。"
                    "数値がある場合は入力してください。", cell=cell, ind=ind)
        return
    if parsed.status is Status.INVALID:
        checker.add(Severity.ERROR, "not_number", f"{parsed.error} 半角の数値で入力してください（単位：{ind.unit}）。", cell=cell, ind=ind)
        return
    value = parsed.value
    shown = format_value(value, ind.unit, ind.kind, parsed.decimals)
    if value < 0:
        checker.add(Severity.ERROR, "negative", f"実績値が負の数（{shown}）です。0以上の数値を入力してください。", cell=cell, ind=ind)
        return
    if ind.kind is Kind.PERCENT and not 0 <= value <= 1:
        checker.add(Severity.ERROR, "percent_range", f"割合が0％～100％の範囲外（{shown}）です。"
                    "50.70% のように％で入力してください。", cell=cell, ind=ind)
        return
    if ind.kind is Kind.COUNT and not float(value).is_integer():
        checker.add(Severity.ERROR, "not_integer", f"「{ind.unit}」の数は整数で入力してください（入力：{value}）。", cell=cell, ind=ind)
        return
    entry.value = int(value) if ind.kind is Kind.COUNT else value
    if parsed.normalized:
        how = "、".join(parsed.notes)
        checker.add(Severity.WARNING, "normalized", f"「{raw}」を {shown} として読み取りました（{how}）。"
                    "正しければこのままで構いません。", cell=cell, ind=ind)


def _check_texts(checker: _Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entry: Entry) -> None:
    cols = {c.key: c for c in layout.survey_columns(survey)}
    for key, label in ((layout.DONE, cols[layout.DONE].header), (layout.NEXT, cols[layout.NEXT].header)):
        text = cell_text(row.get(key))
        setattr(entry, key, text)
        cell = entry.cells[key]
        if text is None:
            checker.add(Severity.ERROR, "text_missing", f"「{label}」が未入力です。取り組んだ内容・今後の展開を記入してください。",
                        cell=cell, ind=ind)
            continue
        cap = layout.text_capacity(cols[key], survey.config.text_max_lines)
        if len(text) > cap:
            checker.add(Severity.WARNING, "text_long", f"「{label}」が{len(text)}文字あり、印刷すると約{cap}文字から先が切れます。"
                        "要点を絞って短くしてください。", cell=cell, ind=ind)


def _check_locked(checker: _Checker, survey: Survey, reference: Survey, ind: Indicator, row: layout.TableRow,
                  entry: Entry) -> None:
    """History years and target as the file has them, against the master's (they are locked cells)."""
    master = reference.values.get(ind.id, {})
    locked = [(layout.year_key(y), fiscal_year_label(y), master.get(y)) for y in survey.history_years]
    locked.append((layout.TARGET, "目標値", reference.targets.get(ind.id)))
    for key, label, want in locked:
        if key not in entry.cells:
            continue  # a deleted locked column: nothing typed there to tell about
        raw = row.get(key)
        got = master_value(raw, ind)
        if same_figure(got, want):
            continue
        typed = ind.show(got) if got is not None or raw is None else str(raw)
        checker.add(Severity.WARNING, "locked_changed",
                    f"保護されたセル（{label}）が変更されています（調査票：{ind.show(want)}、このファイル：{typed}）。"
                    "集約では調査票の値を使います。", cell=entry.cells[key], ind=ind)


def _check_change(checker: _Checker, survey: Survey, ind: Indicator, row: layout.TableRow, entries: dict[str, Entry],
                  reference: Survey | None) -> None:
    entry = entries[ind.id]
    if not entry.ok or not isinstance(entry.value, (int, float)) or entry.value == NOT_AVAILABLE:
        return
    prev_year = survey.fiscal_year - 1
    # The master's figure when known: the file's locked cell may have been altered.
    raw_prev = (reference.values.get(ind.id, {}).get(prev_year) if reference is not None
                else row.get(layout.year_key(prev_year)))
    prev = parse_value(raw_prev, ind.unit, ind.kind)
    if prev.status is not Status.NUMBER or not prev.value:
        return
    change = entry.value / prev.value - 1
    if abs(change) <= survey.config.change_warn_ratio:
        return
    lead = entries.get(ind.group) or entry
    text = lead.done or ""
    if any(word in text for word in survey.config.reason_words):
        return
    checker.add(Severity.WARNING, "big_change",
                f"前年度（{fiscal_year_label(prev_year)}：{format_value(prev.value, ind.unit, ind.kind, prev.decimals)}）から"
                f"{change:+.0%}変化しています。値が正しいか確認し、増減の理由を取組状況に記入してください。",
                cell=entry.cells[layout.year_key(survey.fiscal_year)], ind=ind)
