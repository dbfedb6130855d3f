"""Which chart for which question: every chart of one form (:func:`form_charts`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from automation.analysis import summary
from automation.model import FormSpec, Question
from automation.reporting.charts.bars import (
    choice_chart, multiple_choice_chart, oblast_chart, scale_chart, suppression_note)
from automation.reporting.charts.chart import Chart, slug
from automation.reporting.charts.likert import grid_chart, likert_chart
from automation.reporting.charts.posttest import score_chart
from automation.reporting.charts.text import t


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
    stem = slug(prefix)

    def fname(part: str) -> Path:
        return out / f"{stem}.{slug(part)}.{lang}.png"

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
