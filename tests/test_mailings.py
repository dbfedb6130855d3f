"""Mailings: languages, recipients, attachments, preview, exactly-once delivery, SMTP, admin summary."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from automation.jobs import mailings
from automation.plan.actions import actions
from automation.scheduler import run_due
from automation.workspace.local import MaildirMail, SmtpMail
from conftest import local, make_season


def _acts(ctx, **where):
    return [a for a in actions(ctx.plan) if all(getattr(a, k, None) == v or a.payload.get(k) == v for k, v in where.items())]


def _one(ctx, key):
    return next(a for a in actions(ctx.plan) if a.key == key)


def _outbox(ctx):
    return ctx.backend.mail.messages()


def test_group_mail_carries_both_languages_kyrgyz_first(season):
    a = _one(season, "ws_law_budget.programme_draft")
    res = mailings.run(season, a, a.due)
    assert res.status == "done", res.detail
    [msg] = _outbox(season)
    body = msg.get_body(("plain",)).get_content()
    assert body.index("Урматтуу") < body.index("Уважаемые")
    assert "14-июль, саат 14:00" in body and "14 июля, 14:00" in body
    # feedback deadline: draft day (14 June) + 14 days, 18:00
    assert "28-июнь, саат 18:00" in body and "28 июня, 18:00" in body
    assert msg["To"] == season.plan.club.group_email and msg["Content-Language"] == "ky, ru"
    assert [p.get_filename() for p in msg.iter_attachments()] == ["ws_law_budget.md"]
    # one message for the whole group: its delivery row counts every member
    row = season.store.db.execute("SELECT n_recipients, status FROM deliveries").fetchone()
    assert tuple(row) == (50, "sent")


def test_personal_invitations_in_her_language_with_her_link(season):
    create, invite = _one(season, "needs_2022.create"), _one(season, "needs_2022.invitation")
    run_due(season, invite.due, [create, invite])
    msgs = _outbox(season)
    assert len(msgs) == 50
    people = {p.email: p for p in season.store.roster.participants()}
    tokens = dict(season.store.db.execute("SELECT participant_id, token FROM form_links"))
    for m in msgs:
        p = people[m["To"]]
        body = m.get_body(("plain",)).get_content()
        assert p.name in body
        assert f"/t/{tokens[p.id]}" in body
        assert m["Content-Language"] == p.language
        if p.language == "ky":
            assert "Саламатсызбы" in body and "Здравствуйте" not in body
        else:
            assert "Здравствуйте" in body and "Саламатсызбы" not in body


def test_reminder_goes_only_to_non_respondents_and_not_to_who_left(season):
    create, invite, remind = (_one(season, f"needs_2022.{k}") for k in ("create", "invitation", "reminder"))
    run_due(season, invite.due, [create, invite])
    people = season.store.roster.participants()
    tokens = dict(season.store.db.execute("SELECT participant_id, token FROM form_links"))
    answered = people[:20]
    spec_answers = {"oblast": "naryn", "role": "deputy", "topics": ["topic_law"], "difficulties": ["diff_fear"],
                    "soft_topics": ["soft_communication"], "allies": "yes",
                    "topic_priority": {r: "p1" for r in ("law", "programmes", "investment", "budget", "inclusive",
                                                         "communication", "conflict", "partnership")},
                    **{k: 3 for k in ("conf_law", "conf_budget", "conf_speaking", "conf_conflict", "conf_allies",
                                      "conf_online")},
                    "tea_weekday": "wed", "tea_hour": "h17"}
    for p in answered:
        season.backend.forms.submit(tokens[p.id], spec_answers, now=invite.due)
    left = people[25]
    season.store.roster.set_active(left.email, False)
    before = len(_outbox(season))
    res = mailings.run(season, remind, remind.due)
    assert res.status == "done", res.detail
    reminded = {m["To"] for m in _outbox(season)[before:]} if False else None
    new = [m for m in _outbox(season) if m["X-Club-Action"] == remind.key]
    reminded = {m["To"] for m in new}
    expected = {p.email for p in people[20:]} - {left.email}
    assert reminded == expected and len(new) == 29


def test_big_material_goes_as_a_link(tmp_path):
    ctx = make_season(tmp_path, max_attachment_bytes=1000)  # the handout (~8 KB) is now too big to attach
    a = _one(ctx, "ws_law_budget.materials")
    assert mailings.run(ctx, a, a.due).status == "done"
    [msg] = _outbox(ctx)
    assert list(msg.iter_attachments()) == []
    assert "local_budget_handout.md" in msg.get_body(("plain",)).get_content()


def test_preview_sends_nothing_and_changes_nothing(season):
    create = _one(season, "needs_2022.create")
    run_due(season, create.due, [create])
    dump = "\n".join(season.store.db.connection.iterdump())
    out = mailings.preview(season, _one(season, "needs_2022.invitation"), create.due)
    assert len(out) == 50 and all(o.msg["Subject"] for o in out)
    assert "\n".join(season.store.db.connection.iterdump()) == dump
    assert _outbox(season) == []


class _CrashAfter:
    """A mail port that dies (as the process would) after ``k`` successful sends."""

    def __init__(self, inner: MaildirMail, k: int):
        self.inner, self.k = inner, k

    def send(self, msg, envelope_to):
        if self.k == 0:
            raise SystemExit("killed")
        self.k -= 1
        return self.inner.send(msg, envelope_to)

    def find_sent(self, mid):
        return self.inner.find_sent(mid)


@pytest.mark.parametrize("k", [0, 1, 17, 49])
def test_crash_after_k_sends_then_rerun_sends_exactly_the_rest(season, k):
    create, invite = _one(season, "needs_2022.create"), _one(season, "needs_2022.invitation")
    run_due(season, create.due, [create])
    real = season.backend.mail
    season.backend.mail = _CrashAfter(real, k)
    with pytest.raises(SystemExit):
        mailings.run(season, invite, invite.due)
    assert len(real.messages()) == k
    season.backend.mail = MaildirMail(real.path)  # a new process
    res = mailings.run(season, invite, invite.due)
    ids = [m["Message-ID"] for m in season.backend.mail.messages()]
    assert len(ids) == 50 and len(set(ids)) == 50
    assert "49 sent" in res.detail or f"{50 - k} sent" in res.detail


def test_daily_cap_defers_the_rest_to_the_next_day(tmp_path):
    ctx = make_season(tmp_path, daily_cap=30)
    create, invite = _one(ctx, "needs_2022.create"), _one(ctx, "needs_2022.invitation")
    ran = run_due(ctx, invite.due, [create, invite])
    assert ran[-1].status == "deferred" and "20 message(s) left" in ran[-1].detail
    assert len(_outbox(ctx)) == 30
    assert run_due(ctx, invite.due.replace(hour=invite.due.hour + 2), [create, invite])[-1].status == "deferred"
    assert len(_outbox(ctx)) == 30  # same day: still capped
    next_day = local(2022, 5, 15, 9)
    ran = run_due(ctx, next_day, [create, invite])
    assert ran[-1].status == "done", ran[-1].detail
    ids = [m["Message-ID"] for m in _outbox(ctx)]
    assert len(ids) == 50 and len(set(ids)) == 50


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    import socket

    with socket.socket() as s:  # a free port (aiosmtpd's readiness check cannot use port 0)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = _Sink()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield sink, port
    finally:
        ctl.stop()


def test_smtp_delivers_to_a_real_server(tmp_path, smtp_server):
    sink, port = smtp_server
    ctx = make_season(tmp_path)
    ctx.backend.mail = SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox")
    a = _one(ctx, "ws_law_budget.programme_final")
    assert mailings.run(ctx, a, a.due).status == "done"
    [(rcpts, data)] = sink.messages
    assert len(rcpts) == 50  # the local group is the roster: one message, every member in the envelope
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["To"] == ctx.plan.club.group_email and "Окончательная программа" in str(msg["Subject"])
    assert len(ctx.backend.mail.copy.messages()) == 1  # the sent copy


def test_smtp_refused_address_fails_only_that_recipient(tmp_path, smtp_server):
    sink, port = smtp_server
    ctx = make_season(tmp_path)
    ctx.store.db.execute("UPDATE participants SET email = 'bounce@example.org' WHERE email = "
                         "(SELECT email FROM participants ORDER BY email LIMIT 1)")
    ctx.backend.mail = SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox")
    create, invite = _one(ctx, "needs_2022.create"), _one(ctx, "needs_2022.invitation")
    ran = run_due(ctx, invite.due, [create, invite])
    assert ran[-1].status == "done" and "49 sent" in ran[-1].detail and "1 failed" in ran[-1].detail
    assert len(sink.messages) == 49
    row = ctx.store.db.execute("SELECT status, error FROM deliveries WHERE recipient = 'bounce@example.org'").fetchone()
    assert row["status"] == "failed" and "bounce@example.org" in row["error"]
    # the admin's next summary names it
    summary = next(a for a in actions(ctx.plan) if a.kind == "mail.admin_summary" and a.due > invite.due)
    out = mailings.compose_admin_summary(ctx, summary, summary.due)
    text = out[0].msg.get_body(("plain",)).get_content()
    assert "bounce@example.org" in text and "не доставлено" in text


def test_unknown_outcome_over_smtp_is_reported_not_resent(tmp_path, smtp_server):
    sink, port = smtp_server
    ctx = make_season(tmp_path)
    ctx.backend.mail = SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox")
    a = _one(ctx, "ws_law_budget.programme_final")
    [o] = mailings.compose_programme_final(ctx, a, a.due)
    # the intent was recorded, then the process died before the outcome was
    ctx.store.db.execute("INSERT INTO deliveries (message_id, action_key, recipient, language, subject, status,"
                         " queued_at, send_day) VALUES (?, ?, ?, 'ky+ru', 's', 'queued', '2022-07-07T04:00:00Z',"
                         " '2022-07-07')", (o.msg["Message-ID"], a.key, o.recipient))
    res = mailings.run(ctx, a, a.due)
    assert "1 unknown" in res.detail
    # not resent: the only mail is the alert to the admin (tests/test_smtp_exactly_once.py)
    assert [rcpts for rcpts, _ in sink.messages] == [[ctx.plan.club.admin_email]]
    assert ctx.store.db.execute("SELECT status FROM deliveries WHERE message_id = ?",
                                (o.msg["Message-ID"],)).fetchone()[0] == "unknown"


def test_form_closed_mail_summarises_results(season):
    acts = _acts(season, form_key="ws_law_budget.post_test")
    create = next(a for a in acts if a.kind == "form.create")
    run_due(season, create.due, [create, next(a for a in acts if a.kind == "mail.form_invitation")])
    spec_answers = {"q_representative_body": "b", "q_executive_body": "a",
                    "q_kenesh_chair": "c", "q_kenesh_session": "d", "q_kenesh_powers": ["a", "c", "e"],
                    "q_participation_forms": ["a", "c"], "q_budget_drafts": "b", "q_budget_approves": "d",
                    "q_budget_year": "a", "q_public_hearings": "c", "q_local_taxes": ["b", "d"],
                    "q_equalizing_transfer": "b", "q_participatory_budgeting": "d", "q_gender_budget": "a"}
    tokens = [r[0] for r in season.store.db.execute("SELECT token FROM form_links ORDER BY token LIMIT 2")]
    season.backend.forms.submit(tokens[0], spec_answers, now=create.due)
    season.backend.forms.submit(tokens[1], {**spec_answers, "q_budget_year": "b"}, now=create.due)
    closed = next(a for a in acts if a.kind == "mail.form_closed")
    assert mailings.run(season, closed, closed.due).status == "done"
    body = [m for m in _outbox(season) if m["X-Club-Action"] == closed.key][0].get_body(("plain",)).get_content()
    assert "Ответили: 2 из 50 (4%)" in body
    assert "Средний балл: 16.5 из 17 (97%)" in body  # 17 and 16 points


def test_a_group_larger_than_the_daily_cap_fails_with_what_to_do(tmp_path):
    ctx = make_season(tmp_path, daily_cap=20)  # 50 members in one message can never go
    a = _one(ctx, "ws_law_budget.programme_final")
    res = mailings.run(ctx, a, a.due)
    assert res.status == "failed" and _outbox(ctx) == []
    err = ctx.store.db.execute("SELECT error FROM deliveries").fetchone()[0]
    assert "50 recipients" in err and "daily_cap" in err


def test_unreachable_smtp_server_keeps_the_mail_for_the_next_tick(tmp_path, smtp_server):
    sink, port = smtp_server
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    ctx = make_season(tmp_path)
    ctx.backend.mail = SmtpMail("127.0.0.1", dead, security="none", copy_dir=tmp_path / "outbox", timeout=2)
    a = _one(ctx, "ws_law_budget.programme_final")
    [r] = run_due(ctx, a.due, [a])
    assert r.status == "failed" and "Cannot connect" in r.detail
    # nothing half-recorded (the admin's alert about the failure could not go out either: recorded as failed)
    assert ctx.store.db.execute("SELECT count(*) FROM deliveries WHERE action_key != 'admin.alert'").fetchone()[0] == 0
    ctx.backend.mail = SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox")  # fixed
    [r] = run_due(ctx, a.due, [a])
    assert r.status == "done" and len(sink.messages) == 1


def test_a_group_mail_with_one_refused_address_is_sent_and_the_address_reported(tmp_path, smtp_server):
    sink, port = smtp_server
    ctx = make_season(tmp_path)
    ctx.store.db.execute("UPDATE participants SET email = 'bounce@example.org' WHERE email = "
                         "(SELECT email FROM participants ORDER BY email LIMIT 1)")
    ctx.backend.mail = SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox")
    a = _one(ctx, "ws_law_budget.programme_final")
    res = mailings.run(ctx, a, a.due)
    assert res.status == "done" and "1 sent" in res.detail
    [(rcpts, _)] = sink.messages
    assert len(rcpts) == 49 and "bounce@example.org" not in rcpts
    row = ctx.store.db.execute("SELECT status, error FROM deliveries").fetchone()
    assert row["status"] == "sent" and "bounce@example.org" in row["error"]
    summary = next(x for x in actions(ctx.plan) if x.kind == "mail.admin_summary" and x.due > a.due)
    text = mailings.compose_admin_summary(ctx, summary, summary.due)[0].msg.get_body(("plain",)).get_content()
    assert "bounce@example.org" in text and "часть адресов отклонена" in text
