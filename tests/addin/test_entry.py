"""The add-in's entry point: every ribbon button reaches an action, clicks stay light, failures become
Japanese messages (never a traceback), through xlwings' remote engine on real workbooks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings as xw
from support.buttons import only_alert, run
from support.paths import ROOT

import welfare_xl.addin as addin
from welfare_xl.addin.excel.grids import normalize


def test_actions_cover_every_ribbon_button():
    ribbon = (ROOT / "addin" / "customUI" / "customUI14.xml").read_text(encoding="utf-8")
    tags = set(re.findall(r'\btag="([^"]+)"', ribbon))
    assert tags == set(addin.ACTIONS) == set(addin.LABELS)
    assert all(t.isascii() and t.isalpha() for t in tags)


def test_every_button_runs_a_function_of_its_action_module():
    import importlib

    for tag, button in addin.ACTIONS.items():
        module = importlib.import_module(f"welfare_xl.addin.actions.{button.module}")
        assert callable(getattr(module, button.function)), tag
        assert addin.LABELS[tag] == button.label


def test_importing_the_entry_point_stays_light():
    code = ("import sys, welfare_xl.addin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('openpyxl', 'python_calamine', 'pandas', 'numpy', 'xlwings', 'welfare_xl')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own output
    assert loaded == {"welfare_xl", "welfare_xl.errors", "welfare_xl.addin"}, loaded


# What an action module must not load when it is imported, only when its button runs:
# the file readers and writers, the consolidation core, and our pandas frame (pandas
# itself is imported by xlwings, so it is not listed).
HEAVY_AT_IMPORT = ("openpyxl", "python_calamine", "welfare_xl.core.consolidation", "welfare_xl.core.tidy")


@pytest.mark.parametrize("module", ["distribute", "marks", "collect", "publish", "environment"])
def test_importing_an_action_module_with_xlwings_stays_light(module: str):
    code = ("import sys, xlwings; before = set(sys.modules); "
            f"import welfare_xl.addin.actions.{module}; "
            "print(sorted(set(sys.modules) - before))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # noqa: S307 - our own output
    assert f"welfare_xl.addin.actions.{module}" in loaded
    heavy = {m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY_AT_IMPORT)}
    assert not heavy, heavy


def test_unknown_tag_shows_japanese_alert_and_logs(survey: Path, home: Path):
    book = run(survey, "frobnicate")
    alert = only_alert(book)
    assert alert["mode"] == "critical"
    assert "ボタンに対応する処理「frobnicate」がありません" in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    log = home / ".welfare_xl" / "welfare_xl.log"
    assert str(log) in alert["prompt"]
    assert "action=frobnicate" in log.read_text(encoding="utf-8")


def test_failing_action_rolls_back_and_never_shows_a_traceback(survey: Path, home: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    def broken(book: xw.Book) -> str:
        book.sheets[0]["B2"].value = "written before the failure"
        return str({}["missing"])

    monkeypatch.setitem(addin.ACTIONS, "split", broken)
    book = run(survey, "split")
    alert = only_alert(book)  # the queued write was dropped: the workbook stays as it was
    assert alert["mode"] == "critical"
    assert "「部署別シート作成」の途中で予期しないエラーが起きた" in alert["prompt"]
    assert "ブックは変更していません" in alert["prompt"]
    assert "Traceback" not in alert["prompt"] and "line " not in alert["prompt"]
    log = (home / ".welfare_xl" / "welfare_xl.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "KeyError: 'missing'" in log


def test_without_a_workbook_the_message_goes_to_stderr(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)
    with pytest.raises(SystemExit) as exc:
        addin.run("check")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "予期しないエラー" in err and "Traceback" not in err


def test_long_messages_are_clipped():
    text = "\n".join(f"行{i}" for i in range(100))
    clipped = addin.clip(text)
    assert clipped.split("\n")[:3] == ["行0", "行1", "行2"]
    assert len(clipped.split("\n")) == addin.MAX_LINES and "ほか 71 行は省略しました" in clipped
    assert addin.clip("短い") == "短い"


def test_remote_numbers_are_normalized_like_com():
    assert normalize(513) == 513.0 and isinstance(normalize(513), float)
    assert normalize("") is None and normalize(None) is None
    assert normalize(True) is True and normalize("513人") == "513人"
