"""A second plan through every command: none of the first plan's words in any output, and every label fits.

The plan below is written here, not shipped: another city, eleven goals (so labels
like 方針10 appear), three departments, other units, an eight-year plan, every
wording key (`core.model.wording.DEFAULT_HEADERS`) set differently, a lower-is-better,
a keep-the-level and a no-baseline indicator and a 78-character item name. It goes
through the commands as a secretariat runs them (template build, split, fill, check,
consolidate, committee --pdf, export, undo), each one step of `STEPS`; a later
command (rollover, final) is one more step. Every output is then read whole: every
cell of every sheet of every workbook (管理情報 included: it holds the plan's own
data), the CLI's stdout and stderr, the CSV and the PDF's text (pdftotext), and none
may show a word of the first plan: the words its defaults print and the shipped
source's own names (`first_plan_words`).
"""

from __future__ import annotations

import io
import re
import subprocess
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from openpyxl import load_workbook
from support.fill import fill_department
from support.paths import TEMPLATE_SOURCE

from welfare_xl.cli import main
from welfare_xl.core.model import layout
from welfare_xl.core.model.source import parse_source
from welfare_xl.core.model.survey import Survey
from welfare_xl.core.model.wording import DEFAULT_HEADERS, header_fields
from welfare_xl.core.progress import CODES, Grade
from welfare_xl.core.sheets.committee import committee_specs
from welfare_xl.core.sheets.department import DEPARTMENT_SHEET_ROWS, department_sheet
from welfare_xl.core.sheets.fit import misfits
from welfare_xl.core.sheets.master import SURVEY_SHEET_ROWS, survey_sheet
from welfare_xl.core.sheets.spec import SheetSpec
from welfare_xl.core.sheets.table import TableRows
from welfare_xl.files.survey_file import load_survey_file

LONG_ITEM = ("地域の通いの場や趣味の集まりなどに月一回以上参加している六十五歳以上の市民の割合"
             "（介護予防に資する活動への参加状況を把握した日常の生活圏域ニーズ調査による）")
assert len(LONG_ITEM) == 78

# Every wording key set differently from its default (`test_every_key_is_worded_anew` holds it to that).
HEADERS = {
    "baseline": "（基準値）", "plan_year": "（第{n}年次）", "target": "（到達目標）",
    "done": "{year}の実施内容", "done_note": "数値が動いた要因を含む", "next": "{next_year}の方針",
    "next_note": "改善策など", "goal_column": "施策体系", "pages_column": "掲載頁", "item_column": "評価指標",
    "sub_item_column": "内訳", "department_column": "所管課", "unit_column": "計測単位",
    "grade_column": "達成度判定", "goal": "重点方針", "goal_label": "方針{n}", "baseline_value": "基準値",
    "done_word": "実施内容", "next_word": "次年度方針", "as_of": "{year}末時点",
    "lower_example": "待機日数の短縮", "committee_title": "審議会報告資料", "summary_sheet": "判定の集計",
    "history_sheet": "前年度までの記録", "history_title": "{title}　年次記録",
    "history_note": "{done}・{next}・{grade}は年次の切替え時に移します。数値は{sheet}にあります。",
    "prev_next": "{prev_year}の方針（参考）", "prev_next_note": "編集不可", "rollover_book": "管理表_{next_year}",
    "co_owned_mark": "{department}で入力", "co_owned_instruction": "他課が入力する行があります。",
    "co_departments": "{department}・{co}", "substitute_baseline": "{year}の値を{baseline}の代わりとした。",
    "substitute_value": "{year}は未調査のため{value_year}の値による。",
    "trend": "判定の移り変わり（{first}～{last}）", "trend_estimated": "※　{years}の判定は数値からの再計算。",
    "trend_estimated_mark": "＃", "trend_estimated_marked": "※　「{mark}」は数値からの再計算。",
    "omitted_years": "※　{years}は紙幅の都合で「{mark}」にまとめた。", "omitted_mark": "～",
    "chart_labels": "図の見出し（短縮）",
    "final_sheet": "総括", "final_goals_sheet": "総括（方針別）", "final_title": "{plan}　計画期間の総括",
    "final_title_provisional": "{plan}　総括（{year}時点の見通し）", "final_mid": "中間時点", "final_latest": "直近",
    "final_target": "到達目標値", "final_achievement": "到達度", "final_category": "総括区分",
    "final_review": "成果と残る課題", "final_direction": "次のプランへの引継ぎ",
    "final_formula": "到達度は基準値から到達目標値までの距離のうち進んだ割合。",
    "final_mid_rule": "中間時点は{year}。", "final_mid_set": "中間時点は設定により{year}。",
    "final_def_achieved": "到達度{achieved}以上。", "final_def_improved": "到達度{improved}。",
    "final_def_unchanged": "到達度{unchanged}。", "final_def_worse": "到達度{worse}。",
    "final_def_na": "数値が足りず判定できない。", "final_note_first": "{mark}　基準値の代わりに初めて測った年の値。",
    "final_note_earlier": "{mark}　未調査の年はその前の値。", "final_note_target_year": "※　最終年度の判定について。",
    "final_note_provisional": "※　{year}より前の見通し。", "final_input_note": "右の二欄は事務局が記入する。",
}

GOALS = ["健やかな生活習慣の定着", "こころの健康を支える", "歯と口の健康", "がん検診の受診促進", "食育の推進",
         "たばこ対策", "介護予防の推進", "認知症とともに生きる", "住まいと移動の支え", "健康危機への備え",
         "データに基づく健康施策"]


def _toml_headers() -> str:
    return "\n".join(f'{k} = "{v}"' for k, v in HEADERS.items())


OTHER = f'''
[plan]
id = "minami-kenko-choju-3"
name = "第３次みなみ野市健康長寿プラン"
title = "第３次みなみ野市健康長寿プラン 進捗管理表"
label = "別紙３"
sheet = "進捗一覧"
start_year = 2022
target_year = 2029
baseline_year = 2021
fiscal_year = 2023
template_version = "R5-b"
year_marks = {{ 2021 = "＊" }}
footnotes = ["＊　令和３年度の数値を基準とする。"]

[plan.headers]
{_toml_headers()}

[config]
change_warn_ratio = 0.3
reason_words = ["要因", "増加", "減少"]

{"".join(f"""
[[goals]]
no = {n}
name = "{name}"
directions = ["{name}に向けた取組"]
pages = "{10 + 2 * n}-{11 + 2 * n}"
""" for n, name in enumerate(GOALS, 1))}
''' + '''
[[indicators]]
id = "A-01"
goal = 1
item = "朝食を毎日食べる児童の割合"
department = "健康推進室"
unit = "%"
kind = "percent"
values = { 2021 = "88.0%", 2022 = "88.5%" }
target = "95.0%"

[[indicators]]
id = "A-02"
goal = 2
item = "ゲートキーパー養成数"
department = "健康推進室"
unit = "人"
kind = "count"
values = { 2021 = "120人", 2022 = "150人" }
target = "600人"

[[indicators]]
id = "A-03"
goal = 3
item = "歯科健診の受診者数"
sub_item = "成人"
department = "健康推進室"
unit = "人"
kind = "count"
values = { 2021 = "2,400人", 2022 = "2,520人" }
target = "3,000人"

[[indicators]]
id = "A-04"
goal = 3
item = "歯科健診の受診者数"
sub_item = "妊婦"
department = "健康推進室"
unit = "人"
kind = "count"
values = { 2021 = "310人", 2022 = "298人" }
target = "400人"

[[indicators]]
id = "B-01"
goal = 4
item = "胃がん検診の受診率"
department = "保険年金課"
unit = "%"
kind = "percent"
values = { 2021 = "9.8%", 2022 = "10.4%" }
target = "20.0%"

[[indicators]]
id = "B-02"
goal = 5
item = "食育講座の参加者"
department = "保険年金課"
unit = "人"
kind = "count"
values = { 2021 = "－", 2022 = "410人" }
target = "800人"

[[indicators]]
id = "B-03"
goal = 6
item = "特定健診受診者の喫煙率"
department = "保険年金課"
unit = "%"
kind = "percent"
values = { 2021 = "14.2%", 2022 = "13.9%" }
target = "12.0%"

[[indicators]]
id = "C-01"
goal = 7
item = "''' + LONG_ITEM + '''"
department = "長寿支援課"
unit = "%"
kind = "percent"
values = { 2021 = "31.0%", 2022 = "30.2%" }
target = "40.0%"

[[indicators]]
id = "C-02"
goal = 8
item = "認知症サポーター養成講座の開催回数"
department = "長寿支援課"
unit = "回"
kind = "count"
values = { 2021 = "24回", 2022 = "24回" }
target = "24回"
direction = "up"

[[indicators]]
id = "C-03"
goal = 9
item = "送迎支援の利用登録までの平均待機日数"
department = "長寿支援課"
unit = "日"
kind = "rate"
values = { 2021 = "18.5日", 2022 = "16.0日" }
target = "7.0日"

[[indicators]]
id = "C-04"
goal = 10
item = "避難行動要支援者の個別避難計画の作成数"
department = "長寿支援課"
unit = "件"
kind = "count"
values = { 2021 = "150件", 2022 = "210件" }
target = "900件"

[[indicators]]
id = "C-05"
goal = 11
item = "健診データを活用した保健指導の実施率"
department = "保険年金課"
unit = "%"
kind = "percent"
values = { 2021 = "22.0%", 2022 = "23.5%" }
target = "35.0%"
'''

# What each department types for 令和５年度 (as a clerk does: units, full-width digits) and its texts.
RETURNS = {
    "健康推進室": ({"A-01": "89.2%", "A-02": "２１０", "A-03": "2,610人", "A-04": 305},
              {"A-01": ("朝食の啓発を学校で実施。", "家庭への周知を続ける。"),
               "A-02": ("養成講座を年4回開催。増加の要因は職域での開催。", "職域での講座を広げる。"),
               "A-03": ("受診券を個別に送付。", "未受診者に再勧奨する。")}),
    "保険年金課": ({"B-01": "11.0%", "B-02": "455", "B-03": "13.1%", "C-05": "25.0%"},
              {"B-01": ("休日検診を新設。", "予約の電子化を進める。"),
               "B-02": ("講座をオンラインでも開催。", "地区ごとに開催する。"),
               "B-03": ("禁煙外来の費用を助成。", "助成を継続する。"),
               "C-05": ("対象者に個別通知。", "通知の時期を早める。")}),
    "長寿支援課": ({"C-01": "32.8%", "C-02": "24", "C-03": "12.5", "C-04": "300件"},
              {"C-01": ("通いの場を新たに6か所立ち上げた。", "担い手の養成を進める。"),
               "C-02": ("各地区で開催。", "同じ水準で開催する。"),
               "C-03": ("事業者を1社追加。減少の要因は事業者の追加。", "さらに短縮を図る。"),
               "C-04": ("作成を福祉専門職に委託。増加の要因は委託。", "委託先を増やす。")}),
}


# --- the first plan's words ----------------------------------------------------------------

# Words of the defaults that the tool also uses as plain vocabulary for any plan, as it uses
# 実績値 and 年度: the target is 目標値 in the progress formula and the legend whatever the
# target column is headed.
# Words of any plan, not the first plan's: the target figure, and the project's own grade labels and
# definitions (quoted by the final evaluation's defaults), which are the same for every plan.
# Pieces left by splitting a default at its fields and brackets that are only a mark or an ending
# (＊, …, です。) are no plan's words either.
GENERIC = {"目標値", "目標値に達した", *(Grade.of(code).label for code in CODES), "です。", "＊", "…", "列"}


def _pieces(text: str) -> list[str]:
    """The literal words of a default's wording: split at its fields, line breaks and brackets,
    a leading の dropped (「{year}の取組状況」 -> 取組状況)."""
    parts = re.split(r"\{[^}]*\}|\n|[（）「」]", text)
    return [p.removeprefix("の").strip() for p in parts if p.strip()]


def first_plan_words() -> tuple[set[str], set[str]]:
    """(words no output may contain, short words no cell or line may be) of the first plan:
    today's wording defaults and the shipped source's own names. A word of three characters
    or more is looked for anywhere; a shorter one (項目, 単位) is a generic word inside a
    sentence, so only a whole cell or line that is that word counts."""
    source = tomllib.loads(TEMPLATE_SOURCE.read_text(encoding="utf-8"))
    plan = source["plan"]
    words = {"西東京", "地域福祉", "資料２", "推進委員会", "相談件数", "計画1年目", "計画１年目", "ページ番号",
             "施策の方向", "年度末日現在"}
    words |= {plan["name"], plan["title"], plan["label"], plan["sheet"], *plan["footnotes"]}
    for goal in source["goals"]:
        words |= {goal["name"], *goal["directions"]}
    for ind in source["indicators"]:
        words |= {ind["item"], ind["department"], ind.get("sub_item", ""), ind.get("item_note", "")}
    for default in DEFAULT_HEADERS.values():
        words |= set(_pieces(default))
        words.add(default.replace("\n", ""))
    words = {w for w in words if w and w not in GENERIC}
    return {w for w in words if len(w) >= 3}, {w for w in words if len(w) < 3}


LONG_WORDS, SHORT_WORDS = first_plan_words()


def first_plan_words_in(text: str) -> set[str]:
    """The first plan's words found in an output's text (lines compared whole for the short ones)."""
    found = {w for w in LONG_WORDS if w in text}
    lines = {line.strip() for line in re.split(r"[\n|\t,]", text)}
    return found | (SHORT_WORDS & lines)


def workbook_text(path: Path) -> dict[str, str]:
    """Every cell of every sheet (hidden ones included), one text per sheet, cells on their own lines;
    the workbook's title too."""
    wb = load_workbook(path)
    out = {f"{path.name}!{ws.title}": "\n".join(str(c.value) for row in ws.iter_rows() for c in row
                                              if c.value is not None) for ws in wb.worksheets}
    out[f"{path.name}（シート名・タイトル）"] = "\n".join(wb.sheetnames + [wb.properties.title or ""])
    for ws in wb.worksheets:  # data validation prompts show in Excel like cells do
        prompts = [str(x) for dv in ws.data_validations.dataValidation
                   for x in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if x]
        if prompts:
            out[f"{path.name}!{ws.title}（入力規則）"] = "\n".join(prompts)
    return out


# --- the steps -----------------------------------------------------------------------------


@dataclass
class Run:
    """Where the second plan's year is played, and everything it put out."""

    root: Path
    survey: Path | None = None
    consolidated: Path | None = None
    committee: Path | None = None
    pdf: Path | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # name -> text, every output read
    codes: dict[str, int] = field(default_factory=dict)  # step -> exit code

    def cli(self, step: str, *argv: str) -> str:
        """`welfare-xl *argv` in this process, its stdout and stderr kept as one output."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            self.codes[step] = main(list(argv))
        text = out.getvalue() + err.getvalue()
        assert "Traceback" not in text and "予期しないエラー" not in text, text
        self.outputs[f"CLI {step}"] = text
        return text

    def book(self, path: Path) -> None:
        self.outputs.update(workbook_text(path))


def step_template(run: Run) -> None:
    source = run.root / "別の計画.toml"
    source.write_text(OTHER, encoding="utf-8")
    run.survey = run.root / "進捗管理表.xlsx"
    run.cli("template", "template", "build", str(source), "-o", str(run.survey))
    run.book(run.survey)


def step_split(run: Run) -> None:
    run.cli("split", "split", str(run.survey), "-o", str(run.root / "配布"))
    for path in sorted((run.root / "配布").glob("*.xlsx")):
        run.book(path)


def step_fill(run: Run) -> None:
    (run.root / "提出").mkdir()
    for n, (dept, (values, texts)) in enumerate(RETURNS.items()):
        out = run.root / "提出" / f"{dept}.xlsx"
        fill_department(run.root / "配布" / f"{dept}.xlsx", values, texts, out=out,
                        saved=datetime(2024, 5, 10 + n, 9, 0, tzinfo=timezone.utc))


def step_check(run: Run) -> None:
    for path in sorted((run.root / "提出").glob("*.xlsx")):
        run.cli(f"check {path.stem}", "check", str(path), "--survey", str(run.survey))
    # A return with a text left out and a value typed wrong: the messages words the plan's own way.
    broken = fill_department(run.root / "配布" / "長寿支援課.xlsx", {"C-01": "abc"}, {}, out=run.root / "未完成.xlsx")
    run.cli("check 未完成", "check", str(broken), "--survey", str(run.survey))


def step_consolidate(run: Run) -> None:
    run.consolidated = run.root / "集約済.xlsx"
    run.cli("consolidate", "consolidate", str(run.survey), str(run.root / "提出"), "-o", str(run.consolidated))
    run.book(run.consolidated)


def step_committee(run: Run) -> None:
    run.committee, run.pdf = run.root / "審議会.xlsx", run.root / "審議会.pdf"
    run.cli("committee", "committee", str(run.consolidated), "-o", str(run.committee), "--pdf", str(run.pdf))
    run.book(run.committee)
    text = subprocess.run(["pdftotext", "-layout", str(run.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    run.outputs["PDF"] = text


def step_export(run: Run) -> None:
    out = run.root / "集約.csv"
    run.cli("export", "export", str(run.consolidated), "--csv", str(out))
    run.outputs["CSV"] = out.read_text(encoding="utf-8-sig")


def step_rollover(run: Run) -> None:
    """Next year's table, and the forms split from it (last year's next-year text beside the input)."""
    rolled = run.root / "進捗管理表_次年度.xlsx"
    run.cli("rollover", "rollover", str(run.consolidated), "-o", str(rolled))
    run.book(rolled)
    run.cli("split next year", "split", str(rolled), "-o", str(run.root / "配布_次年度"))
    for path in sorted((run.root / "配布_次年度").glob("*.xlsx")):
        run.outputs.update({f"次年度/{name}": text for name, text in workbook_text(path).items()})


def step_final(run: Run) -> None:
    """The final evaluation (before the plan's target year: its provisional version), with its PDF."""
    out, pdf = run.root / "総括.xlsx", run.root / "総括.pdf"
    run.cli("final", "final", str(run.consolidated), "-o", str(out), "--pdf", str(pdf))
    run.book(out)
    run.outputs["PDF final"] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                              text=True, check=True).stdout


def step_undo(run: Run) -> None:
    undone = run.root / "取消後.xlsx"
    run.cli("undo", "undo", str(run.consolidated), "-o", str(undone))
    run.book(undone)


# The year as the secretariat plays it; a later command (rollover, final) is one more line.
STEPS: list[Callable[[Run], None]] = [step_template, step_split, step_fill, step_check, step_consolidate,
                                      step_committee, step_export, step_final, step_rollover, step_undo]


@pytest.fixture(scope="module")
def played(tmp_path_factory, soffice: str) -> Run:
    run = Run(root=tmp_path_factory.mktemp("second-plan"))
    for step in STEPS:
        step(run)
    return run


# --- the assertions ------------------------------------------------------------------------


def test_every_key_is_worded_anew():
    assert set(HEADERS) == set(DEFAULT_HEADERS)
    for key, text in HEADERS.items():
        assert text != DEFAULT_HEADERS[key] and not first_plan_words_in(text), key
        assert {f for f in re.findall(r"\{(\w+)\}", text)} <= header_fields(key), key


def test_the_commands_ran(played: Run):
    assert played.codes["template"] == 0 and played.codes["split"] == 0
    assert all(played.codes[f"check {d}"] == 0 for d in RETURNS), played.outputs
    assert played.codes["check 未完成"] == 1
    assert played.codes["consolidate"] == 0, played.outputs["CLI consolidate"]
    assert played.codes["committee"] == 0, played.outputs["CLI committee"]
    assert played.codes["rollover"] in (0, 1) and played.codes["split next year"] == 0, played.outputs["CLI rollover"]
    assert any("前年度までの記録" in name for name in played.outputs)
    assert played.codes["final"] == 0 and "計画期間の総括" not in played.outputs["CLI final"]  # provisional here
    assert "総括（令和" in played.outputs["PDF final"] or "時点の見通し" in played.outputs["PDF final"]  # the history sheet, in this plan's words
    assert played.codes["export"] == 0 and played.codes["undo"] == 0
    assert played.pdf.stat().st_size > 0


def test_no_output_shows_a_word_of_the_first_plan(played: Run):
    assert len(played.outputs) > 20  # every workbook's sheets, the CLI of each step, CSV, PDF
    found = {name: sorted(first_plan_words_in(text)) for name, text in played.outputs.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_probe_finds_the_first_plans_words():
    # The check above can fail: the first plan's own outputs are full of its words.
    found = first_plan_words_in("資料２\n基本目標１\n令和元年度の取組状況\n進捗評価")
    assert {"資料２", "基本目標", "取組状況", "進捗評価"} <= found
    assert first_plan_words_in("単位\n項目") == {"単位", "項目"} and not first_plan_words_in("単位：人。項目の1行目")


def test_outputs_speak_the_second_plans_words(played: Run):
    out = played.outputs
    master = out["進捗管理表.xlsx!進捗一覧"]
    form = out["長寿支援課.xlsx!長寿支援課"]
    assert "令和５年度　所管課：長寿支援課" in form and "令和５年度末時点" in form and "実施内容・次年度方針" in form
    for header in ("施策体系", "掲載頁", "評価指標", "内訳", "所管課", "達成度判定", "令和３年度\n（基準値）\n＊",
                   "令和５年度\n（第2年次）", "令和11年度\n（到達目標）", "令和５年度の実施内容", "令和６年度の方針"):
        assert header in master, header
    assert "方針10\n健康危機への備え" in master and "方針１\n" in master and "方針１０" not in master
    assert "「令和５年度の実施内容」が未入力です。実施内容・次年度方針を記入してください。" in out["CLI check 未完成"]
    assert "実施内容・次年度方針" in out["CLI consolidate"] and "達成度判定" in out["CLI consolidate"]
    assert "判定の集計" in out["審議会.xlsx（シート名・タイトル）"]
    assert "審議会報告資料" in out["審議会.xlsx（シート名・タイトル）"]
    summary = out["審議会.xlsx!判定の集計"]
    assert "重点方針別の達成度判定（指標数）" in summary and "方針11　データに基づく健康施策" in summary
    assert "例：待機日数の短縮を目指すもの" in summary and "基準値" in summary
    assert ",baseline,基準値," in out["CSV"]


def test_values_texts_and_grades_are_right(played: Run):
    survey, _, _ = load_survey_file(played.consolidated)
    values = survey.values
    assert values["A-02"][2023] == 210 and values["C-03"][2023] == pytest.approx(12.5)
    assert values["A-01"][2023] == pytest.approx(0.892)
    assert survey.texts["A-03"][0] == "受診券を個別に送付。"
    grades = survey.grades
    assert grades["C-02"] == "◎ 達成"  # keep-the-level: 24 of 24
    # Lower is better: 18.5 -> 12.5 of the way to 7.0 is 52 %, over the 2 of 8 years expected.
    assert grades["C-03"] == "○ 順調"
    assert grades["A-04"] == "× 悪化"


# --- every label fits ----------------------------------------------------------------------


def _header_and_grade_cells(spec: SheetSpec, rows: TableRows, grade_col: int | None, n: int) -> list[tuple[int, int]]:
    cells = [(r, c) for r in (rows.header, rows.subheader) for c in range(spec.max_col + 1)]
    if grade_col is not None:
        cells += [(rows.first_data + k, grade_col) for k in range(n)]
    return cells


def _survey_of(text: str) -> Survey:
    return parse_source(tomllib.loads(text)).survey


@pytest.mark.parametrize("plan", ["first", "second"])
def test_every_label_fits(plan: str):
    survey = _survey_of(TEMPLATE_SOURCE.read_text(encoding="utf-8") if plan == "first" else OTHER)
    n = len(survey.indicators)
    # Every grade in the grade column: the committee shows them all (評価不能 is the longest).
    graded = _with_every_grade(survey)
    master = survey_sheet(graded)
    grade = [c.key for c in layout.survey_columns(survey)].index(layout.GRADE)
    bad = misfits(master, _header_and_grade_cells(master, SURVEY_SHEET_ROWS, grade, n))
    for dept in survey.departments:
        form = department_sheet(survey, dept)
        bad += misfits(form, _header_and_grade_cells(form, DEPARTMENT_SHEET_ROWS, None, 0))
    table = committee_specs(graded)[0]
    bad += misfits(table, _header_and_grade_cells(table, SURVEY_SHEET_ROWS, grade - 1, n))
    assert [str(m) for m in bad] == []


def _with_every_grade(survey: Survey) -> Survey:
    labels = [Grade.of(code).label for code in CODES]
    return replace(survey, grades={ind.id: labels[k % len(labels)] for k, ind in enumerate(survey.indicators)})
