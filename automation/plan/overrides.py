"""What the admin changed in the console that wins over the plan file: extended form deadlines.

:func:`with_deadlines` returns the plan with those forms' deadlines replaced, so every action computed from
the plan (the reminder, the closing, the sync, the report and the results mail) follows the new deadline.
The scheduler applies it at every tick, the service when it assembles its context (:mod:`automation.app`),
``plan show`` and the console's pages likewise.  Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from automation.model import parse_iso
from automation.plan.model import FormUse, Plan


def with_deadlines(plan: Plan, deadlines: Mapping[str, str | datetime]) -> Plan:
    """``plan`` with the deadline of each form of ``deadlines`` (form key → UTC ISO string or aware datetime)
    replaced; forms the plan does not have are ignored; the same plan object when there is nothing to change."""
    if not deadlines:
        return plan

    def form(f: FormUse) -> FormUse:
        new = deadlines.get(f.key)
        if new is None:
            return f
        return replace(f, deadline=parse_iso(new) if isinstance(new, str) else new)

    events = tuple(replace(e, forms=tuple(form(f) for f in e.forms)) for e in plan.events)
    return replace(plan, events=events, surveys=tuple(form(f) for f in plan.surveys))
