"""From clean scores to a ranking: weighted totals, competition ranks, the members' spread and the
applications flagged for discussion, and Krippendorff's alpha of the members' agreement.

The rules (seed 002 weights; the total, rank, spread, flag and alpha definitions)
are set out in :mod:`automation.programmes.school`; check the scores first
(:func:`.scores.check_scores`).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from automation.analysis.stats import competition_rank
from automation.errors import AutomationError
from automation.programmes.school.codes import code_key
from automation.programmes.school.criteria import CRITERIA, SCALE, WEIGHTS
from automation.programmes.school.scores import ScoreRow, member_key


@dataclass
class Scoring:
    """The result of :func:`score_applications`.

    ``ranking``: one row per application, best first (rank, then code), columns
    ``code`` (string), ``total`` (float64, 0–100, 2 decimals), ``rank`` (int64,
    competition ranking), ``spread`` (float64, max − min of the members' totals),
    ``sd`` (float64, sample SD of the members' totals; NaN with one member),
    ``flagged`` (bool), ``n_members`` (int64), ``c1``..``c7`` (float64, the
    members' mean score per criterion).
    ``member_totals``: code × member (float64, each member's weighted total).
    ``alpha``: Krippendorff's alpha, ordinal, over the 1–5 scores (units =
    application × criterion); ``alpha_totals``: interval, over the members'
    totals (units = applications).  NaN when it cannot be computed (e.g. every
    score equal).
    """

    ranking: pd.DataFrame
    member_totals: pd.DataFrame
    alpha: float
    alpha_totals: float
    members: list[str]
    flag_top: int
    flag_spread: float | None

    def to_json(self) -> list[dict[str, Any]]:
        """The ranking as ``[{"code", "total", "rank", "spread", "flagged"}]``."""
        return [{"code": r.code, "total": float(r.total), "rank": int(r.rank), "spread": float(r.spread),
                 "flagged": bool(r.flagged)} for r in self.ranking.itertuples()]


def weighted_total(scores: Mapping[int, Fraction | int | float]) -> Fraction:
    """Σ weight × score ÷ 5 over the 7 criteria (``scores``: criterion number → score or mean score)."""
    return sum((Fraction(WEIGHTS[c]) * Fraction(s) / SCALE[1] for c, s in scores.items()), Fraction(0))


def _r2(x: Fraction | float) -> float:
    return float(round(Fraction(x), 2)) if isinstance(x, Fraction) else round(float(x), 2)


def krippendorff_alpha(matrix: list[list[float]], level: str, value_domain: Sequence[float] | None = None) -> float:
    """Krippendorff's alpha of a raters × units matrix (NaN = no rating) from the ``krippendorff`` package.
    NaN when it is undefined (fewer than 2 raters or units with pairable ratings, or no variation)."""
    import krippendorff
    import numpy as np

    arr = np.asarray(matrix, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        return float("nan")
    pairable = (~np.isnan(arr)).sum(axis=0) >= 2
    if pairable.sum() < 1:
        return float("nan")
    vals = arr[~np.isnan(arr)]
    if len(np.unique(vals)) < 2:
        return float("nan")
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw: dict[str, Any] = {"level_of_measurement": level}
            if value_domain is not None:
                kw["value_domain"] = list(value_domain)
            a = float(krippendorff.alpha(reliability_data=arr, **kw))
    except (ValueError, ZeroDivisionError):
        return float("nan")
    return a if math.isfinite(a) else float("nan")


def score_applications(rows: Sequence[ScoreRow], flag_top: int = 3, flag_spread: float | None = None,
                       members: Sequence[str] | None = None) -> Scoring:
    """Totals, ranking, spread, flags and Krippendorff's alpha of clean scores (run :func:`check_scores` first).

    An application's total uses, per criterion, the mean over the members who
    scored it.  See :class:`Scoring` for the columns and the module docstring for the rules.
    """
    if not rows:
        raise AutomationError("no scores to rank")
    if members is None:
        order: dict[str, str] = {}
        for r in rows:
            order.setdefault(member_key(r.member), r.member)
    else:
        order = {member_key(m): m for m in members}
    mkeys = list(order)
    by: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        by[r.code][member_key(r.member)][r.criterion] = r.score
    codes = sorted(by, key=code_key)
    records = []
    totals: dict[str, Fraction] = {}
    mt_rows = []
    for code in codes:
        per_member = by[code]
        means: dict[int, Fraction] = {}
        for c in CRITERIA:
            vals = [per_member[m][c.number] for m in mkeys if c.number in per_member.get(m, {})]
            if vals:
                means[c.number] = Fraction(sum(vals), len(vals))
        total = weighted_total(means)
        totals[code] = total
        mtot = {order[m]: weighted_total(per_member[m]) for m in mkeys if len(per_member.get(m, {})) == len(CRITERIA)}
        vals = list(mtot.values())
        spread = (max(vals) - min(vals)) if vals else Fraction(0)
        sd = statistics.stdev([float(v) for v in vals]) if len(vals) >= 2 else float("nan")
        records.append({"code": code, "total": _r2(total), "spread": _r2(spread), "sd": round(sd, 2),
                        "n_members": len(per_member),
                        **{f"c{c.number}": (_r2(means[c.number]) if c.number in means else float("nan"))
                           for c in CRITERIA}})
        mt_rows.append({"code": code, **{order[m]: (_r2(mtot[order[m]]) if order[m] in mtot else float("nan"))
                                         for m in mkeys}})
    ranks = dict(zip(codes, competition_rank([totals[c] for c in codes])))
    df = pd.DataFrame.from_records(records)
    df["rank"] = [ranks[c] for c in df["code"]]
    df["_k"] = df["code"].map(lambda c: code_key(c)[0])
    df = df.sort_values(["rank", "_k", "code"], kind="stable").drop(columns="_k")
    df["flagged"] = flag_mask(df["spread"].tolist(), flag_top, flag_spread)
    df = df[["code", "total", "rank", "spread", "sd", "flagged", "n_members"] + [f"c{c.number}" for c in CRITERIA]]
    df = df.reset_index(drop=True)
    df["code"] = df["code"].astype("string")
    df["rank"] = df["rank"].astype("int64")
    df["n_members"] = df["n_members"].astype("int64")
    df["flagged"] = df["flagged"].astype(bool)
    member_totals = pd.DataFrame.from_records(mt_rows).set_index("code")
    # Krippendorff's alpha
    units = [(code, c.number) for code in codes for c in CRITERIA]
    matrix = [[float(by[code].get(m, {}).get(cn, float("nan"))) for code, cn in units] for m in mkeys]
    alpha = krippendorff_alpha(matrix, "ordinal", list(range(SCALE[0], SCALE[1] + 1)))
    alpha_totals = krippendorff_alpha(member_totals.T.to_numpy(dtype=float).tolist(), "interval")
    return Scoring(df, member_totals, alpha, alpha_totals, [order[m] for m in mkeys], flag_top, flag_spread)


def flag_mask(spreads: Sequence[float], flag_top: int = 3, flag_spread: float | None = None) -> list[bool]:
    """Which applications to discuss: the ``flag_top`` largest spreads (all tied with the last one
    included) and every spread ≥ ``flag_spread``; a spread of 0 is never flagged."""
    out = [False] * len(spreads)
    if flag_top > 0:
        positive = sorted((s for s in spreads if s > 0), reverse=True)
        if positive:
            cut = positive[min(flag_top, len(positive)) - 1]
            out = [s > 0 and s >= cut for s in spreads]
    if flag_spread is not None:
        out = [o or (s > 0 and s >= flag_spread) for o, s in zip(out, spreads)]
    return out


def alpha_verdict(a: float) -> str:
    """Krippendorff's reading of alpha (α ≥ .800 reliable, ≥ .667 tentative)."""
    if math.isnan(a):
        return "undefined"
    if a >= 0.8:
        return "reliable (α ≥ 0.800)"
    if a >= 0.667:
        return "tentative (0.667 ≤ α < 0.800)"
    return "low (α < 0.667): discuss the criteria and the flagged applications before the ranking is final"
