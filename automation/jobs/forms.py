"""Form jobs: create a form from its template when it opens; close it at its deadline."""

from __future__ import annotations

import dataclasses

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.context import Context
from automation.errors import AutomationError
from automation.model import Action, Option, I18n, iso, parse_iso
from automation.forms.templates import get_template
from automation.forms.testfile import load_test
from automation.jobs import JobResult, done, failed, skipped
from automation.store import FormRecord


def create(ctx: Context, action: Action, now: datetime) -> JobResult:
    """Make the form of ``action.payload['form_key']`` from its template and record it in ``forms``.

    A ``post_test`` form of an event with a test (``payload['test']``, the test file) is made from the
    test's questions (:mod:`automation.forms.testfile`).  A ``best_practice_vote`` gets the event's presenters as options (roster
    names; option id = participant id).  Idempotent: a form already in the
    store is not made again.
    """
    key = action.payload["form_key"]
    row = ctx.store.forms.get(key)
    if row:
        return done(f"already created: {row.url}")
    test = action.payload.get("test")
    if test and not Path(test).is_file():  # not a plan error: the plan loads, only this form waits for the file
        return failed(f"the test file {test} of event {action.event_id} is missing: put it back or change the plan")
    spec = load_test(test) if test else get_template(action.payload["template"], ctx.templates_dir)
    if any(q.options_from == "presenters" for q in spec.questions):
        event = ctx.plan.event(action.event_id)
        options = []
        for email in event.presenters if event else ():
            p = ctx.store.roster.get(email)
            if p is None:
                return failed(f"presenter {email} of event {action.event_id} is not in the roster: "
                              "add her with `roster add` or fix the plan")
            options.append(Option(p.id.replace("-", "_"), I18n(p.name, p.name)))
        if not options:
            return failed(f"event {action.event_id} has no presenters for the vote: add presenters: [...] to the plan")
        spec = spec.with_options("presenters", options)
    if action.payload.get("pre_test") and spec.show_answers == "after_submit":
        # a pre-test's key would answer its post-test: never right after she sends it (automation.web.result)
        spec = dataclasses.replace(spec, show_answers="after_deadline")
    deadline = parse_iso(action.payload["deadline"])
    context = _context(ctx, action.event_id)
    created = ctx.backend.forms.create_form(key, spec, deadline, context=context)
    ctx.store.forms.add(FormRecord(
        form_key=key, template_id=spec.id, template_version=spec.version, kind=spec.kind, event_id=action.event_id,
        pre_test=bool(action.payload.get("pre_test")), audience=action.payload.get("audience", "roster"),
        backend=ctx.backend.forms.backend, external_id=created.external_id, url=created.url,
        spec_json=json.dumps(spec.to_json(), ensure_ascii=False), status="open", opens=iso(action.due),
        deadline=iso(deadline), created_at=iso(now), context_json=json.dumps(context, ensure_ascii=False)))
    return done(f"created {spec.id} v{spec.version} ({len(spec.questions)} questions): {created.url}")


def _context(ctx: Context, event_id: str) -> dict[str, Any]:
    """What the form pages say about the form: the event's title and times (UTC ISO), the admin's e-mail."""
    out: dict[str, Any] = {"contact": ctx.plan.club.admin_email}
    event = ctx.plan.event(event_id)
    if event is not None:
        out.update(event={"ky": event.title.ky, "ru": event.title.ru}, start=iso(event.start), end=iso(event.end))
    return out


def close(ctx: Context, action: Action, now: datetime) -> JobResult:
    """Stop accepting responses.  Skipped when the form was never created."""
    key = action.payload["form_key"]
    row = ctx.store.forms.get(key)
    if row is None:
        return skipped("the form was never created")
    if row.status == "closed":
        return done("already closed")
    try:
        ctx.backend.forms.close_form(row.external_id)
    except AutomationError as e:
        return failed(str(e))
    ctx.store.forms.close(key, now)
    return done("closed")
