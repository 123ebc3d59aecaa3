"""From a workbook's grids to the model: find the 管理情報, find the keyed table.

Input is plain: sheet names and grids as any reader returns them. Tables are
found by their key row on whatever sheet they are (departments rename sheets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from welfare_xl.core.history import history_from_sheets
from welfare_xl.core.model import layout
from welfare_xl.core.model.cells import Grid, cell_text  # cell_text: read here by checks too
from welfare_xl.core.model.metadata import DEPARTMENT, Meta, MetadataError, from_grid
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.numbers import Status, parse_value, stored_number
from welfare_xl.core.model.survey import NOT_AVAILABLE, Survey
from welfare_xl.errors import UserError


class BookError(UserError):
    """A workbook is not a usable survey; the message (Japanese) says why, the caller adds the file."""


@dataclass
class Book:
    meta: Meta
    sheet: str
    table: layout.Table


def read_meta(sheets: Mapping[str, Grid]) -> Meta:
    grid = sheets.get(META_SHEET)
    if grid is None:
        raise MetadataError(f"「{META_SHEET}」シートがありません（この調査票から作られたファイルではありません）。")
    return from_grid(grid)


def find_tables(sheets: Mapping[str, Grid], order: Sequence[str] | None = None) -> list[tuple[str, layout.Table]]:
    """Every sheet that carries a keyed indicator table, in sheet order."""
    out = []
    for name in order or list(sheets):
        if name == META_SHEET or name not in sheets:
            continue
        table = layout.find_table(sheets[name])
        if table is not None:
            out.append((name, table))
    return out


def survey_table(sheets: Mapping[str, Grid], meta: Meta, order: Sequence[str] | None = None) -> tuple[str, layout.Table]:
    """The master sheet's table: the sheet the metadata names, else the keyed table with a grade column."""
    name = meta.survey.plan.sheet
    if name in sheets:
        table = layout.find_table(sheets[name])
        if table is not None:
            return name, table
    for other, table in find_tables(sheets, order):
        if layout.GRADE in table.columns or layout.DEPARTMENT in table.columns:
            return other, table
    raise BookError(f"「{name}」シート（指標の表）が見つかりません。")


def survey_from_table(meta: Meta, table: layout.Table) -> Survey:
    """The survey's values, texts and grades as they stand in a master sheet."""
    base = meta.survey
    survey = Survey(plan=base.plan, fiscal_year=base.fiscal_year, template_version=base.template_version,
                    goals=base.goals, indicators=base.indicators, config=base.config,
                    decimals=dict(base.decimals))
    rows = table.by_id()
    for ind in base.indicators:
        row = rows.get(ind.id)
        cells = row.cells if row else {}
        values = {}
        for year in survey.years:
            values[year] = master_value(cells.get(layout.year_key(year)), ind)
        survey.values[ind.id] = values
        survey.targets[ind.id] = master_value(cells.get(layout.TARGET), ind)
        if ind.lead:
            survey.texts[ind.id] = (cell_text(cells.get(layout.DONE)), cell_text(cells.get(layout.NEXT)))
        grade = cells.get(layout.GRADE)
        survey.grades[ind.id] = grade if isinstance(grade, str) and grade else None
    return survey


def master_value(raw: Any, ind) -> Any:
    """A master cell's value: number, '－', or None. Text numbers are read leniently."""
    if raw.__class__ is float or raw.__class__ is int:  # what parse_value reads, without its record
        return stored_number(raw, ind.kind)
    parsed = parse_value(raw, ind.unit, ind.kind)
    if parsed.status is Status.NUMBER:
        return parsed.value
    if parsed.status is Status.NOT_AVAILABLE:
        return NOT_AVAILABLE
    return None


def not_the_survey(meta: Meta, action: str | None = None) -> str | None:
    """Why a workbook cannot be used where the survey workbook is needed, or None when it can.

    A department's workbook carries the survey's 管理情報 too, but only its own
    rows: it is refused. `action` is the label of the button that was pressed
    (the clerk opens the survey workbook and presses it again); without one the
    user names another file (the CLI). Callers add the file's name.
    """
    if meta.kind != DEPARTMENT:
        return None
    head = f"部署別の調査票（{meta.department or '部署'}）です。"
    book = f"{meta.survey.plan.sheet}のあるブック"
    if action:
        return head + f"「{action}」は事務局の調査票（{book}）を開いて実行してください。"
    return head + f"調査票（{book}）を指定してください。"


def load_survey_grids(sheets: Mapping[str, Grid], order: Sequence[str] | None = None) -> tuple[Survey, Book]:
    """The survey (with its past years' texts and grades from the history sheet, `core.history`) and
    where its table is; BookError for a workbook that is not the survey's."""
    meta = read_meta(sheets)
    refusal = not_the_survey(meta)
    if refusal:
        raise BookError(refusal)
    name, table = survey_table(sheets, meta, order)
    survey = survey_from_table(meta, table)
    survey.history = history_from_sheets(sheets, order, skip=(name, META_SHEET))
    return survey, Book(meta=meta, sheet=name, table=table)
