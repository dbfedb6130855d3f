"""The admin's alert mail: told at once, exactly once, when an action fails, is skipped or a mail's outcome is unknown.

Each problem is recorded in the store's ``alerts`` table (:mod:`automation.store.alerts`) under a stable key
(``failed:<action>``, ``skipped:<action>``, ``unknown:<Message-ID>``), so a failed action retried at every
tick raises it once.  :func:`send_alerts` puts every problem not mailed yet into one mail to the club's admin,
Kyrgyz first then Russian: the action in plain words (:mod:`automation.plan.describe`), what happened, the
reason (the ledger's detail line, as recorded) and the console link that fixes it
(``<club.form_base_url>/admin/today#<action key>``).  The mail has a deterministic Message-ID made from its
problems and when each was raised, and is recorded in ``deliveries`` like any mail (outside the daily limit,
as one recipient); a crash while handing it over sends it again at the next call (a second alert rather than none).  A failure to send it
is recorded (``failed``) and not retried: the weekly summary names the actions too.

The Telegram channel's problems (:mod:`automation.jobs.telegram_alerts`) are alerts too, under the action key
:data:`TELEGRAM`: ``failed:telegram.stopped:<reason>`` (the channel stopped), ``unknown:telegram:<post key>``
(a post that may be in the chat) and ``failed:telegram:<post key>`` (a post Telegram refused); their link is
the Telegram card of the Today page (``#telegram``).

:func:`explain` gives one problem in the words the mail and the console's Today page share; :func:`handle`
is the console's "handled" button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from automation.context import Context
from automation.errors import AutomationError
from automation.jobs import JobResult
from automation.jobs.message import finish_message, new_message
from automation.model import BISHKEK, Action, I18n
from automation.plan.describe import STATUS_WORDS, admin_link, describe, reason_words
from automation.store import Alert
from automation.store.alerts import problem_key

#: The action key the alert mails are recorded under (``X-Club-Action``, ``deliveries.action_key``).
ALERT_KEY = "admin.alert"
#: The command that sends a message of unknown outcome again (automation/jobs/delivery.py).
RESEND = "python main.py mail resend"
#: The action key of the Telegram channel's problems (no plan action has it; see the module docstring).
TELEGRAM = "telegram"
#: The Telegram commands an alert names (automation/cli/telegram.py).
REPOST = "python main.py telegram repost"
CHECK = "python main.py telegram check"
#: The prefix of the problem key of a stopped Telegram channel (after it: the Russian reason).
STOPPED_PREFIX = "failed:telegram.stopped:"


def note_result(ctx: Context, action: Action, result: JobResult, now: datetime) -> bool:
    """Record what a tick's ``result`` means for the admin; True when it raised a new problem.

    ``failed`` and ``skipped`` raise a problem (a missed weekly summary does not: the next one covers its
    week); ``done`` marks the action's earlier problems handled.  A problem the admin marked handled is raised
    again when the action fails once more for another reason (:func:`same_reason`): she handled the first
    reason, not this one.  The same reason again stays handled, so a retry at every tick does not mail her
    at every tick.
    """
    alerts = ctx.store.alerts
    if result.status == "done":
        alerts.handle_action(action.key, now)
        return False
    if result.status == "failed" or (result.status == "skipped" and action.kind != "mail.admin_summary"):
        if alerts.raise_problem(result.status, action.key, action.key, result.detail, now):
            return True
        known = alerts.get(problem_key(result.status, action.key))
        if known is not None and known.handled_at is not None and not same_reason(known.detail, result.detail):
            return alerts.reopen(result.status, action.key, result.detail, now)
    return False


_NUMBER = re.compile(r"\d+")


def same_reason(a: str, b: str) -> bool:
    """Whether two reasons (ledger detail lines) say the same thing but for their numbers (counts, times,
    attempts): ``3 of 15 sent: quota`` and ``5 of 15 sent: quota`` are the same reason."""
    return _NUMBER.sub("#", a.strip()) == _NUMBER.sub("#", b.strip())


def note_unknown(ctx: Context, action_key: str, message_id: str, detail: str, now: datetime) -> bool:
    """Record that message ``message_id`` of ``action_key`` has an unknown outcome; True when new."""
    return ctx.store.alerts.raise_problem("unknown", message_id, action_key, detail, now)


def _bare(mid: str) -> str:
    return mid.strip().strip("<>")


@dataclass(frozen=True)
class Explained:
    """One problem as the admin reads it, in the alert mail and on the console's Today page: the ``alert``,
    the action's ``name``, ``what`` happened and the ``reason`` (Kyrgyz and Russian), the console ``link``
    that fixes it, and the ``command`` that does it from the command line ("" when none), said after the
    words ``command_words``."""

    alert: Alert
    name: I18n
    what: I18n
    reason: I18n
    link: str
    command: str
    command_words: I18n


_AGAIN = I18n("Кайра жөнөтүү", "Отправить ещё раз")
_NONE = I18n("", "")


def explain(ctx: Context, a: Alert) -> Explained:
    """``a`` in the admin's words (see :class:`Explained`); pure but for reading the plan and the posts."""
    plan = ctx.plan
    base = plan.club.form_base_url.rstrip("/")
    if a.action_key != TELEGRAM:
        command = f"{RESEND} '{_bare(a.problem.split(':', 1)[1])}'" if a.kind == "unknown" else ""
        return Explained(a, describe(plan, a.action_key), STATUS_WORDS[a.kind], reason_words(a.detail),
                         admin_link(plan, a.action_key), command, _AGAIN if command else _NONE)
    link = f"{base}/admin/today#{TELEGRAM}"
    channel = I18n("Telegram каналы", "канал Telegram")
    if a.problem.startswith(STOPPED_PREFIX):
        ky, _, ru = a.detail.partition("\n")
        return Explained(a, channel, I18n("токтотулду; каттар почта аркылуу жөнөтүлө берет",
                                          "остановлен; письма по почте продолжают уходить"),
                         I18n(ky, ru or ky), link, CHECK,
                         I18n("Оңдогондон кийин аткарыңыз", "Исправив, выполните"))
    post_key = a.problem.split(":", 2)[2]
    post = ctx.store.telegram.get(post_key)
    of = describe(plan, post.action_key) if post else I18n(post_key, post_key)
    name = I18n(f"Telegram: {of.ky}", f"Telegram: {of.ru}")
    if a.kind == "unknown":
        return Explained(a, name, I18n("билдирүү топто бар болушу мүмкүн, ошондуктан кайра жөнөтүлгөн жок",
                                       "сообщение, возможно, уже в чате, поэтому повторно не отправлено"),
                         reason_words(a.detail), link, f"{REPOST} '{post_key}'",
                         I18n("Чатты текшериңиз; жок болсо", "Проверьте чат; если его нет"))
    return Explained(a, name, I18n("Telegram билдирүүнү кабыл алган жок", "Telegram отклонил сообщение"),
                     reason_words(a.detail), link, "", _NONE)


def alert_text(ctx: Context, alerts: list[Alert]) -> tuple[str, str]:
    """``(subject, text)`` of the alert mail about ``alerts``: Kyrgyz first, then Russian."""
    plan = ctx.plan
    told = [explain(ctx, a) for a in alerts]
    if len(alerts) == 1:
        subject = f"Көңүл буруңуз / Требует внимания: {told[0].name.ky} / {told[0].name.ru}"
    else:
        subject = f"Көңүл буруңуз / Требует внимания: {len(alerts)} көйгөй / проблем(ы)"
    unknown = [a for a in alerts if a.kind == "unknown" and a.action_key != TELEGRAM]
    labels = {"ky": ("Саламатсызбы! Кызмат төмөнкүлөрдү тапты:", "Эмне болду", "Себеби", "Оңдоо",
                     "Белгисиз каттардын баарын кайра жөнөтүү"),
              "ru": ("Здравствуйте! Служба обнаружила:", "Что случилось", "Причина", "Исправить",
                     "Все такие письма сразу")}
    lines: list[str] = []
    for lang in ("ky", "ru"):
        hello, what, why, fix, every = labels[lang]
        lines += [hello, ""]
        for i, t in enumerate(told, start=1):
            lines += [f"{i}. {t.name.get(lang)}", f"   {what}: {t.what.get(lang)}",
                      f"   {why}: {t.reason.get(lang)}", f"   {fix}: {t.link}"]
            if t.command:
                lines.append(f"   {t.command_words.get(lang)}: {t.command}")
            lines.append("")
        if unknown:
            lines += [f"{every}: {RESEND} --all-unknown", ""]
        lines += ["—" * 20, ""]
    lines.append(f"{plan.club.name.ky} / {plan.club.name.ru}")
    return subject, "\n".join(lines)


def open_alerts(ctx: Context) -> list[Explained]:
    """The problems not handled yet, oldest first, in the admin's words (the console's Today page)."""
    return [explain(ctx, a) for a in ctx.store.alerts.open()]


def handle_all(ctx: Context, problems: list[str], by: str, now: datetime) -> int:
    """The admin dealt with all these ``problems`` at once (the "all handled" button of a group, say the
    actions skipped after a long downtime); those unknown or handled already are passed over.  Returns how
    many were handled; each is written to the audit log."""
    done = 0
    with ctx.store.transaction():
        for problem in dict.fromkeys(problems):
            found = ctx.store.alerts.get(problem)
            if found is not None and ctx.store.alerts.handle(problem, now):
                ctx.store.console.audit(by, "alert.handle", problem, found.detail[:200], now)
                done += 1
    return done


def handle(ctx: Context, problem: str, by: str, now: datetime) -> None:
    """The admin dealt with ``problem`` (the console's "handled" button): it leaves the Today page; written
    to the audit log with who did it.  Raises :class:`AutomationError` (nothing changed) for an unknown
    problem or one handled already."""
    found = ctx.store.alerts.get(problem)
    if found is None:
        raise AutomationError(f"no alert {problem[:120]!r}; nothing was changed")
    with ctx.store.transaction():
        if not ctx.store.alerts.handle(problem, now):
            raise AutomationError(f"the alert about {found.action_key} was marked as handled already; "
                                  "nothing was changed")
        ctx.store.console.audit(by, "alert.handle", problem, found.detail[:200], now)


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
    told = ",".join(f"{a.problem}@{a.raised_at}" for a in pending)  # a problem raised again is a new mail
    msg = new_message(ctx, ALERT_KEY, f"{admin}|{told}", ctx.plan.club.name.ky, [admin], subject, now)
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
