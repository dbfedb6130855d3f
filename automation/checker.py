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

from automation.errors import ValidationError
from automation.model import LANGS, I18n


class Checker:
    """Collects every problem of one input (template, plan) instead of stopping at the first.

    ``source`` names the file; ``problems`` are one-line strings ``<field path>: <what is wrong>``, which
    :class:`automation.errors.ValidationError` lists for the admin.
    """
    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def err(self, path: str, msg: str) -> None:
        """Record a problem at ``path`` (a dotted field path; ``(top)`` for the whole file)."""
        self.problems.append(f"{path or '(top)'}: {msg}")

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
    and a file whose top level is not a mapping of ``key: value`` lines.
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
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise error(str(path), [f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise error(str(path), [f"expected a mapping {what}: lines of `key: value`; found {_kind(data)} instead"])
    return data


def _kind(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"a line of text ({v[:40]!r})"
    return f"a single value ({v!r})"
