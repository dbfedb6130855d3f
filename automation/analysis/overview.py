"""The mentor's four questions, answered for the season or one event (the report's first screen).

DOMAIN.md: the mentor revises the year's plan from post-tests, evaluations and the needs
assessment.  Her questions (issue 14), one function each:

1. :func:`event_ranking` — which events worked: the mean of every rating of an event's
   evaluation form, its share of top ratings, and the mean normalized gain of its post-test,
   ranked, with the number of respondents;
2. :func:`oblast_progress` — which oblast is behind: per oblast, the members on the roster,
   the response rate over every form sent to them (answered ÷ invited) and the mean
   normalized gain, lowest rate first;
3. :func:`not_answered` — how many have not answered the forms in progress, per oblast
   (counts only: the names are for the admin console, never a report);
4. :func:`weakest_items` and :func:`uncovered_needs` — what to change in the plan: the test
   questions the fewest got right, and the most wanted topics of the latest needs assessment
   that no event or tea talk of the plan is about.

Every number is protected by :mod:`automation.analysis.suppression` (small cells and their
complements hidden; an event's rating or a test's items are not shown for fewer than
``min_group_size`` responses).  Functions return plain dicts (JSON-ready: the report writes
them to ``overview.json``); titles are left to the caller.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from automation.analysis import posttest, rates
from automation.analysis.summary import MIN_GROUP_SIZE, is_answered
from automation.analysis.suppression import TOTAL, protect
from automation.model import OBLASTS, FormSpec
from automation.store import Store

#: Form kinds that are not events (their event id is their own key, or they are applications).
NOT_EVENT_KINDS = ("needs_assessment", "school_application")
#: How many weakest test questions and uncovered needs the first screen lists.
LIMIT = 5
#: A test question is "weak" below this share correct (posttest.TOO_HARD is 0.3; the mentor wants
#: the few worst ones even when none is that hard).
WEAK_SHARE = 0.6


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _parts(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Form key → its rows of the tidy frame (one pass over the frame)."""
    return {str(k): v for k, v in frame.groupby("form_key", sort=False)} if len(frame) else {}


def _is_event(f: Any) -> bool:
    return f.kind not in NOT_EVENT_KINDS and f.event_id != f.form_key


def event_ranking(forms: Sequence[Any], frame: pd.DataFrame, specs: dict[str, FormSpec],
                  gain_rows: pd.DataFrame, min_group_size: int = MIN_GROUP_SIZE) -> list[dict[str, Any]]:
    """One row per event with forms, best first: ``{"event_id", "respondents", "rating_n",
    "rating" (mean of every 1..5 rating of its evaluation forms, or None), "scale_high", "top_share"
    (0..1: ratings in the top two points), "gain" (mean normalized gain, or None), "gain_n"
    (participants with a gain), "rank" (1.. for events with a rating or gain; None otherwise)}``.

    ``respondents``: distinct people (or anonymous responses) who answered any of its forms.
    The rating is None with fewer than ``min_group_size`` evaluations; the gain with fewer than
    ``min_group_size`` participants with both tests.  Ranked by rating, then gain; events without
    either last, in form order.  ``gain_rows``: :func:`automation.analysis.posttest.gains`.
    """
    events: dict[str, list[Any]] = {}
    for f in forms:
        if _is_event(f):
            events.setdefault(f.event_id, []).append(f)
    out: list[dict[str, Any]] = []
    parts = _parts(frame)
    empty = frame.iloc[:0]
    for ev, fs in events.items():
        who = set()
        for f in fs:
            heads = parts.get(f.form_key, empty).drop_duplicates("response_id")
            for pid, rid in zip(heads["participant_id"], heads["response_id"]):
                who.add(str(pid) if isinstance(pid, str) else f"{f.form_key}/{rid}")
        ratings: list[float] = []
        high = 5
        n_eval = 0
        for f in fs:
            if f.kind != "event_feedback":
                continue
            spec = specs[f.form_key]
            rows = parts.get(f.form_key, empty)
            n_eval += int(rows["response_id"].nunique()) if len(rows) else 0
            for q in spec.questions:
                if q.kind != "scale" or q.scale is None:
                    continue
                high = q.scale.high
                for v in rows.loc[rows["question_id"] == q.id, "value"]:
                    if is_answered(v):
                        try:
                            ratings.append(float(v))
                        except (TypeError, ValueError):
                            continue
        shown = n_eval >= min_group_size and bool(ratings)
        g = gain_rows[(gain_rows["event_id"] == ev) & (gain_rows["status"] == posttest.PAIRED)] \
            if len(gain_rows) else gain_rows
        gains = [float(x) for x in g["gain"]] if len(g) else []
        rating = _mean(ratings) if shown else None
        gain = _mean(gains) if len(gains) >= min_group_size else None
        out.append({"event_id": ev, "respondents": len(who), "rating_n": n_eval,
                    "rating": None if rating is None else round(rating, 2), "scale_high": high,
                    "top_share": round(sum(r >= high - 1 for r in ratings) / len(ratings), 3) if shown else None,
                    "gain": None if gain is None else round(gain, 3),
                    "gain_n": len(gains), "rank": None})
    order = {ev: i for i, ev in enumerate(events)}
    def key(r: dict[str, Any]) -> tuple[bool, float, float, int]:
        rating = float(r["rating"]) if r["rating"] is not None else -1.0
        gain = float(r["gain"]) if r["gain"] is not None else -9.0
        return (r["rating"] is None and r["gain"] is None, -rating, -gain, order[str(r["event_id"])])

    out.sort(key=key)
    rank = 0
    for r in out:
        if r["rating"] is not None or r["gain"] is not None:
            rank += 1
            r["rank"] = rank
    return out


def _order(groups: Sequence[str]) -> list[str]:
    o = list(OBLASTS)
    return sorted(groups, key=lambda g: (g == "", o.index(g) if g in o else len(o), g))


def oblast_progress(store: Store, forms: Sequence[Any], frame: pd.DataFrame, gain_rows: pd.DataFrame,
                    min_group_size: int = MIN_GROUP_SIZE) -> dict[str, Any]:
    """Per oblast of the roster, lowest response rate first: ``{"rows": [{"group" (oblast code, ""
    unknown), "members" (active members on the roster), "invited" (invitations: one per form sent to
    a member), "answered", "rate" (0..1), "gain", "gain_n", "behind" (bool), "suppressed"}],
    "overall": {"members", "invited", "answered", "rate", "gain", "gain_n"}}``.

    An oblast with fewer than ``min_group_size`` members is hidden, and one more with it when the
    total would give it away (:func:`automation.analysis.suppression.protect` on the members);
    a hidden oblast's numbers are None and it is listed last.  The gain of an oblast needs
    ``min_group_size`` participants with both tests (and is protected the same way).  ``behind``:
    the oblast's rate is at least 10 points under the overall rate, or it is the lowest shown.
    """
    people = store.roster.participants(active_only=False)
    oblast_of = {p.id: p.oblast or "" for p in people}
    members: dict[str, int] = {}
    for p in people:
        if p.active:
            members[p.oblast or ""] = members.get(p.oblast or "", 0) + 1
    invited: dict[str, int] = {}
    answered: dict[str, int] = {}
    parts = _parts(frame)
    for f in forms:
        inv = rates.invited_ids(store, f)
        if inv is None:
            continue
        part = parts.get(f.form_key, frame.iloc[:0])
        who = set(part["participant_id"].dropna().astype(str)) if len(part) else set()
        for pid in inv:
            g = oblast_of.get(pid, "")
            invited[g] = invited.get(g, 0) + 1
            answered[g] = answered.get(g, 0) + (pid in who)
    paired = gain_rows[gain_rows["status"] == posttest.PAIRED] if len(gain_rows) else gain_rows
    gains: dict[str, list[float]] = {}
    for r in paired.itertuples(index=False) if len(paired) else []:
        gains.setdefault(str(r.oblast) if isinstance(r.oblast, str) else "", []).append(float(r.gain))
    groups = _order(list(set(members) | set(invited)))
    hide = protect({g: members.get(g, 0) for g in groups}, min_group_size)
    hide_gain = hide | {g for g in groups if len(gains.get(g, [])) < min_group_size} | \
        protect({g: len(gains.get(g, [])) for g in groups}, min_group_size)
    rows: list[dict[str, Any]] = []
    for g in groups:
        small = g in hide
        rate = answered.get(g, 0) / invited[g] if invited.get(g) else None
        rows.append({"group": g, "members": None if small else members.get(g, 0),
                     "invited": None if small else invited.get(g, 0), "answered": None if small else answered.get(g, 0),
                     "rate": None if small or rate is None else round(rate, 3),
                     "gain": None if g in hide_gain else round(_mean(gains[g]) or 0.0, 3),
                     "gain_n": None if g in hide_gain else len(gains.get(g, [])), "behind": False, "suppressed": small})
    all_inv, all_ans = sum(invited.values()), sum(answered.values())
    all_gains = [x for xs in gains.values() for x in xs]
    if TOTAL in hide:  # one small oblast: the club's figures would be hers
        all_inv = all_ans = 0
        all_gains = []
    overall = {"members": None if TOTAL in hide else sum(members.values()), "invited": all_inv, "answered": all_ans,
               "rate": round(all_ans / all_inv, 3) if all_inv else None,
               "gain": round(_mean(all_gains) or 0.0, 3) if len(all_gains) >= min_group_size else None,
               "gain_n": len(all_gains)}
    shown = [r for r in rows if r["rate"] is not None]
    all_rate = overall["rate"]
    if shown and all_rate is not None:
        low = min(float(r["rate"]) for r in shown)
        for r in shown:
            rate_g = float(r["rate"])
            r["behind"] = rate_g <= float(all_rate) - 0.10 or (rate_g == low and rate_g < float(all_rate))
    rows.sort(key=lambda r: (r["rate"] is None, float(r["rate"]) if r["rate"] is not None else 0.0,
                             groups.index(str(r["group"]))))
    return {"rows": rows, "overall": overall}


def current_forms(store: Store, forms: Sequence[Any]) -> list[Any]:
    """The forms whose answers are still awaited: those open now; when none is, the forms of the
    latest event (or survey) sent to invited members, by deadline.  Public forms are left out."""
    sent = [f for f in forms if rates.invited_ids(store, f) is not None]
    open_ = [f for f in sent if f.status == "open"]
    if open_ or not sent:
        return open_
    last = max(sent, key=lambda f: (f.deadline, f.form_key))
    return [f for f in sent if f.event_id == last.event_id]


def not_answered(store: Store, forms: Sequence[Any], frame: pd.DataFrame,
                 min_group_size: int = MIN_GROUP_SIZE) -> dict[str, Any]:
    """Who has not answered the forms of :func:`current_forms` — counts, never names.

    ``{"open": bool (some form is open), "forms": [{"form_key", "invited", "not_answered"}],
    "people": distinct active members who have not answered at least one of them, "by_oblast":
    [{"group", "count" (None when hidden), "suppressed"}]}``; per oblast the counts are protected
    against the total (:func:`automation.analysis.suppression.protect`), and ``people`` is None
    when it would be the one hidden oblast's count."""
    cur = current_forms(store, forms)
    active = {p.id: p.oblast or "" for p in store.roster.participants(active_only=True)}
    pending: set[str] = set()
    rows = []
    for f in cur:
        inv = rates.invited_ids(store, f) or []
        part = frame[frame["form_key"] == f.form_key]
        who = set(part["participant_id"].dropna().astype(str)) if len(part) else set()
        missing = [p for p in inv if p not in who and p in active]
        pending |= set(missing)
        rows.append({"form_key": f.form_key, "invited": len(inv), "not_answered": len(missing)})
    counts: dict[str, int] = {}
    for pid in pending:
        counts[active[pid]] = counts.get(active[pid], 0) + 1
    hide = protect(counts, min_group_size)
    by = [{"group": g, "count": None if g in hide else counts[g], "suppressed": g in hide} for g in _order(list(counts))]
    return {"open": any(f.status == "open" for f in cur), "forms": rows,
            "people": None if TOTAL in hide else len(pending), "by_oblast": by}


def weakest_items(forms: Sequence[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], lang: str = "ru",
                  min_group_size: int = MIN_GROUP_SIZE, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The test questions the fewest got right, across the post-tests in scope with at least
    ``min_group_size`` responses: ``[{"form_key", "event_id", "question_id", "title", "share"
    (0..1 correct), "responses", "discrimination" (point-biserial r or None), "flags"}]``, lowest
    share first, at most ``limit``, those under :data:`WEAK_SHARE` only (with their flags from
    :func:`automation.analysis.posttest.item_analysis`; every item is on the details page)."""
    out = []
    for f in forms:
        spec = specs.get(f.form_key)
        if spec is None or spec.max_score <= 0 or f.pre_test:
            continue
        rows = frame[frame["form_key"] == f.form_key]
        if rows.empty or rows["response_id"].nunique() < min_group_size:
            continue
        for r in posttest.item_analysis(spec, rows, lang).itertuples(index=False):
            if math.isnan(r.difficulty):
                continue
            if r.difficulty < WEAK_SHARE:
                out.append({"form_key": f.form_key, "event_id": f.event_id, "question_id": str(r.question_id),
                            "title": str(r.title), "share": round(float(r.difficulty), 3), "responses": int(r.responses),
                            "discrimination": None if math.isnan(r.discrimination) else round(float(r.discrimination), 2),
                            "flags": list(r.flags)})
    out.sort(key=lambda x: (x["share"], x["form_key"], x["question_id"]))
    return out[:limit]


_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)
#: Words that say nothing about a topic (ru and ky).
_STOP = {"вопросы", "вопрос", "работа", "учётом", "учетом", "местного", "участие", "маселелери", "маселелерди",
         "жана", "менен", "боюнча"}


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if w.lower() not in _STOP}


def plan_texts(plan: Any, lang: str) -> list[str]:
    """What the plan is about in ``lang``: its events' titles and the tea talks' topics."""
    texts = [e.title.get(lang) for e in getattr(plan, "events", ()) or ()]
    tea = getattr(plan, "tea_talk", None)
    texts += [t.get(lang) for t in (getattr(tea, "topics", {}) or {}).values()]
    return texts


def covered(label: str, texts: Sequence[str]) -> bool:
    """Whether a topic ``label`` is covered by the plan's ``texts`` (:func:`plan_texts`): more than
    half of its words (5 letters or more, common words left out) begin, in their first five
    letters, a word of the plan.  A rough match — the mentor reads the list and decides; it errs
    towards "not covered", which only asks her to look."""
    words = _stems(label)
    if not words:
        return False
    plan_words = set().union(*(_stems(t) for t in texts)) if texts else set()
    return sum(w in plan_words for w in words) * 2 > len(words)


def uncovered_needs(store: Store, plan: Any, lang: str = "ru", min_group_size: int = MIN_GROUP_SIZE,
                    limit: int = LIMIT) -> dict[str, Any] | None:
    """The most wanted topics of the latest needs assessment that the plan does not cover.

    ``{"form_key", "respondents", "topics": [{"topic_id", "label", "share" (0..1 of those who
    answered, or None for a topic only rated), "priority" (mean 1..5 or None), "rank"}]}``, best
    ranked first (:func:`automation.plan.draft.topic_ranking`), at most ``limit``; None without a
    needs assessment with at least ``min_group_size`` responses, or without a plan."""
    from automation.errors import AutomationError
    from automation.plan.draft import topic_ranking

    if plan is None:
        return None
    try:
        tr = topic_ranking(store)
    except AutomationError:
        return None
    if tr.respondents < min_group_size:
        return None
    texts = {lg: plan_texts(plan, lg) for lg in ("ru", "ky")}
    topics = []
    for r in tr.table.itertuples(index=False):
        if covered(str(r.label_ru), texts["ru"]) or covered(str(r.label_ky), texts["ky"]):
            continue
        topics.append({"topic_id": str(r.topic_id), "label": str(r.label_ky if lang == "ky" else r.label_ru),
                       "share": None if pd.isna(r.share) else round(float(r.share), 3),
                       "priority": None if pd.isna(r.priority_mean) else round(float(r.priority_mean), 2),
                       "rank": int(r.rank)})
    return {"form_key": tr.form_key, "respondents": tr.respondents, "topics": topics[:limit]}


def gain_rows_of(frame: pd.DataFrame, specs: dict[str, FormSpec]) -> pd.DataFrame:
    """:func:`automation.analysis.posttest.gains` of the graded forms among ``specs`` (empty without any)."""
    graded = {k: s for k, s in specs.items() if s.max_score > 0}
    if not graded:
        return pd.DataFrame(columns=posttest.GAIN_COLUMNS)
    return posttest.gains(posttest.quiz_scores(frame[frame["form_key"].isin(list(graded))], graded), graded)


def overview(store: Store, forms: Sequence[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any,
             lang: str = "ru", min_group_size: int = MIN_GROUP_SIZE, needs: bool = True,
             memo: Callable[[str, Callable[[], Any]], Any] | None = None) -> dict[str, Any]:
    """The four answers for the ``forms`` in scope: ``{"events": event_ranking, "oblasts":
    oblast_progress, "not_answered": not_answered, "weakest_items": weakest_items, "needs":
    uncovered_needs (None when ``needs`` is False, e.g. for one event)}``.  ``memo(part, compute)``
    may return an earlier result of ``weakest_items`` or ``needs`` (the caller knows whether their
    forms changed); by default everything is computed."""
    def get(part: str, compute: Callable[[], Any]) -> Any:
        return memo(part, compute) if memo is not None else compute()

    gain_rows = gain_rows_of(frame, specs)
    return {"events": event_ranking(forms, frame, specs, gain_rows, min_group_size),
            "oblasts": oblast_progress(store, forms, frame, gain_rows, min_group_size),
            "not_answered": not_answered(store, forms, frame, min_group_size),
            "weakest_items": get("weakest_items", lambda: weakest_items(forms, frame, specs, lang, min_group_size)),
            "needs": get("needs", lambda: uncovered_needs(store, plan, lang, min_group_size)) if needs else None}
