"""Why a file could not be written, in Japanese: shared by the atomic writer, the backup and the lock."""

from __future__ import annotations

import errno
import re
from pathlib import Path

DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)


def why_not_written(path: Path, exc: OSError) -> str:
    """Why writing `path` failed and what to do, in Japanese (one or two sentences)."""
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return "同じ名前のフォルダがあります。保存するファイル名を指定してください。"
    if isinstance(exc, PermissionError):
        return "書き込めません。Excel で開いている場合は閉じ、フォルダの書き込み権限を確認してから、もう一度実行してください。"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "保存先のフォルダを作れません（途中に同じ名前のファイルがあります）。"
    if isinstance(exc, FileNotFoundError):
        return "保存先のフォルダがありません。"
    if exc.errno in DISK_FULL:
        return "ディスクの空きが足りません（またはファイルが大きすぎます）。空きを作ってから、もう一度実行してください。"
    if exc.errno == errno.ENAMETOOLONG:
        return "ファイル名（またはフォルダの場所）が長すぎます。短い名前の場所に保存してください。"
    return f"保存できません（{type(exc).__name__}）。"


def io_error(exc: BaseException) -> OSError | None:
    """`exc` as the OSError it stands for, or None when it is not a failed write.

    lxml (openpyxl's XML writer) reports a failed write, a full disk say, not as
    OSError but as `SerialisationError("IO_ENOSPC")`; the name after IO_ is the errno.
    """
    if isinstance(exc, OSError):
        return exc
    found = re.search(r"\bIO_(E[A-Z0-9]+)\b", str(exc))
    if found and hasattr(errno, found.group(1)):
        return OSError(getattr(errno, found.group(1)), str(exc))
    return None
