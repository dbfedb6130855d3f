"""Telegram announcements through the scheduler, against the fake Bot API on 127.0.0.1: posted once, a
crash between the call and the record, a stopped channel while mail goes on, 429, splitting, moved events."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.context import TelegramChannel
from automation.jobs import announcements, telegram_channel
from automation.jobs import telegram_text as tt
from automation.plan.actions import actions
from automation.scheduler import run_due
from automation.workspace.telegram import BotApiTelegram
from conftest import TG_GROUP as GROUP
from conftest import make_season, telegram_season


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the service catches it)."""


class CrashAfterSend:
    """A port that posts for real, then dies before the caller can record the answer."""

    def __init__(self, port: BotApiTelegram):
        self.port = port

    def send_message(self, *a: Any, **kw: Any) -> int:
        self.port.send_message(*a, **kw)
        raise Crash

    def __getattr__(self, name: str) -> Any:
        return getattr(self.port, name)


@pytest.fixture
def port(telegram_port, slept: list[float]) -> BotApiTelegram:
    return telegram_port(sleep=slept.append, timeout=3.0)


@pytest.fixture
def ctx(tmp_path: Path, port: BotApiTelegram):
    return telegram_season(tmp_path, port)


def _one(ctx, key):
    return next(a for a in actions(ctx.plan) if a.key == key)


def _mails(ctx, subject_part: str = ""):
    return [m for m in ctx.backend.mail.messages() if subject_part in str(m["Subject"])]


def _body(m) -> str:
    return m.get_body(("plain",)).get_content()


def test_a_programme_draft_is_posted_once_with_its_document(ctx, fake_telegram):
    a = _one(ctx, "ws_law_budget.programme_draft")
    run_due(ctx, a.due, [a])
    msgs = fake_telegram.group_messages(GROUP)
    *texts, doc = msgs  # the text (with the programme's own text, split at 4,096 characters), then the PDF
    text = {"text": "".join(t["text"] for t in texts)}
    assert texts and all(len(t["text"]) <= 4096 for t in texts), msgs
    assert text["text"].index("Урматтуу") < text["text"].index("Уважаемые")  # Kyrgyz first
    assert "28-июнь, саат 18:00" in text["text"] and "28 июня, 18:00" in text["text"]  # the feedback deadline
    assert "ОТПИСАТЬСЯ" not in text["text"] and "ответом на это письмо" not in text["text"]
    assert doc["document"]["file_name"] == "ws_law_budget.pdf"  # as the mail attaches it: phones do not open .md
    rows = ctx.store.telegram.for_action(a.key)
    assert [(r.status, r.kind) for r in rows] == [("posted", "text")] * len(texts) + [("posted", "document")]
    assert [r.message_id for r in rows] == list(range(1, len(msgs) + 1))
    assert len(_mails(ctx)) == 1  # the mail went as before
    # later ticks, and the job by hand, post nothing more
    run_due(ctx, a.due + timedelta(hours=1), [a])
    from automation.scheduler import run_action

    run_action(ctx, a, a.due + timedelta(hours=2))
    assert len(fake_telegram.group_messages(GROUP)) == len(msgs) and fake_telegram.calls["sendMessage"] == len(texts)


def test_a_programme_whose_pdf_cannot_be_made_is_posted_as_markdown(ctx, fake_telegram, monkeypatch):
    from automation.mail import documents

    def boom(text: str, title: str = "") -> bytes:
        raise NotImplementedError("Unsupported nested HTML tags inside <td> element: <td>")
    monkeypatch.setattr(documents, "markdown_pdf", boom)
    a = _one(ctx, "ws_law_budget.programme_draft")
    run_due(ctx, a.due, [a])
    *texts, doc = fake_telegram.group_messages(GROUP)
    assert doc["document"]["file_name"] == "ws_law_budget.md" and "Күн тартиби".encode() in doc["data"]
    assert "(PDF)" not in "".join(t["text"] for t in texts)
    assert len(_mails(ctx)) == 1


def test_a_crash_between_the_call_and_the_record_never_posts_twice(ctx, fake_telegram, port):
    a = _one(ctx, "ws_law_budget.prepare_notice")
    crashing = dataclasses.replace(ctx, telegram=TelegramChannel(GROUP, CrashAfterSend(port)))
    with pytest.raises(Crash):
        run_due(crashing, a.due, [a])
    assert len(fake_telegram.group_messages(GROUP)) == 1
    [row] = ctx.store.telegram.for_action(a.key)
    assert row.status == "posting" and row.message_id is None  # the intent was recorded, the answer was not
    # the service starts again: the post's fate is unknown, so it is not posted again; the admin is told
    run_due(ctx, a.due + timedelta(minutes=1), [a])  # the ledger never heard of the action: it runs again
    assert len(fake_telegram.group_messages(GROUP)) == 1
    assert ctx.store.telegram.get(row.post_key).status == "unknown"
    [alert] = _mails(ctx, "Telegram")
    assert f"python main.py telegram repost '{row.post_key}'" in _body(alert)
    assert alert["X-Club-Action"] == "admin.alert"  # the one alert mechanism (automation/jobs/alerts.py)
    assert [a.problem for a in ctx.store.alerts.open()] == [f"unknown:telegram:{row.post_key}"]  # on Today
    run_due(ctx, a.due + timedelta(minutes=2), [a])
    assert len(_mails(ctx, "Telegram")) == 1 and len(fake_telegram.group_messages(GROUP)) == 1  # told once, posted once
    # the admin looked: it is not in the chat (say), so she posts it again, once
    assert announcements.repost(ctx, [row.post_key], a.due) == [(row.post_key, "posted (message_id 2)")]
    assert announcements.repost(ctx, [row.post_key], a.due)[0][1].startswith("refused")
    assert len(fake_telegram.group_messages(GROUP)) == 2
    assert ctx.store.alerts.open() == []  # posted again: handled


def test_a_lost_answer_is_unknown_and_not_posted_again(ctx, fake_telegram, telegram_port):
    c = dataclasses.replace(ctx, telegram=TelegramChannel(GROUP, telegram_port(timeout=0.3)))
    a = _one(c, "ws_law_budget.prepare_notice")
    fake_telegram.hang_after("sendMessage", 1.0)
    run_due(c, a.due, [a])
    run_due(c, a.due + timedelta(minutes=1), [a])
    assert len(fake_telegram.group_messages(GROUP)) == 1
    assert [r.status for r in c.store.telegram.for_action(a.key)] == ["unknown"]
    assert len(_mails(c, "Telegram")) == 1


@pytest.mark.parametrize("fault, ky, ru", [
    ("kick", "бот клубдун тобунан чыгарылды", "бота удалили из группы клуба"),
    ("revoke", "токенин кабыл алган жок (401 Unauthorized)", "Telegram отклонил токен бота (401 Unauthorized)"),
    ("wrong_chat", "табылган жок", "не найдена: неверный telegram.chat_id"),
])
def test_a_channel_fault_stops_telegram_tells_the_admin_and_mail_goes_on(ctx, fake_telegram, port, fault, ky, ru):
    if fault == "kick":
        fake_telegram.kick_bot(GROUP)
    elif fault == "revoke":
        fake_telegram.revoke()
    else:
        ctx = dataclasses.replace(ctx, telegram=TelegramChannel(-100999, port))
    a = _one(ctx, "ws_law_budget.prepare_notice")
    [ran] = run_due(ctx, a.due, [a])
    assert ran.status == "done"
    assert len(_mails(ctx, "Что подготовить")) + len(_mails(ctx, "даярда")) >= 1  # the group mail went
    [alert] = _mails(ctx, "Telegram")
    body = _body(alert)
    assert ky in body and ru in body and body.index(ky) < body.index(ru)
    assert "python main.py telegram check" in body
    assert alert["X-Club-Action"] == "admin.alert" and "/admin/today#telegram" in body
    [problem] = ctx.store.alerts.open()  # shown on the console's Today page until handled
    assert problem.problem.startswith("failed:telegram.stopped:") and problem.action_key == "telegram"
    assert announcements.stopped(ctx)
    assert [r.status for r in ctx.store.telegram.for_action(a.key)] == ["pending"]
    sends = fake_telegram.calls["sendMessage"]
    run_due(ctx, a.due + timedelta(minutes=1), [a])  # stopped: no more calls, no second alert
    assert fake_telegram.calls["sendMessage"] == sends and len(_mails(ctx, "Telegram")) == 1
    if fault == "kick":  # the admin adds the bot back; `telegram check` resumes; the post goes out once
        fake_telegram.chats[GROUP].bot_status = "member"
        ok, lines = telegram_channel.check(ctx)
        assert ok and "runs again" in " ".join(lines)
        assert ctx.store.alerts.open() == []  # the channel runs again: its stop is handled
        run_due(ctx, a.due + timedelta(minutes=2), [])
        assert len(fake_telegram.group_messages(GROUP)) == 1
        # months later the bot is removed again, for the same reason: she is told again, once
        fake_telegram.kick_bot(GROUP)
        b = _one(ctx, "ws_law_budget.programme_final")
        run_due(ctx, b.due, [b])
        run_due(ctx, b.due + timedelta(minutes=1), [b])
        assert len(_mails(ctx, "Telegram")) == 2
        [again] = ctx.store.alerts.open()
        assert again.problem == problem.problem and again.message_id != problem.message_id


def test_without_the_token_variable_mail_goes_on(tmp_path, fake_telegram):
    c = make_season(tmp_path, telegram=TelegramChannel(GROUP, None, "the environment variable TELEGRAM_BOT_TOKEN "
                                                                   "(the bot's token) is not set"))
    a = _one(c, "ws_law_budget.prepare_notice")
    [ran] = run_due(c, a.due, [a])
    assert ran.status == "done" and len(c.backend.mail.messages()) == 2  # the group mail and the admin's alert
    assert "TELEGRAM_BOT_TOKEN" in _body(_mails(c, "Telegram")[0])
    assert telegram_channel.check(c)[0] is False


def test_flood_control_is_waited_out(ctx, fake_telegram, slept):
    fake_telegram.flood("sendMessage", retry_after=7)
    a = _one(ctx, "ws_law_budget.prepare_notice")
    run_due(ctx, a.due, [a])
    assert slept == [7.0] and len(fake_telegram.group_messages(GROUP)) == 1


def test_a_long_flood_leaves_the_post_for_the_next_tick(ctx, fake_telegram, slept):
    fake_telegram.flood("sendMessage", retry_after=3600)
    a = _one(ctx, "ws_law_budget.prepare_notice")
    run_due(ctx, a.due, [a])
    assert slept == [] and [r.status for r in ctx.store.telegram.for_action(a.key)] == ["pending"]
    run_due(ctx, a.due + timedelta(minutes=5), [])
    assert len(fake_telegram.group_messages(GROUP)) == 1


def test_a_text_over_4096_characters_goes_in_parts_cut_at_paragraphs(ctx, fake_telegram):
    paras = [(f"{i}. " + "сөз " * 150).strip() for i in range(12)]  # ~600 characters each
    text = "\n\n".join(paras)
    parts = tt.split(text)
    assert len(parts) == 2 and all(tt.units(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text.strip()  # cut between paragraphs, nothing lost
    note = announcements.Note("x.long", "", "group", GROUP, parts)
    now = _one(ctx, "ws_law_budget.prepare_notice").due
    announcements.enqueue(ctx, [note], now)
    assert announcements.flush(ctx, now).posted == 2
    assert [m["text"] for m in fake_telegram.group_messages(GROUP)] == parts
    assert tt.split("а" * 9000) == ["а" * 4096, "а" * 4096, "а" * 808]


def test_an_expired_post_is_cancelled_not_posted_late(ctx, fake_telegram):
    a = _one(ctx, "ws_law_budget.prepare_notice")
    fake_telegram.flood("sendMessage", retry_after=3600)
    run_due(ctx, a.due, [a])
    run_due(ctx, a.expires + timedelta(minutes=1), [])
    assert [r.status for r in ctx.store.telegram.for_action(a.key)] == ["cancelled"]
    assert fake_telegram.group_messages(GROUP) == []


def test_a_moved_event_edits_its_earlier_post(ctx, fake_telegram):
    a = _one(ctx, "ws_law_budget.prepare_notice")
    run_due(ctx, a.due, [a])
    before = fake_telegram.group_messages(GROUP)[0]["text"]
    event = ctx.plan.event("ws_law_budget")
    moved = dataclasses.replace(event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1))
    ctx2 = dataclasses.replace(ctx, plan=dataclasses.replace(ctx.plan, events=tuple(
        moved if e.id == event.id else e for e in ctx.plan.events)))
    run_due(ctx2, a.due + timedelta(minutes=1), [])
    [after] = fake_telegram.group_messages(GROUP)  # the same message, edited: no second post
    assert after.get("edits") == 1 and after["text"] != before
    assert "15-июль" in after["text"] and "15 июля" in after["text"]
    run_due(ctx2, a.due + timedelta(minutes=2), [])
    assert fake_telegram.group_messages(GROUP)[0].get("edits") == 1  # corrected once


def test_a_post_is_claimed_once(ctx):
    """Two schedulers (say `serve` and `run`) never both post one message: pending → posting happens once."""
    now = _one(ctx, "ws_law_budget.prepare_notice").due
    announcements.enqueue(ctx, [announcements.Note("x.one", "", "group", GROUP, ["text"])], now)
    assert ctx.store.telegram.claim("x.one|%d|0" % GROUP, now) is True
    assert ctx.store.telegram.claim("x.one|%d|0" % GROUP, now) is False


def test_nothing_is_posted_inside_a_transaction(ctx, fake_telegram):
    """An intent written inside a transaction is not durable before the call: the post waits for the next tick."""
    now = _one(ctx, "ws_law_budget.prepare_notice").due
    announcements.enqueue(ctx, [announcements.Note("x.tx", "", "group", GROUP, ["text"])], now)
    with ctx.store.transaction():
        assert announcements.flush(ctx, now).posted == 0
    assert fake_telegram.group_messages(GROUP) == [] and announcements.flush(ctx, now).posted == 1


def test_posts_do_not_speak_of_a_mail(ctx):
    """The post is the mail's text without what only a mail can say (reply to it, unsubscribe by mail)."""
    from datetime import datetime, timezone

    event = ctx.plan.event("ws_law_budget")
    when = datetime(2022, 7, 1, tzinfo=timezone.utc)
    from automation.mail.form_kinds import FORM_KIND_LABELS
    from automation.model import I18n

    form = {"kind": FORM_KIND_LABELS["post_test"], "title": I18n("Y", "Y"), "deadline": when, "pre_test": False,
            "url": "u"}
    cases = [("form_reminder", {"event_title": "X", "forms": [form], "participant_name": "Айгүл"}),
             ("homework_reminder", {"event": event, "homework_title": "Z", "homework_deadline": when}),
             ("programme_final", {"event": event}),
             ("programme_draft", {"event": event, "feedback_deadline": when})]
    for kind, values in cases:
        for langs in (("ky", "ru"), ("ky",), ("ru",)):
            text = tt.render(kind, langs, {"club": ctx.plan.club, **values})
            assert not any(w in text for w in ("это письмо", "этому письму", "бул катка", "ушул катка", "ОТПИСАТЬСЯ", "ЧЫГУУ")), (kind, langs, text)
