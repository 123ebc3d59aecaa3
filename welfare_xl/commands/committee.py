"""`welfare-xl committee`: the committee version of a consolidated survey, as .xlsx (and PDF).

Decision on --pdf without LibreOffice (or when LibreOffice fails): the workbook
is still written, because it is complete and useful on its own (Excel can
print it to PDF), and the command ends with exit code 1 and a Japanese message
saying the PDF is missing and how to make it. The same holds for a survey in
which nothing could be graded (most likely never consolidated): the file is
written, the summary says so, exit code 1. Exit code 2 is kept for input that
cannot be used at all, and for an output path that may not be written (the
survey, another welfare-xl workbook, another type than .xlsx / .pdf).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.committee_report import CommitteeResult
from welfare_xl.core.sheets.committee import resolve_grades
from welfare_xl.errors import UserError
from welfare_xl.files.atomic import check_output
from welfare_xl.files.committee_book import write_committee
from welfare_xl.files.published import publish
from welfare_xl.files.survey_file import load_survey_file


class CommitteeError(UserError):
    """The committee version cannot be made as asked; the message is Japanese."""


def committee(consolidated_path: str | Path, out_path: str | Path, pdf: str | Path | None = None, *,
              now: datetime | None = None, echo: Callable[[str], None] | None = None) -> CommitteeResult:
    """Make the committee version of a consolidated survey workbook (and its PDF when asked).

    A file already at the output (or PDF) path is first copied to a timestamped
    backup beside it; `echo` is told where.
    """
    src = Path(consolidated_path)
    now = (now or datetime.now()).replace(microsecond=0)
    out = check_output(out_path, suffix=".xlsx", survey=src, label="委員会版")
    target_pdf = check_output(pdf, suffix=".pdf", survey=src, label="PDF ") if pdf else None
    if target_pdf is not None and target_pdf.path == out.path:
        raise CommitteeError(f"{target_pdf.given.name}: 委員会版のブックと同じファイルです。別の名前を指定してください。")

    # A department's workbook given by mistake is refused there, saying what it is.
    survey, _book, _data = load_survey_file(src)
    grades = resolve_grades(survey)
    done = publish(lambda path: write_committee(survey, path, grades), out, target_pdf, now=now, echo=echo)
    return CommitteeResult(path=out.given, survey=survey, grades=grades, pdf=done.pdf, pdf_error=done.pdf_error)
