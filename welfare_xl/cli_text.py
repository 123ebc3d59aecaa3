"""argparse in Japanese: usage lines, section titles, `-h` and every argument error.

argparse words its own texts in English through gettext (`_()`), with no
Japanese catalogue shipped. Rather than install a catalogue or replace
argparse's module globals (process-wide state, shared with anything else
that parses arguments), the CLI uses the subclasses here:

* `JapaneseFormatter` writes "使い方:" where argparse writes "usage:", keeps the
  line breaks of descriptions and epilogs (examples, exit codes);
* `JapaneseParser` titles its sections 引数 / オプション, has a Japanese `-h`,
  and translates each error argparse raises before printing it, by argparse's
  own message ids (`ERRORS`, the msgids of Python 3.11-3.13's argparse.py),
  matched with their `%` placeholders as patterns. A message no id matches is
  still shown in a Japanese sentence, with argparse's words in parentheses
  (tests/test_cli_japanese.py fails on it, so a new Python's message is seen).

Subparsers are made with the parent's class, so every subcommand is Japanese
too. This module imports nothing of the project.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from typing import NoReturn

USAGE = "使い方: "
POSITIONALS = "引数"
OPTIONALS = "オプション"
HELP = "この説明を表示して終了します"
VERSION = "版を表示して終了します"

# argparse's msgids (argparse.py, Python 3.11-3.13) -> Japanese, with the same placeholders.
# %r values are shown as argparse quotes them ('x'); the Japanese keeps those quotes.
ERRORS: dict[str, str] = {
    "the following arguments are required: %s": "次の引数を指定してください: %s",
    "one of the arguments %s is required": "%s のどれかを指定してください",
    "unrecognized arguments: %s": "余分な引数があります: %s",
    "expected one argument": "値を1つ指定してください",
    "expected at most one argument": "値は1つまでです",
    "expected at least one argument": "値を1つ以上指定してください",
    "expected %s argument": "値を %s 個指定してください",
    "expected %s arguments": "値を %s 個指定してください",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r は指定できません（指定できるもの: %(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r は正しい値ではありません",
    "ambiguous option: %(option)s could match %(matches)s":
        "%(option)s は複数のオプション（%(matches)s）に当てはまります。オプション名を最後まで書いてください",
    "not allowed with argument %s": "%s と同時には指定できません",
    "ignored explicit argument %r": "このオプションは値をとりません（%r）",
    "unexpected option string: %s": "このオプションはここでは使えません: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "コマンド %(parser_name)r はありません（指定できるもの: %(choices)s）",
    "can't open '%(filename)s': %(error)s": "ファイル「%(filename)s」を開けません（%(error)s）",
    "option %(option)r is deprecated": "オプション %(option)r は廃止予定です",
    "argument %(argument_name)r is deprecated": "引数 %(argument_name)r は廃止予定です",
    "command %(parser_name)r is deprecated": "コマンド %(parser_name)r は廃止予定です",
}
# `ArgumentError` prefixes the argument's name: "argument -o/--output: expected one argument".
ARGUMENT = "argument %(argument_name)s: %(message)s"
UNKNOWN = "コマンドの指定に誤りがあります（%s）"

_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sr]")


def _pattern(msgid: str) -> re.Pattern[str]:
    """A regular expression matching `msgid` once formatted, one named group per placeholder."""
    parts, last, n = [], 0, 0
    for m in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[last:m.start()]))
        n += 1
        parts.append(f"(?P<{m.group(1) or f'_{n}'}>.+?)")
        last = m.end()
    parts.append(re.escape(msgid[last:]))
    return re.compile("".join(parts), re.DOTALL)


def _fill(template: str, values: dict[str, str]) -> str:
    """`template` with each placeholder replaced by the text matched for it (as argparse quoted it):
    a named one by name, the unnamed ones (`%s`) in order."""
    unnamed = iter(v for k, v in values.items() if k.startswith("_"))
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else next(unnamed), template)


_PATTERNS = [(_pattern(msgid), ja) for msgid, ja in ERRORS.items()]
_ARGUMENT = _pattern(ARGUMENT)


def translate(message: str) -> str:
    """An argparse error message in Japanese ("argument X: ..." becomes "X: ...")."""
    m = _ARGUMENT.fullmatch(message)
    if m:
        return f"{m['argument_name']}: {translate(m['message'])}"
    for pattern, japanese in _PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return _fill(japanese, m.groupdict())
    return UNKNOWN % message


def width(text: str) -> int:
    """Columns `text` takes in a terminal: two for each wide (全角) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# What Japanese never starts a line with (禁則): closing marks, small kana, the long vowel mark.
NO_LINE_START = frozenset("、。，．・：；？！）」』】〕ぁぃぅぇぉっゃゅょァィゥェォッャュョヮヵヶー")
_TOKEN = re.compile(r"[!-~]+|\s+|.", re.DOTALL)  # a run of ASCII (a word, an option, a path), spaces, or one character


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` terminal columns: Japanese breaks between any two
    characters, an ASCII word only where a space is (or when it is longer than a line)."""
    lines, line = [], ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if width(line) + width(token) > columns and line.strip() and token not in NO_LINE_START:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class JapaneseFormatter(argparse.RawDescriptionHelpFormatter):
    """Help as written (descriptions and epilogs keep their line breaks), with "使い方:", help texts
    wrapped and aligned by terminal columns (a 全角 character takes two) rather than by characters."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        """argparse sizes the invocation column by characters: size it by columns."""
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            columns = width(self._format_action_invocation(action)) + self._current_indent
            self._action_max_length = max(self._action_max_length, columns)

    def _split_lines(self, text: str, columns: int) -> list[str]:
        return wrap(text, columns)

    def _format_action(self, action: argparse.Action) -> str:
        """argparse pads the invocation (`-o 保存先`) to the help column by characters: pad it by columns."""
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        indent = " " * self._current_indent
        first, newline, rest = text.partition("\n")
        if not action.help or not first.startswith(indent + invocation) or first.strip() == invocation:
            return text
        help_first = first[len(indent + invocation):].lstrip()
        column = min(self._action_max_length + 2, self._max_help_position)
        used = width(indent + invocation)
        if used + 2 <= column:
            return f"{indent}{invocation}{' ' * (column - used)}{help_first}{newline}{rest}"
        return f"{indent}{invocation}\n{' ' * column}{help_first}{newline}{rest}"


class JapaneseParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word to the user is Japanese (see the module's docstring)."""

    def __init__(self, *args, add_help: bool = True, formatter_class=JapaneseFormatter, **kwargs) -> None:
        super().__init__(*args, add_help=False, formatter_class=formatter_class, **kwargs)
        self._positionals.title = POSITIONALS
        self._optionals.title = OPTIONALS
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP)

    def error(self, message: str) -> NoReturn:
        """The usage line, the error in Japanese and where to read more; exit code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"エラー: {translate(message)}\n「{self.prog} --help」で説明を表示します。\n")
