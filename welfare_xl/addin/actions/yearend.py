"""年度更新: next year's survey workbook written beside the open consolidated master.

The survey is read as the open workbook holds it (saved or not), with its
過年度 history, rolled over by the core (`core.rollover`) and written by the
file adapter (`files.next_year`, the same function `welfare-xl rollover`
calls): 調査票_<next year>.xlsx (the plan's wording) in the 作業フォルダ, a file
already there backed up first, one whose year already holds figures refused.
The open workbook itself is not changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.grids import book_folder, status
from welfare_xl.addin.excel.workbook import read_survey

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

LABEL = "年度更新"


def rollover(book: "xw.Book") -> str:
    from welfare_xl.core.rollover import RolloverError, next_book_name, roll_over, summary_lines
    from welfare_xl.files.next_year import save_next_year

    live = read_survey(book, LABEL)
    if live.survey.fiscal_year >= live.survey.plan.target_year:
        return _into_next_plan(book, live.survey)
    try:
        rolled = roll_over(live.survey)
    except RolloverError as exc:
        raise RolloverError(f"「{book.name}」は{exc}") from exc
    folders = settings.load(book, create=True)
    out = folders.folder_of_base() / f"{next_book_name(live.survey)}.xlsx"
    status(book, f"次の年度の調査票を作成しています：{out.name}")
    own = book_folder(book)
    saved = save_next_year(rolled, out, source=own / book.name if own is not None else None)
    status(book, None)
    lines = summary_lines(rolled, str(saved.path), source=book.name,
                          backup=str(saved.backup) if saved.backup else None, bullet="・", limit=10)
    lines.append("")
    lines.append("新しい年度は、作成したブックを開いて「部署別シート作成」から始めてください"
                 "（提出フォルダに前の年度の提出ファイルが残っていると、集約でほかの年度として不採用と表示されます）。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)


def _into_next_plan(book: "xw.Book", old) -> str:
    """In the plan's last year: the following plan's first survey, from the one template of a later
    plan found in the 作業フォルダ, carrying the history of the indicators that keep their ID."""
    from welfare_xl.core.carry import next_plan_summary, roll_into
    from welfare_xl.core.model.eras import fiscal_year_label
    from welfare_xl.core.rollover import RolloverError
    from welfare_xl.files.next_year import next_plan_templates, save_next_year
    from welfare_xl.files.survey_file import load_survey_file

    folders = settings.load(book, create=True)
    base = folders.folder_of_base()
    found = next_plan_templates(base, old)
    last = fiscal_year_label(old.plan.target_year)
    if not found:
        raise RolloverError(f"「{book.name}」は計画の最終年度（{last}）の調査票です。次の計画へ引き継ぐには、次の計画の"
                            f"調査票（テンプレート）を作業フォルダ（{base}）に置いてから、もう一度「{LABEL}」を押してください。")
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise RolloverError(f"作業フォルダ（{base}）に次の計画の調査票が複数あります（{names}）。"
                            f"使うもの1つだけを残して、もう一度「{LABEL}」を押してください。")
    template, _, _ = load_survey_file(found[0])
    chained = roll_into(old, template)
    new = chained.rolled.survey
    out = base / f"{new.plan.header('rollover_book', next_year=fiscal_year_label(new.fiscal_year))}.xlsx"
    if out.resolve() == found[0].resolve():
        raise RolloverError(f"次の計画の調査票（テンプレート）の名前が、作成するブックの名前（{out.name}）と同じです。"
                            f"テンプレートの名前を変えてから、もう一度「{LABEL}」を押してください。")
    status(book, f"次の計画の調査票を作成しています：{out.name}")
    own = book_folder(book)
    saved = save_next_year(chained.rolled, out, source=own / book.name if own is not None else None)
    status(book, None)
    return "\n".join(next_plan_summary(chained, str(saved.path), source=book.name,
                                       backup=str(saved.backup) if saved.backup else None, bullet="・"))
