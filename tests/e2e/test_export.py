"""The tidy pandas table (welfare_xl.core.tidy) and `welfare-xl export --csv`, on a consolidated file."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from support.fill import fill_department
from support.paths import TEMPLATE
from support.seed import seed_inputs, seed_table

from welfare_xl.cli import main
from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.export import defuse, export_csv, read_consolidated
from welfare_xl.commands.split import split
from welfare_xl.core.model.numbers import parse_value
from welfare_xl.core.tidy import COLUMNS, tidy_frame
from welfare_xl.files.survey_file import load_survey_file

SAVED = datetime(2020, 5, 8, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory) -> Path:
    """The template consolidated from every department's seed figures; 地域共生課 writes a formula-like text."""
    base = tmp_path_factory.mktemp("export")
    survey = base / "調査票.xlsx"
    shutil.copy(TEMPLATE, survey)
    split(survey, base / "提出")
    for path in (base / "提出").iterdir():
        values, texts = seed_inputs(path.stem)
        if path.stem == "地域共生課":
            texts["G1-01"] = ("=HYPERLINK(\"http://example.invalid\")", "-継続する")
        fill_department(path, values, texts, saved=SAVED)
    consolidate(survey, base / "提出", base / "集約.xlsx")
    return base / "集約.xlsx"


def test_tidy_frame_one_row_per_indicator_and_year(consolidated: Path):
    frame = read_consolidated(consolidated)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 15 * 4  # 平成29, 平成30, 令和元 and the 令和５ target
    assert frame.groupby("indicator_id").size().eq(4).all()
    roles = frame[frame.indicator_id == "G1-01"][["fiscal_year", "year_label", "role", "role_label"]]
    assert roles.values.tolist() == [[2017, "平成29年度", "baseline", "現状値"], [2018, "平成30年度", "reference", "参考値"],
                                     [2019, "令和元年度", "actual", "実績値"], [2023, "令和５年度", "target", "目標値"]]
    assert str(frame["value"].dtype) == "float64" and str(frame["fiscal_year"].dtype) == "int64"


def test_tidy_frame_values_match_the_seed(consolidated: Path):
    frame = read_consolidated(consolidated).set_index(["indicator_id", "role"])
    survey = load_survey_file(consolidated)[0]
    columns = {"baseline": "baseline", "reference": "reference", "actual": "actual", "target": "target"}
    for ind_id, row in seed_table().items():
        ind = survey.indicator(ind_id)
        for role, attr in columns.items():
            printed = getattr(row, attr)
            got = frame.loc[(ind_id, role)]
            parsed = parse_value(printed, ind.unit, ind.kind)
            if printed == "－":
                assert got.value_status == "not_available" and pd.isna(got.value)
            else:
                assert got.value == pytest.approx(parsed.value), (ind_id, role)
                assert got.value_status == "number"
    # Percent figures are fractions, displayed as printed.
    assert frame.loc[("G4-01", "actual")].value_display == "50.70%"
    assert frame.loc[("G2-01", "actual")].value_display == "20,135世帯"


def test_grades_and_texts_only_on_the_survey_year(consolidated: Path):
    frame = read_consolidated(consolidated)
    actual = frame[frame.role == "actual"].set_index("indicator_id")
    others = frame[frame.role != "actual"]
    assert others["grade"].isna().all() and others["done"].isna().all()
    assert actual.loc["G5-02", "grade"] == "× 悪化" and actual.loc["G5-02", "grade_code"] == "worse"
    assert actual.loc["G2-01", "progress"] == pytest.approx((20135 - 19177) / (20186 - 19177))
    assert actual.loc["G2-02a", "done"].startswith("ふれあいのまちづくり新聞")
    assert pd.isna(actual.loc["G2-02b", "done"]) and actual.loc["G2-02b", "group"] == "G2-02a"


def test_tidy_frame_of_a_blank_survey_has_empty_actuals():
    survey = load_survey_file(TEMPLATE)[0]
    frame = tidy_frame(survey)
    actual = frame[frame.role == "actual"]
    assert (actual.value_status == "empty").all() and actual["value"].isna().all()
    assert set(actual.grade) == {"－ 評価不能"}


def test_export_csv_utf8_bom_for_excel_and_no_formulas(consolidated: Path, tmp_path: Path):
    out = export_csv(consolidated, tmp_path / "集約.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Japanese Excel needs to read UTF-8
    assert b"\r\n" in raw
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back.columns) == COLUMNS and len(back) == 60
    frame = read_consolidated(consolidated)
    assert back["value"].tolist() == pytest.approx(frame["value"].tolist(), nan_ok=True)
    row = back[(back.indicator_id == "G1-01") & (back.role == "actual")].iloc[0]
    assert row["done"] == "'=HYPERLINK(\"http://example.invalid\")"
    assert row["next"] == "'-継続する"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".~wxl-")]


def test_defuse_leaves_numbers_and_plain_text_alone():
    assert defuse("@SUM(A1)") == "'@SUM(A1)" and defuse("+81") == "'+81"
    assert defuse("－") == "－" and defuse("普通の文") == "普通の文" and defuse(-1.5) == -1.5 and defuse(None) is None


def test_cli_export(consolidated: Path, tmp_path: Path, capsys):
    out = tmp_path / "出力" / "集約.csv"
    assert main(["export", str(consolidated), "--csv", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert out.exists()
    assert main(["export", str(tmp_path / "ない.xlsx"), "--csv", str(out)]) == 2
