"""The add-in's per-user settings: where they live, which keys we set, how a line reads.

The one place for these rules, shared by the installer (``xlam.install``) and 環境チェック.

The add-in's xlwings VBA module is built with PROJECT_NAME = "welfare_xl" and
reads ``%USERPROFILE%\\.welfare_xl\\welfare_xl.conf`` (the home directory
elsewhere). Before that file it reads a ``welfare_xl.conf`` sheet in the active
workbook and a ``welfare_xl.conf`` file in the workbook's folder; the add-in's
ribbon callback refuses to run when either exists (addin/vba/WelfareXL.bas), so
only this file decides which Python a click starts.

The format is the one VBA's ``Write #`` produces and ``Input #`` reads: one
``"key","value"`` line per setting, in the ANSI code page of Windows. xlwings'
``GetConfigFromFile`` compares keys case-insensitively and takes the first match.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

PROJECT_NAME = "welfare_xl"  # xlwings' PROJECT_NAME in the add-in
CONF_NAME = f"{PROJECT_NAME}.conf"

#: The Python that RunPython starts (xlwings' GetConfig("INTERPRETER_WIN")).
INTERPRETER_KEY = "Interpreter_Win"
#: xlwings' RunPython reads GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true") and passes it to
#: ``xlwings.utils.prepare_sys_path``, which puts the workbook's folder first on sys.path only
#: when the value is "true" in any case. For a workbook opened from OneDrive/SharePoint or an
#: intranet URL it first converts the URL to a local folder and fails with an English
#: XlwingsError when it cannot. The add-in needs neither: its code is the installed package.
ADD_WORKBOOK_KEY = "ADD_WORKBOOK_TO_PYTHONPATH"
ADD_WORKBOOK_VALUE = "False"
#: The settings ``welfare-xl addin install`` writes.
INSTALLED_SETTINGS = {ADD_WORKBOOK_KEY: ADD_WORKBOOK_VALUE}

# VBA reads the file with the system ANSI code page: "mbcs" is that code page on
# Windows. Elsewhere (preparing a profile, tests) assume Japanese Windows.
ANSI_ENCODING = "mbcs" if sys.platform == "win32" else "cp932"


def user_config_path() -> Path:
    """``%USERPROFILE%\\.welfare_xl\\welfare_xl.conf``, the path the xlwings VBA module computes."""
    profile = os.environ.get("USERPROFILE") or str(Path.home())
    return Path(profile) / f".{PROJECT_NAME}" / CONF_NAME


def split_line(line: str) -> tuple[str, str] | None:
    """``"key","value"`` as (key, value); None for a line that is not a setting."""
    try:
        fields = next(csv.reader([line]), [])
    except csv.Error:
        return None
    if not fields or not fields[0].strip():
        return None
    return fields[0].strip(), (fields[1].strip() if len(fields) > 1 else "")


def read_settings(path: Path) -> dict[str, str] | None:
    """The settings in ``path`` by lower-case key, the first of each as VBA reads it;
    None when the file cannot be read."""
    try:
        text = path.read_bytes().decode(ANSI_ENCODING, errors="replace")
    except OSError:
        return None
    settings: dict[str, str] = {}
    for line in text.splitlines():
        pair = split_line(line)
        if pair is not None:
            settings.setdefault(pair[0].lower(), pair[1])
    return settings


def adds_workbook_folder(settings: dict[str, str]) -> bool:
    """Whether xlwings would put the workbook's folder on Python's path with these settings."""
    return settings.get(ADD_WORKBOOK_KEY.lower(), "true").lower() == "true"
