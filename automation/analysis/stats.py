"""Small statistics the reports need, in plain Python (no SciPy in the environment).

- :func:`wilson_interval`: the Wilson score interval of a proportion (E. B. Wilson,
  1927; recommended over the Wald interval by Newcombe, *Stat. Med.* 17:857–872,
  1998, and by Brown, Cai & DasGupta, *Stat. Sci.* 16:101–133, 2001).  It stays
  inside 0..1 and behaves at 0/n and n/n, which matters with the club's small groups.
- :func:`newcombe_interval`: the interval of a difference of two independent
  proportions built from two Wilson intervals (Newcombe, *Stat. Med.* 17:873–890,
  1998, method 10).
- :func:`t_interval`: the Student *t* interval of a mean; :func:`welch_interval`:
  of a difference of two means with unequal variances (Welch–Satterthwaite).
- :func:`t_quantile` / :func:`t_cdf`: Student's *t* distribution through the
  regularized incomplete beta function (continued fraction, modified Lentz;
  Press et al., *Numerical Recipes*, 3rd ed., §6.4).
- :func:`point_biserial`: Pearson's correlation of a 0/1 item with a score.
- :func:`competition_rank`: standard competition ranking ("1, 2, 2, 4"), used by the
  School's ranking and the stars' leaderboard.

Every function returns ``nan`` (never raises) where the statistic is undefined
(too few values, zero variance); the callers show that as "—".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

NAN = float("nan")


def z_quantile(confidence: float = 0.95) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95 %."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the proportion ``k / n``: ``(low, high)`` in 0..1.

    ``(nan, nan)`` when ``n`` is 0.  Example (Newcombe 1998, table II):
    ``wilson_interval(81, 263)`` → (0.2553, 0.3662); ``wilson_interval(0, 20)`` → (0, 0.1611).
    """
    if n <= 0:
        return NAN, NAN
    if not 0 <= k <= n:
        raise ValueError(f"wilson_interval: need 0 <= k <= n, got k={k}, n={n}")
    z = z_quantile(confidence)
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # exact 0 and 1 at the edges (rounding would leave 1e-17)
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Interval of ``k1/n1 - k2/n2`` (independent samples), Newcombe's method 10.

    Example (Newcombe 1998b): 56/70 − 48/80 = 0.2 → (0.0524, 0.3339).
    ``(nan, nan)`` when either ``n`` is 0.
    """
    if n1 <= 0 or n2 <= 0:
        return NAN, NAN
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


# --- Student's t --------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(ln_front) * _betacf(a, b, x) / a
    return 1 - math.exp(ln_front) * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom (df > 0)."""
    if df <= 0 or math.isnan(t):
        return NAN
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


@functools.lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (bisection on :func:`t_cdf`; |error| < 1e-10).  Remembered
    per ``(p, df)``: a report asks for the same few (95 %, 10–50 answers) hundreds of times.

    ``t_quantile(0.975, 1)`` = 12.7062, ``(0.975, 2)`` = 4.3027, ``(0.975, 10)`` = 2.2281.
    """
    if df <= 0 or not 0 < p < 1:
        return NAN
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2
        if hi > 1e12:
            return math.inf
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-11 * max(1.0, hi):
            break
    return (lo + hi) / 2


def _clean(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def mean_sd(values: Sequence[float]) -> tuple[int, float, float]:
    """``(n, mean, sample standard deviation)`` of the non-NaN values; nan where undefined."""
    xs = _clean(values)
    n = len(xs)
    if n == 0:
        return 0, NAN, NAN
    m = math.fsum(xs) / n
    sd = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else NAN
    return n, m, sd


def t_interval(values: Sequence[float], confidence: float = 0.95) -> dict[str, float]:
    """Mean and Student t confidence interval of the non-NaN ``values``.

    Returns ``{"n", "mean", "sd", "low", "high"}``; ``low``/``high`` are nan for
    fewer than 2 values; with zero spread the interval is the mean itself.
    """
    n, m, sd = mean_sd(values)
    if n < 2:
        return {"n": n, "mean": m, "sd": sd, "low": NAN, "high": NAN}
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": m, "sd": sd, "low": m - half, "high": m + half}


def welch_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> dict[str, float]:
    """Difference of means ``mean(a) - mean(b)`` with the Welch t interval.

    Returns ``{"diff", "low", "high", "df"}`` (nan where undefined: fewer than 2
    values in a sample).  When both samples have zero spread the interval is the
    difference itself.
    """
    na, ma, sa = mean_sd(a)
    nb, mb, sb = mean_sd(b)
    diff = ma - mb if na and nb else NAN
    if na < 2 or nb < 2:
        return {"diff": diff, "low": NAN, "high": NAN, "df": NAN}
    va, vb = sa * sa / na, sb * sb / nb
    se = math.sqrt(va + vb)
    if se == 0:
        return {"diff": diff, "low": diff, "high": diff, "df": NAN}
    df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    half = t_quantile(0.5 + confidence / 2, df) * se
    return {"diff": diff, "low": diff - half, "high": diff + half, "df": df}


def point_biserial(item: Sequence[float], score: Sequence[float]) -> float:
    """Pearson's r of a 0/1 ``item`` with ``score`` (pairs with a NaN are dropped).

    nan with fewer than 3 pairs or when either side has no spread (everyone
    right, or everyone wrong, or the same score).
    """
    pairs = [(float(x), float(y)) for x, y in zip(item, score)
             if not (math.isnan(float(x)) or math.isnan(float(y)))]
    n = len(pairs)
    if n < 3:
        return NAN
    mx = math.fsum(p[0] for p in pairs) / n
    my = math.fsum(p[1] for p in pairs) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in pairs)
    sxx = math.fsum((x - mx) ** 2 for x, _ in pairs)
    syy = math.fsum((y - my) ** 2 for _, y in pairs)
    if sxx <= 0 or syy <= 0:
        return NAN
    return sxy / math.sqrt(sxx * syy)


def competition_rank(values: Sequence[Any]) -> list[int]:
    """Rank of each value, largest first; equal values share the best rank ("1, 2, 2, 4").

    Standard competition ranking: a value's rank is 1 + the number of values
    strictly greater.  ``values`` may be any comparable numbers (int, float,
    ``Fraction``); the result has one int per value, in the same order.
    Example: ``competition_rank([80, 84.33, 80, 60])`` → ``[2, 1, 2, 4]``.
    """
    return [1 + sum(1 for w in values if w > v) for v in values]
