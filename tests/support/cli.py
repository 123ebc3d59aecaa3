"""Running the CLI inside the test process, as a clerk would see it."""

from __future__ import annotations

from welfare_xl.cli import main


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """(exit code, stdout + stderr) of `welfare-xl *argv`; a traceback or 予期しないエラー fails the test."""
    code = main(list(argv))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text and "予期しないエラー" not in text, text
    return code, text
