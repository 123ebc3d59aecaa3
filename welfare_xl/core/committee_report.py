"""What making the committee version produced, told in Japanese (the CLI's committee and 委員会版作成).

`CommitteeResult` holds the written workbook, the grades it shows and the
PDF (or why there is none); `summary_lines` is the report both the CLI and
the add-in show: the tally of grades, the indicators behind, the grades that
could not be made, and where the 進捗評価 column and the values disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.progress import CODES, MARKS, GradeCode, count_grades, grade_note
from welfare_xl.core.sheets.committee import CommitteeGrades


class FilePath(Protocol):
    """What the report needs of a path (a pathlib.Path; the core does not import pathlib): its text and its name."""

    @property
    def name(self) -> str: ...


NOTHING_GRADED = ("どの指標も評価できませんでした（すべて評価不能）。集約前の調査票ではありませんか。"
                  "部署の提出を集約した調査票を指定してください。")


def nothing_graded(grades: CommitteeGrades) -> bool:
    """Every indicator shown 評価不能: the file was most likely never consolidated (the CLI exits 1)."""
    return all(g.code == GradeCode.NA for g in grades.shown.values())


@dataclass
class CommitteeResult:
    path: FilePath
    survey: Survey
    grades: CommitteeGrades
    pdf: FilePath | None = None
    pdf_error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.pdf_error or nothing_graded(self.grades) else 0

    def summary_lines(self) -> list[str]:
        s, g = self.survey, self.grades
        word = s.plan.header("grade_column")
        label = {i.id: i.label for i in s.indicators}
        dept = {i.id: i.department for i in s.indicators}
        counts = count_grades(tuple(g.shown.values()))
        lines = [f"委員会版を作成しました: {self.path}"]
        if nothing_graded(g):
            lines.append(f"注意: {NOTHING_GRADED}")
        tally = "、".join(f"{MARKS[c][0]} {MARKS[c][1]} {counts[c]}" for c in CODES)
        lines.append(f"{fiscal_year_label(s.fiscal_year)}の{word}（{len(g.shown)} 指標）: {tally}")
        behind = [i for i, grade in g.shown.items() if grade.behind]
        if behind:
            lines.append(f"遅れ・悪化の指標（{len(behind)} 件）:")
            lines += [f"  {g.shown[i].label}　{label[i]}（{dept[i]}）" for i in behind]
        for i, grade in g.shown.items():
            if grade.code == GradeCode.NA and i not in g.stored:
                lines.append(f"評価不能: {label[i]}（{dept[i]}）: {grade.reason or '評価に必要な値がありません。'}")
        for i, grade in g.computed.items():
            note = grade_note(grade, s)
            if note and g.shown[i].code == grade.code:
                lines.append(f"注記: {label[i]}（{dept[i]}）: {note}")
        computed = [i for i in g.shown if i not in g.stored]
        if g.stored and computed:
            lines.append(f"{word}が空欄だった {len(computed)} 指標は、値から評価しました。")
        elif not g.stored:
            lines.append(f"集約ファイルに{word}がないため、すべての指標を値から評価しました。")
        for i in g.differing:
            lines.append(f"注意: {label[i]} の{word}は集約ファイルでは「{g.shown[i].label}」ですが、"
                         f"値から計算すると「{g.computed[i].label}」です（委員会版は集約ファイルの評価のままです）。")
        for i, raw in g.unreadable.items():
            lines.append(f"注意: {label[i]} の{word}「{raw}」は評価として読めないため、"
                         f"値から評価しました（{g.shown[i].label}）。")
        return lines + pdf_lines(self.pdf, self.pdf_error, "委員会版", self.path)


def pdf_lines(pdf: FilePath | None, error: str | None, book: str, path: FilePath) -> list[str]:
    """What became of a printed output's PDF: where it is, or why there is none (the workbook `book`
    at `path` being written all the same)."""
    if pdf:
        return [f"PDF を作成しました: {pdf}"]
    if error:
        return [f"PDF は作成できませんでした: {error}", f"（{book}の Excel ファイル {path.name} は作成済みです。）"]
    return []
