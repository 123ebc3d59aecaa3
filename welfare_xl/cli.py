"""Command line: `welfare-xl <command>`; `python -m welfare_xl` runs the same.

Every command is a thin shell over a function in `welfare_xl.commands`. Users
see Japanese messages and exit codes, never a traceback: unexpected errors are
written with their traceback to a log file whose path the message names.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from pathlib import Path

log = logging.getLogger("welfare_xl")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def log_path() -> Path:
    return Path.home() / ".welfare_xl" / "welfare_xl.log"


def _log_exception(exc: BaseException) -> Path:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return path


# --- commands -------------------------------------------------------------------


def cmd_template_build(args: argparse.Namespace) -> int:
    from .commands.template import build_template

    path = build_template(args.source, args.output)
    _out(f"調査票テンプレートを作成しました: {path}")
    return EXIT_OK


def cmd_split(args: argparse.Namespace) -> int:
    from .commands.split import add_department_sheets, split

    if args.in_workbook:
        path = add_department_sheets(args.survey, args.output)
        _out(f"部署別シートを追加しました: {path}")
        return EXIT_OK
    paths = split(args.survey, args.output)
    _out(f"部署別の調査票を {len(paths)} 件作成しました（{args.output}）:")
    for p in paths:
        _out(f"  {p}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .commands.check import check

    sub = check(args.file, args.survey)
    if args.json:
        _out(json.dumps([f.to_dict() for f in sub.findings], ensure_ascii=False, indent=2))
    else:
        for f in sub.findings:
            _out(f.line())
        n_err, n_warn = len(sub.errors), len(sub.warnings)
        dept = f"（{sub.department}）" if sub.department else ""
        if n_err:
            _out(f"{Path(args.file).name}{dept}: エラー {n_err} 件、注意 {n_warn} 件。エラーを直してから提出してください。")
        elif n_warn:
            _out(f"{Path(args.file).name}{dept}: エラーはありません（注意 {n_warn} 件：内容を確認してください）。")
        else:
            _out(f"{Path(args.file).name}{dept}: 問題はありません。")
    return EXIT_PROBLEMS if sub.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="welfare-xl",
        description="計画進捗状況調査票の配布・点検・集約・委員会資料作成を行います。",
    )
    parser.add_argument("--version", action="version", version=f"welfare-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("template", help="調査票テンプレートの生成")
    tsub = p.add_subparsers(dest="template_command", metavar="SUBCOMMAND")
    pb = tsub.add_parser("build", help="定義ファイル（TOML）から調査票テンプレートを生成します")
    pb.add_argument("source", help="テンプレート定義（.toml）")
    pb.add_argument("-o", "--output", required=True, help="出力する調査票（.xlsx）")
    pb.set_defaults(func=cmd_template_build)

    p = sub.add_parser("split", help="部署別の調査票を作成します")
    p.add_argument("survey", help="調査票（資料２のあるブック）")
    p.add_argument("-o", "--output", required=True, help="出力フォルダ（--in-workbook のときは出力ブック）")
    p.add_argument("--in-workbook", action="store_true", help="部署別シートを調査票ブックの中に追加します")
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("check", help="部署から返ってきた調査票を点検します")
    p.add_argument("file", help="部署の調査票（.xlsx）")
    p.add_argument("--survey", help="集約先の調査票（年度・様式の一致も確認します）")
    p.add_argument("--json", action="store_true", help="結果を JSON で出力します")
    p.set_defaults(func=cmd_check)

    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    from .commands.check import UnreadableFile
    from .commands.common import SurveyFileError
    from .source import SourceError
    from .xlsx import WorkbookReadError

    return (UnreadableFile, SurveyFileError, SourceError, WorkbookReadError)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_UNREADABLE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err("中断しました。")
        return EXIT_UNREADABLE
    except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
        if isinstance(exc, _known_errors()):
            _err(f"エラー: {exc}")
            return EXIT_UNREADABLE
        path = _log_exception(exc)
        _err(f"予期しないエラーが発生しました（{type(exc).__name__}）。詳細はログ {path} に記録しました。"
             "事務局の担当者に連絡してください。")
        return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
