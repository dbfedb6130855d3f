"""Mailing jobs and exactly-once delivery.

Every message gets a deterministic ``Message-ID`` made from the action key and
the recipient, and a row in ``deliveries`` *before* it is handed to the mail
backend (status ``queued``); the outcome is recorded after (``sent`` with the
provider's id, or ``failed`` with the reason).  A ``queued`` row found on a
later run means the process stopped mid-send: the message is looked up in the
sent mail (the Maildir, Gmail's ``rfc822msgid:`` search) and resent only if the
lookup says it is not there; where no lookup is possible it becomes
``unknown`` and is reported to the admin instead of being resent
(DESIGN.md principle 7).

A daily cap on recipients (Gmail's per-account sending limit) stops a mailing
part-way; the action is ``deferred`` and the rest goes out at the next tick on
a later day.  One failed recipient does not block the others.

Mail to the whole group carries both languages, Kyrgyz first; personal mail
(invitations and reminders with personal links) is in the participant's
language (DOMAIN.md "Conventions").
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ..context import Context
from ..errors import DeliveryError
from ..mailtext import render_mail
from ..model import BISHKEK, Action, Participant, iso, parse_iso
from ..workspace.ports import LookupUnavailable
from . import JobResult, deferred, done, failed, skipped


@dataclass
class Outgoing:
    """One message to deliver: ``recipient`` names it in the ledger (an e-mail, or ``group:<address>``)."""

    recipient: str
    language: str
    msg: EmailMessage
    envelope_to: list[str]


def message_id(action_key: str, recipient: str, domain: str) -> str:
    """Deterministic Message-ID: the same action and recipient always give the same id."""
    h = hashlib.sha256(f"{action_key}|{recipient}".encode()).hexdigest()[:24]
    return f"<{h}@{domain}>"


def build_message(ctx: Context, action_key: str, recipient: str, kind: str, langs: tuple[str, ...],
                  values: dict[str, Any], to: list[str], now: datetime,
                  attachments: list[Path] = ()) -> EmailMessage:
    """An RFC 5322 message (text + HTML alternative, optional attachments) from a mail template."""
    club = ctx.plan.club
    rendered = render_mail(kind, langs, {"club": club, **values})
    msg = EmailMessage()
    msg["From"] = Address(club.name.ru if langs == ("ru",) else club.name.ky, addr_spec=club.admin_email)
    msg["To"] = ", ".join(to)
    msg["Reply-To"] = club.admin_email
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now.astimezone(BISHKEK))
    msg["Message-ID"] = message_id(action_key, recipient, club.admin_email.split("@", 1)[1])
    msg["Content-Language"] = ", ".join(langs)
    msg["X-Club-Action"] = action_key
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    for path in attachments:
        ctype, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def deliver(ctx: Context, action_key: str, outgoing: list[Outgoing], now: datetime) -> JobResult:
    """Deliver each message exactly once (see the module docstring).  Returns the action's result."""
    db = ctx.store.db
    mail = ctx.backend.mail
    day = now.astimezone(BISHKEK).date().isoformat()
    counts = {"sent": 0, "already": 0, "failed": 0, "unknown": 0}
    left = 0
    for o in outgoing:
        mid = str(o.msg["Message-ID"])
        row = db.execute("SELECT status FROM deliveries WHERE message_id = ?", (mid,)).fetchone()
        if row is not None and row["status"] in ("sent", "failed", "unknown"):
            counts["already" if row["status"] == "sent" else row["status"]] += 1
            continue
        if row is not None:  # queued: the outcome of an earlier attempt is not known
            try:
                provider_id = mail.find_sent(mid)
            except LookupUnavailable as e:
                db.execute("UPDATE deliveries SET status='unknown', error=? WHERE message_id=?",
                           (f"not resent: could not check whether it went out ({e})", mid))
                counts["unknown"] += 1
                continue
            if provider_id:
                db.execute("UPDATE deliveries SET status='sent', provider_id=?, sent_at=? WHERE message_id=?",
                           (provider_id, iso(now), mid))
                counts["already"] += 1
                continue
        else:
            used = db.execute("SELECT COALESCE(SUM(n_recipients), 0) FROM deliveries WHERE send_day = ? AND"
                              " status IN ('queued', 'sent', 'unknown')", (day,)).fetchone()[0]
            if used + len(o.envelope_to) > ctx.daily_cap:
                left += 1
                continue
            db.execute("INSERT INTO deliveries (message_id, action_key, recipient, language, subject, status,"
                       " queued_at, send_day, n_recipients) VALUES (?,?,?,?,?,'queued',?,?,?)",
                       (mid, action_key, o.recipient, o.language, str(o.msg["Subject"]), iso(now), day,
                        len(o.envelope_to)))
        try:
            provider_id = mail.send(o.msg, o.envelope_to)
        except DeliveryError as e:
            db.execute("UPDATE deliveries SET status='failed', error=? WHERE message_id=?", (str(e), mid))
            counts["failed"] += 1
            continue
        db.execute("UPDATE deliveries SET status='sent', provider_id=?, sent_at=? WHERE message_id=?",
                   (provider_id, iso(now), mid))
        counts["sent"] += 1
    detail = (f"{counts['sent']} sent, {counts['already']} already sent, {counts['failed']} failed, "
              f"{counts['unknown']} unknown")
    if left:
        return deferred(f"{detail}; daily sending limit ({ctx.daily_cap} recipients) reached: "
                        f"{left} message(s) left for the next day")
    if counts["failed"] and not (counts["sent"] or counts["already"]):
        return failed(detail)
    return done(detail)


# --- what each action sends ---------------------------------------------------


def _group_outgoing(ctx: Context, action: Action, kind: str, values: dict[str, Any], now: datetime,
                    attachments: list[Path] = ()) -> list[Outgoing]:
    group = ctx.backend.group
    envelope = group.envelope()
    if not envelope:
        return []
    recipient = f"group:{group.address}"
    msg = build_message(ctx, action.key, recipient, kind, ("ky", "ru"), values, [group.address], now, attachments)
    return [Outgoing(recipient, "ky+ru", msg, envelope)]


def _event_values(ctx: Context, action: Action) -> dict[str, Any]:
    event = ctx.plan.event(action.event_id)
    return {"event": event}


def programme_draft(ctx: Context, action: Action, now: datetime) -> JobResult:
    values = {**_event_values(ctx, action), "feedback_deadline": parse_iso(action.payload["feedback_deadline"]),
              "programme_url": None, "reply_to": ctx.plan.club.admin_email}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "programme_draft", values, now), now)


def programme_final(ctx: Context, action: Action, now: datetime) -> JobResult:
    values = {**_event_values(ctx, action), "programme_url": None}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "programme_final", values, now), now)


def prepare_notice(ctx: Context, action: Action, now: datetime) -> JobResult:
    from ..plan import DEFAULT_PREPARE

    event = ctx.plan.event(action.event_id)
    values = {"event": event, "prepare": event.prepare or DEFAULT_PREPARE, "link": event.link}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "prepare_notice", values, now), now)


def materials(ctx: Context, action: Action, now: datetime) -> JobResult:
    """Materials after the event: files attached while the message stays under the size limit, the rest as links."""
    event = ctx.plan.event(action.event_id)
    items, attach, size = [], [], 0
    for m in event.materials:
        attached = False
        if m.file:
            p = Path(m.file)
            if not p.is_file():
                return failed(f"material file {p} is missing: put it back or change the plan")
            if size + p.stat().st_size <= ctx.max_attachment_bytes * 0.7:  # base64 grows files by a third
                attach.append(p)
                size += p.stat().st_size
                attached = True
        url = m.url or (None if attached else ctx.backend.files.publish(Path(m.file)))
        items.append({"title": m.title, "url": url, "attached": attached,
                      "filename": Path(m.file).name if m.file else None})
    values = {"event": event, "materials": items, "homework_title": event.homework_title,
              "homework_deadline": event.homework_deadline}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "materials", values, now, attach), now)


def homework_reminder(ctx: Context, action: Action, now: datetime) -> JobResult:
    event = ctx.plan.event(action.event_id)
    values = {"event": event, "homework_title": event.homework_title, "homework_deadline": event.homework_deadline}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "homework_reminder", values, now), now)


def tea_talk(ctx: Context, action: Action, now: datetime) -> JobResult:
    from datetime import date

    tt = ctx.plan.tea_talk
    d = date.fromisoformat(action.payload["date"])
    values = {"talk_at": parse_iso(action.payload["talk_at"]), "duration_minutes": tt.duration_minutes,
              "link": tt.link, "topic": tt.topics.get(d), "questions_form_url": None}
    return deliver(ctx, action.key, _group_outgoing(ctx, action, "tea_talk", values, now), now)


def _form_values(ctx: Context, action: Action, form: Any) -> dict[str, Any]:
    import json

    from ..model import form_spec_from_json

    spec = form_spec_from_json(json.loads(form["spec_json"]))
    event = ctx.plan.event(action.event_id)
    return {"event_title": event.title if event else spec.title, "form_title": spec.title,
            "deadline": parse_iso(form["deadline"]), "pre_test": bool(form["pre_test"])}


def _personal(ctx: Context, action: Action, kind: str, form: Any, people: list[Participant],
              now: datetime) -> list[Outgoing]:
    links = ctx.backend.forms.personal_links(form["form_key"], form["external_id"], form["url"], people)
    base = _form_values(ctx, action, form)
    out = []
    for p in people:
        values = {**base, "form_url": links[p.id], "participant_name": p.name}
        msg = build_message(ctx, action.key, p.email, kind, (p.language,), values, [p.email], now)
        out.append(Outgoing(p.email, p.language, msg, [p.email]))
    return out


def form_invitation(ctx: Context, action: Action, now: datetime) -> JobResult:
    """Invite to a form: personal links to every active participant, or one group mail with the public link."""
    form = ctx.store.form(action.payload["form_key"])
    if form is None:
        row = ctx.store.ledger_row(f"{action.payload['form_key']}.create")
        if row is not None and row["status"] == "skipped":
            return skipped("the form was never created")
        return failed("the form is not created yet (its creation failed or has not run)")
    if form["audience"] == "public":
        values = {**_form_values(ctx, action, form), "form_url": form["url"], "participant_name": None}
        return deliver(ctx, action.key, _group_outgoing(ctx, action, "form_invitation", values, now), now)
    people = ctx.store.participants(active_only=True)
    return deliver(ctx, action.key, _personal(ctx, action, "form_invitation", form, people, now), now)


def non_respondents(ctx: Context, form_key: str) -> list[Participant]:
    """Active participants invited to the form (they have a personal link) who have not answered."""
    invited = {r[0] for r in ctx.store.db.execute("SELECT participant_id FROM form_links WHERE form_key = ?",
                                                   (form_key,))}
    answered = {r[0] for r in ctx.store.db.execute(
        "SELECT participant_id FROM responses WHERE form_key = ? AND participant_id IS NOT NULL", (form_key,))}
    return [p for p in ctx.store.participants(active_only=True) if p.id in invited and p.id not in answered]


def form_reminder(ctx: Context, action: Action, now: datetime) -> JobResult:
    form = ctx.store.form(action.payload["form_key"])
    if form is None:
        return skipped("the form was never created")
    if form["status"] != "open":
        return skipped("the form is already closed")
    if ctx.backend.forms.backend != "local":  # pull the latest answers so nobody who answered gets a reminder
        from .responses import sync_form

        sync_form(ctx, form["form_key"], now)
    people = non_respondents(ctx, form["form_key"])
    if not people:
        return done("everyone has answered: no reminder needed")
    return deliver(ctx, action.key, _personal(ctx, action, "form_reminder", form, people, now), now)
