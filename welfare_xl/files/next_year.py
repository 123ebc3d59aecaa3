"""年度更新 as a file: next year's workbook written beside (or instead of) what is there, never over a year's work.

`save_next_year` is what the CLI (`welfare-xl rollover`) and the add-in's
年度更新 button both call once the core has rolled the survey over
(`core.rollover.roll_over`): the output rules of every command
(`atomic.check_output`: never the input, never a department's file, .xlsx),
one more refusal of its own (a workbook whose year was already consolidated:
replacing it would put a year's figures away in a backup), the lock, the
timestamped backup of what it replaces, and the workbook written whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import SURVEY
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.rollover import Rollover, next_year_specs
from welfare_xl.files.atomic import Output, OutputError, backup_existing, check_output
from welfare_xl.files.lock import locked
from welfare_xl.files.writer import write_specs

LABEL = "次年度の調査票"


@dataclass
class Saved:
    path: Path  # as the user named it
    backup: Path | None = None


def check_next_year_output(out: str | Path, source: str | Path | None) -> Output:
    """May next year's workbook be written at `out`? `OutputError` (Japanese) when it may not."""
    return check_output(out, suffix=".xlsx", survey=source, replaceable=(SURVEY,), label=LABEL)


def save_next_year(rolled: Rollover, out: str | Path, *, source: str | Path | None = None,
                   now: datetime | None = None) -> Saved:
    """Write next year's workbook (`core.rollover.next_year_specs`) to `out`; `source` is the master
    it was rolled from (never written). A file already at `out` is backed up first; a survey whose
    own year holds figures (consolidated, or being filled in) is refused rather than replaced."""
    target = check_next_year_output(out, source)
    now = (now or datetime.now()).replace(microsecond=0)
    survey = rolled.survey
    with locked(target.path):
        _refuse_a_year_of_work(target)
        made = backup_existing(target.path, now)
        write_specs(target.path, next_year_specs(survey),
                    title=f"{survey.plan.title}（{fiscal_year_label(survey.fiscal_year)}）")
    return Saved(path=target.given, backup=made)


def _refuse_a_year_of_work(target: Output) -> None:
    """`OutputError` when the survey at `target` already holds figures of its own year."""
    if not target.exists:
        return
    from welfare_xl.errors import UserError
    from welfare_xl.files.survey_file import load_survey_file

    try:
        survey, _, _ = load_survey_file(target.path)
    except UserError:
        return  # not a survey we can read: check_output has let it be replaced (backed up first)
    year = survey.fiscal_year
    if any(survey.values.get(ind.id, {}).get(year) is not None for ind in survey.indicators):
        raise OutputError(f"{target.given}: {fiscal_year_label(year)}の実績値が入った調査票です（集約済みか入力中）。"
                          "上書きすると、その年度の集約結果が失われるおそれがあるため、作成しませんでした。"
                          "別のファイル名を指定するか、そのファイルを移してから実行してください。")


def next_plan_templates(folder: Path, old: Survey) -> list[Path]:
    """The survey workbooks in `folder` of a plan that follows `old`'s (another plan, starting later):
    where the 年度更新 button looks for the following plan's template in the plan's last year. A file
    that is not a readable survey (a department's, a committee version, a broken one) is passed over,
    and so is the first survey a press before made (it carries the old plan's history)."""
    from welfare_xl.errors import UserError
    from welfare_xl.files.survey_file import load_survey_file

    found = []
    for path in sorted(folder.glob("*.xlsx")):
        if path.name.startswith(("~$", ".")) or ".backup-" in path.name or not path.is_file() or path.is_symlink():
            continue
        try:
            survey, _, _ = load_survey_file(path)
        except (UserError, OSError, ValueError):
            continue
        # A template carries no history; the following plan's first survey made from one does.
        if survey.plan.id != old.plan.id and survey.plan.start_year > old.plan.start_year and not survey.history:
            found.append(path)
    return found
