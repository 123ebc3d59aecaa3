"""Fixtures of the add-in tests: the survey as the secretariat keeps it, the distributed forms,
and 地域共生課's form filled in by a clerk; the secretariat's folder with returns in its 提出 folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.buttons import CHIIKI, CHIIKI_TEXTS, DONE, NEXT, with_settings
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


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The secretariat's folder: the survey (with 設定), 配布 and a 提出 folder as returned mail fills it."""
    survey = with_settings(TEMPLATE, tmp_path / "調査票.xlsx", tmp_path)
    split_files(TEMPLATE, tmp_path / "配布")
    inbox = tmp_path / "提出"
    inbox.mkdir()
    fill_department(tmp_path / "配布" / "地域共生課.xlsx", CHIIKI, CHIIKI_TEXTS, out=inbox / "地域共生課.xlsx")
    fill_department(tmp_path / "配布" / "交通課.xlsx", {"G6-01": "2.13人/km"}, {"G6-01": (DONE, NEXT)},
                    out=inbox / "交通課（最終版）.xlsx")
    fill_department(tmp_path / "配布" / "高齢者支援課.xlsx", {"G4-01": "50.70%"}, {"G4-01": (DONE, NEXT)},
                    out=inbox / "高齢者支援課.xlsx")
    (inbox / "メモ.txt").write_text("受付メモ", encoding="utf-8")
    (inbox / "~$地域共生課.xlsx").write_bytes(b"lock")
    return survey
