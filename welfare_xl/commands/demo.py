"""One survey year on the shipped sample: template → split → returns → check → consolidate → committee.

The sample returns (`templates/sample/令和元年度_提出.toml`) are the seed's 令和元年度
figures typed the way people type them, with the seed's texts, and one late
差し替え. The demo plays the departments: it fills each distributed workbook
with openpyxl and stamps the time the department "saved" it.
"""

from __future__ import annotations

import shutil
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from welfare_xl.errors import UserError
from welfare_xl.core.model.eras import fiscal_year_label

JST = timezone(timedelta(hours=9))
REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
SAMPLE = TEMPLATES / "sample" / "令和元年度_提出.toml"
TEMPLATE = TEMPLATES / "調査票.xlsx"


def fill_returned(path: str | Path, values: Mapping[str, Any],
                  texts: Mapping[str, tuple[str | None, str | None]] | None = None, *,
                  saved: datetime | None = None, out: str | Path | None = None, sheet: str | None = None) -> Path:
    """Type a department's figures and texts into its worksheet, as a clerk would.

    Values are written as typed ("513人" stays text, 925 a number, "=1+1" text);
    cells are found by the key row and indicator ID, like every reader of the
    project. `saved` becomes the workbook's own last-saved time; `out` saves a
    copy under another name (a department renaming its file); `sheet` names the
    sheet when the workbook holds several (department sheets inside the survey).
    """
    from openpyxl import load_workbook

    from welfare_xl.core.model import layout
    from welfare_xl.core.reading import find_tables
    from welfare_xl.files.xlsx import set_saved_time

    path = Path(path)
    wb = load_workbook(path)
    grids = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    tables = find_tables(grids, [sheet] if sheet else wb.sheetnames)
    if not tables:
        raise UserError(f"{path.name}: 指標の表が見つかりません。")
    name, table = tables[0]
    ws = wb[name]
    year_key = max(k for k in table.columns if layout.key_year(k))
    rows = table.by_id()

    def put(row0: int, key: str, value: Any) -> None:
        cell = ws.cell(row=row0 + 1, column=table.columns[key] + 1)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text stays text, even "=..."

    def row_of(ind_id: str) -> int:
        if ind_id not in rows:
            raise KeyError(f"{ind_id} is not a row of {path.name} (rows: {list(rows)})")
        return rows[ind_id].row

    for ind_id, raw in values.items():
        put(row_of(ind_id), year_key, raw)
    for ind_id, (done, nxt) in (texts or {}).items():
        put(row_of(ind_id), layout.DONE, done)
        put(row_of(ind_id), layout.NEXT, nxt)
    target = Path(out) if out is not None else path
    wb.save(target)
    if saved is not None:
        set_saved_time(target, saved)
    return target


def load_sample(path: Path = SAMPLE) -> list[dict[str, Any]]:
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
    from welfare_xl.files.pdf import find_soffice
    from welfare_xl.commands.check import check
    from welfare_xl.files.survey_file import load_survey_file
    from welfare_xl.commands.committee import committee
    from welfare_xl.commands.consolidate import consolidate
    from welfare_xl.core.consolidation.messages import run_summary
    from welfare_xl.commands.split import split

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
        echo(f"       {s['file']}（{s['department']}、{s['saved']:%Y-%m-%d %H:%M} 保存）")
    (inbox / f"~${samples[0]['file']}").write_bytes(b"")  # an Excel lock file left in the folder
    echo(f"       ~${samples[0]['file']}（Excel のロックファイル：集約では無視されます）")

    echo("[4/6] 返送された調査票を点検")
    for s in samples:
        result = check(inbox / s["file"], survey_path)
        echo(f"       {s['file']}: エラー {len(result.errors)} 件、注意 {len(result.warnings)} 件")
        for f in result.warnings[:2]:
            echo(f"         例）{f.line()}")

    consolidated = out / f"集約_{fy}.xlsx"
    echo(f"[5/6] 資料２に集約: {consolidated}")
    result = consolidate(survey_path, inbox, consolidated)
    for line in run_summary(result):
        echo(f"       {line}")

    committee_xlsx = out / f"委員会版_{fy}.xlsx"
    pdf = committee_xlsx.with_suffix(".pdf") if find_soffice() else None
    echo(f"[6/6] 推進委員会用の資料: {committee_xlsx}")
    cres = committee(consolidated, committee_xlsx, pdf=pdf)
    for line in cres.summary_lines():
        echo(f"       {line}")
    if pdf is None:
        echo("       LibreOffice がないため PDF は作成しませんでした（Excel の「委員会版作成」ボタンでは Excel が PDF を作成します）。")

    echo("")
    echo(f"完了しました。出力フォルダ: {out}")
    return max(result.exit_code, cres.exit_code)
