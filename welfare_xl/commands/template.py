"""`welfare-xl template build`: the survey template workbook from its plain data file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from welfare_xl.core.model.metadata import SHEET as META_SHEET
from welfare_xl.core.model.metadata import SURVEY, to_grid
from welfare_xl.core.sheets.master import survey_sheet
from welfare_xl.core.sheets.spec import grid_spec
from welfare_xl.files.atomic import backup_existing, check_output
from welfare_xl.files.lock import locked
from welfare_xl.files.source import load_source
from welfare_xl.files.writer import write_specs


def build_template(source: str | Path, out: str | Path, *, now: datetime | None = None,
                   echo: Callable[[str], None] | None = None) -> Path:
    """Write the blank survey form described by `source` (TOML) to `out`.

    A file already at `out` (an earlier template, or a survey someone filled in)
    is first copied to a timestamped backup beside it, and `echo` is told where;
    a department's workbook is never replaced.
    """
    target = check_output(out, suffix=".xlsx", replaceable=(SURVEY,), label="調査票テンプレート")
    src = load_source(source)
    survey = src.survey
    specs = [
        survey_sheet(survey, decimals=src.decimals),
        grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True, widths={0: 26, 1: 40, 2: 30}),
    ]
    with locked(target.path):
        made = backup_existing(target.path, (now or datetime.now()).replace(microsecond=0))
        if made is not None and echo is not None:
            echo(f"既存のファイルをバックアップしました: {made}")
        write_specs(target.path, specs, title=f"{survey.plan.title}（{survey.fiscal_year}）")
    return target.given
