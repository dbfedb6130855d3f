"""Collecting validation problems with the field path of each (templates, plans, configuration).

A :class:`Checker` never stops at the first problem: every check appends
``"field.path: what is wrong"`` to :attr:`Checker.problems`, and the caller
raises one :class:`automation.errors.ValidationError` listing them all
(DESIGN.md principle 6).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from automation.errors import AutomationError, ValidationError
from automation.model import LANGS, I18n

#: Most values (mappings, lists, scalars) a YAML file may expand to, aliases counted each time they are used.
#: The largest shipped template expands to about 1,500; an "alias bomb" (a few hundred bytes of nested
#: ``&a``/``*a``) to billions, which would exhaust the memory.
MAX_YAML_NODES = 100_000
#: Deepest nesting of lists/mappings read (the service's own files go about 6 deep).  Checked explicitly, not
#: left to Python's recursion limit, which a library in the same process may have raised (mypy does).
MAX_YAML_DEPTH = 200

#: Longest problem line a :class:`Checker` records (a huge value quoted in full would flood the admin's screen).
MAX_PROBLEM_CHARS = 500


class Checker:
    """Collects every problem of one input (template, plan) instead of stopping at the first.

    ``source`` names the file; ``problems`` are one-line strings ``<field path>: <what is wrong>``, which
    :class:`automation.errors.ValidationError` lists for the admin.
    """
    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def err(self, path: str, msg: str) -> None:
        """Record a problem at ``path`` (a dotted field path; ``(top)`` for the whole file).

        A problem longer than :data:`MAX_PROBLEM_CHARS` is cut there (ending with ``…``).
        """
        line = f"{path or '(top)'}: {msg}"
        if len(line) > MAX_PROBLEM_CHARS:
            line = line[:MAX_PROBLEM_CHARS - 1] + "…"
        self.problems.append(line)

    def keys(self, d: Any, allowed: set[str], path: str, required: tuple[str, ...] = ()) -> bool:
        """``d`` is a mapping with only ``allowed`` keys and every ``required`` one; False if not a mapping."""
        if not isinstance(d, dict):
            self.err(path, "expected a mapping (indented `key: value` lines), found "
                     + _kind(d) if path else "the file must be lines of `key: value`, found " + _kind(d))
            return False
        for k in d:
            if k not in allowed:
                self.err(f"{path}.{k}" if path else str(k), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in d:
                self.err(f"{path}.{k}" if path else k, "required key is missing")
        return True

    def text(self, d: Any, path: str, required: bool = True) -> I18n | None:
        """A participant-facing text ``{ky: ..., ru: ...}``: both translations, nothing else."""
        if d is None:
            if required:
                self.err(path, "required text is missing (give both ky and ru)")
            return None
        if not isinstance(d, dict):
            self.err(path, f"expected {{ky: ..., ru: ...}}, found {d!r}")
            return None
        for k in d:
            if k not in LANGS:
                self.err(f"{path}.{k}", "unknown language (allowed: ky, ru)")
        for lang in LANGS:
            v = d.get(lang)
            if v is None or (isinstance(v, str) and not v.strip()):
                self.err(f"{path}.{lang}", "missing translation")
            elif not isinstance(v, str):
                self.err(f"{path}.{lang}", f"expected text, found {v!r}")
        if all(isinstance(d.get(lang), str) and d[lang].strip() for lang in LANGS) and not any(k not in LANGS for k in d):
            return I18n(ky=d["ky"].strip(), ru=d["ru"].strip())
        return None


def read_yaml(path: Path, error: type[ValidationError], what: str) -> Any:
    """Parse a YAML file the admin wrote; every way it can be unreadable becomes ``error`` naming the file.

    ``what`` says what the file should hold (e.g. "(a form template: id:, ...)"), for a file that is not a mapping.
    Raises ``error`` for a missing file, text that is not UTF-8, invalid YAML (with line and column)
    and a file whose top level is not a mapping of ``key: value`` lines; also a key written twice in one
    mapping (YAML would silently keep the last) and a file that expands to more than
    :data:`MAX_YAML_NODES` values through aliases (``&name`` / ``*name``: a few hundred bytes can
    otherwise expand to more than the memory holds).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(str(path), ["file not found"]) from None
    except OSError as e:
        raise error(str(path), [f"cannot read the file ({e.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(str(path), [f"byte {e.start}: not UTF-8 text; save the file as UTF-8 (in Notepad: "
                                "Save as → Encoding: UTF-8)"]) from None
    try:
        data = _load(text)
    except _Refused as e:
        raise error(str(path), [str(e)]) from None
    except RecursionError:
        raise error(str(path), ["the values are nested too deeply (lists or mappings inside each other "
                                "thousands of levels down); this is not a file the service expects"]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise error(str(path), [f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(str(path), [f"expected a mapping {what}: lines of `key: value`; found {_kind(data)} instead"])
    return data


class _Refused(AutomationError):
    """Valid YAML the service will not read (a duplicate key, too many values); the message is for the admin."""


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key written twice in one mapping (naming it and both lines)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            line = key_node.start_mark.line + 1
            if first is not None:
                raise _Refused(f"line {line}: the key {str(key)[:60]!r} is written twice in the same mapping "
                               f"(first on line {first}); keep one of them")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _load(text: str) -> Any:
    """``yaml.safe_load(text)`` with :class:`_Loader`, refusing a document of more than :data:`MAX_YAML_NODES` values."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _count(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _count(root: yaml.Node) -> int:
    """How many values ``root`` expands to (a node reached through aliases counts each time);
    raises :class:`_Refused` past :data:`MAX_YAML_NODES` or on an alias that contains itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node, depth: int = 0) -> int:
        if depth > MAX_YAML_DEPTH:
            raise _Refused(f"line {node.start_mark.line + 1}: the values are nested too deeply (lists or mappings "
                           f"inside each other more than {MAX_YAML_DEPTH} levels down); this is not a file the "
                           "service expects")
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise _Refused(f"line {node.start_mark.line + 1}: an alias (*name) refers to the value that contains it; "
                           "write the value out instead")
        open_.add(key)
        n = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [x for pair in node.value for x in pair]
        else:
            children = []
        for child in children:
            n += size(child, depth + 1)
            if n > MAX_YAML_NODES:
                raise _Refused(f"line {node.start_mark.line + 1}: the file expands to more than {MAX_YAML_NODES:,} "
                               "values (through aliases: &name ... *name); write the values out or use fewer aliases")
        open_.discard(key)
        sizes[key] = n
        return n

    return size(root)


def _kind(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"a line of text ({v[:40]!r})"
    return f"a single value ({v!r})"
