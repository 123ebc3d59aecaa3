"""The plan's wording: every header, title and phrase a plan may word its own way.

A template words them in ``[plan.headers]`` (kept in 管理情報 as ``headers``);
what it leaves out reads as below, the wording of the first plan the project
served. `Plan.header(key, **fields)` is the one way code gets them. Fields in
braces are filled by the caller: {year}/{next_year} fiscal-year labels, {n} a
plan year number; a key documents its fields beside it.

Keys are grouped by the part of the project that prints them; add a key to its
group (and to the template source's documentation) rather than writing a
plan's word into code.
"""

from __future__ import annotations

from string import Formatter

DEFAULT_HEADERS: dict[str, str] = {
    # Year, target and text columns of the form and the master.
    "baseline": "（現状値）",
    "plan_year": "（計画{n}年目）",
    "target": "（目標値）",
    "done": "{year}の取組状況",
    "done_note": "増減に向けて取り組んだ内容等",
    "next": "{next_year}に向けた今後の展開",
    "next_note": "課題に向けた取り組み等",
    # Rollover and the history sheet.
    "history_sheet": "過年度",  # the history sheet's name (each past year's texts and grades)
    "history_title": "{title}　過年度の記録",  # its title; {title} the plan's title
    "history_note": "各年度の{done}・{next}・{grade}を、年度更新のときにこのシートへ移しています（新しい年度が上）。"
                    "実績値は{sheet}の各年度の列にあります。",  # its note; {sheet} the master sheet's name, {done}
    # {next} {grade} the words done_word, next_word, grade_column
    "prev_next": "{prev_year}に記載した今後の展開",  # the department form's column of last year's 今後の展開
    "prev_next_note": "参考（変更できません）",
    "rollover_book": "調査票_{next_year}",  # the name (without suffix) of the workbook the 年度更新 button writes
    # Final evaluation. Fields: {plan} the plan's name, {year} a fiscal-year label, {mark} a
    # footnote mark; in the category definitions {achieved} (e.g. 100%), {improved} (10%以上),
    # {worse} (−10%以下) and {unchanged} (−10%を超え10%未満) as the template's settings give them.
    "final_sheet": "最終評価",
    "final_goals_sheet": "最終評価（基本目標別）",
    "final_title": "{plan}　最終評価",
    "final_title_provisional": "{plan}　最終評価（見込み：{year}時点）",
    "final_mid": "中間値",
    "final_latest": "最新値",
    "final_target": "目標値",
    "final_achievement": "達成率",
    "final_category": "最終評価",
    "final_review": "評価と課題",
    "final_direction": "次期計画への方向性",
    "final_formula": "達成率 ＝（最新値 − 現状値）÷（目標値 − 現状値）。目標値に達すると100%、現状値のままで0%。"
                     "目標値が現状値より低い指標は、低いほど良い指標として計算しています。",
    "final_mid_rule": "中間値は{year}の値です（計画期間の中間の年度）。",
    "final_mid_set": "中間値は{year}の値です（テンプレートの設定）。",
    "final_def_achieved": "達成率が{achieved}以上（目標値に達した）。目標値が現状値と同じ指標は、最新値が目標値の水準を保っている場合。",
    "final_def_improved": "目標値には届かないが、達成率が{improved}（現状値から目標の方向へ改善した）。",
    "final_def_unchanged": "達成率が{unchanged}（現状値からほとんど変わらない）。",
    "final_def_worse": "達成率が{worse}（現状値より目標から遠ざかった）。目標値が現状値と同じ指標は、最新値が目標値の水準を下回った場合。",
    "final_def_na": "最新値・現状値・目標値のいずれかがない、または指標の方向が定まらない。",
    "final_note_first": "{mark}　現状値の年度に実績値がない指標は、最初に実績値のある年度の値を現状値としています（年度欄に{mark}）。",
    "final_note_earlier": "{mark}　その年度に調査を行わなかった指標は、それより前の直近の実績値を示しています（年度欄に{mark}）。",
    "final_note_target_year": "※　目標年度の進捗評価では進捗の目安が100%のため、改善しても目標値に届かない指標は「△ 遅れ」と"
                              "なります。最終評価では、これを「改善」と区分しています。",
    "final_note_provisional": "※　目標年度（{year}）の前に作成した見込みです。最新値はこの年度までの実績値です。",
    "final_input_note": "「評価と課題」「次期計画への方向性」の欄は、事務局が記入してください。",
    # Committee version.
    "trend": "評価の推移\n（{first}〜）",  # the grade trend column; {first}/{last}: its first and last year
    "trend_estimated": "※　評価の推移のうち{years}の評価は、その年度の評価の記録がないため、"
                       "実績値から算出したもの（推計）です。",  # {years}: the years computed throughout
    "trend_estimated_mark": "＊",  # after a computed grade in a year whose other grades were recorded
    "trend_estimated_marked": "※　評価の推移の「{mark}」は、その年度の評価の記録がないため、"
                              "実績値から算出したもの（推計）です。",
    "omitted_years": "※　紙面の都合により、{years}の値は省略しています（「{mark}」の列）。",
    "omitted_mark": "…",  # the narrow column standing where year columns were left out
    "chart_labels": "グラフの項目名（表の項目の短縮）",  # the chart's category labels, beside the print area
    # Naming columns, instructions, legend and titles.
    "goal_column": "基本目標・施策の方向",  # the master's goal column (goal label, name, directions)
    "pages_column": "ページ\n番号",  # the plan book's pages of a goal
    "item_column": "項目",
    "sub_item_column": "細目",
    "department_column": "担当部署",  # also the department line of a form's title
    "unit_column": "単位",
    "grade_column": "進捗評価",  # the grade column, and the grades' name in titles and summaries
    "goal": "基本目標",  # a goal in short: a form's goal column, the committee summary
    "goal_label": "基本目標{n}",  # {n}: the goal's number (full-width when one digit: 基本目標１, 基本目標12)
    "baseline_value": "現状値",  # the baseline figure in the legend, the committee summary and the CSV
    "done_word": "取組状況",  # the year's text in instructions and messages
    "next_word": "今後の展開",  # the next year's text in instructions and messages
    "as_of": "{year}末日現在",  # the date a year's figure is taken at ({year}: the survey year)
    "lower_example": "相談件数の減少",  # the legend's example of a lower-is-better indicator
    "committee_title": "推進委員会資料",  # the committee workbook's title after the plan's title and year
    "summary_sheet": "進捗評価の集計",  # the committee workbook's summary sheet
    # Indicators: co-owned rows, substitute baselines and values (footnotes of a grade).
    "co_owned_mark": "{department}が回答",  # a co-owner's locked value cell; {department} answers
    "co_owned_instruction": "実績値の欄に「○○が回答」とある行は、ほかの部署が回答する共同担当の指標です（入力は不要です）。",
    "co_departments": "{department}（{co}）",  # the master's 担当部署 cell; {co}: co-owners joined by ・
    "substitute_baseline": "{baseline}がないため、{year}の値を基準に評価しています。",  # {year} measured first
    "substitute_value": "{year}は調査を行っていないため、{value_year}の値で評価しています。",
}


def default_header(key: str, **fields: object) -> str:
    """A key's default wording, for code that words something without a plan at hand."""
    return DEFAULT_HEADERS[key].format(**fields)


# Keys whose callers fill more fields than their default uses.
_MORE_FIELDS = {key: {"year", "next_year"} for key in ("done", "done_note", "next", "next_note")}
_MORE_FIELDS["trend"] = {"first", "last"}


def header_fields(key: str) -> set[str]:
    """The fields a key's wording may use: those of its default, and any more its caller fills."""
    own = {name for _, name, _, _ in Formatter().parse(DEFAULT_HEADERS[key]) if name}
    return own | _MORE_FIELDS.get(key, set())

