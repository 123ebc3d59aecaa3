"""Install the add-in for the current Windows user.

Two files are written:

* ``welfare_xl.xlam`` into Excel's user startup folder XLSTART
  (``%APPDATA%\\Microsoft\\Excel\\XLSTART``). Excel opens every file there at start;
  an .xlam opens as an add-in, and XLSTART is one of Excel's default trusted
  locations, so the macros run without a security prompt.
* ``%USERPROFILE%\\.welfare_xl\\welfare_xl.conf``, the per-user config file that the
  add-in's xlwings VBA module reads (it was built with ``PROJECT_NAME =
  "welfare_xl"``), with ``Interpreter_Win`` set to the Python that has welfare-xl
  installed and ``ADD_WORKBOOK_TO_PYTHONPATH`` set to ``False`` (see
  ``files/user_config.py``). Other settings already in the file are kept.

The config format is the one VBA's ``Write #`` produces and ``Input #`` reads:
one ``"key","value"`` line per setting, in the ANSI code page of Windows
(cp932 on Japanese Windows).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from welfare_xl.files.user_config import (
    ANSI_ENCODING,
    INSTALLED_SETTINGS,
    INTERPRETER_KEY,
    split_line,
    user_config_path,
)
from welfare_xl.xlam.build import ADDIN_FILENAME, build_addin_bytes, default_addin_path
from welfare_xl.xlam.errors import AddinError, AddinInstallError

__all__ = ["default_xlstart", "install_addin", "user_config_path"]



def default_xlstart() -> Path:
    """``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows."""
    if sys.platform != "win32":
        raise AddinInstallError(
            "Windows 以外では XLSTART フォルダーを自動で決められません。"
            "インストール先のフォルダーを指定してください。"
        )
    appdata = os.environ.get("APPDATA")
    if not appdata:
        raise AddinInstallError("環境変数 APPDATA が設定されていないため、XLSTART フォルダーが分かりません。")
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"




def _addin_bytes() -> bytes:
    """The committed add-in, after checking that it matches its sources."""
    try:
        committed = default_addin_path()
    except AddinError as exc:
        raise AddinInstallError(str(exc)) from exc
    try:
        data = committed.read_bytes()
    except FileNotFoundError:
        raise AddinInstallError(
            f"アドイン {committed} がありません。先に `welfare-xl addin build` を実行してください。"
        ) from None
    except OSError as exc:
        raise AddinInstallError(f"アドイン {committed} を読み込めません: {exc}") from exc
    try:
        fresh = build_addin_bytes()
    except AddinError as exc:
        raise AddinInstallError(f"アドインを確認できません: {exc}") from exc
    if fresh != data:
        # Typically: the sources or the installed xlwings changed since the
        # last build. Installing a stale add-in would pair a mismatched xlwings
        # VBA module with the Python package.
        raise AddinInstallError(
            f"アドイン {committed} がソースまたはインストール済みの xlwings と一致しません。"
            "`welfare-xl addin build` を実行してからもう一度インストールしてください。"
        )
    return data


def _config_line(key: str, value: str) -> str:
    if '"' in key or '"' in value or "\n" in value or "\r" in value:
        raise AddinInstallError(f"設定値に使えない文字（\" や改行）が含まれています: {value}")
    return f'"{key}","{value}"'


def _updated_config(existing: str, values: dict[str, str]) -> str:
    """``existing`` config text with each key of ``values`` set; other lines kept.

    A key already in the file is set where it stands; new keys are appended in
    the order given.
    """
    wanted = {key.lower(): key for key in values}
    lines: list[str] = []
    written: set[str] = set()
    for line in existing.splitlines():
        pair = split_line(line)  # None: not a "key","value" line, kept as it is
        lowered = pair[0].lower() if pair else None
        if lowered in wanted:
            if lowered not in written:
                key = wanted[lowered]
                lines.append(_config_line(key, values[key]))
                written.add(lowered)
            continue  # drop duplicates: VBA would only ever read the first one
        if line.strip():
            lines.append(line)
    lines += [_config_line(key, value) for key, value in values.items() if key.lower() not in written]
    return "\r\n".join(lines) + "\r\n"


def _write_config(path: Path, python_exe: str) -> None:
    existing = ""
    if path.exists():
        try:
            existing = path.read_bytes().decode(ANSI_ENCODING, errors="replace")
        except OSError as exc:
            raise AddinInstallError(f"設定ファイル {path} を読み込めません: {exc}") from exc
    text = _updated_config(existing, {INTERPRETER_KEY: python_exe, **INSTALLED_SETTINGS})
    try:
        encoded = text.encode(ANSI_ENCODING)
    except UnicodeEncodeError as exc:
        raise AddinInstallError(
            f"Python のパス {python_exe} に、Excel の設定ファイルで扱えない文字が含まれています。"
            "日本語以外の特殊な文字を含まないフォルダーに Python をインストールしてください。"
        ) from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encoded)
    except OSError as exc:
        raise AddinInstallError(f"設定ファイル {path} を書き込めません: {exc}") from exc


def install_addin(xlstart: Path | None = None, python_exe: str | None = None) -> list[Path]:
    """Copy the add-in into XLSTART and point its config at ``python_exe``.

    ``xlstart`` defaults to the current user's XLSTART folder on Windows and is
    required elsewhere; ``python_exe`` defaults to the running interpreter.
    Returns the paths written: the add-in, then the config file.
    """
    folder = Path(xlstart) if xlstart is not None else default_xlstart()
    interpreter = Path(python_exe) if python_exe is not None else Path(sys.executable)
    if not interpreter.is_absolute() or not interpreter.is_file():
        raise AddinInstallError(f"Python の実行ファイル {interpreter} が見つかりません（絶対パスで指定してください）。")

    data = _addin_bytes()
    target = folder / ADDIN_FILENAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except PermissionError as exc:
        raise AddinInstallError(
            f"{target} に書き込めません。Excel が起動していればすべて終了してから、もう一度実行してください。"
        ) from exc
    except OSError as exc:
        raise AddinInstallError(f"{target} に書き込めません: {exc}") from exc

    config = user_config_path()
    _write_config(config, str(interpreter))
    return [target, config]
