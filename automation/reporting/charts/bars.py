"""Bar charts of one question's answers, and of the respondents by oblast.

A single choice (:func:`choice_chart`), a multiple choice (:func:`multiple_choice_chart`), one
linear-scale item (:func:`scale_chart`), results by oblast with small-cell suppression
(:func:`oblast_chart`), all drawn with :func:`hbar` (horizontal bars, long labels wrapped) except
the scale's vertical bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd

from automation.analysis import stats, summary
from automation.model import Scale
from automation.reporting.charts.style import (
    ACCENT, MIN_HEIGHT_IN, MUTED, PRIMARY, STYLE, TEXT_COLOR, TITLE_WRAP, add_note, add_title, line_count,
    new_figure, pct, save, wrap)
from automation.reporting.charts.text import decimal, t


def hbar(labels: list[str], values: list[float], annotations: list[str], title: str, xlabel: str, note: str,
         path: Path, svg: bool, colors: list[str] | None = None, xmax: float | None = None,
         percent_axis: bool = False, intervals: Sequence[tuple[float, float]] | None = None) -> Path:
    """Horizontal bars, first label at the top, each bar annotated at its end; writes ``path`` (PNG,
    and ``.svg`` beside it with ``svg``) and returns it.

    ``labels``, ``values`` and ``annotations`` (the text at the bar's end) are parallel, one per
    bar; ``colors`` one per bar (default all :data:`~automation.reporting.charts.style.PRIMARY`).
    ``xmax``: the largest value the axis must show (default the largest value); ``percent_axis``:
    values are shares 0..1 shown as %, else counts (integer ticks).
    ``intervals``: a (low, high) per bar drawn as a thin error bar (NaN: none);
    the annotation then sits right of the interval.
    """
    wrapped = [wrap(lab, 28) for lab in labels]
    label_lines = sum(max(1, line_count(w)) for w in wrapped)
    height = (1.6 + 0.32 * line_count(wrap(title, TITLE_WRAP)) + 0.28 * label_lines + 0.18 * len(labels)
              + (0.35 if note else 0))
    with matplotlib.rc_context(STYLE):
        fig = new_figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(labels))
        ax.barh(y, values, color=colors or PRIMARY, height=0.65)
        ax.set_yticks(y, wrapped)
        ax.invert_yaxis()
        top = xmax if xmax is not None else (max(values) if values and max(values) > 0 else 1)
        ax.set_xlim(0, top * 1.28)
        ends = list(values)
        if intervals is not None:
            lo = np.array([v - i[0] if np.isfinite(i[0]) else 0.0 for v, i in zip(values, intervals)])
            hi = np.array([i[1] - v if np.isfinite(i[1]) else 0.0 for v, i in zip(values, intervals)])
            ax.errorbar(values, y, xerr=[np.clip(lo, 0, None), np.clip(hi, 0, None)], fmt="none",
                        ecolor=TEXT_COLOR, elinewidth=1.3, capsize=4, capthick=1.3)
            ends = [max(v, i[1]) if np.isfinite(i[1]) else v for v, i in zip(values, intervals)]
        for yi, v, a in zip(y, ends, annotations):
            ax.text(v + top * 0.015, yi, a, va="center", ha="left", fontsize=13, color=TEXT_COLOR)
        ax.xaxis.grid(True)
        ax.set_xlabel(xlabel)
        if percent_axis:
            if xmax is not None and xmax >= 1:
                ax.set_xticks(np.linspace(0, 1, 6))  # room for the annotations, but no ticks beyond 100%
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1, decimals=0))
        else:
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(axis="y", length=0)
        add_title(fig, title)
        add_note(fig, note)
        return save(fig, path, svg)


def choice_chart(counts: dict[str, Any], path: str | Path, lang: str = "ru", svg: bool = False,
                 correct: Sequence[str] = ()) -> Path:
    """Distribution of a single-choice or dropdown question: counts and % of those who answered.

    ``counts`` is one item of :func:`automation.analysis.summary.question_counts`
    (``title``, ``answered``, ``counts`` ``{label: n}`` in option order).
    ``correct``: labels of correct options (drawn in green with a note).
    """
    labels = list(counts["counts"])
    values = [counts["counts"][k] for k in labels]
    answered = max(int(counts["answered"]), 1)
    ann = [f"{v} ({pct(v / answered)})" for v in values]
    other = summary.OTHER.get(lang)
    colors = [ACCENT if lab in correct else (MUTED if lab == other else PRIMARY) for lab in labels]
    note = t("answered", lang, n=counts["answered"]) + ("  " + t("correct", lang) if correct else "")
    return hbar(labels, values, ann, counts["title"], t("count", lang), note, Path(path), svg, colors)


def multiple_choice_chart(counts: dict[str, Any], path: str | Path, lang: str = "ru", svg: bool = False,
                          correct: Sequence[str] = (), intervals: bool = False) -> Path:
    """Distribution of a multiple-choice question: options sorted by frequency (options in
    form order on ties), "other" texts grouped as "Другое"/"Башка" at the end; % of those who answered.

    ``intervals``: draw each share's 95 % Wilson interval (the demand for a topic in a
    needs assessment: how sure the share is with this many respondents).
    """
    other = summary.OTHER.get(lang)
    items = [(k, v) for k, v in counts["counts"].items() if k != other]
    items.sort(key=lambda kv: -kv[1])
    if other in counts["counts"]:
        items.append((other, counts["counts"][other]))
    answered = max(int(counts["answered"]), 1)
    labels = [k for k, _ in items]
    shares = [v / answered for _, v in items]
    ann = [f"{v} ({pct(v / answered)})" for _, v in items]
    colors = [ACCENT if lab in correct else (MUTED if lab == other else PRIMARY) for lab in labels]
    note = t("answered", lang, n=counts["answered"]) + ". " + t("several", lang)
    if correct:
        note += " " + t("correct", lang)
    ci = None
    if intervals:
        ci = [stats.wilson_interval(v, int(counts["answered"])) for _, v in items]
        note += " " + t("wilson_note", lang)
    xmax = max(shares + [0.01]) if ci is None else max([hi for _, hi in ci if np.isfinite(hi)] + shares + [0.01])
    return hbar(labels, shares, ann, counts["title"], t("share_of_answered", lang), note, Path(path), svg,
                 colors, xmax=xmax, percent_axis=True, intervals=ci)


def _scale_tick(value: str, label: str | None) -> str:
    return f"{value}\n{wrap(label, 14)}" if label else value


def scale_chart(counts: dict[str, Any], scale: Scale, path: str | Path, lang: str = "ru",
                svg: bool = False) -> Path:
    """Distribution of one linear-scale (Likert) item: a bar per scale point with count and %,
    the end points labelled with the scale's low/high labels; the mean in the note."""
    keys = list(counts["counts"])
    values = [counts["counts"][k] for k in keys]
    answered = max(int(counts["answered"]), 1)
    ticks = [_scale_tick(k, scale.low_label.get(lang) if (scale.low_label and i == 0) else
                         (scale.high_label.get(lang) if (scale.high_label and i == len(keys) - 1) else None))
             for i, k in enumerate(keys)]
    mean = sum(int(k) * v for k, v in zip(keys, values)) / answered if counts["answered"] else float("nan")
    note = t("answered", lang, n=counts["answered"])
    if counts["answered"]:
        note += f"; {t('mean', lang, v=decimal(mean, 1))}"
    with matplotlib.rc_context(STYLE):
        fig = new_figure(MIN_HEIGHT_IN + 0.3 * (line_count(wrap(counts["title"], TITLE_WRAP)) - 1))
        ax = fig.add_subplot()
        x = np.arange(len(keys))
        ax.bar(x, values, color=PRIMARY, width=0.65)
        ax.set_xticks(x, ticks)
        top = max(values) if values and max(values) > 0 else 1
        ax.set_ylim(0, top * 1.22)
        for xi, v in zip(x, values):
            ax.text(xi, v + top * 0.02, f"{v} ({pct(v / answered)})", ha="center", va="bottom", fontsize=13)
        ax.yaxis.grid(True)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(t("count", lang))
        add_title(fig, counts["title"])
        add_note(fig, note)
        return save(fig, Path(path), svg)


def suppression_note(groups: pd.DataFrame, lang: str = "ru", min_group_size: int = summary.MIN_GROUP_SIZE,
                     by: str = "oblast") -> str:
    """The note naming the suppressed groups of a :func:`summary.group_summary` table ("" if none)."""
    hidden = [summary.group_label(by, g, lang) for g in groups.loc[groups["suppressed"], "group"]]
    if not hidden:
        return ""
    return t("suppressed", lang, label=summary.suppressed_label(min_group_size, lang), groups=", ".join(hidden))


def oblast_chart(groups: pd.DataFrame, path: str | Path, lang: str = "ru", measure: str = "count",
                 min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False, title: str | None = None,
                 by: str = "oblast") -> Path | None:
    """Results by oblast from :func:`summary.group_summary`: ``measure="count"`` (respondents)
    or ``"score"`` (mean score as % of the maximum, with n).

    Suppressed groups (fewer than ``min_group_size`` respondents) are not plotted;
    the note names them as "менее 3" / "3төн аз".  Returns None (and writes
    nothing) when no group can be shown.
    """
    shown = groups[~groups["suppressed"]]
    if measure == "score":
        shown = shown[shown["mean_score"].notna()]
    if shown.empty:
        return None
    labels = [summary.group_label(by, g, lang) for g in shown["group"]]
    note = suppression_note(groups, lang, min_group_size, by)
    if measure == "score":
        vals = [float(v) for v in shown["mean_score"]]
        ann = [f"{pct(v)} ({t('n', lang, n=int(n))})" for v, n in zip(vals, shown["respondents"])]
        return hbar(labels, vals, ann, title or t("oblast_score_title", lang), t("mean_score_axis", lang), note,
                     Path(path), svg, xmax=1.0, percent_axis=True)
    vals = [int(n) for n in shown["respondents"]]
    return hbar(labels, vals, [str(v) for v in vals], title or t("oblast_count_title", lang),
                 t("respondents_axis", lang), note, Path(path), svg)
