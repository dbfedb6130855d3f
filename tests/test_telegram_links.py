"""Personal messages stay private: a participant links her Telegram with /start <code> (the link in her
mail), then gets her reminders with her personal link from the bot too; /stop ends it.  Public form
links go to the group, personal links never do.  Against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from automation.jobs.telegram_links import LINKED, OFFSET, STOPPED
from automation.plan.actions import actions
from automation.scheduler import run_due
from conftest import TG_GROUP as GROUP
from conftest import telegram_season

HER_CHAT = 555001


@pytest.fixture
def ctx(tmp_path: Path, telegram_port):
    return telegram_season(tmp_path, telegram_port(sleep=lambda s: None, timeout=3.0))


def _acts(ctx, *keys):
    by_key = {a.key: a for a in actions(ctx.plan)}
    return [by_key[k] for k in keys]


def _body(m) -> str:
    return m.get_body(("plain",)).get_content()


def test_link_then_reminders_come_privately_and_stop_ends_it(ctx, fake_telegram):
    create, invite, remind = _acts(ctx, "needs_2022.create", "needs_2022.invitation", "needs_2022.reminder")
    run_due(ctx, invite.due, [create, invite])
    assert fake_telegram.group_messages(GROUP) == []  # personal invitations: nothing in the group
    people = {p.email: p for p in ctx.store.roster.participants()}
    mails = ctx.backend.mail.messages()
    assert len(mails) == 50
    her = people[mails[0]["To"]]
    code = ctx.store.telegram.link_of(her.id).code
    assert f"https://t.me/club_bot?start={code}" in _body(mails[0])
    other_codes = {ctx.store.telegram.link_of(p.id).code for p in people.values()}
    assert len(other_codes) == 50  # one personal code each
    # she opens the link: Telegram sends the bot "/start <code>" from her private chat
    fake_telegram.user_says(HER_CHAT, f"/start {code}")
    run_due(ctx, invite.due, [])
    link = ctx.store.telegram.link_of(her.id)
    assert link.active and link.chat_id == HER_CHAT
    assert fake_telegram.chats[HER_CHAT].texts()[-1] == LINKED[her.language].format(name=her.name)
    assert ctx.store.meta.get(OFFSET) is not None
    # the reminder: her mail, and the same text with her personal link in her private chat; not in the group
    run_due(ctx, remind.due, [remind])
    token = dict(ctx.store.db.execute("SELECT participant_id, token FROM form_links"))[her.id]
    private = fake_telegram.chats[HER_CHAT].texts()[-1]
    assert f"/t/{token}" in private and her.name in private and "/stop" in private
    assert fake_telegram.group_messages(GROUP) == []
    assert not any(f"/t/{token}" in t for c in fake_telegram.chats.values() if c.id != HER_CHAT for t in c.texts())
    her_mail = [m for m in ctx.backend.mail.messages() if m["To"] == her.email][-1]
    assert f"/t/{token}" in _body(her_mail) and "t.me/club_bot" not in _body(her_mail)  # linked: no link line
    # /stop: the bot answers, then writes to her no more; her mail offers the link again
    fake_telegram.user_says(HER_CHAT, "/stop")
    run_due(ctx, remind.due, [])
    link = ctx.store.telegram.link_of(her.id)
    assert link.stopped_at is not None and not link.active
    assert fake_telegram.chats[HER_CHAT].texts()[-1] == STOPPED[her.language]
    from automation.jobs.announcements import personal_values
    assert "telegram_link" in personal_values(ctx, remind, "form_reminder", {}, her)
    sent = len(fake_telegram.chats[HER_CHAT].texts())
    run_due(ctx, remind.due, [])  # the updates were confirmed: nothing handled twice
    assert len(fake_telegram.chats[HER_CHAT].texts()) == sent and fake_telegram.updates == []


def test_an_unknown_code_and_a_group_command(ctx, fake_telegram):
    fake_telegram.user_says(HER_CHAT, "/start not-a-code")
    fake_telegram.user_says(42, "/start whatever", chat_id=GROUP)  # in the group: ignored
    run_due(ctx, actions(ctx.plan)[0].due, [])
    assert "код не найден" in fake_telegram.chats[HER_CHAT].texts()[-1].lower()
    assert fake_telegram.group_messages(GROUP) == [] and ctx.store.telegram.links() == []


def test_a_public_form_link_goes_to_the_group(tmp_path, ctx, fake_telegram):
    survey = dataclasses.replace(ctx.plan.surveys[0], audience="public")
    c = dataclasses.replace(ctx, plan=dataclasses.replace(ctx.plan, surveys=(survey,)))
    by_key = {a.key: a for a in actions(c.plan)}
    create, invite = by_key["needs_2022.create"], by_key["needs_2022.invitation"]
    run_due(c, invite.due, [create, invite])
    form = c.store.forms.get("needs_2022")
    [post] = fake_telegram.group_messages(GROUP)
    assert form.url in post["text"] and "/t/" not in post["text"]
    assert post["text"].index("Урматтуу") < post["text"].index("Уважаемые")
