"""The final evaluation (最終評価) written as a workbook (the CLI's `final`)."""

from __future__ import annotations

from pathlib import Path

from welfare_xl.core.final import FinalEvaluation
from welfare_xl.core.sheets.final import final_specs
from welfare_xl.core.sheets.spec import FONT
from welfare_xl.files.writer import write_specs


def write_final(evaluation: FinalEvaluation, out_path: str | Path) -> Path:
    """Write the final evaluation workbook to `out_path` (atomically, BIZ UDゴシック as its standard font).

    A failed save raises `welfare_xl.files.atomic.WriteError`, saying why in Japanese.
    """
    return write_specs(Path(out_path), final_specs(evaluation), title=evaluation.title, base_font=FONT)
