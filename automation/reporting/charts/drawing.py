"""Charts of form results for the mentor's report (matplotlib, one style).

Every chart function draws one figure and writes ``path`` as PNG (and, with
``svg=True``, the same figure next to it as ``.svg``), and returns the PNG
path.  The style (:data:`STYLE`) is applied per figure through
``matplotlib.rc_context`` and figures are made with ``matplotlib.figure.Figure``
(no pyplot, no global state, Agg rendering), so this module is safe to use from
the scheduler and from tests.

- Font: DejaVu Sans (ships with matplotlib), which has the Kyrgyz letters
  ө ү ң and Russian (DOMAIN.md "Conventions").
- Size: 8 in wide at 120 dpi (960 px), 4.5 in high or more for many bars;
  large fonts so that the figure stays readable at phone width.
- Long labels go on horizontal bars and are wrapped.
- Titles, axis labels and notes are in the report language ``lang`` (``ru``
  default, ``ky``); strings live in :data:`STRINGS`.
- Results by oblast apply small-cell suppression: a group with fewer than
  ``min_group_size`` respondents is not plotted and is named in the chart note
  as "менее 3" / "3төн аз" (DESIGN.md principle 8).

:func:`form_charts` makes every chart of one form.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from automation.analysis import stats, summary
from automation.model import FormSpec, Question, Scale

WIDTH_IN = 8.0
MIN_HEIGHT_IN = 4.5
DPI = 120
TITLE_WRAP = 50  # characters per title line at 17 pt bold on 8 in

#: The one style of every chart.
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 14,
    "axes.edgecolor": "#555555",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#dddddd",
    "xtick.labelsize": 13,
    "ytick.labelsize": 14,
    "legend.fontsize": 13,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.fonttype": "path",
}

PRIMARY = "#2a6f97"
ACCENT = "#3f9b2f"  # correct answers of a quiz question
MUTED = "#8d99ae"  # "other"
TEXT_COLOR = "#222222"
NOTE_COLOR = "#555555"

#: Chart texts in both report languages.
STRINGS: dict[str, dict[str, str]] = {
    "ru": {
        "count": "Число ответов",
        "share_of_answered": "% ответивших",
        "answered": "Ответили: {n}",
        "several": "Можно было выбрать несколько вариантов; % — от ответивших.",
        "correct": "Зелёным — правильный ответ.",
        "score_axis": "Балл (из {max})",
        "score_axis_pct": "Балл, % от максимума",
        "participants": "Число участниц",
        "mean": "среднее {v}",
        "score_title": "Результаты теста: распределение баллов",
        "oblast_score_title": "Средний балл по областям",
        "oblast_count_title": "Ответы по областям",
        "mean_score_axis": "Средний балл, % от максимума",
        "respondents_axis": "Число ответов",
        "suppressed": "Не показаны ({label} ответивших): {groups}.",
        "likert_title": "Оценки по шкале {low}–{high}",
        "likert_axis": "% ответивших (влево — низкие оценки, вправо — высокие)",
        "grid_axis": "% ответивших по строке",
        "n": "n = {n}",
        "mean_line": "пунктир",
        "wilson_note": "Чёрточки — 95% доверительный интервал (Уилсон).",
        "gain_title_event_id": "Прирост знаний g по мероприятиям",
        "gain_title_oblast": "Прирост знаний g по областям",
        "gain_title_role": "Прирост знаний g по ролям",
        "gain_axis": "Средний нормализованный прирост g = (пост − пре) / (макс − пре); чёрточки — 95% ДИ",
        "gain_note": "n — участницы, прошедшие оба теста (без идеального пре-теста).",
        "gain_hidden": "Не показаны ({label} пар пре/пост): {groups}.",
        "items_title": "Доля правильных ответов по вопросам",
        "items_axis": "% правильных ответов",
        "pre_label": "пре-тест",
        "post_label": "пост-тест",
        "by_oblast": "по областям",
        "by_role": "по ролям",
        "heatmap_note": "% ответивших в группе; n — число ответивших.",
        "change_title": "Изменение к {prev} году: {question}",
        "change_note": ("Серая точка — {prev}, синяя — {year}. * — разница больше случайных колебаний "
                        "(95% ДИ Ньюкомба не включает 0)."),
        "trend_title": "Оценки мероприятий за сезон",
        "trend_axis": "Средняя оценка ({low}–{high})",
        "trend_hidden": "Не показаны (ответили {label} человек): {events}.",
        "curve_title": "Доля ответивших по дням после приглашения",
        "curve_axis_x": "Дней после приглашения",
        "curve_axis_y": "% приглашённых, которые ответили",
        "curve_note": "Тонкие линии — отдельные формы, толстые — все формы этого вида вместе.",
        "kind_post_test": "пост-тесты",
        "kind_needs_assessment": "оценка потребностей",
        "kind_event_feedback": "оценка мероприятий",
        "kind_best_practice_vote": "голосование за лучшую практику",
        "kind_school_application": "заявки в Школу",
        "kind_other": "другие формы",
    },
    "ky": {
        "count": "Жооптордун саны",
        "share_of_answered": "жооп бергендердин %",
        "answered": "Жооп бергендер: {n}",
        "several": "Бир нечесин тандоого болот эле; % — жооп бергендерден.",
        "correct": "Жашыл түс — туура жооп.",
        "score_axis": "Балл ({max} баллдан)",
        "score_axis_pct": "Балл, максимумдан %",
        "participants": "Катышуучулардын саны",
        "mean": "орточо {v}",
        "score_title": "Тесттин жыйынтыктары: баллдардын бөлүнүшү",
        "oblast_score_title": "Облустар боюнча орточо балл",
        "oblast_count_title": "Облустар боюнча жооптор",
        "mean_score_axis": "Орточо балл, максимумдан %",
        "respondents_axis": "Жооптордун саны",
        "suppressed": "Көрсөтүлгөн жок ({label} жооп): {groups}.",
        "likert_title": "{low}–{high} шкаласы боюнча баалар",
        "likert_axis": "жооп бергендердин % (солго — төмөн баалар, оңго — жогорку)",
        "grid_axis": "сап боюнча жооп бергендердин %",
        "n": "n = {n}",
        "mean_line": "үзүк сызык",
        "wilson_note": "Сызыкчалар — 95% ишеним аралыгы (Уилсон).",
        "gain_title_event_id": "Иш-чаралар боюнча билимдин өсүшү g",
        "gain_title_oblast": "Облустар боюнча билимдин өсүшү g",
        "gain_title_role": "Ролдор боюнча билимдин өсүшү g",
        "gain_axis": "Орточо нормалдаштырылган өсүш g = (пост − пре) / (макс − пре); сызыкчалар — 95% ИА",
        "gain_note": "n — эки тестти тең тапшыргандар (пре-тести мыкты эместер).",
        "gain_hidden": "Көрсөтүлгөн жок ({label} пре/пост жуп): {groups}.",
        "items_title": "Суроолор боюнча туура жооптордун үлүшү",
        "items_axis": "туура жооптордун %",
        "pre_label": "пре-тест",
        "post_label": "пост-тест",
        "by_oblast": "облустар боюнча",
        "by_role": "ролдор боюнча",
        "heatmap_note": "топто жооп бергендердин %; n — жооп бергендердин саны.",
        "change_title": "{prev}-жылга салыштырмалуу өзгөрүү: {question}",
        "change_note": ("Боз чекит — {prev}, көк — {year}. * — айырма кокустук термелүүдөн чоң "
                        "(Ньюкомбдун 95% ИА 0дү камтыбайт)."),
        "trend_title": "Сезондогу иш-чаралардын баалары",
        "trend_axis": "Орточо баа ({low}–{high})",
        "trend_hidden": "Көрсөтүлгөн жок ({label} адам жооп берген): {events}.",
        "curve_title": "Чакыруудан кийинки күндөр боюнча жооп бергендердин үлүшү",
        "curve_axis_x": "Чакыруудан кийинки күндөр",
        "curve_axis_y": "жооп берген чакырылгандардын %",
        "curve_note": "Ичке сызыктар — өзүнчө формалар, калың сызыктар — ушул түрдөгү бардык формалар бирге.",
        "kind_post_test": "пост-тесттер",
        "kind_needs_assessment": "муктаждыктарды баалоо",
        "kind_event_feedback": "иш-чараларды баалоо",
        "kind_best_practice_vote": "мыкты тажрыйба үчүн добуш берүү",
        "kind_school_application": "Мектепке арыздар",
        "kind_other": "башка формалар",
    },
}


def t(key: str, lang: str = "ru", **kw: Any) -> str:
    """A chart string in ``lang`` (``ru`` when the language is unknown), formatted with ``kw``."""
    return STRINGS.get(lang, STRINGS["ru"])[key].format(**kw)


@dataclass(frozen=True)
class Chart:
    """One chart file.

    ``kind``: ``choice``, ``multiple_choice``, ``scale``, ``likert``, ``grid``,
    ``score``, ``oblast``.  ``question_id`` is the question's id (several joined
    by ``+`` for a Likert chart; ``""`` for form-level charts).  ``note`` is the
    text under the chart (suppressed groups are named there too).
    """

    path: Path
    title: str
    question_id: str
    kind: str
    note: str = ""
    svg_path: Path | None = None


# --- drawing helpers ----------------------------------------------------------------


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=True)) or str(text)


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def decimal(v: float, digits: int = 2) -> str:
    """``0,58``, ``−0,12``: a decimal comma (Russian and Kyrgyz) and a real minus sign; never ``−0,0``."""
    text = f"{v:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−").replace(".", ",")


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, max(MIN_HEIGHT_IN, height)), layout="constrained")


def _title(fig: Figure, title: str) -> int:
    """The chart title, left-aligned over the whole figure (long labels push the axes right)."""
    w = _wrap(title, TITLE_WRAP)
    fig.suptitle(w, x=0.01, ha="left", fontsize=STYLE["axes.titlesize"], fontweight="bold", color=TEXT_COLOR)
    return _lines(w)


def _note(fig: Figure, note: str) -> None:
    if note:
        fig.supxlabel(_wrap(note, 80), x=0.01, ha="left", fontsize=12, color=NOTE_COLOR)


def _share_axis(ax: Any, names: list[str], right: float, xlabel: str) -> None:
    """A 0-100 % x axis (room up to ``right`` for the value labels) with one row per name, first at the top."""
    ax.set_xlim(-0.02, right)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1, decimals=0))
    ax.set_yticks(range(len(names)), names, fontsize=12)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.xaxis.grid(True)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)


def _save(fig: Figure, path: Path, svg: bool) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    if svg:
        fig.savefig(path.with_suffix(".svg"), format="svg")
    return path


def _hbar(labels: list[str], values: list[float], annotations: list[str], title: str, xlabel: str, note: str,
          path: Path, svg: bool, colors: list[str] | None = None, xmax: float | None = None,
          percent_axis: bool = False, intervals: Sequence[tuple[float, float]] | None = None) -> Path:
    """Horizontal bars, first label at the top, each bar annotated at its end.

    ``intervals``: a (low, high) per bar drawn as a thin error bar (NaN: none);
    the annotation then sits right of the interval.
    """
    wrapped = [_wrap(lab, 28) for lab in labels]
    label_lines = sum(max(1, _lines(w)) for w in wrapped)
    height = (1.6 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.28 * label_lines + 0.18 * len(labels)
              + (0.35 if note else 0))
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
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
        _title(fig, title)
        _note(fig, note)
        return _save(fig, path, svg)


# --- public chart functions ---------------------------------------------------------


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
    ann = [f"{v} ({_pct(v / answered)})" for v in values]
    other = summary.OTHER.get(lang)
    colors = [ACCENT if lab in correct else (MUTED if lab == other else PRIMARY) for lab in labels]
    note = t("answered", lang, n=counts["answered"]) + ("  " + t("correct", lang) if correct else "")
    return _hbar(labels, values, ann, counts["title"], t("count", lang), note, Path(path), svg, colors)


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
    ann = [f"{v} ({_pct(v / answered)})" for _, v in items]
    colors = [ACCENT if lab in correct else (MUTED if lab == other else PRIMARY) for lab in labels]
    note = t("answered", lang, n=counts["answered"]) + ". " + t("several", lang)
    if correct:
        note += " " + t("correct", lang)
    ci = None
    if intervals:
        ci = [stats.wilson_interval(v, int(counts["answered"])) for _, v in items]
        note += " " + t("wilson_note", lang)
    xmax = max(shares + [0.01]) if ci is None else max([hi for _, hi in ci if np.isfinite(hi)] + shares + [0.01])
    return _hbar(labels, shares, ann, counts["title"], t("share_of_answered", lang), note, Path(path), svg,
                 colors, xmax=xmax, percent_axis=True, intervals=ci)


def _scale_tick(value: str, label: str | None) -> str:
    return f"{value}\n{_wrap(label, 14)}" if label else value


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
        fig = _figure(MIN_HEIGHT_IN + 0.3 * (_lines(_wrap(counts["title"], TITLE_WRAP)) - 1))
        ax = fig.add_subplot()
        x = np.arange(len(keys))
        ax.bar(x, values, color=PRIMARY, width=0.65)
        ax.set_xticks(x, ticks)
        top = max(values) if values and max(values) > 0 else 1
        ax.set_ylim(0, top * 1.22)
        for xi, v in zip(x, values):
            ax.text(xi, v + top * 0.02, f"{v} ({_pct(v / answered)})", ha="center", va="bottom", fontsize=13)
        ax.yaxis.grid(True)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(t("count", lang))
        _title(fig, counts["title"])
        _note(fig, note)
        return _save(fig, Path(path), svg)


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
    labels = [_wrap(f"{it['title']} ({t('n', lang, n=it['answered'])})".replace("n = ", "n\u00a0=\u00a0"), 34)
              for it in items]
    shares = np.array([[it["counts"].get(key, 0) / max(int(it["answered"]), 1) for key in keys] for it in items])
    half = k // 2
    left = shares[:, :half].sum(axis=1) + (shares[:, half] / 2 if k % 2 else 0)
    colors = _diverging_colors(k)
    title = title or t("likert_title", lang, low=scale.low, high=scale.high)
    height = 2.2 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.27 * sum(_lines(s) for s in labels) + 0.2 * len(items)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
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
        ax.set_xlabel(_wrap(t("likert_axis", lang), 48), fontsize=12)
        fig.legend(loc="outside lower center", ncol=min(k, 3), fontsize=12, handlelength=1.2, columnspacing=1.0)
        _title(fig, title)
        return _save(fig, Path(path), svg)


def grid_chart(counts: dict[str, Any], path: str | Path, lang: str = "ru", svg: bool = False) -> Path:
    """A grid question: one horizontal 100%-stacked bar per row, the columns as segments
    (sequential colours: grid columns are usually an ordered scale)."""
    rows = counts["rows"]
    cols = counts["columns"]
    labels = [_wrap(r, 28) for r in rows]
    totals = [max(sum(rc.values()), 1) for rc in rows.values()]
    shares = np.array([[rc[c] / tot for c in cols] for rc, tot in zip(rows.values(), totals)])
    cmap = matplotlib.colormaps["YlGnBu"]
    colors = [cmap(x) for x in np.linspace(0.2, 0.9, len(cols))]
    title = counts["title"]
    height = 2.2 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.27 * sum(_lines(s) for s in labels) + 0.2 * len(rows)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        start = np.zeros(len(rows))
        for j, c in enumerate(cols):
            ax.barh(y, shares[:, j], left=start, color=colors[j], height=0.65, label=_wrap(c, 22),
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
        ax.set_xlabel(_wrap(f"{t('grid_axis', lang)}; {t('n', lang, n=counts['answered'])}", 48), fontsize=12)
        fig.legend(loc="outside lower center", ncol=min(len(cols), 5), fontsize=12, handlelength=1.2,
                   columnspacing=1.0)
        _title(fig, title)
        return _save(fig, Path(path), svg)


def score_chart(shares: Sequence[float], max_score: int, path: str | Path, lang: str = "ru", svg: bool = False,
                title: str | None = None) -> Path:
    """Histogram of quiz scores.  ``shares``: score / max_score per response (0..1).

    With ``max_score`` up to 20 there is one bar per possible score (0..max);
    above that, ten bins of 10 percentage points.  The mean is a dashed line.
    """
    arr = np.asarray(list(shares), dtype=float)
    title = title or t("score_title", lang)
    with matplotlib.rc_context(STYLE):
        fig = _figure(MIN_HEIGHT_IN + 0.3 * (_lines(_wrap(title, TITLE_WRAP)) - 1))
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
            note += f"; {t('mean', lang, v=_pct(arr.mean()))} ({t('mean_line', lang)})"
        ax.yaxis.grid(True)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_ylabel(t("participants", lang))
        _title(fig, title)
        _note(fig, note)
        return _save(fig, Path(path), svg)


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
        ann = [f"{_pct(v)} ({t('n', lang, n=int(n))})" for v, n in zip(vals, shown["respondents"])]
        return _hbar(labels, vals, ann, title or t("oblast_score_title", lang), t("mean_score_axis", lang), note,
                     Path(path), svg, xmax=1.0, percent_axis=True)
    vals = [int(n) for n in shown["respondents"]]
    return _hbar(labels, vals, [str(v) for v in vals], title or t("oblast_count_title", lang),
                 t("respondents_axis", lang), note, Path(path), svg)


# --- season charts: gains, items, needs, feedback trend, response curves ------------


def kind_label(kind: str, lang: str = "ru") -> str:
    """A form kind in words (``post_test`` → "пост-тесты")."""
    key = f"kind_{kind}"
    return t(key if key in STRINGS["ru"] else "kind_other", lang)



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
    names = [_wrap(f"{labels.get(g, g) or summary.UNKNOWN_GROUP.get(lang)} (n\u00a0=\u00a0{int(n)})", 30)
             for g, n in zip(shown["group"], shown["paired"])]
    m = shown["mean_gain"].to_numpy(float)
    lo = shown["ci_low"].to_numpy(float)
    hi = shown["ci_high"].to_numpy(float)
    title = title or t(f"gain_title_{by}", lang)
    height = 1.8 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.3 * sum(_lines(x) for x in names) + 0.2 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
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
        ax.set_xlabel(_wrap(t("gain_axis", lang), 44), fontsize=12)
        _title(fig, title)
        _note(fig, note)
        return _save(fig, Path(path), svg)


def item_chart(post: pd.DataFrame, path: str | Path, lang: str = "ru", pre: pd.DataFrame | None = None,
               svg: bool = False, title: str | None = None) -> Path | None:
    """Share correct per question (item difficulty) from :func:`posttest.item_analysis`:
    the post-test as blue dots, the pre-test (when given) as grey dots joined to them."""
    if post.empty or post["responses"].max() == 0:
        return None
    names = [_wrap(x, 34) for x in post["title"]]
    p = post["difficulty"].to_numpy(float)
    before = None
    if pre is not None and not pre.empty and pre["responses"].max() > 0:
        b = pre.set_index("question_id")["difficulty"]
        before = np.array([float(b.get(q, np.nan)) for q in post["question_id"]])
    title = title or t("items_title", lang)
    height = 1.9 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.27 * sum(_lines(x) for x in names) + 0.12 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        y = np.arange(len(names))
        if before is not None:
            ax.hlines(y, np.fmin(before, p), np.fmax(before, p), color="#bbbbbb", linewidth=3, zorder=1)
            ax.scatter(before, y, s=70, color=MUTED, zorder=2, label=t("pre_label", lang))
        ax.scatter(p, y, s=80, color=PRIMARY, zorder=3, label=t("post_label", lang))
        for yi, v in zip(y, p):
            if np.isfinite(v):
                ax.text(1.03, yi, _pct(v), va="center", fontsize=12, color=TEXT_COLOR)
        _share_axis(ax, names, 1.12, t("items_axis", lang))
        if before is not None:
            fig.legend(loc="outside lower center", ncol=2, fontsize=12)
        _title(fig, title)
        return _save(fig, Path(path), svg)


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
    cols = [f"{_wrap(summary.group_label(by, g, lang), 12)}\nn\u00a0=\u00a0{ns[g]}" for g in groups]
    rows = [_wrap(x, 30) for x in options]
    full = f"{title} — {t('by_' + by, lang)}" if title else t("by_" + by, lang)
    height = 2.4 + 0.32 * _lines(_wrap(full, TITLE_WRAP)) + 0.3 * sum(_lines(x) for x in rows) + 0.15 * len(rows)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        ax.imshow(mat, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i in range(len(options)):
            for j in range(len(groups)):
                v = mat[i, j]
                if np.isfinite(v):
                    ax.text(j, i, _pct(v), ha="center", va="center", fontsize=12,
                            color="white" if v > 0.55 else TEXT_COLOR)
        ax.set_xticks(np.arange(len(groups)), cols, fontsize=11)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(options)), rows, fontsize=12)
        ax.tick_params(length=0)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        _title(fig, full)
        _note(fig, note)
        return _save(fig, Path(path), svg)


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
    names = [_wrap(x, 30) for x in d["label"]]
    now = d["share"].to_numpy(float)
    before = d["prev_share"].to_numpy(float)
    full = t("change_title", lang, prev=prev_year, question=title)
    height = 1.9 + 0.32 * _lines(_wrap(full, TITLE_WRAP)) + 0.28 * sum(_lines(x) for x in names) + 0.14 * len(names)
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
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
        _share_axis(ax, names, 1.16, t("share_of_answered", lang))
        _title(fig, full)
        _note(fig, t("change_note", lang, prev=prev_year, year=year))  # the note names the dots: no legend
        return _save(fig, Path(path), svg)


def trend_chart(trend: pd.DataFrame, path: str | Path, lang: str = "ru", low: int = 1, high: int = 5,
                min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False,
                title: str | None = None) -> Path | None:
    """Mean of each Likert item by event, in date order, from :func:`feedback.feedback_trend`.

    One line per item; the x axis is the events in date order, labelled with
    the date (Asia/Bishkek).  Events with too few responses are gaps, named in
    the note.  None when fewer than two events can be shown.
    """
    from automation.model import BISHKEK

    events = trend.drop_duplicates("form_key")[["form_key", "when", "event_title", "suppressed"]]
    if int((~events["suppressed"]).sum()) < 2:
        return None
    keys = list(events["form_key"])
    ticks = [pd.Timestamp(w).tz_convert(BISHKEK).strftime("%d.%m") for w in events["when"]]
    hidden = [e for e, s in zip(events["event_title"], events["suppressed"]) if s]
    items = list(dict.fromkeys(trend["question_id"]))
    titles = {q: str(trend.loc[trend["question_id"] == q, "title"].iloc[-1]) for q in items}
    legend = [_wrap(titles[q], 56) for q in items]
    title = title or t("trend_title", lang)
    height = 4.6 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.26 * sum(_lines(x) for x in legend)
    cmap = matplotlib.colormaps["tab10"]
    markers = "osD^vP*Xh<>"
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        x = np.arange(len(keys))
        for i, q in enumerate(items):
            part = trend[trend["question_id"] == q].set_index("form_key")["mean"]
            yv = [float(part.get(k, np.nan)) for k in keys]
            ax.plot(x, yv, marker=markers[i % len(markers)], color=cmap(i % 10), linewidth=2, markersize=7,
                    label=legend[i])
        ax.set_xticks(x, ticks, rotation=45 if len(keys) > 8 else 0, fontsize=12)
        ax.set_ylim(low - 0.1, high + 0.1)
        ax.set_yticks(range(low, high + 1))
        ax.yaxis.grid(True)
        ax.set_ylabel(t("trend_axis", lang, low=low, high=high))
        fig.legend(loc="outside lower center", ncol=1, fontsize=11, handlelength=2.2)
        _title(fig, title)
        if hidden:
            ax.set_xlabel(_wrap(t("trend_hidden", lang, label=summary.suppressed_label(min_group_size, lang),
                                  events=", ".join(hidden)), 80), fontsize=11, color=NOTE_COLOR)
        return _save(fig, Path(path), svg)


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
    legend_lines = len(kinds) if many else sum(_lines(_wrap(lab, 56)) for lab, _, _ in curves)
    height = 4.6 + 0.32 * _lines(_wrap(title, TITLE_WRAP)) + 0.26 * legend_lines + (0.3 if many else 0)
    cmap = matplotlib.colormaps["tab10"]
    with matplotlib.rc_context(STYLE):
        fig = _figure(height)
        ax = fig.add_subplot()
        horizon = max(int(c["day"].max()) for _, _, c in curves)
        for i, (lab, kind, c) in enumerate(curves):
            days = c["day"].to_numpy(int)
            rate = c["rate"].to_numpy(float) * 100
            if many:
                ax.step(days, rate, where="post", color=KIND_COLORS.get(kind, MUTED), alpha=0.3, linewidth=1)
            else:
                ax.step(days, rate, where="post", color=cmap(i % 10), linewidth=2.2, label=_wrap(lab, 56))
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
        ax.set_ylabel(_wrap(t("curve_axis_y", lang), 22))
        fig.legend(loc="outside lower center", ncol=2 if many else 1, fontsize=11)
        _title(fig, title)  # with many forms the report's caption explains thin and thick lines (curve_note)
        return _save(fig, Path(path), svg)


# --- every chart of one form --------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "form"


def _likert_key(q: Question) -> tuple:
    s = q.scale
    assert s is not None
    return (s.low, s.high, s.low_label, s.high_label)


def form_charts(spec: FormSpec, frame: pd.DataFrame, out_dir: str | Path, lang: str = "ru",
                min_group_size: int = summary.MIN_GROUP_SIZE, svg: bool = False,
                prefix: str | None = None) -> list[Chart]:
    """Every chart of one form, written under ``out_dir``; returns them in form order.

    ``frame``: the form's rows of the tidy frame (:func:`answers_frame`).
    Files are named ``<prefix>.<question id>.<lang>.png`` where ``prefix`` is
    the form key of the rows (or ``spec.id``); form-level charts use names with
    a hyphen, which no question id has (``by-oblast``, ``score-histogram``,
    ``likert-<first item>``).  Makes: a distribution per
    choice question; per multiple-choice question; per grid; for linear-scale
    items, one diverging Likert chart per group of two or more items sharing a
    scale (placed at the first item), else a distribution; for a quiz, the score
    histogram; and the results by oblast (mean score for a quiz, respondents
    otherwise) with small-cell suppression.  Text, date and personal-data
    questions, and questions nobody answered, get no chart.
    """
    out = Path(out_dir)
    if frame.empty:
        return []
    if prefix is None:
        keys = frame["form_key"].dropna().unique()
        prefix = str(keys[0]) if len(keys) == 1 else spec.id
    stem = _slug(prefix)

    def fname(part: str) -> Path:
        return out / f"{stem}.{_slug(part)}.{lang}.png"

    def chart(path: Path | None, title: str, qid: str, kind: str, note: str = "") -> None:
        if path is not None:
            charts.append(Chart(path, title, qid, kind, note, path.with_suffix(".svg") if svg else None))

    counts = {c["question_id"]: c for c in summary.question_counts(spec, frame, lang)}
    scale_groups: dict[tuple, list[Question]] = {}
    for q in spec.questions:
        if q.kind == "scale" and counts[q.id]["answered"]:
            scale_groups.setdefault(_likert_key(q), []).append(q)
    charts: list[Chart] = []
    done_likert: set[tuple] = set()
    for q in spec.questions:
        c = counts[q.id]
        if not c["answered"] or q.kind not in summary.COUNTED_KINDS or summary.is_personal(q):
            continue
        correct = [q.option_label(o, lang) for o in q.correct]
        if q.kind in ("single_choice", "dropdown"):
            chart(choice_chart(c, fname(q.id), lang, svg, correct), c["title"], q.id, "choice")
        elif q.kind == "multiple_choice":
            chart(multiple_choice_chart(c, fname(q.id), lang, svg, correct, intervals=not q.correct),
                  c["title"], q.id, "multiple_choice")
        elif q.kind == "grid":
            chart(grid_chart(c, fname(q.id), lang, svg), c["title"], q.id, "grid")
        elif q.kind == "scale":
            key = _likert_key(q)
            group = scale_groups[key]
            if len(group) >= 2:
                if key in done_likert:
                    continue
                done_likert.add(key)
                assert q.scale is not None
                title = t("likert_title", lang, low=q.scale.low, high=q.scale.high)
                qid = "+".join(x.id for x in group)
                chart(likert_chart([counts[x.id] for x in group], q.scale, fname(f"likert-{group[0].id}"), lang, svg,
                                   title), title, qid, "likert")
            else:
                assert q.scale is not None
                chart(scale_chart(c, q.scale, fname(q.id), lang, svg), c["title"], q.id, "scale")
    groups = summary.oblast_groups(frame, min_group_size, spec if spec.max_score > 0 else None)
    note = suppression_note(groups, lang, min_group_size)
    if spec.max_score > 0:
        shares = summary.score_shares(spec, frame)
        if len(shares):
            title = t("score_title", lang)
            chart(score_chart(shares.tolist(), spec.max_score, fname("score-histogram"), lang, svg, title), title,
                  "", "score")
        title = t("oblast_score_title", lang)
        chart(oblast_chart(groups, fname("by-oblast"), lang, "score", min_group_size, svg, title), title, "", "oblast",
              note)
    else:
        title = t("oblast_count_title", lang)
        chart(oblast_chart(groups, fname("by-oblast"), lang, "count", min_group_size, svg, title), title, "", "oblast",
              note)
    return charts
