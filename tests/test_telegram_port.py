"""The Telegram adapter (python-telegram-bot) against the fake Bot API on 127.0.0.1: what each call
returns and how each documented error is translated (automation/workspace/telegram/bot.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.errors import (TelegramChatNotFound, TelegramForbidden, TelegramOutcomeUnknown, TelegramRateLimited,
                               TelegramRefused, TelegramUnauthorized, TelegramUnavailable)
from automation.workspace.telegram import BotApiTelegram, base_urls
from conftest import TG_GROUP as GROUP


@pytest.fixture
def bot(telegram_port, slept: list[float]) -> BotApiTelegram:
    return telegram_port(sleep=slept.append, timeout=2.0)


def test_base_urls_follow_the_library_format():
    assert base_urls(None) == ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    assert base_urls("http://127.0.0.1:8081/") == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")


def test_send_edit_and_document(fake_telegram, bot, tmp_path):
    mid = bot.send_message(GROUP, "Саламатсызбы!\n\nЗдравствуйте!")
    assert fake_telegram.chats[GROUP].messages[mid]["text"] == "Саламатсызбы!\n\nЗдравствуйте!"
    bot.edit_message_text(GROUP, mid, "Өзгөртүү / Изменение")
    bot.edit_message_text(GROUP, mid, "Өзгөртүү / Изменение")  # unchanged: not an error
    assert fake_telegram.chats[GROUP].messages[mid]["text"] == "Өзгөртүү / Изменение"
    pdf = tmp_path / "programme.pdf"
    pdf.write_bytes(b"%PDF-1.4 " + bytes(range(256)))
    did = bot.send_document(GROUP, pdf, caption="Программа")
    doc = fake_telegram.chats[GROUP].messages[did]
    assert doc["document"]["file_name"] == "programme.pdf" and doc["data"] == pdf.read_bytes()
    assert doc["caption"] == "Программа" and did == mid + 1
    reply = bot.send_message(GROUP, "follow-up", reply_to=mid)
    assert fake_telegram.chats[GROUP].messages[reply]["reply_to"] == mid


def test_check_reports_the_bots_membership(fake_telegram, bot):
    m = bot.check(GROUP)
    assert (m.bot_username, m.chat_title, m.status, m.can_post) == ("club_bot", "Клуб депутаток", "member", True)
    calls = fake_telegram.calls
    assert calls["getMe"] == 1 and calls["getChat"] == 1 and calls["getChatMember"] == 1


def test_flood_control_waits_retry_after_then_posts_once(fake_telegram, bot, slept):
    fake_telegram.flood("sendMessage", retry_after=3, times=2)
    mid = bot.send_message(GROUP, "text")
    assert slept == [3.0, 3.0] and fake_telegram.calls["sendMessage"] == 3
    assert fake_telegram.chats[GROUP].texts() == ["text"] and mid == 1


def test_flood_control_longer_than_the_budget_gives_up(fake_telegram, bot, slept):
    fake_telegram.flood("sendMessage", retry_after=600)
    with pytest.raises(TelegramRateLimited) as e:
        bot.send_message(GROUP, "text")
    assert e.value.retry_after == 600 and e.value.refused_before_processing
    assert slept == [] and fake_telegram.chats[GROUP].messages == {}


def test_too_long_is_refused(fake_telegram, bot):
    with pytest.raises(TelegramRefused, match="(?i)message is too long"):
        bot.send_message(GROUP, "ы" * 4097)
    assert bot.send_message(GROUP, "ы" * 4096) == 1


def test_kicked_bot_is_forbidden(fake_telegram, bot):
    fake_telegram.kick_bot(GROUP)
    with pytest.raises(TelegramForbidden, match="bot was kicked from the supergroup chat") as e:
        bot.send_message(GROUP, "text")
    assert e.value.code == 403


def test_wrong_chat_id_is_chat_not_found(fake_telegram, bot):
    with pytest.raises(TelegramChatNotFound, match="(?i)chat not found"):
        bot.send_message(-100999, "text")


def test_revoked_token_is_unauthorized_and_the_token_is_not_in_the_message(fake_telegram, bot):
    fake_telegram.revoke()
    with pytest.raises(TelegramUnauthorized) as e:
        bot.send_message(GROUP, "text")
    assert fake_telegram.token not in str(e.value) and "Unauthorized" in str(e.value)


def test_private_chats(fake_telegram, bot):
    fake_telegram.user_says(777, "/start abc")
    assert bot.send_message(777, "Сиз туташтыңыз") == 2  # her own /start was message 1
    fake_telegram.block(777)
    with pytest.raises(TelegramForbidden, match="blocked by the user"):
        bot.send_message(777, "x")


def test_get_updates_confirms_with_the_offset(fake_telegram, bot):
    a = fake_telegram.user_says(777, "/start abc")
    b = fake_telegram.user_says(888, "/stop")
    got = bot.get_updates(None)
    assert [(u.update_id, u.chat_id, u.chat_type, u.user_id, u.text) for u in got] == [
        (a, 777, "private", 777, "/start abc"), (b, 888, "private", 888, "/stop")]
    assert [u.update_id for u in bot.get_updates(b)] == [b]
    assert bot.get_updates(b + 1) == []


def test_no_answer_after_sending_is_an_unknown_outcome(fake_telegram, telegram_port):
    slow = telegram_port(timeout=0.3)
    fake_telegram.hang_after("sendMessage", 1.0)
    with pytest.raises(TelegramOutcomeUnknown):
        slow.send_message(GROUP, "posted, but the answer is lost")
    assert fake_telegram.chats[GROUP].texts() == ["posted, but the answer is lost"]


def test_server_not_reachable_is_unavailable(tmp_path: Path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = BotApiTelegram("1:x", api_url=f"http://127.0.0.1:{port}", timeout=1.0)
    try:
        with pytest.raises(TelegramUnavailable) as e:
            b.send_message(GROUP, "text")
        assert e.value.refused_before_processing
    finally:
        b.close()
