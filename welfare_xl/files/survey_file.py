"""Reading a survey workbook file into the model."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.model.metadata import MetadataError
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.reading import Book, BookError, load_survey_grids
from welfare_xl.errors import UserError
from welfare_xl.files.reader import WorkbookData, WorkbookReadError, read_workbook


class SurveyFileError(UserError):
    """The survey workbook itself cannot be used (exit code 2); message in Japanese."""


def load_survey_file(path: str | Path) -> tuple[Survey, Book, WorkbookData]:
    path = Path(path)
    if not path.exists():
        raise SurveyFileError(f"{path}: ファイルがありません。")
    if path.is_dir():
        raise SurveyFileError(f"{path}: フォルダです。調査票のファイル（.xlsx）を指定してください。")
    try:
        data = read_workbook(path)
        survey, book = load_survey_grids(data.sheets, data.sheet_order)
    except (WorkbookReadError, MetadataError, BookError) as exc:
        raise SurveyFileError(f"{path.name}: {exc}") from exc
    return survey, book, data
