"""A plan whose indicators use what a template may say of an indicator (issue 9, item 5): a value
range over 100 % and below 0, a co-owned indicator, no baseline figure, a survey taken every other
year, and a year with no figure before the survey year. The core's and the e2e tests share it.

    from support.indicator_plan import SOURCE, plan_survey
"""

from __future__ import annotations

import tomllib

from welfare_xl.core.model.source import parse_source
from welfare_xl.core.model.survey import Survey

SOURCE = '''
[plan]
id = "ikiiki-3"
name = "第３期いきいき計画"
title = "第３期いきいき計画 進捗状況調査票"
label = "資料１"
sheet = "進捗"
start_year = 2020
target_year = 2024
baseline_year = 2019
fiscal_year = 2022
template_version = "R4"

[[goals]]
no = 1
name = "支え合う地域"
directions = ["相談体制の充実"]
pages = "5"

# 充足率 may exceed 100 %.
[[indicators]]
id = "A-01"
goal = 1
item = "介護人材の充足率"
department = "福祉課"
unit = "%"
kind = "percent"
max = "150.0%"
values = { 2019 = "95.0%", 2020 = "101.2%", 2021 = "104.0%" }
target = "120.0%"

# 増減率 may go below 0 (down to -100 %).
[[indicators]]
id = "A-02"
goal = 1
item = "健診受診者の増減率"
department = "健康課"
unit = "%"
kind = "percent"
min = "-100.0%"
values = { 2019 = "-2.0%", 2020 = "-1.0%", 2021 = "0.5%" }
target = "3.0%"

# 福祉課 answers; 健康課 co-owns it.
[[indicators]]
id = "A-03"
goal = 1
item = "総合相談の件数"
department = "福祉課"
co_departments = ["健康課"]
unit = "件"
kind = "count"
values = { 2019 = "120件", 2020 = "130件", 2021 = "135件" }
target = "160件"

# No baseline: first measured in 令和３年度.
[[indicators]]
id = "A-04"
goal = 1
item = "相談窓口の認知度"
department = "健康課"
unit = "%"
kind = "percent"
values = { 2019 = "－", 2020 = "－", 2021 = "30.0%" }
target = "50.0%"

# Surveyed every other year: '－' is the planned answer in 令和２年度 and 令和４年度.
[[indicators]]
id = "A-05"
goal = 1
item = "市民の満足度"
department = "健康課"
unit = "%"
kind = "percent"
not_surveyed_ok = [2020, 2022]
values = { 2019 = "60.0%", 2020 = "－", 2021 = "65.0%" }
target = "70.0%"

# No figure in 令和２年度 ('－') nor 令和３年度 (never entered).
[[indicators]]
id = "A-06"
goal = 1
item = "介護予防教室の参加者数"
department = "福祉課"
unit = "人"
kind = "count"
values = { 2019 = "100人", 2020 = "－" }
target = "150人"
'''


def plan_survey() -> Survey:
    """The plan's blank survey (its 令和４年度 form), as the template source describes it."""
    return parse_source(tomllib.loads(SOURCE), "test").survey
