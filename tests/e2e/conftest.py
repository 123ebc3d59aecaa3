"""Fixtures of the end-to-end tests: the template split into department workbooks, and
地域共生課's filled in by a clerk."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fill import CHIIKI, CHIIKI_TEXTS, fill_department
from support.hostile import Expected, Kit, build_kit, expect_good
from support.paths import TEMPLATE

from welfare_xl.commands.split import split


@pytest.fixture
def dept_dir(tmp_path: Path) -> Path:
    split(TEMPLATE, tmp_path / "配布")
    return tmp_path / "配布"


@pytest.fixture
def chiiki(dept_dir: Path) -> Path:
    return fill_department(dept_dir / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS)


@pytest.fixture(scope="session")
def hostile_kit(tmp_path_factory) -> Kit:
    """The good year of the hostile corpus and the fuzz (support/hostile.py), built once."""
    return build_kit(tmp_path_factory.mktemp("hostile") / "kit")


@pytest.fixture(scope="session")
def hostile_expected(hostile_kit: Kit, tmp_path_factory) -> Expected:
    """The master after the good returns alone, and as distributed: what every hostile run is held to."""
    return expect_good(hostile_kit, tmp_path_factory.mktemp("good-run"))
