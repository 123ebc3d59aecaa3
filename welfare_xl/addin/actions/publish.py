"""委員会版作成: the committee workbook next to the survey, and its PDF on desktop Excel.

The committee version is built from the survey as the open workbook holds it
(consolidated values, texts and the 進捗評価 the secretariat may have edited),
written by the file adapter beside the survey. The PDF is made by Excel's own
export on the desktop engine, so it prints exactly as Excel prints; the remote
engine has no PDF export and writes the workbook only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.grids import is_desktop, status
from welfare_xl.addin.excel.workbook import read_survey

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

LABEL = "委員会版作成"
SUFFIX = "_委員会版"


def output_path(book: "xw.Book", folder: Path) -> Path:
    """<survey's name>_委員会版.xlsx in `folder`."""
    return folder / f"{Path(book.name).stem}{SUFFIX}.xlsx"


def committee(book: "xw.Book") -> str:
    from welfare_xl.core.committee_report import CommitteeResult
    from welfare_xl.core.sheets.committee import resolve_grades
    from welfare_xl.files.committee_book import write_committee

    live = read_survey(book, LABEL)
    folders = settings.load(book, create=True)
    folder = folders.folder_of_base()
    out = output_path(book, folder)
    if out.name.casefold() == book.name.casefold():
        raise settings.FolderUnknown(f"委員会版の出力先「{out}」が調査票と同じ名前になるため、作成できません。")
    status(book, f"委員会版を作成しています：{out.name}")
    grades = resolve_grades(live.survey)
    path = write_committee(live.survey, out, grades)
    result = CommitteeResult(path=path, survey=live.survey, grades=grades)
    if is_desktop(book):
        status(book, f"PDF を作成しています：{out.with_suffix('.pdf').name}")
        from welfare_xl.addin.excel.com import export_pdf

        try:
            export_pdf(book, path, out.with_suffix(".pdf"))
            result.pdf = out.with_suffix(".pdf")
        except Exception as exc:  # noqa: BLE001 - Excel reports export failures as COM errors
            result.pdf_error = (f"Excel の PDF 出力に失敗しました（{type(exc).__name__}）。同じ名前の PDF を"
                                "開いていないか確認し、委員会版のブックを開いて「ファイル → エクスポート」で作成してください。")
    status(book, None)
    lines = result.summary_lines()
    if not is_desktop(book):
        lines.append("PDF はこの Excel からは作れません。作成したブックをデスクトップ版の Excel で開き、"
                     "「ファイル → エクスポート → PDF」で保存してください。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)
