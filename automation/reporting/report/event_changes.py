"""An event page's "what changed": against the previous comparable event, and since the page's last report.

:func:`previous_event` picks the event to compare with; :func:`compare_events` puts the two events'
figures side by side in plain words (ru, ky).  "Since the last report" is
:func:`~automation.reporting.report.changes.diff_snapshots` of the event's own snapshot
(``.last-report.<event>.<lang>.json``).  Both keep small-cell suppression: a rating or a gain is
compared only when :func:`automation.analysis.overview.event_ranking` shows it for both events (at
least ``min_group_size`` answers each, :mod:`automation.analysis.suppression`), and a mean changed
by fewer than ``min_group_size`` new responses is held back by ``diff_snapshots``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automation.reporting.report.text import fmt_num, fmt_pct

#: The block's strings; Kyrgyz and Russian.
TEXT: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Что изменилось",
        "vs_prev": "По сравнению с «{event}»:",
        "no_prev": "Раньше в сезоне не было сравнимого мероприятия.",
        "respondents": "ответили {a} → {b} чел.",
        "rate": "доля ответов {a} → {b}",
        "rating": "средняя оценка {a} → {b}",
        "gain": "прирост знаний {a} → {b}",
        "up": "выше",
        "down": "ниже",
        "same": "так же",
        "not_comparable": "Оценки и прирост не сравниваются: у одного из мероприятий слишком мало ответов.",
        "since_report": "С прошлого отчёта по этому мероприятию",
        "since_total": "+{n} отв.",
    },
    "ky": {
        "title": "Эмне өзгөрдү",
        "vs_prev": "«{event}» менен салыштырганда:",
        "no_prev": "Сезондо мурун салыштырууга боло турган иш-чара болгон эмес.",
        "respondents": "жооп бергендер {a} → {b} адам",
        "rate": "жооптордун үлүшү {a} → {b}",
        "rating": "орточо баа {a} → {b}",
        "gain": "билимдин өсүшү {a} → {b}",
        "up": "жогору",
        "down": "төмөн",
        "same": "ошондой эле",
        "not_comparable": "Баалар жана өсүш салыштырылбайт: иш-чаралардын биринде жооп өтө аз.",
        "since_report": "Бул иш-чара боюнча мурунку отчёттон бери",
        "since_total": "+{n} жооп",
    },
}


def et(key: str, lang: str = "ru", **kw: Any) -> str:
    """A string of the block in ``lang`` (``ru`` or ``ky``; KeyError otherwise), formatted with ``kw``."""
    return TEXT[lang][key].format(**kw)


def _kinds(forms: list[Any]) -> set[str]:
    """What of an event can be compared: ``feedback`` (a rating) and ``test`` (a graded post-test)."""
    out = set()
    for f in forms:
        if f.kind == "event_feedback":
            out.add("feedback")
        elif f.spec().max_score > 0 and not f.pre_test:
            out.add("test")
    return out


def previous_event(events: dict[str, list[Any]], event_id: str) -> str | None:
    """The nearest event before ``event_id`` in ``events`` (event id → its forms, in season order) that
    has a form of the same kind (an evaluation or a graded post-test), or None."""
    ids = list(events)
    if event_id not in events:
        return None
    mine = _kinds(events[event_id])
    for ev in reversed(ids[:ids.index(event_id)]):
        if mine & _kinds(events[ev]):
            return ev
    return None


def _rate(light: list[dict[str, Any]]) -> float | None:
    """The share of the invited who answered, over an event's forms with a known audience."""
    invited = sum(x["invited"] or 0 for x in light if x["invited"] is not None)
    responded = sum(x["responded"] or 0 for x in light if x["invited"] is not None)
    return responded / invited if invited else None


def _line(key: str, a: float, b: float, fmt: Callable[[float], str], lang: str) -> str:
    """``"<what> a → b (higher)"``; "the same" when the two shown figures are equal once rounded."""
    fa, fb = fmt(a), fmt(b)
    word = et("same", lang) if fa == fb else et("up" if b > a else "down", lang)
    return et(key, lang, a=fa, b=fb) + f" ({word})"


def new_responses(previous: dict[str, Any] | None, snap: dict[str, Any]) -> int:
    """Responses to the event's forms since the ``previous`` snapshot (all of them when there is none)."""
    old = (previous or {}).get("forms", {})
    return sum(max(0, f["responses"] - (old.get(k) or {}).get("responses", 0)) for k, f in snap["forms"].items())


def compare_events(cur: dict[str, Any], prev: dict[str, Any] | None, prev_title: str,
                   cur_light: list[dict[str, Any]], prev_light: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Plain lines comparing an event with the previous comparable one: ``{"heading": str | None,
    "lines": [str], "note": str | None}``.  ``cur``/``prev``: rows of
    :func:`~automation.analysis.overview.event_ranking` (their rating and gain are None when too few
    answered, and are then not compared); ``*_light``: the events' forms as :meth:`_Build.light` gives them."""
    if prev is None:
        return {"heading": None, "lines": [], "note": et("no_prev", lang)}
    lines = [et("respondents", lang, a=prev["respondents"], b=cur["respondents"])]
    ra, rb = _rate(prev_light), _rate(cur_light)
    if ra is not None and rb is not None:
        lines.append(_line("rate", ra, rb, fmt_pct, lang))
    compared = False
    for key, fmt in (("rating", lambda v: fmt_num(v, 1)), ("gain", fmt_num)):
        a, b = prev.get(key), cur.get(key)
        if a is not None and b is not None:
            compared = True
            lines.append(_line(key, a, b, fmt, lang))
    wanted = any(r.get(k) is not None for r in (cur, prev) for k in ("rating", "gain")) or \
        any(r.get("rating_n") or r.get("gain_n") for r in (cur, prev))
    return {"heading": et("vs_prev", lang, event=prev_title), "lines": lines,
            "note": et("not_comparable", lang) if wanted and not compared else None}
