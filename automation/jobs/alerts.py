"""The admin's alert mail: told at once, exactly once, when an action fails, is skipped or a mail's outcome is unknown.

Each problem is recorded in the store's ``alerts`` table (:mod:`automation.store.alerts`) under a stable key
(``failed:<action>``, ``skipped:<action>``, ``unknown:<Message-ID>``), so a failed action retried at every
tick raises it once.  :func:`send_alerts` puts every problem not mailed yet into one mail to the club's admin,
Kyrgyz first then Russian: the action in plain words (:mod:`automation.plan.describe`), what happened, the
reason (the ledger's detail line, as recorded) and the console link that fixes it
(``<club.form_base_url>/admin/<action key>``).  The mail has a deterministic Message-ID made from its
problems and is recorded in ``deliveries`` like any mail (outside the daily limit, as one recipient); a crash
while handing it over sends it again at the next call (a second alert rather than none).  A failure to send it
is recorded (``failed``) and not retried: the weekly summary names the actions too.
"""

from __future__ import annotations

from datetime import datetime

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult
from automation.jobs.message import finish_message, new_message
from automation.model import BISHKEK, Action
from automation.plan.describe import STATUS_WORDS, admin_link, describe, reason_words
from automation.store import Alert

#: The action key the alert mails are recorded under (``X-Club-Action``, ``deliveries.action_key``).
ALERT_KEY = "admin.alert"
#: The command that sends a message of unknown outcome again (automation/jobs/delivery.py).
RESEND = "python main.py mail resend"


def note_result(ctx: Context, action: Action, result: JobResult, now: datetime) -> bool:
    """Record what a tick's ``result`` means for the admin; True when it raised a new problem.

    ``failed`` and ``skipped`` raise a problem (a missed weekly summary does not: the next one covers its
    week); ``done`` marks the action's earlier problems handled.
    """
    alerts = ctx.store.alerts
    if result.status == "done":
        alerts.handle_action(action.key, now)
        return False
    if result.status == "failed" or (result.status == "skipped" and action.kind != "mail.admin_summary"):
        return alerts.raise_problem(result.status, action.key, action.key, result.detail, now)
    return False


def note_unknown(ctx: Context, action_key: str, message_id: str, detail: str, now: datetime) -> bool:
    """Record that message ``message_id`` of ``action_key`` has an unknown outcome; True when new."""
    return ctx.store.alerts.raise_problem("unknown", message_id, action_key, detail, now)


def _bare(mid: str) -> str:
    return mid.strip().strip("<>")


def alert_text(ctx: Context, alerts: list[Alert]) -> tuple[str, str]:
    """``(subject, text)`` of the alert mail about ``alerts``: Kyrgyz first, then Russian."""
    plan = ctx.plan
    names = [describe(plan, a.action_key) for a in alerts]
    if len(alerts) == 1:
        subject = f"Көңүл буруңуз / Требует внимания: {names[0].ky} / {names[0].ru}"
    else:
        subject = f"Көңүл буруңуз / Требует внимания: {len(alerts)} көйгөй / проблем(ы)"
    unknown = [a for a in alerts if a.kind == "unknown"]
    labels = {"ky": ("Саламатсызбы! Кызмат төмөнкүлөрдү тапты:", "Эмне болду", "Себеби", "Оңдоо",
                     "Кайра жөнөтүү", "Белгисиз каттардын баарын кайра жөнөтүү"),
              "ru": ("Здравствуйте! Служба обнаружила:", "Что случилось", "Причина", "Исправить",
                     "Отправить ещё раз", "Все такие письма сразу")}
    lines: list[str] = []
    for lang in ("ky", "ru"):
        hello, what, why, fix, again, every = labels[lang]
        lines += [hello, ""]
        for i, (a, name) in enumerate(zip(alerts, names), start=1):
            lines += [f"{i}. {name.get(lang)}", f"   {what}: {STATUS_WORDS[a.kind].get(lang)}",
                      f"   {why}: {reason_words(a.detail).get(lang)}", f"   {fix}: {admin_link(plan, a.action_key)}"]
            if a.kind == "unknown":
                lines.append(f"   {again}: {RESEND} '{_bare(a.problem.split(':', 1)[1])}'")
            lines.append("")
        if unknown:
            lines += [f"{every}: {RESEND} --all-unknown", ""]
        lines += ["—" * 20, ""]
    lines.append(f"{plan.club.name.ky} / {plan.club.name.ru}")
    return subject, "\n".join(lines)


def send_alerts(ctx: Context, now: datetime) -> int:
    """Mail the admin every problem not mailed yet, in one mail; returns how many problems it named (0: none
    pending).  Never raises for a mail that cannot be sent: it is recorded as failed (see the module docstring).
    """
    pending = ctx.store.alerts.pending()
    if not pending:
        return 0
    admin = ctx.plan.club.admin_email
    problems = [a.problem for a in pending]
    subject, text = alert_text(ctx, pending)
    msg = new_message(ctx, ALERT_KEY, f"{admin}|{','.join(problems)}", ctx.plan.club.name.ky, [admin], subject, now)
    msg.set_content(text)
    finish_message(msg, ("ky", "ru"))
    mid = str(msg["Message-ID"])
    deliveries, alerts = ctx.store.deliveries, ctx.store.alerts
    status = deliveries.status(mid)
    if status in ("sent", "failed", "unknown"):  # told already (a crash came between the two records)
        alerts.mark(problems, "sent" if status == "sent" else "failed", mid, now)
        return len(problems)
    if status is None:
        day = now.astimezone(BISHKEK).date().isoformat()
        deliveries.add(mid, ALERT_KEY, admin, "ky+ru", subject, "queued", now, day, 1)
    try:
        provider_id = ctx.backend.mail.send(msg, [admin])
    except AutomationError as e:
        deliveries.mark_failed(mid, f"the alert could not be sent ({e})")
        alerts.mark(problems, "failed", mid, now)
        return len(problems)
    deliveries.mark_sent(mid, provider_id, now)
    alerts.mark(problems, "sent", mid, now)
    return len(problems)
