"""The tick loop: run the plan's actions that are due, once each, and record them in the ledger.

``run_due(ctx, now)`` is one tick: every action whose ``due`` has passed and
that the ledger has not recorded as done or skipped runs now, in due order.
An action found after its ``expires`` moment (the service was down) is
recorded as skipped with the reason instead (DESIGN.md principle 1).  An action
the admin put on hold (``store.console.holds()``, the console's Today page) does
not run until released; a form deadline extended there (``store.console.deadlines()``) wins over the
plan's (:func:`automation.plan.overrides.with_deadlines`).  A job
that fails is recorded as failed and retried at the next tick; the others go on.  The console's "remind now"
mailings are not plan actions: one cut off by a crash is finished by the next ticks of its day
(:mod:`automation.jobs.remind_now`).

The ticks are driven by :mod:`automation.web.runner` (``serve`` and ``run``: a scheduler thread that
stops cleanly on SIGTERM) and by ``run --once``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, TypeVar

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult, alerts, forms, mailings, remind_now, reports, responses, telegram_channel
from automation.model import BISHKEK, Action, parse_iso
from automation.plan.actions import actions as plan_actions
from automation.plan.overrides import with_deadlines

logger = logging.getLogger(__name__)

JOBS: dict[str, Callable[[Context, Action, datetime], JobResult]] = {
    **{kind: telegram_channel.with_telegram(mailings.run) for kind in mailings.COMPOSERS},
    "form.create": forms.create,
    "form.close": forms.close,
    "responses.sync": responses.sync,
    "report.refresh": reports.refresh,
}


@dataclass(frozen=True)
class Ran:
    """An action run (or skipped) at a tick: its ``status`` (done | skipped | failed | deferred) and the
    ``detail`` line recorded in the ledger."""

    action: Action
    status: str
    detail: str


def _local(dt: datetime) -> str:
    """``dt`` as Asia/Bishkek ``YYYY-MM-DD HH:MM`` (the log and the ledger's detail lines)."""
    return dt.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M")


#: Actions that belong to a form's deadline: they wait while the form's stored deadline is later (an edit moved it).
DEADLINE_KINDS = ("form.close", "responses.sync", "report.refresh", "mail.form_closed", "mail.test_result")


def _extended_deadline(ctx: Context, a: Action, now: datetime) -> datetime | None:
    """The form's stored deadline when ``a`` is a deadline action and that deadline is after ``now``; else None."""
    if a.kind not in DEADLINE_KINDS or "form_key" not in a.payload:
        return None
    form = ctx.store.forms.get(a.payload["form_key"])
    if form is None:
        return None
    dl = parse_iso(form.deadline)
    return dl if dl > now else None


_R = TypeVar("_R", bound="JobResult | None")


def _run(job: Callable[[Context, Action, datetime], _R], ctx: Context, a: Action, now: datetime) -> _R | JobResult:
    """``job(ctx, a, now)``; an error is its ``failed`` result (a bug must not stop the other actions)."""
    try:
        return job(ctx, a, now)
    except AutomationError as e:
        return JobResult("failed", str(e))
    except Exception as e:  # a bug must not stop the other actions; it is recorded and retried
        logger.exception("action %s crashed", a.key)
        return JobResult("failed", f"unexpected error ({type(e).__name__}: {e}); please report it")


def run_due(ctx: Context, now: datetime, actions: list[Action] | None = None,
            should_stop: Callable[[], bool] | None = None) -> list[Ran]:
    """One tick at ``now`` (UTC).  Returns what ran or was skipped at this tick.

    ``should_stop`` is asked before each action: when it says True (the service is shutting down) the
    tick ends there, after the action that was running was recorded; the rest run at the next tick.

    After the plan's actions (``actions``, by default all of the plan), the console's "remind now" mailings
    that did not finish (cut off by a crash or refused part-way) are finished, or skipped once too late
    (:mod:`automation.jobs.remind_now`: the day of the click, before the form's deadline, not while the form's
    reminder is held).

    An action that failed or was skipped is a problem the admin is mailed about once, at the end of the
    tick (:mod:`automation.jobs.alerts`).
    """
    telegram_channel.tick(ctx, now)  # the Telegram channel: /start and /stop, moved events, pending posts
    ledger = ctx.store.ledger.all()
    held = ctx.store.console.holds()
    out: list[Ran] = []

    def record(a: Action, res: JobResult) -> None:
        ctx.store.ledger.record(a.key, a.kind, a.event_id, a.due, res.status, res.detail, now)
        alerts.note_result(ctx, a, res, now)
        ctx.log(f"{_local(now)}  {res.status:8} {a.key}: {res.detail}")
        out.append(Ran(a, res.status, res.detail))

    for a in actions if actions is not None else plan_actions(with_deadlines(ctx.plan, ctx.store.console.deadlines())):
        if a.due > now or a.key in held:
            continue
        if should_stop is not None and should_stop():
            break
        row = ledger.get(a.key)
        if row is not None and row.status in ("done", "skipped"):
            continue
        later = _extended_deadline(ctx, a, now)
        if later is not None:  # the admin moved the form's deadline (forms edit): wait for it
            res = JobResult("deferred", f"the form's deadline was extended to {_local(later)}")
        elif a.expires is not None and now > a.expires:
            why = (f"missed: due {_local(a.due)}, no longer useful after {_local(a.expires)}"
                   if row is None else f"gave up at {_local(a.expires)} after: {row.detail}")
            res = JobResult("skipped", why)
        else:
            res = _run(JOBS[a.kind], ctx, a, now)
        record(a, res)
    for a in remind_now.unfinished(ctx, held):  # "remind now" cut off by a crash: the rest of it, or why not
        if should_stop is not None and should_stop():
            break
        maybe = _run(remind_now.resume, ctx, a, now)
        if maybe is not None:  # None: the console is sending it right now, or it finished meanwhile
            record(a, maybe)
    alerts.send_alerts(ctx, now)
    return out


def run_action(ctx: Context, action: Action, now: datetime) -> JobResult:
    """Run one action now, by hand (``python main.py mail send``), and record its outcome in the ledger.

    Unlike :func:`run_due` it runs whatever the ledger says and does not look at ``expires``; the job
    itself does nothing twice (a mailing sends nothing already sent).  An :class:`AutomationError` from
    the job propagates and nothing is recorded; so does one for an action on hold (release it first).
    """
    hold = ctx.store.console.holds().get(action.key)
    if hold is not None:
        raise AutomationError(f"{action.key} is on hold (by {hold.held_by}): release it first; nothing was sent")
    if action.kind in mailings.COMPOSERS:  # no tick ran before it: its personal mails need the bot's username
        telegram_channel.learn_username(ctx, now)
    res = JOBS[action.kind](ctx, action, now)
    ctx.store.ledger.record(action.key, action.kind, action.event_id, action.due, res.status, res.detail, now)
    return res
