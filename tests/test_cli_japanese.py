"""`welfare-xl --help`, every subcommand's help and every argument error are Japanese.

Each command of the real parser is found by walking it (a new command is covered
without a change here); its help and its argument errors are produced by `main`
as a user sees them, then scanned for English: argparse's own words, and any
ASCII word of three letters or more that is not a command or option name, a file
or path, or a product name.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from welfare_xl.cli import build_parser, main
from welfare_xl.cli_text import ERRORS, translate, wrap

# Product and format names a Japanese text writes in ASCII.
NAMES = frozenset({"welfare", "Excel", "LibreOffice", "Python", "TOML", "JSON", "CSV", "PDF", "UTF", "BOM",
                   "XLSTART", "APPDATA", "Microsoft", "Windows"})
# argparse's English, as it would show (lower case).
ARGPARSE_WORDS = ("usage", "positional arguments", "options:", "show this help", "error:", "required",
                  "invalid choice", "unrecognized", "expected", "argument", "version number", "ambiguous")


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command of the parser, top level and group commands included, with its parser."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*path, name))
    return found


ALL = commands(build_parser())
LEAVES = [(path, p) for path, p in ALL if p.get_default("func") is not None]
COMMAND_NAMES = {name for path, _ in ALL for name in path}


def english(text: str) -> list[str]:
    """The English left in `text` once names (commands, options, files, products, what the user typed
    and argparse quotes) are taken out."""
    found = [w for w in ARGPARSE_WORDS if w in text.lower()]
    text = re.sub(r"'[^'\n]*'", " ", text)  # quoted: what the user typed, or a command's name
    text = re.sub(r"-{1,2}[A-Za-z][\w-]*", " ", text)  # options
    text = re.sub(r"[\w%:-]*[./\\_%][\w./\\%-]*", " ", text)  # paths, file names, %APPDATA%
    for word in re.findall(r"[A-Za-z]{3,}", text):
        if word not in NAMES and word not in COMMAND_NAMES:
            found.append(word)
    return found


def run(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # --help and argument errors end in argparse's exit
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_parser_has_every_command():
    names = {" ".join(path) for path, _ in LEAVES}
    assert names == {"template build", "split", "check", "consolidate", "undo", "status", "committee", "final", "export",
                     "rollover", "demo", "addin build", "addin install"}


@pytest.mark.parametrize("path", [path for path, _ in ALL], ids=lambda p: " ".join(p) or "welfare-xl")
def test_help_is_japanese_with_a_description_an_example_and_exit_codes(capsys, path: tuple[str, ...]):
    code, text = run(capsys, [*path, "--help"])
    assert code == 0
    assert english(text) == [], text
    lines = text.splitlines()
    assert lines[0].startswith(f"使い方: welfare-xl {' '.join(path)}".rstrip())
    assert lines[2] and not lines[2].startswith(" ")  # the one-line description under the usage
    example = lines.index("例:")
    assert lines[example + 1].startswith(f"  welfare-xl {' '.join(path)}".rstrip())
    codes = lines[lines.index("終了コード:") + 1:]
    assert [c.split()[0] for c in codes if c.strip()][0] == "0" and any(c.startswith("  2  ") for c in codes)


@pytest.mark.parametrize("path", [path for path, _ in LEAVES], ids=" ".join)
def test_argument_errors_are_japanese_and_exit_2(capsys, path: tuple[str, ...]):
    parser = dict(ALL)[path]
    tries = [[*path, "--no-such-option"], [*path, "余分な引数", "もう一つ", "さらに一つ"]]
    if any(a.required for a in parser._actions):
        tries.append(list(path))  # the required arguments are missing
    if any("-o" in a.option_strings for a in parser._actions):
        tries.append([*path, "-o"])  # an option without its value
    for argv in tries:
        code, text = run(capsys, argv)
        assert code == 2, (argv, text)
        assert "エラー: " in text and f"「welfare-xl {' '.join(path)} --help」" in text, (argv, text)
        assert english(text) == [], (argv, text)


@pytest.mark.parametrize("argv,fragment", [
    (["bogus"], "'bogus' は指定できません（指定できるもの: 'template', 'split'"),
    (["addin", "bogus"], "'bogus' は指定できません"),
    (["check", "--s", "x.xlsx"], "--s は複数のオプション（--survey, --sheet）に当てはまります"),
    (["split", "調査票.xlsx"], "次の引数を指定してください: -o/--output"),
    (["consolidate", "-o"], "-o/--output: 値を1つ指定してください"),
    (["demo", "x"], "余分な引数があります: x"),
])
def test_each_kind_of_error_says_what_is_wrong(capsys, argv: list[str], fragment: str):
    code, text = run(capsys, argv)
    assert code == 2 and fragment in text and text.startswith("使い方: welfare-xl"), text
    assert english(text) == [], text


@pytest.mark.parametrize("argv", [[], ["template"], ["addin"]], ids=["none", "template", "addin"])
def test_a_command_group_alone_shows_its_own_help(capsys, argv: list[str]):
    code, text = run(capsys, argv)
    assert code == 2 and text.startswith(f"使い方: welfare-xl {' '.join(argv)}".rstrip())
    assert "サブコマンド" in text if argv else "コマンド" in text


def _argparse_messages() -> set[str]:
    """Every message id argparse words for a user (`_('...')`, `ngettext`), read from its source."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


# argparse's messages a user never sees from our parser: the help's own words (replaced by
# JapaneseParser) and the errors of a program defining its arguments wrongly.
NOT_FOR_USERS = {
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "show program's version number and exit", "%(prog)s: error: %(message)s\n", "argument %(argument_name)s: %(message)s",
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    'argument "-" with mode %r', "cannot merge actions - two groups are named %r",
    "'required' is an invalid argument for positionals", "dest= is required for options like %r",
    "invalid conflict_resolution value: %r", "conflicting option string: %s", "conflicting option strings: %s",
    "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments", "%r is not callable",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "%(prog)s: warning: %(message)s\n", "argument '%(argument_name)s' is deprecated",
    "summary", "Deprecated", "default", "%(prog)s: error: %(message)s", "%(prog)s: warning: %(message)s",
}


def test_every_user_message_of_this_pythons_argparse_is_translated():
    """A Python whose argparse words a new error fails here, naming it, instead of showing English."""
    missing = sorted(m for m in _argparse_messages() - NOT_FOR_USERS if m not in ERRORS)
    assert missing == []


@pytest.mark.parametrize("msgid", sorted(ERRORS))
def test_each_translation_fills_in_what_argparse_said(msgid: str):
    values = {"value": "'x'", "choices": "'a', 'b'", "type": "int", "option": "--s", "matches": "--sa, --sb",
              "parser_name": "'p'", "filename": "f.txt", "error": "13", "argument_name": "'--a'"}
    message = re.sub(r"%\((\w+)\)[sr]", lambda m: values[m.group(1)], msgid).replace("%s", "3").replace("%r", "'y'")
    japanese = translate(message)
    assert japanese != message and not japanese.startswith("コマンドの指定に誤りがあります")
    assert english(re.sub(r"'[^']*'", "", japanese)) == [], japanese
    assert translate(f"argument -o/--output: {message}") == f"-o/--output: {japanese}"


def test_wrap_counts_wide_characters_twice_and_keeps_ascii_words_whole():
    lines = wrap("集約結果のブック（調査票自身を指定すると先にバックアップを作ります） see welfare_xl.xlam now", 20)
    assert all(sum(2 if ord(c) > 0x2000 else 1 for c in line) <= 21 for line in lines), lines
    assert "welfare_xl.xlam" in lines[-1] or "welfare_xl.xlam" in lines[-2]
    assert not any(line.startswith(("ォ", "、", "）")) for line in lines)
