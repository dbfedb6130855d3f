"""The forms a report covers, in the order it shows them, and what the plan calls their events.

The functions here take the stored forms (:class:`automation.store.FormRecord`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.errors import AutomationError
from automation.model import FormSpec, parse_iso
from automation.store import Store


def select_forms(store: Store, event_id: str | None) -> list[Any]:
    """The store's form rows (store order: by opening date, then key) of one event, or all of them
    when ``event_id`` is None.  Raises :class:`AutomationError` naming the known events when the
    event has no forms."""
    forms = store.forms.all()
    if event_id is None:
        return forms
    chosen = [f for f in forms if f.event_id == event_id]
    if not chosen:
        known = ", ".join(sorted({f.event_id for f in forms})) or "none yet"
        raise AutomationError(f"report: no forms of event {event_id!r} in the store (events with forms: {known}). "
                              "Check the event id in the plan, or create its forms first.")
    return chosen


def pre_tests_first(forms: list[Any]) -> list[Any]:
    """Store order (by opening date), except that a pre-test ``X.pre`` comes right before its post-test ``X``."""
    order = {f.form_key: i for i, f in enumerate(forms)}

    def key(f: Any) -> tuple[int, int]:
        k = f.form_key
        base = k[:-4] if k.endswith(".pre") and k[:-4] in order else k
        return (order[base], 0 if base != k else 1)

    return sorted(forms, key=key)


def spec_of_row(row: Any) -> FormSpec:
    """The :class:`FormSpec` kept in a form row's ``spec_json``."""
    return row.spec()


def plan_event_title(plan: Any, event_id: str, lang: str) -> str:
    """The event's title in ``lang`` from the plan (any object with ``events``, or None); the event
    id itself when the plan does not know it."""
    for ev in getattr(plan, "events", ()) or ():
        if ev.id == event_id:
            return ev.title.get(lang)
    return event_id


def event_when(plan: Any, form_row: Any) -> datetime:
    """The event's start (UTC) from the plan; the form's opening when the plan does not know the event."""
    for e in getattr(plan, "events", ()) or ():
        if e.id == form_row.event_id and getattr(e, "start", None) is not None:
            return e.start
    return parse_iso(form_row.opens)


def scope_title(plan: Any, form_row: Any, spec: FormSpec, lang: str) -> str:
    """What a form is about: its event's title (:func:`plan_event_title`), or the form's own title
    for a survey (its event id is its form key: it belongs to no event)."""
    if form_row.event_id == form_row.form_key:
        return spec.title.get(lang)
    return plan_event_title(plan, form_row.event_id, lang)
