"""Repository paths the tests use. Everything here works from a fresh clone (no ../shared)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "調査票.xlsx"
TEMPLATE_SOURCE = ROOT / "templates" / "source" / "調査票.toml"
SEED_CSV = ROOT / "tests" / "data" / "seed" / "資料２_令和元年度.csv"
