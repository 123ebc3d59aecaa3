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
    # Final evaluation. Fields: {plan} the plan's name, {year} a fiscal-year label, {mark} a
    # footnote mark; in the category definitions {achieved} (e.g. 100%), {improved} (10%以上),
    # {worse} (−10%以下) and {unchanged} (−10%を超え10%未満) as the template's settings give them.
    "final_sheet": "最終評価",
    "final_goals_sheet": "最終評価（基本目標別）",
    "final_title": "{plan}　最終評価",
    "final_title_provisional": "{plan}　最終評価（見込み：{year}時点）",
    "final_goal": "基本目標",
    "final_item": "項目",
    "final_sub_item": "細目",
    "final_department": "担当部署",
    "final_baseline": "現状値",
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
    # Naming columns, instructions, legend and titles.
}
