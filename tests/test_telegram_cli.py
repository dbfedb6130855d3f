"""The command line of the Telegram channel: `telegram check`, `telegram status`, `telegram repost`, and
the Telegram text beside the mail in `mail preview`; club.yaml's telegram: section.  Fake Bot API on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.cli.main import main
from automation.config import load_config
from automation.errors import ValidationError
from conftest import CLUB_PLAN
from conftest import TG_GROUP as GROUP
from fake_telegram import FakeTelegram


def _config(tmp: Path, fake: FakeTelegram, chat: int = GROUP) -> Path:
    p = tmp / "club.yaml"
    p.write_text(f"plan: {CLUB_PLAN}\nstate: {tmp / 'state.sqlite'}\nout: {tmp}\n"
                 f"telegram:\n  token_env: CLUB_TG_TOKEN\n  chat_id: {chat}\n  api_url: {fake.url}\n", encoding="utf-8")
    return p


def test_check_says_the_bot_can_post(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    assert main(["--config", str(_config(tmp_path, fake_telegram)), "telegram", "check"]) == 0
    out = capsys.readouterr().out
    assert "@club_bot" in out and "Клуб депутаток" in out and "member" in out and "OK" in out


def test_check_after_the_bot_was_removed(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    fake_telegram.kick_bot(GROUP)
    assert main(["--config", str(_config(tmp_path, fake_telegram)), "telegram", "check"]) == 1
    out = capsys.readouterr().out
    assert "бот клубдун тобунан чыгарылды" in out and "Добавьте бота в группу снова" in out


def test_check_without_the_token_variable(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.delenv("CLUB_TG_TOKEN", raising=False)
    assert main(["--config", str(_config(tmp_path, fake_telegram)), "telegram", "check"]) == 1
    assert "CLUB_TG_TOKEN" in capsys.readouterr().out


def test_status_and_repost_with_nothing_to_do(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    cfg = str(_config(tmp_path, fake_telegram))
    assert main(["--config", cfg, "telegram", "status"]) == 0
    assert "channel: running" in capsys.readouterr().out
    assert main(["--config", cfg, "telegram", "repost", "--all-unknown"]) == 0
    assert "nothing to post again" in capsys.readouterr().out
    assert main(["--config", cfg, "telegram", "repost"]) == 2  # neither keys nor --all-unknown


def test_mail_preview_shows_the_telegram_text_beside_the_mail(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    cfg = str(_config(tmp_path, fake_telegram))
    assert main(["--config", cfg, "roster", "import", str(CLUB_PLAN.parent / "roster.csv")]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "mail", "preview", "ws_law_budget.programme_draft", "--now", "2022-06-14T10:00"]) == 0
    out = capsys.readouterr().out
    mail, _, telegram = out.partition("Telegram, to the group")
    assert "Subject:" in mail and "ОТПИСАТЬСЯ" in mail
    assert "document(s) ws_law_budget.md" in telegram and "Урматтуу" in telegram and "ОТПИСАТЬСЯ" not in telegram
    assert fake_telegram.calls["sendMessage"] == 0  # a preview posts nothing


@pytest.mark.parametrize("section, problem", [
    ("  chat_id: -100\n", "telegram.token_env: required"),
    ("  token_env: T\n  chat_id: club\n", "telegram.chat_id: expected the group's numeric id"),
    ("  token_env: T\n  chat_id: -100\n  token: 123:abc\n", "telegram.token: unknown setting"),
    ("  token_env: T\n  chat_id: -100\n  api_url: ftp://x\n", "telegram.api_url: expected a URL"),
])
def test_bad_telegram_settings_are_named(tmp_path, section, problem):
    p = tmp_path / "club.yaml"
    p.write_text("telegram:\n" + section, encoding="utf-8")
    with pytest.raises(ValidationError, match=problem):
        load_config(p)


def test_the_token_comes_from_the_environment(tmp_path, monkeypatch):
    p = tmp_path / "club.yaml"
    p.write_text("telegram:\n  token_env: MY_TG\n  chat_id: '-1001'\n", encoding="utf-8")
    monkeypatch.setenv("MY_TG", "42:secret")
    cfg = load_config(p)
    assert cfg.telegram == {"token_env": "MY_TG", "chat_id": -1001, "token": "42:secret"}


def test_run_once_posts_what_is_due_and_mail_send_posts_nothing_twice(tmp_path, fake_telegram, monkeypatch, capsys):
    monkeypatch.setenv("CLUB_TG_TOKEN", fake_telegram.token)
    cfg = str(_config(tmp_path, fake_telegram))
    assert main(["--config", cfg, "roster", "import", str(CLUB_PLAN.parent / "roster.csv")]) == 0
    # 2022-07-05 17:00: the first tea talk's announcement is due (and earlier actions, caught up or skipped)
    main(["--config", cfg, "run", "--once", "--now", "2022-07-06T10:00"])
    texts = fake_telegram.chats[GROUP].texts()
    assert any("Чай" in t for t in texts), texts
    n = len(texts)
    assert main(["--config", cfg, "mail", "send", "tea_talk.2022-07-06", "--now", "2022-07-06T10:05"]) == 0
    main(["--config", cfg, "run", "--once", "--now", "2022-07-06T10:10"])
    assert len(fake_telegram.chats[GROUP].texts()) == n
