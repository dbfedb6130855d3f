"""The console's "remind now" cut off by a crash is finished by the scheduler's next tick (automation/jobs/remind_now.py).

The season is the 2022 club (examples/club2022) on the local backend: the needs assessment ``needs_2022`` opens
Sat 14 May 2022 09:00 and closes Tue 31 May 18:00 (Asia/Bishkek); its invitation goes to the whole roster.
The crash is a mail port that dies (SystemExit, as a killed process) while handing over a message, as in
tests/test_smtp_exactly_once.py; the Maildir outbox holds what was handed over, and can be looked up, so the
message cut off mid-hand-over (``queued``) is checked there before it is sent.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from automation.errors import AutomationError
from automation.manual import hold, release, remind_now
from automation.model import BISHKEK
from automation.plan.actions import actions
from automation.plan.describe import describe, reason_words
from automation.scheduler import run_due
from conftest import make_season

FORM = "needs_2022"
ADMIN = "admin@example.org"


def L(*args: int) -> datetime:
    """An Asia/Bishkek time."""
    return datetime(*args, tzinfo=BISHKEK)


class _DieAfter:
    """A mail port that hands over ``k`` messages, then dies handing over the next (the process is killed):
    before the message is out, or (``after_send``) once it is out but before the outcome is recorded."""

    def __init__(self, inner, k, after_send=False):
        self.inner, self.k, self.after_send = inner, k, after_send
        self.can_find_sent = inner.can_find_sent

    def send(self, msg, envelope_to):
        if self.k == 0:
            if self.after_send:
                self.inner.send(msg, envelope_to)
            raise SystemExit("killed")
        self.k -= 1
        return self.inner.send(msg, envelope_to)

    def find_sent(self, mid):
        return self.inner.find_sent(mid)


@pytest.fixture
def ctx(tmp_path):
    """The season with ``needs_2022`` made and its invitations sent (the ledger records both)."""
    ctx = make_season(tmp_path)
    acts = {a.key: a for a in actions(ctx.plan)}
    create, invite = acts[f"{FORM}.create"], acts[f"{FORM}.invitation"]
    ran = run_due(ctx, invite.due, [create, invite])
    assert [r.status for r in ran] == ["done", "done"], ran
    return ctx


def _outbox(ctx) -> dict[str, list[str]]:
    """Message-ID → its To addresses, of every message in the outbox."""
    return {str(m["Message-ID"]): [str(a) for a in m.get_all("To", [])] for m in ctx.backend.mail.messages()}


def _crash(ctx, click: datetime, k: int, after_send: bool = False) -> str:
    """Click "remind now" at ``click``; the process dies handing over the (k+1)-th reminder.  The key."""
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, k, after_send)
    try:
        with pytest.raises(SystemExit):
            remind_now(ctx, FORM, ADMIN, click)
    finally:
        ctx.backend.mail = real  # the service starts again
    return f"{FORM}.reminder.{click.astimezone(BISHKEK).date().isoformat()}"


def _new(ctx, before: dict[str, list[str]]) -> Counter[str]:
    """How many messages each participant got since ``before`` (the admin's alerts and summaries left out)."""
    admin = ctx.plan.club.admin_email
    return Counter(to for mid, tos in _outbox(ctx).items() if mid not in before for to in tos if to != admin)


@pytest.mark.parametrize("after_send", [False, True])
def test_a_tick_later_that_day_sends_the_rest_of_a_cut_off_remind_now_once(ctx, after_send):
    invited = {p.email for p in ctx.store.roster.participants(active_only=True)}
    before = _outbox(ctx)
    click = L(2022, 5, 14, 10, 0)
    key = _crash(ctx, click, 3, after_send)
    assert sum(_new(ctx, before).values()) == 3 + after_send
    ran = run_due(ctx, click + timedelta(minutes=1))
    [mine] = [r for r in ran if r.action.key == key]
    assert mine.status == "done", mine.detail
    assert f"{3 + after_send} already sent" in mine.detail  # the one cut off was looked up in the outbox
    got = _new(ctx, before)
    assert set(got) == invited and set(got.values()) == {1}, got  # everyone reminded, nobody twice
    assert ctx.store.ledger.get(key).status == "done"
    assert ctx.store.deliveries.unknown() == []
    # the next ticks and a second click the same day send nothing more
    assert [r for r in run_due(ctx, click + timedelta(minutes=2)) if r.action.key == key] == []
    assert remind_now(ctx, FORM, ADMIN, click + timedelta(hours=1)).status == "done"
    assert _new(ctx, before) == got


def test_only_those_who_have_not_answered_meanwhile_are_reminded(ctx):
    before = _outbox(ctx)
    click = L(2022, 5, 14, 10, 0)
    key = _crash(ctx, click, 1)
    [first] = _new(ctx, before)
    answered = next(p for p in ctx.store.roster.participants(active_only=True) if p.email != first)
    ctx.store.responses.add(FORM, [{"response_id": "r1", "participant_id": answered.id, "respondent_email": None,
                                    "submitted_at": click + timedelta(minutes=30), "answers": {}, "raw": {}}], "test")
    run_due(ctx, click + timedelta(hours=1), [])
    got = _new(ctx, before)
    assert answered.email not in got and set(got.values()) == {1}
    assert ctx.store.ledger.get(key).status == "done"


def test_a_tick_after_the_forms_deadline_skips_it_with_a_reason_and_an_alert(ctx):
    before = _outbox(ctx)
    click = L(2022, 5, 31, 17, 30)
    key = _crash(ctx, click, 2)
    ran = run_due(ctx, L(2022, 5, 31, 18, 5))  # the service is back after the deadline (the form closes too)
    [mine] = [r for r in ran if r.action.key == key]
    assert mine.status == "skipped"
    assert "not finished by 2022-05-31 18:00, the form's deadline" in mine.detail
    assert sum(_new(ctx, before).values()) == 2  # the two reminders handed over before the crash, nothing more
    [alert] = [a for a in ctx.store.alerts.open() if a.action_key == key]
    assert alert.problem == f"skipped:{key}" and alert.status == "sent"
    assert "срока формы" in reason_words(alert.detail).ru and "Напомнить сейчас" in describe(ctx.plan, key).ru
    assert ctx.store.ledger.get(key).status == "skipped"
    assert [r for r in run_due(ctx, L(2022, 5, 31, 18, 6)) if r.action.key == key] == []


def test_a_cut_off_remind_now_is_not_finished_on_a_later_day(ctx):
    before = _outbox(ctx)
    click = L(2022, 5, 20, 23, 50)
    key = _crash(ctx, click, 2)
    [mine] = [r for r in run_due(ctx, L(2022, 5, 21, 8, 0), []) if r.action.key == key]
    assert mine.status == "skipped" and "the end of its day" in mine.detail
    assert "нажмите" in reason_words(mine.detail).ru
    assert sum(_new(ctx, before).values()) == 2
    assert ctx.store.alerts.open()[0].problem == f"skipped:{key}"


def test_a_held_reminder_is_not_finished_until_released(ctx):
    before = _outbox(ctx)
    click = L(2022, 5, 14, 10, 0)
    key = _crash(ctx, click, 2)
    hold(ctx, f"{FORM}.reminder", ADMIN, click + timedelta(minutes=1), "not now")
    assert [r for r in run_due(ctx, click + timedelta(minutes=2), []) if r.action.key == key] == []
    assert sum(_new(ctx, before).values()) == 2
    release(ctx, f"{FORM}.reminder", ADMIN, click + timedelta(minutes=3))
    [mine] = [r for r in run_due(ctx, click + timedelta(minutes=4), []) if r.action.key == key]
    assert mine.status == "done"
    assert set(_new(ctx, before).values()) == {1}


def test_the_tick_leaves_a_remind_now_alone_while_the_click_is_still_sending_it(ctx):
    """``serve`` runs the console and the scheduler in one process: a tick during the click must not send the same
    mailing beside it (each would hand over the other's messages)."""
    from automation.jobs.remind_now import sending

    before = _outbox(ctx)
    click = L(2022, 5, 14, 10, 0)
    key = _crash(ctx, click, 2)
    with sending(key) as mine:
        assert mine
        assert [r for r in run_due(ctx, click + timedelta(minutes=1), []) if r.action.key == key] == []
        with pytest.raises(AutomationError, match="being sent right now"):
            remind_now(ctx, FORM, ADMIN, click + timedelta(minutes=1))
    assert sum(_new(ctx, before).values()) == 2
    [r] = [r for r in run_due(ctx, click + timedelta(minutes=2), []) if r.action.key == key]
    assert r.status == "done" and set(_new(ctx, before).values()) == {1}


def test_a_click_that_fails_is_retried_by_the_tick(ctx):
    """A backend error part-way (not a crash) is recorded failed; the tick sends the rest as after a crash."""
    from automation.errors import BackendError

    class _Refuses:
        can_find_sent = True

        def __init__(self, inner):
            self.inner, self.n = inner, 0

        def send(self, msg, envelope_to):
            self.n += 1
            if self.n > 2:
                raise BackendError("the SMTP server is down")
            return self.inner.send(msg, envelope_to)

        def find_sent(self, mid):
            return self.inner.find_sent(mid)

    before = _outbox(ctx)
    click = L(2022, 5, 14, 10, 0)
    real = ctx.backend.mail
    ctx.backend.mail = _Refuses(real)
    with pytest.raises(AutomationError, match="SMTP server is down"):
        remind_now(ctx, FORM, ADMIN, click)
    ctx.backend.mail = real
    key = f"{FORM}.reminder.2022-05-14"
    assert ctx.store.ledger.get(key).status == "failed"
    [r] = [r for r in run_due(ctx, click + timedelta(minutes=1), []) if r.action.key == key]
    assert r.status == "done"
    assert set(_new(ctx, before).values()) == {1}


def test_the_entry_written_before_the_run_is_not_an_attempt(season):
    from datetime import timezone

    t0 = datetime(2022, 5, 14, 4, 0, tzinfo=timezone.utc)
    ledger = season.store.ledger
    ledger.record_started("f.reminder.2022-05-14", "mail.form_reminder", "", t0, "started by remind now (a) at x", t0)
    assert (ledger.get("f.reminder.2022-05-14").status, ledger.get("f.reminder.2022-05-14").attempts) == ("failed", 0)
    ledger.record("f.reminder.2022-05-14", "mail.form_reminder", "", t0, "done", "5 sent", t0)
    ledger.record_started("f.reminder.2022-05-14", "mail.form_reminder", "", t0, "started by remind now (a) at y", t0)
    e = ledger.get("f.reminder.2022-05-14")
    assert (e.status, e.attempts, e.detail) == ("failed", 1, "started by remind now (a) at y")


def test_the_reason_names_the_last_error_in_both_languages():
    detail = ("remind now of 2022-05-14 10:00 not finished by 2022-05-15 00:00, the end of its day: click remind now "
              "again if they should still be reminded; the rest were not reminded (last attempt: the SMTP server is "
              "down)")
    words = reason_words(detail)
    assert words.ru.startswith("«Напомнить сейчас» от 2022-05-14 10:00 не завершилось до 2022-05-15 00:00 — конца")
    assert words.ru.endswith("(последняя ошибка: the SMTP server is down)")
    assert words.ky.startswith("«Азыр эскертүү» (2022-05-14 10:00)") and "акыркы ката" in words.ky
