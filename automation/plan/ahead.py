"""Plan problems found ahead: what will make an action fail, shown weeks before it is due.

:func:`problems_ahead` looks at the actions due between now and a horizon and reports, with the action
and its due time:

- a programme (draft or final) that the plan does not name, or whose file is missing
  (the ``mail.programme_draft``/``_final`` jobs would fail: :func:`automation.jobs.mailings._programme`);
- a Markdown programme whose PDF cannot be made (:func:`automation.mail.documents.pdf_problem`: the mail would
  carry the ``.md`` file, which phones do not open);
- a material file that is missing (``mail.materials`` would fail);
- an event's test file (``test:``) that is missing (its ``post_test`` forms' ``form.create`` would fail);
- a presenter of an event who is not in the roster, or has left (the ``best_practice_vote`` form
  takes its options from the presenters: :func:`automation.jobs.forms.create` would fail);
- a form template that does not load (``form.create`` would fail).

Used by ``python main.py plan check``, by ``plan show`` (as warnings) and by the console's Today page.
A missing file is never a problem of the plan itself (the plan loads, :mod:`automation.plan.load`): it
matters only while an action that needs it is still to come, so a finished event's files are not looked at.
A file that is there but cannot be read is named too.

The horizon is :data:`HORIZON_DAYS` (35 days: the programme draft goes 30 days before an event, and the
admin needs a few days to get the file from the mentor).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from automation.errors import TemplateError
from automation.forms.templates import get_template
from automation.mail.documents import pdf_problem
from automation.model import Action, Participant
from automation.plan.actions import actions
from automation.plan.model import Plan

#: Days ahead in which due actions are checked.
HORIZON_DAYS = 35


@dataclass(frozen=True)
class PlanProblem:
    """One problem found ahead: the action it will break (``key``, ``due`` UTC), the event, and ``what``
    (one line for the admin, naming the file or address and what to do)."""

    key: str
    due: datetime
    event_id: str
    what: str


def _missing(source: str | None) -> str | None:
    """``"missing"`` or ``"unreadable"`` for a file path that the service cannot read; None for a link, no
    source, or a file it can read."""
    if source is None or source.startswith(("http://", "https://")):
        return None
    if not Path(source).is_file():
        return "missing"
    return None if os.access(source, os.R_OK) else "unreadable"


def _fix(state: str) -> str:
    """What to do about a ``missing`` or ``unreadable`` file (the end of a problem line)."""
    return ("is missing: put it there or change the plan" if state == "missing" else
            "cannot be read: give the service's user the right to read it, or change the plan")


def _pdf_problem(source: str) -> str | None:
    """Why a local Markdown programme would not go as PDF (:func:`pdf_problem`), or None (a link, or it renders)."""
    return None if source.startswith(("http://", "https://")) else pdf_problem(Path(source))


def problems_ahead(plan: Plan, roster: Callable[[str], Participant | None], now: datetime,
                   templates_dir: str | Path, days: int = HORIZON_DAYS,
                   done: Callable[[str], bool] = lambda key: False) -> list[PlanProblem]:
    """The problems of the actions due from ``now`` (UTC) to ``now + days``, in due order.

    ``roster`` finds a participant by e-mail (``store.roster.get``, or ``lambda e: None`` with no state
    file); ``done`` tells whether the ledger already finished an action (its problems no longer matter).
    Reads the plan's files and the templates; changes nothing.
    """
    out: list[PlanProblem] = []
    horizon = now + timedelta(days=days)
    templates: dict[str, str | None] = {}
    for a in actions(plan):
        if a.due > horizon or done(a.key) or (a.expires is not None and a.expires < now) or (
                a.expires is None and a.due < now):
            continue
        out.extend(PlanProblem(a.key, a.due, a.event_id, w) for w in _problems(plan, a, roster, templates_dir,
                                                                             templates))
    return out


def _problems(plan: Plan, a: Action, roster: Callable[[str], Participant | None], templates_dir: str | Path,
              templates: dict[str, str | None]) -> list[str]:
    event = plan.event(a.event_id)
    out: list[str] = []
    if a.kind in ("mail.programme_draft", "mail.programme_final") and event is not None:
        source = event.programme if a.kind == "mail.programme_draft" else (event.programme_final or event.programme)
        field = "programme" if a.kind == "mail.programme_draft" or not event.programme_final else "programme_final"
        if source is None:
            out.append(f"event {event.id} has no programme: add `programme: programmes/{event.id}.md` (a file "
                       "next to the plan, or a link) to the event in the plan")
        elif state := _missing(source):
            out.append(f"the {field} file {source} of event {event.id} {_fix(state)}")
        elif (why := _pdf_problem(source)) is not None:
            out.append(f"the {field} of event {event.id}: {why}")
    if a.kind == "mail.materials" and event is not None:
        for m in event.materials:
            if state := _missing(m.file):
                out.append(f"the material file {m.file} of event {event.id} {_fix(state)}")
    if a.kind == "form.create" and (state := _missing(a.payload.get("test"))):
        out.append(f"the test file {a.payload['test']} of event {a.event_id} {_fix(state)}")
    elif a.kind == "form.create":
        tid = a.payload["template"]
        if tid not in templates:
            try:
                spec = get_template(tid, templates_dir)
                templates[tid] = "presenters" if any(q.options_from == "presenters" for q in spec.questions) else None
            except TemplateError as e:
                templates[tid] = "error: " + "; ".join(e.problems)
        note = templates[tid]
        if note and note.startswith("error: "):
            out.append(f"the form template {tid!r} does not load: {note[7:]}")
        elif note == "presenters" and event is not None:
            for email in event.presenters:
                p = roster(email)
                if p is None or not p.active:
                    out.append(f"presenter {email} of event {event.id} is {'not in' if p is None else 'no longer in'} "
                               "the roster: add her with `roster add` (or rejoin her), or fix the plan")
    return out
