"""Response rates: who was invited, who answered, and how fast; who has not answered (for reminders).

The pure functions take the tidy frame of one form and the invited
participants as ``{participant id: oblast code}``.  Only invited participants
count towards a rate; an anonymous response (public link) counts towards the
number of responses only.  :func:`non_respondents` returns participant *ids*:
it feeds the reminders and must never reach a report (DESIGN.md principle 8);
the report shows counts per oblast only.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from automation.model import parse_iso
from automation.store import FormRecord, Store
from automation.analysis.summary import MIN_GROUP_SIZE
from automation.analysis.suppression import protect

DAY = timedelta(days=1)


def invited_ids(store: Store, form_row: FormRecord) -> list[str] | None:
    """Participant ids a form was sent to: its personal links (``form_links``), or the
    active roster when it has none; None for a public (anonymous link) form."""
    if (form_row.audience or "roster") == "public":
        return None
    links = list(store.forms.links(form_row.form_key))
    return links if links else [p.id for p in store.roster.participants(active_only=True)]


def invited_oblasts(store: Store, form_row: FormRecord) -> dict[str, str] | None:
    """:func:`invited_ids` as ``{participant id: oblast code}`` ("" when unknown); None for a public form."""
    ids = invited_ids(store, form_row)
    if ids is None:
        return None
    roster = {p.id: p.oblast for p in store.roster.participants(active_only=False)}
    return {pid: roster.get(pid, "") or "" for pid in ids}


def invitation_time(store: Store, form_row: FormRecord) -> datetime:
    """When the invitation went out: the first sent message of ``<form key>.invitation`` in the
    delivery ledger, else the form's opening time (UTC)."""
    sent_at = store.deliveries.first_sent_at(f"{form_row.form_key}.invitation")
    return parse_iso(sent_at) if sent_at else parse_iso(form_row.opens)


def _first_answers(frame: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Participant id → the time of her first response."""
    if frame.empty:
        return {}
    r = frame[frame["participant_id"].notna()].groupby("participant_id")["submitted_at"].min()
    return {str(k): v for k, v in r.items()}


def non_respondents(invited: Collection[str], frame: pd.DataFrame) -> list[str]:
    """Ids of the invited participants with no response in ``frame``, sorted.  For reminders only."""
    answered = set(_first_answers(frame))
    return sorted(set(invited) - answered)


def pending_participants(store: Store, form_key: str, active_only: bool = True) -> list[str]:
    """Ids of the participants invited to form ``form_key`` who have not answered it (for reminders).

    Invited as in :func:`invited_ids`; with ``active_only`` those who have left
    the club are left out.  ``[]`` for a public form (nobody to remind
    personally).  Raises ``KeyError`` for an unknown form.
    """
    row = store.forms.get(form_key)
    if row is None:
        raise KeyError(form_key)
    invited = invited_ids(store, row)
    if invited is None:
        return []
    answered = store.responses.respondents(form_key)
    active = {p.id for p in store.roster.participants(active_only=True)} if active_only else None
    return sorted(p for p in set(invited) - answered if active is None or p in active)


RATE_COLUMNS = ["group", "invited", "responded", "rate", "suppressed"]


def rate_by_oblast(invited: Mapping[str, str], frame: pd.DataFrame,
                   min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Response rate per oblast of the invited participants.

    Columns: ``group`` (string oblast code, "" unknown), ``invited``,
    ``responded`` (Int64), ``rate`` (float64 0..1), ``suppressed`` (bool: fewer
    than ``min_group_size`` invited in the oblast, or hidden with such an oblast so that the
    form's total cannot give it away (:func:`automation.analysis.suppression.protect`); the
    numbers are NA).
    Oblasts ordered as in ``OBLASTS``, unknown last.
    """
    from automation.analysis.posttest import _group_order

    answered = set(_first_answers(frame))
    by: dict[str, list[str]] = {}
    for pid, ob in invited.items():
        by.setdefault(ob or "", []).append(pid)
    rows = []
    hide = protect({g: len(ps) for g, ps in by.items()}, min_group_size)
    for g in _group_order("oblast", list(by)):
        n = len(by[g])
        k = sum(p in answered for p in by[g])
        small = g in hide
        rows.append({"group": g, "invited": pd.NA if small else n, "responded": pd.NA if small else k,
                     "rate": math.nan if small else k / n, "suppressed": small})
    out = pd.DataFrame(rows, columns=RATE_COLUMNS)
    return out.astype({"group": "string", "invited": "Int64", "responded": "Int64", "rate": "float64",
                       "suppressed": bool})


CURVE_COLUMNS = ["group", "day", "invited", "responded", "rate", "suppressed"]


def response_curve(frame: pd.DataFrame, invited: Mapping[str, str] | None, start: datetime,
                   end: datetime | None = None, by_oblast: bool = False,
                   min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Cumulative responses by day since the invitation.

    ``day`` d counts the responses submitted up to ``start + d`` days, for d = 0
    .. ceil((end − start) / 1 day) (``end`` default: the last response).
    With ``invited`` (``{participant id: oblast}``) only invited participants
    count, each once, and ``rate`` = responded / invited; with None (a public
    form) every response counts and ``rate`` is NaN.  ``by_oblast`` gives one
    curve per oblast (small-cell suppression on the invited: a suppressed
    oblast has no rows but one with ``suppressed`` True and NA numbers);
    otherwise one curve with ``group`` "".

    Columns: ``group`` (string), ``day`` (Int64), ``invited`` (Int64, NA for a
    public form), ``responded`` (Int64), ``rate`` (float64), ``suppressed`` (bool).
    """
    start_ts = pd.Timestamp(start).tz_convert("UTC") if pd.Timestamp(start).tzinfo else \
        pd.Timestamp(start).tz_localize("UTC")
    if invited is None:
        times = list(frame.drop_duplicates(["form_key", "response_id"])["submitted_at"]) if len(frame) else []
        members: dict[str, list[pd.Timestamp]] = {"": times}
        sizes: dict[str, int | None] = {"": None}
    else:
        first = _first_answers(frame)
        groups: dict[str, list[str]] = {"": list(invited)}
        if by_oblast:
            groups = {}
            for pid, ob in invited.items():
                groups.setdefault(ob or "", []).append(pid)
        members = {g: [first[p] for p in ps if p in first] for g, ps in groups.items()}
        sizes = {g: len(ps) for g, ps in groups.items()}
    all_times = [t for ts in members.values() for t in ts]
    last = pd.Timestamp(end).tz_convert("UTC") if end is not None else (max(all_times) if all_times else start_ts)
    days = max(0, math.ceil((last - start_ts) / pd.Timedelta(days=1)))
    rows: list[dict[str, Any]] = []
    from automation.analysis.posttest import _group_order

    order = _group_order("oblast", list(members)) if by_oblast else [""]
    hide = protect({g: s for g, s in sizes.items() if s is not None}, min_group_size) if by_oblast else set()
    for g in order:
        size = sizes[g]
        if g in hide:
            rows.append({"group": g, "day": pd.NA, "invited": pd.NA, "responded": pd.NA, "rate": math.nan,
                         "suppressed": True})
            continue
        deltas = sorted((t - start_ts) / pd.Timedelta(days=1) for t in members[g])
        for d in range(days + 1):
            k = sum(x <= d for x in deltas)
            rows.append({"group": g, "day": d, "invited": size if size is not None else pd.NA, "responded": k,
                         "rate": k / size if size else math.nan, "suppressed": False})
    out = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    return out.astype({"group": "string", "day": "Int64", "invited": "Int64", "responded": "Int64",
                       "rate": "float64", "suppressed": bool})
