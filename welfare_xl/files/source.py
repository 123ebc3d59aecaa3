"""Reading a survey template's source file (TOML) into the model.

The file is read here, with Japanese messages for a missing, mis-encoded or
malformed file; what it says is turned into a survey by the core's
`welfare_xl.core.model.source.parse_source`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from welfare_xl.core.model.source import SourceError, SourceSurvey, parse_source


def load_source(path: str | Path) -> SourceSurvey:
    """The survey (and its printed decimals) described by the TOML file at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: テンプレート定義のファイルがありません。") from exc
    except IsADirectoryError as exc:
        raise SourceError(f"{path}: フォルダです。テンプレート定義のファイル（.toml）を指定してください。") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: テンプレート定義は UTF-8 で保存してください。") from exc
    except OSError as exc:
        raise SourceError(f"{path}: テンプレート定義を読めません（{type(exc).__name__}）。") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says where in English: "... (at line 3, column 7)".
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        where = f"{m.group(1)}行目 {m.group(2)}文字目" if m else "どこか"
        raise SourceError(f"{path}: テンプレート定義の書き方に誤りがあります（{where}）。TOML の書式を確認してください。") from exc
    return parse_source(data, str(path))
