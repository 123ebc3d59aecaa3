"""Printing a workbook to PDF with LibreOffice, headless.

The committee version is handed out as PDF. LibreOffice is the one renderer
that runs without Excel (on a server, in CI, on a Linux PC); where it is not
installed the user is told in Japanese what to do instead (Excel's own
「エクスポート → PDF」), never shown a traceback.

Each run uses a private, throw-away LibreOffice profile: a profile shared with
an open LibreOffice window makes ``--convert-to`` return at once without
writing anything, and a stale lock in the user's profile does the same. The
process gets a timeout and is killed with everything it started when it hangs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from welfare_xl.errors import UserError
from welfare_xl.files.atomic import write_atomic

# Path of soffice to use instead of searching PATH (e.g. a portable LibreOffice).
ENV_SOFFICE = "WELFARE_XL_SOFFICE"
DEFAULT_TIMEOUT_S = 180

_WINDOWS_PATHS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
_MAC_PATHS = ("/Applications/LibreOffice.app/Contents/MacOS/soffice",)


class RenderError(UserError):
    """A PDF could not be made; the message (Japanese) says why and what to do instead."""

    exit_code = 1  # what was asked besides the PDF (the workbook) is done


class SofficeNotFoundError(RenderError):
    """LibreOffice is not installed (or not where the settings say)."""


class RenderTimeoutError(RenderError):
    """LibreOffice did not finish in time and was stopped."""


class RenderFailedError(RenderError):
    """LibreOffice ran but produced no PDF."""


def _excel_hint(xlsx: Path) -> str:
    return f"{xlsx.name} を Excel で開き、「ファイル」→「エクスポート」→「PDF/XPS の作成」で PDF にできます。"


def find_soffice() -> str | None:
    """LibreOffice's soffice: the path in WELFARE_XL_SOFFICE, else PATH, else the usual install folders.

    Raises SofficeNotFoundError when WELFARE_XL_SOFFICE names a file that does
    not exist (a setting that is wrong must not be silently ignored).
    """
    configured = os.environ.get(ENV_SOFFICE, "").strip()
    if configured:
        if Path(configured).is_file():
            return configured
        raise SofficeNotFoundError(
            f"環境変数 {ENV_SOFFICE} に指定された LibreOffice「{configured}」が見つかりません。"
            "設定を直すか、環境変数を削除してください。")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = _WINDOWS_PATHS if sys.platform == "win32" else _MAC_PATHS if sys.platform == "darwin" else ()
    return next((p for p in candidates if Path(p).is_file()), None)


def to_pdf(xlsx: str | Path, pdf: str | Path, *, soffice: str | None = None,
           timeout: float = DEFAULT_TIMEOUT_S) -> Path:
    """Print `xlsx` to `pdf` with LibreOffice as the workbook's page set-up says; returns `pdf`.

    The PDF appears whole or not at all (written beside the target, then renamed).
    """
    xlsx, pdf = Path(xlsx), Path(pdf)
    if not xlsx.is_file():
        raise RenderFailedError(f"{xlsx}: PDF にするファイルがありません。")
    exe = soffice or find_soffice()
    if exe is None:
        raise SofficeNotFoundError(
            "PDF を作成するには LibreOffice が必要ですが、このパソコンには見つかりませんでした。"
            f"LibreOffice をインストールしてからやり直すか、{_excel_hint(xlsx)}")
    with tempfile.TemporaryDirectory(prefix="wxl-pdf-") as tmp:
        work = Path(tmp)
        # A plain ASCII copy: LibreOffice names its output after the input.
        src = work / "book.xlsx"
        shutil.copyfile(xlsx, src)
        outdir = work / "out"
        cmd = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
               "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "pdf", "--outdir", str(outdir), str(src)]
        stdout, stderr, code = _run(cmd, timeout, xlsx)
        produced = outdir / "book.pdf"
        if code != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (stderr or stdout).strip().splitlines()
            reason = f"（LibreOffice: {detail[-1][:200]}）" if detail else f"（終了コード {code}）"
            raise RenderFailedError(f"{xlsx.name}: LibreOffice で PDF を作成できませんでした{reason}。{_excel_hint(xlsx)}")
        try:
            write_atomic(pdf, lambda tmp: shutil.copyfile(produced, tmp))
        except OSError as exc:
            raise RenderFailedError(
                f"{pdf}: PDF を書き込めません（{exc.strerror or exc}）。PDF を開いている場合は閉じてからやり直してください。"
            ) from exc
    return pdf


def _run(cmd: list[str], timeout: float, xlsx: Path) -> tuple[str, str, int]:
    """Run LibreOffice in its own process group, so a hang can be ended with all its children."""
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace", start_new_session=posix)
    except OSError as exc:
        raise SofficeNotFoundError(f"LibreOffice（{cmd[0]}）を起動できません（{exc.strerror or exc}）。"
                                   f"{_excel_hint(xlsx)}") from exc
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        raise RenderTimeoutError(f"{xlsx.name}: LibreOffice が {timeout:.0f} 秒以内に PDF を作成しなかったため、"
                                 f"中止しました。{_excel_hint(xlsx)}") from None
    return stdout, stderr, proc.returncode
