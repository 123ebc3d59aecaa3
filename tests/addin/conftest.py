"""Fixtures of the add-in tests: the survey as the secretariat keeps it, the distributed forms,
and 地域共生課's form filled in by a clerk."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.buttons import CHIIKI, CHIIKI_TEXTS, with_settings
from support.fill import fill_department
from support.paths import TEMPLATE
from welfare_xl.commands.split import split as split_files


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """The template as the secretariat keeps it: a 設定 sheet pointing at its folder."""
    return with_settings(TEMPLATE, tmp_path / "調査票.xlsx", tmp_path)


@pytest.fixture(scope="module")
def distributed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    split_files(TEMPLATE, out)
    return out


@pytest.fixture
def chiiki(distributed: Path, tmp_path: Path) -> Path:
    return fill_department(distributed / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS, out=tmp_path / "地域共生課.xlsx")
