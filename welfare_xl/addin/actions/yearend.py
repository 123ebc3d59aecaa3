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
    lines.append(f"新しい年度は、作成したブックを開いて「部署別シート作成」から始めてください"
                 f"（提出フォルダに前の年度の提出ファイルが残っていると、集約でほかの年度として不採用と表示されます）。")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n".join(lines)
