"""Stacked bars on an ordered scale: several Likert items of a form (diverging), a grid question (100 %)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np

from automation.model import Scale
from automation.reporting.charts.style import (
    STYLE, TEXT_COLOR, TITLE_WRAP, add_title, line_count, new_figure, save, wrap)
from automation.reporting.charts.text import t


def _diverging_colors(k: int) -> list[Any]:
    cmap = matplotlib.colormaps["RdBu"]
    cols = [cmap(x) for x in np.linspace(0.12, 0.88, k)]
    if k % 2 == 1:
        cols[k // 2] = "#c8c8c8"
    return cols


def likert_chart(items: Sequence[dict[str, Any]], scale: Scale, path: str | Path, lang: str = "ru",
                 svg: bool = False, title: str | None = None) -> Path:
    """Several Likert items of one form on the same scale as diverging stacked bars.

    ``items``: :func:`count_question` results of scale questions (keys
    ``"low"``..``"high"``).  Each bar is 100% of that item's respondents; the
    low half of the scale goes left of zero, the high half right, a middle
    (neutral) point is split across zero.
    """
    keys = [str(k) for k in range(scale.low, scale.high + 1)]
    k = len(keys)
    labels = [wrap(f"{it['title']} ({t('n', lang, n=it['answered'])})".replace("n = ", "n\u00a0=\u00a0"), 34)
              for it in items]
    shares = np.array([[it["counts"].get(key, 0) / max(int(it["answered"]), 1) for key in keys] for it in items])
    half = k // 2
    left = shares[:, :half].sum(axis=1) + (shares[:, half] / 2 if k % 2 else 0)
    colors = _diverging_colors(k)
    title = title or t("likert_title", lang, low=scale.low, high=scale.high)
    height = 2.2 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.27 * sum(line_count(s) for s in labels) + 0.2 * len(items)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(items))
        start = -left
        for j in range(k):
            name = keys[j]
            if j == 0 and scale.low_label:
                name = f"{keys[j]} — {scale.low_label.get(lang)}"
            elif j == k - 1 and scale.high_label:
                name = f"{keys[j]} — {scale.high_label.get(lang)}"
            ax.barh(y, shares[:, j], left=start, color=colors[j], height=0.65, label=name, edgecolor="white",
                    linewidth=0.8)
            for yi, s0, w in zip(y, start, shares[:, j]):
                if w >= 0.08:
                    ax.text(s0 + w / 2, yi, f"{w * 100:.0f}", ha="center", va="center", fontsize=11,
                            color="white" if j in (0, k - 1) else TEXT_COLOR)
            start = start + shares[:, j]
        ax.axvline(0, color="#444444", linewidth=1)
        ax.set_yticks(y, labels, fontsize=12)
        ax.invert_yaxis()
        reach = max(float(np.max(left)), float(np.max(1 - left))) if len(left) else 1.0
        lim = min(1.0, np.ceil(reach * 10 + 0.5) / 10)
        ax.set_xlim(-lim, lim)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{abs(v) * 100:.0f}%"))
        ax.xaxis.grid(True)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(wrap(t("likert_axis", lang), 48), fontsize=12)
        fig.legend(loc="outside lower center", ncol=min(k, 3), fontsize=12, handlelength=1.2, columnspacing=1.0)
        add_title(fig, title)
        return save(fig, Path(path), svg)


def grid_chart(counts: dict[str, Any], path: str | Path, lang: str = "ru", svg: bool = False) -> Path:
    """A grid question: one horizontal 100%-stacked bar per row, the columns as segments
    (sequential colours: grid columns are usually an ordered scale)."""
    rows = counts["rows"]
    cols = counts["columns"]
    labels = [wrap(r, 28) for r in rows]
    totals = [max(sum(rc.values()), 1) for rc in rows.values()]
    shares = np.array([[rc[c] / tot for c in cols] for rc, tot in zip(rows.values(), totals)])
    cmap = matplotlib.colormaps["YlGnBu"]
    colors = [cmap(x) for x in np.linspace(0.2, 0.9, len(cols))]
    title = counts["title"]
    height = 2.2 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.27 * sum(line_count(s) for s in labels) + 0.2 * len(rows)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        start = np.zeros(len(rows))
        for j, c in enumerate(cols):
            ax.barh(y, shares[:, j], left=start, color=colors[j], height=0.65, label=wrap(c, 22),
                    edgecolor="white", linewidth=0.8)
            for yi, s0, w in zip(y, start, shares[:, j]):
                if w >= 0.08:
                    ax.text(s0 + w / 2, yi, f"{w * 100:.0f}", ha="center", va="center", fontsize=11,
                            color="white" if j >= len(cols) / 2 else TEXT_COLOR)
            start = start + shares[:, j]
        ax.set_yticks(y, labels, fontsize=13)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1, decimals=0))
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(wrap(f"{t('grid_axis', lang)}; {t('n', lang, n=counts['answered'])}", 48), fontsize=12)
        fig.legend(loc="outside lower center", ncol=min(len(cols), 5), fontsize=12, handlelength=1.2,
                   columnspacing=1.0)
        add_title(fig, title)
        return save(fig, Path(path), svg)
