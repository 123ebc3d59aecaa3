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
import os
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TextIO

log = logging.getLogger("welfare_xl")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def log_path() -> Path:
    return Path.home() / ".welfare_xl" / "welfare_xl.log"


def _append_log(text: str) -> Path:
    """Append `text` to the log file; the log must never fail the command, so a write error is dropped."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="replace") as fh:
            fh.write(text)
    except OSError:
        pass
    return path


def _log_exception(exc: BaseException) -> Path:
    return _append_log("".join(traceback.format_exception(exc)))


class _LogFile(logging.Handler):
    """The package's warnings and errors (a return that could not be read, with its traceback) to the log file."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _append_log(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - formatting a record must never fail the command either
            pass


# --- progress -------------------------------------------------------------------

Progress = Callable[[int, int, str], None]  # (done, in all, the item's name), as the commands tell it
PROGRESS_DELAY = 1.0  # seconds: a shorter run shows no bar at all
# The label, then the share done, the count, the time taken and left, and the item in hand (tqdm's {desc}).
BAR_FORMAT = "{label} {{percentage:3.0f}}%|{{bar}}| {{n_fmt}}/{{total_fmt}} 件（経過 {{elapsed}}・残り {{remaining}}） {{desc}}"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _columns(stream: TextIO) -> int:
    """The terminal's width, or 0 when it does not say (a pseudo-terminal with no size set)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


@contextmanager
def progress_bar(label: str, stream: TextIO | None = None, delay: float = PROGRESS_DELAY) -> Iterator[Progress]:
    """A progress bar (tqdm) on stderr for a run lasting over `delay` seconds, removed when done.

    Nothing at all (tqdm is not even imported) when stderr is not a terminal: a
    log file, a pipe or a test reads only the messages; stdout (JSON) is never touched.
    """
    stream = stream if stream is not None else sys.stderr
    if not _is_terminal(stream):
        yield lambda done, total, name: None
        return
    from tqdm import tqdm

    bar = None

    def tell(done: int, total: int, name: str) -> None:
        nonlocal bar
        if bar is None:
            sized = _columns(stream) > 0  # else tqdm would draw in 0 columns: nothing
            bar = tqdm(total=total, desc=name, file=stream, delay=delay, leave=False,
                       bar_format=BAR_FORMAT.format(label=label),
                       dynamic_ncols=sized, ncols=None if sized else 80, nrows=None if sized else 24)
        bar.set_description_str(name, refresh=False)
        bar.update(done - bar.n)

    try:
        yield tell
    finally:
        if bar is not None:
            bar.close()


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
    with progress_bar("部署別の調査票を作成中") as progress:
        paths = split(args.survey, args.output, echo=_out, progress=progress)
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

    with progress_bar("提出ファイルを点検中") as progress:  # stdout may be JSON: echo and the bar go to stderr
        result = consolidate(args.survey, args.submissions, args.output, echo=_err, progress=progress)
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

    with progress_bar("提出ファイルを点検中") as progress:
        status = submission_status(args.survey, args.submissions, progress=progress)
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


def cmd_final(args: argparse.Namespace) -> int:
    from welfare_xl.commands.final import final

    result = final(args.consolidated, args.output, pdf=args.pdf, echo=_out)
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


def cmd_rollover(args: argparse.Namespace) -> int:
    from welfare_xl.commands.rollover import rollover

    result = rollover(args.consolidated, args.output, next_plan=args.next_plan)
    for line in result.summary_lines():
        _out(line)
    return result.exit_code


def cmd_demo(args: argparse.Namespace) -> int:
    from welfare_xl.commands.demo import demo

    return demo(args.output, echo=_out, year=args.year)


def cmd_addin_build(args: argparse.Namespace) -> int:
    from welfare_xl.xlam import build_addin

    path = build_addin(Path(args.output) if args.output else None)
    _out(f"アドインを作成しました: {path}")
    return EXIT_OK


def cmd_addin_install(args: argparse.Namespace) -> int:
    from welfare_xl.xlam import TAB_LABEL, install_addin

    paths = install_addin(Path(args.xlstart) if args.xlstart else None, args.python)
    for p in paths:
        _out(f"配置しました: {p}")
    _out(f"Excel を起動し直すと、リボンに「{TAB_LABEL}」タブが表示されます。")
    return EXIT_OK


# --- the parser -----------------------------------------------------------------

Arg = tuple[tuple[str, ...], dict]  # add_argument's flags and options


def arg(*flags: str, **options) -> Arg:
    """One argument of a command, declared once and given to `add_argument` by `_command`."""
    return flags, options


SURVEY = arg("survey", metavar="調査票", help="調査票（集計表のあるブック）")
SUBMISSIONS = arg("submissions", metavar="提出フォルダ", help="部署から返ってきた調査票を置いたフォルダ")
CONSOLIDATED = arg("consolidated", metavar="集約済みの調査票", help="集約済みの調査票（集計表のあるブック）")
JSON = arg("--json", action="store_true", help="結果を JSON で出力します（進捗表示は出しません）")


def output(help: str, metavar: str = "保存先", **options) -> Arg:
    """The -o/--output argument, whose meaning each command says in `help`."""
    return arg("-o", "--output", metavar=metavar, help=help, **options)


# What 2 means for every command; each command says what 0 and 1 mean for it.
EXIT_2 = "使えないファイル（ない・読めない・種類が違う）、使えない保存先、コマンドの指定の誤り、中断"


def _epilog(examples: tuple[str, ...], codes: dict[int, str]) -> str:
    """The end of a command's help: its examples and its exit codes."""
    lines = ["例:", *(f"  {e}" for e in examples), "", "終了コード:"]
    lines += [f"  {code}  {text}" for code, text in sorted({**codes, EXIT_UNREADABLE: EXIT_2}.items())]
    return "\n".join(lines)


def _command(sub, name: str, summary: str, func, *args: Arg, examples: tuple[str, ...],
             codes: dict[int, str]) -> argparse.ArgumentParser:
    """A subcommand `name` running `func(args)`: its one-line `summary`, arguments in order, examples, exit codes."""
    p = sub.add_parser(name, help=summary, description=summary, epilog=_epilog(examples, codes))
    for flags, options in args:
        p.add_argument(*flags, **options)
    p.set_defaults(func=func, help_of=p)
    return p


def _group(sub, name: str, summary: str, examples: tuple[str, ...]) -> tuple[argparse.ArgumentParser, object]:
    """A command with subcommands (`template`, `addin`); alone, it shows its own help."""
    p = sub.add_parser(name, help=summary, description=summary,
                       epilog=_epilog(examples, {EXIT_OK: "完了しました"}))
    p.set_defaults(help_of=p)
    return p, p.add_subparsers(title="サブコマンド", dest=f"{name}_command", metavar="サブコマンド", help="次のどれか")


def build_parser() -> argparse.ArgumentParser:
    """Long because it is the table of every command, its arguments, examples and exit codes, read best whole."""
    from welfare_xl import __version__
    from welfare_xl.cli_text import VERSION, JapaneseParser

    parser = JapaneseParser(
        prog="welfare-xl",
        description="計画進捗状況調査票の配布・点検・集約・委員会資料作成を行います。",
        epilog=_epilog(("welfare-xl split 調査票.xlsx -o 配布", "welfare-xl consolidate 調査票.xlsx 提出 -o 調査票.xlsx",
                        "welfare-xl consolidate --help（コマンドごとの説明）"),
                       {EXIT_OK: "問題なし", EXIT_PROBLEMS: "確認が必要なことがある（意味はコマンドごとの --help に）"}),
    )
    parser.set_defaults(help_of=parser)
    parser.add_argument("--version", action="version", version=f"welfare-xl {__version__}", help=VERSION)
    sub = parser.add_subparsers(title="コマンド", dest="command", metavar="コマンド", help="次のどれか")

    _, tsub = _group(sub, "template", "調査票テンプレートを作ります",
                     ("welfare-xl template build templates/source/調査票.toml -o 調査票.xlsx",))
    _command(tsub, "build", "定義ファイル（TOML）から調査票テンプレートを作ります", cmd_template_build,
             arg("source", metavar="定義ファイル", help="テンプレートの定義（.toml）"),
             output("作成する調査票（.xlsx）", required=True),
             examples=("welfare-xl template build templates/source/調査票.toml -o 調査票.xlsx",),
             codes={EXIT_OK: "作成しました"})
    _command(sub, "split", "部署別の調査票を作ります（部署ごとに1ブック）", cmd_split,
             SURVEY, output("出力フォルダ（--in-workbook のときは保存するブック）", required=True),
             arg("--in-workbook", action="store_true", help="部署別シートを調査票のブックの中に追加します"),
             examples=("welfare-xl split 調査票.xlsx -o 配布", "welfare-xl split 調査票.xlsx --in-workbook -o 調査票.xlsx"),
             codes={EXIT_OK: "作成しました"})
    _command(sub, "check", "部署から返ってきた調査票を点検します", cmd_check,
             arg("file", metavar="部署の調査票", help="部署が入力した調査票（.xlsx / .xlsm）"),
             arg("--survey", metavar="調査票", help="集約先の調査票（年度・様式・固定欄の一致も確かめます）"),
             arg("--sheet", metavar="シート名", help="点検するシート（調査票の中の部署別シートを点検するとき）"), JSON,
             examples=("welfare-xl check 提出/〇〇課.xlsx --survey 調査票.xlsx",),
             codes={EXIT_OK: "エラーはありません（注意だけのときも 0）",
                    EXIT_PROBLEMS: "エラーがあります（部署で直して提出し直してもらいます）"})
    _command(sub, "consolidate", "部署から返ってきた調査票を調査票（集計表）に集約します", cmd_consolidate,
             SURVEY, SUBMISSIONS,
             output("集約結果のブック（調査票自身を指定すると先にバックアップを作ります）", metavar="保存するブック",
                    required=True), JSON,
             examples=("welfare-xl consolidate 調査票.xlsx 提出 -o 調査票.xlsx",),
             codes={EXIT_OK: "全部署を採用し、確認することもありません",
                    EXIT_PROBLEMS: "不採用・未提出・確認が必要なことがあります（集約結果は保存しました）"})
    _command(sub, "undo", "直前の集約で変更したセルを元に戻します（集約ログから）", cmd_undo,
             arg("survey", metavar="集約済みの調査票", help="集約済みの調査票（集約ログのあるブック）"),
             output("保存先（既定：同じファイル。先にバックアップを作ります）"),
             examples=("welfare-xl undo 調査票.xlsx",),
             codes={EXIT_OK: "すべて元に戻しました",
                    EXIT_PROBLEMS: "集約のあとで変更されたセルなど、戻さなかったセルがあります"})
    _command(sub, "status", "提出状況を表示します（集約はしません）", cmd_status, SURVEY, SUBMISSIONS, JSON,
             examples=("welfare-xl status 調査票.xlsx 提出",),
             codes={EXIT_OK: "全部署の提出がそろい、確認することもありません",
                    EXIT_PROBLEMS: "未提出・不採用・確認が必要なことがあります"})
    _command(sub, "committee", "委員会用の資料を作ります", cmd_committee,
             CONSOLIDATED, output("委員会版のブック（.xlsx）", metavar="保存するブック", required=True),
             arg("--pdf", metavar="PDFファイル", help="PDF も作ります（LibreOffice が必要）"),
             examples=("welfare-xl committee 調査票.xlsx -o 委員会.xlsx --pdf 委員会.pdf",),
             codes={EXIT_OK: "作成しました",
                    EXIT_PROBLEMS: "PDF を作れなかったか、どの指標も評価できませんでした（ブックは保存しました）"})
    _command(sub, "final", "目標年度の最終評価（達成・改善・変化なし・悪化・評価困難）を作ります", cmd_final,
             CONSOLIDATED, output("最終評価のブック（.xlsx）", metavar="保存するブック", required=True),
             arg("--pdf", metavar="PDFファイル", nargs="?", const="",
                 help="PDF も作ります（LibreOffice が必要）。ファイル名を省くとブックと同じ名前の .pdf"),
             examples=("welfare-xl final 調査票.xlsx -o 最終評価.xlsx --pdf",
                       "welfare-xl final 調査票.xlsx -o 最終評価.xlsx --pdf 最終評価.pdf"),
             codes={EXIT_OK: "作成しました（目標年度の前は「見込み」として作成します）",
                    EXIT_PROBLEMS: "PDF を作れなかったか、どの指標も評価できませんでした（ブックは保存しました）"})
    _command(sub, "export", "集約済みの表を CSV に書き出します", cmd_export,
             CONSOLIDATED, arg("--csv", metavar="CSVファイル", required=True, help="書き出す CSV（UTF-8 BOM 付き）"),
             examples=("welfare-xl export 調査票.xlsx --csv 集約.csv",),
             codes={EXIT_OK: "書き出しました",
                    EXIT_PROBLEMS: "どの指標も評価できませんでした（CSV は保存しました）"})
    _command(sub, "rollover", "集約済みの調査票から次の年度の調査票を作ります（年度更新）", cmd_rollover,
             CONSOLIDATED, output("次の年度の調査票（.xlsx。集約済みの調査票とは別のファイル）", metavar="保存するブック",
                                  required=True),
             arg("--next-plan", metavar="次期計画の調査票", help="計画の最終年度のあと：次の計画のテンプレート（template build "
                 "で作ったブック）。同じIDの指標の実績値・取組・評価を引き継ぎ、引き継げない指標を一覧にします"),
             examples=("welfare-xl rollover 調査票.xlsx -o 調査票_令和２年度.xlsx",
                       "welfare-xl rollover 調査票_令和５年度.xlsx --next-plan 第５期調査票.xlsx -o 第５期_令和６年度.xlsx"),
             codes={EXIT_OK: "作成しました",
                    EXIT_PROBLEMS: "作成しましたが、実績値のない指標（次期計画へは、値の食い違い・単位の変更・"
                                   "項目名の変更）があります（一覧を表示します）"})
    _command(sub, "demo", "同梱のサンプルで1年分（--year で後の年度まで）の流れを実行します", cmd_demo,
             output("出力フォルダ（既定：demo-output）", metavar="出力フォルダ", default="demo-output"),
             arg("--year", metavar="年度", help="この年度まで年度更新をくり返して実行します"
                 "（例：令和４年度、R4、2022。既定：サンプルの令和元年度だけ）"),
             examples=("welfare-xl demo -o デモ", "welfare-xl demo -o デモ --year 令和４年度"),
             codes={EXIT_OK: "すべての手順が済みました", EXIT_PROBLEMS: "サンプルの集約で確認することが残りました"})

    _, asub = _group(sub, "addin", "Excel アドイン（.xlam）を作成・インストールします",
                     ("welfare-xl addin build", "welfare-xl addin install"))
    _command(asub, "build", "addin/ のソースから welfare_xl.xlam を作ります", cmd_addin_build,
             output("出力先（.xlam。既定：addin/welfare_xl.xlam）"),
             examples=("welfare-xl addin build -o welfare_xl.xlam",), codes={EXIT_OK: "作成しました"})
    _command(asub, "install", "アドインを XLSTART に配置し、設定ファイルを書きます（Windows）", cmd_addin_install,
             arg("--xlstart", metavar="フォルダ", help="XLSTART フォルダ（既定：%%APPDATA%%\\Microsoft\\Excel\\XLSTART）"),
             arg("--python", metavar="実行ファイル", help="使用する Python（既定：このコマンドを実行している Python）"),
             examples=("welfare-xl addin install",), codes={EXIT_OK: "配置しました"})
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
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the command's own parser, with its usage (argparse's top level would show its own)
        args.help_of.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):  # a command with subcommands, or none: its help
        args.help_of.print_help()
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
