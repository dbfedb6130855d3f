"""Exactly-once delivery of the club's mail, the admin's alert on unknown outcomes, and ``mail resend``.

Every message gets a deterministic ``Message-ID`` made from the action key and
the recipient, and a row in ``deliveries`` *before* it is handed to the mail
backend (status ``queued``); the outcome is recorded after (``sent`` with the
provider's id, or ``failed`` with the reason).  A ``queued`` row found on a
later run means the process stopped mid-send: the message is looked up in the
sent mail (the Maildir, the Sent folder over IMAP, Gmail's ``rfc822msgid:``
search) and resent only if the lookup says it is not there; where no lookup is
possible it becomes ``unknown`` and is not resent (DESIGN.md principle 7):
the admin gets an alert mail at once (:mod:`automation.jobs.alerts`) naming each such
message (recipient, subject, action) and the one command that sends it again,
``python main.py mail resend MESSAGE-ID`` (:func:`resend`).

A daily cap on recipients (Gmail's per-account sending limit) stops a mailing
part-way; the action is ``deferred`` and the rest goes out at the next tick on
a later day.  One failed recipient does not block the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from automation.context import Context
from automation.jobs.message import finish_message as finish_message, message_id as message_id
from automation.jobs.message import new_message as new_message
from automation.errors import AutomationError, BackendError, DeliveryError, PartialDelivery
from automation.jobs import JobResult, deferred, done, failed
from automation.jobs.alerts import ALERT_KEY, note_unknown, send_alerts
from automation.model import BISHKEK, Action
from automation.store.alerts import problem_key
from automation.workspace.ports import LookupUnavailable


@dataclass
class Outgoing:
    """One message to deliver: ``recipient`` names it in the ledger (an e-mail, or ``group:<address>``)."""

    recipient: str
    language: str
    msg: EmailMessage
    envelope_to: list[str]


def deliver(ctx: Context, action_key: str, outgoing: list[Outgoing], now: datetime) -> JobResult:
    """Deliver each message exactly once (see the module docstring).  Returns the action's result.

    Messages whose outcome is ``unknown`` are put before the admin at once (:func:`alert_unknown`; a rerun
    sends that alert again only if the set of such messages changed, or if a crash kept it from going out).
    """
    deliveries = ctx.store.deliveries
    mail = ctx.backend.mail
    day = now.astimezone(BISHKEK).date().isoformat()
    counts = {"sent": 0, "already": 0, "failed": 0, "unknown": 0}
    left = 0
    unknown: list[Outgoing] = []  # found unknown now or earlier: the alert names them all
    why: list[str] = []
    for o in outgoing:
        mid = str(o.msg["Message-ID"])
        status = deliveries.status(mid)
        if status in ("sent", "failed", "unknown"):
            counts["already" if status == "sent" else status] += 1
            if status == "unknown":
                unknown.append(o)
            continue
        if status is not None:  # queued: the outcome of an earlier attempt is not known
            try:
                provider_id = mail.find_sent(mid)
            except LookupUnavailable as e:
                deliveries.mark_unknown(mid, f"not resent: could not check whether it went out ({e}); "
                                             f"to send it again: {RESEND} '{_bare(mid)}'")
                counts["unknown"] += 1
                unknown.append(o)
                why.append(str(e))
                continue
            if provider_id:
                deliveries.mark_sent(mid, provider_id, now)
                counts["already"] += 1
                continue
        else:
            if len(o.envelope_to) > ctx.daily_cap:
                deliveries.add(mid, action_key, o.recipient, o.language, str(o.msg["Subject"]), "failed", now, day,
                               len(o.envelope_to), error=(
                                   f"one message to {len(o.envelope_to)} recipients can never fit the daily sending "
                                   f"limit of {ctx.daily_cap}: raise daily_cap in club.yaml (Gmail allows 500 a day "
                                   "for a gmail.com account, 2,000 for Workspace)"))
                counts["failed"] += 1
                continue
            # the admin's alerts (one mail a problem) never take a participant's place
            if deliveries.recipients_on(day, exclude_action=ALERT_KEY) + len(o.envelope_to) > ctx.daily_cap:
                left += 1
                continue
            deliveries.add(mid, action_key, o.recipient, o.language, str(o.msg["Subject"]), "queued", now, day,
                           len(o.envelope_to))
        try:
            provider_id = mail.send(o.msg, o.envelope_to)
        except PartialDelivery as e:  # sent, but some addresses were refused: the admin's summary names them
            deliveries.mark_sent(mid, e.provider_id, now, error=str(e))
            counts["sent"] += 1
            continue
        except DeliveryError as e:
            deliveries.mark_failed(mid, str(e))
            counts["failed"] += 1
            continue
        except BackendError as e:
            if e.refused_before_processing:  # certainly not sent (e.g. the sign-in was refused): not 'unknown'
                deliveries.forget_queued(mid)
            raise
        deliveries.mark_sent(mid, provider_id, now)
        counts["sent"] += 1
    alert_unknown(ctx, action_key, unknown, now, "; ".join(sorted(set(why))))
    detail = (f"{counts['sent']} sent, {counts['already']} already sent, {counts['failed']} failed, "
              f"{counts['unknown']} unknown")
    if left:
        return deferred(f"{detail}; daily sending limit ({ctx.daily_cap} recipients) reached: "
                        f"{left} message(s) left for the next day")
    if counts["failed"] and not (counts["sent"] or counts["already"]):
        return failed(detail)
    return done(detail)




RESEND = "python main.py mail resend"


def _bare(mid: str) -> str:
    return mid.strip().strip("<>")


def alert_unknown(ctx: Context, action_key: str, unknown: list[Outgoing], now: datetime, reason: str = "") -> None:
    """Tell the club's admin at once about messages whose outcome could not be told (:mod:`automation.jobs.alerts`):
    each message is a problem raised once (recipient, subject, ``reason`` why no lookup was possible), and the
    alert mail names the command that sends it again.  A message already alerted about is not named again.
    """
    for o in sorted(unknown, key=lambda o: str(o.msg["Message-ID"])):
        detail = (f"{o.recipient} ({len(o.envelope_to)} адрес.), «{o.msg['Subject']}»: не отправлено повторно / "
                  "not resent" + (f" — {reason}" if reason else ""))
        note_unknown(ctx, action_key, str(o.msg["Message-ID"]), detail, now)
    mine = {problem_key("unknown", str(o.msg["Message-ID"])) for o in unknown}
    if any(a.problem in mine for a in ctx.store.alerts.pending()):  # new, or cut off by a crash before
        send_alerts(ctx, now)


@dataclass(frozen=True)
class Resent:
    """What ``mail resend`` did with one message: ``status`` sent | already | failed | refused, and why."""

    message_id: str
    status: str
    detail: str


Composer = Callable[[Context, Action, datetime], Any]


def resend(ctx: Context, message_ids: list[str], now: datetime, composers: Mapping[str, Composer],
           find_action: Callable[[str], Action]) -> list[Resent]:
    """Send again each message whose outcome is ``unknown`` (``python main.py mail resend``), exactly once more.

    The message is composed again by its action's composer (same Message-ID; the Date is ``now``).  When
    the backend can look sent mail up, a message found there is recorded ``sent`` and not resent.  The
    intent is written on its row (still ``unknown``: a crash while sending leaves it listed for resending)
    before it is handed over, and the outcome after, as in :func:`deliver`.
    ``find_action`` maps an action key to the plan's action (raises :class:`AutomationError` if none).
    """
    deliveries, mail = ctx.store.deliveries, ctx.backend.mail
    out = []
    for raw in message_ids:
        mid = f"<{_bare(raw)}>"
        d = deliveries.get(mid)
        if d is None:
            out.append(Resent(mid, "refused", "no message with this Message-ID in the delivery ledger (the alert "
                              "mail and the weekly summary name them; `mail resend --all-unknown` takes them all)"))
            continue
        if d.status != "unknown":
            out.append(Resent(mid, "refused", f"its status is {d.status!r}, not 'unknown': only a message whose "
                              "outcome is unknown is sent again (a sent one never is)"))
            continue
        try:
            action = find_action(d.action_key)
            composer = composers[action.kind]
        except (AutomationError, KeyError):
            out.append(Resent(mid, "refused", f"its action {d.action_key} is not a mailing of the plan, so it cannot "
                              "be composed again here (School results: `school notify`)"))
            continue
        composed = composer(ctx, action, now)
        match = [o for o in composed if str(o.msg["Message-ID"]) == mid] if isinstance(composed, list) else []
        if not match:
            why = composed.detail if isinstance(composed, JobResult) else f"{d.recipient} is no longer among its recipients"
            out.append(Resent(mid, "refused", f"the action would not send it any more ({why}); nothing sent"))
            continue
        if mail.can_find_sent:
            try:
                found = mail.find_sent(mid)
            except LookupUnavailable:
                found = None
            if found:
                deliveries.mark_sent(mid, found, now)
                out.append(Resent(mid, "already", "found in the sent mail: recorded as sent, not sent again"))
                continue
        o = match[0]
        # the intent: stays 'unknown' if this process dies while sending, so it is listed for resending again
        deliveries.mark_unknown(mid, "; ".join(filter(None, [d.error, f"sent again by `mail resend` at "
                                                             f"{now.isoformat()}: unknown outcome if this stays"])))
        try:
            provider_id = mail.send(o.msg, o.envelope_to)
        except PartialDelivery as e:
            deliveries.mark_sent(mid, e.provider_id, now, error=str(e))
            out.append(Resent(mid, "sent", f"sent to {d.recipient}, but {e}"))
            continue
        except DeliveryError as e:
            deliveries.mark_failed(mid, str(e))
            out.append(Resent(mid, "failed", str(e)))
            continue
        except BackendError as e:
            deliveries.mark_unknown(mid, f"resend: {e}")
            out.append(Resent(mid, "failed", f"{e} (still 'unknown'; try again later)"))
            continue
        deliveries.mark_sent(mid, provider_id, now)
        out.append(Resent(mid, "sent", f"sent again to {d.recipient}: {o.msg['Subject']}"))
    return out
