"""Charts over the season: the event feedback trend, the response curves by day since the invitation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd

from automation.analysis import summary
from automation.model import BISHKEK
from automation.reporting.charts.style import (
    MUTED, NOTE_COLOR, STYLE, TITLE_WRAP, add_title, line_count, new_figure, save, wrap)
from automation.reporting.charts.text import kind_label, t


def trend_chart(trend: pd.DataFrame, path: str | Path, lang: str = "ru", low: int = 1, high: int = 5,
                min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False,
                title: str | None = None) -> Path | None:
    """Mean of each Likert item by event, in date order, from :func:`feedback.feedback_trend`.

    One line per item; the x axis is the events in date order, labelled with
    the event's name (shortened) and date (Asia/Bishkek).  Events with too few responses are gaps, named in
    the note.  None when fewer than two events can be shown.
    """
    events = trend.drop_duplicates("form_key")[["form_key", "when", "event_title", "suppressed"]]
    if int((~events["suppressed"]).sum()) < 2:
        return None
    keys = list(events["form_key"])
    # each event by its name (shortened, wrapped) and date: the mentor knows her events by name
    ticks = [wrap(_short(str(e)), 16) + "\n" + pd.Timestamp(w).tz_convert(BISHKEK).strftime("%d.%m")
             for e, w in zip(events["event_title"], events["when"])]
    hidden = [e for e, s in zip(events["event_title"], events["suppressed"]) if s]
    items = list(dict.fromkeys(trend["question_id"]))
    titles = {q: str(trend.loc[trend["question_id"] == q, "title"].iloc[-1]) for q in items}
    legend = [wrap(titles[q], 56) for q in items]
    title = title or t("trend_title", lang)
    height = 4.6 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.26 * sum(line_count(x) for x in legend)
    cmap = matplotlib.colormaps["tab10"]
    markers = "osD^vP*Xh<>"
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        x = np.arange(len(keys))
        for i, q in enumerate(items):
            part = trend[trend["question_id"] == q].set_index("form_key")["mean"]
            yv = [float(part.get(k, np.nan)) for k in keys]
            ax.plot(x, yv, marker=markers[i % len(markers)], color=cmap(i % 10), linewidth=2, markersize=7,
                    label=legend[i])
        ax.set_xticks(x, ticks, rotation=60 if len(keys) > 5 else 0, fontsize=10, ha="right" if len(keys) > 5 else "center",
                      rotation_mode="anchor")
        ax.set_ylim(low - 0.1, high + 0.1)
        ax.set_yticks(range(low, high + 1))
        ax.yaxis.grid(True)
        ax.set_ylabel(t("trend_axis", lang, low=low, high=high))
        fig.legend(loc="outside lower center", ncol=1, fontsize=11, handlelength=2.2)
        add_title(fig, title)
        if hidden:
            ax.set_xlabel(wrap(t("trend_hidden", lang, label=summary.suppressed_label(min_group_size, lang),
                                  events=", ".join(hidden)), 80), fontsize=11, color=NOTE_COLOR)
        return save(fig, Path(path), svg)


def _short(title: str, n: int = 30) -> str:
    """An event title cut to ``n`` characters at a word (the part before a colon when there is one)."""
    head = title.split(":")[0].strip() if ":" in title and len(title.split(":")[0]) >= 8 else title
    head = head.strip("«»\" ")
    return head if len(head) <= n else head[:n].rsplit(" ", 1)[0] + "…"


#: Line colours of form kinds in the response-curve chart.
KIND_COLORS = {"post_test": "#2a6f97", "needs_assessment": "#c0392b", "event_feedback": "#3f9b2f",
               "best_practice_vote": "#8e44ad", "school_application": "#d35400"}


def response_curve_chart(curves: Sequence[tuple[str, str, pd.DataFrame]], path: str | Path, lang: str = "ru",
                         svg: bool = False, title: str | None = None) -> Path | None:
    """Cumulative response rate by day since the invitation, from :func:`rates.response_curve`.

    ``curves``: ``(label, form kind, curve)`` per form with invited
    participants (public forms have no rate and are left out).  Up to six
    forms get a line each, labelled; with more, every form is a thin line in
    its kind's colour and each kind's pooled curve (responded / invited over
    its forms) a thick one.  None when there is nothing to draw.
    """
    curves = [(lab, kind, c[c["rate"].notna()]) for lab, kind, c in curves]
    curves = [x for x in curves if len(x[2])]
    if not curves:
        return None
    title = title or t("curve_title", lang)
    many = len(curves) > 6
    kinds = list(dict.fromkeys(k for _, k, _ in curves))
    legend_lines = len(kinds) if many else sum(line_count(wrap(lab, 56)) for lab, _, _ in curves)
    height = 4.6 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.26 * legend_lines + (0.3 if many else 0)
    cmap = matplotlib.colormaps["tab10"]
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        horizon = max(int(c["day"].max()) for _, _, c in curves)
        for i, (lab, kind, c) in enumerate(curves):
            days = c["day"].to_numpy(int)
            rate = c["rate"].to_numpy(float) * 100
            if many:
                ax.step(days, rate, where="post", color=KIND_COLORS.get(kind, MUTED), alpha=0.3, linewidth=1)
            else:
                ax.step(days, rate, where="post", color=cmap(i % 10), linewidth=2.2, label=wrap(lab, 56))
        if many:
            for kind in kinds:
                mine = [c for _, k, c in curves if k == kind]
                days = np.arange(horizon + 1)
                resp = np.zeros(len(days))
                inv = 0
                for c in mine:
                    r = c.set_index("day")["responded"].astype(float)
                    resp += np.array([r.get(d, r.iloc[-1]) for d in days])
                    inv += int(c["invited"].iloc[0])
                ax.step(days, resp / inv * 100, where="post", color=KIND_COLORS.get(kind, MUTED), linewidth=3,
                        label=f"{kind_label(kind, lang)} ({len(mine)})")
        ax.set_xlim(0, max(horizon, 1))
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.grid(True)
        ax.set_xlabel(t("curve_axis_x", lang))
        ax.set_ylabel(wrap(t("curve_axis_y", lang), 22))
        fig.legend(loc="outside lower center", ncol=2 if many else 1, fontsize=11)
        add_title(fig, title)  # with many forms the report's caption explains thin and thick lines (curve_note)
        return save(fig, Path(path), svg)
