"""Needs assessments: demand for each topic, comparison by group, and the change from the previous year.

Pure functions over the tidy frame (pass the rows of one form).  The needs
assessment is annual (DOMAIN.md "Feedback"); its multiple-choice questions
(topics, soft skills, difficulties, kinds of partnership) say what the club
should teach next, and the mentor revises the year's plan from them.

Shares are of the respondents who answered the question (a multiple-choice
question's shares add up to more than 100 %); each share has a 95 % Wilson
interval (:func:`automation.analysis.stats.wilson_interval`), because groups
are small and shares are often near 0 or 1.

Group breakdowns (oblast, role) apply small-cell suppression: a group with
fewer than ``min_group_size`` respondents to the question gets
``suppressed=True`` and its numbers removed (DESIGN.md principle 8).  For
anonymous responses the group comes from the form's own ``oblast`` / ``role``
questions (:func:`automation.analysis.frame.fill_groups_from_answers`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from automation.model import BISHKEK, FormSpec, Question, parse_iso
from automation.analysis import stats
from automation.analysis.frame import fill_groups_from_answers
from automation.analysis.summary import MIN_GROUP_SIZE, OTHER, is_answered
from automation.analysis.suppression import protect
from automation.store import FormRecord

#: ``option_id`` under which the "other" free-text answers of a choice question are counted.
OTHER_ID = "__other__"

DEMAND_COLUMNS = ["option_id", "label", "count", "answered", "share", "ci_low", "ci_high"]


def _chosen(q: Question, v: Any) -> list[str]:
    """The option ids of one answer (``OTHER_ID`` once for any "other" text)."""
    ids = {o.id for o in q.options}
    out: list[str] = []
    for item in (v if isinstance(v, (list, tuple)) else [v]):
        if not is_answered(item):
            continue
        oid = str(item) if str(item) in ids else OTHER_ID
        if oid not in out:
            out.append(oid)
    return out


def _answers(q: Question, rows: pd.DataFrame) -> list[list[str]]:
    """One list of chosen option ids per response that answered ``q``."""
    mine = rows[(rows["question_id"] == q.id) & rows["value"].map(is_answered).astype(bool)]
    mine = mine.drop_duplicates(["form_key", "response_id"])
    return [c for c in (_chosen(q, v) for v in mine["value"]) if c]


def _labels(q: Question, lang: str) -> dict[str, str]:
    return {**{o.id: o.label.get(lang) for o in q.options}, OTHER_ID: OTHER.get(lang)}


def choice_demand(q: Question, frame: pd.DataFrame, lang: str = "ru", confidence: float = 0.95,
                  sort: bool = False) -> pd.DataFrame:
    """Counts and shares of each option of a choice question, with Wilson intervals.

    Columns: ``option_id`` (string; :data:`OTHER_ID` for "other" texts),
    ``label`` (string, in ``lang``), ``count`` (int64: respondents who chose it),
    ``answered`` (int64: respondents who answered the question, the denominator),
    ``share``, ``ci_low``, ``ci_high`` (float64 in 0..1; NaN when nobody answered).
    Options in form order, "other" last when the question has one or someone
    typed one; ``sort=True`` orders by count (ties in form order), "other" still last.
    """
    answers = _answers(q, frame)
    n = len(answers)
    labels = _labels(q, lang)
    order = [o.id for o in q.options]
    if q.other or any(OTHER_ID in a for a in answers):
        order.append(OTHER_ID)
    rows = []
    for oid in order:
        k = sum(oid in a for a in answers)
        lo, hi = stats.wilson_interval(k, n, confidence)
        rows.append({"option_id": oid, "label": labels[oid], "count": k, "answered": n,
                     "share": k / n if n else math.nan, "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows, columns=DEMAND_COLUMNS)
    if sort and len(out):
        out["_pos"] = range(len(out))
        out["_other"] = out["option_id"] == OTHER_ID
        out = out.sort_values(["_other", "count", "_pos"], ascending=[True, False, True]).drop(
            columns=["_pos", "_other"]).reset_index(drop=True)
    return out.astype({"option_id": "string", "label": "string", "count": "int64", "answered": "int64",
                       "share": "float64", "ci_low": "float64", "ci_high": "float64"})


GROUP_DEMAND_COLUMNS = ["group", "option_id", "label", "answered", "count", "share", "ci_low", "ci_high",
                        "suppressed"]


def _ordered_groups(by: str, values: Iterable[str]) -> list[str]:
    from automation.analysis.posttest import _group_order

    return _group_order(by, list(values))


def group_demand(q: Question, frame: pd.DataFrame, by: str = "oblast", min_group_size: int = MIN_GROUP_SIZE,
                 lang: str = "ru", confidence: float = 0.95) -> pd.DataFrame:
    """:func:`choice_demand` per group (``by``: ``oblast`` or ``role``), one row per group × option.

    Columns: ``group`` (string code, "" unknown), ``option_id``, ``label``,
    ``answered`` (Int64), ``count`` (Int64), ``share``, ``ci_low``, ``ci_high``
    (float64), ``suppressed`` (bool: fewer than ``min_group_size`` respondents
    answered in the group, or hidden with such a group so that the overall demand cannot give
    it away: :func:`automation.analysis.suppression.protect`; its numbers are NA).  Groups ordered as in
    ``OBLASTS``/``ROLES``, unknown last.
    """
    f = fill_groups_from_answers(frame)
    f = f.assign(_g=f[by].fillna("").astype(str)) if len(f) else f.assign(_g=pd.Series([], dtype=str))
    out = []
    demand = {g: choice_demand(q, f[f["_g"] == g], lang, confidence) for g in _ordered_groups(by, f["_g"].unique())}
    answered = {g: int(d["answered"].iloc[0]) if len(d) else 0 for g, d in demand.items()}
    hide = protect(answered, min_group_size)
    for g, d in demand.items():
        n = answered[g]
        if n == 0:
            continue
        small = g in hide
        for r in d.itertuples(index=False):
            out.append({"group": g, "option_id": r.option_id, "label": r.label,
                        "answered": pd.NA if small else n, "count": pd.NA if small else r.count,
                        "share": math.nan if small else r.share, "ci_low": math.nan if small else r.ci_low,
                        "ci_high": math.nan if small else r.ci_high, "suppressed": small})
    res = pd.DataFrame(out, columns=GROUP_DEMAND_COLUMNS)
    return res.astype({"group": "string", "option_id": "string", "label": "string", "answered": "Int64",
                       "count": "Int64", "share": "float64", "ci_low": "float64", "ci_high": "float64",
                       "suppressed": bool})


SCALE_GROUP_COLUMNS = ["group", "question_id", "title", "n", "mean", "suppressed"]


def scale_by_group(spec: FormSpec, frame: pd.DataFrame, by: str = "oblast", min_group_size: int = MIN_GROUP_SIZE,
                   lang: str = "ru") -> pd.DataFrame:
    """Mean of every linear-scale item per group.  Columns: ``group``, ``question_id``,
    ``title`` (string), ``n`` (Int64 answers), ``mean`` (float64), ``suppressed``
    (bool: fewer than ``min_group_size`` answers, or hidden with such a group against the
    item's overall mean: :func:`automation.analysis.suppression.protect`; ``n`` and ``mean`` are NA).
    Rows by group, then item (form order)."""
    f = fill_groups_from_answers(frame)
    out = []
    if len(f):
        f = f.assign(_g=f[by].fillna("").astype(str))
        groups = _ordered_groups(by, f["_g"].unique())
        for q in spec.questions:
            if q.kind != "scale":
                continue
            vals_by = {g: [float(v) for v in f.loc[(f["_g"] == g) & (f["question_id"] == q.id), "value"]
                           if is_answered(v)] for g in groups}
            hide = protect({g: len(v) for g, v in vals_by.items()}, min_group_size)
            for g in groups:
                vals = vals_by[g]
                if not vals:
                    continue
                small = g in hide
                out.append({"group": g, "question_id": q.id, "title": q.title.get(lang),
                            "n": pd.NA if small else len(vals),
                            "mean": math.nan if small else sum(vals) / len(vals), "suppressed": small})
        out.sort(key=lambda r: groups.index(str(r["group"])))  # stable: form order within a group
    res = pd.DataFrame(out, columns=SCALE_GROUP_COLUMNS)
    return res.astype({"group": "string", "question_id": "string", "title": "string", "n": "Int64",
                       "mean": "float64", "suppressed": bool})


# --- change from the previous year --------------------------------------------------


def form_year(form_row: FormRecord) -> int:
    """The year of a form: the year (Asia/Bishkek) it opened."""
    return parse_iso(form_row.opens).astimezone(BISHKEK).year


def previous_assessment(forms: Iterable[FormRecord], form_key: str) -> FormRecord | None:
    """The needs assessment of the latest earlier year before form ``form_key``, or None.

    ``forms``: the stored forms (their ``form_key``, ``kind``, ``opens``).  Of several forms of
    the same kind in that year the one that opened last is taken.  Raises
    ``KeyError`` for an unknown ``form_key``.
    """
    rows = list(forms)
    this = next((f for f in rows if f.form_key == form_key), None)
    if this is None:
        raise KeyError(form_key)
    year = form_year(this)
    earlier = [f for f in rows if f.kind == this.kind and form_year(f) < year]
    if not earlier:
        return None
    return max(earlier, key=lambda f: (form_year(f), parse_iso(f.opens), f.form_key))


CHANGE_COLUMNS = ["option_id", "label", "prev_answered", "prev_count", "prev_share", "answered", "count", "share",
                  "diff", "diff_low", "diff_high"]


def demand_change(prev_q: Question, prev_frame: pd.DataFrame, q: Question, frame: pd.DataFrame, lang: str = "ru",
                  confidence: float = 0.95) -> pd.DataFrame:
    """Shares of each option this year against the previous assessment, matched by option id.

    Columns: ``option_id``, ``label`` (this year's label, else last year's),
    ``prev_answered``, ``prev_count``, ``prev_share``, ``answered``, ``count``,
    ``share``, ``diff`` (``share − prev_share``, float64 in −1..1) and its
    interval ``diff_low``/``diff_high`` (Newcombe's method 10 from two Wilson
    intervals; the samples are treated as independent, which is conservative
    when the same women answer both years).  An option asked only one year has
    NaN for the other year and no difference.
    """
    now = choice_demand(q, frame, lang, confidence).set_index("option_id")
    before = choice_demand(prev_q, prev_frame, lang, confidence).set_index("option_id")
    order = list(now.index) + [o for o in before.index if o not in now.index]
    rows = []
    for oid in order:
        a = now.loc[oid] if oid in now.index else None
        b = before.loc[oid] if oid in before.index else None
        row = {"option_id": oid, "label": (a if a is not None else b)["label"],
               "prev_answered": int(b["answered"]) if b is not None else pd.NA,
               "prev_count": int(b["count"]) if b is not None else pd.NA,
               "prev_share": float(b["share"]) if b is not None else math.nan,
               "answered": int(a["answered"]) if a is not None else pd.NA,
               "count": int(a["count"]) if a is not None else pd.NA,
               "share": float(a["share"]) if a is not None else math.nan,
               "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan}
        if a is not None and b is not None and a["answered"] and b["answered"]:
            row["diff"] = float(a["share"]) - float(b["share"])
            row["diff_low"], row["diff_high"] = stats.newcombe_interval(
                int(a["count"]), int(a["answered"]), int(b["count"]), int(b["answered"]), confidence)
        rows.append(row)
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return out.astype({"option_id": "string", "label": "string", "prev_answered": "Int64", "prev_count": "Int64",
                       "prev_share": "float64", "answered": "Int64", "count": "Int64", "share": "float64",
                       "diff": "float64", "diff_low": "float64", "diff_high": "float64"})


SCALE_CHANGE_COLUMNS = ["question_id", "title", "prev_n", "prev_mean", "n", "mean", "diff", "diff_low", "diff_high"]


def scale_change(prev_spec: FormSpec, prev_frame: pd.DataFrame, spec: FormSpec, frame: pd.DataFrame,
                 lang: str = "ru", confidence: float = 0.95) -> pd.DataFrame:
    """Means of the linear-scale items asked both years, with the Welch interval of the difference.

    Columns: ``question_id``, ``title``, ``prev_n``, ``n`` (int64), ``prev_mean``,
    ``mean``, ``diff`` (this year − last), ``diff_low``, ``diff_high`` (float64).
    """
    prev_ids = {q.id for q in prev_spec.questions if q.kind == "scale"}
    rows = []
    for q in spec.questions:
        if q.kind != "scale" or q.id not in prev_ids:
            continue
        now = [float(v) for v in frame.loc[frame["question_id"] == q.id, "value"] if is_answered(v)]
        before = [float(v) for v in prev_frame.loc[prev_frame["question_id"] == q.id, "value"] if is_answered(v)]
        w = stats.welch_interval(now, before, confidence)
        rows.append({"question_id": q.id, "title": q.title.get(lang), "prev_n": len(before),
                     "prev_mean": sum(before) / len(before) if before else math.nan, "n": len(now),
                     "mean": sum(now) / len(now) if now else math.nan, "diff": w["diff"],
                     "diff_low": w["low"], "diff_high": w["high"]})
    out = pd.DataFrame(rows, columns=SCALE_CHANGE_COLUMNS)
    return out.astype({"question_id": "string", "title": "string", "prev_n": "int64", "prev_mean": "float64",
                       "n": "int64", "mean": "float64", "diff": "float64", "diff_low": "float64",
                       "diff_high": "float64"})
