"""Charts of a needs assessment: the demand per group as a heat map, the change from the previous year."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

from automation.analysis import summary
from automation.reporting.charts.style import (
    MUTED, PRIMARY, STYLE, TEXT_COLOR, TITLE_WRAP, add_note, add_title, line_count, new_figure, pct, save,
    share_axis, wrap)
from automation.reporting.charts.text import t


def heatmap_chart(demand: pd.DataFrame, path: str | Path, lang: str = "ru", by: str = "oblast",
                  title: str = "", min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False) -> Path | None:
    """Share choosing each option per group, from :func:`needs.group_demand`, as a table of colours.

    Rows are options (in form order), columns the groups that are not
    suppressed (named in the note when hidden).  None when no group can be shown.
    """
    shown = demand[~demand["suppressed"]]
    if shown.empty:
        return None
    groups = list(dict.fromkeys(shown["group"]))
    options = list(dict.fromkeys(shown["label"]))
    mat = np.full((len(options), len(groups)), np.nan)
    ns = {}
    for r in shown.itertuples(index=False):
        mat[options.index(r.label), groups.index(r.group)] = r.share
        ns[r.group] = int(r.answered)
    hidden = [summary.group_label(by, g, lang) for g in dict.fromkeys(demand.loc[demand["suppressed"], "group"])]
    note = t("heatmap_note", lang)
    if hidden:
        note += " " + t("suppressed", lang, label=summary.suppressed_label(min_group_size, lang),
                        groups=", ".join(hidden))
    cols = [f"{wrap(summary.group_label(by, g, lang), 12)}\nn\u00a0=\u00a0{ns[g]}" for g in groups]
    rows = [wrap(x, 30) for x in options]
    full = f"{title} — {t('by_' + by, lang)}" if title else t("by_" + by, lang)
    height = 2.4 + 0.32 * line_count(wrap(full, TITLE_WRAP)) + 0.3 * sum(line_count(x) for x in rows) + 0.15 * len(rows)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        ax.imshow(mat, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i in range(len(options)):
            for j in range(len(groups)):
                v = mat[i, j]
                if np.isfinite(v):
                    ax.text(j, i, pct(v), ha="center", va="center", fontsize=12,
                            color="white" if v > 0.55 else TEXT_COLOR)
        ax.set_xticks(np.arange(len(groups)), cols, fontsize=11)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(options)), rows, fontsize=12)
        ax.tick_params(length=0)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        add_title(fig, full)
        add_note(fig, note)
        return save(fig, Path(path), svg)


def change_chart(change: pd.DataFrame, path: str | Path, lang: str = "ru", title: str = "", prev_year: int = 0,
                 year: int = 0, svg: bool = False) -> Path | None:
    """This year's share of each option against the previous assessment's, from :func:`needs.demand_change`.

    A grey dot (previous year) joined to a blue dot (this year); the change in
    percentage points is written at the right, with ``*`` when Newcombe's 95 %
    interval of the difference excludes 0.
    """
    d = change[change["share"].notna() | change["prev_share"].notna()]
    if d.empty:
        return None
    names = [wrap(x, 30) for x in d["label"]]
    now = d["share"].to_numpy(float)
    before = d["prev_share"].to_numpy(float)
    full = t("change_title", lang, prev=prev_year, question=title)
    height = 1.9 + 0.32 * line_count(wrap(full, TITLE_WRAP)) + 0.28 * sum(line_count(x) for x in names) + 0.14 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(names))
        ax.hlines(y, np.fmin(before, now), np.fmax(before, now), color="#bbbbbb", linewidth=3, zorder=1)
        ax.scatter(before, y, s=70, color=MUTED, zorder=2)
        ax.scatter(now, y, s=80, color=PRIMARY, zorder=3)
        for yi, r in zip(y, d.itertuples(index=False)):
            if np.isfinite(r.diff):
                star = "*" if (r.diff_low > 0 or r.diff_high < 0) else ""
                txt = f"{r.diff * 100:+.0f}{star}".replace("-", "−")
                ax.text(1.04, yi, txt, va="center", fontsize=12,
                        fontweight="bold" if star else "normal", color=TEXT_COLOR)
        share_axis(ax, names, 1.16, t("share_of_answered", lang))
        add_title(fig, full)
        add_note(fig, t("change_note", lang, prev=prev_year, year=year))  # the note names the dots: no legend
        return save(fig, Path(path), svg)
