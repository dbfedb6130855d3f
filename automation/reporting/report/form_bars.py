"""A form's answers as bars drawn by the page itself (HTML and CSS, no image): :func:`question_bars`.

A bar is a row ``{"label", "n", "share" (0..1 of those who answered), "pct" (text), "correct"}``;
the template draws its length from ``share``.  Drawn by the browser, the bars reflow on a phone,
print sharp, cost nothing to build, and are never stale.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from automation.analysis import summary
from automation.model import FormSpec
from automation.reporting.report.text import fmt_num, fmt_pct

#: Score bins of a quiz: share of the maximum, upper bounds (the last includes 100 %).
SCORE_BINS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _bar(label: str, n: int, of: int, correct: bool = False) -> dict[str, Any]:
    share = n / of if of else 0.0
    return {"label": label, "n": n, "share": round(share, 4), "pct": fmt_pct(share) if of else "—",
            "correct": correct}


def question_bars(spec: FormSpec, rows: pd.DataFrame, lang: str = "ru",
                  counts: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every counted question of one form, in form order: ``{"question_id", "title", "kind",
    "answered", "bars": [bar], "mean": text or "", "columns": [..], "grid": [{"label", "cells":
    [bar]}]}`` (``grid``/``columns`` for grid questions only).  Text, date and personal-data
    questions, and questions nobody answered, are left out.  Correct options of a quiz are marked.
    ``counts``: :func:`automation.analysis.summary.question_counts` of the rows, when the caller has it."""
    out = []
    for q, c in zip(spec.questions, counts if counts is not None else summary.question_counts(spec, rows, lang)):
        if not c["answered"] or q.kind not in summary.COUNTED_KINDS or summary.is_personal(q):
            continue
        correct = {q.option_label(o, lang) for o in q.correct}
        item: dict[str, Any] = {"question_id": q.id, "title": c["title"], "kind": q.kind, "answered": c["answered"],
                                "bars": [], "mean": "", "columns": [], "grid": []}
        if q.kind == "grid":
            item["columns"] = list(c["columns"])
            grid_rows: dict[str, dict[str, int]] = c["rows"]
            for label, row_counts in grid_rows.items():
                of = sum(row_counts.values())
                item["grid"].append({"label": label, "cells": [_bar(col, n, of) for col, n in row_counts.items()]})
        else:
            item["bars"] = [_bar(label, int(n), c["answered"], label in correct) for label, n in c["counts"].items()]
            if q.kind == "scale":
                total = sum(int(k) * int(n) for k, n in c["counts"].items())
                item["mean"] = fmt_num(total / c["answered"], 1)
        out.append(item)
    return out


def score_bars(shares: list[float]) -> list[dict[str, Any]]:
    """The quiz scores (shares 0..1 of the maximum) in five bins, "0–20%" .. "80–100%"."""
    counts = [0] * len(SCORE_BINS)
    for s in shares:
        i = next((j for j, hi in enumerate(SCORE_BINS) if s < hi), len(SCORE_BINS) - 1)
        counts[i] += 1
    lows = (0.0, *SCORE_BINS[:-1])
    return [_bar(f"{lo * 100:.0f}–{hi * 100:.0f}%", n, len(shares)) for lo, hi, n in zip(lows, SCORE_BINS, counts)]
