"""Partial responses: the ``fields`` query parameter ("a,b(c,d),e/f", "sheets.properties").

Syntax per https://developers.google.com/workspace/drive/api/guides/fields-parameter:
comma-separated selectors, ``/`` or ``.`` for nesting, ``(...)`` for sub-selections,
``*`` for everything. Unknown names select nothing (Google would 400 on some APIs).
"""
from __future__ import annotations

from typing import Any

Tree = dict  # name -> Tree | True


def parse(text: str) -> Tree:
    tree, rest = _parse_list(text.replace(" ", ""), 0)
    return tree


def _parse_list(text: str, i: int) -> tuple[Tree, int]:
    tree: Tree = {}
    while i < len(text) and text[i] != ")":
        j = i
        while j < len(text) and text[j] not in ",()":
            j += 1
        path = [p for p in text[i:j].replace("/", ".").split(".") if p]
        sub: Any = True
        if j < len(text) and text[j] == "(":
            sub, j = _parse_list(text, j + 1)
            j += 1  # ')'
        _insert(tree, path, sub)
        if j < len(text) and text[j] == ",":
            j += 1
        i = j
    return tree, i


def _insert(tree: Tree, path: list[str], sub: Any) -> None:
    if not path:
        return
    node = tree
    for name in path[:-1]:
        child = node.get(name)
        if child is True:
            return
        node = node.setdefault(name, {})
    last = path[-1]
    if sub is True or last not in node:
        node[last] = sub
    elif isinstance(node[last], dict) and isinstance(sub, dict):
        node[last].update(sub)


def project(value: Any, tree: Tree | bool) -> Any:
    """Keep only the selected fields of ``value``."""
    if tree is True or "*" in tree:
        return value
    if isinstance(value, list):
        return [project(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: project(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def apply(value: Any, fields: str | None) -> Any:
    if not fields or not isinstance(value, (dict, list)):
        return value
    return project(value, parse(fields))
