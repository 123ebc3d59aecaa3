"""Where the add-in's per-user settings live: the one rule shared by the installer and 環境チェック.

The add-in's xlwings VBA module is built with PROJECT_NAME = "welfare_xl" and
reads ``%USERPROFILE%\\.welfare_xl\\welfare_xl.conf`` (the home directory
elsewhere); a sheet or file of that name beside the workbook overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_NAME = "welfare_xl"  # xlwings' PROJECT_NAME in the add-in
CONF_NAME = f"{PROJECT_NAME}.conf"


def user_config_path() -> Path:
    """``%USERPROFILE%\\.welfare_xl\\welfare_xl.conf``, the path the xlwings VBA module computes."""
    profile = os.environ.get("USERPROFILE") or str(Path.home())
    return Path(profile) / f".{PROJECT_NAME}" / CONF_NAME
