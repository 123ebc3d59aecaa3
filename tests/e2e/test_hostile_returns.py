"""Issue 8 end to end: a submissions folder with hostile and broken files among good returns.

Each bad file is refused alone, named with a Japanese reason; every good return lands exactly as in a
clean folder; the master is written; the run exits 1. `check` accepts exactly the files `consolidate` reads.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.cli import run_cli
from support.fill import copy_office, fill_department
from support.paths import TEMPLATE
from support.seed import seed_inputs
from support.zips import rewrite, sheet_part

from welfare_xl.commands.consolidate import consolidate
from welfare_xl.commands.split import split
from welfare_xl.core.consolidation.log import LOG_SHEET
from welfare_xl.files.reader import read_workbook

T0 = datetime(2020, 5, 8, 9, 0, tzinfo=timezone.utc)
RUN = datetime(2020, 5, 20, 10, 0, 0)
DEPARTMENTS = ["地域共生課", "協働コミュニティ課", "高齢者支援課", "危機管理課", "交通課"]
SECRET = "WXL-SECRET-90d1e4"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """調査票.xlsx, 配布/ (blank forms) and 提出/ (every department's return), once per module."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copy(TEMPLATE, root / "調査票.xlsx")
    split(root / "調査票.xlsx", root / "配布")
    (root / "提出").mkdir()
    for dept in DEPARTMENTS:
        values, texts = seed_inputs(dept)
        fill_department(root / "配布" / f"{dept}.xlsx", values, texts, saved=T0, out=root / "提出" / f"{dept}.xlsx")
    consolidate(root / "調査票.xlsx", root / "提出", root / "clean.xlsx", now=RUN)
    return root


@pytest.fixture
def work(tmp_path: Path, base: Path) -> Path:
    return copy_office(base, tmp_path, "調査票.xlsx", "提出", "配布", "clean.xlsx")


def master_grid(path: Path) -> list[list]:
    return read_workbook(path).sheets["資料２"]


def edit_sheet(good: Path, out: Path, change) -> Path:
    return rewrite(good, out, {sheet_part(good, good.stem): change})


def hostile_files(work: Path) -> dict[str, str]:
    """Bad copies of 地域共生課's return (each would compete as its newest) -> a fragment of the reason."""
    folder, good = work / "提出", work / "提出" / "地域共生課.xlsx"
    secret = work / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    lol = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    xxe = f'<!DOCTYPE x [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    edit_sheet(good, folder / "地域共生課_lol.xlsx", lambda x: x.replace(b"<worksheet", lol.encode() + b"<worksheet", 1))
    edit_sheet(good, folder / "地域共生課_xxe.xlsx", lambda x: x.replace(b"<worksheet", xxe.encode() + b"<worksheet", 1)
               .replace(b"</sheetData>", b'<row r="99"><c r="A99" t="inlineStr"><is><t>&s;</t></is></c></row></sheetData>'))
    edit_sheet(good, folder / "地域共生課_far.xlsx", lambda x: x.replace(b"</sheetData>", far))
    rewrite(good, folder / "地域共生課_bomb.xlsx", {"xl/media/pad.xml": b"<a/>" + b" " * (120 * 1024 * 1024)}, level=9)
    (folder / "地域共生課_truncated.xlsx").write_bytes(good.read_bytes()[:4000])
    (folder / "地域共生課_encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    (folder / "地域共生課_empty.xlsx").write_bytes(b"")
    (folder / "地域共生課_text.xlsx").write_text("後で送ります", encoding="utf-8")
    for f in folder.iterdir():
        os.utime(f, (RUN.timestamp(), RUN.timestamp()))  # newer than the good returns
    return {"地域共生課_lol.xlsx": "DOCTYPE", "地域共生課_xxe.xlsx": "DOCTYPE", "地域共生課_far.xlsx": "A1:XFD1048576",
            "地域共生課_bomb.xlsx": "圧縮率", "地域共生課_truncated.xlsx": "途中で切れて",
            "地域共生課_encrypted.xlsx": "パスワード", "地域共生課_empty.xlsx": "空のファイル",
            "地域共生課_text.xlsx": "Excel ブックではありません"}



def test_each_bad_file_is_refused_alone_and_the_good_ones_land_exactly(work: Path, capsys):
    bad = hostile_files(work)
    out = work / "集約.xlsx"
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(out), "--json")
    assert code == 1
    result = json.loads(text)
    files = {f["file"]: f for f in result["files"]}
    for name, fragment in bad.items():
        assert files[name]["status"] == "rejected" and fragment in files[name]["note"], (name, files[name])
    assert all(d["status"] == "submitted" for d in result["departments"])
    assert master_grid(out) == master_grid(work / "clean.xlsx")  # every good value, exactly
    logged = {r[0]: r for r in read_workbook(out, sheets=[LOG_SHEET]).sheets[LOG_SHEET] if r and r[0] in bad}
    assert set(logged) == set(bad) and all(r[2] == "不採用" for r in logged.values())
    assert SECRET not in text
    with zipfile.ZipFile(out) as z:
        assert not any(SECRET.encode() in z.read(n) for n in z.namelist())
    log = Path.home() / ".welfare_xl" / "welfare_xl.log"
    assert not log.exists() or SECRET not in log.read_text(encoding="utf-8")


def test_the_summary_names_each_refused_file(work: Path, capsys):
    bad = hostile_files(work)
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(work / "o.xlsx"))
    assert code == 1 and text.startswith("令和元年度の提出ファイルを「資料２」に集約しました")
    lines = text.split("確認が必要なファイル")[1].splitlines()
    for name in bad:
        assert any(line.strip().startswith(f"{name}（不採用）") for line in lines), name
    code, text = run_cli(capsys, "status", str(work / "調査票.xlsx"), str(work / "提出"))
    assert code == 1 and all(name in text for name in bad)


def test_check_refuses_the_same_files_with_exit_2(work: Path, capsys):
    bad = hostile_files(work)
    for name, fragment in bad.items():
        code, text = run_cli(capsys, "check", str(work / "提出" / name))
        assert code == 2 and name in text and fragment in text, (name, text)


@pytest.mark.parametrize("suffix", [".ods", ".xls", ".xlsb", ".csv"])
def test_check_and_consolidate_accept_the_same_files(work: Path, capsys, suffix: str):
    other = work / "提出" / f"交通課{suffix}"
    shutil.copy(work / "提出" / "交通課.xlsx", other)  # readable by calamine, but not a return
    code, text = run_cli(capsys, "check", str(other))
    assert code == 2 and other.name in text
    result = consolidate(work / "調査票.xlsx", work / "提出", work / "o.xlsx", now=RUN)
    # A spreadsheet in another format was meant as a return: refused and named, the run exits 1.
    assert {f.file: f.status for f in result.files}[other.name] == "rejected"
    assert result.exit_code == 1


def test_a_check_that_fails_refuses_that_file_only(work: Path, capsys):
    values, texts = seed_inputs("地域共生課")
    values = dict(values, **{"G1-01": "9" * 400})
    fill_department(work / "配布" / "地域共生課.xlsx", values, texts, out=work / "提出" / "地域共生課.xlsx")
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(work / "o.xlsx"),
                     "--json")
    result = json.loads(text)
    assert code == 1
    states = {d["department"]: d["status"] for d in result["departments"]}
    assert states.pop("地域共生課") == "error" and set(states.values()) == {"submitted"}
    grid, clean = master_grid(work / "o.xlsx"), master_grid(work / "clean.xlsx")
    assert len(grid) == len(clean)
    differing = {row[0] for row, want in zip(grid, clean) if row != want}
    assert differing and differing <= set(values)  # only 地域共生課's rows keep the master's figures


def test_noise_files_are_not_listed(work: Path, capsys):
    folder = work / "提出"
    (folder / "._地域共生課.xlsx").write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 80)  # AppleDouble
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "desktop.ini").write_text("[.ShellClassInfo]", encoding="utf-8")
    result = consolidate(work / "調査票.xlsx", folder, work / "o.xlsx", now=RUN)
    assert sorted(f.file for f in result.files) == sorted(f"{d}.xlsx" for d in DEPARTMENTS)
    assert result.exit_code == 0


def test_a_file_name_that_is_not_utf8_is_shown_and_its_return_lands(work: Path, capsys):
    folder = work / "提出"
    raw = os.path.join(os.fsencode(folder), "地域共生課（再提出）.xlsx".encode("cp932"))
    os.rename(folder / "地域共生課.xlsx", raw)
    out = work / "o.xlsx"
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(folder), "-o", str(out), "--json")
    result = json.loads(text)
    assert code == 0 and "地域共生課（再提出）.xlsx" in [f["file"] for f in result["files"]]
    assert master_grid(out) == master_grid(work / "clean.xlsx")
    log = read_workbook(out, sheets=[LOG_SHEET]).sheets[LOG_SHEET]
    assert any(r and r[0] == "地域共生課（再提出）.xlsx" for r in log)


def test_an_empty_folder_is_not_a_consolidation(work: Path, capsys):
    empty = work / "空"
    empty.mkdir()
    (empty / ".DS_Store").write_bytes(b"\x00")
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(empty), "-o", str(work / "o.xlsx"))
    assert code == 1 and text.startswith("令和元年度の提出ファイルがありません") and "集約しました" not in text
    assert (work / "o.xlsx").exists()


def test_only_blank_forms_is_not_a_consolidation(work: Path, capsys):
    code, text = run_cli(capsys, "consolidate", str(work / "調査票.xlsx"), str(work / "配布"), "-o", str(work / "o.xlsx"))
    assert code == 1 and text.startswith("令和元年度の提出ファイルに反映できるものがありません")
    assert "集約しました" not in text
