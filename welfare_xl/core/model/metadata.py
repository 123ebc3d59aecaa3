"""The 管理情報 sheet: what a workbook is, written where code reads it and people can look.

Each workbook the project writes (the survey template, a department's
worksheet, a consolidated master) carries a sheet named 管理情報 holding the
plan, the fiscal year, the template version, the workbook's kind (and
department), the goals, the indicator definitions and the check settings, as
labelled sections of plain cells. The sheet is hidden but not "very hidden":
右クリック → 再表示 shows it. This module turns a `Survey` into that grid and back.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

from welfare_xl.core.model.cells import Grid, cell_str
from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.model.survey import (LIMIT_FIELDS, NO_LIMIT, Config, Goal, Indicator, Plan, Survey, assign_groups,
                                          limits_from)
from welfare_xl.errors import UserError

SHEET = "管理情報"
FORMAT = "welfare-xl/1"
SURVEY = "survey"
DEPARTMENT = "department"

_SECTION_META = "wxl:meta"
_SECTION_GOALS = "wxl:goals"
_SECTION_INDICATORS = "wxl:indicators"
_SECTION_DECIMALS = "wxl:decimals"  # optional: display decimals of single values (Survey.decimals)

_GOAL_FIELDS = ["no", "name", "directions", "pages"]
_IND_FIELDS = ["id", "goal", "item", "sub_item", "item_note", "department", "unit", "kind", "decimals", "direction", "group",
               "min", "max", "co_departments", "not_surveyed_ok"]
# The fields after these are written only when some indicator sets one (a survey without them keeps
# the 管理情報 it always had), and read by the field-name row (an older 管理情報 without them reads
# as today's rules).
_IND_BASE = 11


class MetadataError(UserError, ValueError):
    """The workbook has no usable 管理情報 sheet; the message (Japanese) says why, the caller adds the file."""


@dataclass
class Meta:
    """What the 管理情報 sheet says about a workbook."""

    kind: str  # SURVEY or DEPARTMENT
    department: str | None
    survey: Survey  # definitions only (values empty)

    @property
    def identity(self) -> tuple[str, int, str]:
        s = self.survey
        return (s.plan.id, s.fiscal_year, s.template_version)


def to_grid(survey: Survey, kind: str = SURVEY, department: str | None = None) -> list[list[Any]]:
    plan = survey.plan
    cfg = survey.config
    rows: list[list[Any]] = [
        ["welfare-xl 管理情報", None],
        ["このシートはプログラムが読み取ります。変更しないでください。", None],
        [],
        [_SECTION_META, None],
        ["format", FORMAT],
        ["kind", kind],
        ["department", department or ""],
        ["plan_id", plan.id],
        ["plan_name", plan.name],
        ["title", plan.title],
        ["label", plan.label],
        ["sheet", plan.sheet],
        ["start_year", plan.start_year],
        ["target_year", plan.target_year],
        ["baseline_year", plan.baseline_year],
        ["fiscal_year", survey.fiscal_year],
        ["template_version", survey.template_version],
        ["year_marks", json.dumps({str(k): v for k, v in plan.year_marks.items()}, ensure_ascii=False)],
        ["footnotes", json.dumps(list(plan.footnotes), ensure_ascii=False)],
        ["headers", json.dumps(plan.headers, ensure_ascii=False)],
        ["config.change_warn_ratio", cfg.change_warn_ratio],
        ["config.reason_words", json.dumps(list(cfg.reason_words), ensure_ascii=False)],
        ["config.grade_rule", cfg.grade_rule],
        ["config.achieved_at", cfg.achieved_at],
        ["config.expected_shares", json.dumps({str(y): v for y, v in cfg.expected_shares})],
        ["config.text_max_lines", cfg.text_max_lines],
        *([f"config.{name}", getattr(cfg, name)] for name in LIMIT_FIELDS),
        ["config.final_achieved_at", "" if cfg.final_achieved_at is None else cfg.final_achieved_at],
        ["config.final_unchanged_band", cfg.final_unchanged_band],
        ["config.mid_year", "" if cfg.mid_year is None else cfg.mid_year],
        [],
        [_SECTION_GOALS],
        list(_GOAL_FIELDS),
    ]
    for g in survey.goals:
        rows.append([g.no, g.name, json.dumps(list(g.directions), ensure_ascii=False), g.pages])
    options = any(_options(i) != ["", "", "", ""] for i in survey.indicators)
    fields = _IND_FIELDS if options else _IND_FIELDS[:_IND_BASE]
    rows += [[], [_SECTION_INDICATORS], list(fields)]
    for i in survey.indicators:
        direction = {None: "", 1: "up", -1: "down"}[i.direction]
        rows.append([i.id, i.goal, i.item, i.sub_item, i.item_note, i.department, i.unit,
                     i.kind.value, i.decimals, direction, i.group, *(_options(i) if options else [])])
    if survey.decimals:
        rows += [[], [_SECTION_DECIMALS], ["id", "year", "decimals"]]
        for (ident, key), places in sorted(survey.decimals.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            rows.append([ident, key, places])
    return rows



def _bound_cell(bound: float | None) -> Any:
    if bound is None:
        return ""
    return "none" if math.isinf(bound) else bound


def _options(i: Indicator) -> list[Any]:
    """The optional fields of an indicator as 管理情報 cells: min, max, co_departments, not_surveyed_ok."""
    skip = i.not_surveyed if isinstance(i.not_surveyed, bool) else list(i.not_surveyed)
    return [_bound_cell(i.minimum), _bound_cell(i.maximum),
            json.dumps(list(i.co_departments), ensure_ascii=False) if i.co_departments else "",
            json.dumps(skip) if skip else ""]


def _read_bound(cell: Any, infinite: float) -> float | None:
    text = cell_str(cell)
    if not text:
        return None
    return infinite if text == "none" else float(text)


def _read_options(f: dict[str, Any]) -> dict[str, Any]:
    """Indicator keyword arguments from the optional fields present in a record (absent: the defaults)."""
    skip = json.loads(cell_str(f.get("not_surveyed_ok")) or "false")
    return dict(minimum=_read_bound(f.get("min"), -NO_LIMIT), maximum=_read_bound(f.get("max"), NO_LIMIT),
                co_departments=tuple(json.loads(cell_str(f.get("co_departments")) or "[]")),
                not_surveyed=skip if isinstance(skip, bool) else tuple(int(y) for y in skip))


def _section(grid: Grid, marker: str) -> int | None:
    for r, row in enumerate(grid):
        if row and cell_str(row[0]) == marker:
            return r
    return None


def from_grid(grid: Grid) -> Meta:
    """Read a 管理情報 grid. Raises MetadataError (Japanese) when it is not ours or broken.

    Parsed once per distinct content: the returns of one survey carry the same 管理情報, so a
    folder of them shares one `Meta` (read it, never change it) instead of one per file.
    """
    if grid.__class__ is list:
        for at, seen in enumerate(_RECENT):
            if seen.holds(grid):
                if at:
                    _RECENT.insert(0, _RECENT.pop(at))
                return seen.meta
    values = tuple(map(tuple, grid))
    # True == 1 == 1.0, but they read differently: the key holds each cell's type too, in one flat
    # tuple (row by row; `values` gives each row's length, so the two say every cell's value and type).
    types = tuple(map(type, chain.from_iterable(values)))
    try:
        meta = _from_content(values, types)
    except TypeError:  # a cell value that cannot be a key: parsed on its own
        return _from_grid(grid)
    if grid.__class__ is list and all(row.__class__ is list for row in grid):
        _RECENT.insert(0, _Parsed(grid, meta))
        del _RECENT[_RECENT_MAX:]
    return meta


class _Parsed:
    """A 管理情報 grid as a reader gave it (a list of lists) and what it reads as.

    `holds` tells whether another such grid is the same content, without hashing it (a folder's
    returns each bring their own strings, and hashing them was most of the cost): equal cell by
    cell, and of the same type where the type is not told by the value. A reader's cell is None,
    a str, a bool, an int, a float or a date/time; a cell equal to None is None and a cell equal
    to a str is a str, so the types to compare are those of the other cells (True == 1 == 1.0).
    """

    __slots__ = ("meta", "rows", "typed")

    def __init__(self, grid: list[list[Any]], meta: Meta) -> None:
        self.rows = [list(row) for row in grid]  # a copy: the caller's grid is its own
        self.typed = tuple((r, c, v.__class__) for r, row in enumerate(self.rows) for c, v in enumerate(row)
                           if v is not None and v.__class__ is not str)
        self.meta = meta

    def holds(self, grid: list[list[Any]]) -> bool:
        if grid != self.rows:  # rows of another kind (tuples) are never equal: parsed as a key
            return False
        return all(grid[r][c].__class__ is kind for r, c, kind in self.typed)


# The last distinct 管理情報 grids read as lists, newest first.
_RECENT: list[_Parsed] = []
_RECENT_MAX = 16


@lru_cache(maxsize=16)
def _from_content(grid: tuple[tuple[Any, ...], ...], types: tuple[type, ...]) -> Meta:
    return _from_grid(grid)


def _from_grid(grid: Grid) -> Meta:
    start = _section(grid, _SECTION_META)
    if start is None:
        raise MetadataError("管理情報がありません（この調査票から作られたファイルではありません）。")
    kv: dict[str, str] = {}
    for row in grid[start + 1:]:
        key = cell_str(row[0]) if row else ""
        if not key or key.startswith("wxl:"):
            break
        kv[key] = cell_str(row[1]) if len(row) > 1 else ""
    if kv.get("format") != FORMAT:
        raise MetadataError(f"管理情報の形式「{kv.get('format', '')}」に対応していません（対応：{FORMAT}）。")
    try:
        plan = Plan(
            id=kv["plan_id"], name=kv["plan_name"], title=kv["title"], label=kv.get("label", ""),
            sheet=kv["sheet"], start_year=int(kv["start_year"]), target_year=int(kv["target_year"]),
            baseline_year=int(kv["baseline_year"]),
            year_marks={int(k): v for k, v in json.loads(kv.get("year_marks") or "{}").items()},
            footnotes=tuple(json.loads(kv.get("footnotes") or "[]")),
            headers=dict(json.loads(kv.get("headers") or "{}")),
        )
        config = Config(
            change_warn_ratio=float(kv.get("config.change_warn_ratio", Config.change_warn_ratio)),
            reason_words=tuple(json.loads(kv["config.reason_words"])) if kv.get("config.reason_words") else Config.reason_words,
            grade_rule=kv.get("config.grade_rule") or Config.grade_rule,
            achieved_at=float(kv.get("config.achieved_at") or Config.achieved_at),
            expected_shares=tuple(sorted((int(y), float(v)) for y, v in
                                         json.loads(kv.get("config.expected_shares") or "{}").items())),
            text_max_lines=int(kv.get("config.text_max_lines") or Config.text_max_lines),
            **limits_from(kv, "config."),
            final_achieved_at=_optional(kv.get("config.final_achieved_at"), float),
            final_unchanged_band=float(kv.get("config.final_unchanged_band") or Config.final_unchanged_band),
            mid_year=_optional(kv.get("config.mid_year"), lambda v: int(float(v))),
        )
        goals = tuple(
            Goal(no=int(float(r[0])), name=cell_str(r[1]), directions=tuple(json.loads(cell_str(r[2]) or "[]")), pages=cell_str(r[3]))
            for r in _records(grid, _SECTION_GOALS, len(_GOAL_FIELDS))
        )
        indicators = []
        names = _indicator_fields(grid)
        for r in _records(grid, _SECTION_INDICATORS, len(names)):
            f = dict(zip(names, r))
            indicators.append(Indicator(
                id=cell_str(f["id"]), goal=int(float(f["goal"])), item=cell_str(f["item"]), sub_item=cell_str(f["sub_item"]),
                item_note=cell_str(f["item_note"]), department=cell_str(f["department"]), unit=cell_str(f["unit"]),
                kind=Kind(cell_str(f["kind"])), decimals=int(float(f["decimals"] or 0)),
                direction={"": None, "up": 1, "down": -1}[cell_str(f["direction"])], group=cell_str(f["group"]),
                **_read_options(f),
            ))
        survey = Survey(plan=plan, fiscal_year=int(kv["fiscal_year"]), template_version=kv["template_version"],
                        goals=goals, indicators=tuple(indicators), config=config)
        if _section(grid, _SECTION_DECIMALS) is not None:
            for r in _records(grid, _SECTION_DECIMALS, 3):
                key = cell_str(r[1])
                year: int | str = int(float(key)) if key.replace(".", "", 1).isdigit() else key
                survey.decimals[(cell_str(r[0]), year)] = int(float(r[2]))
    except (KeyError, ValueError, TypeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"管理情報が壊れています（{exc}）。") from exc
    if not survey.indicators:
        raise MetadataError("管理情報に指標の定義がありません。")
    if any(not i.group for i in survey.indicators):
        survey.indicators = assign_groups(list(survey.indicators))
    kind = kv.get("kind", SURVEY)
    return Meta(kind=kind, department=kv.get("department") or None, survey=survey)


def _indicator_fields(grid: Grid) -> list[str]:
    """The indicator section's field names, by its field-name row: the base fields in their fixed
    place, then whichever optional fields the row names (an older 管理情報 names none)."""
    start = _section(grid, _SECTION_INDICATORS)
    row = list(grid[start + 1]) if start is not None and start + 1 < len(grid) else []
    named = [cell_str(v) for v in row[_IND_BASE:]]
    optional = []
    for name in named:
        if name not in _IND_FIELDS[_IND_BASE:]:
            break
        optional.append(name)
    return _IND_FIELDS[:_IND_BASE] + optional


def _optional(raw: str | None, kind):
    """An optional setting: None when the cell is empty or absent, else `kind(raw)`."""
    return None if raw is None or raw == "" else kind(raw)


def _records(grid: Grid, marker: str, width: int) -> list[list[Any]]:
    start = _section(grid, marker)
    if start is None:
        raise KeyError(marker)
    out = []
    for row in grid[start + 2:]:  # skip the field-name row
        cells = list(row) + [None] * (width - len(row))
        if not cell_str(cells[0]):
            break
        out.append(cells[:width])
    return out
