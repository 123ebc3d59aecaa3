"""Repository paths the tests use. Everything here works from a fresh clone (no ../shared)."""

from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "調査票.xlsx"
TEMPLATE_SOURCE = ROOT / "templates" / "source" / "調査票.toml"
SEED_CSV = ROOT / "tests" / "data" / "seed" / "資料２_令和元年度.csv"


def seed_rows() -> list[dict[str, str]]:
    with SEED_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
