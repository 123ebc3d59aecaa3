"""The status bar while 集約 and 提出状況 read the 提出フォルダ: one line per file, desktop only.

Desktop Excel's status bar (`Application.StatusBar`) is recorded by the COM fake; the
folder, the survey and the reading and checking of every file are real. The remote
engine has no status bar (xlwings raises NotImplementedError for `app.status_bar`),
so there the add-in writes none.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from support.com_fake import StatusBarApp

from welfare_xl.addin.actions.collect import _submissions
from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.grids import STATUS_UPDATES, status, status_progress
from welfare_xl.addin.excel.workbook import LiveSurvey
from welfare_xl.files.survey_file import load_survey_file


def desktop_book() -> SimpleNamespace:
    return SimpleNamespace(app=StatusBarApp(), name="調査票.xlsx")


def live_survey(path: Path) -> LiveSurvey:
    survey, book, data = load_survey_file(path)
    return LiveSurvey(survey=survey, meta=book.meta, sheet=book.sheet, table=book.table,
                      grid=data.sheets[book.sheet])


@pytest.mark.parametrize("label", ["集約", "提出状況"])
def test_each_file_of_the_folder_is_shown_in_the_status_bar(office: Path, label: str):
    book = desktop_book()
    folders = settings.Settings(values={**settings.DEFAULTS, settings.SUBMISSIONS: str(office.parent / "提出")})
    result, _ = _submissions(book, live_survey(office), folders, label)
    names = sorted(p.name for p in (office.parent / "提出").iterdir())
    shown = book.app.shown
    assert shown[0].startswith(f"提出フォルダのファイル {len(names)} 件を読み込んでいます")
    assert shown[1:] == [f"{label}：提出ファイルを点検しています（{n}/{len(names)}）：{name}"
                         for n, name in enumerate(names, 1)]
    assert {f.file for f in result.files} <= set(names)


def test_a_large_folder_updates_the_status_bar_about_a_hundred_times():
    book = desktop_book()
    tell = status_progress(book, "集約：提出ファイルを点検しています")
    for done in range(1, 2501):
        tell(done, 2500, f"{done}.xlsx")
    shown = book.app.shown
    assert STATUS_UPDATES <= len(shown) <= STATUS_UPDATES + 2
    assert shown[0].endswith("（1/2500）：1.xlsx") and shown[-1].endswith("（2500/2500）：2500.xlsx")
    status(book, None)
    assert book.app.shown[-1] is False  # handed back to Excel


def test_the_remote_engine_gets_no_status_bar():
    remote = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="remote")))
    status_progress(remote, "集約")(1, 1, "a.xlsx")  # would raise on xlwings' remote App
    assert not hasattr(remote.app, "status_bar")
