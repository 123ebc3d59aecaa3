"""Fixtures of the file-adapter tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.paths import TEMPLATE

from welfare_xl.commands.split import split


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path]:
    """The shipped survey and a folder holding 地域共生課's filled return."""
    survey = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, survey)
    split(TEMPLATE, tmp_path / "配布")
    returns = tmp_path / "提出"
    returns.mkdir()
    fill_department(tmp_path / "配布" / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS)
    shutil.copy(tmp_path / "配布" / "地域共生課.xlsx", returns / "地域共生課.xlsx")
    return survey, returns
