"""Mail over SMTP exactly once after a crash (issue 12): the Sent folder over IMAP settles an unknown outcome;
where it cannot, the admin is alerted at once and ``mail resend`` sends it again; the Maildir outbox's files.

The IMAP server is tests/fake_imap.py on 127.0.0.1, spoken to by the real ``imaplib``; the SMTP server is
aiosmtpd, filing what it accepts into the fake's Sent folder as a provider does.
"""

from __future__ import annotations

import email
import os
import stat
from email import policy

import pytest
import yaml

from automation.cli.main import main
from automation.app import make_context
from automation.config import load_config
from automation.errors import AutomationError, ValidationError
from automation.jobs import mailings
from automation.jobs.delivery import resend
from automation.plan.actions import actions, mail_action
from automation.scheduler import run_due
from automation.workspace.local import ImapSentFolder, MaildirMail, SmtpMail
from automation.workspace.ports import LookupUnavailable
from automation.roster import read_roster
from conftest import CLUB_PLAN, CLUB_ROSTER, free_port, make_season
from fake_imap import FakeImap

PASSWORD = "secret"


def _imap_settings(imap: FakeImap) -> dict:
    return {"host": "127.0.0.1", "port": imap.port, "username": "club@example.org", "password": PASSWORD,
            "folder": "Sent", "security": "none", "timeout": 5}


def _season(tmp_path, servers, with_imap=True):
    handler, port, imap = servers
    ctx = make_season(tmp_path)  # the same assembly as club.yaml's smtp: and imap: (build_backend)
    from automation.workspace.local import LocalBackend

    backend = LocalBackend.create(ctx.store, tmp_path, ctx.plan.club.group_email, ctx.plan.club.form_base_url,
                                  smtp={"host": "127.0.0.1", "port": port, "security": "none"},
                                  imap=_imap_settings(imap) if with_imap else None, sheets_dir=tmp_path / "sheets")
    ctx.backend.mail = backend.mail
    return ctx


class _DieAfter:
    """A mail port that dies after the k-th send: before handing the message over, or just after the server
    took it (before the local copy is written, so only the Sent folder knows)."""

    def __init__(self, inner, k, after_send):
        self.inner, self.k, self.after_send = inner, k, after_send
        self.can_find_sent = inner.can_find_sent

    def send(self, msg, envelope_to):
        if self.k == 0:
            if self.after_send:
                self.inner._connect().send_message(msg, to_addrs=envelope_to)
            raise SystemExit("killed")
        self.k -= 1
        return self.inner.send(msg, envelope_to)

    def find_sent(self, mid):
        return self.inner.find_sent(mid)


def _invite(ctx):
    acts = {a.key: a for a in actions(ctx.plan)}
    create, invite = acts["needs_2022.create"], acts["needs_2022.invitation"]
    run_due(ctx, create.due, [create])
    return invite


def _ids(handler):
    return [email.message_from_bytes(data, policy=policy.default)["Message-ID"] for _, data in handler.messages]


# --- the Sent folder over IMAP --------------------------------------------------------------------------


def test_the_sent_folder_answers_found_and_not_found(filing_smtp):
    _, _, imap = filing_smtp
    imap.file("Sent", b"Message-ID: <abc@example.org>\r\nSubject: x\r\n\r\nbody\r\n")
    folder = ImapSentFolder(**_imap_settings(imap))
    assert folder.contains("<abc@example.org>") is True
    assert folder.contains("<other@example.org>") is False
    assert "SEARCH HEADER Message-ID <abc@example.org>" in imap.commands and "EXAMINE Sent" in imap.commands


@pytest.mark.parametrize("change, expected", [
    ({"password": "wrong"}, "AUTHENTICATIONFAILED"),
    ({"folder": "Gesendet"}, "check imap.folder"),
    ({"port": "dead"}, "cannot connect"),
])
def test_an_imap_server_that_cannot_answer_is_lookup_unavailable_never_not_sent(filing_smtp, change, expected):
    _, _, imap = filing_smtp
    settings = {**_imap_settings(imap), **change}
    if settings["port"] == "dead":
        settings["port"] = free_port()
    with pytest.raises(LookupUnavailable, match=expected):
        ImapSentFolder(**settings).contains("<abc@example.org>")


def test_a_no_to_search_header_is_lookup_unavailable(filing_smtp):
    _, _, imap = filing_smtp
    imap.file("Sent", b"Message-ID: <abc@example.org>\r\n\r\nbody\r\n")
    imap.refuse_search_header = True
    with pytest.raises(LookupUnavailable, match="SEARCH HEADER"):
        ImapSentFolder(**_imap_settings(imap)).contains("<abc@example.org>")


def test_can_find_sent_only_with_the_sent_folder(tmp_path, filing_smtp):
    assert _season(tmp_path / "a", filing_smtp).backend.can_find_sent is True
    assert _season(tmp_path / "b", filing_smtp, with_imap=False).backend.can_find_sent is False


# --- crash trials ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("k, after_send", [(0, True), (17, True), (17, False), (49, True)])
def test_killed_after_the_kth_message_every_recipient_gets_it_once(tmp_path, filing_smtp, k, after_send):
    handler, _, _ = filing_smtp
    ctx = _season(tmp_path, filing_smtp)
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, k, after_send)
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    assert len(handler.messages) == k + after_send
    ctx.backend.mail = real  # a new process
    res = mailings.run(ctx, invite, invite.due)
    ids = _ids(handler)
    assert len(ids) == 50 and len(set(ids)) == 50, res.detail  # none lost, none twice, no alert
    assert "0 unknown" in res.detail
    assert ctx.store.deliveries.unknown() == []


def test_where_the_lookup_is_refused_the_admin_is_alerted_at_once_and_resend_sends_it(tmp_path, filing_smtp):
    handler, _, imap = filing_smtp
    ctx = _season(tmp_path, filing_smtp)
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 3, after_send=False)  # the 4th never reached the server
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    ctx.backend.mail = real
    imap.refuse_search_header = True
    res = mailings.run(ctx, invite, invite.due)
    assert "1 unknown" in res.detail
    [d] = ctx.store.deliveries.unknown()
    alert = email.message_from_bytes(handler.messages[-1][1], policy=policy.default)
    assert handler.messages[-1][0] == [ctx.plan.club.admin_email]
    text = alert.get_body(("plain",)).get_content()
    assert d.recipient in text and d.subject in text and invite.key in text
    assert f"python main.py mail resend '{d.message_id.strip('<>')}'" in text and "--all-unknown" in text
    assert "SEARCH HEADER" in text  # why it could not be checked
    assert text.index("Саламатсызбы!") < text.index("Здравствуйте!")  # Kyrgyz first (issue 16)
    assert f"/admin/today#{invite.key}" in text and "неизвестно, ушло ли письмо" in text
    assert d.message_id not in _ids(handler)
    # the run again sends nothing, and no second alert
    n = len(handler.messages)
    mailings.run(ctx, invite, invite.due)
    assert len(handler.messages) == n
    # the admin resends it
    [r] = resend(ctx, [d.message_id], invite.due, mailings.COMPOSERS, lambda key: mail_action(ctx.plan, key))
    assert r.status == "sent"
    assert ctx.store.deliveries.status(d.message_id) == "sent"
    assert _ids(handler).count(d.message_id) == 1
    [again] = resend(ctx, [d.message_id], invite.due, mailings.COMPOSERS, lambda key: mail_action(ctx.plan, key))
    assert again.status == "refused" and "'sent'" in again.detail
    assert _ids(handler).count(d.message_id) == 1


def test_a_resend_cut_off_by_a_crash_leaves_the_message_unknown_to_resend_again(tmp_path, filing_smtp):
    handler, _, imap = filing_smtp
    ctx = _season(tmp_path, filing_smtp, with_imap=False)
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 3, after_send=False)
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    ctx.backend.mail = real
    mailings.run(ctx, invite, invite.due)
    [d] = ctx.store.deliveries.unknown()
    ctx.backend.mail = _DieAfter(real, 0, after_send=False)
    with pytest.raises(SystemExit):
        resend(ctx, [d.message_id], invite.due, mailings.COMPOSERS, lambda key: mail_action(ctx.plan, key))
    ctx.backend.mail = real
    [still] = ctx.store.deliveries.unknown()
    assert still.message_id == d.message_id and "mail resend" in still.error
    [r] = resend(ctx, [d.message_id], invite.due, mailings.COMPOSERS, lambda key: mail_action(ctx.plan, key))
    assert r.status == "sent" and _ids(handler).count(d.message_id) == 1


class _DieOnTheAlert:
    """A mail port that dies once, just before handing the admin's alert over."""

    def __init__(self, inner):
        self.inner, self.died = inner, False
        self.can_find_sent = inner.can_find_sent

    def send(self, msg, envelope_to):
        if str(msg["X-Club-Action"]) == "admin.alert" and not self.died:
            self.died = True
            raise SystemExit("killed")
        return self.inner.send(msg, envelope_to)

    def find_sent(self, mid):
        return self.inner.find_sent(mid)


def test_an_alert_cut_off_by_a_crash_goes_out_at_the_rerun(tmp_path, filing_smtp):
    handler, _, imap = filing_smtp
    ctx = _season(tmp_path, filing_smtp, with_imap=False)
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 3, after_send=False)
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    ctx.backend.mail = _DieOnTheAlert(real)
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    assert not any(rcpts == [ctx.plan.club.admin_email] for rcpts, _ in handler.messages)
    ctx.backend.mail = real
    res = mailings.run(ctx, invite, invite.due)
    assert "1 unknown" in res.detail
    assert [rcpts for rcpts, _ in handler.messages].count([ctx.plan.club.admin_email]) == 1
    mailings.run(ctx, invite, invite.due)  # and only once
    assert [rcpts for rcpts, _ in handler.messages].count([ctx.plan.club.admin_email]) == 1


def test_resend_of_a_message_that_did_go_out_finds_it_in_the_sent_folder(tmp_path, filing_smtp):
    handler, _, imap = filing_smtp
    ctx = _season(tmp_path, filing_smtp)
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 3, after_send=True)  # the 4th went out
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    ctx.backend.mail = real
    imap.refuse_search_header = True  # a passing refusal: unknown
    mailings.run(ctx, invite, invite.due)
    [d] = ctx.store.deliveries.unknown()
    imap.refuse_search_header = False
    [r] = resend(ctx, [d.message_id], invite.due, mailings.COMPOSERS, lambda key: mail_action(ctx.plan, key))
    assert r.status == "already" and ctx.store.deliveries.status(d.message_id) == "sent"
    assert _ids(handler).count(d.message_id) == 1


def test_mail_resend_command(tmp_path, filing_smtp, monkeypatch, capsys):
    handler, port, imap = filing_smtp
    monkeypatch.setenv("CLUB_IMAP_PASSWORD", PASSWORD)
    cfg = tmp_path / "club.yaml"
    cfg.write_text(yaml.safe_dump({
        "plan": str(CLUB_PLAN), "state": "state.sqlite", "out": "out", "sheets": "sheets",
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        "imap": {"host": "127.0.0.1", "port": imap.port, "username": "club@example.org",
                 "password_env": "CLUB_IMAP_PASSWORD", "folder": "Sent", "security": "none", "timeout": 5}}))
    conf = load_config(cfg)
    assert conf.imap and conf.imap["password"] == PASSWORD and "password_env" not in conf.imap
    ctx = make_context(conf)
    ctx.store.roster.upsert(read_roster(CLUB_ROSTER).participants, source="test")
    invite = _invite(ctx)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 5, after_send=False)
    with pytest.raises(SystemExit):
        mailings.run(ctx, invite, invite.due)
    ctx.backend.mail = real
    imap.refuse_search_header = True
    mailings.run(ctx, invite, invite.due)
    [d] = ctx.store.deliveries.unknown()
    ctx.store.close()
    now = invite.due.isoformat()
    assert main(["--config", str(cfg), "mail", "resend"]) == 2  # neither ids nor --all-unknown
    assert "--all-unknown" in capsys.readouterr().err
    assert main(["--config", str(cfg), "mail", "resend", "--all-unknown", "--now", now]) == 0
    out = capsys.readouterr().out
    assert f"{d.message_id}: sent" in out
    assert _ids(handler).count(d.message_id) == 1
    assert main(["--config", str(cfg), "mail", "resend", "--all-unknown", "--now", now]) == 0
    assert "nothing to resend" in capsys.readouterr().out


# --- settings ---------------------------------------------------------------------------------------------


def _load(tmp_path, data):
    p = tmp_path / "club.yaml"
    p.write_text(yaml.safe_dump(data))
    return load_config(p)


@pytest.mark.parametrize("imap, expected", [
    ({"host": "h", "security": "tls"}, "imap.security: expected ssl, starttls or none"),
    ({"host": "h", "port": "993"}, "imap.port: expected a port number"),
    ({"port": 993}, "imap.host: required"),
    ({"host": "h", "mailbox": "Sent"}, "imap.mailbox: unknown setting"),
    ("imap.example.org", "imap: expected a mapping"),
])
def test_bad_imap_settings_are_named(tmp_path, imap, expected):
    with pytest.raises(ValidationError) as e:
        _load(tmp_path, {"smtp": {"host": "smtp.example.org"}, "imap": imap})
    assert expected in str(e.value)


def test_imap_without_smtp_is_refused_and_a_missing_password_variable_named(tmp_path, monkeypatch):
    with pytest.raises(ValidationError, match="imap: only used with smtp"):
        _load(tmp_path, {"imap": {"host": "h"}})
    monkeypatch.delenv("NO_SUCH_VARIABLE_W4", raising=False)
    with pytest.raises(AutomationError, match="imap.password_env names NO_SUCH_VARIABLE_W4"):
        _load(tmp_path, {"smtp": {"host": "s"}, "imap": {"host": "h", "password_env": "NO_SUCH_VARIABLE_W4"}})


# --- the Maildir outbox -----------------------------------------------------------------------------------


def test_outbox_files_are_the_owners_only_and_crash_leftovers_in_tmp_are_removed(tmp_path):
    box = MaildirMail(tmp_path / "outbox")
    msg = email.message.EmailMessage()
    msg["Message-ID"] = "<x@example.org>"
    msg.set_content("Салам")
    key = box.send(msg, ["a@example.org"])
    assert stat.S_IMODE(os.stat(tmp_path / "outbox" / "new" / key).st_mode) == 0o600
    leftover = tmp_path / "outbox" / "tmp" / "1700000000.M1P1Q1.host"
    leftover.write_bytes(b"To: someone@example.org\r\n\r\nher personal link\r\n")
    old = tmp_path / "outbox" / "new" / "1600000000.M1P1Q1.host"  # written by an earlier version, 0644
    old.write_bytes(b"Message-ID: <old@example.org>\r\n\r\nx\r\n")
    old.chmod(0o644)
    again = MaildirMail(tmp_path / "outbox")  # the next start
    assert not leftover.exists()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert again.find_sent("<x@example.org>") == key and again.find_sent("<old@example.org>")


def test_the_smtp_copy_is_kept_too(tmp_path, filing_smtp):
    ctx = _season(tmp_path, filing_smtp)
    a = mail_action(ctx.plan, "ws_law_budget.programme_final")
    assert mailings.run(ctx, a, a.due).status == "done"
    assert isinstance(ctx.backend.mail, SmtpMail) and len(ctx.backend.mail.copy.messages()) == 1


def test_a_remind_now_message_of_unknown_outcome_is_sent_again_by_mail_resend(tmp_path, filing_smtp, monkeypatch,
                                                                              capsys):
    """"Remind now" sends under a per-day key the plan does not have (``<form>.reminder.<day>``); a reminder
    left unknown by a crash is still composed again, same Message-ID, and sent once by ``mail resend``."""
    from datetime import timedelta

    from automation.manual import remind_now

    handler, port, imap = filing_smtp
    monkeypatch.setenv("CLUB_IMAP_PASSWORD", PASSWORD)
    cfg = tmp_path / "club.yaml"
    cfg.write_text(yaml.safe_dump({
        "plan": str(CLUB_PLAN), "state": "state.sqlite", "out": "out", "sheets": "sheets",
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        "imap": {"host": "127.0.0.1", "port": imap.port, "username": "club@example.org",
                 "password_env": "CLUB_IMAP_PASSWORD", "folder": "Sent", "security": "none", "timeout": 5}}))
    ctx = make_context(load_config(cfg))
    ctx.store.roster.upsert(read_roster(CLUB_ROSTER).participants, source="test")
    invite = _invite(ctx)
    assert mailings.run(ctx, invite, invite.due).status == "done"
    click = invite.due + timedelta(hours=1)
    real = ctx.backend.mail
    ctx.backend.mail = _DieAfter(real, 2, after_send=False)  # the process dies handing over the 3rd reminder
    with pytest.raises(SystemExit):
        remind_now(ctx, "needs_2022", "admin@example.org", click)
    ctx.backend.mail = real
    imap.refuse_search_header = True  # the Sent folder cannot tell: the second click leaves it 'unknown'
    assert remind_now(ctx, "needs_2022", "admin@example.org", click + timedelta(minutes=5)).status == "done"
    [d] = ctx.store.deliveries.unknown()
    assert d.action_key.startswith("needs_2022.reminder.") and d.action_key not in {a.key for a in actions(ctx.plan)}
    assert d.message_id not in _ids(handler)
    ctx.store.close()
    now = (click + timedelta(minutes=10)).isoformat()
    assert main(["--config", str(cfg), "mail", "resend", d.message_id, "--now", now]) == 0, capsys.readouterr().out
    assert f"{d.message_id}: sent" in capsys.readouterr().out
    assert _ids(handler).count(d.message_id) == 1
    assert main(["--config", str(cfg), "mail", "resend", "--all-unknown", "--now", now]) == 0
    assert "nothing to resend" in capsys.readouterr().out
