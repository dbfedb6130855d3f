"""Mailings: languages, recipients, attachments, preview, exactly-once delivery, SMTP, admin summary."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest

from automation.jobs import mailings
from automation.plan.actions import actions
from automation.scheduler import run_due
from automation.workspace.local import MaildirMail, SmtpMail
from conftest import free_port, local, make_season, running_smtp


def _acts(ctx, **where):
    return [a for a in actions(ctx.plan) if all(getattr(a, k, None) == v or a.payload.get(k) == v for k, v in where.items())]


def _one(ctx, key):
    return next(a for a in actions(ctx.plan) if a.key == key)


def _outbox(ctx):
    """The mails to participants (the admin's alert mails, jobs/alerts.py, left out)."""
    return [m for m in ctx.backend.mail.messages() if m["X-Club-Action"] != "admin.alert"]


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
    assert [p.get_filename() for p in msg.iter_attachments()] == ["ws_law_budget.pdf"]  # Markdown goes as PDF
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
    sink = _Sink()
    with running_smtp(sink) as port:
        yield sink, port


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


POST_ANSWERS = {"q_representative_body": "b", "q_executive_body": "a",
                "q_kenesh_chair": "c", "q_kenesh_session": "d", "q_kenesh_powers": ["a", "c", "e"],
                "q_participation_forms": ["a", "c"], "q_budget_drafts": "b", "q_budget_approves": "d",
                "q_budget_year": "a", "q_public_hearings": "c", "q_local_taxes": ["b", "d"],
                "q_equalizing_transfer": "b", "q_participatory_budgeting": "d", "q_gender_budget": "a"}
AFTER = ("ws_law_budget.best_practice_vote", "ws_law_budget.event_feedback", "ws_law_budget.post_test")


def _after_event(ctx, kind):
    """The ws_law_budget actions of ``kind`` for the three forms given after it, in run order."""
    return sorted((a for a in actions(ctx.plan) if a.kind == kind and a.payload.get("form_key") in AFTER),
                  key=lambda a: a.key)


def _open_after_forms(ctx):
    creates, invites = _after_event(ctx, "form.create"), _after_event(ctx, "mail.form_invitation")
    return run_due(ctx, invites[0].due, creates + invites)


def _post_tokens(ctx, n):
    return [r[0] for r in ctx.store.db.execute(
        "SELECT token FROM form_links WHERE form_key = 'ws_law_budget.post_test' ORDER BY token LIMIT ?", (n,))]


def test_invitations_of_one_event_at_one_moment_go_in_one_mail(season):
    ran = _open_after_forms(season)
    assert [r.status for r in ran] == ["done"] * 6
    first, *others = [r for r in ran if r.action.kind == "mail.form_invitation"]
    assert "50 sent" in first.detail and all("0 sent, 50 already sent" in r.detail for r in others)
    msgs = _outbox(season)
    assert len(msgs) == 50 and len({m["To"] for m in msgs}) == 50  # one mail each, not three
    tokens = {}
    for form_key, pid, token in season.store.db.execute("SELECT form_key, participant_id, token FROM form_links"):
        tokens.setdefault(pid, {})[form_key] = token
    people = {p.email: p for p in season.store.roster.participants()}
    for m in msgs:
        p, body = people[m["To"]], m.get_body(("plain",)).get_content()
        assert sorted(tokens[p.id]) == sorted(AFTER)
        assert all(f"/t/{t}" in body for t in tokens[p.id].values())  # her three personal links
        if p.language == "ru":
            assert m["Subject"] == ("Просим заполнить: пост-тест, оценка мероприятия и голосование — "
                                    "«Местное самоуправление: законодательство и местный бюджет»")
            assert body.count("Срок: до 21 июля, 18:00.") == 1  # one deadline for the three: said once
        else:
            assert m["Subject"].startswith("Толтуруп бериңиз: пост-тест, иш-чараны баалоо жана добуш берүү — «")
    # run again (by hand: the ledger says done), each action of the bundle sends nothing more
    for a in _after_event(season, "mail.form_invitation"):
        assert "0 sent, 50 already sent" in mailings.run(season, a, a.due).detail
    assert len(_outbox(season)) == 50


def test_a_form_created_late_goes_alone_to_those_who_got_the_others(season):
    creates, invites = _after_event(season, "form.create"), _after_event(season, "mail.form_invitation")
    vote = creates[0]  # its creation fails (as when Google answers 503 five times in a row)
    assert vote.key == "ws_law_budget.best_practice_vote.create"
    season.store.ledger.record(vote.key, vote.kind, vote.event_id, vote.due, "failed", "503", vote.due)
    ran = run_due(season, invites[0].due, creates[1:] + invites)  # the vote's form is not created yet
    assert [(r.action.key, r.status) for r in ran if r.action.kind == "mail.form_invitation"] == [
        ("ws_law_budget.best_practice_vote.invitation", "failed"),
        ("ws_law_budget.event_feedback.invitation", "deferred"), ("ws_law_budget.post_test.invitation", "deferred")]
    assert _outbox(season) == []  # waiting for the vote, to go in one mail
    hour = invites[0].due + timedelta(hours=1)
    ran = run_due(season, hour, creates[1:] + invites)  # an hour later the others go without it
    assert [r.status for r in ran] == ["failed", "done", "done"]
    first = _outbox(season)
    assert len(first) == 50 and all("олосование" not in m["Subject"] for m in first)
    ran = run_due(season, hour, creates + invites)  # the next tick: the vote is created and announced alone
    assert [r.status for r in ran] == ["done", "done"]
    ids = {m["Message-ID"] for m in first}
    late = [m for m in _outbox(season) if m["Message-ID"] not in ids]  # (Maildir key order is not send order)
    assert {m["X-Club-Action"] for m in late} == {"ws_law_budget.best_practice_vote.invitation"}
    assert len(late) == 50 and len({m["Subject"] for m in late} & {m["Subject"] for m in first}) == 0
    vote = dict(season.store.db.execute(
        "SELECT participant_id, token FROM form_links WHERE form_key = 'ws_law_budget.best_practice_vote'"))
    post = set(dict(season.store.db.execute(
        "SELECT participant_id, token FROM form_links WHERE form_key = 'ws_law_budget.post_test'")).values())
    for m in late:  # only the vote's link: the others she has
        body = m.get_body(("plain",)).get_content()
        assert sum(f"/t/{t}" in body for t in vote.values()) == 1 and not any(f"/t/{t}" in body for t in post)


@pytest.mark.parametrize("k", [0, 1, 30])
def test_a_bundle_cut_off_after_k_sends_is_finished_exactly_once(season, k):
    creates, invites = _after_event(season, "form.create"), _after_event(season, "mail.form_invitation")
    run_due(season, invites[0].due, creates)
    real = season.backend.mail
    season.backend.mail = _CrashAfter(real, k)
    with pytest.raises(SystemExit):
        mailings.run(season, invites[0], invites[0].due)
    season.backend.mail = MaildirMail(real.path)  # a new process; another action of the bundle runs first
    for a in [invites[2], invites[0], invites[1]]:
        assert mailings.run(season, a, a.due).status == "done"
    ids = [m["Message-ID"] for m in season.backend.mail.messages()]
    assert len(ids) == 50 and len(set(ids)) == 50


def test_one_reminder_names_only_the_forms_she_has_not_answered(season):
    _open_after_forms(season)
    people = season.store.roster.participants()
    links = dict(season.store.db.execute(
        "SELECT participant_id, token FROM form_links WHERE form_key = 'ws_law_budget.post_test'"))
    season.backend.forms.submit(links[people[0].id], POST_ANSWERS, now=_after_event(season, "form.create")[0].due)
    reminders = _after_event(season, "mail.form_reminder")
    assert len({a.due for a in reminders}) == 1
    ran = run_due(season, reminders[0].due, reminders)
    assert [r.status for r in ran] == ["done"] * 3
    new = [m for m in _outbox(season) if m["X-Club-Action"].endswith(".reminder")]
    assert len(new) == 50  # one each, not three
    mine = next(m for m in new if m["To"] == people[0].email)
    body = mine.get_body(("plain",)).get_content()
    assert "ост-тест" not in mine["Subject"] and links[people[0].id] not in body
    other = next(m for m in new if m["To"] == people[1].email)
    assert "ост-тест" in other["Subject"] and links[people[1].id] in other.get_body(("plain",)).get_content()


def test_form_closed_mail_summarises_results(season):
    _open_after_forms(season)
    tokens = _post_tokens(season, 3)
    at = _after_event(season, "form.create")[0].due
    season.backend.forms.submit(tokens[0], POST_ANSWERS, now=at)
    season.backend.forms.submit(tokens[1], {**POST_ANSWERS, "q_budget_year": "b"}, now=at)
    season.backend.forms.submit(tokens[2], POST_ANSWERS, now=at)
    closes = _after_event(season, "form.close") + _after_event(season, "mail.form_closed")
    ran = run_due(season, closes[0].due, closes)
    # the feedback and the vote had no answers: their actions are skipped, the post-test's sends
    assert [(r.action.key, r.status) for r in ran if r.action.kind == "mail.form_closed"] == [
        ("ws_law_budget.best_practice_vote.results", "skipped"), ("ws_law_budget.event_feedback.results", "skipped"),
        ("ws_law_budget.post_test.results", "done")]
    [msg] = [m for m in _outbox(season) if m["X-Club-Action"].endswith(".results")]
    body = msg.get_body(("plain",)).get_content()
    assert "Получено ответов: 3 из 50 (6%)" in body
    assert "Средний балл: 16,7 из 17 (98%)" in body  # 17, 16 and 17 points (a decimal comma)
    # the feedback and the vote had no answers: not in the mail
    assert "Оценка мероприятия" not in body and "олосование" not in body
    assert msg["Subject"].endswith("Итоги: пост-тест — «Местное самоуправление: законодательство и местный бюджет»")


def test_no_results_mail_with_fewer_answers_than_the_minimum_group(season):
    _open_after_forms(season)
    tokens = _post_tokens(season, 2)
    at = _after_event(season, "form.create")[0].due
    for t in tokens:
        season.backend.forms.submit(t, POST_ANSWERS, now=at)
    closes = _after_event(season, "form.close") + _after_event(season, "mail.form_closed")
    ran = run_due(season, closes[0].due, closes)
    results = [r for r in ran if r.action.kind == "mail.form_closed"]
    assert [r.status for r in results] == ["skipped"] * 3
    assert all("fewer than 3 responses" in r.detail for r in results)
    assert [m for m in _outbox(season) if m["X-Club-Action"].endswith(".results")] == []


def test_a_group_larger_than_the_daily_cap_fails_with_what_to_do(tmp_path):
    ctx = make_season(tmp_path, daily_cap=20)  # 50 members in one message can never go
    a = _one(ctx, "ws_law_budget.programme_final")
    res = mailings.run(ctx, a, a.due)
    assert res.status == "failed" and _outbox(ctx) == []
    err = ctx.store.db.execute("SELECT error FROM deliveries").fetchone()[0]
    assert "50 recipients" in err and "daily_cap" in err


def test_unreachable_smtp_server_keeps_the_mail_for_the_next_tick(tmp_path, smtp_server):
    sink, port = smtp_server
    dead = free_port()  # a port where nothing listens
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


def test_a_bundle_mail_of_unknown_outcome_is_resent_whole_by_mail_resend(season):
    from automation.jobs.delivery import resend
    from automation.plan.actions import mail_action

    _open_after_forms(season)
    [mid] = [r[0] for r in season.store.db.execute("SELECT message_id FROM deliveries ORDER BY message_id LIMIT 1")]
    season.store.db.execute("UPDATE deliveries SET status = 'unknown' WHERE message_id = ?", (mid,))
    import mailbox

    box = mailbox.Maildir(str(season.backend.mail.path), factory=None, create=False)
    [key] = [k for k in box.iterkeys() if box.get_message(k)["Message-ID"] == mid]
    box.remove(key)  # it never arrived: not in the sent mail either
    season.backend.mail = MaildirMail(season.backend.mail.path)  # a new process, reading the folder afresh
    inv = _after_event(season, "mail.form_invitation")[0]
    [r] = resend(season, [mid], inv.due, mailings.COMPOSERS, lambda key: mail_action(season.plan, key))
    assert r.status == "sent", r.detail
    again = [m for m in _outbox(season) if m["Message-ID"] == mid]
    assert len(again) == 1 and again[0].get_body(("plain",)).get_content().count("/t/") == 3


def test_each_personal_form_mail_passes_through_the_kits_hook(season):
    from automation.jobs import form_mails

    creates, invites = _after_event(season, "form.create"), _after_event(season, "mail.form_invitation")
    run_due(season, invites[0].due, creates)
    seen = []

    def personal(ctx, action, kind, values, p):
        assert action.key == "ws_law_budget.post_test+event_feedback+best_practice_vote.invitation"
        seen.append((kind, p.email, len(values["forms"])))
        return {**values, "participant_name": "Hook"}

    kit = form_mails.MailKit(mailings.build_message, mailings._group_outgoing, False, personal)
    out = form_mails.invitations(season, kit, invites[0], invites[0].due)
    assert len(out) == 50 and len(seen) == 50 and {(k, n) for k, _, n in seen} == {("form_invitation", 3)}
    assert all("Hook" in o.msg.get_body(("plain",)).get_content() for o in out)


def test_results_lines_words_and_numbers():
    from automation.jobs.form_mails import _dec, _votes_ru

    assert [_votes_ru(n) for n in (1, 2, 5, 11, 12, 21, 22, 25, 101, 111)] == [
        "голос", "голоса", "голосов", "голосов", "голосов", "голос", "голоса", "голосов", "голос", "голосов"]
    assert _dec(12.84) == "12,8" and _dec(4.0) == "4,0"


def test_a_long_homework_title_is_cut_in_the_subject_only():
    from automation.mail.render import shorten

    title = "Подготовьте и проведите встречу с жителями вашего айылного аймака по проекту местного бюджета на 2023 год"
    assert shorten(title) == "Подготовьте и проведите встречу с жителями вашего айылного…"
    assert len(shorten(title)) <= 61 and shorten("Коротко") == "Коротко"
