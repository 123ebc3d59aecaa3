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
    "history_note": "各年度の取組状況・今後の展開・進捗評価を、年度更新のときにこのシートへ移しています（新しい年度が上）。"
                    "実績値は{sheet}の各年度の列にあります。",  # its note; {sheet} the master sheet's name
    "history_goal": "基本目標",
    "history_item": "項目",
    "history_sub_item": "細目",
    "history_department": "担当部署",
    "history_done": "取組状況",
    "history_next": "今後の展開",
    "history_grade": "進捗評価",
    "prev_next": "{prev_year}に記載した今後の展開",  # the department form's column of last year's 今後の展開
    "prev_next_note": "参考（変更できません）",
    "rollover_book": "調査票_{next_year}",  # the name (without suffix) of the workbook the 年度更新 button writes
    # Final evaluation.
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
}
