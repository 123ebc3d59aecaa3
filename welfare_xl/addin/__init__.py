"""Entry points of the Excel add-in's ribbon buttons.

Every button of the ribbon runs, through xlwings' RunPython,

    import welfare_xl.addin; welfare_xl.addin.run("<tag>")

with its ASCII tag. `run` looks the tag up in `ACTIONS`, calls the action with
the calling workbook (`xw.Book.caller()`, the workbook active when the button
was pressed) and shows the action's summary in a message box. Whatever goes
wrong, the clerk sees a Japanese message saying what happened and what to do,
never a Python traceback; details go to `welfare_xl.log` next to the workbook
(or `~/.welfare_xl/welfare_xl.log`; see `excel.logfile`).

A click starts a new Python process, so this module imports nothing heavy:
`ACTIONS` names each button's module under `actions/` (`distribute`, `marks`,
`collect`, `publish`, `yearend`, `environment`), which is imported, with what it needs
(openpyxl, python-calamine), only when its button is pressed.

The same code runs on desktop Excel (COM) and on xlwings' remote engine
(xlwings Server / Lite), which the test suite drives with real workbooks.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from welfare_xl.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    import xlwings as xw

__all__ = ["ACTIONS", "LABELS", "run"]

TITLE = "進捗調査"  # message boxes' title: nothing of one plan (the ribbon tab's label)

class UnknownAction(UserError):
    """A button passed a tag this version of the package does not know."""


class Button(NamedTuple):
    """A ribbon button: its label, and the action function it runs.

    The action's module (under `welfare_xl.addin.actions`) is imported only when
    the button is pressed, so a click loads just what that button needs.
    `tests/test_architecture.py` reads this table to check each action against
    the import rules like any other import.
    """

    label: str
    module: str
    function: str

    def __call__(self, book: "xw.Book") -> str:
        module = importlib.import_module(f"{__name__}.actions.{self.module}")
        return getattr(module, self.function)(book)


Action = Callable[["xw.Book"], str]
ACTIONS: dict[str, Action] = {
    # department sheets in the survey, and department workbooks to send
    "split": Button("部署別シート作成", "distribute", "split"),
    # mark the active department sheet's problems with a fill and a note
    "check": Button("入力チェック", "marks", "check"),
    # remove exactly the marks 入力チェック added
    "clear": Button("チェック表示クリア", "marks", "clear"),
    # merge the returned department workbooks into the master sheet
    "consolidate": Button("集約", "collect", "consolidate"),
    # restore every cell the last consolidation changed
    "undo": Button("元に戻す", "collect", "undo"),
    # which departments have returned their workbook
    "status": Button("提出状況", "collect", "status_report"),
    # the committee workbook next to the survey (and its PDF on desktop Excel)
    "committee": Button("委員会版作成", "publish", "committee"),
    # the final evaluation next to the survey (and its PDF on desktop Excel)
    "final": Button("最終評価", "publish", "final"),
    # next year's survey workbook beside the consolidated master (年度更新)
    "rollover": Button("年度更新", "yearend", "rollover"),
    # versions, configuration and folders, with what is wrong in plain Japanese
    "diagnose": Button("環境チェック", "environment", "diagnose"),
}
# Button labels as the ribbon shows them, for titles and messages.
LABELS: dict[str, str] = {tag: button.label for tag, button in ACTIONS.items()}


# --- running a button -------------------------------------------------------------------


def run(tag: str) -> None:
    """Run the action of a ribbon button on the calling workbook and report the outcome.

    Every outcome is a Japanese message box: the action's summary, or what went
    wrong and what to do (a traceback would tell a clerk nothing; it goes to the
    log). Only when no workbook can be reached at all does the message go to
    stderr, with exit status 1, which RunPython shows in a message box.
    """
    label = LABELS.get(tag, tag)
    title = f"{TITLE}：{label}"
    book = None
    try:
        import xlwings as xw

        book = xw.Book.caller()
        action = ACTIONS.get(tag)
        if action is None:
            raise UnknownAction(
                f"ボタンに対応する処理「{tag}」がありません。アドインと Python のパッケージ（welfare-xl）の"
                "版が合っていない可能性があります。「環境チェック」で版を確認し、事務局の担当者に連絡してください。")
        message = action(book)
        _alert(book, message or "完了しました。", title, "info")
    except UserError as exc:
        path = _log(book, tag, f"{type(exc).__name__}: {exc}")
        _alert(book, str(exc), title, "critical", log=path)
    except Exception as exc:  # noqa: BLE001 - the clerk must never see a traceback
        path = _log(book, tag, "".join(traceback.format_exception(exc)))
        changed = _discard_queued(book)
        where = ("ブックは変更していません。" if not changed
                 else "ブックの一部が変更されている可能性があります。内容を確認してください。")
        _alert(book, f"「{label}」の途中で予期しないエラーが起きたため、処理を中止しました"
                     f"（{type(exc).__name__}）。{where}\n"
                     "このメッセージと、詳しい内容を記録したログファイルを事務局の担当者に伝えてください。",
               title, "critical", log=path)


def _discard_queued(book: "xw.Book | None") -> bool:
    """After an unexpected error, drop the writes the remote engine queued, so the
    workbook is left as it was. Returns True when the workbook may have changed
    (desktop Excel applies each write at once and cannot take it back)."""
    if book is None:
        return False
    try:
        from welfare_xl.addin.excel.grids import is_desktop

        if is_desktop(book):
            return True
        actions = book.json().get("actions")
        if isinstance(actions, list):
            actions.clear()
        return False
    except Exception:  # noqa: BLE001
        return True


MAX_LINES = 30  # a message box taller than the screen hides its OK button


def clip(text: str, limit: int = MAX_LINES) -> str:
    """At most `limit` lines; the rest is counted, not shown."""
    lines = text.split("\n")
    if len(lines) <= limit:
        return text
    return "\n".join(lines[:limit - 1] + [f"…（ほか {len(lines) - limit + 1} 行は省略しました）"])


def _alert(book: "xw.Book | None", text: str, title: str, mode: str, log: Path | None = None) -> None:
    text = clip(text)
    if log is not None:
        text += f"\n\nログ：{log}"
    if book is not None:
        try:
            from welfare_xl.addin.excel.grids import status

            status(book, None)
            book.app.alert(text, title=title, mode=mode)
            return
        except Exception as exc:  # noqa: BLE001 - fall through to stderr
            _log(book, "alert", "".join(traceback.format_exception(exc)))
    # No workbook to talk to: RunPython shows stderr when the process fails.
    print(f"{title}\n{text}", file=sys.stderr)
    raise SystemExit(1)


def _log(book: "xw.Book | None", tag: str, details: str) -> Path | None:
    """The details in the log file (imported only when something went wrong)."""
    from welfare_xl.addin.excel.logfile import write_log

    return write_log(book, tag, details)
