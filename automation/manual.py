"""What the admin does by hand to the plan's actions (the console's Today page; the CLI has the same verbs).

- :func:`today` — the next days' actions, those that need her (failed, skipped, deferred, held, and mails whose
  outcome is unknown) and the plan's problems found ahead;
- :func:`run_now` — run an action now (send now / retry), recorded in the ledger like ``mail send``;
- :func:`hold` / :func:`release` — the scheduler does not run a held action;
- :func:`mark_done` — she did it another way: recorded ``done`` with who and why, never run again;
- :func:`resend_unknown` — send again a message whose outcome is unknown (``mail resend``);
- :func:`repost_telegram` — post again a Telegram post whose fate is unknown (``telegram repost``);
- the alerts' "handled" button is :func:`automation.jobs.alerts.handle`;
- :func:`remind_now`, :func:`close_now`, :func:`sync_now`, :func:`extend_deadline` — a form's buttons.

Every change is written to the audit log (``store.console.audit``) with who made it.  No rule lives in
the web views: they call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult
from automation.jobs.alerts import TELEGRAM, Explained, open_alerts
from automation.jobs.telegram_channel import ChannelState, status as telegram_status
from automation.model import Action
from automation.plan.actions import REMIND_NOW_KEY as _REMIND_NOW_KEY, actions
from automation.plan.ahead import PlanProblem, problems_ahead
from automation.plan.model import Plan
from automation.plan.overrides import with_deadlines
from automation.plan.status import ActionStatus, plan_status
from automation.store import Delivery, Hold

#: Days ahead the Today page lists.
DAYS_AHEAD = 14
#: Minutes after its due time an action the ledger has not recorded counts as overdue (the scheduler checks
#: every minute, so a running scheduler leaves none).
OVERDUE_MINUTES = 15
#: Ledger statuses that need the admin until handled.
NEEDS_HER = ("failed", "skipped", "deferred")


@dataclass(frozen=True)
class Today:
    """What the Today page shows: ``upcoming`` (actions due in the next :data:`DAYS_AHEAD` days not yet done),
    ``attention`` (actions whose last outcome is failed, skipped or deferred, or that are held), ``held``
    (by action key), ``unknown`` (messages whose outcome is unknown), ``problems`` found ahead, and
    ``overdue``: the actions due more than :data:`OVERDUE_MINUTES` ago that the ledger has not recorded and that
    are not held (the scheduler does not seem to be running), oldest first; ``alerts``: the problems the admin
    was alerted about and has not handled (:func:`automation.jobs.alerts.open_alerts`); ``telegram``: the
    Telegram channel's state; ``anchors``: the page's row ids, so that an alert's link
    (``today#<action key>``) lands on a row of that action: a row of ``unknown`` (by Message-ID) or of
    ``alerts`` (by problem key) carries the action key as its id when no earlier row of that action has it
    (the rows of ``attention`` always do; Telegram's problems land on the Telegram card, ``#telegram``)."""

    upcoming: list[ActionStatus]
    attention: list[ActionStatus]
    held: dict[str, Hold]
    unknown: list[Delivery]
    problems: list[PlanProblem]
    overdue: list[ActionStatus]
    alerts: list[Explained]
    telegram: ChannelState
    anchors: dict[str, str]


def today(ctx: Context, now: datetime, days: int = DAYS_AHEAD) -> Today:
    """The Today page's content at ``now`` (UTC); reads only."""
    ledger = ctx.store.ledger.all()
    held = ctx.store.console.holds()
    plan = _plan(ctx)
    every = plan_status(plan, ledger, now)
    horizon = now + timedelta(days=days)
    upcoming = [s for s in every if s.status in ("planned", "due") and s.action.due <= horizon]
    attention = [s for s in every if s.status in NEEDS_HER or s.action.key in held]
    problems = problems_ahead(plan, ctx.store.roster.get, now, ctx.templates_dir,
                              done=lambda k: k in ledger and ledger[k].status in ("done", "skipped"))
    late = now - timedelta(minutes=OVERDUE_MINUTES)
    overdue = [s for s in every if s.status == "due" and s.action.due < late and s.action.key not in held]
    unknown = ctx.store.deliveries.unknown()
    alerts = open_alerts(ctx)
    taken = {s.action.key for s in attention} | {TELEGRAM}
    anchors: dict[str, str] = {}
    for row, key in [(d.message_id, d.action_key) for d in unknown] + [(a.alert.problem, a.alert.action_key)
                                                                         for a in alerts]:
        if key not in taken:
            taken.add(key)
            anchors[row] = key
    return Today(upcoming, attention, held, unknown, problems, overdue, alerts, telegram_status(ctx), anchors)


def _plan(ctx: Context) -> Plan:
    """The context's plan with the deadlines extended in the console."""
    return with_deadlines(ctx.plan, ctx.store.console.deadlines())


def find_action(ctx: Context, key: str) -> Action:
    """The plan's action with this key.  Raises :class:`AutomationError` when the plan has none."""
    for a in actions(_plan(ctx)):
        if a.key == key:
            return a
    raise AutomationError(f"no action {key[:120]!r} in the plan (see `plan show`); nothing was changed")


def run_now(ctx: Context, key: str, by: str, now: datetime) -> JobResult:
    """Run the action now, whatever its due time (send now, retry), and record it (:func:`automation.scheduler.run_action`;
    a mailing sends nothing already sent).  Raises :class:`AutomationError` for an unknown or held action, or
    one the job refuses; nothing is recorded then."""
    from automation.scheduler import run_action

    action = find_action(ctx, key)
    res = run_action(ctx, action, now)
    ctx.store.console.audit(by, "action.run", key, f"{res.status}: {res.detail}", now)
    return res


def hold(ctx: Context, key: str, by: str, now: datetime, reason: str = "") -> None:
    """Put an action on hold: the scheduler and ``run_now`` leave it until :func:`release`.  Raises
    :class:`AutomationError` for an unknown action, one already finished, or one already held."""
    action = find_action(ctx, key)
    entry = ctx.store.ledger.get(key)
    if entry is not None and entry.status == "done":
        raise AutomationError(f"{key} is already done; there is nothing to hold")
    with ctx.store.transaction():
        if not ctx.store.console.hold(action.key, by, reason.strip()[:500], now):
            raise AutomationError(f"{key} is already on hold")
        ctx.store.console.audit(by, "action.hold", key, reason.strip()[:500], now)


def release(ctx: Context, key: str, by: str, now: datetime) -> None:
    """Release a held action (the next tick runs it if it is due and still useful).  Raises
    :class:`AutomationError` when it is not held."""
    with ctx.store.transaction():
        if not ctx.store.console.release(key):
            raise AutomationError(f"{key[:120]} is not on hold; nothing was changed")
        ctx.store.console.audit(by, "action.release", key, "", now)


def mark_done(ctx: Context, key: str, by: str, now: datetime, note: str = "") -> None:
    """Record the action as done by hand (she sent the programme herself, say): the scheduler never runs it
    again.  ``note`` (required) says what was done.  Raises :class:`AutomationError` for an unknown action,
    an empty note, or one already done."""
    action = find_action(ctx, key)
    note = " ".join(note.split())[:500]
    if not note:
        raise AutomationError("say in a few words what was done instead (the note is kept in the ledger); "
                              "nothing was changed")
    entry = ctx.store.ledger.get(key)
    if entry is not None and entry.status == "done":
        raise AutomationError(f"{key} is already done; nothing was changed")
    with ctx.store.transaction():
        ctx.store.ledger.record(action.key, action.kind, action.event_id, action.due, "done",
                                f"done by hand ({by}): {note}", now)
        ctx.store.console.release(action.key)
        ctx.store.alerts.handle_action(action.key, now)
        ctx.store.console.audit(by, "action.mark_done", key, note, now)


def resend_unknown(ctx: Context, message_id: str, by: str, now: datetime) -> str:
    """Send again one message whose outcome is unknown, after the admin checked it did not arrive
    (:func:`automation.jobs.delivery.resend`; one found in the Sent folder is recorded as sent instead).
    Returns the outcome line.  Raises :class:`AutomationError` when the message is refused."""
    from automation.jobs.delivery import resend
    from automation.jobs.mailings import COMPOSERS

    results = resend(ctx, [message_id], now, COMPOSERS, lambda k: mailing_of(ctx, k))
    r = results[0]
    ctx.store.console.audit(by, "mail.resend", r.message_id, f"{r.status}: {r.detail}", now)
    if r.status == "refused":
        raise AutomationError(r.detail)
    return f"{r.status}: {r.detail}"


#: The key :func:`remind_now` sends under: the plan's ``<form>.reminder`` and the day (Asia/Bishkek).
REMIND_NOW_KEY = _REMIND_NOW_KEY


def mailing_of(ctx: Context, key: str) -> Action:
    """The mailing whose messages the delivery ledger records under the action key ``key`` (``mail resend``
    composes a message again with it, same Message-ID): the plan's mail action
    (:func:`automation.plan.actions.mail_action`), or for a key of :func:`remind_now`
    (``<form>.reminder.<YYYY-MM-DD>``) the form's reminder under that key, as the button sent it
    (:func:`automation.jobs.remind_now.action_of`; the scheduler finishes one cut off by a crash with it too).
    Raises :class:`AutomationError` when it is neither."""
    from automation.jobs.remind_now import action_of
    from automation.plan.actions import mail_action

    try:
        return mail_action(ctx.plan, key)
    except AutomationError:
        if REMIND_NOW_KEY.fullmatch(key) is None:
            raise
        return action_of(ctx, key)


def repost_telegram(ctx: Context, post_key: str, by: str, now: datetime) -> str:
    """Post again one Telegram post whose fate is unknown, after the admin checked the chat
    (:func:`automation.jobs.announcements.repost`, as ``telegram repost KEY``).  Returns the outcome line.
    Raises :class:`AutomationError` when it is refused (no such post, not of unknown fate) or not posted."""
    from automation.jobs.announcements import repost

    [(key, what)] = repost(ctx, [post_key], now)
    ctx.store.console.audit(by, "telegram.repost", key, what, now)
    if not what.startswith("posted"):
        raise AutomationError(f"{key[:120]}: {what}")
    return what


def remind_now(ctx: Context, form_key: str, by: str, now: datetime) -> JobResult:
    """Send the form's reminder now to the invited participants who have not answered (the plan's
    ``<form>.reminder`` composed again under the key ``<form>.reminder.<YYYY-MM-DD>``, Asia/Bishkek: at most one
    extra reminder a day reaches each of them, whatever the number of clicks).  Recorded in the ledger before it
    runs (as not finished) and after (its outcome), and in the audit log.  One cut off by a crash, or refused
    part-way by the backend, is finished by the scheduler's next ticks that day, before the form's deadline
    (:mod:`automation.jobs.remind_now`); a message of it whose outcome is unknown is sent again by ``mail resend``
    (:func:`mailing_of`).

    Raises :class:`AutomationError` for a form the plan has no reminder for (nothing recorded), while the same
    reminder is being sent in this process (a second click during the first, or the scheduler finishing it), and
    when the backend refuses (recorded ``failed``: the scheduler tries again).
    """
    from automation.jobs import remind_now as rn
    from automation.jobs.mailings import run

    action = rn.action_for(ctx, form_key, now)
    with rn.sending(action.key) as mine:
        if not mine:
            raise AutomationError(f"the reminder of {form_key} is being sent right now; reload the page in a minute "
                                  "to see how it went (nobody gets it twice)")
        ctx.store.ledger.record_started(action.key, action.kind, action.event_id, action.due, rn.started(by, now),
                                        now)
        try:
            res = run(ctx, action, now)
        except AutomationError as e:
            ctx.store.ledger.record(action.key, action.kind, action.event_id, action.due, "failed", str(e), now)
            ctx.store.console.audit(by, "form.remind", form_key, f"failed: {e}", now)
            raise
        ctx.store.ledger.record(action.key, action.kind, action.event_id, action.due, res.status, res.detail, now)
    ctx.store.console.audit(by, "form.remind", form_key, f"{res.status}: {res.detail}", now)
    return res


def close_now(ctx: Context, form_key: str, by: str, now: datetime) -> JobResult:
    """Close the form now (the plan's ``<form>.close`` action run before its time: :func:`run_now`)."""
    return run_now(ctx, f"{form_key}.close", by, now)


def sync_now(ctx: Context, form_key: str, by: str, now: datetime) -> JobResult:
    """Pull the form's new responses now and rewrite its workbook (``responses sync FORM``).  Raises
    :class:`AutomationError` for an unknown form and the backend's errors."""
    from automation.jobs.responses import sync_form

    res = sync_form(ctx, form_key, now)
    ctx.store.console.audit(by, "form.sync", form_key, res.detail, now)
    return res


#: The furthest a deadline may be moved in one go (days after the current one): a later date is a typo.
MAX_EXTENSION_DAYS = 60


def extend_deadline(ctx: Context, form_key: str, deadline: datetime, by: str, now: datetime) -> None:
    """Move an open form's deadline later: the form takes answers until then, and its reminder, closing, sync,
    report and results mail follow (:func:`automation.plan.overrides.with_deadlines`).  The backend shows the new
    date first, through the same port call as ``forms edit --deadline``
    (:meth:`automation.workspace.ports.FormsPort.update_form` with the form's spec unchanged: on Google one
    ``forms.batchUpdate`` rewriting the description's deadline line; the local pages read the stored deadline),
    then the store records it, so a refused backend call changes nothing.

    Raises :class:`AutomationError` (nothing changed) for a form not made yet or closed, a new deadline that is
    not later than the current one or than ``now``, or more than :data:`MAX_EXTENSION_DAYS` days later;
    :class:`automation.errors.BackendError` when the backend refuses (nothing stored).
    """
    from automation.model import BISHKEK, parse_iso

    form = ctx.store.forms.get(form_key)
    if form is None:
        raise AutomationError(f"no form {form_key[:80]!r} has been made yet; nothing was changed")
    if form.status != "open":
        raise AutomationError(f"{form_key} is closed; a closed form cannot be extended. Nothing was changed")
    if not any(f.key == form_key for f in ctx.plan.forms):
        raise AutomationError(f"{form_key} is not a form of the plan; nothing was changed")
    current = parse_iso(form.deadline)
    when = deadline.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M")
    if deadline <= current or deadline <= now:
        raise AutomationError(f"the new deadline {when} (Asia/Bishkek) must be later than the current one "
                              f"({current.astimezone(BISHKEK):%Y-%m-%d %H:%M}) and than now; nothing was changed")
    if deadline > current + timedelta(days=MAX_EXTENSION_DAYS):
        raise AutomationError(f"the new deadline {when} is more than {MAX_EXTENSION_DAYS} days after the current "
                              "one: is the year right? Nothing was changed")
    spec = form.spec()
    ctx.backend.forms.update_form(form.external_id, spec, spec, deadline, context=form.context())
    with ctx.store.transaction():
        ctx.store.forms.set_deadline(form_key, deadline)
        ctx.store.console.set_deadline(form_key, deadline, by, now)
        ctx.store.console.audit(by, "form.extend", form_key, f"{form.deadline} -> {deadline.isoformat()}", now)
