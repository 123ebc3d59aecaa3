"""`welfare-xl demo`: one survey year on the shipped sample: template → split → returns → check → consolidate → committee.

The sample returns (`templates/sample/令和元年度_提出.toml`) are the seed's 令和元年度
figures typed the way people type them, with the seed's texts, and one late
差し替え. The demo plays the departments: it fills each distributed workbook
(`welfare_xl.files.returns.fill_returned`) and stamps the time the department
"saved" it. It is the one command that runs the others.
"""

from __future__ import annotations

import shutil
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from welfare_xl.core.model.eras import fiscal_year_label
from welfare_xl.errors import UserError
from welfare_xl.files.returns import fill_returned

JST = timezone(timedelta(hours=9))
REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
SAMPLE = TEMPLATES / "sample" / "令和元年度_提出.toml"
TEMPLATE = TEMPLATES / "調査票.xlsx"


def load_sample(path: Path = SAMPLE) -> list[dict[str, Any]]:
    """The sample returns: each department's file name, save time, figures and texts."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"サンプルデータ {path} がありません。リポジトリを clone した場所で実行してください。") from exc
    subs = data["submissions"]
    for s in subs:
        s["saved"] = datetime.fromisoformat(s["saved"]).replace(tzinfo=JST)
        s["texts"] = {k: tuple(v) for k, v in s.get("texts", {}).items()}
    return subs


def demo(out_dir: str | Path = "demo-output", *, echo: Callable[[str], None] = print) -> int:
    """Run the sample year into `out_dir`; returns the exit code (0 when every step worked)."""
    from welfare_xl.commands.check import check
    from welfare_xl.commands.committee import committee
    from welfare_xl.commands.consolidate import consolidate
    from welfare_xl.commands.split import split
    from welfare_xl.core.consolidation.messages import local_time, run_summary
    from welfare_xl.files.pdf import find_soffice
    from welfare_xl.files.survey_file import load_survey_file

    out = Path(out_dir).resolve()
    if not TEMPLATE.exists():
        raise UserError(f"テンプレート {TEMPLATE} がありません。リポジトリを clone した場所で実行してください。")
    for sub in ("配布", "提出"):
        shutil.rmtree(out / sub, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    survey_path = out / "調査票.xlsx"
    shutil.copy(TEMPLATE, survey_path)
    samples = load_sample()
    fy = fiscal_year_label(load_survey_file(survey_path)[0].fiscal_year)

    echo(f"[1/6] 調査票テンプレート: {survey_path}")

    dist = out / "配布"
    paths = {p.stem: p for p in split(survey_path, dist)}
    echo(f"[2/6] 部署別の調査票を配布用に作成: {dist}")
    for p in paths.values():
        echo(f"       {p.name}")

    inbox = out / "提出"
    inbox.mkdir()
    echo(f"[3/6] 各部署が入力して返送（サンプル、入力のくせもそのまま）: {inbox}")
    for s in samples:
        target = inbox / s["file"]
        shutil.copy(paths[s["department"]], target)
        fill_returned(target, s["values"], s["texts"], saved=s["saved"])
        # The PC's clock, as the 集約ログ shows the same file's saved time (the sample's times are JST).
        echo(f"       {s['file']}（{s['department']}、{local_time(s['saved'])} 保存）")
    (inbox / f"~${samples[0]['file']}").write_bytes(b"")  # an Excel lock file left in the folder
    echo(f"       ~${samples[0]['file']}（Excel のロックファイル：集約では無視されます）")

    echo("[4/6] 返送された調査票を点検")
    for s in samples:
        result = check(inbox / s["file"], survey_path)
        echo(f"       {s['file']}: エラー {len(result.errors)} 件、注意 {len(result.warnings)} 件")
        for f in result.warnings[:2]:
            echo(f"         例）{f.line()}")

    consolidated = out / f"集約_{fy}.xlsx"
    echo(f"[5/6] 調査票（集計表）に集約: {consolidated}")
    result = consolidate(survey_path, inbox, consolidated)
    for line in run_summary(result, every_file=True):
        echo(f"       {line}")

    committee_xlsx = out / f"委員会版_{fy}.xlsx"
    pdf = committee_xlsx.with_suffix(".pdf") if find_soffice() else None
    echo(f"[6/6] 委員会用の資料: {committee_xlsx}")
    cres = committee(consolidated, committee_xlsx, pdf=pdf)
    for line in cres.summary_lines():
        echo(f"       {line}")
    if pdf is None:
        echo("       LibreOffice がないため PDF は作成しませんでした（Excel の「委員会版作成」ボタンでは Excel が PDF を作成します）。")

    echo("")
    echo(f"完了しました。出力フォルダ: {out}")
    return max(result.exit_code, cres.exit_code)
