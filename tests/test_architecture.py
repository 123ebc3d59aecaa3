"""The tree is the architecture: the import rules of docs/ARCHITECTURE.md, checked on the code.

Every import statement of the package is read with `ast`, the ones inside
functions included (the add-in and the CLI import lazily, and a lazy import is
still a dependency). The rules:

* `core` imports only `core`, `welfare_xl.errors` and the pure part of the
  standard library listed in CORE_STDLIB (no file, process or network access),
  plus pandas in `core.tidy` alone;
* `files` imports `core`, `errors`, `files` and any library but xlwings;
* `commands` import `core`, `files`, `errors`; a command never imports another
  command, except `demo`, which plays the whole year by running the others;
* `addin` imports `core`, `files`, `errors`, `addin` and xlwings, never
  `commands` or `xlam`; an action never imports another action;
* `xlam` (the builder) imports only `xlam`, `errors`, `files.user_config` and
  the standard library;
* `cli` imports `commands`, `core`, `errors`, `xlam` and `cli_text` (its Japanese argparse), never the
  add-in or `files` directly; `cli_text` imports nothing of ours;
* `errors` imports nothing of ours; nothing imports `cli` but `__main__`, and
  nothing imports the add-in's entry point `welfare_xl.addin` (the ribbon does);
* there is no cycle between modules.

The entry point imports each button's action by name (its ACTIONS table of
`Button(label, module, function)`); those count as imports of
`addin.actions.<module>.<function>`, so the rules and the cycle check see them.

`test_a_deliberate_violation_is_caught` proves the checker fails on a broken
rule: it writes a small package with violations and expects each one named.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

from support.paths import ROOT

PACKAGE = "welfare_xl"

CORE_STDLIB = frozenset({
    "__future__", "abc", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
    "fractions", "functools", "heapq", "itertools", "json", "math", "operator", "re", "statistics", "string",
    "textwrap", "typing", "unicodedata",
})
CORE_EXTRA = {"core.tidy": frozenset({"pandas"})}  # by module name inside the package
XLAM_OURS = ("welfare_xl.xlam", "welfare_xl.errors", "welfare_xl.files.user_config")


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted name as resolved (a module, or module.attribute)
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[Import]:
    """Every import in a file, top-level or inside a function, with relative names resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found += [Import(name, f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def button_imports(path: Path, root: Path) -> list[Import]:
    """The add-in's entry point imports each button's action by name (`Button(label, module, function)`
    in its ACTIONS table): read those as the imports they are."""
    name = module_name(path, root)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button" and len(node.args) == 3:
            module, function = (a.value for a in node.args[1:])
            found.append(Import(name, f"{name}.actions.{module}.{function}", node.lineno))
    return found


def modules_in(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / package).rglob("*.py")) if "__pycache__" not in p.parts}


def target_module(imported: str, known: set[str]) -> str | None:
    """The module of ours an import names (`a.b.c` is module `a.b.c`, or attribute `c` of `a.b`)."""
    for candidate in (imported, imported.rpartition(".")[0]):
        if candidate in known:
            return candidate
    return None


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(root: Path, package: str = PACKAGE) -> list[str]:
    """Each broken rule as one line: file:line importer -> imported: rule."""
    mods = modules_in(root, package)
    known = set(mods)
    out = []
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        found = imports_of(path, root)
        if mod == f"{package}.addin":
            found += button_imports(path, root)
        for imp in found:
            ours = target_module(imp.imported, known)
            top = imp.imported.split(".")[0]
            rule = _broken_rule(mod, imp.imported, ours, top, package)
            if rule:
                out.append(f"{path.relative_to(root)}:{imp.line} {mod} -> {imp.imported}: {rule}")
            if ours and ours != mod:
                graph[mod].add(ours)
    out += [f"cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return out


def _broken_rule(mod: str, imported: str, ours: str | None, top: str, package: str) -> str | None:
    p = package
    kind = layer(mod)
    is_ours = top == p
    if kind == "errors" and is_ours:
        return "errors imports nothing of ours"
    if is_ours and under(imported, f"{p}.cli") and mod != f"{p}.__main__":
        return "only __main__ imports the CLI"
    if is_ours and ours == f"{p}.addin" and mod != ours:
        return "only the ribbon (RunPython) imports the add-in's entry point"
    if kind == "cli" and is_ours and imported != f"{p}.__version__" \
            and not under(imported, f"{p}.commands", f"{p}.core", f"{p}.errors", f"{p}.xlam", f"{p}.cli_text"):
        return "the CLI imports only commands, core, errors, the builder and its Japanese argparse"
    if kind == "cli_text" and is_ours:
        return "the CLI's Japanese argparse imports nothing of ours"
    if kind == "core":
        if is_ours:
            return None if under(imported, f"{p}.core", f"{p}.errors") else "core imports only core and errors"
        allowed = CORE_STDLIB | CORE_EXTRA.get(mod.partition(".")[2], frozenset())
        return None if top in allowed else f"core imports no '{top}' (reading files and running programs belong to files)"
    if kind == "files":
        if top == "xlwings":
            return "files never use xlwings (the live workbook is the add-in's)"
        if is_ours and not under(imported, f"{p}.core", f"{p}.files", f"{p}.errors"):
            return "files import only core, files and errors"
        return None
    if kind == "commands":
        if top == "xlwings":
            return "commands never use xlwings"
        if is_ours and not under(imported, f"{p}.core", f"{p}.files", f"{p}.errors", f"{p}.commands"):
            return "commands import only core, files and errors"
        if is_ours and under(imported, f"{p}.commands") and imported != f"{p}.commands" \
                and mod != f"{p}.commands.demo" and ours != mod:
            return "a command never imports another command (shared logic goes below both)"
        return None
    if kind == "addin":
        if is_ours and under(imported, f"{p}.commands"):
            return "the add-in never imports commands (shared logic goes below both)"
        if is_ours and not under(imported, f"{p}.core", f"{p}.files", f"{p}.errors", f"{p}.addin", p) \
                or imported == f"{p}.cli":
            return "the add-in imports only core, files, errors and itself"
        if is_ours and under(mod, f"{p}.addin.actions") and under(imported, f"{p}.addin.actions") \
                and ours not in (mod, f"{p}.addin.actions"):
            return "an action never imports another action (shared parts go to addin/excel)"
        return None
    if kind == "xlam":
        if is_ours and not under(imported, *(x.replace("welfare_xl", p) for x in XLAM_OURS)):
            return "the builder imports only itself, errors and files.user_config"
        if not is_ours and top not in sys.stdlib_module_names:
            return f"the builder imports only the standard library, not '{top}'"
        return None
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan): each cycle's members, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp) + [sorted(comp)[0]])

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_keeps_its_import_rules():
    broken = violations(ROOT)
    assert not broken, "import rules broken (docs/ARCHITECTURE.md):\n" + "\n".join(broken)


def test_the_five_folders_are_there():
    pkg = ROOT / PACKAGE
    for folder in ("core", "files", "commands", "addin", "xlam", "addin/actions", "addin/excel"):
        assert (pkg / folder / "__init__.py").is_file(), folder


VIOLATIONS = {
    "errors.py": "from pkg.core import tidy\n",
    "core/__init__.py": "",
    "core/model.py": "import zipfile\nfrom pkg.files import reader\n",
    "core/pure.py": "import json\nfrom pkg.core import tidy\nfrom pkg.errors import UserError\n",
    "core/tidy.py": "import pandas\n",
    "files/__init__.py": "",
    "files/reader.py": "import openpyxl\nfrom pkg.core import pure\n\ndef late():\n    from pkg.commands import split\n",
    "commands/__init__.py": "",
    "commands/check.py": "from pkg.files import reader\nfrom pkg.commands import split\n",
    "commands/split.py": "from pkg.core import pure\n",
    "commands/demo.py": "from pkg.commands import check, split\n",
    "addin/__init__.py": "ACTIONS = {'go': Button('実行', 'one', 'run')}\n",
    "addin/excel/__init__.py": "",
    "addin/excel/grids.py": "import xlwings\nfrom pkg.addin.excel import writer\n",
    "addin/excel/writer.py": "def later():\n    from pkg.addin.excel import grids\n",
    "addin/actions/__init__.py": "",
    "addin/actions/one.py": "def run():\n    from pkg.commands.check import check\n    from pkg.addin.actions import two\n",
    "addin/actions/two.py": "from pkg.addin.excel import grids\nfrom pkg.addin import ACTIONS\n",
    "xlam/__init__.py": "",
    "xlam/build.py": "import zipfile\nimport lxml\nfrom pkg.core import pure\n",
    "cli.py": "import argparse\nfrom pkg.commands import check\nfrom pkg.files import reader\nfrom pkg import cli_text\n",
    "cli_text.py": "import argparse\nfrom pkg.errors import UserError\n",
}


def test_a_deliberate_violation_is_caught(tmp_path: Path):
    """A small package breaking each rule once: the checker names every break and nothing else."""
    for rel, text in VIOLATIONS.items():
        path = tmp_path / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    broken = violations(tmp_path, "pkg")
    expected = {
        ("pkg.errors", "pkg.core.tidy", "errors imports nothing of ours"),
        ("pkg.core.model", "zipfile", "core imports no 'zipfile'"),
        ("pkg.core.model", "pkg.files.reader", "core imports only core and errors"),
        ("pkg.files.reader", "pkg.commands.split", "files import only core, files and errors"),
        ("pkg.commands.check", "pkg.commands.split", "a command never imports another command"),
        ("pkg.addin.actions.one", "pkg.commands.check.check", "the add-in never imports commands"),
        ("pkg.addin.actions.one", "pkg.addin.actions.two", "an action never imports another action"),
        ("pkg.xlam.build", "pkg.core.pure", "the builder imports only itself"),
        ("pkg.addin.actions.two", "pkg.addin.ACTIONS", "only the ribbon (RunPython) imports the add-in's entry point"),
        ("pkg.xlam.build", "lxml", "the builder imports only the standard library"),
        ("pkg.cli", "pkg.files.reader", "the CLI imports only commands, core, errors, the builder and its Japanese argparse"),
        ("pkg.cli_text", "pkg.errors.UserError", "the CLI's Japanese argparse imports nothing of ours"),
    }
    for importer, imported, rule in expected:
        assert any(f" {importer} -> {imported}: {rule}" in line for line in broken), (importer, imported, broken)
    cycle = [line for line in broken if line.startswith("cycle:")]
    # The entry point's ACTIONS table counts as imports: entry -> one -> two -> entry is a cycle.
    assert sorted(cycle) == ["cycle: pkg.addin -> pkg.addin.actions.one -> pkg.addin.actions.two -> pkg.addin",
                             "cycle: pkg.addin.excel.grids -> pkg.addin.excel.writer -> pkg.addin.excel.grids"], cycle
    assert len(broken) == len(expected) + 2, broken  # demo, tidy's pandas, json, openpyxl are allowed


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
REASON = "Long because"  # at the top of a longer module's docstring or a longer function's body


def _has_reason(node: ast.AST, lines: list[str]) -> bool:
    body = getattr(node, "body", [])
    doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)) else None
    if doc and REASON in doc:
        return True
    if not body:
        return False
    start = getattr(node, "lineno", 1)
    head = lines[start - 1: body[0].lineno + 2]
    return any(REASON in line for line in head)


def test_no_module_or_function_is_too_long_without_a_reason():
    """No module over ~500 lines and no function over ~80 without a reason written at its top."""
    long = []
    for mod, path in modules_in(ROOT).items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        if len(lines) > MAX_MODULE_LINES and not _has_reason(tree, lines):
            long.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES and not _has_reason(node, lines):
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {size} lines")
    assert not long, f"split these, or write '{REASON} …' at their top:\n" + "\n".join(long)
