"""Installing the add-in into an XLSTART folder and writing welfare_xl.conf."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from welfare_xl.xlam import ADDIN_FILENAME, AddinInstallError, install_addin
from welfare_xl.xlam.install import user_config_path

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway %USERPROFILE% so the real home directory is never touched."""
    home = tmp_path / "profile"
    home.mkdir()
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


def test_install_copies_addin_and_writes_config(tmp_path: Path, profile: Path) -> None:
    xlstart = tmp_path / "XLSTART"
    written = install_addin(xlstart=xlstart, python_exe=sys.executable)
    config = profile / ".welfare_xl" / "welfare_xl.conf"
    assert written == [xlstart / ADDIN_FILENAME, config]
    assert (xlstart / ADDIN_FILENAME).read_bytes() == (REPO / "addin" / ADDIN_FILENAME).read_bytes()
    # The format VBA's Write # produces: "key","value" with CRLF, ANSI code page.
    assert config.read_bytes() == f'"Interpreter_Win","{sys.executable}"\r\n'.encode("cp932")
    assert user_config_path() == config


def test_install_keeps_other_settings_and_replaces_the_interpreter(tmp_path: Path, profile: Path) -> None:
    config = profile / ".welfare_xl" / "welfare_xl.conf"
    config.parent.mkdir()
    config.write_bytes(
        (
            '"PYTHONPATH","C:\\書類"\r\n'
            '"INTERPRETER_WIN","C:\\old\\python.exe"\r\n'
            '"Show Console","True"\r\n'
        ).encode("cp932")
    )
    install_addin(xlstart=tmp_path / "XLSTART", python_exe=sys.executable)
    assert config.read_bytes().decode("cp932").split("\r\n") == [
        '"PYTHONPATH","C:\\書類"',
        f'"Interpreter_Win","{sys.executable}"',
        '"Show Console","True"',
        "",
    ]


def test_install_is_repeatable(tmp_path: Path, profile: Path) -> None:
    first = install_addin(xlstart=tmp_path / "XLSTART", python_exe=sys.executable)
    contents = [path.read_bytes() for path in first]
    second = install_addin(xlstart=tmp_path / "XLSTART", python_exe=sys.executable)
    assert second == first
    assert [path.read_bytes() for path in second] == contents


@pytest.mark.skipif(sys.platform == "win32", reason="XLSTART is found automatically on Windows")
def test_xlstart_is_required_outside_windows(profile: Path) -> None:
    with pytest.raises(AddinInstallError, match="XLSTART"):
        install_addin(python_exe=sys.executable)


def test_missing_interpreter_is_reported(tmp_path: Path, profile: Path) -> None:
    with pytest.raises(AddinInstallError, match="Python の実行ファイル"):
        install_addin(xlstart=tmp_path / "XLSTART", python_exe=str(tmp_path / "no-python.exe"))
    assert not (tmp_path / "XLSTART").exists()


def test_unwritable_xlstart_is_reported(tmp_path: Path, profile: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(AddinInstallError):
        install_addin(xlstart=blocker, python_exe=sys.executable)


def test_install_errors_reach_the_user_in_japanese(tmp_path: Path, profile: Path, capsys) -> None:
    """`welfare-xl addin install` into a folder that cannot be made: the CLI prints the
    installer's Japanese message and exits 2, never 予期しないエラー."""
    from welfare_xl.cli import main
    from welfare_xl.errors import UserError

    assert issubclass(AddinInstallError, UserError)
    blocker = tmp_path / "XLSTART"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    code = main(["addin", "install", "--xlstart", str(blocker / "sub"), "--python", sys.executable])
    err = capsys.readouterr().err
    assert code == 2
    assert "予期しないエラー" not in err and err.startswith("エラー: ")
    assert str(blocker / "sub") in err or "XLSTART" in err
