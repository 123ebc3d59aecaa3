"""Build ``welfare_xl.xlam`` from the text sources in the repository's ``addin/``.

Sources (all kept as reviewable text):

* ``addin/customUI/customUI14.xml`` — the ribbon;
* ``addin/vba/*.bas`` — standard modules (the ribbon callback);
* ``addin/vba/*.cls`` — the document modules of the workbook and its sheet, in the
  form they take inside the VBA project (attribute lines, no VERSION header);
* the xlwings VBA module, read at build time from the *installed* xlwings package
  (``xlwings_custom_addin.bas``) with ``PROJECT_NAME`` set to ``welfare_xl``, so the
  add-in always matches the Python side and looks for ``welfare_xl.conf``.

The built add-in is committed as ``addin/welfare_xl.xlam``. Where ``addin/`` is
found: in a source checkout (also an editable install, ``pip install -e .``) it is
the repository's folder; a wheel can carry the same folder inside the package as
``welfare_xl/xlam/addin/`` (mapped there by the packaging configuration), so that
``welfare-xl addin install`` also works on a PC that only has the wheel.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from welfare_xl.files.user_config import PROJECT_NAME
from welfare_xl.xlam.errors import AddinBuildError
from welfare_xl.xlam.ovba import ModuleKind, VbaModule, VbaProject, VbaProjectError, VbaReference, build_vba_project_bin
from welfare_xl.xlam.package import build_xlam

__all__ = [
    "ADDIN_FILENAME",
    "RIBBON_NAMESPACE",
    "TAB_LABEL",
    "VBA_PROJECT_NAME",
    "XLWINGS_PROJECT_NAME",
    "addin_source_dir",
    "build_addin",
    "build_addin_bytes",
    "default_addin_path",
    "load_vba_modules",
    "xlwings_module_source",
]

ADDIN_FILENAME = "welfare_xl.xlam"
#: xlwings' PROJECT_NAME: the config sheet/file is ``welfare_xl.conf``.
XLWINGS_PROJECT_NAME = PROJECT_NAME  # the add-in reads welfare_xl.conf (files/user_config.py)
#: Name of the VBA project; it must differ from every module name.
VBA_PROJECT_NAME = "WelfareXLAddin"
RIBBON_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
ADDIN_TITLE = "welfare-xl 進捗状況調査アドイン"
#: The ribbon tab's label in addin/customUI/customUI14.xml: says nothing of one plan or city.
TAB_LABEL = "進捗調査"

#: OLE Automation, referenced by every project Excel creates. The path is only a
#: hint: VBA resolves a registered type library by its GUID and version.
STDOLE_REFERENCE = VbaReference(
    name="stdole",
    libid=r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
)

# VB_Base of the two kinds of document module (CLSIDs of Excel's Workbook and
# Worksheet classes).
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

_XLWINGS_MODULE_FILE = "xlwings_custom_addin.bas"
#: Procedures of xlwings' module that our callback calls to find the conf file that
#: GetConfig would read beside the workbook (addin/vba/WelfareXL.bas, WorkbookSettingsProblem).
XLWINGS_PROCEDURES_USED = ("GetFullName", "GetDirectoryConfigFilePath", "FileExists")
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"\r\n]*"(\r?)$', re.MULTILINE)
_VB_NAME_LINE = re.compile(r'\AAttribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"\r?\n')
_VB_BASE_LINE = re.compile(r'^Attribute VB_Base = "([^"]*)"\r?$', re.MULTILINE)
_SAFE_TAG = re.compile(r"[A-Za-z]{1,32}\Z")  # mirrors IsSafeTag in WelfareXL.bas


def _source_dir_candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    return [
        package / "addin",  # installed wheel: addin/ shipped inside the package
        package.parents[1] / "addin",  # source checkout or editable install
    ]


def addin_source_dir() -> Path:
    """The ``addin/`` folder: ribbon XML, VBA sources and the built add-in."""
    candidates = _source_dir_candidates()
    for candidate in candidates:
        if (candidate / "customUI" / "customUI14.xml").is_file() and (candidate / "vba").is_dir():
            return candidate
    raise AddinBuildError(
        "アドインのファイル（addin フォルダー）が見つかりません（探した場所: "
        + "、".join(str(c) for c in candidates)
        + "）。リポジトリを取得して `pip install -e .` でインストールするか、"
        "アドインを含む welfare-xl のパッケージをインストールしてください。"
    )


def default_addin_path() -> Path:
    """Where the built add-in lives: ``addin/welfare_xl.xlam`` next to its sources."""
    return addin_source_dir() / ADDIN_FILENAME


def _read_ascii_source(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AddinBuildError(f"VBA ソース {path} を読み込めません: {exc}") from exc
    if not text.isascii():
        # The VBA project uses code page 932; ASCII keeps it identical everywhere
        # and keeps Japanese wording in Python, where it can be tested.
        raise AddinBuildError(
            f"VBA ソース {path} に ASCII 以外の文字があります。"
            "VBA のコードとコメントは英語（ASCII）で書き、利用者向けの日本語は Python 側に置いてください。"
        )
    return text.replace("\r\n", "\n")


def _module_name(path: Path, text: str) -> str:
    match = _VB_NAME_LINE.match(text)
    if match is None or match.group(1) != path.stem:
        raise AddinBuildError(
            f'VBA ソース {path} の 1 行目は Attribute VB_Name = "{path.stem}" でなければなりません。'
        )
    return match.group(1)


def _mac_only_lines(source: str) -> list[bool]:
    """For each line, whether conditional compilation limits it to the Mac.

    Tracks ``#If Mac Then`` / ``#If Not Mac Then`` blocks (and their ``#Else``);
    other conditions are treated as not Mac-specific.
    """
    stack: list[tuple[str, bool]] = []  # (condition kind, inside the #Else part)
    result: list[bool] = []
    for raw in source.splitlines():
        lowered = raw.split("'", 1)[0].strip().lower()
        if lowered.startswith("#if "):
            condition = lowered[4:].removesuffix(" then").strip()
            kind = "mac" if condition == "mac" else "notmac" if condition == "not mac" else "other"
            stack.append((kind, False))
        elif stack and (lowered.startswith("#elseif ") or lowered == "#else"):
            stack[-1] = (stack[-1][0], True)
        elif stack and lowered.startswith("#end if"):
            stack.pop()
        result.append(
            any((kind == "mac" and not in_else) or (kind == "notmac" and in_else) for kind, in_else in stack)
        )
    return result


def xlwings_module_source() -> str:
    """The installed xlwings package's custom add-in module, renamed for welfare-xl."""
    try:
        raw = (importlib.resources.files("xlwings") / _XLWINGS_MODULE_FILE).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise AddinBuildError(
            f"xlwings パッケージの {_XLWINGS_MODULE_FILE} を読み込めません。"
            "xlwings が正しくインストールされているか確認してください。"
        ) from exc
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise AddinBuildError(
            f"xlwings の {_XLWINGS_MODULE_FILE} に ASCII 以外の文字があります。"
            "この xlwings のバージョンには対応していません。"
        ) from exc
    text, count = _PROJECT_NAME_LINE.subn(rf'\1"{XLWINGS_PROJECT_NAME}"\2', text)
    if count != 1:
        raise AddinBuildError(
            f"xlwings の {_XLWINGS_MODULE_FILE} に PROJECT_NAME の定義が 1 つだけ見つかりません"
            f"（{count} 個）。この xlwings のバージョンには対応していません。"
        )
    for name in XLWINGS_PROCEDURES_USED:
        if not re.search(rf"^(Public )?Function {name}\(", text, re.MULTILINE):
            raise AddinBuildError(
                f"xlwings の {_XLWINGS_MODULE_FILE} に、アドインが使う関数 {name} がありません。"
                "この xlwings のバージョンには対応していません。"
            )
    # xlwings also ships a Dictionary class (MIT, Tim Hall) for the Mac; on
    # Windows its module uses Scripting.Dictionary. Refuse to build if a newer
    # xlwings needs the class outside "#If Mac" blocks: the add-in would not compile.
    for line, mac_only in zip(text.splitlines(), _mac_only_lines(text), strict=True):
        code = line.split("'", 1)[0]
        if not mac_only and re.search(r"\b(As|New)\s+(New\s+)?Dictionary\b", code, re.IGNORECASE):
            raise AddinBuildError(
                "この xlwings の VBA モジュールは Windows でも Dictionary クラスを必要とします。"
                "welfare-xl のアドイン作成処理を更新してください。"
            )
    return text


def load_vba_modules(source_dir: Path) -> tuple[list[VbaModule], str, str]:
    """Modules of the project in a fixed order (workbook, sheet, ours, xlwings),
    plus the code names of the workbook and the worksheet modules."""
    vba_dir = source_dir / "vba"
    workbook: VbaModule | None = None
    sheets: list[VbaModule] = []
    standard: list[VbaModule] = []
    for path in sorted(vba_dir.iterdir()):
        if path.name.startswith("."):
            continue  # editor and OS droppings (.DS_Store, swap files)
        if path.suffix == ".bas":
            text = _read_ascii_source(path)
            standard.append(VbaModule(_module_name(path, text), text, ModuleKind.STANDARD))
        elif path.suffix == ".cls":
            # Only document modules are kept as .cls here (no class modules).
            text = _read_ascii_source(path)
            module = VbaModule(_module_name(path, text), text, ModuleKind.DOCUMENT)
            base = _VB_BASE_LINE.search(text)
            if base and base.group(1) == _WORKBOOK_BASE and workbook is None:
                workbook = module
            elif base and base.group(1) == _WORKSHEET_BASE:
                sheets.append(module)
            else:
                raise AddinBuildError(
                    f"{path} はブックまたはシートのドキュメントモジュールではありません"
                    "（Attribute VB_Base を確認してください）。"
                )
        elif path.is_file():
            raise AddinBuildError(f"{vba_dir} に想定外のファイル {path.name} があります（.bas と .cls のみ）。")
    if workbook is None or len(sheets) != 1 or not standard:
        raise AddinBuildError(
            f"{vba_dir} には ThisWorkbook のモジュール 1 つ、シートのモジュール 1 つ、"
            "標準モジュール 1 つ以上が必要です。"
        )
    if any(module.name.lower() == "xlwings" for module in standard):
        raise AddinBuildError(
            "xlwings モジュールはインストール済みの xlwings から取り込むため、addin/vba に置かないでください。"
        )
    xlwings_module = VbaModule("xlwings", xlwings_module_source(), ModuleKind.STANDARD)
    return [workbook, *sheets, *standard, xlwings_module], workbook.name, sheets[0].name


def _read_ribbon(source_dir: Path) -> bytes:
    path = source_dir / "customUI" / "customUI14.xml"
    # LF whatever the checkout: Git for Windows may give CRLF, and the built add-in
    # must be byte-identical on every machine (install compares it with a fresh build).
    data = path.read_bytes().replace(b"\r\n", b"\n")
    try:
        # Our own file from the repository: the standard parser is adequate.
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise AddinBuildError(f"リボン定義 {path} が XML として正しくありません: {exc}") from exc
    if root.tag != f"{{{RIBBON_NAMESPACE}}}customUI":
        raise AddinBuildError(f"リボン定義 {path} の名前空間は {RIBBON_NAMESPACE} でなければなりません。")
    for element in root.iter():
        if "onAction" in element.attrib and not _SAFE_TAG.match(element.get("tag", "")):
            raise AddinBuildError(
                f"リボン定義 {path} のボタン {element.get('id')} の tag は半角英字（32 文字まで）にしてください。"
            )
    return data


def build_addin_bytes(source_dir: Path | None = None) -> bytes:
    """The complete .xlam as bytes (deterministic for given sources and xlwings)."""
    source_dir = source_dir or addin_source_dir()
    modules, workbook_name, sheet_name = load_vba_modules(source_dir)
    project = VbaProject(name=VBA_PROJECT_NAME, modules=modules, references=(STDOLE_REFERENCE,))
    try:
        vba_project_bin = build_vba_project_bin(project)
    except VbaProjectError as exc:
        raise AddinBuildError(f"VBA プロジェクトを作成できません: {exc}") from exc
    return build_xlam(
        vba_project_bin,
        _read_ribbon(source_dir),
        title=ADDIN_TITLE,
        workbook_code_name=workbook_name,
        sheet_code_name=sheet_name,
        sheet_name=sheet_name,
    )


def build_addin(out: Path | None = None) -> Path:
    """Build the add-in and write it to ``out`` (default ``addin/welfare_xl.xlam``
    in the checkout). Returns the path written."""
    target = Path(out) if out is not None else default_addin_path()
    if target.suffix.lower() != ".xlam":  # e.g. -o 調査票.xlsx would replace a workbook with the add-in
        raise AddinBuildError(f"{target}: アドインの出力先は .xlam のファイル名にしてください"
                              "（ほかの名前では Excel がアドインとして読み込みません）。")
    data = build_addin_bytes()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write next to the target and rename, so an interrupted build never
        # leaves a truncated add-in behind.
        handle, temporary = tempfile.mkstemp(prefix=".welfare_xl-", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, 0o644)  # mkstemp creates 0600; an add-in is an ordinary file
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise AddinBuildError(f"アドインを {target} に書き込めません: {exc}") from exc
    return target
