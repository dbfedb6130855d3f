"""The season's evaluation trend as an SVG drawn in the page (:func:`trend_svg`): no image file, no matplotlib.

One line per evaluation item across the events in date order, each event labelled by its name and
date; an event with too few evaluations (small-cell suppression) is a gap.  The SVG has a
``viewBox`` and no fixed size, so it shrinks to a phone's width and prints sharp.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from automation.model import BISHKEK
from automation.reporting.report.text import fmt_num

#: Line colours (matplotlib's tab10, the colours of the other charts).
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf")
W, H, LEFT, RIGHT, TOP, BOTTOM = 940, 440, 44, 200, 16, 170


def _short(title: str, n: int = 24) -> str:
    head = title.split(":")[0].strip() if ":" in title and len(title.split(":")[0]) >= 8 else title
    head = head.strip("«»\" ")
    return head if len(head) <= n else head[:n].rsplit(" ", 1)[0] + "…"


def trend_svg(trend: pd.DataFrame, low: int = 1, high: int = 5, title: str = "") -> dict[str, Any] | None:
    """``{"svg": markup, "legend": [{"title", "color"}]}`` for :func:`automation.analysis.feedback.feedback_trend`
    (None with fewer than two events that can be shown).  The markup is built from escaped text only."""
    events = trend.drop_duplicates("form_key")[["form_key", "when", "event_title", "suppressed"]]
    if int((~events["suppressed"]).sum()) < 2:
        return None
    keys = list(events["form_key"])
    items = list(dict.fromkeys(trend["question_id"]))
    titles = {q: str(trend.loc[trend["question_id"] == q, "title"].iloc[-1]) for q in items}
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = pw / max(1, len(keys) - 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + ph * (high - v) / (high - low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
             f'aria-label="{escape(title)}" style="width:100%;height:auto;font-family:DejaVu Sans,Arial,sans-serif">']
    for v in range(low, high + 1):
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 8}" y="{y(v) + 5:.1f}" font-size="14" text-anchor="end" fill="#555">{v}</text>')
    for i, (name, when, hidden) in enumerate(zip(events["event_title"], events["when"], events["suppressed"])):
        label = f"{_short(str(name))} · {pd.Timestamp(when).tz_convert(BISHKEK).strftime('%d.%m')}"
        color = "#999" if hidden else "#333"
        parts.append(f'<text transform="translate({x(i) + 4:.1f},{TOP + ph + 14}) rotate(40)" font-size="13" '
                     f'fill="{color}">{escape(label)}</text>')
    legend = []
    for n, q in enumerate(items):
        color = COLORS[n % len(COLORS)]
        part = trend[trend["question_id"] == q].set_index("form_key")["mean"]
        points = [(x(i), y(float(part[k]))) for i, k in enumerate(keys) if k in part.index and pd.notna(part[k])]
        runs: list[list[tuple[float, float]]] = []
        run: list[tuple[float, float]] = []
        for i, k in enumerate(keys):  # a gap where an event is hidden or lacks the item
            if k in part.index and pd.notna(part[k]):
                run.append((x(i), y(float(part[k]))))
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in r)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        for a, b in points:
            parts.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="4" fill="{color}"/>')
        legend.append({"title": titles[q], "color": color,
                       "last": fmt_num(float(part.dropna().iloc[-1]), 1) if part.notna().any() else "—"})
    parts.append("</svg>")
    return {"svg": "".join(parts), "legend": legend}
