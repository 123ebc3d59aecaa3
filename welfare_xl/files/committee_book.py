"""The committee version of a survey written as a workbook (the CLI's committee and the add-in's 委員会版作成)."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.sheets.committee import CommitteeGrades, committee_specs
from welfare_xl.core.sheets.spec import FONT
from welfare_xl.files.writer import write_specs


def write_committee(survey: Survey, out_path: str | Path, grades: CommitteeGrades | None = None) -> Path:
    """Write the committee workbook for `survey` (values, texts and grades as given) to `out_path`.

    A failed save raises `welfare_xl.files.atomic.WriteError`, saying why in Japanese.
    """
    title = f"{survey.plan.title}（{fiscal_year_label(survey.fiscal_year)}）{survey.plan.header('committee_title')}"
    return write_specs(Path(out_path), committee_specs(survey, grades), title=title, base_font=FONT)
