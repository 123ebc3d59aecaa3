"""The seed table (資料２, 令和元年度, tests/data/seed/) as the tests use it: one reader.

Rows are matched to the template's indicators by item and sub-item text, as a
person reading the printed table would; values stay the strings the seed prints
("513人", "19,177世帯", "50.70%", "２団体") unless a test parses them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from support.paths import SEED_CSV, TEMPLATE_SOURCE
from welfare_xl.core.model.numbers import Status, parse_value
from welfare_xl.core.model.survey import NOT_AVAILABLE, Indicator, Survey

BASELINE = "平成29年度（現状値）"
REFERENCE = "平成30年度"
ACTUAL = "令和元年度"
TARGET = "令和５年度（目標値）"
DONE = "令和元年度の取組状況（増減に向けて取り組んだ内容等）"
NEXT = "令和２年度に向けた今後の展開（課題に向けた取り組み等）"


def seed_rows() -> list[dict[str, str]]:
    """The seed CSV's rows, in the printed order."""
    with SEED_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def template_survey() -> Survey:
    """The survey of the committed template's source (templates/source/調査票.toml)."""
    from welfare_xl.files.source import load_source

    return load_source(TEMPLATE_SOURCE).survey


def rows_by_id(survey: Survey | None = None) -> dict[str, dict[str, str]]:
    """Each indicator's seed row, matched by item and sub-item."""
    rows = seed_rows()
    out = {}
    for ind in (survey or template_survey()).indicators:
        (row,) = [r for r in rows if r["項目"].startswith(ind.item) and r["細目"] == ind.sub_item]
        out[ind.id] = row
    return out


def match_seed(survey: Survey) -> list[tuple[dict[str, str], Indicator]]:
    """Pair each seed row with the survey's indicator by item (with its note) and sub-item text."""
    by_text = {(f"{ind.item} {ind.item_note}".strip(), ind.sub_item): ind for ind in survey.indicators}
    return [(row, by_text[(row["項目"], row["細目"])]) for row in seed_rows()]


def seed_value(raw: str, ind: Indicator):
    """A seed string as the number (or '－') it stands for."""
    parsed = parse_value(raw, ind.unit, ind.kind)
    if parsed.status is Status.NOT_AVAILABLE:
        return NOT_AVAILABLE
    assert parsed.status is Status.NUMBER, raw
    return parsed.value


@dataclass(frozen=True)
class SeedRow:
    """One row of the seed table, matched to the template's indicator ID."""

    indicator_id: str
    department: str
    baseline: str
    reference: str
    actual: str  # as printed: "513人", "19,177世帯", "50.70%", "２団体"
    target: str
    done: str | None
    next: str | None


def seed_table() -> dict[str, SeedRow]:
    """The seed rows by indicator ID."""
    return {i: SeedRow(i, r["担当部署"], r[BASELINE], r[REFERENCE], r[ACTUAL], r[TARGET], r[DONE] or None,
                       r[NEXT] or None)
            for i, r in rows_by_id().items()}


def seed_inputs(department: str | None = None) -> tuple[dict[str, str], dict[str, tuple[str | None, str | None]]]:
    """(values, texts) a department types for 令和元年度 according to the seed: the seed's
    own strings with units and commas; texts on the rows that carry them (an item's first row)."""
    leads = {i.id for i in template_survey().indicators if i.lead}
    values, texts = {}, {}
    for ind, row in seed_table().items():
        if department is not None and row.department != department:
            continue
        values[ind] = row.actual
        if ind in leads:
            texts[ind] = (row.done, row.next)
    return values, texts
