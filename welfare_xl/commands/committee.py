"""`welfare-xl committee`: the committee version of a consolidated survey, as .xlsx (and PDF).

Decision on --pdf without LibreOffice (or when LibreOffice fails): the workbook
is still written, because it is complete and useful on its own (Excel can
print it to PDF), and the command ends with exit code 1 and a Japanese message
saying the PDF is missing and how to make it. Exit code 2 is kept for input
that cannot be used at all, as in the other commands.
"""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.committee_report import CommitteeResult
from welfare_xl.core.sheets.committee import resolve_grades
from welfare_xl.errors import UserError
from welfare_xl.files.atomic import same_file
from welfare_xl.files.committee_book import write_committee
from welfare_xl.files.pdf import RenderError, to_pdf
from welfare_xl.files.survey_file import load_survey_file


class CommitteeError(UserError):
    """The committee version cannot be made as asked; the message is Japanese."""


def committee(consolidated_path: str | Path, out_path: str | Path, pdf: str | Path | None = None) -> CommitteeResult:
    """Make the committee version of a consolidated survey workbook (and its PDF when asked)."""
    src, out = Path(consolidated_path), Path(out_path)
    pdf_path = Path(pdf) if pdf else None
    if out.suffix.lower() != ".xlsx":
        raise CommitteeError(f"{out.name}: 委員会版の出力先は .xlsx のファイル名にしてください。")
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        raise CommitteeError(f"{pdf_path.name}: PDF の出力先は .pdf のファイル名にしてください。")
    if same_file(out, src):
        raise CommitteeError(f"{out.name}: 集約済みの調査票を委員会版で上書きすることはできません。別のファイル名を指定してください。")

    # A department's workbook given by mistake is refused there, saying what it is.
    survey, _book, _data = load_survey_file(src)
    grades = resolve_grades(survey)
    path = write_committee(survey, out, grades)
    result = CommitteeResult(path=path, survey=survey, grades=grades)
    if pdf_path is not None:
        try:
            result.pdf = to_pdf(path, pdf_path)
        except RenderError as exc:
            result.pdf_error = str(exc)
    return result
