"""Command line: `welfare-xl <command>`; `python -m welfare_xl` runs the same.

Every command is a thin shell over a function in `welfare_xl.commands` (one
module per command); `addin build` and `addin install` call the builder
(`welfare_xl.xlam`). Users see Japanese messages and exit codes, never a
traceback: unexpected errors are written with their traceback to a log file
whose path the message names.
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


class _LogFile(logging.Handler):
    """The package's warnings and errors (a return that could not be read, with its traceback) to the log file."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            path = log_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8", errors="replace") as fh:
                fh.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - the log must never fail the command
            pass


# --- commands -------------------------------------------------------------------


def cmd_template_build(args: argparse.Namespace) -> int:
    from welfare_xl.commands.template import build_template

    path = build_template(args.source, args.output, echo=_out)
    _out(f"調査票テンプレートを作成しました: {path}")
    return EXIT_OK


def cmd_split(args: argparse.Namespace) -> int:
    from welfare_xl.commands.split import add_department_sheets, split

    if args.in_workbook:
        res = add_department_sheets(args.survey, args.output, echo=_err)
        if res.backup:
            _out(f"元の調査票をバックアップしました: {res.backup}")
        if res.added:
            _out(f"部署別シートを追加しました（{'、'.join(res.added)}）: {res.path}")
        if res.kept:
            _out(f"すでにあるシートはそのままにしました（{'、'.join(res.kept)}）。作り直す場合は、そのシートを削除してから実行してください。")
        return EXIT_OK
    paths = split(args.survey, args.output, echo=_out)
    _out(f"部署別の調査票を {len(paths)} 件作成しました（{args.output}）:")
    for p in paths:
        _out(f"  {p}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from welfare_xl.commands.check import check

    sub = check(args.file, args.survey, args.sheet)
    if args.json:
        _out(json.dumps([f.to_dict() for f in sub.findings], ensure_ascii=False, indent=2))
    else:
        for f in sub.findings:
            _out(f.line())
        n_err, n_warn = len(sub.errors), len(sub.warnings)
        dept = f"（{sub.department}）" if sub.department else ""
        if n_err:
            _out(f"{sub.file}{dept}: エラー {n_err} 件、注意 {n_warn} 件。エラーを直してから提出してください。")
        elif n_warn:
            _out(f"{sub.file}{dept}: エラーはありません（注意 {n_warn} 件：内容を確認してください）。")
        else:
            _out(f"{sub.file}{dept}: 問題はありません。")
    return EXIT_PROBLEMS if sub.errors else EXIT_OK


def cmd_consolidate(args: argparse.Namespace) -> int:
    from welfare_xl.commands.consolidate import consolidate
    from welfare_xl.core.consolidation.log import LOG_SHEET
    from welfare_xl.core.consolidation.messages import run_summary

    result = consolidate(args.survey, args.submissions, args.output, echo=_err)  # stdout may be JSON
    if args.json:
        _out(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in run_summary(result, every_file=True):
            _out(line)
        _out(f"詳細は「{LOG_SHEET}」シートにあります。")
    return result.exit_code


def cmd_undo(args: argparse.Namespace) -> int:
    from welfare_xl.commands.undo import undo
    from welfare_xl.core.consolidation.messages import undo_summary

    plan = undo(args.survey, args.output, echo=_out)
    for line in undo_summary(plan):
        _out(line)
    _out(f"保存しました: {args.output or args.survey}")
    return EXIT_PROBLEMS if plan.edited or plan.lost else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from welfare_xl.commands.status import submission_status
    from welfare_xl.core.consolidation.messages import status_summary

    status = submission_status(args.survey, args.submissions)
    if args.json:
        _out(json.dumps(status.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in status_summary(status):
            _out(line)
    return EXIT_OK if status.complete else EXIT_PROBLEMS


def cmd_committee(args: argparse.Namespace) -> int:
    from welfare_xl.commands.committee import committee

    result = committee(args.consolidated, args.output, pdf=args.pdf, echo=_out)
    for line in result.summary_lines():
        _out(line)
    return result.exit_code


def cmd_export(args: argparse.Namespace) -> int:
    from welfare_xl.commands.export import export
    from welfare_xl.core.committee_report import NOTHING_GRADED

    result = export(args.consolidated, args.csv)
    if result.backup:
        _out(f"既存のファイルをバックアップしました: {result.backup}")
    _out(f"CSV を書き出しました（UTF-8 BOM 付き）: {result.path}")
    if not result.graded:
        _out(f"注意: {NOTHING_GRADED}")
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from welfare_xl.commands.demo import demo

    return demo(args.output, echo=_out)


def cmd_addin_build(args: argparse.Namespace) -> int:
    from welfare_xl.xlam import build_addin

    path = build_addin(Path(args.output) if args.output else None)
    _out(f"アドインを作成しました: {path}")
    return EXIT_OK


def cmd_addin_install(args: argparse.Namespace) -> int:
    from welfare_xl.xlam import install_addin

    paths = install_addin(Path(args.xlstart) if args.xlstart else None, args.python)
    for p in paths:
        _out(f"配置しました: {p}")
    _out("Excel を起動し直すと、リボンに「地域福祉計画」タブが表示されます。")
    return EXIT_OK


# --- the parser -----------------------------------------------------------------

Arg = tuple[tuple[str, ...], dict]  # add_argument's flags and options


def arg(*flags: str, **options) -> Arg:
    """One argument of a command, declared once and given to `add_argument` by `_command`."""
    return flags, options


SURVEY = arg("survey", help="調査票（資料２のあるブック）")
SUBMISSIONS = arg("submissions", help="提出ファイルのフォルダ")
CONSOLIDATED = arg("consolidated", help="集約済みの調査票")
JSON = arg("--json", action="store_true", help="結果を JSON で出力します")


def output(help: str, **options) -> Arg:
    """The -o/--output argument, whose meaning each command says in `help`."""
    return arg("-o", "--output", help=help, **options)


def _command(sub, name: str, help: str, func, *args: Arg) -> argparse.ArgumentParser:
    """A subcommand `name` running `func(args)`, with the given arguments in order."""
    p = sub.add_parser(name, help=help)
    for flags, options in args:
        p.add_argument(*flags, **options)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    from welfare_xl import __version__

    parser = argparse.ArgumentParser(
        prog="welfare-xl",
        description="計画進捗状況調査票の配布・点検・集約・委員会資料作成を行います。",
    )
    parser.add_argument("--version", action="version", version=f"welfare-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("template", help="調査票テンプレートの生成")
    tsub = p.add_subparsers(dest="template_command", metavar="SUBCOMMAND")
    _command(tsub, "build", "定義ファイル（TOML）から調査票テンプレートを生成します", cmd_template_build,
             arg("source", help="テンプレート定義（.toml）"), output("出力する調査票（.xlsx）", required=True))
    _command(sub, "split", "部署別の調査票を作成します", cmd_split,
             SURVEY, output("出力フォルダ（--in-workbook のときは出力ブック）", required=True),
             arg("--in-workbook", action="store_true", help="部署別シートを調査票ブックの中に追加します"))
    _command(sub, "check", "部署から返ってきた調査票を点検します", cmd_check,
             arg("file", help="部署の調査票（.xlsx）"), arg("--survey", help="集約先の調査票（年度・様式の一致も確認します）"),
             arg("--sheet", help="点検するシート（調査票の中の部署別シートを点検するとき）"), JSON)
    _command(sub, "consolidate", "部署から返ってきた調査票を資料２に集約します", cmd_consolidate,
             SURVEY, SUBMISSIONS, output("集約結果のブック（調査票自身を指定すると先にバックアップを作ります）", required=True),
             JSON)
    _command(sub, "undo", "直前の集約で変更したセルを元に戻します（集約ログから）", cmd_undo,
             arg("survey", help="集約済みの調査票（集約ログのあるブック）"),
             output("保存先（既定：同じファイル。先にバックアップを作ります）"))
    _command(sub, "status", "提出状況を表示します（集約はしません）", cmd_status, SURVEY, SUBMISSIONS, JSON)
    _command(sub, "committee", "推進委員会用の資料を作成します", cmd_committee,
             CONSOLIDATED, output("委員会版のブック（.xlsx）", required=True),
             arg("--pdf", help="PDF も作成します（LibreOffice が必要）"))
    _command(sub, "export", "集約済みの表を CSV に書き出します", cmd_export,
             CONSOLIDATED, arg("--csv", required=True, help="出力する CSV（UTF-8 BOM 付き）"))
    _command(sub, "demo", "同梱のサンプルで1年分の流れを実行します", cmd_demo,
             output("出力フォルダ（既定：demo-output）", default="demo-output"))

    p = sub.add_parser("addin", help="Excel アドイン（.xlam）の作成・インストール")
    asub = p.add_subparsers(dest="addin_command", metavar="SUBCOMMAND")
    _command(asub, "build", "addin/ のソースから welfare_xl.xlam を作成します", cmd_addin_build,
             output("出力先（既定：addin/welfare_xl.xlam）"))
    _command(asub, "install", "アドインを XLSTART に配置し、設定ファイルを書きます（Windows）", cmd_addin_install,
             arg("--xlstart", help="XLSTART フォルダ（既定：%%APPDATA%%\\Microsoft\\Excel\\XLSTART）"),
             arg("--python", help="使用する Python（既定：このコマンドを実行している Python）"))
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    if not any(isinstance(h, _LogFile) for h in log.handlers):
        log.addHandler(_LogFile(logging.WARNING))
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
        from welfare_xl.errors import UserError

        if isinstance(exc, UserError):
            _err(f"エラー: {exc}")
            return exc.exit_code
        path = _log_exception(exc)
        _err(f"予期しないエラーが発生しました（{type(exc).__name__}）。詳細はログ {path} に記録しました。"
             "事務局の担当者に連絡してください。")
        return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
