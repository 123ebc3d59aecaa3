"""環境チェック: what the add-in runs with, and what is wrong, in plain Japanese.

Users of xlwings add-ins ask for a "test the Python installation" button: when a
button fails on a clerk's PC, the first questions are which Python, which
xlwings, which version of the package and of the survey form, which
configuration and which folders. This answers them in one message box and puts
the problems first, each with what to do. It reads, and never writes.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import platform
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from welfare_xl.addin.excel import settings
from welfare_xl.addin.excel.grids import NotApplicable, book_folder, find_sheet, is_desktop
from welfare_xl.addin.excel.logfile import log_paths
from welfare_xl.addin.excel.workbook import read_book_meta
from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.core.model.metadata import DEPARTMENT, Meta
from welfare_xl.files.user_config import (
    ADD_WORKBOOK_KEY,
    ADD_WORKBOOK_VALUE,
    CONF_NAME,
    INTERPRETER_KEY,
    adds_workbook_folder,
    read_settings,
    user_config_path,
)

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

DEPENDENCIES = ("openpyxl", "python-calamine", "defusedxml", "pandas")
_MODULE = {"python-calamine": "python_calamine"}


def _required_xlwings() -> str | None:
    """The xlwings version welfare-xl's metadata pins (xlwings==X), if any."""
    try:
        for req in md.requires("welfare-xl") or []:
            m = re.fullmatch(r"\s*xlwings\s*==\s*([\w.]+)\s*", req.split(";")[0])
            if m:
                return m[1]
    except md.PackageNotFoundError:
        return None
    return None


def _interpreter(path: Path) -> str | None:
    return (read_settings(path) or {}).get(INTERPRETER_KEY.lower()) or None


def diagnose(book: "xw.Book") -> str:
    """The report: the problems first (each with what to do), then environment, workbook and settings."""
    problems: list[str] = []
    env = _versions(book, problems)
    folder = book_folder(book)
    wb, meta = _workbook(book, folder, problems)
    folders = _configuration(book, folder, problems)
    folders += _folders(book, meta, problems)
    folders.append(f"ログ：{log_paths(book)[0]}")

    head = ("問題は見つかりませんでした。" if not problems
            else f"確認が必要な点が {len(problems)} 件あります。")
    out = [head]
    out += [f"・{p}" for p in problems]
    out += ["", "【環境】"] + env + ["", "【このブック】"] + wb + ["", "【設定】"] + folders
    return "\n".join(out)


def _versions(book: "xw.Book", problems: list[str]) -> list[str]:
    """Python, xlwings (and which engine), welfare-xl and the libraries it reads and writes with."""
    import xlwings

    env = [f"Python {platform.python_version()}（{sys.executable}）"]
    engine = "デスクトップ版 Excel" if is_desktop(book) else "リモート（xlwings Server／ブラウザー版など）"
    env.append(f"xlwings {xlwings.__version__}（{engine}）")
    required = _required_xlwings()
    if required and required != xlwings.__version__:
        problems.append(f"xlwings の版が {xlwings.__version__} ですが、welfare-xl は {required} を必要とします。"
                        f"「pip install xlwings=={required}」で入れ直してください。")
    from welfare_xl import __version__

    env.append(f"welfare-xl {__version__}（{Path(__file__).resolve().parents[1]}）")
    found = []
    for dist in DEPENDENCIES:
        try:
            version = md.version(dist)
            importlib.import_module(_MODULE.get(dist, dist))
            found.append(f"{dist} {version}")
        except Exception as exc:  # noqa: BLE001 - missing or broken install
            problems.append(f"{dist} を読み込めません（{type(exc).__name__}）。"
                            "「pip install --force-reinstall welfare-xl」でパッケージを入れ直してください。")
    env.append("、".join(found))
    return env


def _workbook(book: "xw.Book", folder: Path | None, problems: list[str]) -> tuple[list[str], Meta | None]:
    """The workbook: where it is saved, and which survey, year, form version and kind its 管理情報 says."""
    wb = [f"{book.name}（" + (str(folder) if folder else "保存場所は不明") + "）"]
    try:
        meta, _ = read_book_meta(book)
    except NotApplicable as exc:
        problems.append(f"{exc}")
        return wb, None
    s = meta.survey
    kind = f"部署別（{meta.department}）" if meta.kind == DEPARTMENT else "事務局の調査票"
    wb.append(f"{s.plan.name}　{fiscal_year_label(s.fiscal_year)}　様式の版 {s.template_version}　種類：{kind}")
    return wb, meta


def _configuration(book: "xw.Book", folder: Path | None, problems: list[str]) -> list[str]:
    """The xlwings configuration in force, in the add-in's own lookup order, and any other found.

    A conf sheet in the workbook or a conf file in its folder would be read before the
    user's own file: the add-in's buttons refuse to run on such a workbook, so both are
    problems here (seen when 環境チェック runs without the add-in's VBA, e.g. remotely).
    """
    conf = []
    if find_sheet(book, CONF_NAME) is not None:
        conf.append(f"このブックの「{CONF_NAME}」シート")
        problems.append(f"このブックに「{CONF_NAME}」シートがあります。実行する Python を変えられるため、"
                        "アドインのボタンはこのブックでは実行しません。シートを削除して保存してください。")
    beside = folder / CONF_NAME if folder else None
    if beside is not None and beside.exists():
        conf.append(f"{beside}（Python：{_interpreter(beside) or '既定'}）")
        problems.append(f"ブックのフォルダーに設定ファイル {beside} があります。実行する Python を変えられるため、"
                        "アドインのボタンはこのフォルダーのブックでは実行しません。ファイルを削除してください。")
    user = user_config_path()
    values = (read_settings(user) or {}) if user.exists() else None  # unreadable: as if empty
    if values is not None:
        conf.append(f"{user}（Python：{_interpreter(user) or '既定'}）")
        if adds_workbook_folder(values):
            problems.append(f"設定ファイル {user} の {ADD_WORKBOOK_KEY} が {ADD_WORKBOOK_VALUE} ではありません"
                            "（ブックのフォルダーが Python の検索先に入り、OneDrive や SharePoint のブックでは"
                            "ボタンが動きません）。「welfare-xl addin install」をもう一度実行してください。")
    elif is_desktop(book):
        problems.append(f"設定ファイル {user} がありません。「welfare-xl addin install」を実行すると作られます"
                        "（ないときは PATH 上の python が使われます）。")
    line = f"xlwings の設定：{conf[0] + '（優先）' if conf else 'なし（既定の python）'}"
    if len(conf) > 1:
        line += "／ほかに " + "、".join(conf[1:])
    out = [line]
    if values is not None:
        joins = "入れる" if adds_workbook_folder(values) else "入れない"
        out.append(f"ブックのフォルダーを Python の検索先に：{joins}（{ADD_WORKBOOK_KEY}）")
    return out


def _folders(book: "xw.Book", meta: Meta | None, problems: list[str]) -> list[str]:
    """The 設定 sheet, and on the survey workbook the 提出フォルダ and 配布フォルダ it names."""
    out = []
    values = settings.load(book, create=False)
    if not values.present:
        out.append(f"「{settings.SHEET}」シート：なし（既定値を使います。集約などのボタンを押すと作られます）")
    if meta is None or meta.kind == DEPARTMENT:
        return out
    for key in (settings.SUBMISSIONS, settings.DISTRIBUTION):
        try:
            path = values.folder(key)
        except settings.FolderUnknown as exc:
            problems.append(str(exc))
            continue
        if key == settings.DISTRIBUTION:
            out.append(f"{key}：{path}" + ("" if path.is_dir() else "（部署別シート作成のときに作ります）"))
        elif path.is_dir():
            n = sum(1 for p in path.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$"))
            out.append(f"{key}：{path}（Excel ファイル {n} 件）")
        else:
            out.append(f"{key}：{path}（ありません）")
            problems.append(f"{key}「{path}」がありません。部署から返ってきたファイルを置くフォルダを作るか、"
                            f"「{settings.SHEET}」シートの「{key}」を直してください。")
    return out
