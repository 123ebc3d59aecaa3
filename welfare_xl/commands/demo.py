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

from welfare_xl.core.model.eras import fiscal_year_label, parse_fiscal_year
from welfare_xl.core.model.numbers import Kind
from welfare_xl.core.model.survey import Survey
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


def demo(out_dir: str | Path = "demo-output", *, echo: Callable[[str], None] = print,
         year: object = None) -> int:
    """Run the sample year into `out_dir`; returns the exit code (0 when every step worked).

    `year` (令和４年度, R4, 2022 …; default the sample's year) plays the years after it too: each
    consolidated master rolled over, split, filled with figures moving toward the targets
    (`later_returns`) and consolidated, and the committee version made for that year."""
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
    first = load_survey_file(survey_path)[0]
    fy = fiscal_year_label(first.fiscal_year)
    last = _last_year(first, year)

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

    for later in range(first.fiscal_year + 1, last + 1):
        consolidated, result = play_later_year(consolidated, later, out / fiscal_year_label(later), samples, echo)
        fy = fiscal_year_label(later)

    committee_xlsx = consolidated.parent / f"委員会版_{fy}.xlsx"
    pdf = committee_xlsx.with_suffix(".pdf") if find_soffice() else None
    echo(f"[6/6] 委員会用の資料: {committee_xlsx}")
    cres = committee(consolidated, committee_xlsx, pdf=pdf)
    for line in cres.summary_lines():
        echo(f"       {line}")
    if pdf is None:
        echo("       LibreOffice がないため PDF は作成しませんでした（Excel の「委員会版作成」ボタンでは Excel が PDF を作成します）。")
    codes = [result.exit_code, cres.exit_code]
    if last >= first.plan.target_year:  # the plan's last year: its final evaluation too
        codes.append(_final(consolidated, fy, pdf is not None, echo))

    echo("")
    echo(f"完了しました。出力フォルダ: {out}")
    return max(codes)


def _final(consolidated: Path, fy: str, with_pdf: bool, echo: Callable[[str], None]) -> int:
    """The plan's final evaluation (and its PDF when LibreOffice is there) beside the last master."""
    from welfare_xl.commands.final import final

    final_xlsx = consolidated.parent / f"最終評価_{fy}.xlsx"
    echo(f"[最終評価] 計画の最終年度の評価: {final_xlsx}")
    fres = final(consolidated, final_xlsx, pdf="" if with_pdf else None)
    for line in fres.summary_lines():
        echo(f"       {line}")
    return fres.exit_code


def _last_year(first: Survey, year: object) -> int:
    """The year the demo plays up to: `year` as people write it, within the plan (UserError otherwise)."""
    if year is None:
        return first.fiscal_year
    try:
        last = parse_fiscal_year(year)
    except ValueError as exc:
        raise UserError(f"--year: {exc}") from exc
    plan = first.plan
    if not first.fiscal_year <= last <= plan.target_year:
        raise UserError(f"--year: {fiscal_year_label(last)}は選べません。サンプルの計画の"
                        f"{fiscal_year_label(first.fiscal_year)}から{fiscal_year_label(plan.target_year)}までで指定してください。")
    return last


PACES = (0.9, 0.5, 0.15)  # share of the remaining way to the target an indicator makes each later year


def later_returns(survey: Survey, samples: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict]]:
    """Department -> (figures as a clerk types them, texts) for the survey year after the sample's: each
    figure moves from last year's toward the target at its own pace; texts are the sample's, dated."""
    year, label = survey.fiscal_year, fiscal_year_label(survey.fiscal_year)
    texts = {k: v for s in samples for k, v in s["texts"].items()}
    out: dict[str, tuple[dict[str, Any], dict]] = {}
    for n, ind in enumerate(survey.indicators):
        values, typed_texts = out.setdefault(ind.department, ({}, {}))
        prev, target = survey.values[ind.id].get(year - 1), survey.targets.get(ind.id)
        if isinstance(prev, (int, float)) and isinstance(target, (int, float)):
            left = survey.plan.target_year - year + 1
            figure = prev + (target - prev) / left * PACES[n % len(PACES)] * 2
            values[ind.id] = (f"{figure * 100:.2f}%" if ind.kind is Kind.PERCENT
                              else f"{round(figure)}{ind.unit}" if ind.kind is Kind.COUNT else round(figure, 2))
        else:
            values[ind.id] = "－"
        if ind.lead:
            done, upcoming = texts.get(ind.id, ("取組を継続した。", "取組を継続する。"))
            typed_texts[ind.id] = (f"【{label}】{done}", f"【{label}】{upcoming}")
    return out


def play_later_year(consolidated: Path, year: int, folder: Path, samples: list[dict[str, Any]],
                    echo: Callable[[str], None]) -> tuple[Path, Any]:
    """年度更新 of last year's master into `folder`, split, every department's return, consolidation."""
    from welfare_xl.commands.consolidate import consolidate
    from welfare_xl.commands.rollover import rollover
    from welfare_xl.commands.split import split
    from welfare_xl.core.consolidation.messages import run_summary
    from welfare_xl.core.rollover import next_book_name
    from welfare_xl.files.survey_file import load_survey_file

    label = fiscal_year_label(year)
    for sub in ("配布", "提出"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    survey_path = folder / f"{next_book_name(load_survey_file(consolidated)[0])}.xlsx"
    done = rollover(consolidated, survey_path)
    echo(f"[{label}] 年度更新: {survey_path}（過年度 {len(done.rolled.survey.history)} 年度分）")
    paths = {p.stem: p for p in split(survey_path, folder / "配布")}
    inbox = folder / "提出"
    inbox.mkdir()
    returns = later_returns(load_survey_file(survey_path)[0], samples)
    for dept, (values, texts) in returns.items():
        fill_returned(paths[dept], values, texts, saved=datetime(year + 1, 4, 15, 9, 0, tzinfo=JST),
                      out=inbox / paths[dept].name)
    echo(f"[{label}] 部署別の調査票を配布し、{len(returns)} 部署が入力して返送: {inbox}")
    out = folder / f"集約_{label}.xlsx"
    result = consolidate(survey_path, inbox, out)
    echo(f"[{label}] 調査票（集計表）に集約: {out}")
    for line in run_summary(result)[:3]:
        echo(f"       {line}")
    return out, result
