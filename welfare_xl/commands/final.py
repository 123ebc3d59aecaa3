"""`welfare-xl final`: the final evaluation (最終評価) of a consolidated survey, as .xlsx (and PDF).

Decisions:

- Before the target year the evaluation is still made, as a projection at the survey year: its
  title says 「最終評価（見込み：令和３年度時点）」 on every printed page and the summary says so
  first (exit code 0). A mid-term review or a planning meeting asks for exactly that, and
  refusing would only send the secretariat back to doing it by hand.
- A department's workbook is refused (exit 2) as `committee` refuses it. A master where nothing
  could be evaluated (most likely never consolidated: the target year's column is empty) is
  written, the summary says so, exit 1 — as `committee` does.
- --pdf without LibreOffice (or when it fails): the workbook is written, exit 1 with the reason.
- `--pdf` alone puts the PDF beside the workbook, named after it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.final import evaluate
from welfare_xl.core.final_report import FinalResult
from welfare_xl.errors import UserError
from welfare_xl.files.atomic import check_output
from welfare_xl.files.final_book import write_final
from welfare_xl.files.published import publish
from welfare_xl.files.survey_file import load_survey_file


class FinalError(UserError):
    """The final evaluation cannot be made as asked; the message is Japanese."""


def final(consolidated_path: str | Path, out_path: str | Path, pdf: str | Path | None = None, *,
          now: datetime | None = None, echo: Callable[[str], None] | None = None) -> FinalResult:
    """Make the final evaluation workbook of a consolidated survey (and its PDF when asked).

    `pdf` is a path, or "" for the workbook's name with .pdf. A file already at the output (or
    PDF) path is first copied to a timestamped backup beside it; `echo` is told where.
    """
    src = Path(consolidated_path)
    now = (now or datetime.now()).replace(microsecond=0)
    out = check_output(out_path, suffix=".xlsx", survey=src, label="最終評価")
    if pdf == "":
        pdf = out.given.with_suffix(".pdf")
    target_pdf = check_output(pdf, suffix=".pdf", survey=src, label="PDF ") if pdf else None
    if target_pdf is not None and target_pdf.path == out.path:
        raise FinalError(f"{target_pdf.given.name}: 最終評価のブックと同じファイルです。別の名前を指定してください。")

    survey, _book, _data = load_survey_file(src)  # a department's workbook is refused there
    evaluation = evaluate(survey)
    done = publish(lambda path: write_final(evaluation, path), out, target_pdf, now=now, echo=echo)
    return FinalResult(path=out.given, evaluation=evaluation, pdf=done.pdf, pdf_error=done.pdf_error)
