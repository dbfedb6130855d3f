"""The selected list: target sizes per age group, the selection from a ranking, making it final,
revealing names once final, and the selected applicants joining the roster.

Rules: seed 002 (see :mod:`automation.programmes.school`): 20 women aged 28+, 10–20 under 28,
under-18s not eligible; names stay hidden until the ranking is final.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from automation.errors import AutomationError
from automation.model import Participant, utc_now
from automation.programmes.school.codes import Application, age_group, assign_codes, code_key
from automation.programmes.school.criteria import (
    GROUP_MINOR,
    GROUP_OLDER,
    GROUP_UNKNOWN,
    GROUP_YOUNG,
    MIN_AGE,
    SCHOOL_START,
)
from automation.store import ResultRow, Store


@dataclass(frozen=True)
class Targets:
    """Target sizes (seed 002): ``older`` women aged 28+, ``young_min``–``young_max`` under 28;
    ``reserve`` applicants per group go on the reserve list; ``min_total`` (None: no minimum; not in
    the seed) keeps applicants below that total off the list even when places are left."""

    older: int = 20
    young_min: int = 10
    young_max: int = 20
    reserve: int = 3
    min_total: float | None = None


@dataclass
class Selection:
    """``table``: the ranking with ``age`` (Int64), ``age_group`` (``28+``, ``<28``, ``<18``, ``?``),
    ``group_rank`` (Int64, place within the age group), ``status`` (``selected``, ``reserve``,
    ``not_selected``, ``ineligible``) and ``note``.  ``warnings``: shortfalls and ties at the cut."""

    table: pd.DataFrame
    warnings: list[str]

    def counts(self) -> dict[str, int]:
        """Selected applicants per target group: ``{"28+": n, "<28": m}``."""
        sel = self.table[self.table["status"] == "selected"]
        return {GROUP_OLDER: int((sel["age_group"] == GROUP_OLDER).sum()),
                GROUP_YOUNG: int((sel["age_group"] == GROUP_YOUNG).sum())}


def select(ranking: pd.DataFrame, apps: Sequence[Application], targets: Targets = Targets(),
           on: date = SCHOOL_START) -> Selection:
    """The selected list by target sizes, from a final ranking (see :class:`Selection`).

    Within each age group the places go by rank (ties by code); when the last
    place is tied with the next applicant, both are named in ``warnings`` for the
    commission to decide.  Applicants under 18 or without a valid birth date are
    ``ineligible`` (the latter with a note to check the application).
    """
    by_code = {a.code: a for a in apps}
    t = ranking[["code", "total", "rank", "spread", "flagged"]].copy()
    ages = [by_code[c].age(on) if c in by_code else None for c in t["code"]]
    t["age"] = pd.array(ages, dtype="Int64")
    t["age_group"] = [age_group(a) if c in by_code else GROUP_UNKNOWN for c, a in zip(t["code"], ages)]
    t["group_rank"] = pd.array([None] * len(t), dtype="Int64")
    t["status"] = "not_selected"
    t["note"] = ""
    warnings: list[str] = []
    for idx in t.index:
        g = t.at[idx, "age_group"]
        if g == GROUP_MINOR:
            t.at[idx, "status"] = "ineligible"
            t.at[idx, "note"] = f"under {MIN_AGE} on {on.isoformat()}"
        elif g == GROUP_UNKNOWN:
            t.at[idx, "status"] = "ineligible"
            t.at[idx, "note"] = "no valid birth date: check the application"
    for group, size in ((GROUP_OLDER, targets.older), (GROUP_YOUNG, targets.young_max)):
        idxs = [i for i in t.index if t.at[i, "age_group"] == group]  # already in rank order
        if targets.min_total is not None:
            for i in idxs:
                if t.at[i, "total"] < targets.min_total:
                    t.at[i, "note"] = f"below the minimum total {targets.min_total:g}"
            idxs = [i for i in idxs if t.at[i, "total"] >= targets.min_total]
        for k, i in enumerate(idxs, start=1):
            t.at[i, "group_rank"] = k
            if k <= size:
                t.at[i, "status"] = "selected"
            elif k <= size + targets.reserve:
                t.at[i, "status"] = "reserve"
        if len(idxs) > size:
            last, nxt = idxs[size - 1], idxs[size]
            if t.at[last, "rank"] == t.at[nxt, "rank"]:
                tied = [t.at[i, "code"] for i in idxs if t.at[i, "rank"] == t.at[last, "rank"]]
                for i in idxs:
                    if t.at[i, "code"] in tied:
                        t.at[i, "note"] = "tie at the cut"
                warnings.append(f"group {group}: {', '.join(tied)} share rank {t.at[last, 'rank']} at the cut "
                                f"({size} places): the commission decides who takes the last place(s)")
        wanted = targets.older if group == GROUP_OLDER else targets.young_min
        if len(idxs) < wanted:
            warnings.append(f"group {group}: {len(idxs)} eligible applicant(s), target {wanted}"
                            + ("" if group == GROUP_OLDER else f"–{targets.young_max}"))
    return Selection(t.reset_index(drop=True), warnings)


def finalize(store: Store, selection: Selection, scores_digest: str, now: datetime | None = None,
             force: bool = False) -> None:
    """Record the ranking and the selection as final (then names may be revealed).

    Finalising again with the same scores does nothing; with different scores it
    raises :class:`AutomationError` unless ``force`` (a corrected ranking).
    ``scores_digest``: :attr:`.scores.ScoresRead.digest` of the scores ranked;
    ``now``: the moment recorded (default: the current time).
    """
    meta = store.school.markers()
    if meta.get("finalized_at") and not force:
        if meta.get("scores_sha256") == scores_digest:
            return
        raise AutomationError(f"the ranking was already made final on {meta['finalized_at']} from other scores; "
                              "use --force to replace it with this one")
    rows = [ResultRow(r.code, float(r.total), int(r.rank), float(r.spread), bool(r.flagged),
                      None if pd.isna(r.age) else int(r.age), r.age_group, r.status, r.note)
            for r in selection.table.itertuples()]
    store.school.finalize(rows, scores_digest, now or utc_now())


def final_results(store: Store) -> pd.DataFrame:
    """The final ranking (columns of ``school_results``), best first.  Raises if not final yet."""
    if not store.school.is_final():
        raise AutomationError("the ranking is not final yet: check the scores with `school score SCORES.csv`, then "
                              "run `school finalize SCORES.csv`. Names stay hidden until then (seed 002: "
                              "applications are scored under codes).")
    df = store.school.results()
    df["flagged"] = df["flagged"].astype(bool)
    df["_k"] = df["code"].map(lambda c: code_key(c)[0])
    return df.sort_values(["rank", "_k", "code"]).drop(columns="_k").reset_index(drop=True)


def revealed(store: Store, statuses: Sequence[str] = ("selected", "reserve")) -> pd.DataFrame:
    """The final list with names and contacts: code, rank, total, age, age_group, status, name,
    email, phone, residence.  Raises :class:`AutomationError` while the ranking is not final."""
    res = final_results(store)
    apps = {a.code: a for a in assign_codes(store)}
    res = res[res["status"].isin(statuses)].copy()
    for col, qid in (("name", "full_name"), ("email", "email"), ("phone", "phone"), ("residence", "residence")):
        res[col] = [str(apps[c].answers.get(qid) or "") if c in apps else "" for c in res["code"]]
    return res.reset_index(drop=True)


def _oblast_of(residence: str) -> str:
    from automation.roster import oblast_code

    for part in reversed([x for x in re.split(r"[,;]", residence) if x.strip()]):
        code = oblast_code(part)
        if code:
            return code
    return ""


def applicant_participant(app: Application, language: str = "ky") -> Participant | None:
    """The roster row of an accepted applicant (None without a valid e-mail).  Role ``candidate``
    (she is preparing to run), oblast read from the place of residence, municipality = айыл өкмөтү."""
    from automation.roster import EMAIL_RE, participant_id

    email = str(app.answers.get("email") or "").strip().lower()
    if not EMAIL_RE.match(email):
        return None
    return Participant(id=participant_id(email), name=app.name or app.code, email=email,
                       phone=str(app.answers.get("phone") or "").strip(),
                       oblast=_oblast_of(str(app.answers.get("residence") or "")),
                       municipality=str(app.answers.get("aiyl_okmotu") or "").strip(), role="candidate",
                       language=language, sex="f")


@dataclass
class Accepted:
    """What :func:`accept` did: people ``added`` to and ``updated`` in the roster, the ``participants``
    (roster rows) of the selected, and the ``skipped`` ones with the reason."""

    added: int
    updated: int
    participants: list[Participant]
    skipped: list[str]  # "A-007: no valid e-mail in the application"


def accept(store: Store, now: datetime | None = None, language: str = "ky") -> Accepted:
    """Add the selected applicants of the final ranking to the roster (source ``school``) in one transaction.
    Idempotent: someone already in the roster is updated, not added twice."""
    res = final_results(store)
    apps = {a.code: a for a in assign_codes(store, now)}
    people, skipped = [], []
    for code in res.loc[res["status"] == "selected", "code"]:
        p = applicant_participant(apps[code], language) if code in apps else None
        if p is None:
            skipped.append(f"{code}: no valid e-mail in the application; add her with `roster import`")
        else:
            people.append(p)
    # being selected is an explicit decision: someone who had left the club earlier comes back
    change = store.roster.upsert(people, source="school", now=now, rejoin=True)
    return Accepted(change.added, change.updated, people, skipped)
