"""Charts of quizzes and post-tests: the score histogram, the normalized gain per group, the item difficulty."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd

from automation.analysis import summary
from automation.reporting.charts.style import (
    MIN_HEIGHT_IN, MUTED, PRIMARY, STYLE, TEXT_COLOR, TITLE_WRAP, add_note, add_title, line_count, new_figure, pct,
    save, share_axis, wrap)
from automation.reporting.charts.text import decimal, t


def score_chart(shares: Sequence[float], max_score: int, path: str | Path, lang: str = "ru", svg: bool = False,
                title: str | None = None) -> Path:
    """Histogram of quiz scores.  ``shares``: score / max_score per response (0..1).

    With ``max_score`` up to 20 there is one bar per possible score (0..max);
    above that, ten bins of 10 percentage points.  The mean is a dashed line.
    """
    arr = np.asarray(list(shares), dtype=float)
    title = title or t("score_title", lang)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(MIN_HEIGHT_IN + 0.3 * (line_count(wrap(title, TITLE_WRAP)) - 1))
        ax = fig.add_subplot()
        if 0 < max_score <= 20:
            pts = np.rint(arr * max_score).astype(int)
            xs = np.arange(max_score + 1)
            counts = np.array([(pts == x).sum() for x in xs])
            ax.bar(xs, counts, color=PRIMARY, width=0.8)
            ax.set_xticks(xs)
            ax.set_xlabel(t("score_axis", lang, max=max_score))
            mean_x = float(arr.mean() * max_score) if len(arr) else None
        else:
            edges = np.linspace(0, 1, 11)
            counts, _ = np.histogram(arr, bins=edges)
            ax.bar(edges[:-1] + 0.05, counts, width=0.09, color=PRIMARY)
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1, decimals=0))
            ax.set_xlim(0, 1)
            ax.set_xlabel(t("score_axis_pct", lang))
            mean_x = float(arr.mean()) if len(arr) else None
        top = max(int(counts.max()) if len(counts) else 0, 1)
        ax.set_ylim(0, top * 1.2)
        for xi, c in zip(ax.patches, counts):
            if c:
                ax.text(xi.get_x() + xi.get_width() / 2, c + top * 0.02, str(int(c)), ha="center", va="bottom",
                        fontsize=13)
        note = t("n", lang, n=len(arr))
        if mean_x is not None:
            ax.axvline(mean_x, color="#c0392b", linestyle="--", linewidth=2, zorder=0.5)
            note += f"; {t('mean', lang, v=pct(arr.mean()))} ({t('mean_line', lang)})"
        ax.yaxis.grid(True)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(t("participants", lang))
        add_title(fig, title)
        add_note(fig, note)
        return save(fig, Path(path), svg)


def gain_chart(table: pd.DataFrame, labels: dict[str, str], path: str | Path, lang: str = "ru", by: str = "event_id",
               min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False, title: str | None = None
               ) -> Path | None:
    """Mean normalized gain per group with its 95 % t interval, from :func:`posttest.gain_table`.

    ``labels``: display name of each group code.  Groups whose mean is
    suppressed (fewer than ``min_group_size`` gains) are not drawn and are
    named in the note.  None (nothing written) when no group can be shown.
    """
    shown = table[~table["mean_suppressed"]]
    if shown.empty:
        return None
    hidden = [labels.get(g, g) or summary.UNKNOWN_GROUP.get(lang) for g in table.loc[table["mean_suppressed"], "group"]]
    note = t("gain_note", lang)
    if hidden:
        note += " " + t("gain_hidden", lang, label=summary.suppressed_label(min_group_size, lang),
                        groups=", ".join(hidden))
    names = [wrap(f"{labels.get(g, g) or summary.UNKNOWN_GROUP.get(lang)} (n\u00a0=\u00a0{int(n)})", 30)
             for g, n in zip(shown["group"], shown["paired"])]
    m = shown["mean_gain"].to_numpy(float)
    lo = shown["ci_low"].to_numpy(float)
    hi = shown["ci_high"].to_numpy(float)
    title = title or t(f"gain_title_{by}", lang)
    height = 1.8 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.3 * sum(line_count(x) for x in names) + 0.2 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(names))
        err = [np.nan_to_num(m - lo), np.nan_to_num(hi - m)]
        ax.errorbar(m, y, xerr=err, fmt="o", color=PRIMARY, ecolor=PRIMARY, elinewidth=2, capsize=5, markersize=9)
        ax.axvline(0, color="#444444", linewidth=1)
        left = min(-0.2, float(np.nanmin(np.concatenate([lo, m]))) - 0.05)
        right = max(1.0, float(np.nanmax(np.concatenate([hi, m]))) + 0.05)
        ax.set_xlim(left, right + (right - left) * 0.32)
        for yi, v, a, b in zip(y, m, lo, hi):
            txt = decimal(v) + (f" [{decimal(a)}; {decimal(b)}]" if np.isfinite(a) else "")
            ax.text((b if np.isfinite(b) else v) + (right - left) * 0.02, yi, txt, va="center", fontsize=12)
        ax.set_xticks([x for x in np.arange(-2, 1.01, 0.2) if x >= left - 1e-9])  # g is at most 1
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: decimal(v, 1)))
        ax.set_yticks(y, names, fontsize=13)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.xaxis.grid(True)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(wrap(t("gain_axis", lang), 44), fontsize=12)
        add_title(fig, title)
        add_note(fig, note)
        return save(fig, Path(path), svg)


def item_chart(post: pd.DataFrame, path: str | Path, lang: str = "ru", pre: pd.DataFrame | None = None,
               svg: bool = False, title: str | None = None) -> Path | None:
    """Share correct per question (item difficulty) from :func:`posttest.item_analysis`:
    the post-test as blue dots, the pre-test (when given) as grey dots joined to them."""
    if post.empty or post["responses"].max() == 0:
        return None
    names = [wrap(x, 34) for x in post["title"]]
    p = post["difficulty"].to_numpy(float)
    before = None
    if pre is not None and not pre.empty and pre["responses"].max() > 0:
        b = pre.set_index("question_id")["difficulty"]
        before = np.array([float(b.get(q, np.nan)) for q in post["question_id"]])
    title = title or t("items_title", lang)
    height = 1.9 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.27 * sum(line_count(x) for x in names) + 0.12 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(names))
        if before is not None:
            ax.hlines(y, np.fmin(before, p), np.fmax(before, p), color="#bbbbbb", linewidth=3, zorder=1)
            ax.scatter(before, y, s=70, color=MUTED, zorder=2, label=t("pre_label", lang))
        ax.scatter(p, y, s=80, color=PRIMARY, zorder=3, label=t("post_label", lang))
        for yi, v in zip(y, p):
            if np.isfinite(v):
                ax.text(1.03, yi, pct(v), va="center", fontsize=12, color=TEXT_COLOR)
        share_axis(ax, names, 1.12, t("items_axis", lang))
        if before is not None:
            fig.legend(loc="outside lower center", ncol=2, fontsize=12)
        add_title(fig, title)
        return save(fig, Path(path), svg)
