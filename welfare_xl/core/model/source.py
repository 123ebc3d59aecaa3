"""A survey template's source (the plan's data, as parsed TOML) turned into a survey.

Values are written as the plan book prints them ("19,177世帯", "48.4%", "－") and
parsed with the same parser that reads departments' input, keeping the decimals
shown so the generated template displays them the same way. `parse_source`
takes the parsed TOML as a dict; the file is read by `welfare_xl.files.source`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from welfare_xl.core.model.numbers import NOT_AVAILABLE_MARKS, Kind, Status, parse_value
from welfare_xl.core.model.survey import (
    DEFAULT_HEADERS,
    NO_LIMIT,
    NOT_AVAILABLE,
    Config,
    Goal,
    Indicator,
    Plan,
    Survey,
    Value,
    assign_groups,
    limits_from,
)
from welfare_xl.core.model.wording import header_fields
from welfare_xl.errors import UserError


class SourceError(UserError, ValueError):
    """The template source file is not usable; the message says where and why."""


@dataclass
class SourceSurvey:
    """A survey read from its source, with the display decimals of each value."""

    survey: Survey
    # (indicator id, year or "target") -> decimals as printed in the source
    decimals: dict[tuple[str, int | str], int] = field(default_factory=dict)


def _value(raw: object, ind: Indicator, where: str) -> tuple[Value, int]:
    if isinstance(raw, str) and raw.strip() in NOT_AVAILABLE_MARKS:
        return NOT_AVAILABLE, 0
    parsed = parse_value(raw, ind.unit, ind.kind)
    if parsed.status is not Status.NUMBER:
        raise SourceError(f"{where}: 「{raw}」を数値として読めません。{parsed.error or ''}")
    return parsed.value, parsed.decimals or 0


def _bound(raw: object, ind: Indicator, where: str, infinite: float) -> float | None:
    """A `min`/`max` of the source, written as the indicator's values are ("-20%", 150, "2.0人/km");
    "なし" (or "none") is no bound on that side (`infinite`), an absent one today's rule (None)."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().lower() in ("なし", "none"):
        return infinite
    value, _ = _value(raw, ind, where)
    if not isinstance(value, (int, float)):
        raise SourceError(f"{where}: 「{raw}」は範囲の値として使えません（数値か「なし」を書きます）。")
    return float(value)


def _indicator_options(ind: Indicator, r: dict, where: str) -> Indicator:
    """The indicator with its optional fields from the source: value range, co-owners, years not surveyed."""
    low, high = _bound(r.get("min"), ind, f"{where} min", -NO_LIMIT), _bound(r.get("max"), ind, f"{where} max", NO_LIMIT)
    probe = replace(ind, minimum=low, maximum=high)
    if probe.value_range[0] > probe.value_range[1]:
        raise SourceError(f"{where}: min が max より大きくなっています。")
    co = r.get("co_departments", [])
    if isinstance(co, str) or not all(isinstance(d, str) and d.strip() for d in co):
        raise SourceError(f"{where}: co_departments は部署名のリストで書きます（例：[\"福祉課\"]）。")
    co_t = tuple(dict.fromkeys(d.strip() for d in co if d.strip() != ind.department))
    skip = r.get("not_surveyed_ok", False)
    if isinstance(skip, list) and all(isinstance(y, int) and not isinstance(y, bool) for y in skip):
        skip = tuple(sorted(set(skip)))
    elif not isinstance(skip, bool):
        raise SourceError(f"{where}: not_surveyed_ok は true／false か年度のリスト（例：[2020, 2022]）で書きます。")
    return replace(probe, co_departments=co_t, not_surveyed=skip)


def _headers(raw: dict, where: str) -> dict[str, str]:
    unknown = set(raw) - set(DEFAULT_HEADERS)
    if unknown:
        raise SourceError(f"{where}: [plan.headers] に不明な項目があります：{'、'.join(sorted(unknown))}"
                          f"（使える項目：{'、'.join(DEFAULT_HEADERS)}）")
    headers = {k: str(v) for k, v in raw.items()}
    for key, text in headers.items():
        fields = header_fields(key)
        try:
            text.format(**{name: "" for name in fields})
        except (KeyError, IndexError, ValueError) as exc:
            usable = "、".join("{" + name + "}" for name in sorted(fields)) or "なし"
            raise SourceError(f"{where}: [plan.headers] の {key}「{text}」の差し込み（{{…}}）が読めません（{exc}）。"
                              f"使える差し込み：{usable}。波かっこそのものは {{{{ }}}} と書きます。") from exc
    return headers


def _config(cfg: dict) -> Config:
    """The [config] table's settings, each as its default's type; left out, the default."""
    return Config(
        change_warn_ratio=float(cfg.get("change_warn_ratio", Config.change_warn_ratio)),
        reason_words=tuple(cfg.get("reason_words", Config.reason_words)),
        grade_rule=cfg.get("grade_rule", Config.grade_rule),
        achieved_at=float(cfg.get("achieved_at", Config.achieved_at)),
        expected_shares=tuple(sorted((int(k), float(v)) for k, v in cfg.get("expected_shares", {}).items())),
        text_max_lines=int(cfg.get("text_max_lines", Config.text_max_lines)),
        **limits_from(cfg),
        final_achieved_at=None if cfg.get("final_achieved_at") is None else float(cfg["final_achieved_at"]),
        final_unchanged_band=float(cfg.get("final_unchanged_band", Config.final_unchanged_band)),
        mid_year=None if cfg.get("mid_year") is None else int(cfg["mid_year"]),
    )


def parse_source(data: dict, where: str = "source") -> SourceSurvey:
    """The survey a source's data describes; `where` names the source in messages."""
    try:
        p = data["plan"]
        plan = Plan(
            id=p["id"], name=p["name"], title=p["title"], label=p.get("label", ""),
            sheet=p.get("sheet", p.get("label", "調査票")),
            start_year=int(p["start_year"]), target_year=int(p["target_year"]),
            baseline_year=int(p["baseline_year"]),
            year_marks={int(k): v for k, v in p.get("year_marks", {}).items()},
            footnotes=tuple(p.get("footnotes", ())),
            headers=_headers(p.get("headers", {}), where),
        )
        fiscal_year = int(p["fiscal_year"])
        config = _config(data.get("config", {}))
        goals = tuple(
            Goal(no=int(g["no"]), name=g["name"], directions=tuple(g.get("directions", ())), pages=str(g.get("pages", "")))
            for g in data["goals"]
        )
        raw_inds = data["indicators"]
    except SourceError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(f"{where}: 必須の項目がありません（{exc}）") from exc

    goal_nos = {g.no for g in goals}
    seen: set[str] = set()
    indicators: list[Indicator] = []
    for n, r in enumerate(raw_inds, 1):
        where_i = f"{where}: indicators[{n}]"
        try:
            ind = Indicator(
                id=str(r["id"]), goal=int(r["goal"]), item=r["item"], department=r["department"],
                unit=r.get("unit", ""), kind=Kind(r.get("kind", "count")), sub_item=r.get("sub_item", ""),
                item_note=r.get("item_note", ""),
                direction={None: None, "up": 1, "down": -1}[r.get("direction")],
            )
        except (KeyError, ValueError) as exc:
            raise SourceError(f"{where_i}: 定義が不完全です（{exc}）") from exc
        ind = _indicator_options(ind, r, f"{where}: {ind.id}")
        if ind.id in seen:
            raise SourceError(f"{where_i}: ID「{ind.id}」が重複しています。")
        if ind.goal not in goal_nos:
            raise SourceError(f"{where_i}: 基本目標{ind.goal}が定義されていません。")
        seen.add(ind.id)
        indicators.append(ind)
    indicators_t = assign_groups(indicators)

    survey = Survey(plan=plan, fiscal_year=fiscal_year, template_version=str(p.get("template_version", "1")),
                    goals=goals, indicators=indicators_t, config=config)
    decimals: dict[tuple[str, int | str], int] = {}
    final: list[Indicator] = []
    for ind, r in zip(indicators_t, raw_inds):
        vals: dict[int, Value] = {}
        for year_s, raw in r.get("values", {}).items():
            year = int(year_s)
            vals[year], decimals[(ind.id, year)] = _value(raw, ind, f"{where}: {ind.id} {year}")
        for year in range(plan.baseline_year, fiscal_year + 1):
            vals.setdefault(year, None)
        target: Value = None
        if r.get("target") is not None:
            target, decimals[(ind.id, "target")] = _value(r["target"], ind, f"{where}: {ind.id} target")
        survey.values[ind.id] = vals
        survey.targets[ind.id] = target
        # The input cell shows as many decimals as the most precise printed value.
        shown = [d for (i, _), d in decimals.items() if i == ind.id]
        final.append(replace(ind, decimals=max(shown, default=0)))
    survey.indicators = tuple(final)
    survey.decimals = _own_decimals(survey, decimals)
    return SourceSurvey(survey=survey, decimals=decimals)


def _own_decimals(survey: Survey, decimals: dict[tuple[str, int | str], int]) -> dict[tuple[str, int | str], int]:
    """The printed decimals of numeric values that differ from their indicator's (`Survey.decimals`)."""
    by_id = {ind.id: ind for ind in survey.indicators}

    def numeric(key: tuple[str, int | str]) -> bool:
        value = survey.targets[key[0]] if key[1] == "target" else survey.values[key[0]].get(key[1])
        return isinstance(value, (int, float))

    return {k: d for k, d in decimals.items() if d != by_id[k[0]].decimals and numeric(k)}
