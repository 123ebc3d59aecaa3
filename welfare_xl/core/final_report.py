"""What making the final evaluation produced, told in Japanese (the CLI's `final`).

`FinalResult` holds the written workbook, the evaluation and the PDF (or why there is none);
`summary_lines` is the report: the categories per basic goal and in all, the indicators whose
target-year 進捗評価 reads 「△ 遅れ」 although they improved, and those that could not be evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from welfare_xl.core.committee_report import FilePath, pdf_lines
from welfare_xl.core.final import FINAL_CODES, FINAL_MARKS, FinalCode, FinalEvaluation
from welfare_xl.core.model.eras import fiscal_year_label

NOTHING_EVALUATED = ("どの指標も最終評価ができませんでした（すべて評価困難）。集約前の調査票ではありませんか。"
                     "部署の提出を集約した調査票を指定してください。")


@dataclass
class FinalResult:
    path: FilePath
    evaluation: FinalEvaluation
    pdf: FilePath | None = None
    pdf_error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.pdf_error or self.evaluation.nothing_evaluated else 0

    def summary_lines(self) -> list[str]:
        ev = self.evaluation
        survey = ev.survey
        plan = survey.plan
        lines = [f"{plan.header('final_category')}を作成しました: {self.path}"]
        if ev.provisional:
            lines.append(f"注意: 目標年度（{fiscal_year_label(plan.target_year)}）の前のため、"
                         f"{fiscal_year_label(survey.fiscal_year)}時点の見込みとして作成しました（表題に「見込み」とあります）。")
        if ev.nothing_evaluated:
            lines.append(f"注意: {NOTHING_EVALUATED}")
        lines.append(f"{plan.header('final_category')}（{len(ev.rows)} 指標）: {_tally(ev.counts())}")
        for goal in survey.goals:
            lines.append(f"  {goal.label}: {_tally(ev.counts(goal.no))}")
        improved = ev.improved_but_behind()
        if improved and not ev.provisional:
            lines.append(f"{fiscal_year_label(survey.fiscal_year)}の進捗評価は「△ 遅れ」でも、"
                         f"{plan.header('baseline_value')}から改善している指標が {len(improved)} 件あります"
                         f"（目標年度は進捗の目安が100%のため。{plan.header('final_category')}は「B 改善」）:")
            lines += [f"  {r.indicator.label}（{r.indicator.department}）" for r in improved]
        for r in ev.rows:
            if r.code is FinalCode.NA:
                lines.append(f"評価困難: {r.indicator.label}（{r.indicator.department}）: "
                             f"{r.category.reason or '評価に必要な値がありません。'}")
        return lines + pdf_lines(self.pdf, self.pdf_error, plan.header("final_category"), self.path)


def _tally(counts: dict[FinalCode, int]) -> str:
    return "、".join(f"{FINAL_MARKS[c][0]} {FINAL_MARKS[c][1]} {counts[c]}" for c in FINAL_CODES)
