"""One chart file as the report lists it (:class:`Chart`), and the file-name part of a key (:func:`slug`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Chart:
    """One chart file.

    ``kind``: ``choice``, ``multiple_choice``, ``scale``, ``likert``, ``grid``,
    ``score``, ``oblast`` (a form's charts); ``gain``, ``items``, ``heatmap``, ``change``,
    ``trend``, ``curves`` (the report's season and event sections).  ``question_id`` is the question's id (several joined
    by ``+`` for a Likert chart; ``""`` for form-level charts).  ``note`` is the
    text under the chart (suppressed groups are named there too).
    """

    path: Path
    title: str
    question_id: str
    kind: str
    note: str = ""
    svg_path: Path | None = None

    def to_json(self) -> dict[str, Any]:
        """The chart as a JSON object (paths as strings), as :meth:`from_json` reads it back."""
        return {**self.__dict__, "path": str(self.path), "svg_path": str(self.svg_path) if self.svg_path else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chart:
        """The chart :meth:`to_json` wrote."""
        return cls(**{**data, "path": Path(data["path"]),
                      "svg_path": Path(data["svg_path"]) if data.get("svg_path") else None})


def slug(text: str) -> str:
    """``text`` made safe for a file name: runs of characters other than ``A-Za-z0-9_.-`` become
    ``_`` (``"ws law/budget"`` → ``"ws_law_budget"``); ``"form"`` when nothing is left."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "form"
