"""Shared fixtures. Everything here works from a fresh clone (no ../shared)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# xlwings loads its remote engine only when this is set before its first import
# (PolyForm Noncommercial, which names government institutions as permitted users).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest  # noqa: E402

from support.paths import TEMPLATE  # noqa: E402


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A private copy of the committed template."""
    dst = tmp_path / "調査票.xlsx"
    shutil.copy(TEMPLATE, dst)
    return dst


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private home for every test: logs and settings under ~ (~/.welfare_xl/) stay in tmp_path."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.setenv("USERPROFILE", str(path))
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice. In CI its absence is a failure, not a skip."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) がありません。CI では .ci/run がインストールします。")
        pytest.skip("LibreOffice (soffice) is not installed; scripts/test.sh installs it when run as root")
    return path
