"""Collecting validation problems with the field path of each (templates, plans, configuration).

A :class:`Checker` never stops at the first problem: every check appends
``"field.path: what is wrong"`` to :attr:`Checker.problems`, and the caller
raises one :class:`automation.errors.ValidationError` listing them all
(DESIGN.md principle 6).
"""

from __future__ import annotations

from typing import Any

from .model import LANGS, I18n


class Checker:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []

    def err(self, path: str, msg: str) -> None:
        self.problems.append(f"{path or '(top)'}: {msg}")

    def keys(self, d: Any, allowed: set[str], path: str, required: tuple[str, ...] = ()) -> bool:
        """``d`` is a mapping with only ``allowed`` keys and every ``required`` one; False if not a mapping."""
        if not isinstance(d, dict):
            self.err(path, f"expected a mapping, found {type(d).__name__}")
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
