"""Outputs never destroy a file: refused paths, backups of what is replaced, links, long names, a full disk.

Each case is a command run as a user runs it (`welfare_xl.cli.main`, or a real
process where the operating system must fail the write), on real files.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.paths import ROOT, TEMPLATE

from welfare_xl.cli import main
from welfare_xl.commands.status import submission_status
from welfare_xl.files.reader import read_workbook
from welfare_xl.files.survey_file import load_survey_file


@pytest.fixture
def work(tmp_path: Path, chiiki: Path) -> Path:
    """調査票.xlsx (blank), 配布/ (the five department workbooks), 提出/地域共生課.xlsx (filled)."""
    shutil.copy(TEMPLATE, tmp_path / "調査票.xlsx")
    (tmp_path / "提出").mkdir()
    shutil.copy(chiiki, tmp_path / "提出" / "地域共生課.xlsx")
    return tmp_path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def g1_01(path: Path):
    return load_survey_file(path)[0].values.get("G1-01", {}).get(2019)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["export", "{w}/調査票.xlsx", "--csv", "{w}/調査票.xlsx"], "CSV の出力先は .csv"),
    (["export", "{w}/調査票.xlsx", "--csv", "{w}/提出/地域共生課.xlsx"], "CSV の出力先は .csv"),
    (["committee", "{w}/調査票.xlsx", "-o", "{w}/調査票.xlsx"], "調査票そのものです"),
    (["committee", "{w}/調査票.xlsx", "-o", "{w}/配布/交通課.xlsx"], "部署の調査票"),
    (["consolidate", "{w}/調査票.xlsx", "{w}/提出", "-o", "{w}/提出/地域共生課.xlsx"], "提出ファイルのフォルダ"),
    (["consolidate", "{w}/調査票.xlsx", "{w}/提出", "-o", "{w}/提出/集約.xlsx"], "提出ファイルのフォルダ"),
    (["consolidate", "{w}/調査票.xlsx", "{w}/提出", "-o", "{w}/配布/交通課.xlsx"], "部署の調査票"),
    (["consolidate", "{w}/調査票.xlsx", "{w}/提出", "-o", "{w}/集約.csv"], "保存先も .xlsx"),
    (["consolidate", "{w}/調査票.xlsx", "{w}/提出", "-o", "{w}/集約.xlsm"], "保存先も .xlsx"),
    (["undo", "{w}/集約.xlsx", "-o", "{w}/提出/地域共生課.xlsx"], "部署の調査票"),
    (["undo", "{w}/集約.xlsx", "-o", "{w}/調査票.xlsx"], "調査票（管理情報のあるブック）です"),
    (["split", "{w}/調査票.xlsx", "-o", "{w}/配布", "--in-workbook"], "同じ名前のフォルダ"),
])
def test_a_path_that_must_not_be_written_is_refused_and_nothing_changes(work: Path, dept_dir: Path, capsys,
                                                                         argv, fragment):
    assert dept_dir == work / "配布"
    assert main(["consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(work / "集約.xlsx")]) == 1
    capsys.readouterr()
    before = {d: files(work / d) for d in ("", "提出", "配布")}
    code, _, err = run(capsys, *[a.format(w=work) for a in argv])
    assert code == 2 and fragment in err and err.startswith("エラー: ")
    assert {d: files(work / d) for d in ("", "提出", "配布")} == before
    # The return is still there, still a return.
    assert [r.department for r in submission_status(work / "調査票.xlsx", work / "提出").departments
            if r.files] == ["地域共生課"]


def test_a_macro_survey_is_written_only_as_a_macro_workbook(work: Path, capsys):
    survey = work / "調査票.xlsm"
    shutil.copy(TEMPLATE, survey)  # the check is on the names, before anything is read
    for out in ("集約.xlsx", "集約.csv"):
        code, _, err = run(capsys, "consolidate", survey, work / "提出", "-o", work / out)
        assert code == 2 and "マクロ有効ブック（.xlsm）のため、保存先も .xlsm" in err
        assert not (work / out).exists()
    code, _, err = run(capsys, "undo", survey, "-o", work / "戻し.xlsx")
    assert code == 2 and ".xlsm" in err


def test_an_existing_output_is_kept_as_a_backup_and_the_message_says_where(work: Path, capsys):
    hand = work / "集約.xlsx"
    shutil.copy(TEMPLATE, hand)
    wb = load_workbook(hand)
    wb.create_sheet("手作業メモ")["A1"] = "担当者が手で書いた集計"
    wb.save(hand)
    edited = hand.read_bytes()
    code, out, _ = run(capsys, "consolidate", work / "調査票.xlsx", work / "提出", "-o", hand)
    assert code == 1
    (backup,) = work.glob("集約.backup-*.xlsx")
    assert backup.read_bytes() == edited and str(backup) in out
    assert g1_01(hand) == 513

    csv = work / "集約.csv"
    csv.write_text("前回の CSV", encoding="utf-8")
    code, out, _ = run(capsys, "export", hand, "--csv", csv)
    assert code == 0
    (old_csv,) = work.glob("集約.backup-*.csv")
    assert old_csv.read_text(encoding="utf-8") == "前回の CSV" and str(old_csv) in out
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")

    committee = work / "委員会.xlsx"
    committee.write_bytes(b"not even a workbook")
    code, out, _ = run(capsys, "committee", hand, "-o", committee)
    assert code == 0
    (old_committee,) = work.glob("委員会.backup-*.xlsx")
    assert old_committee.read_bytes() == b"not even a workbook" and str(old_committee) in out

    code, out, _ = run(capsys, "undo", hand)
    assert code == 0
    backups = sorted(work.glob("集約.backup-*.xlsx"))
    assert len(backups) == 2 and any(str(b) in out for b in backups)
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".~")) == []


def test_in_place_through_a_link_writes_the_file_it_points_to(work: Path, capsys):
    real = work / "共有" / "調査票.xlsx"
    real.parent.mkdir()
    shutil.move(work / "調査票.xlsx", real)
    link = work / "調査票.xlsx"
    link.symlink_to(real)
    code, out, _ = run(capsys, "consolidate", link, work / "提出", "-o", link)
    assert code == 1
    assert link.is_symlink() and link.resolve() == real
    assert g1_01(real) == 513
    (backup,) = real.parent.glob("調査票.backup-*.xlsx")
    assert str(backup) in out and g1_01(backup) is None
    assert run(capsys, "undo", link)[0] == 0
    assert link.is_symlink() and g1_01(real) is None


def test_a_long_name_gets_a_short_backup(work: Path, capsys):
    survey = work / ("とても長い名前の調査票" * 7 + ".xlsx")
    assert len(survey.name.encode()) > 200
    shutil.move(work / "調査票.xlsx", survey)
    code, out, _ = run(capsys, "consolidate", survey, work / "提出", "-o", survey)
    assert code == 1
    (backup,) = work.glob("*.backup-*.xlsx")
    assert len(backup.name.encode()) <= 200 and backup.name.startswith("とても長い名前の調査票")
    assert str(backup) in out and g1_01(backup) is None and g1_01(survey) == 513


def test_nothing_graded_is_said_and_exits_1_but_the_file_is_written(work: Path, capsys):
    code, out, _ = run(capsys, "committee", work / "調査票.xlsx", "-o", work / "委員会.xlsx")
    assert code == 1 and "すべて評価不能" in out and "集約した調査票を指定してください" in out
    assert load_workbook(work / "委員会.xlsx").sheetnames
    code, out, _ = run(capsys, "export", work / "調査票.xlsx", "--csv", work / "集約.csv")
    assert code == 1 and "すべて評価不能" in out and (work / "集約.csv").stat().st_size > 0
    # Once consolidated, both are clean.
    assert main(["consolidate", str(work / "調査票.xlsx"), str(work / "提出"), "-o", str(work / "集約.xlsx")]) == 1
    assert main(["committee", str(work / "集約.xlsx"), "-o", str(work / "委員会2.xlsx")]) == 0
    assert main(["export", str(work / "集約.xlsx"), "--csv", str(work / "集約2.csv")]) == 0


# --- the file system refuses the write ----------------------------------------------------------


def limited(limit: int, home: Path, *argv) -> subprocess.CompletedProcess:
    """`welfare-xl argv` in a process that may write no file larger than `limit` bytes (EFBIG, as a full disk)."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "welfare_xl", *map(str, argv)], cwd=ROOT, env=env,
                          preexec_fn=cap, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_a_full_disk_during_the_backup_leaves_no_partial_backup(work: Path):
    survey = work / "調査票.xlsx"
    wb = load_workbook(survey)
    ws = wb.create_sheet("参考資料")
    for r in range(1, 3000):
        ws.append([r, f"行{r}", r * 1.5, "備考"])
    wb.save(survey)
    before = survey.read_bytes()
    done = limited(len(before) // 2, work, "consolidate", survey, work / "提出", "-o", survey)
    assert done.returncode == 2, done.stderr
    assert "バックアップ" in done.stderr and "ディスクの空きが足りません" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert survey.read_bytes() == before
    assert sorted(p.name for p in work.iterdir() if p.is_file()) == ["調査票.xlsx"]  # no backup, no temporary file
    assert not (work / ".welfare_xl").exists()  # nothing unexpected was logged


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_a_full_disk_during_the_write_leaves_the_old_output(work: Path):
    out = work / "集約.xlsx"
    out.write_bytes(b"previous")
    done = limited(4096, work, "consolidate", work / "調査票.xlsx", work / "提出", "-o", out)
    assert done.returncode == 2 and "ディスクの空きが足りません" in done.stderr and "元のファイルは変更していません" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".~")) == []
    assert read_workbook(work / "調査票.xlsx").sheets  # the survey is untouched and readable
