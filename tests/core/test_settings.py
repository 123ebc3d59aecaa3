"""Template settings: the per-file limits travel from the source file to the 管理情報 and back."""

from __future__ import annotations

import tomllib
from dataclasses import replace

from support.paths import TEMPLATE_SOURCE

from welfare_xl.core.model.metadata import SURVEY, from_grid, to_grid
from welfare_xl.core.model.source import parse_source
from welfare_xl.core.model.survey import LIMIT_FIELDS, Config


def _source(**config):
    data = tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))
    data["config"].update(config)
    return parse_source(data, "test").survey


def test_limits_default_when_the_source_omits_them() -> None:
    data = tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))
    for name in LIMIT_FIELDS:
        data["config"].pop(name, None)
    cfg = parse_source(data, "test").survey.config
    assert [getattr(cfg, n) for n in LIMIT_FIELDS] == [getattr(Config, n) for n in LIMIT_FIELDS]


def test_limits_round_trip_through_the_metadata_sheet() -> None:
    survey = _source(max_file_mb=3.5, max_sheet_cells=5000, max_number=1e9, max_text_chars=400)
    assert survey.config.max_file_mb == 3.5 and survey.config.max_sheet_cells == 5000
    back = from_grid(to_grid(survey, SURVEY)).survey.config
    assert back == survey.config
    assert isinstance(back.max_sheet_cells, int) and isinstance(back.max_text_chars, int)


def test_a_metadata_sheet_without_limits_reads_the_defaults() -> None:
    survey = _source()
    grid = [row for row in to_grid(replace(survey), SURVEY)
            if not (row and isinstance(row[0], str) and row[0].startswith("config.max_"))]
    cfg = from_grid(grid).survey.config
    assert cfg.max_inflate_ratio == Config.max_inflate_ratio and cfg.max_number == Config.max_number


def test_a_values_own_display_decimals_travel_through_the_metadata_sheet() -> None:
    """The plan book prints 48.4% beside a target of 58.40%: the baseline keeps its one decimal."""
    survey = _source()
    ind = survey.indicator("G4-01")
    assert survey.value_decimals(ind, 2017) != ind.decimals
    assert survey.value_decimals(ind, "target") == ind.decimals
    back = from_grid(to_grid(survey, SURVEY)).survey
    assert back.decimals == survey.decimals and back.decimals
    assert back.value_decimals(back.indicator("G4-01"), 2017) == survey.value_decimals(ind, 2017)


def test_final_evaluation_settings_round_trip_through_the_metadata_sheet() -> None:
    survey = _source(final_achieved_at=0.95, final_unchanged_band=0.05, mid_year=2020)
    assert (survey.config.final_achieved_at, survey.config.final_unchanged_band, survey.config.mid_year) == (0.95, 0.05, 2020)
    back = from_grid(to_grid(survey, SURVEY)).survey.config
    assert back == survey.config
    assert isinstance(back.mid_year, int)


def test_final_evaluation_settings_left_out_read_as_their_defaults() -> None:
    """Unset, final_achieved_at and mid_year stay None (achieved_at and the plan's middle year apply)."""
    data = tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))
    for name in ("final_achieved_at", "final_unchanged_band", "mid_year"):
        data["config"].pop(name, None)
    survey = parse_source(data, "test").survey
    assert survey.config.final_achieved_at is None and survey.config.mid_year is None
    assert survey.config.final_unchanged_band == Config.final_unchanged_band == 0.1
    back = from_grid(to_grid(survey, SURVEY)).survey.config
    assert back.final_achieved_at is None and back.mid_year is None
    # An older 管理情報 without the rows reads the defaults too.
    grid = [row for row in to_grid(survey, SURVEY)
            if not (row and isinstance(row[0], str) and row[0] in ("config.final_achieved_at",
                                                                    "config.final_unchanged_band", "config.mid_year"))]
    assert from_grid(grid).survey.config == back
