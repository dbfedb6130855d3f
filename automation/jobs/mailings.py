"""Mailing jobs: what each ``mail.*`` action sends (the composers), its preview, and the job itself.

The messages are delivered exactly once by :mod:`automation.jobs.delivery`
(intent recorded before sending, outcome after; a message whose outcome cannot
be told is not resent and the admin is alerted).  :class:`Outgoing`,
:func:`message_id`, :func:`new_message`, :func:`finish_message` and
:func:`deliver` are re-exported from there; the form mails (one per participant per event and moment)
are :mod:`automation.jobs.form_mails`, whose :func:`non_respondents` and :func:`results_lines` are
re-exported here.

Mail to the whole group carries both languages, Kyrgyz first; personal mail
(invitations and reminders with personal links, her test result) is in the
participant's language (DOMAIN.md "Conventions").
"""

from __future__ import annotations

import contextvars
import os
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from collections.abc import Sequence
from typing import Any, TypeAlias

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult, done, failed, skipped
from automation.jobs import form_mails, result_mails
from automation.jobs.form_mails import non_respondents as non_respondents, results_lines as results_lines
from automation.jobs.alerts import open_alerts
from automation.jobs.announcements import note_group, personal_values
from automation.jobs.delivery import Outgoing as Outgoing, deliver as deliver, finish_message as finish_message
from automation.jobs.delivery import message_id as message_id, new_message as new_message
from automation.mail.documents import attached_name, attachment, is_markdown, pdf_problem, programme_text
from automation.mail.render import render_mail
from automation.model import Action, parse_iso
from automation.plan.describe import admin_link, describe, reason_words
from automation.plan.model import Event


def build_message(ctx: Context, action_key: str, recipient: str, kind: str, langs: tuple[str, ...],
                  values: dict[str, Any], to: list[str], now: datetime,
                  attachments: Sequence[Path] = ()) -> EmailMessage:
    """An RFC 5322 message (text + HTML alternative, optional attachments) from a mail template."""
    club = ctx.plan.club
    rendered = render_mail(kind, langs, {"club": club, **values})
    msg = new_message(ctx, action_key, recipient, club.name.ru if langs == ("ru",) else club.name.ky, to,
                      rendered.subject, now)
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    for path in attachments:  # a Markdown file goes as PDF (mail/documents.py)
        a = attachment(path)
        msg.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename,
                           params={"charset": a.charset} if a.charset else None)
    return finish_message(msg, langs)


# --- what each action sends ---------------------------------------------------
#
# A composer returns the messages an action sends (or a JobResult when there is
# nothing to send); the job delivers them.  ``mail preview`` calls the composer
# alone, inside a transaction it rolls back, so a preview changes nothing.

Composed: TypeAlias = "list[Outgoing] | JobResult"
#: True while ``preview`` composes: composers then make no calls to the backend beyond reading.
_PREVIEWING: contextvars.ContextVar[bool] = contextvars.ContextVar("previewing", default=False)


def _group_outgoing(ctx: Context, action: Action, kind: str, values: dict[str, Any], now: datetime,
                    attachments: Sequence[Path] = ()) -> list[Outgoing]:
    note_group(ctx, action, kind, values, attachments)  # the same announcement for the Telegram group
    group = ctx.backend.group
    envelope = group.envelope()
    if not envelope:
        return []
    recipient = f"group:{group.address}"
    msg = build_message(ctx, action.key, recipient, kind, ("ky", "ru"), values, [group.address], now, attachments)
    return [Outgoing(recipient, "ky+ru", msg, envelope)]


def _programme_text(attachments: list[Path]) -> dict[str, str] | None:
    """The attached Markdown programme's own text for the mail body ({ky, ru}), or None."""
    if attachments and is_markdown(attachments[0]):
        return programme_text(attachments[0].read_text(encoding="utf-8", errors="replace"))
    return None


def _programme_pdf(attachments: list[Path]) -> bool:
    """False when the attached Markdown programme cannot be made a PDF (it then goes as ``.md``:
    :func:`automation.mail.documents.attachment`), so the mail does not promise a PDF."""
    return not attachments or pdf_problem(attachments[0]) is None


def _programme(ctx: Context, source: str | None, event_id: str, key: str) -> "tuple[str | None, list[Path]] | JobResult":
    """(link, attachments) for a programme: a link is sent as is, a file attached (or linked when too big;
    a Markdown file goes as PDF, its text in the body)."""
    if source is None:
        return failed(f"event {event_id} has no programme: add `{key}: programmes/{event_id}.md` (a file next to "
                      "the plan, or a link) to the event in the plan")
    if source.startswith(("http://", "https://")):
        return source, []
    p = Path(source)
    if not p.is_file():
        return failed(f"the programme file {p} of event {event_id} is missing: put it back or change the plan")
    if not os.access(p, os.R_OK):
        return failed(f"the programme file {p} of event {event_id} cannot be read: give the service's user the "
                      "right to read it, or change the plan")
    if p.stat().st_size > ctx.max_attachment_bytes * 0.7:
        return _publish(ctx, p), []
    return None, [p]


def _publish(ctx: Context, path: Path) -> str:
    """A link to a file too big to attach; a preview does not upload anything (on Google it would share it)."""
    if _PREVIEWING.get():
        return f"(a link to {path.name} is made when the mail is sent)"
    return ctx.backend.files.publish(path)


def _event(ctx: Context, action: Action) -> Event:
    """The plan event of ``action``.  Raises :class:`AutomationError` when the plan no longer has it."""
    event = ctx.plan.event(action.event_id)
    if event is None:
        raise AutomationError(f"the plan has no event {action.event_id!r} any more; action {action.key} cannot run")
    return event


def compose_programme_draft(ctx: Context, action: Action, now: datetime) -> Composed:
    """The draft programme to the group, with the feedback deadline (seed 000: at least a month before, two weeks
    for feedback).  Fails when the programme file is missing.
    """
    event = _event(ctx, action)
    prog = _programme(ctx, event.programme, event.id, "programme")
    if isinstance(prog, JobResult):
        return prog
    values = {"event": event, "programme_url": prog[0], "reply_to": ctx.plan.club.admin_email,
              "feedback_deadline": parse_iso(action.payload["feedback_deadline"]),
              "programme_text": _programme_text(prog[1]), "programme_pdf": _programme_pdf(prog[1])}
    return _group_outgoing(ctx, action, "programme_draft", values, now, prog[1])


def compose_programme_final(ctx: Context, action: Action, now: datetime) -> Composed:
    """The final programme to the group (seed 000: at least a week before the event)."""
    event = _event(ctx, action)
    prog = _programme(ctx, event.programme_final or event.programme, event.id, "programme_final")
    if isinstance(prog, JobResult):
        return prog
    values = {"event": event, "programme_url": prog[0], "programme_text": _programme_text(prog[1]),
              "programme_pdf": _programme_pdf(prog[1])}
    return _group_outgoing(ctx, action, "programme_final", values, now, prog[1])


def compose_prepare_notice(ctx: Context, action: Action, now: datetime) -> Composed:
    """What to prepare for an online workshop, to the group (seed 000: at least 2 days before)."""
    from automation.plan.model import DEFAULT_PREPARE

    event = _event(ctx, action)
    values = {"event": event, "prepare": event.prepare or DEFAULT_PREPARE, "link": event.link}
    return _group_outgoing(ctx, action, "prepare_notice", values, now)


def compose_materials(ctx: Context, action: Action, now: datetime) -> Composed:
    """Materials after the event: files attached while the message stays under the size limit
    (Gmail: 25 MB per message, base64 adds a third), the rest as links."""
    event = _event(ctx, action)
    items, attach, size = [], [], 0
    for m in event.materials:
        attached = False
        if m.file:
            p = Path(m.file)
            if not p.is_file():
                return failed(f"material file {p} is missing: put it back or change the plan")
            if not os.access(p, os.R_OK):
                return failed(f"material file {p} cannot be read: give the service's user the right to read it, "
                              "or change the plan")
            if size + p.stat().st_size <= ctx.max_attachment_bytes * 0.7:
                attach.append(p)
                size += p.stat().st_size
                attached = True
        url = m.url or (None if attached or not m.file else _publish(ctx, Path(m.file)))
        items.append({"title": m.title, "url": url, "attached": attached,
                      "filename": attached_name(Path(m.file)) if m.file else None})
    values = {"event": event, "materials": items, "homework_title": event.homework_title,
              "homework_deadline": event.homework_deadline}
    return _group_outgoing(ctx, action, "materials", values, now, attach)


def compose_homework_reminder(ctx: Context, action: Action, now: datetime) -> Composed:
    """A reminder of the practical task and its deadline, to the group."""
    event = _event(ctx, action)
    values = {"event": event, "homework_title": event.homework_title, "homework_deadline": event.homework_deadline}
    return _group_outgoing(ctx, action, "homework_reminder", values, now)


def compose_tea_talk(ctx: Context, action: Action, now: datetime) -> Composed:
    """The weekly Чай-сүйлөшүү announcement to the group (seed 000: once a week, same weekday and hour)."""
    from datetime import date

    tt = ctx.plan.tea_talk
    if tt is None:
        return skipped("the plan has no tea_talk section any more")
    d = date.fromisoformat(action.payload["date"])
    values = {"talk_at": parse_iso(action.payload["talk_at"]), "duration_minutes": tt.duration_minutes,
              "link": tt.link, "topic": tt.topics.get(d), "questions_form_url": None}
    return _group_outgoing(ctx, action, "tea_talk", values, now)


def _kit() -> form_mails.MailKit:
    return form_mails.MailKit(build=build_message, group=_group_outgoing, previewing=_PREVIEWING.get(),
                              personal=personal_values)  # the Telegram line / private note on her mail


def compose_form_invitation(ctx: Context, action: Action, now: datetime) -> Composed:
    """Invite to a form, in one mail with the other forms of its event opening at the same moment: personal
    links to every active participant, or one group mail with the public link (:mod:`automation.jobs.form_mails`)."""
    return form_mails.invitations(ctx, _kit(), action, now)


def compose_form_reminder(ctx: Context, action: Action, now: datetime) -> Composed:
    """Remind the invited participants who have not answered, one mail for the forms of the event whose
    reminder falls due at the same moment; skipped when closed, done when everyone answered
    (:mod:`automation.jobs.form_mails`)."""
    return form_mails.reminders(ctx, _kit(), action, now)


def compose_form_closed(ctx: Context, action: Action, now: datetime) -> Composed:
    """The results of the event's forms closing at this moment, to the group, in one mail; forms with fewer
    responses than ``min_group_size`` are left out (:mod:`automation.jobs.form_mails`)."""
    return form_mails.results(ctx, _kit(), action, now)


def compose_test_result(ctx: Context, action: Action, now: datetime) -> Composed:
    """Her own test result when the post-test closes: one personal mail per participant who answered the
    post-test or its pre-test, with her scores and her wrong questions with the correct answers; only for
    ``show_answers: after_deadline`` (:mod:`automation.jobs.result_mails`)."""
    return result_mails.result_mails(ctx, _kit(), action, now)


def summary_lines(ctx: Context, entries: list[Any]) -> list[str]:
    """The summary's lines on the actions that finished in the period (ledger entries): how many were done,
    and each skipped one in plain words with its reason (failed and deferred ones follow, still open)."""
    done_n = sum(e.status == "done" for e in entries)
    lines = [f"Выполнено действий: {done_n}" if entries else "Действий с прошлой сводки не было"]
    for e in entries:
        if e.status == "skipped":
            lines.append(f"ПРОПУЩЕНО: {describe(ctx.plan, e.key).ru} — {reason_words(e.detail).ru}")
    return lines


def open_alert_lines(ctx: Context, named: set[str]) -> list[str]:
    """The summary's lines on the alerts not marked handled yet (:func:`automation.jobs.alerts.open_alerts`:
    actions, unknown mails, backups, the Telegram channel and its posts), in the words of the alert mail, leaving
    out the problem keys in ``named`` (the lines above name them already)."""
    lines = []
    for e in open_alerts(ctx):
        if e.alert.problem not in named:
            fix = f"{e.command_words.ru}: {e.command}; " if e.command else ""
            lines.append(f"НЕ ОТМЕЧЕНО КАК РАЗОБРАННОЕ: {e.name.ru} — {e.what.ru} — {e.reason.ru} "
                         f"({fix}исправить: {e.link})")
    return lines


def compose_admin_summary(ctx: Context, action: Action, now: datetime) -> Composed:
    """The admin's weekly summary: actions that failed or were deferred, deliveries that failed (invalid
    addresses) or whose outcome is unknown, since the previous summary, and every alert still open (not marked
    handled, :func:`open_alert_lines`).  Always sent (an empty week says so)."""
    prev = ctx.store.ledger.last_finished("mail.admin_summary", "done", exclude_key=action.key) or "0000"
    entries = ctx.store.ledger.finished_since(prev, exclude_kind="mail.admin_summary")
    lines = summary_lines(ctx, entries)
    unresolved = ctx.store.ledger.unresolved()
    for e in unresolved:
        lines.append(f"{'ОШИБКА' if e.status == 'failed' else 'ОТЛОЖЕНО'}: {describe(ctx.plan, e.key).ru} — "
                     f"{reason_words(e.detail).ru}"
                     f" (исправить: {admin_link(ctx.plan, e.key)})")
    problems = ctx.store.deliveries.problems_since(prev)
    for d in problems:
        what = {"failed": "не доставлено", "unknown": "неизвестно, ушло ли (не отправлено повторно)",
                "sent": "отправлено, но часть адресов отклонена"}.get(d.status, d.status)
        lines.append(f"Письмо {d.action_key} для {d.recipient}: {what} — {d.error}")
    named = ({f"skipped:{e.key}" for e in entries if e.status == "skipped"} | {f"failed:{e.key}" for e in unresolved}
             | {f"unknown:{d.message_id}" for d in problems if d.status == "unknown"})
    lines += open_alert_lines(ctx, named)
    values = {"period_start": parse_iso(prev) if prev != "0000" else now, "period_end": now, "lines": lines}
    admin = ctx.plan.club.admin_email
    msg = build_message(ctx, action.key, admin, "admin_summary", ("ru",), values, [admin], now)
    return [Outgoing(admin, "ru", msg, [admin])]


COMPOSERS = {
    "mail.programme_draft": compose_programme_draft,
    "mail.programme_final": compose_programme_final,
    "mail.prepare_notice": compose_prepare_notice,
    "mail.materials": compose_materials,
    "mail.homework_reminder": compose_homework_reminder,
    "mail.tea_talk": compose_tea_talk,
    "mail.form_invitation": compose_form_invitation,
    "mail.form_reminder": compose_form_reminder,
    "mail.form_closed": compose_form_closed,
    "mail.test_result": compose_test_result,
    "mail.admin_summary": compose_admin_summary,
}


def run(ctx: Context, action: Action, now: datetime) -> JobResult:
    """The job of every ``mail.*`` action: compose, then deliver exactly once."""
    composed = COMPOSERS[action.kind](ctx, action, now)
    if isinstance(composed, JobResult):
        return composed
    if not composed:
        return done("nobody to send to (the roster is empty)")
    return deliver(ctx, action.key, composed, now)


def preview(ctx: Context, action: Action, now: datetime) -> "list[Outgoing] | JobResult":
    """What ``action`` would send at ``now``, without sending or changing anything (the store is rolled back)."""

    class _Rollback(Exception):
        pass

    result: list[Composed] = []
    token = _PREVIEWING.set(True)
    try:
        with ctx.store.transaction():
            result.append(COMPOSERS[action.kind](ctx, action, now))
            raise _Rollback
    except _Rollback:
        pass
    finally:
        _PREVIEWING.reset(token)
    return result[0]
