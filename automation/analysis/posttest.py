"""Post-tests: scores, item difficulty and discrimination, and the normalized gain from the pre-test.

Pure functions over the tidy frame (:func:`automation.analysis.frame.answers_frame`)
and the specs of its forms (:func:`automation.analysis.frame.form_specs`).

Pre-test and post-test
    The plan gives a post-test ``<event>.<template>`` and, when the template is
    also used before the event, its pre-test ``<event>.<template>.pre``
    (``pre_test`` True; DOMAIN.md "the annual plan is revised from post-test
    results").  A participant's two tests are matched by roster id.

Normalized gain
    ``g = (post − pre) / (max − pre)`` per participant who took both tests of an
    event (Hake, *Am. J. Phys.* 66:64, 1998, applied per student), computed on
    score shares so that a changed template version with another maximum still
    compares: ``g = (post% − pre%) / (1 − pre%)``.  It is 1 when she reached the
    maximum, 0 when she did not improve, negative when she did worse.
    **Undefined for a perfect pre-test** (nothing left to gain): such a
    participant is counted with status ``perfect_pre`` and has no ``g``.  A
    participant with only a post-test (or only a pre-test) is counted with status
    ``post_only`` (``pre_only``) and has no ``g``.  Nobody is dropped silently.

Empty responses
    A response that answered none of the graded questions is ``empty``: it is
    counted but has no score, and it does not count as having taken the test
    (an empty pre-test would otherwise look like a score of 0 and inflate ``g``).
    Within a non-empty response an unanswered graded question earns 0 points
    (Google Forms' rule).

Several responses of one participant to one form: the last submitted counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from automation.model import OBLASTS, ROLES, FormSpec
from automation.analysis import stats
from automation.analysis.summary import MIN_GROUP_SIZE, is_answered
from automation.analysis.suppression import protect

#: Status of a participant in the gain table.
PAIRED, PERFECT_PRE, POST_ONLY, PRE_ONLY = "paired", "perfect_pre", "post_only", "pre_only"

#: Item analysis thresholds (Ebel & Frisbie, *Essentials of Educational Measurement*, 1991:
#: discrimination below 0.2 is poor; difficulty outside 0.3..0.9 tells little about a group).
TOO_HARD, TOO_EASY, LOW_DISCRIMINATION = 0.3, 0.9, 0.2

SCORE_COLUMNS = ["form_key", "event_id", "template_id", "pre_test", "response_id", "participant_id", "oblast",
                 "role", "submitted_at", "answered", "score", "max_score", "share", "empty"]


def quiz_scores(frame: pd.DataFrame, specs: Mapping[str, FormSpec]) -> pd.DataFrame:
    """One row per response to a graded form (``max_score > 0``).

    Columns: ``form_key``, ``event_id``, ``template_id`` (string), ``pre_test``
    (bool), ``response_id``, ``participant_id`` (string, NA if anonymous),
    ``oblast``, ``role`` (string), ``submitted_at`` (datetime64 UTC),
    ``answered`` (int64: graded questions answered), ``score`` (float64 points;
    NaN when empty), ``max_score`` (float64), ``share`` (float64 score/max in
    0..1; NaN when empty), ``empty`` (bool: no graded question answered).
    """
    rows: list[dict[str, Any]] = []
    if not frame.empty:
        for key, part in frame.groupby("form_key", sort=False):
            spec = specs.get(str(key))
            if spec is None or spec.max_score <= 0:
                continue
            graded = {q.id for q in spec.questions if q.correct}
            g = part[part["question_id"].isin(graded)]
            head = part.drop_duplicates("response_id")
            g = g.assign(_answered=g["value"].map(is_answered), _points=g["points"].fillna(0.0))
            per = g.groupby("response_id", sort=False)[["_answered", "_points"]].sum()
            for r in head.itertuples(index=False):
                answered = int(per.at[r.response_id, "_answered"]) if r.response_id in per.index else 0
                score = float(per.at[r.response_id, "_points"]) if answered else math.nan
                rows.append({"form_key": key, "event_id": r.event_id, "template_id": r.template_id,
                             "pre_test": bool(r.pre_test), "response_id": r.response_id,
                             "participant_id": r.participant_id, "oblast": r.oblast, "role": r.role,
                             "submitted_at": r.submitted_at, "answered": answered, "score": score,
                             "max_score": float(spec.max_score), "share": score / spec.max_score,
                             "empty": answered == 0})
    out = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    for c in ("form_key", "event_id", "template_id", "response_id", "participant_id", "oblast", "role"):
        out[c] = out[c].astype("string")
    out["submitted_at"] = pd.to_datetime(out["submitted_at"], utc=True)
    return out.astype({"pre_test": bool, "answered": "int64", "score": "float64", "max_score": "float64",
                       "share": "float64", "empty": bool})


def quiz_pairs(specs: Mapping[str, FormSpec]) -> list[tuple[str, str]]:
    """``[(post-test key, pre-test key)]`` of graded forms whose ``<key>.pre`` is also there, in ``specs`` order."""
    return [(k, f"{k}.pre") for k, s in specs.items() if not k.endswith(".pre") and f"{k}.pre" in specs
            and s.max_score > 0]


def _latest(scores: pd.DataFrame) -> pd.DataFrame:
    """Non-empty responses, the last one per (form, participant); anonymous responses kept as they are."""
    s = scores[~scores["empty"]].sort_values(["submitted_at", "response_id"], kind="stable")
    known = s[s["participant_id"].notna()].drop_duplicates(["form_key", "participant_id"], keep="last")
    return pd.concat([known, s[s["participant_id"].isna()]], ignore_index=True)


GAIN_COLUMNS = ["event_id", "form_key", "participant_id", "oblast", "role", "pre_score", "post_score", "max_score",
                "pre_share", "post_share", "gain", "status"]


def gains(scores: pd.DataFrame, specs: Mapping[str, FormSpec]) -> pd.DataFrame:
    """The normalized gain per participant of every event with a pre-test and a post-test.

    ``scores``: :func:`quiz_scores`.  One row per participant who took at least
    one of the two tests of a pair (:func:`quiz_pairs`), in pair order, then by
    participant id (anonymous responses last, one row each).  Columns:
    ``event_id``, ``form_key`` (the post-test), ``participant_id``, ``oblast``,
    ``role`` (string), ``pre_score``, ``post_score``, ``max_score`` (float64,
    points of the post-test), ``pre_share``, ``post_share`` (float64 in 0..1,
    NaN when not taken), ``gain`` (float64, NaN unless ``status`` is
    ``paired``), ``status`` (string: ``paired``, ``perfect_pre``,
    ``post_only``, ``pre_only``; see the module docstring).
    """
    latest = _latest(scores)
    rows: list[dict[str, Any]] = []
    for post_key, pre_key in quiz_pairs(specs):
        post = latest[latest["form_key"] == post_key]
        pre = latest[latest["form_key"] == pre_key]
        post_by = {str(p): r for p, r in zip(post["participant_id"], post.itertuples(index=False)) if pd.notna(p)}
        pre_by = {str(p): r for p, r in zip(pre["participant_id"], pre.itertuples(index=False)) if pd.notna(p)}
        max_post = float(specs[post_key].max_score)
        for pid in sorted(set(post_by) | set(pre_by)):
            a, b = pre_by.get(pid), post_by.get(pid)
            who = b if b is not None else a
            pre_share = float(a.share) if a is not None else math.nan
            post_share = float(b.share) if b is not None else math.nan
            if a is None:
                status, g = POST_ONLY, math.nan
            elif b is None:
                status, g = PRE_ONLY, math.nan
            elif pre_share >= 1:
                status, g = PERFECT_PRE, math.nan
            else:
                status, g = PAIRED, (post_share - pre_share) / (1 - pre_share)
            rows.append({"event_id": who.event_id, "form_key": post_key, "participant_id": pid,
                         "oblast": who.oblast, "role": who.role,
                         "pre_score": float(a.score) if a is not None else math.nan,
                         "post_score": float(b.score) if b is not None else math.nan, "max_score": max_post,
                         "pre_share": pre_share, "post_share": post_share, "gain": g, "status": status})
        for part, status in ((post, POST_ONLY), (pre, PRE_ONLY)):
            for r in part[part["participant_id"].isna()].itertuples(index=False):
                rows.append({"event_id": r.event_id, "form_key": post_key, "participant_id": pd.NA,
                             "oblast": r.oblast, "role": r.role,
                             "pre_score": float(r.score) if status == PRE_ONLY else math.nan,
                             "post_score": float(r.score) if status == POST_ONLY else math.nan,
                             "max_score": max_post,
                             "pre_share": float(r.share) if status == PRE_ONLY else math.nan,
                             "post_share": float(r.share) if status == POST_ONLY else math.nan,
                             "gain": math.nan, "status": status})
    out = pd.DataFrame(rows, columns=GAIN_COLUMNS)
    for c in ("event_id", "form_key", "participant_id", "oblast", "role", "status"):
        out[c] = out[c].astype("string")
    return out.astype({c: "float64" for c in ("pre_score", "post_score", "max_score", "pre_share", "post_share",
                                              "gain")})


GAIN_TABLE_COLUMNS = ["group", "participants", "paired", "perfect_pre", "post_only", "pre_only", "mean_gain",
                      "ci_low", "ci_high", "suppressed", "mean_suppressed"]


def _group_order(by: str | None, values: list[str]) -> list[str]:
    order = list({"oblast": OBLASTS, "role": ROLES}.get(by or "", {}))
    if not order:  # events: order of appearance
        return list(dict.fromkeys(values))
    return sorted(set(values), key=lambda g: (g == "", order.index(g) if g in order else len(order), g))


def gain_table(gain_rows: pd.DataFrame, by: str | None = "event_id", min_group_size: int = MIN_GROUP_SIZE,
               confidence: float = 0.95) -> pd.DataFrame:
    """Mean normalized gain with a Student t confidence interval per group.

    ``gain_rows``: :func:`gains`.  ``by``: ``event_id``, ``oblast``, ``role``, or
    None for one row over everything (``group`` ""); a participant of two events
    counts in two rows.  Columns:

    ===============  ========  ====================================================
    group            string    event id / oblast code / role ("" unknown or all)
    participants     Int64     rows in the group (every status)
    paired           Int64     participants with a gain
    perfect_pre      Int64     perfect pre-test: gain undefined
    post_only        Int64     post-test only: no gain
    pre_only         Int64     pre-test only: no gain
    mean_gain        float64   mean of g
    ci_low, ci_high  float64   the ``confidence`` t interval of the mean (df = paired − 1)
    suppressed       bool      fewer than ``min_group_size`` participants: every number is NA
    mean_suppressed  bool      fewer than ``min_group_size`` gains: mean and interval are NaN
    ===============  ========  ====================================================

    Small-cell suppression (DESIGN.md principle 8) is applied here, so no caller
    can show a hidden number by accident, with complementary suppression against the
    overall row (:func:`automation.analysis.suppression.protect`: a second group is hidden
    when one alone would be; the mean of the gains likewise, on the number of gains).
    """
    if gain_rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in zip(
            GAIN_TABLE_COLUMNS, ["string"] + ["Int64"] * 5 + ["float64"] * 3 + ["bool", "bool"])})
    df = gain_rows.copy()
    df["_g"] = "" if by is None else df[by].fillna("").astype(str)
    rows = []
    order = _group_order(by, df["_g"].tolist())
    sizes = {g: int((df["_g"] == g).sum()) for g in order}
    paired = {g: int(((df["_g"] == g) & (df["status"] == PAIRED)).sum()) for g in order}
    hide = protect(sizes, min_group_size) if by is not None else {g for g, n in sizes.items() if n < min_group_size}
    hide_paired = hide | {g for g, n in paired.items() if n < min_group_size}
    if by is not None:
        hide_paired |= protect(paired, min_group_size)
    for grp in order:
        part = df[df["_g"] == grp]
        counts = {s: int((part["status"] == s).sum()) for s in (PAIRED, PERFECT_PRE, POST_ONLY, PRE_ONLY)}
        n = len(part)
        small = grp in hide
        few = grp in hide_paired
        ci = stats.t_interval(part.loc[part["status"] == PAIRED, "gain"].tolist(), confidence)
        hide_mean = small or few
        rows.append({"group": grp, "participants": pd.NA if small else n,
                     **{k: (pd.NA if small else v) for k, v in counts.items()},
                     "mean_gain": math.nan if hide_mean else ci["mean"],
                     "ci_low": math.nan if hide_mean else ci["low"], "ci_high": math.nan if hide_mean else ci["high"],
                     "suppressed": small, "mean_suppressed": hide_mean})
    out = pd.DataFrame(rows, columns=GAIN_TABLE_COLUMNS)
    return out.astype({"group": "string", **{c: "Int64" for c in GAIN_TABLE_COLUMNS[1:6]},
                       "mean_gain": "float64", "ci_low": "float64", "ci_high": "float64", "suppressed": bool,
                       "mean_suppressed": bool})


ITEM_COLUMNS = ["question_id", "title", "points", "responses", "answered", "correct", "difficulty",
                "difficulty_low", "difficulty_high", "discrimination", "flags"]


def item_analysis(spec: FormSpec, frame: pd.DataFrame, lang: str = "ru", confidence: float = 0.95) -> pd.DataFrame:
    """Item difficulty and discrimination of every graded question of one form, in form order.

    ``frame``: the rows of *one* form.  Empty responses (no graded answer) are
    left out; an unanswered question of a non-empty response counts as wrong.

    ===============  ========  ======================================================
    question_id      string
    title            string    in ``lang``
    points           int64     points of a correct answer
    responses        int64     non-empty responses (the denominator)
    answered         int64     responses that answered this question
    correct          int64     responses that earned the question's points
    difficulty       float64   ``correct / responses``: the share correct ("p-value";
                               high = easy), NaN without responses
    difficulty_low,  float64   its Wilson interval (``confidence``)
    difficulty_high
    discrimination   float64   corrected item–total **point-biserial** correlation: Pearson's
                               r of correct (0/1) with the score on the *other* graded
                               questions; NaN with fewer than 3 responses or when nobody
                               (or everybody) got it right
    flags            object    tuple of ``too_hard`` (difficulty < 0.3), ``too_easy`` (> 0.9),
                               ``low_discrimination`` (r < 0.2), ``negative_discrimination`` (r < 0)
    ===============  ========  ======================================================

    Point-biserial rather than the upper–lower 27 % index: with the club's 10–40
    participants per test the 27 % groups hold 3–11 people each, and the index
    would throw away the middle half of them.
    """
    graded = [q for q in spec.questions if q.correct and q.points > 0]
    specs = {"_": spec}
    f = frame.assign(form_key="_") if not frame.empty else frame
    scores = quiz_scores(f, specs) if not frame.empty else pd.DataFrame(columns=SCORE_COLUMNS)
    keep = set(scores.loc[~scores["empty"].astype(bool), "response_id"]) if len(scores) else set()
    rows = frame[frame["response_id"].isin(keep) & frame["question_id"].isin([q.id for q in graded])] \
        if not frame.empty else frame
    ids = sorted(keep)
    pts = rows.pivot_table(index="response_id", columns="question_id", values="points", aggfunc="sum") \
        if len(rows) else pd.DataFrame(index=ids)
    pts = pts.reindex(index=ids, columns=[q.id for q in graded]).fillna(0.0)
    total = pts.sum(axis=1)
    out = []
    for q in graded:
        mine = rows[rows["question_id"] == q.id]
        right = (pts[q.id] >= q.points).astype(float) if len(ids) else pd.Series([], dtype=float)
        n, k = len(ids), int(right.sum())
        lo, hi = stats.wilson_interval(k, n, confidence)
        disc = stats.point_biserial(right.tolist(), (total - pts[q.id]).tolist()) if n else math.nan
        p = k / n if n else math.nan
        flags = tuple(name for name, hit in (
            ("too_hard", p < TOO_HARD), ("too_easy", p > TOO_EASY),
            ("low_discrimination", not math.isnan(disc) and 0 <= disc < LOW_DISCRIMINATION),
            ("negative_discrimination", not math.isnan(disc) and disc < 0)) if hit)
        out.append({"question_id": q.id, "title": q.title.get(lang), "points": q.points, "responses": n,
                    "answered": int(mine["value"].map(is_answered).sum()), "correct": k, "difficulty": p,
                    "difficulty_low": lo, "difficulty_high": hi, "discrimination": disc, "flags": flags})
    res = pd.DataFrame(out, columns=ITEM_COLUMNS)
    return res.astype({"question_id": "string", "title": "string", "points": "int64", "responses": "int64",
                       "answered": "int64", "correct": "int64", "difficulty": "float64",
                       "difficulty_low": "float64", "difficulty_high": "float64", "discrimination": "float64"})


def score_array(scores: pd.DataFrame, form_key: str) -> np.ndarray:
    """Score shares (0..1) of the non-empty responses of one form, as a float array."""
    s = scores[(scores["form_key"] == form_key) & ~scores["empty"]]
    return s["share"].to_numpy(dtype="float64")
