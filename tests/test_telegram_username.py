"""The bot's username for the «link Telegram» line of personal mail is learned from getMe (by a tick or
`telegram check`) and remembered, so club.yaml needs no `bot_username`; a configured one wins (and a
mismatch is told); with Telegram down the mail goes without the line.  Against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from automation.cli.main import main
from automation.context import TelegramChannel
from automation.jobs import telegram_channel
from automation.jobs.announcements import USERNAME, bot_username, stopped
from automation.plan.actions import actions
from automation.scheduler import run_action, run_due
from automation.store import Store
from automation.workspace.ports import BotIdentity
from automation.workspace.telegram import BotApiTelegram
from conftest import TG_GROUP as GROUP
from conftest import CLUB_PLAN, free_port, make_season
from fake_telegram import FakeTelegram


class Counting:
    """A port that counts its getMe calls and passes everything to the real adapter."""

    def __init__(self, port: BotApiTelegram):
        self.port = port
        self.get_me_calls = 0

    def get_me(self) -> BotIdentity:
        self.get_me_calls += 1
        return self.port.get_me()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.port, name)


@pytest.fixture
def port(telegram_port) -> BotApiTelegram:
    return telegram_port(sleep=lambda s: None, timeout=3.0)


@pytest.fixture
def down() -> Iterator[BotApiTelegram]:
    """A port to a Bot API server that cannot be reached (nothing listens on its 127.0.0.1 port)."""
    p = BotApiTelegram("123456:FAKE-token-for-tests", api_url=f"http://127.0.0.1:{free_port()}", timeout=3.0)
    yield p
    p.close()


def _acts(ctx, *keys):
    by_key = {a.key: a for a in actions(ctx.plan)}
    return [by_key[k] for k in keys]


def _bodies(ctx) -> list[str]:
    return [m.get_body(("plain",)).get_content() for m in ctx.backend.mail.messages()]


def _links(ctx, body: str, bot: str) -> bool:
    """True when ``body`` carries a personal t.me link to ``bot`` with one of the stored codes."""
    return any(f"https://t.me/{bot}?start={link.code}" in body for link in ctx.store.telegram.links())


def test_the_fake_getme_answers_as_the_bot_api_does(fake_telegram):
    # core.telegram.org/bots/api#getme: a User object; the bot's username, and the fields returned only in getMe
    r = httpx.post(f"{fake_telegram.url}/bot{fake_telegram.token}/getMe").json()
    assert r["ok"] is True
    me = r["result"]
    assert me["is_bot"] is True and me["username"] == "club_bot" and isinstance(me["id"], int)
    assert {"first_name", "can_join_groups", "can_read_all_group_messages", "supports_inline_queries"} <= set(me)


def test_the_port_asks_getme_once(port, fake_telegram):
    assert port.get_me() == BotIdentity(123456, "club_bot")
    assert fake_telegram.calls["getMe"] == 1 and fake_telegram.calls["getChat"] == 0


def test_a_tick_learns_the_username_once_and_personal_mails_carry_the_link(tmp_path, port, fake_telegram):
    counting = Counting(port)
    ctx = make_season(tmp_path, telegram=TelegramChannel(GROUP, counting))  # no bot_username in club.yaml
    assert bot_username(ctx) is None
    create, invite, remind = _acts(ctx, "needs_2022.create", "needs_2022.invitation", "needs_2022.reminder")
    run_due(ctx, invite.due, [create, invite])
    assert ctx.store.meta.get(USERNAME) == "club_bot" and counting.get_me_calls == 1
    bodies = _bodies(ctx)
    assert len(bodies) == 50 and all(_links(ctx, b, "club_bot") for b in bodies)
    # known: no more getMe, at later ticks nor for a mail sent by hand
    run_due(ctx, remind.due, [remind])
    run_action(ctx, remind, remind.due)
    assert counting.get_me_calls == 1 and fake_telegram.calls["getMe"] == 1
    # remembered in the state file: a new run of the service does not ask again
    store = Store(tmp_path / "state.sqlite")
    try:
        assert store.meta.get(USERNAME) == "club_bot"
    finally:
        store.close()


def test_with_telegram_down_the_mail_goes_without_the_line_then_a_later_tick_learns_it(tmp_path, down, port,
                                                                                       fake_telegram):
    counting = Counting(down)
    ctx = make_season(tmp_path, telegram=TelegramChannel(GROUP, counting))
    create, invite, remind = _acts(ctx, "needs_2022.create", "needs_2022.invitation", "needs_2022.reminder")
    ran = run_due(ctx, invite.due, [create, invite])
    assert [r.status for r in ran] == ["done", "done"]
    bodies = _bodies(ctx)
    assert len(bodies) == 50 and not any("t.me/" in b for b in bodies)
    assert counting.get_me_calls == 1  # one getMe for the tick, not one per mail
    assert ctx.store.meta.get(USERNAME) is None and stopped(ctx) is None  # unreachable: not a reason to stop
    # Telegram is back: the next tick learns the username and the reminders carry the link
    back = dataclasses.replace(ctx, telegram=TelegramChannel(GROUP, port))
    run_due(back, remind.due, [remind])
    assert fake_telegram.calls["getMe"] == 1 and back.store.meta.get(USERNAME) == "club_bot"
    reminders = [b for b in _bodies(back) if b not in bodies]  # the outbox is not in sending order
    assert len(reminders) == 50 and all(_links(back, b, "club_bot") for b in reminders)


def test_a_revoked_token_stops_the_channel_and_the_mail_goes_on(tmp_path, port, fake_telegram):
    fake_telegram.revoke()
    ctx = make_season(tmp_path, telegram=TelegramChannel(GROUP, port))
    create, invite = _acts(ctx, "needs_2022.create", "needs_2022.invitation")
    assert [r.status for r in run_due(ctx, invite.due, [create, invite])] == ["done", "done"]
    assert stopped(ctx) is not None and ctx.store.meta.get(USERNAME) is None
    calls = fake_telegram.calls
    assert calls["getMe"] == 1 and calls["getUpdates"] == 0  # stopped at getMe: nothing more asked
    assert not any("t.me/" in b for b in _bodies(ctx))
    run_due(ctx, invite.due, [])
    assert fake_telegram.calls["getMe"] == 1  # a stopped channel does not ask


def test_telegram_check_learns_it_and_a_mail_sent_by_hand_carries_the_link(tmp_path, port, fake_telegram):
    counting = Counting(port)
    ctx = make_season(tmp_path, telegram=TelegramChannel(GROUP, counting))
    ok, lines = telegram_channel.check(ctx)
    assert ok and not any("Внимание" in line for line in lines)
    assert ctx.store.meta.get(USERNAME) == "club_bot" and fake_telegram.calls["getMe"] == 1
    create, invite = _acts(ctx, "needs_2022.create", "needs_2022.invitation")
    run_action(ctx, create, invite.due)
    run_action(ctx, invite, invite.due)
    assert counting.get_me_calls == 0 and fake_telegram.calls["getMe"] == 1  # check's getMe was enough
    bodies = _bodies(ctx)
    assert len(bodies) == 50 and all(_links(ctx, b, "club_bot") for b in bodies)
    # the bot was renamed in @BotFather: the next check remembers the new name
    fake_telegram.bot["username"] = "amuca_club_bot"
    assert telegram_channel.check(ctx)[0] and bot_username(ctx) == "amuca_club_bot"


def test_the_configured_username_wins_and_getme_is_not_asked(tmp_path, port, fake_telegram):
    ctx = make_season(tmp_path, telegram=TelegramChannel(GROUP, port, "", "other_bot"))
    create, invite = _acts(ctx, "needs_2022.create", "needs_2022.invitation")
    run_due(ctx, invite.due, [create, invite])
    assert fake_telegram.calls["getMe"] == 0
    bodies = _bodies(ctx)
    assert all(_links(ctx, b, "other_bot") for b in bodies) and not any("t.me/club_bot" in b for b in bodies)
    # check stores what getMe says, but the configured one still makes the links
    assert telegram_channel.check(ctx)[0]
    assert ctx.store.meta.get(USERNAME) == "club_bot" and bot_username(ctx) == "other_bot"


def _config(tmp: Path, fake: FakeTelegram, extra: str = "") -> str:
    p = tmp / "club.yaml"
    p.write_text(f"plan: {CLUB_PLAN}\nstate: {tmp / 'state.sqlite'}\nout: {tmp}\n"
                 f"telegram:\n  token_env: CLUB_TG_TOKEN\n  chat_id: {GROUP}\n  api_url: {fake.url}\n{extra}",
                 encoding="utf-8")
    return str(p)


def test_check_warns_when_the_configured_username_is_another_bot(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    cfg = _config(tmp_path, fake_telegram, "  bot_username: '@old_club_bot'\n")
    assert main(["--config", cfg, "telegram", "check"]) == 0
    out = capsys.readouterr().out
    ky = next(line for line in out.splitlines() if line.startswith("Көңүл буруңуз"))
    ru = next(line for line in out.splitlines() if line.startswith("Внимание"))
    assert out.index(ky) < out.index(ru)  # Kyrgyz first
    for line in (ky, ru):
        assert "@old_club_bot" in line and "@club_bot" in line and "bot_username" in line
    assert "OK: the bot can post to the group." in out


@pytest.mark.parametrize("configured", ["", "  bot_username: Club_Bot\n"])
def test_check_does_not_warn_without_a_mismatch(tmp_path, fake_telegram, monkeypatch, capsys, configured):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    assert main(["--config", _config(tmp_path, fake_telegram, configured), "telegram", "check"]) == 0
    out = capsys.readouterr().out
    assert "Внимание" not in out and "Көңүл" not in out and "@club_bot" in out


def test_status_says_whether_the_username_is_known(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    cfg = _config(tmp_path, fake_telegram)
    assert main(["--config", cfg, "telegram", "status"]) == 0
    assert "not known yet" in capsys.readouterr().out and fake_telegram.calls["getMe"] == 0  # status asks nothing
    assert main(["--config", cfg, "telegram", "check"]) == 0
    assert main(["--config", cfg, "telegram", "status"]) == 0
    assert "bot: @club_bot" in capsys.readouterr().out
