"""One chart file as the report lists it (:class:`Chart`), and the file-name part of a key (:func:`slug`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


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


def slug(text: str) -> str:
    """``text`` made safe for a file name: runs of characters other than ``A-Za-z0-9_.-`` become
    ``_`` (``"ws law/budget"`` → ``"ws_law_budget"``); ``"form"`` when nothing is left."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "form"
