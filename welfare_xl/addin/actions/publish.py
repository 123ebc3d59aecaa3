"""委員会版作成 and 最終評価: the committee workbook (or the final evaluation) next to the survey,
and its PDF on desktop Excel.

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
FINAL_LABEL = "最終評価"
FINAL_SUFFIX = "_最終評価"


def output_path(book: "xw.Book", folder: Path, suffix: str = SUFFIX) -> Path:
    """<survey's name>_委員会版.xlsx (or another `suffix`) in `folder`."""
    return folder / f"{Path(book.name).stem}{suffix}.xlsx"


def _export_pdf(book: "xw.Book", path: Path, result) -> None:
    """The PDF of the workbook written at `path`, by Excel's own export on the desktop engine;
    `result.pdf` or `result.pdf_error` says how it went."""
    if not is_desktop(book):
        return
    pdf = path.with_suffix(".pdf")
    status(book, f"PDF を作成しています：{pdf.name}")
    from welfare_xl.addin.excel.com import export_pdf

    try:
        export_pdf(book, path, pdf)
        result.pdf = pdf
    except Exception as exc:  # noqa: BLE001 - Excel reports export failures as COM errors
        result.pdf_error = (f"Excel の PDF 出力に失敗しました（{type(exc).__name__}）。同じ名前の PDF を"
                            "開いていないか確認し、作成したブックを開いて「ファイル → エクスポート」で作成してください。")


def _closing_lines(book: "xw.Book", folders, lines: list[str]) -> str:
    if not is_desktop(book):
        lines.append("PDF はこの Excel からは作れません。作成したブックをデスクトップ版の Excel で開き、"
                     "「ファイル → エクスポート → PDF」で保存してください。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)


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
    _export_pdf(book, path, result)
    status(book, None)
    return _closing_lines(book, folders, result.summary_lines())


def final(book: "xw.Book") -> str:
    """最終評価: the final evaluation of the open survey (a projection before the target year)."""
    from welfare_xl.core.final import evaluate
    from welfare_xl.core.final_report import FinalResult
    from welfare_xl.files.final_book import write_final

    live = read_survey(book, FINAL_LABEL)
    folders = settings.load(book, create=True)
    out = output_path(book, folders.folder_of_base(), FINAL_SUFFIX)
    if out.name.casefold() == book.name.casefold():
        raise settings.FolderUnknown(f"最終評価の出力先「{out}」が調査票と同じ名前になるため、作成できません。")
    status(book, f"最終評価を作成しています：{out.name}")
    evaluation = evaluate(live.survey)
    result = FinalResult(path=write_final(evaluation, out), evaluation=evaluation)
    _export_pdf(book, out, result)
    status(book, None)
    return _closing_lines(book, folders, result.summary_lines())
