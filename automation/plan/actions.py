"""The plan → its dated actions (pure: no I/O), each with a stable key for the ledger.

Calendar rules (seed 000_ad24ce37ac09e4d6.txt, "Формирование документов";
DOMAIN.md): draft programme 30 days before the start with a feedback deadline
14 days later; final programme 7 days before; what-to-prepare notice 2 days
before an online workshop; post-test, feedback and vote forms created and
announced when the event ends; a reminder to non-respondents before each
form's deadline; the form closed at its deadline; responses synced and the
report refreshed after, and a short summary of the results mailed to the
group (not for pre-tests and public forms); when a post-test closes, each
participant who took it or its pre-test is mailed her own score.  The weekly Чай-суйлөшуу
announcement goes out before each talk at the same weekday and hour.  The
admin gets a weekly summary of what failed (every Monday 09:00).

The exact days and hours come from the plan's ``settings``
(:data:`automation.plan.model.DEFAULT_SETTINGS`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from automation.errors import AutomationError
from automation.model import BISHKEK, Action, to_utc
from automation.plan.model import FormUse, Plan, local_moment

#: Action kinds, in the order they run when due at the same moment.
ACTION_KINDS = (
    "form.close",
    "responses.sync",
    "report.refresh",
    "mail.form_closed",
    "mail.test_result",
    "mail.admin_summary",
    "mail.programme_draft",
    "mail.programme_final",
    "mail.prepare_notice",
    "form.create",
    "mail.form_invitation",
    "mail.materials",
    "mail.form_reminder",
    "mail.homework_reminder",
    "mail.tea_talk",
)


def _act(key: str, kind: str, due: datetime, event_id: str, expires: datetime | None, **payload: Any) -> Action:
    """One action; ``order`` is the kind's place in :data:`ACTION_KINDS`."""
    return Action(key=key, kind=kind, due=due, event_id=event_id, expires=expires, payload=payload,
                  order=ACTION_KINDS.index(kind))


def actions(plan: Plan) -> list[Action]:
    """The plan's dated actions, sorted by due time (UTC) then kind order.

    Keys are stable: ``<event>.<kind>`` for event mailings, ``<form key>.<kind>``
    for form actions, ``tea_talk.<YYYY-MM-DD>`` for the weekly announcement.
    Rules: see the module docstring.  Pure: no I/O.
    """
    s = plan.settings
    out: list[Action] = []
    for e in plan.events:
        local_start = e.start.astimezone(BISHKEK)
        draft_day = (local_start - timedelta(days=s["draft_days_before"])).date()
        draft = local_moment(draft_day, s["mail_hour"])
        feedback_deadline = local_moment(draft_day + timedelta(days=s["feedback_days"]), s["deadline_hour"])
        if draft < e.start:
            out.append(_act(f"{e.id}.programme_draft", "mail.programme_draft", draft, e.id,
                            min(feedback_deadline, e.start), feedback_deadline=feedback_deadline.isoformat()))
        final = local_moment((local_start - timedelta(days=s["final_days_before"])).date(), s["mail_hour"])
        out.append(_act(f"{e.id}.programme_final", "mail.programme_final", final, e.id, e.start))
        if e.online and e.format == "online_workshop":
            prep = local_moment((local_start - timedelta(days=s["prepare_days_before"])).date(), s["mail_hour"])
            out.append(_act(f"{e.id}.prepare_notice", "mail.prepare_notice", prep, e.id, e.start))
        for f in e.forms:
            out.extend(_form_actions(f, s))
        if e.materials or e.homework_title:
            out.append(_act(f"{e.id}.materials", "mail.materials", e.end, e.id,
                            e.end + timedelta(days=s["materials_valid_days"])))
        if e.homework_deadline:
            hw_day = (e.homework_deadline.astimezone(BISHKEK) - timedelta(days=s["homework_reminder_days_before"])).date()
            due = max(local_moment(hw_day, s["mail_hour"]), e.end)
            out.append(_act(f"{e.id}.homework_reminder", "mail.homework_reminder", due, e.id, e.homework_deadline))
    for f in plan.surveys:
        out.extend(_form_actions(f, s))
    if plan.tea_talk:
        tt = plan.tea_talk
        for d in tt.dates():
            at = to_utc(datetime.combine(d, tt.at, tzinfo=BISHKEK))
            out.append(_act(f"tea_talk.{d.isoformat()}", "mail.tea_talk",
                            at - timedelta(hours=s["tea_talk_announce_hours_before"]), "tea_talk", at,
                            talk_at=at.isoformat(), date=d.isoformat()))
    out.extend(_admin_summaries(out, s))
    out.sort(key=lambda a: (a.due, a.order, a.key))
    return out


def _admin_summaries(acts: list[Action], s: dict[str, int]) -> list[Action]:
    """The admin's weekly summary (failures, undeliverable addresses, unknown deliveries), from the
    week of the first action to the week after the last.  A missed summary is skipped: the next covers it."""
    if not acts:
        return []
    first = min(a.due for a in acts).astimezone(BISHKEK).date()
    last = max(a.due for a in acts).astimezone(BISHKEK).date() + timedelta(days=7)
    d = first + timedelta(days=(s["admin_summary_weekday"] - first.weekday()) % 7)
    out = []
    while d <= last:
        due = local_moment(d, s["admin_summary_hour"])
        out.append(_act(f"admin_summary.{d.isoformat()}", "mail.admin_summary", due, "admin", due + timedelta(days=7),
                        week=d.isoformat()))
        d += timedelta(days=7)
    return out


def reminder_time(f: FormUse, settings: dict[str, int]) -> datetime:
    """When the reminder to non-respondents goes out.

    ``reminder_days_before_deadline`` before the deadline; if that is less than
    a day after the form opens, halfway between opening and deadline instead.
    """
    r = f.deadline - timedelta(days=settings["reminder_days_before_deadline"])
    if r < f.opens + timedelta(days=1):
        r = f.opens + (f.deadline - f.opens) / 2
    return r


def _form_actions(f: FormUse, s: dict[str, int]) -> list[Action]:
    """A form's actions: create and invite at ``opens``; remind (roster forms); close, sync, refresh the report
    at the deadline; mail a summary of the results (roster forms that are not pre-tests) and, for a roster
    post-test, mail each participant who took it (or its pre-test) her own score (``<form>.scores``)."""
    common = dict(form_key=f.key, template=f.template, deadline=f.deadline.isoformat(), pre_test=f.pre_test,
                  audience=f.audience)
    if f.test:
        common["test"] = f.test
    out = [
        _act(f"{f.key}.create", "form.create", f.opens, f.event_id, f.deadline, **common),
        _act(f"{f.key}.invitation", "mail.form_invitation", f.opens, f.event_id, f.deadline, **common),
    ]
    if f.audience == "roster":
        out.append(_act(f"{f.key}.reminder", "mail.form_reminder", reminder_time(f, s), f.event_id, f.deadline, **common))
    out += [
        _act(f"{f.key}.close", "form.close", f.deadline, f.event_id, None, **common),
        _act(f"{f.key}.sync", "responses.sync", f.deadline, f.event_id, None, **common),
        _act(f"{f.key}.report", "report.refresh", f.deadline, f.event_id, None, **common),
    ]
    if f.audience == "roster" and not f.pre_test:
        out.append(_act(f"{f.key}.results", "mail.form_closed", f.deadline, f.event_id,
                        f.deadline + timedelta(days=s["form_closed_valid_days"]), **common))
    if f.audience == "roster" and not f.pre_test and f.template == "post_test":  # her own score, pre and post
        out.append(_act(f"{f.key}.scores", "mail.test_result", f.deadline, f.event_id,
                        f.deadline + timedelta(days=s["form_closed_valid_days"]), **common))
    return out



def mail_action(plan: Plan, key: str) -> Action:
    """The mail action of ``plan`` with this key (``mail preview`` and ``mail send`` act on it by hand).

    Raises :class:`AutomationError` when the plan has no action ``key`` (the message lists up to
    eight mail action keys) or when the action is not a mailing (``form.create`` ...).
    """
    acts = {a.key: a for a in actions(plan)}
    if key not in acts:
        mail = sorted(k for k, a in acts.items() if a.kind.startswith("mail."))
        hint = ", ".join(mail[:8]) + (" ..." if len(mail) > 8 else "")
        raise AutomationError(f"no action {key!r} in the plan (see `plan show`; mail actions: {hint})")
    a = acts[key]
    if not a.kind.startswith("mail."):
        raise AutomationError(f"{key} is a {a.kind} action, not a mailing")
    return a


#: The key the console's "remind now" sends a form's reminder under (:func:`automation.manual.remind_now`): the
#: plan's ``<form>.reminder`` and the Asia/Bishkek day of the click, ``<form>.reminder.<YYYY-MM-DD>``.
REMIND_NOW_KEY = re.compile(r"(?P<base>.+\.reminder)\.(?P<day>\d{4}-\d{2}-\d{2})")


def remind_now_key(form_key: str, now: datetime) -> str:
    """The :data:`REMIND_NOW_KEY` of the form's "remind now" clicked at ``now`` (aware; its day in Asia/Bishkek)."""
    return f"{form_key}.reminder.{now.astimezone(BISHKEK).date().isoformat()}"
