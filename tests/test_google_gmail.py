"""Gmail adapter against the fake Google: send, lookup by Message-ID, send-only scope, crash recovery."""
from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import pytest

from automation.context import Context
from automation.errors import BackendError, DeliveryError
from automation.jobs.mailings import Outgoing, deliver, message_id
from automation.plan.load import load_plan
from automation.store import Store
from automation.workspace.google import Connection, GmailMail, GoogleBackend
from automation.workspace.google.gmail import MAX_ATTEMPTS
from automation.workspace.ports import LookupUnavailable
from conftest import google_connection

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2022, 9, 1, 4, 0, tzinfo=dt.timezone.utc)
#: The sign-in asked for now: drafts (exactly once without trusting the Message-ID).
COMPOSE = ["https://www.googleapis.com/auth/gmail.compose"]
#: Older sign-ins: messages.send, with or without the read scope.
READ = ["https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/gmail.readonly"]
SEND_ONLY = ["https://www.googleapis.com/auth/gmail.send"]


@pytest.fixture
def fake(fake_google):
    return fake_google(user_email="amuca@gmail.com")


def connect(fake, scopes=READ, token="tok") -> Connection:
    fake.grant(token, scopes)
    return google_connection(fake, token=token, scopes=scopes)


def message(to: str, key: str = "ev.mail", body: str = "Салам! Привет!") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "АМУЦА <amuca@gmail.com>"
    msg["To"] = to
    msg["Subject"] = "Чакыруу / Приглашение"
    msg["Message-ID"] = message_id(key, to, "gmail.com")
    msg.set_content(body)
    return msg


def test_send_keeps_the_message_and_returns_gmails_id(fake):
    mail = GmailMail(connect(fake))
    msg = message("aigul@example.org")
    gid = mail.send(msg, ["aigul@example.org"])
    (record,) = fake.gmail.messages()
    assert gid == record["id"]
    (sent,) = fake.gmail.sent()
    assert sent["Message-ID"] == msg["Message-ID"] and sent.get_content().strip() == "Салам! Привет!"
    assert fake.calls == {"gmail.users.messages.send": 1}


def test_envelope_addresses_go_in_bcc(fake):
    mail = GmailMail(connect(fake))
    mail.send(message("club@gmail.com"), ["a@example.org", "b@example.org", "club@gmail.com"])
    (sent,) = fake.gmail.sent()
    assert sent["To"] == "club@gmail.com" and sent["Bcc"] == "a@example.org, b@example.org"


def test_find_sent_by_rfc822msgid_without_drafts_never_answers_not_sent(fake):
    mail = GmailMail(connect(fake))
    msg = message("aigul@example.org")
    gid = mail.send(msg, ["aigul@example.org"])
    fake.reset_calls()
    assert mail.find_sent(str(msg["Message-ID"])) == gid
    # not found proves nothing: Gmail may have replaced the Message-ID
    with pytest.raises(LookupUnavailable, match="replaced"):
        mail.find_sent("<nothing@gmail.com>")
    assert fake.calls == {"gmail.users.messages.list": 2, "gmail.users.messages.get": 1}
    assert not mail.can_find_sent


def test_send_only_scope_cannot_look_up(fake):
    mail = GmailMail(connect(fake, SEND_ONLY))
    assert mail.can_read is False
    with pytest.raises(LookupUnavailable, match="gmail.readonly"):
        mail.find_sent("<x@gmail.com>")
    assert sum(fake.calls.values()) == 0
    # credentials that do not say their scopes: Gmail's 403 tells
    fake.grant("send-only", SEND_ONLY)
    unknown = GmailMail(google_connection(fake, token="send-only"))
    assert unknown.can_read is None and unknown.use_drafts
    msg = message("a@example.org")
    unknown.send(msg, ["a@example.org"])  # drafts.create: 403, nothing made; sent with messages.send
    assert not unknown.use_drafts and fake.ok_calls == {"gmail.users.messages.send": 1}
    with pytest.raises(LookupUnavailable):
        unknown.find_sent(str(msg["Message-ID"]))
    assert unknown.can_read is False


def test_more_than_100_recipients_are_split_into_bcc_batches(fake):
    mail = GmailMail(connect(fake))
    envelope = [f"p{i}@example.org" for i in range(250)]
    msg = message("club@gmail.com")
    ids = mail.send(msg, envelope)
    assert len(ids.split(",")) == 3 and fake.calls == {"gmail.users.messages.send": 3}
    sent = fake.gmail.sent()
    bcc = [a.strip() for m in sent for a in m["Bcc"].split(",")]
    assert sorted(bcc) == sorted(envelope)
    assert [m["X-Club-Part"] for m in sent] == ["1/3", "2/3", "3/3"]
    assert sent[0]["Message-ID"] == msg["Message-ID"] and len({m["Message-ID"] for m in sent}) == 3
    assert mail.find_sent(str(msg["Message-ID"])) == ids


def test_too_many_visible_recipients_is_a_delivery_error(fake):
    mail = GmailMail(connect(fake), max_recipients=2)
    with pytest.raises(DeliveryError, match="at most 2"):
        mail.send(message("a@x.org, b@x.org, c@x.org"), ["a@x.org"])


def test_a_large_message_is_uploaded(fake):
    mail = GmailMail(connect(fake), upload_threshold=1000)
    msg = message("a@example.org", body="сөз " * 2000)
    mail.send(msg, ["a@example.org"])
    (sent,) = fake.gmail.sent()
    assert sent["Message-ID"] == msg["Message-ID"]


def test_429_is_retried_and_500_is_checked_before_retrying(fake):
    mail = GmailMail(connect(fake, COMPOSE))
    fake.fail_next(1, 429, "gmail.users.drafts.send")
    fake.fail_next(1, 500, "gmail.users.drafts.send")
    mail.send(message("a@example.org"), ["a@example.org"])
    assert len(fake.gmail.messages()) == 1
    assert fake.calls["gmail.users.drafts.get"] == 1  # after the 500: the draft is still there, so sent again
    assert fake.calls["gmail.users.drafts.create"] == 1 and fake.gmail.drafts == {"amuca@gmail.com": {}}


def test_500_after_gmail_sent_the_draft_is_not_resent(fake):
    mail = GmailMail(connect(fake, COMPOSE))
    handle = fake.handle

    def sends_then_fails(method, path, *a, **kw):  # Gmail sends the draft, then the answer is a 500
        reply = handle(method, path, *a, **kw)
        if path.endswith("/drafts/send") and reply.status == 200 and not fake.gmail.messages()[1:]:
            from fake_google.errors import canned
            from fake_google.server import Reply
            return Reply.error(canned(500))
        return reply

    fake.handle = sends_then_fails
    gid = mail.send(message("a@example.org"), ["a@example.org"])
    assert len(fake.gmail.messages()) == 1 and gid.startswith("sent-draft:")
    assert fake.calls["gmail.users.drafts.get"] == 1


def test_500_without_drafts_is_not_resent_when_not_found(fake):
    """Without drafts, "not in the sent mail" may only mean Gmail replaced the Message-ID: never resent."""
    mail = GmailMail(connect(fake))
    fake.fail_next(1, 500, "gmail.users.messages.send")
    with pytest.raises(BackendError, match="replaced"):
        mail.send(message("a@example.org"), ["a@example.org"])
    assert fake.calls["gmail.users.messages.send"] == 1


def test_500_with_send_only_scope_is_not_resent(fake):
    mail = GmailMail(connect(fake, SEND_ONLY))
    fake.fail_next(1, 500, "gmail.users.messages.send")
    with pytest.raises(BackendError, match="cannot search"):
        mail.send(message("a@example.org"), ["a@example.org"])
    assert fake.calls == {"gmail.users.messages.send": 1}


# --- the mail job: crash after k of n, rerun sends the n - k missing ----------------------------


class Crash(Exception):
    pass


class CrashingMail:
    """The real GmailMail, with the process 'dying' after ``after`` sends (optionally right after Gmail took one)."""

    def __init__(self, mail: GmailMail, after: int, send_then_die: bool = False):
        self.mail, self.after, self.send_then_die, self.sent = mail, after, send_then_die, 0

    def send(self, msg, envelope_to):
        if self.sent == self.after:
            if self.send_then_die:
                self.mail.send(msg, envelope_to)
            raise Crash()
        self.sent += 1
        return self.mail.send(msg, envelope_to)

    def find_sent(self, message_id):
        return self.mail.find_sent(message_id)


def job_context(fake, scopes=COMPOSE) -> Context:
    store = Store(":memory:")
    backend = GoogleBackend.connect(connect(fake, scopes), store, "club@gmail.com", groups="roster")
    return Context(store=store, plan=load_plan(ROOT / "examples/club2022/plan.yaml"), backend=backend,
                   out_dir=Path("/nonexistent"), daily_cap=10_000)


def outgoing(n: int) -> list[Outgoing]:
    return [Outgoing(f"p{i}@example.org", "ky", message(f"p{i}@example.org", "ev.invite"), [f"p{i}@example.org"])
            for i in range(n)]


def statuses(ctx: Context) -> dict[str, int]:
    rows = ctx.store.db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall()
    return {r[0]: r[1] for r in rows}


@pytest.mark.parametrize("send_then_die", [False, True])
def test_crash_after_k_of_n_then_rerun_sends_exactly_the_missing(fake, send_then_die):
    n, k = 8, 3
    ctx = job_context(fake)
    real = ctx.backend.mail
    ctx.backend.mail = CrashingMail(real, after=k, send_then_die=send_then_die)
    with pytest.raises(Crash):
        deliver(ctx, "ev.invite", outgoing(n), NOW)
    assert len(fake.gmail.messages()) == k + send_then_die
    ctx.backend.mail = real
    fake.reset_calls()
    result = deliver(ctx, "ev.invite", outgoing(n), NOW)
    assert result.status == "done", result.detail
    assert fake.calls["gmail.users.drafts.send"] == n - k - send_then_die
    assert len(fake.gmail.messages()) == n
    assert sorted(m["To"] for m in fake.gmail.sent()) == sorted(f"p{i}@example.org" for i in range(n))
    assert statuses(ctx) == {"sent": n}
    ids = {r[0] for r in ctx.store.db.execute("SELECT provider_id FROM deliveries")}
    assert ids == {m["id"] for m in fake.gmail.messages()}  # the store kept Gmail's answer to drafts.send
    # and a third run sends nothing
    fake.reset_calls()
    deliver(ctx, "ev.invite", outgoing(n), NOW)
    assert fake.calls["gmail.users.drafts.send"] == 0 and fake.calls["gmail.users.messages.send"] == 0



def test_crash_with_send_only_scope_reports_unknown_instead_of_resending(fake):
    n, k = 5, 2
    ctx = job_context(fake, SEND_ONLY)
    real = ctx.backend.mail
    ctx.backend.mail = CrashingMail(real, after=k, send_then_die=True)
    with pytest.raises(Crash):
        deliver(ctx, "ev.invite", outgoing(n), NOW)
    ctx.backend.mail = real
    result = deliver(ctx, "ev.invite", outgoing(n), NOW)
    assert "1 unknown" in result.detail
    # the uncertain one went out once and was not resent; the one more is the alert to the admin
    assert len(fake.gmail.messages()) == n + 1
    assert statuses(ctx) == {"sent": n - 1 + 1, "unknown": 1}  # + 1: the alert


def test_failure_between_parts_of_a_split_message_resends_only_the_missing_part(fake):
    ctx = job_context(fake)
    envelope = [f"p{i}@example.org" for i in range(250)]
    msg = message("club@gmail.com", "ev.materials")
    job = [Outgoing("group:club@gmail.com", "ky+ru", msg, envelope)]
    # Gmail takes parts 1 and 2, then fails (500) on every attempt at part 3: the job stops, outcome unknown
    fake.fail_next(MAX_ATTEMPTS, 500, "gmail.users.drafts.send", after=2)
    with pytest.raises(BackendError, match="stays queued"):
        deliver(ctx, "ev.materials", job, NOW)
    assert len(fake.gmail.messages()) == 2 and statuses(ctx) == {"queued": 1}
    fake.reset_calls()
    assert deliver(ctx, "ev.materials", job, NOW).status == "done"
    assert fake.calls["gmail.users.drafts.send"] == 1  # only part 3, from the draft made in the first run
    assert fake.calls["gmail.users.drafts.create"] == 0
    sent = fake.gmail.sent()
    assert [m["X-Club-Part"] for m in sent] == ["1/3", "2/3", "3/3"]
    assert sorted(a.strip() for m in sent for a in m["Bcc"].split(",")) == sorted(envelope)
    (row,) = ctx.store.db.execute("SELECT status, provider_id FROM deliveries").fetchall()
    assert row[0] == "sent" and row[1] == ",".join(m["id"] for m in fake.gmail.messages())


def test_revoked_sign_in_says_run_auth(fake):
    from automation.workspace.google import GoogleAuthError

    mail = GmailMail(connect(fake))
    fake.revoke("tok")
    with pytest.raises(GoogleAuthError, match="python main.py auth"):
        mail.send(message("a@example.org"), ["a@example.org"])
    assert fake.gmail.messages() == []


# --- Gmail replaces the Message-ID (the fake's pessimistic mode) ---------------------------------------


@pytest.fixture
def pessimistic(fake_google):
    return fake_google(user_email="amuca@gmail.com", pessimistic=True)


def restarted(ctx: Context, fake, scopes) -> Context:
    """The same store in a new process: a new backend, nothing remembered in memory."""
    backend = GoogleBackend.connect(connect(fake, scopes), ctx.store, "club@gmail.com", groups="roster")
    return Context(store=ctx.store, plan=ctx.plan, backend=backend, out_dir=ctx.out_dir, daily_cap=ctx.daily_cap)


def test_message_id_is_replaced_in_pessimistic_mode(pessimistic):
    mail = GmailMail(connect(pessimistic, READ))
    msg = message("a@example.org")
    mail.send(msg, ["a@example.org"])
    (sent,) = pessimistic.gmail.sent()
    assert sent["Message-ID"] != msg["Message-ID"] and sent["Message-ID"].endswith("@mail.gmail.com>")


@pytest.mark.parametrize("scopes", [COMPOSE, READ], ids=["drafts", "messages.send+readonly"])
def test_crash_after_gmail_took_a_message_whose_id_it_replaced_sends_nobody_two(pessimistic, scopes):
    """The issue's scenario: Gmail sends the 3rd of 5 messages under its own Message-ID, the process dies
    before anything is recorded; the rerun must not send it again (today's main sent 6 to 5 recipients)."""
    n = 5
    ctx = job_context(pessimistic, scopes)
    mail = ctx.backend.mail
    seen = {"n": 0}
    if scopes == COMPOSE:
        real = mail.drafts._sent

        def die_after_the_third(*a):  # Gmail answered drafts.send; the process dies before storing it
            seen["n"] += 1
            if seen["n"] == 3:
                raise Crash()
            return real(*a)

        mail.drafts._sent = die_after_the_third
    else:
        real = mail._send_one

        def die_after_the_third(part):
            gid = real(part)
            seen["n"] += 1
            if seen["n"] == 3:
                raise Crash()
            return gid

        mail._send_one = die_after_the_third
    with pytest.raises(Crash):
        deliver(ctx, "ev.invite", outgoing(n), NOW)
    assert len(pessimistic.gmail.messages()) == 3
    ctx = restarted(ctx, pessimistic, scopes)
    result = deliver(ctx, "ev.invite", outgoing(n), NOW)
    to = [m["To"] for m in pessimistic.gmail.sent()]
    admin = ctx.plan.club.admin_email
    participants = [t for t in to if t != admin]  # the admin's alert, if any
    assert sorted(participants) == sorted(set(participants)), f"someone got a message twice: {to}"
    if scopes == COMPOSE:  # the draft is gone, so it was sent: recorded, nothing unknown
        assert result.status == "done" and "0 unknown" in result.detail, result.detail
        assert sorted(participants) == [f"p{i}@example.org" for i in range(n)]
        assert statuses(ctx) == {"sent": n}
        assert pessimistic.calls["gmail.users.drafts.get"] == 1
    else:  # no way to tell: reported to the admin, not resent
        assert "1 unknown" in result.detail, result.detail
        assert len(participants) == n and to.count(admin) == 1


def test_a_draft_sent_while_its_answer_was_lost_is_found_in_its_thread_with_the_read_scope(pessimistic):
    """The draft is gone, so it was sent; with gmail.readonly the message's own id is found by the draft's
    recorded thread id (without it the ledger keeps 'sent-draft:<draft id>')."""
    ctx = job_context(pessimistic, COMPOSE + ["https://www.googleapis.com/auth/gmail.readonly"])
    real = ctx.backend.mail.drafts._sent
    ctx.backend.mail.drafts._sent = lambda *a: (_ for _ in ()).throw(Crash())  # dies once Gmail answered
    with pytest.raises(Crash):
        deliver(ctx, "ev.invite", outgoing(1), NOW)
    ctx.backend.mail.drafts._sent = real
    ctx = restarted(ctx, pessimistic, COMPOSE + ["https://www.googleapis.com/auth/gmail.readonly"])
    assert deliver(ctx, "ev.invite", outgoing(1), NOW).status == "done"
    (only,) = pessimistic.gmail.messages()
    assert ctx.store.db.execute("SELECT provider_id FROM deliveries").fetchone()[0] == only["id"]
    assert pessimistic.calls["gmail.users.threads.get"] == 1
