"""The console's "remind now" mailing (:func:`automation.manual.remind_now`) and its recovery after a crash.

"Remind now" sends the plan's ``<form>.reminder`` again under the key ``<form>.reminder.<YYYY-MM-DD>``
(:data:`automation.plan.actions.REMIND_NOW_KEY`, the Asia/Bishkek day of the click), so at most one extra
reminder a day reaches each participant whatever the number of clicks.  The ledger records that key *before*
the mailing runs (``failed``, "started … not finished": :func:`started`) and its outcome after.  When the
process dies mid-send, the messages handed over are ``sent`` in the delivery ledger, the one being handed over
``queued`` and the rest not recorded, and the ledger entry stays ``failed``; each scheduler tick
(:func:`automation.scheduler.run_due`) then finishes such a mailing (:func:`unfinished`, :func:`resume`): it
runs again under the same key, same Message-IDs, so delivery (:mod:`automation.jobs.delivery`) sends nothing
already sent, looks the ``queued`` one up in the sent mail before sending it (``unknown`` and the admin alerted
where no lookup is possible), and sends the rest; whoever answered meanwhile is not reminded.  A click that
failed (the backend refused part-way) is retried the same way.

Rules of the recovery:

- only on the day of the click (Asia/Bishkek: the key's day, so that a later click or the plan's reminder never
  adds a second reminder that day) and before the form's deadline (the stored one, an extension in the console
  included: a reminder after it is useless).  Past either it is recorded ``skipped`` with the reason, which
  raises the admin's alert (:func:`automation.jobs.alerts.note_result`);
- not while the plan's ``<form>.reminder`` is on hold (``store.console.holds()``): the release lets the next
  tick finish it, within the same limits;
- a form closed meanwhile: ``skipped`` by the reminder itself (:func:`automation.jobs.form_mails.reminders`);
- never beside the click itself: ``serve`` runs the console's requests and the scheduler in one process, and two
  runs of one mailing at once would each hand over the other's messages; a mailing is claimed for the process
  while it runs (:func:`sending`), and the tick leaves a claimed one alone.  Other processes cannot run one:
  ``serve``, ``run`` and ``run --once`` hold the state file's lock (:mod:`automation.store.lock`), and the
  console is served by ``serve`` alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult, mailings, skipped
from automation.model import BISHKEK, Action, parse_iso
from automation.plan.actions import REMIND_NOW_KEY, actions, remind_now_key
from automation.plan.overrides import with_deadlines
from automation.store import Hold, LedgerEntry

#: The ledger detail of a "remind now" that started and has not finished (yet, or ever: a crash).
STARTED = "started by remind now ({by}) at {at} and not finished: if this stays, the service stopped while sending"
_STARTED_PREFIX = STARTED.split(" (", 1)[0]

_claims_lock = threading.Lock()
#: The keys whose mailing this process is running now (see :func:`sending`).
_claimed: set[str] = set()


def _local(dt: datetime) -> str:
    return dt.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M")


def _base(ctx: Context, base_key: str) -> Action:
    """The plan's form reminder ``base_key`` (deadlines extended in the console applied).  Raises
    :class:`AutomationError` when the plan has no such reminder."""
    plan = with_deadlines(ctx.plan, ctx.store.console.deadlines())
    base = next((a for a in actions(plan) if a.key == base_key), None)
    if base is None or base.kind != "mail.form_reminder":
        raise AutomationError(f"the plan has no form reminder {base_key[:120]!r} (see `plan show`); nothing was sent")
    return base


def action_for(ctx: Context, form_key: str, now: datetime) -> Action:
    """The "remind now" mailing of ``form_key`` clicked at ``now`` (UTC): the plan's ``<form>.reminder`` under
    :func:`automation.plan.actions.remind_now_key`, due ``now``.  Raises :class:`AutomationError` for a form the
    plan has no reminder for."""
    return replace(_base(ctx, f"{form_key}.reminder"), key=remind_now_key(form_key, now), due=now)


def action_of(ctx: Context, key: str) -> Action:
    """The "remind now" mailing recorded under ``key`` (``<form>.reminder.<YYYY-MM-DD>``): the form's reminder
    under that key, due when the ledger says it was clicked (else the plan's time: composing a reminder does not
    depend on it).  Raises :class:`AutomationError` when ``key`` is not such a key or the plan has no such reminder."""
    m = REMIND_NOW_KEY.fullmatch(key)
    if m is None:
        raise AutomationError(f"{key[:120]!r} is not a key of remind now (<form>.reminder.<YYYY-MM-DD>)")
    base = _base(ctx, m["base"])
    entry = ctx.store.ledger.get(key)
    return replace(base, key=key, due=parse_iso(entry.due) if entry is not None else base.due)


def started(by: str, now: datetime) -> str:
    """The ledger detail written before a "remind now" runs (:data:`STARTED`)."""
    return STARTED.format(by=by, at=_local(now))


@contextmanager
def sending(key: str) -> Iterator[bool]:
    """Claim ``key``'s mailing for this process while the block runs: yields True, or False (nothing claimed)
    when another thread of this process is running it now.  Released however the block ends."""
    with _claims_lock:
        mine = key not in _claimed
        _claimed.add(key)
    try:
        yield mine
    finally:
        if mine:
            with _claims_lock:
                _claimed.discard(key)


def unfinished(ctx: Context, held: Mapping[str, Hold]) -> list[Action]:
    """The "remind now" mailings to finish at this tick: those whose ledger entry is ``failed`` or ``deferred``
    (cut off by a crash, refused part-way, or stopped by the daily sending limit), leaving out those whose plan
    reminder is in ``held``; oldest first.  One whose reminder the plan no longer has comes as an action with an
    empty payload (:func:`resume` skips it)."""
    out = []
    for e in ctx.store.ledger.unresolved():
        m = REMIND_NOW_KEY.fullmatch(e.key)
        if m is None or e.kind != "mail.form_reminder" or m["base"] in held:
            continue
        try:
            out.append(action_of(ctx, e.key))
        except AutomationError:
            out.append(Action(e.key, e.kind, parse_iso(e.due), e.event_id))
    return out


def _cut_off(ctx: Context, action: Action, entry: LedgerEntry, now: datetime) -> JobResult | None:
    """``skipped`` with the reason when it is too late to finish ``action`` (see the module docstring); else None."""
    m = REMIND_NOW_KEY.fullmatch(action.key)
    form_key = action.payload.get("form_key")
    if m is None or form_key is None:
        return skipped(f"the plan has no form reminder {m['base'] if m else action.key} any more; the rest of remind "
                       "now was not sent")
    day_end = datetime.combine(date.fromisoformat(m["day"]) + timedelta(days=1), time(0), BISHKEK)
    form = ctx.store.forms.get(str(form_key))
    deadline = parse_iso(form.deadline) if form is not None else None
    if deadline is not None and now >= deadline and deadline <= day_end:
        limit, why = deadline, "the form's deadline: a reminder after it is useless"
    elif now >= day_end:
        limit, why = day_end, "the end of its day: click remind now again if they should still be reminded"
    else:
        return None
    last = "" if entry.detail.startswith(_STARTED_PREFIX) else f" (last attempt: {entry.detail})"
    return skipped(f"remind now of {_local(action.due)} not finished by {_local(limit)}, {why}; the rest were not "
                   f"reminded{last}")


def resume(ctx: Context, action: Action, now: datetime) -> JobResult | None:
    """Finish the "remind now" mailing ``action`` (one of :func:`unfinished`) at ``now`` (UTC): its result;
    ``skipped`` with the reason when too late (see the module docstring); None, with nothing done, while this
    process runs it already (the click is still sending) or when it finished meanwhile.  Raises what the
    mailing job raises (:class:`AutomationError`: the backend refused)."""
    with sending(action.key) as mine:
        entry = ctx.store.ledger.get(action.key)
        if not mine or entry is None or entry.status not in ("failed", "deferred"):
            return None
        late = _cut_off(ctx, action, entry, now)
        if late is not None:
            return late
        return mailings.run(ctx, action, now)
