"""The open workbook read into the core's model (管理情報 + the keyed table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from welfare_xl.addin.excel.grids import NotApplicable, find_sheet, read_grid, read_head
from welfare_xl.core.history import History, find_key_row
from welfare_xl.core.history import read_history as history_grid
from welfare_xl.core.model.cells import Grid
from welfare_xl.core.model.layout import KEY_ROW_SCAN, Table
from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import Meta, MetadataError, from_grid
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.reading import BookError, not_the_survey, survey_from_table, survey_table

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw


@dataclass
class LiveSurvey:
    """The survey as the open workbook holds it, saved or not."""

    survey: Survey
    meta: Meta
    sheet: str  # the master sheet (資料２)
    table: Table
    grid: Grid  # the master sheet's values as read


def read_book_meta(book: "xw.Book") -> tuple[Meta, Grid]:
    """The workbook's 管理情報, or NotApplicable (Japanese) when it is not one of ours."""
    sheet = find_sheet(book, META_SHEET)
    if sheet is None:
        raise NotApplicable(
            f"「{book.name}」には「{META_SHEET}」シートがないため、この調査のブックとして扱えません。"
            "事務局から配布された調査票（またはそこから作ったブック）を開いてから実行してください。")
    grid = read_grid(sheet)
    try:
        return from_grid(grid), grid
    except MetadataError as exc:
        raise NotApplicable(f"「{book.name}」の「{META_SHEET}」シート: {exc}") from exc


def read_survey(book: "xw.Book", action: str) -> LiveSurvey:
    """The survey workbook's master table; refuses a department's workbook.

    `action` is the button's label, for the message.
    """
    meta, _ = read_book_meta(book)
    refusal = not_the_survey(meta, action)
    if refusal:
        raise NotApplicable(f"「{book.name}」は{refusal}")
    names = [s.name for s in book.sheets if s.name != META_SHEET]
    wanted = meta.survey.plan.sheet
    first = [n for n in names if n == wanted] or names  # the named sheet alone when it exists
    grids = {n: read_grid(book.sheets[n]) for n in first}
    try:
        name, table = survey_table(grids, meta, list(grids))
    except BookError as exc:
        raise NotApplicable(f"「{book.name}」: {exc}") from exc
    survey = survey_from_table(meta, table)
    survey.history = read_history(book, meta, name)
    return LiveSurvey(survey=survey, meta=meta, sheet=name, table=table, grid=grids[name])


def read_history(book: "xw.Book", meta: Meta, master: str) -> History:
    """The past years' texts and grades of the history sheet (過年度), found by its key row: the sheet
    the plan names first, then the others, each by its first rows alone (a 集約ログ may be long)."""
    wanted = meta.survey.plan.header("history_sheet")
    sheets = [s for s in book.sheets if s.name not in (META_SHEET, master)]
    sheets.sort(key=lambda s: s.name != wanted)
    for sheet in sheets:
        if find_key_row(read_head(sheet, KEY_ROW_SCAN)) is not None:
            return history_grid(read_grid(sheet)) or {}
    return {}
