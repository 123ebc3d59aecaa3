"""One atomic writer for every file the project writes: workbooks, the CSV export, a return's saved time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from support.paths import TEMPLATE
from welfare_xl import cli
from welfare_xl.files.atomic import WriteError, backup_if_overwriting, save_atomic, write_atomic
from welfare_xl.files.reader import core_modified
from welfare_xl.files.returns import set_saved_time
from welfare_xl.files.writer import new_workbook


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~wxl-"))


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path):
    target = tmp_path / "a.csv"
    target.write_text("old", encoding="utf-8")

    def fail(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        write_atomic(target, fail)
    assert target.read_text(encoding="utf-8") == "old" and leftovers(tmp_path) == []


def test_every_writer_keeps_the_replaced_files_permissions(tmp_path: Path):
    book = tmp_path / "book.xlsx"
    save_atomic(new_workbook_with_a_sheet(), book)
    book.chmod(0o640)
    save_atomic(new_workbook_with_a_sheet(), book)
    assert book.stat().st_mode & 0o777 == 0o640

    set_saved_time(book, datetime(2020, 5, 1, 9, 0))
    assert book.stat().st_mode & 0o777 == 0o640
    assert core_modified(book) == datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc)

    csv = tmp_path / "out.csv"
    csv.write_text("old", encoding="utf-8")
    csv.chmod(0o604)
    assert cli.main(["export", str(TEMPLATE), "--csv", str(csv)]) == 1  # written; exit 1: nothing graded in a blank form
    assert csv.stat().st_mode & 0o777 == 0o604 and csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert leftovers(tmp_path) == []


def test_a_workbook_that_cannot_be_saved_says_why_in_japanese(tmp_path: Path):
    with pytest.raises(WriteError, match="同じ名前のフォルダがあります") as err:
        save_atomic(new_workbook_with_a_sheet(), tmp_path)
    assert "元のファイルは変更していません" in str(err.value)


def test_a_backup_is_made_only_when_the_output_is_the_source(tmp_path: Path):
    src = tmp_path / "調査票.xlsx"
    src.write_bytes(b"x")
    now = datetime(2020, 6, 1, 10, 0, 0)
    assert backup_if_overwriting(src, tmp_path / "別.xlsx", now) is None
    first = backup_if_overwriting(src, src, now)
    second = backup_if_overwriting(src, src, now)
    assert first is not None and first.name == "調査票.backup-20200601-100000.xlsx" and first.read_bytes() == b"x"
    assert second is not None and second.name == "調査票.backup-20200601-100000-2.xlsx"


def new_workbook_with_a_sheet():
    wb = new_workbook()
    wb.create_sheet("Sheet1")["A1"] = "x"
    return wb
