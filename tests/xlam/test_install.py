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
    assert config.read_bytes() == (
        f'"Interpreter_Win","{sys.executable}"\r\n"ADD_WORKBOOK_TO_PYTHONPATH","False"\r\n'.encode("cp932")
    )
    assert user_config_path() == config


def test_install_keeps_other_settings_and_replaces_the_interpreter(tmp_path: Path, profile: Path) -> None:
    config = profile / ".welfare_xl" / "welfare_xl.conf"
    config.parent.mkdir()
    config.write_bytes(
        (
            '"PYTHONPATH","C:\\書類"\r\n'
            '"INTERPRETER_WIN","C:\\old\\python.exe"\r\n'
            '"Show Console","True"\r\n'
            '"add_workbook_to_pythonpath","true"\r\n'
            '"ADD_WORKBOOK_TO_PYTHONPATH","False"\r\n'
        ).encode("cp932")
    )
    install_addin(xlstart=tmp_path / "XLSTART", python_exe=sys.executable)
    # A workbook-folder setting the user turned on is turned off where it stands; its
    # duplicate goes (VBA reads only the first of a key, whatever its case).
    assert config.read_bytes().decode("cp932").split("\r\n") == [
        '"PYTHONPATH","C:\\書類"',
        f'"Interpreter_Win","{sys.executable}"',
        '"Show Console","True"',
        '"ADD_WORKBOOK_TO_PYTHONPATH","False"',
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


def _workbook_paths_xlwings_adds(add_workbook: str, workbook: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What xlwings' own ``prepare_sys_path`` puts on sys.path for a click, given the
    ADD_WORKBOOK_TO_PYTHONPATH value and the active workbook's FullName, as RunPython
    composes its argument (value;active;add-in;three OneDrive/SharePoint settings;PYTHONPATH)."""
    from xlwings.utils import prepare_sys_path

    original = list(sys.path)
    monkeypatch.setattr(sys, "path", list(original))
    for name in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(name, raising=False)
    prepare_sys_path(f"{add_workbook};{workbook};C:\\XLSTART\\welfare_xl.xlam;;;;")
    return [path for path in sys.path[: len(sys.path) - len(original)] if path]


def _config_value(config: Path, key: str) -> str:
    from welfare_xl.files.user_config import read_settings

    settings = read_settings(config)
    assert settings is not None
    return settings[key.lower()]


def test_installed_config_keeps_the_workbook_folder_off_python_path(
    tmp_path: Path, profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The value install writes is one xlwings reads as false: a click on a workbook from a
    SharePoint URL no longer fails in xlwings, and no workbook folder goes on sys.path."""
    import xlwings

    install_addin(xlstart=tmp_path / "XLSTART", python_exe=sys.executable)
    value = _config_value(user_config_path(), "ADD_WORKBOOK_TO_PYTHONPATH")
    assert value == "False"
    url = "https://example.sharepoint.com/sites/fukushi/Shared Documents/提出/高齢福祉課.xlsx"
    local = str(tmp_path / "提出" / "高齢福祉課.xlsx")
    assert _workbook_paths_xlwings_adds(value, url, monkeypatch) == []
    assert _workbook_paths_xlwings_adds(value, local, monkeypatch) == []
    # xlwings' default, for contrast: the folder first on the path, and the URL fails before
    # our code runs (on Windows an English XlwingsError; here the same lookup fails otherwise).
    assert str(tmp_path / "提出") in _workbook_paths_xlwings_adds("true", local, monkeypatch)
    with pytest.raises((xlwings.XlwingsError, UnboundLocalError)):
        _workbook_paths_xlwings_adds("true", url, monkeypatch)
