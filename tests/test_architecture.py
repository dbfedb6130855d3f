"""The shape of the code (issue "One shape for the code"): packages without import cycles, small modules,
a docstring on every public object, and the layers DESIGN.md names."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "automation"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the automation modules it imports (at any depth of the file, lazy imports included)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for n in names:
                while n and n not in mods:
                    n = n.rpartition(".")[0]
                if n and n != m and n.startswith("automation") and not m.startswith(n + "."):
                    graph[m].add(n)
    return graph


def test_no_relative_imports():
    bad = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in _modules().values()
           for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))) if isinstance(n, ast.ImportFrom) and n.level]
    assert bad == []


def test_no_import_cycles():
    mods = _modules()
    graph = _imports(mods)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in mods:
        if v not in index:
            visit(v)
    assert cycles == []


def test_no_module_is_a_god_module():
    big = {m: n for m, p in _modules().items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


def test_every_public_object_has_a_docstring():
    """Modules, and public functions, classes and methods (not ``_private`` ones, not dunder methods but
    ``__init__`` of a class without its own docstring)."""
    missing = []
    for m, p in _modules().items():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(m)

        def walk(body: list[ast.stmt], prefix: str) -> None:
            for node in body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    if node.name.startswith("_"):
                        continue
                    if any(isinstance(d, ast.Name) and d.id == "overload" for d in getattr(node, "decorator_list", [])):
                        continue
                    if not ast.get_docstring(node):
                        missing.append(f"{m}.{prefix}{node.name}")
                    if isinstance(node, ast.ClassDef):
                        walk(node.body, f"{prefix}{node.name}.")

        walk(tree.body, "")
    assert missing == []


def test_jobs_talk_to_ports_not_to_client_libraries():
    """DESIGN.md principle 2: jobs depend on the ports, never on a backend or a client library."""
    forbidden = ("googleapiclient", "gspread", "smtplib", "openpyxl", "automation.workspace.google",
                 "automation.workspace.local", "sqlite3")
    bad = []
    for p in (PKG / "jobs").rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            mod = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [mod] if mod else []
            bad += [f"{p.name}: {n}" for n in names if n and n.startswith(forbidden)]
    assert bad == []


def test_domain_modules_hold_no_command_line_handlers_and_no_simulation():
    """The CLI is thin and lives in automation/cli/; the demo's simulated respondents live in automation/demo/."""
    bad = []
    for m, p in _modules().items():
        if m.startswith(("automation.cli", "automation.demo")):
            continue
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and (node.name.startswith(("cli_", "simulate_", "cmd_"))):
                bad.append(f"{m}.{node.name}")
    assert bad == []
