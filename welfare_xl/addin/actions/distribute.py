"""部署別シート作成: a sheet per department in the survey, and a workbook per department to send.

Both are built from what the open workbook holds (saved or not): the sheets
through xlwings, the files by the file adapter (openpyxl) in the 配布フォルダ.
A department sheet that already exists in the workbook is left alone, since a
clerk may have typed into it; the files are outgoing copies and are rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.com import quiet
from welfare_xl.addin.excel.grids import find_sheet, status
from welfare_xl.addin.excel.sheet_writer import write_new_sheet
from welfare_xl.addin.excel.workbook import read_survey
from welfare_xl.core.sheets.department import department_sheet, sheet_name
from welfare_xl.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

LABEL = "部署別シート作成"


def split(book: "xw.Book") -> str:
    live = read_survey(book, LABEL)
    survey = live.survey
    folders = settings.load(book, create=True)
    departments = survey.departments

    written: list[Path] = []
    failed: list[str] = []
    files_note = ""
    try:
        out_dir = folders.folder(settings.DISTRIBUTION)
    except settings.FolderUnknown as exc:
        files_note = str(exc)
    else:
        from welfare_xl.files.department_books import write_department_book

        for n, dept in enumerate(departments, 1):
            status(book, f"部署別の調査票を書き出しています（{n}/{len(departments)}）：{dept}")
            try:
                written.append(write_department_book(survey, dept, out_dir))
            except UserError as exc:  # the file writer says where and why in Japanese; the others go on
                failed.append(f"{dept}（{exc}）")

    created: list[str] = []
    kept: list[str] = []
    master = book.sheets[live.sheet]
    after = master
    with quiet(book):
        for n, dept in enumerate(departments, 1):
            name = sheet_name(dept)
            existing = find_sheet(book, name)
            if existing is not None:
                kept.append(name)
                after = existing
                continue
            status(book, f"部署別シートを作成しています（{n}/{len(departments)}）：{dept}")
            after = write_new_sheet(book, department_sheet(survey, dept, name=name), after=after)
            created.append(name)
        master.activate()
    status(book, None)

    lines = []
    if created:
        lines.append(f"部署別シートを {len(created)} 枚作成しました：{'、'.join(created)}")
    if kept:
        lines.append(f"すでにあるシートはそのままにしました：{'、'.join(kept)}"
                     "（作り直すときは、そのシートを削除してからもう一度実行してください）")
    if written:
        lines.append(f"部署に配る調査票を {len(written)} 件、次のフォルダに書き出しました：\n{written[0].parent}")
    if failed:
        lines.append("次の部署の調査票は書き出せませんでした（Excel で開いていないか確認してください）：\n"
                     + "\n".join(f"・{f}" for f in failed))
    if files_note:
        lines.append(f"部署に配る調査票は書き出していません。{files_note}")
    if not folders.present:
        lines.append(f"フォルダの設定のため「{settings.SHEET}」シートを追加しました。")
    return "\n\n".join(lines)
