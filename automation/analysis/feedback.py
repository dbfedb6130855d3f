"""Event feedback: the Likert summary of one event, and the trend across the season's events.

Pure functions over the tidy frame.  Every online and offline event ends with an
evaluation form (DOMAIN.md "Feedback"); the mentor reads whether usefulness,
relevance, the trainer, the materials and the organisation get better or worse
over the season.  Open answers are listed in the report (not charted) by
:func:`automation.analysis.summary.open_texts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from automation.model import FormSpec
from automation.analysis import stats
from automation.analysis.summary import MIN_GROUP_SIZE, is_answered

LIKERT_COLUMNS = ["question_id", "title", "low", "high", "n", "mean", "sd", "ci_low", "ci_high", "top_share",
                  "top_low", "top_high"]


def _values(frame: pd.DataFrame, qid: str) -> list[float]:
    out = []
    for v in frame.loc[frame["question_id"] == qid, "value"]:
        if is_answered(v):
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                continue
    return out


def likert_items(spec: FormSpec, frame: pd.DataFrame, lang: str = "ru", confidence: float = 0.95) -> pd.DataFrame:
    """Summary of every linear-scale item of one form, in form order.

    Columns: ``question_id``, ``title`` (string, ``lang``), ``low``, ``high``
    (int64: the scale), ``n`` (int64: answers), ``mean``, ``sd`` (float64),
    ``ci_low``/``ci_high`` (float64: Student t interval of the mean; NaN for
    fewer than 2 answers), ``top_share`` (float64: share of answers in the top
    two points, e.g. 4–5 on 1–5, "top-2 box") with its Wilson interval
    ``top_low``/``top_high``.
    """
    rows = []
    for q in spec.questions:
        if q.kind != "scale" or q.scale is None:
            continue
        vals = _values(frame, q.id)
        ci = stats.t_interval(vals, confidence)
        top = sum(v >= q.scale.high - 1 for v in vals)
        lo, hi = stats.wilson_interval(top, len(vals), confidence)
        rows.append({"question_id": q.id, "title": q.title.get(lang), "low": q.scale.low, "high": q.scale.high,
                     "n": len(vals), "mean": ci["mean"], "sd": ci["sd"], "ci_low": ci["low"], "ci_high": ci["high"],
                     "top_share": top / len(vals) if vals else math.nan, "top_low": lo, "top_high": hi})
    out = pd.DataFrame(rows, columns=LIKERT_COLUMNS)
    return out.astype({"question_id": "string", "title": "string", "low": "int64", "high": "int64", "n": "int64",
                       **{c: "float64" for c in LIKERT_COLUMNS[6:]}, "mean": "float64"})


@dataclass(frozen=True)
class FeedbackForm:
    """One event's evaluation form for :func:`feedback_trend`.

    ``when``: the event's date (its start, UTC; the form's opening when the
    plan does not know the event); ``frame``: the form's rows of the tidy frame.
    """

    form_key: str
    event_id: str
    event_title: str
    when: datetime
    spec: FormSpec
    frame: pd.DataFrame


TREND_COLUMNS = ["form_key", "event_id", "event_title", "when", "responses", "question_id", "title", "n", "mean",
                 "ci_low", "ci_high", "suppressed"]


def feedback_trend(forms: Sequence[FeedbackForm], min_group_size: int = MIN_GROUP_SIZE, lang: str = "ru",
                   confidence: float = 0.95) -> pd.DataFrame:
    """Mean of each Likert item per event, in date order: the season's trend.

    One row per form × scale item answered at least once.  Columns:
    ``form_key``, ``event_id``, ``event_title`` (string), ``when``
    (datetime64 UTC), ``responses`` (int64: responses to the form),
    ``question_id``, ``title`` (string: the item's title in the latest form that
    has it), ``n`` (Int64), ``mean``, ``ci_low``, ``ci_high`` (float64),
    ``suppressed`` (bool: the form has fewer than ``min_group_size`` responses —
    a mean of one or two people's ratings is theirs; ``n`` and the mean are NA).
    Items are matched across events by question id.
    """
    titles: dict[str, str] = {}
    for f in sorted(forms, key=lambda f: f.when):
        for q in f.spec.questions:
            if q.kind == "scale":
                titles[q.id] = q.title.get(lang)
    rows = []
    for f in sorted(forms, key=lambda f: (f.when, f.form_key)):
        responses = int(f.frame["response_id"].nunique()) if len(f.frame) else 0
        small = responses < min_group_size
        for q in f.spec.questions:
            if q.kind != "scale":
                continue
            vals = _values(f.frame, q.id)
            if not vals:
                continue
            ci = stats.t_interval(vals, confidence)
            rows.append({"form_key": f.form_key, "event_id": f.event_id, "event_title": f.event_title,
                         "when": f.when, "responses": responses, "question_id": q.id, "title": titles[q.id],
                         "n": pd.NA if small else len(vals), "mean": math.nan if small else ci["mean"],
                         "ci_low": math.nan if small else ci["low"], "ci_high": math.nan if small else ci["high"],
                         "suppressed": small})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out["when"] = pd.to_datetime(out["when"], utc=True)
    return out.astype({"form_key": "string", "event_id": "string", "event_title": "string", "responses": "int64",
                       "question_id": "string", "title": "string", "n": "Int64", "mean": "float64",
                       "ci_low": "float64", "ci_high": "float64", "suppressed": bool})
