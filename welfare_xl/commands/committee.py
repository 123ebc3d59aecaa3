"""`welfare-xl committee`: the committee version of a consolidated survey, as .xlsx (and PDF).

Decision on --pdf without LibreOffice (or when LibreOffice fails): the workbook
is still written, because it is complete and useful on its own (Excel can
print it to PDF), and the command ends with exit code 1 and a Japanese message
saying the PDF is missing and how to make it. Exit code 2 is kept for input
that cannot be used at all, as in the other commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from welfare_xl.core.sheets.committee import CommitteeGrades, committee_specs, resolve_grades
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.errors import UserError
from welfare_xl.core.progress import CODES, MARKS, NA
from welfare_xl.files.pdf import RenderError, to_pdf
from welfare_xl.core.sheets.spec import FONT
from welfare_xl.core.model.survey import Survey
from welfare_xl.files.writer import write_specs
from welfare_xl.files.survey_file import load_survey_file


class CommitteeError(UserError):
    """The committee version cannot be made as asked; the message is Japanese."""


def write_committee(survey: Survey, out_path: str | Path, grades: CommitteeGrades | None = None) -> Path:
    """Write the committee workbook for `survey` (values, texts and grades as given) to `out_path`."""
    out = Path(out_path)
    title = f"{survey.plan.title}（{fiscal_year_label(survey.fiscal_year)}）推進委員会資料"
    try:
        return write_specs(out, committee_specs(survey, grades), title=title, base_font=FONT)
    except OSError as exc:
        raise CommitteeError(f"{out}: 書き込めません（{exc.strerror or exc}）。"
                             "Excel で開いている場合は閉じてからやり直してください。") from exc


@dataclass
class CommitteeResult:
    path: Path
    survey: Survey
    grades: CommitteeGrades
    pdf: Path | None = None
    pdf_error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.pdf_error else 0

    def summary_lines(self) -> list[str]:
        s, g = self.survey, self.grades
        label = {i.id: i.label for i in s.indicators}
        dept = {i.id: i.department for i in s.indicators}
        counts = {code: 0 for code in CODES}
        for grade in g.shown.values():
            counts[grade.code] += 1
        lines = [f"委員会版を作成しました: {self.path}"]
        tally = "、".join(f"{MARKS[c][0]} {MARKS[c][1]} {counts[c]}" for c in CODES)
        lines.append(f"{fiscal_year_label(s.fiscal_year)}の進捗評価（{len(g.shown)} 指標）: {tally}")
        behind = [i for i, grade in g.shown.items() if grade.behind]
        if behind:
            lines.append(f"遅れ・悪化の指標（{len(behind)} 件）:")
            lines += [f"  {g.shown[i].label}　{label[i]}（{dept[i]}）" for i in behind]
        for i, grade in g.shown.items():
            if grade.code == NA and i not in g.stored:
                lines.append(f"評価不能: {label[i]}（{dept[i]}）: {grade.reason or '評価に必要な値がありません。'}")
        computed = [i for i in g.shown if i not in g.stored]
        if g.stored and computed:
            lines.append(f"進捗評価が空欄だった {len(computed)} 指標は、値から評価しました。")
        elif not g.stored:
            lines.append("集約ファイルに進捗評価がないため、すべての指標を値から評価しました。")
        for i in g.differing:
            lines.append(f"注意: {label[i]} の進捗評価は集約ファイルでは「{g.shown[i].label}」ですが、"
                         f"値から計算すると「{g.computed[i].label}」です（委員会版は集約ファイルの評価のままです）。")
        for i, raw in g.unreadable.items():
            lines.append(f"注意: {label[i]} の進捗評価「{raw}」は評価として読めないため、"
                         f"値から評価しました（{g.shown[i].label}）。")
        if self.pdf:
            lines.append(f"PDF を作成しました: {self.pdf}")
        if self.pdf_error:
            lines.append(f"PDF は作成できませんでした: {self.pdf_error}")
            lines.append(f"（委員会版の Excel ファイル {self.path.name} は作成済みです。）")
        return lines


def committee(consolidated_path: str | Path, out_path: str | Path, pdf: str | Path | None = None) -> CommitteeResult:
    """Make the committee version of a consolidated survey workbook (and its PDF when asked)."""
    src, out = Path(consolidated_path), Path(out_path)
    pdf_path = Path(pdf) if pdf else None
    if out.suffix.lower() != ".xlsx":
        raise CommitteeError(f"{out.name}: 委員会版の出力先は .xlsx のファイル名にしてください。")
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        raise CommitteeError(f"{pdf_path.name}: PDF の出力先は .pdf のファイル名にしてください。")
    if src.exists() and out.exists() and out.resolve() == src.resolve():
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
