"""`welfare-xl rollover`: next year's survey workbook from the consolidated master (年度更新).

Orchestration only: the master is read (`files.survey_file`, which refuses a
department's workbook, with its 過年度 history), rolled over by the core
(`core.rollover`) and written by `files.next_year` (the output rules, the
backup, the lock), the same three steps as the add-in's 年度更新 button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from welfare_xl.core.carry import CarryError, NextPlan, next_plan_summary, roll_into
from welfare_xl.core.rollover import Rollover, RolloverError, roll_over, summary_lines
from welfare_xl.files.next_year import check_next_year_output, save_next_year
from welfare_xl.files.survey_file import load_survey_file


@dataclass
class RolloverResult:
    rolled: Rollover
    path: Path
    source: Path
    backup: Path | None = None
    next_plan: NextPlan | None = None  # set when the survey went on into the following plan

    @property
    def exit_code(self) -> int:
        """0 when every indicator had its figure for the rolled year (and, into a following plan,
        nothing carried needs a look), 1 otherwise (listed)."""
        if self.next_plan is not None:
            return 1 if self.next_plan.needs_a_look else 0
        return 1 if self.rolled.missing else 0

    def summary_lines(self) -> list[str]:
        backup = str(self.backup) if self.backup else None
        if self.next_plan is not None:
            return next_plan_summary(self.next_plan, str(self.path), source=self.source.name, backup=backup)
        return summary_lines(self.rolled, str(self.path), source=self.source.name, backup=backup)


def rollover(consolidated: str | Path, out: str | Path, *, next_plan: str | Path | None = None,
             now: datetime | None = None) -> RolloverResult:
    """Write next year's workbook rolled over from `consolidated` to `out` — or, with `next_plan` (the
    following plan's blank template), that plan's first survey carrying the history of the indicators
    that keep their ID; raises UserError (exit 2) for a file that cannot be rolled over or an output
    that may not be written (nothing is written)."""
    source = Path(consolidated)
    check_next_year_output(out, source)  # before the read: a wrong -o is said first
    if next_plan is not None:
        check_next_year_output(out, next_plan)  # nor over the following plan's template
    survey, _, _ = load_survey_file(source)
    chained: NextPlan | None = None
    try:
        if next_plan is None:
            rolled = roll_over(survey)
        else:
            template, _, _ = load_survey_file(next_plan)
            chained = roll_into(survey, template)
            rolled = chained.rolled
    except (RolloverError, CarryError) as exc:
        raise type(exc)(f"{source.name}: {exc}") from exc
    saved = save_next_year(rolled, out, source=source, now=now)
    return RolloverResult(rolled=rolled, path=saved.path, source=source, backup=saved.backup, next_plan=chained)
