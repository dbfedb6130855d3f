"""The scheduler on the local backend: due actions run once, missed ones are skipped with a reason,
failures are recorded and retried, mail goes out exactly once (also after a crash) and within the daily cap.

Each test builds its own season in ``tmp_path`` through ``automation.app.make_context``
with a ``club.yaml`` there: a one-event plan, a five-person roster, a real SQLite
state file and a Maildir outbox whose files are counted.

The plan's event ``ws1`` is an online workshop on Thu 15 Sep 2022 14:00–16:00, so:
draft programme Tue 16 Aug 10:00 (useful until the feedback deadline 30 Aug 18:00),
final programme 8 Sep 10:00 and the prepare notice 13 Sep 10:00 (both useful until
the start), forms created and announced 15 Sep 16:00, reminders 20 Sep 18:00,
deadline 22 Sep 18:00; the admin's summary every Monday 09:00 from 22 Aug.
"""

from __future__ import annotations

import email
import mailbox
from datetime import datetime, timedelta
from email import policy
from pathlib import Path

import pytest

from automation.cli.main import main
from automation.app import make_context
from automation.config import load_config
from automation.context import Context
from automation.jobs.mailings import message_id
from automation.model import BISHKEK, iso
from automation.plan.actions import actions
from automation.roster import read_roster
from automation.scheduler import run_due
from automation.workspace.local import SmtpMail
from conftest import local as L  # noqa: N812

ROSTER = """name,email,phone,oblast,municipality,role,language
Айгүл Токтосунова,aigul@example.org,,naryn,Ат-Башы,deputy,ky
Бермет Осмонова,bermet@example.org,,osh,Кара-Суу,deputy,ru
Чынара Исакова,chynara@example.org,,issyk-kul,Каракол,activist,ky
Елена Ким,elena@example.org,,jalal-abad,Токтогул,candidate,ru
Жибек Өмүрбекова,zhibek@example.org,,naryn,Кочкор,deputy,ky
"""
EMAILS = sorted(["aigul@example.org", "bermet@example.org", "chynara@example.org", "elena@example.org",
                 "zhibek@example.org"])


TITLE = "{ky: Жергиликтүү бюджет, ru: Местный бюджет}"
LONG_TITLE = ('{ky: "Жергиликтүү өз алдынча башкаруу: мыйзамдар жана жергиликтүү бюджет", '
              'ru: "Местное самоуправление: законодательство и местный бюджет"}')


def plan_text(presenters: tuple[str, ...], vote: bool, title: str = TITLE) -> str:
    forms = "      - template: event_feedback\n" + ("      - template: best_practice_vote\n" if vote else "")
    return f"""club:
  name: {{ky: Аял депутаттардын клубу, ru: Клуб женщин-депутатов}}
  group_email: club@example.org
  admin_email: admin@example.org
events:
  - id: ws1
    title: {title}
    format: online_workshop
    start: 2022-09-15 14:00
    end: 2022-09-15 16:00
    link: https://meet.example.org/ws1
    programme: programme.md
    presenters: [{", ".join(presenters)}]
    forms:
{forms}"""


def write_season(tmp: Path, presenters: tuple[str, ...] = ("aigul@example.org",), vote: bool = True,
                 title: str = TITLE) -> Path:
    (tmp / "plan.yaml").write_text(plan_text(presenters, vote, title), encoding="utf-8")
    (tmp / "programme.md").write_text("# Программа / Программа\n09:00 — ачылыш / открытие\n", encoding="utf-8")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    cfg = tmp / "club.yaml"
    cfg.write_text("plan: plan.yaml\nstate: state.sqlite\nout: out\nsheets: out/sheets\n", encoding="utf-8")
    return cfg


def open_ctx(cfg: Path, **kw) -> Context:
    """A Context as the service builds it (a new one = the service restarted)."""
    ctx = make_context(load_config(cfg))
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def season(tmp: Path, presenters: tuple[str, ...] = ("aigul@example.org",), vote: bool = True,
           title: str = TITLE, **kw) -> Context:
    cfg = write_season(tmp, presenters, vote, title)
    ctx = open_ctx(cfg, **kw)
    ctx.store.roster.upsert(read_roster(tmp / "roster.csv").participants, source="test",
                                  now=L(2022, 8, 1))
    return ctx


def outbox(tmp: Path, alerts: bool = False) -> list[email.message.EmailMessage]:
    """The outbox's messages; the admin's alert mails (tests/test_alerts.py) only with ``alerts``."""
    box = mailbox.Maildir(str(tmp / "out" / "outbox"), factory=None, create=False)
    out = []
    for key in sorted(box.iterkeys()):
        with box.get_file(key) as fh:
            out.append(email.message_from_binary_file(fh, policy=policy.default))
    return [m for m in out if alerts or m["X-Club-Action"] != "admin.alert"]


def n_files(tmp: Path, alerts: bool = False) -> int:
    """The outbox's messages, leaving out the admin's alert mails unless ``alerts``."""
    d = tmp / "out" / "outbox"
    if not d.exists():
        return 0
    return len(outbox(tmp, alerts))


def text_of(msg: email.message.EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def ran(results) -> list[tuple[str, str]]:
    return [(r.action.key, r.status) for r in results]


# --- a tick runs what is due, once ---------------------------------------------------


def test_run_due_runs_the_due_action_and_a_second_tick_runs_nothing(tmp_path):
    ctx = season(tmp_path)
    assert run_due(ctx, L(2022, 8, 16, 9, 59)) == []
    assert not (tmp_path / "out" / "outbox" / "new").exists() or n_files(tmp_path) == 0

    first = run_due(ctx, L(2022, 8, 16, 10, 0))
    assert ran(first) == [("ws1.programme_draft", "done")]
    assert first[0].detail == "1 sent, 0 already sent, 0 failed, 0 unknown"
    assert n_files(tmp_path) == 1
    (msg,) = outbox(tmp_path)
    assert msg["X-Club-Action"] == "ws1.programme_draft"
    assert msg["To"] == "club@example.org"
    assert msg["Message-ID"] == message_id("ws1.programme_draft", "group:club@example.org", "example.org")
    body = text_of(msg)
    # both languages in one group mail, Kyrgyz first, with the feedback deadline (16 Aug + 14 days, 18:00)
    assert body.index("30-август, саат 18:00") < body.index("30 августа, 18:00")
    assert [p.get_filename() for p in msg.iter_attachments()] == ["programme.pdf"]
    row = ctx.store.db.execute("SELECT status, n_recipients, send_day FROM deliveries").fetchall()
    assert [tuple(r) for r in row] == [("sent", 5, "2022-08-16")]
    assert ctx.store.ledger.get("ws1.programme_draft").attempts == 1

    # the same moment again: nothing runs, nothing is sent
    assert run_due(ctx, L(2022, 8, 16, 10, 0)) == []
    assert run_due(ctx, L(2022, 8, 16, 10, 30)) == []
    assert n_files(tmp_path) == 1
    assert ctx.store.ledger.get("ws1.programme_draft").attempts == 1
    assert ctx.store.db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1


def test_even_a_restarted_service_does_not_send_again(tmp_path):
    ctx = season(tmp_path)
    run_due(ctx, L(2022, 8, 16, 10, 0))
    ctx.store.close()
    again = open_ctx(tmp_path / "club.yaml")
    assert run_due(again, L(2022, 8, 16, 10, 0)) == []
    assert n_files(tmp_path) == 1


# --- catch-up after downtime ----------------------------------------------------------


def test_catch_up_after_downtime_skips_what_expired_and_runs_the_rest(tmp_path):
    ctx = season(tmp_path)
    results = run_due(ctx, L(2022, 9, 14, 12, 0))  # the service was down from 1 Aug to 14 Sep
    assert ran(results) == [
        ("ws1.programme_draft", "skipped"),  # the discussion closed on 30 Aug
        ("admin_summary.2022-08-22", "skipped"),
        ("admin_summary.2022-08-29", "skipped"),
        ("admin_summary.2022-09-05", "skipped"),
        ("ws1.programme_final", "done"),  # still before the start
        ("admin_summary.2022-09-12", "done"),
        ("ws1.prepare_notice", "done"),
    ]
    why = {r.action.key: r.detail for r in results}
    assert why["ws1.programme_draft"] == "missed: due 2022-08-16 10:00, no longer useful after 2022-08-30 18:00"
    assert why["admin_summary.2022-08-22"] == "missed: due 2022-08-22 09:00, no longer useful after 2022-08-29 09:00"
    assert all("missed" in why[k] for k, s in ran(results) if s == "skipped")
    # the reason is kept in the ledger
    row = ctx.store.ledger.get("ws1.programme_draft")
    assert (row.status, row.detail) == ("skipped", why["ws1.programme_draft"])
    assert sorted(m["X-Club-Action"] for m in outbox(tmp_path)) == [
        "admin_summary.2022-09-12", "ws1.prepare_notice", "ws1.programme_final"]
    # skipped actions are not retried
    assert run_due(ctx, L(2022, 9, 14, 12, 0)) == []

    # down again until Wednesday 21 Sep: the forms are still open, so they are made, announced and reminded
    later = run_due(ctx, L(2022, 9, 21, 10, 0))
    assert ran(later) == [
        ("ws1.best_practice_vote.create", "done"),
        ("ws1.event_feedback.create", "done"),
        ("ws1.best_practice_vote.invitation", "done"),
        ("ws1.event_feedback.invitation", "done"),
        ("admin_summary.2022-09-19", "done"),
        ("ws1.best_practice_vote.reminder", "deferred"),  # not in the same minute as the invitation
        ("ws1.event_feedback.reminder", "deferred"),
    ]
    assert n_files(tmp_path) == 3 + 5 + 1  # one invitation each (both forms in one mail), the summary
    why = {r.action.key: r.detail for r in later}
    assert why["ws1.event_feedback.reminder"] == \
        "the invitation went out less than 24 h ago: the reminder waits until 2022-09-22 10:00"
    assert {r.status for r in run_due(ctx, L(2022, 9, 21, 18, 0))} == {"deferred"}  # still waiting
    reminded = run_due(ctx, L(2022, 9, 22, 10, 0))  # a day after the invitation, before the deadline
    assert [(k, st) for k, st in ran(reminded) if k.endswith(".reminder")] == [
        ("ws1.best_practice_vote.reminder", "done"), ("ws1.event_feedback.reminder", "done")]
    assert n_files(tmp_path) == 3 + 5 + 1 + 5


def test_an_invitation_caught_up_on_the_deadline_day_gets_no_reminder(tmp_path):
    ctx = season(tmp_path)
    run_due(ctx, L(2022, 9, 14, 12, 0))
    later = run_due(ctx, L(2022, 9, 22, 9, 0))  # down until the morning of the deadline (18:00)
    why = {k: (st, r.detail) for r in later for k, st in [(r.action.key, r.status)]}
    assert why["ws1.event_feedback.invitation"][0] == "done"
    assert why["ws1.event_feedback.reminder"] == (
        "done", "the invitation went out less than 24 h before the deadline: no reminder")
    assert [a.action_key for a in ctx.store.alerts.open()] == ["ws1.programme_draft"]  # only the earlier skip


def test_missed_form_is_skipped_and_its_close_and_sync_say_why(tmp_path):
    ctx = season(tmp_path, vote=False)
    acts = [a for a in actions(ctx.plan) if a.key.startswith("ws1.event_feedback.")
            and a.kind != "report.refresh"]
    results = run_due(ctx, L(2022, 9, 23, 9, 0), acts)  # after the deadline
    assert ran(results) == [
        ("ws1.event_feedback.create", "skipped"),
        ("ws1.event_feedback.invitation", "skipped"),
        ("ws1.event_feedback.reminder", "skipped"),
        ("ws1.event_feedback.close", "skipped"),
        ("ws1.event_feedback.sync", "skipped"),
        ("ws1.event_feedback.results", "skipped"),
    ]
    why = {r.action.key: r.detail for r in results}
    assert why["ws1.event_feedback.create"] == \
        "missed: due 2022-09-15 16:00, no longer useful after 2022-09-22 18:00"
    assert why["ws1.event_feedback.close"] == "the form was never created"
    assert why["ws1.event_feedback.sync"] == "the form was never created"
    assert n_files(tmp_path) == 0


# --- through the command line ---------------------------------------------------------


def test_cli_run_once_twice_sends_nothing_the_second_time(tmp_path, capsys):
    cfg = write_season(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(tmp_path / "roster.csv")]) == 0
    capsys.readouterr()

    assert main(["--config", str(cfg), "run", "--once", "--now", "2022-09-15T16:00"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1] == "11 action(s) ran at 2022-09-15 16:00 (Asia/Bishkek)"
    # 1 admin summary + 5 personal invitations, each with the links to both forms; the programme mails and
    # old summaries were missed
    assert n_files(tmp_path) == 6
    invited = sorted(m["To"] for m in outbox(tmp_path) if m["X-Club-Action"] == "ws1.event_feedback+best_practice_vote.invitation")
    assert invited == EMAILS

    assert main(["--config", str(cfg), "run", "--once", "--now", "2022-09-15T16:00"]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == "0 action(s) ran at 2022-09-15 16:00 (Asia/Bishkek)"
    assert n_files(tmp_path) == 6

    # plan show reads the same ledger
    assert main(["--config", str(cfg), "plan", "show", "--json", "--now", "2022-09-15T16:00"]) == 0
    import json

    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["ws1.programme_draft"]["status"] == "skipped"
    assert rows["ws1.programme_draft"]["due"] == "2022-08-16 10:00"
    assert rows["ws1.event_feedback.invitation"]["status"] == "done"
    assert rows["ws1.event_feedback.reminder"]["status"] == "planned"
    assert rows["ws1.event_feedback.reminder"]["due"] == "2022-09-20 18:00"


# --- a failing job does not stop the others ---------------------------------------------


def test_job_failure_is_recorded_the_rest_runs_and_it_is_retried(tmp_path):
    ctx = season(tmp_path, presenters=("nobody@example.org",))
    results = {r.action.key: r for r in run_due(ctx, L(2022, 9, 15, 16, 0))}
    vote, fb = "ws1.best_practice_vote", "ws1.event_feedback"
    assert results[f"{vote}.create"].status == "failed"
    assert results[f"{vote}.create"].detail == (
        "presenter nobody@example.org of event ws1 is not in the roster: add her with `roster add` or fix the plan")
    assert results[f"{vote}.invitation"].status == "failed"
    assert results[f"{fb}.create"].status == "done"
    # the feedback's invitation waits an hour for the vote, to go in one mail with it
    assert results[f"{fb}.invitation"].status == "deferred"
    assert results[f"{fb}.invitation"].detail.startswith(f"waiting for the form {vote} (not created yet)")
    assert ctx.store.forms.get(f"{vote}") is None
    assert ctx.store.ledger.get(f"{vote}.create").status == "failed"

    # the next tick retries only the failures (and the waiting invitation)
    retry = run_due(ctx, L(2022, 9, 15, 16, 5))
    assert ran(retry) == [(f"{vote}.create", "failed"), (f"{vote}.invitation", "failed"), (f"{fb}.invitation", "deferred")]
    assert ctx.store.ledger.get(f"{vote}.create").attempts == 2

    # an hour later the feedback goes without the vote
    later = run_due(ctx, L(2022, 9, 15, 17, 0))
    assert ran(later) == [(f"{vote}.create", "failed"), (f"{vote}.invitation", "failed"), (f"{fb}.invitation", "done")]
    assert later[2].detail == "5 sent, 0 already sent, 0 failed, 0 unknown"

    # the admin fixes the roster: the vote is made with her as the option, and announced to all six alone
    from automation.model import Participant
    from automation.roster import participant_id

    ctx.store.roster.upsert([Participant(participant_id("nobody@example.org"), "Нуржан Осмонова",
                                               "nobody@example.org", oblast="osh", language="ru")], source="test")
    fixed = run_due(ctx, L(2022, 9, 15, 17, 10))
    assert ran(fixed) == [(f"{vote}.create", "done"), (f"{vote}.invitation", "done")]
    assert fixed[1].detail == "6 sent, 0 already sent, 0 failed, 0 unknown"
    import json

    spec = json.loads(ctx.store.forms.get(vote).spec_json)
    q = next(q for q in spec["questions"] if q["id"] == "best_practice")
    assert [o["label"]["ru"] for o in q["options"]] == ["Нуржан Осмонова"]
    assert n_files(tmp_path) == 1 + 5 + 6  # admin summary, feedback invitations, vote invitations
    late = [m for m in outbox(tmp_path) if m["X-Club-Action"] == f"{vote}.invitation"]
    assert len(late) == 6 and all(text_of(m).count("/t/") == 1 for m in late)  # the vote's link alone


def test_a_form_fixed_within_the_hour_goes_in_one_mail_with_the_others(tmp_path):
    ctx = season(tmp_path, presenters=("nobody@example.org",))
    run_due(ctx, L(2022, 9, 15, 16, 0))
    from automation.model import Participant
    from automation.roster import participant_id

    ctx.store.roster.upsert([Participant(participant_id("nobody@example.org"), "Нуржан Осмонова",
                                               "nobody@example.org", oblast="osh", language="ru")], source="test")
    fixed = run_due(ctx, L(2022, 9, 15, 16, 30))
    assert ran(fixed) == [("ws1.best_practice_vote.create", "done"), ("ws1.best_practice_vote.invitation", "done"),
                          ("ws1.event_feedback.invitation", "done")]
    assert fixed[1].detail == "6 sent, 0 already sent, 0 failed, 0 unknown"
    assert fixed[2].detail == "0 sent, 6 already sent, 0 failed, 0 unknown"
    invitations = [m for m in outbox(tmp_path) if m["X-Club-Action"].endswith(".invitation")]
    assert len(invitations) == 6 and all(text_of(m).count("/t/") == 2 for m in invitations)


def test_a_failure_that_outlives_its_action_is_given_up_with_the_reason(tmp_path):
    ctx = season(tmp_path, presenters=("nobody@example.org",))
    vote_acts = [a for a in actions(ctx.plan) if a.key in ("ws1.best_practice_vote.create",
                                                         "ws1.best_practice_vote.invitation")]
    assert ran(run_due(ctx, L(2022, 9, 15, 16, 0), vote_acts)) == [
        ("ws1.best_practice_vote.create", "failed"), ("ws1.best_practice_vote.invitation", "failed")]
    late = run_due(ctx, L(2022, 9, 23, 9, 0), vote_acts)
    assert ran(late) == [("ws1.best_practice_vote.create", "skipped"),
                         ("ws1.best_practice_vote.invitation", "skipped")]
    assert late[0].detail == ("gave up at 2022-09-22 18:00 after: presenter nobody@example.org of event ws1 "
                              "is not in the roster: add her with `roster add` or fix the plan")


# --- exactly-once mail after a crash ----------------------------------------------------

DRAFT_ID = message_id("ws1.programme_draft", "group:club@example.org", "example.org")


def insert_queued(ctx: Context, when: datetime) -> None:
    ctx.store.db.execute(
        "INSERT INTO deliveries (message_id, action_key, recipient, language, subject, status, queued_at, send_day,"
        " n_recipients) VALUES (?, 'ws1.programme_draft', 'group:club@example.org', 'ky+ru', 'x', 'queued', ?, ?, 5)",
        (DRAFT_ID, iso(when), when.astimezone(BISHKEK).date().isoformat()))


def test_crash_after_sending_the_queued_message_is_found_in_the_maildir_and_not_resent(tmp_path):
    ctx = season(tmp_path)
    t = L(2022, 8, 16, 10, 0)
    run_due(ctx, t)
    assert n_files(tmp_path) == 1
    maildir_key = ctx.store.db.execute("SELECT provider_id FROM deliveries").fetchone()[0]
    # the crash: the message went out but neither its outcome nor the action's was recorded
    ctx.store.db.execute("DELETE FROM deliveries")
    ctx.store.db.execute("DELETE FROM ledger")
    insert_queued(ctx, t)
    ctx.store.close()

    restarted = open_ctx(tmp_path / "club.yaml")
    results = run_due(restarted, L(2022, 8, 16, 10, 5))
    assert ran(results) == [("ws1.programme_draft", "done")]
    assert results[0].detail == "0 sent, 1 already sent, 0 failed, 0 unknown"
    assert n_files(tmp_path) == 1
    row = restarted.store.db.execute("SELECT status, provider_id FROM deliveries WHERE message_id = ?",
                                     (DRAFT_ID,)).fetchone()
    assert tuple(row) == ("sent", maildir_key)


def test_crash_before_sending_the_queued_message_is_sent_once(tmp_path):
    ctx = season(tmp_path)
    insert_queued(ctx, L(2022, 8, 16, 10, 0))
    results = run_due(ctx, L(2022, 8, 16, 10, 5))
    assert results[0].detail == "1 sent, 0 already sent, 0 failed, 0 unknown"
    assert n_files(tmp_path) == 1
    assert [m["Message-ID"] for m in outbox(tmp_path)] == [DRAFT_ID]
    assert run_due(ctx, L(2022, 8, 16, 10, 10)) == []
    assert n_files(tmp_path) == 1


def test_queued_message_that_cannot_be_looked_up_is_not_resent_and_the_admin_is_told(tmp_path):
    ctx = season(tmp_path)
    insert_queued(ctx, L(2022, 8, 16, 10, 0))
    # an SMTP server keeps no searchable sent folder; nothing connects, since nothing may be sent
    ctx.backend.mail = SmtpMail("127.0.0.1", port=9, security="none", copy_dir=tmp_path / "out" / "outbox")
    results = run_due(ctx, L(2022, 8, 16, 10, 5))
    assert results[0].detail == "0 sent, 0 already sent, 0 failed, 1 unknown"
    assert n_files(tmp_path) == 0
    row = ctx.store.db.execute("SELECT status, error FROM deliveries WHERE message_id = ?", (DRAFT_ID,)).fetchone()
    assert row["status"] == "unknown"
    assert row["error"].startswith("not resent: could not check whether it went out")

    admin = open_ctx(tmp_path / "club.yaml")
    assert ran(run_due(admin, L(2022, 8, 22, 9, 0))) == [("admin_summary.2022-08-22", "done")]
    (summary,) = outbox(tmp_path)
    assert summary["To"] == "admin@example.org"
    assert ("Письмо ws1.programme_draft для group:club@example.org: неизвестно, ушло ли (не отправлено повторно)"
            in text_of(summary))


# --- the daily cap -------------------------------------------------------------------------


def test_daily_cap_defers_the_rest_to_the_next_day_without_duplicates(tmp_path):
    ctx = season(tmp_path, vote=False, daily_cap=3)
    inv = "ws1.event_feedback.invitation"
    day1 = {r.action.key: r for r in run_due(ctx, L(2022, 9, 15, 16, 0))}
    assert day1["admin_summary.2022-09-12"].status == "done"  # 1 recipient of the 3
    assert day1["ws1.event_feedback.create"].status == "done"
    assert day1[inv].status == "deferred"
    assert day1[inv].detail == ("2 sent, 0 already sent, 0 failed, 0 unknown; daily sending limit (3 recipients) "
                                "reached: 3 message(s) left for the next day")

    later_same_day = run_due(ctx, L(2022, 9, 15, 20, 0))
    assert ran(later_same_day) == [(inv, "deferred")]
    assert later_same_day[0].detail.startswith("0 sent, 2 already sent, 0 failed, 0 unknown; daily sending limit")

    next_day = run_due(ctx, L(2022, 9, 16, 10, 0))
    assert ran(next_day) == [(inv, "done")]
    assert next_day[0].detail == "3 sent, 2 already sent, 0 failed, 0 unknown"
    assert run_due(ctx, L(2022, 9, 16, 10, 5)) == []

    invited = [m["To"] for m in outbox(tmp_path) if m["X-Club-Action"] == inv]
    assert sorted(invited) == EMAILS  # everyone, once
    per_day = ctx.store.db.execute("SELECT send_day, sum(n_recipients) FROM deliveries WHERE status = 'sent'"
                                   " AND action_key != 'admin.alert' GROUP BY send_day ORDER BY send_day").fetchall()
    assert [tuple(r) for r in per_day] == [("2022-09-15", 3), ("2022-09-16", 3)]
    assert ctx.store.ledger.get(inv).attempts == 3


def test_personal_invitations_are_in_each_participants_language(tmp_path):
    ctx = season(tmp_path, vote=False)
    run_due(ctx, L(2022, 9, 15, 16, 0))
    by_to = {m["To"]: m for m in outbox(tmp_path) if m["X-Club-Action"] == "ws1.event_feedback.invitation"}
    ky, ru = text_of(by_to["aigul@example.org"]), text_of(by_to["bermet@example.org"])
    assert ky.startswith("Саламатсызбы, Айгүл Токтосунова!")
    assert ru.startswith("Здравствуйте, Бермет Осмонова!")
    assert "Толтуруунун акыркы мөөнөтү: 22-сентябрь, саат 18:00." in ky
    assert "Срок: до 22 сентября, 18:00." in ru
    token_ky = ky.split("/t/")[1].split()[0]
    assert ctx.store.db.execute("SELECT participant_id FROM form_links WHERE token = ?", (token_ky,)).fetchone()[0] \
        == ctx.store.roster.get("aigul@example.org").id


@pytest.mark.parametrize("minutes", [0, 59])
def test_nothing_is_due_before_the_first_action(tmp_path, minutes):
    ctx = season(tmp_path)
    first = min(a.due for a in actions(ctx.plan))
    assert first == L(2022, 8, 16, 10, 0)
    assert run_due(ctx, first - timedelta(minutes=60 - minutes)) == []


# --- what the Maildir holds is what was sent -------------------------------------------------


def test_a_long_subject_reads_back_exactly(tmp_path):
    ctx = season(tmp_path, title=LONG_TITLE)
    run_due(ctx, L(2022, 8, 16, 10, 0))
    (msg,) = outbox(tmp_path)
    sent = ctx.store.db.execute("SELECT subject FROM deliveries").fetchone()[0]
    assert sent == ("Программанын долбоору: Жергиликтүү өз алдынча башкаруу: мыйзамдар жана жергиликтүү бюджет / "
                    "Проект программы: Местное самоуправление: законодательство и местный бюджет")
    assert msg["Subject"] == sent


def test_mails_carry_their_content_language(tmp_path):
    ctx = season(tmp_path, vote=False)
    run_due(ctx, L(2022, 9, 15, 16, 0))
    langs = {m["To"]: m["Content-Language"] for m in outbox(tmp_path)}
    assert langs == {"admin@example.org": "ru", "aigul@example.org": "ky", "bermet@example.org": "ru",
                     "chynara@example.org": "ky", "elena@example.org": "ru", "zhibek@example.org": "ky"}


def test_the_service_builds_each_part_on_first_use_and_a_bad_plan_creates_no_state(tmp_path):
    from automation.app import Service
    from automation.errors import PlanError

    cfg = load_config(write_season(tmp_path))
    service = Service(cfg)
    assert service.ledger() == {} and not cfg.state.exists()  # plan show before anything ran: nothing created
    assert [a.key for a in actions(service.plan)][0] == "ws1.programme_draft"
    assert not cfg.state.exists()
    ctx = service.context
    assert ctx.store is service.store and ctx.plan is service.plan and service.context is ctx
    assert cfg.state.exists() and ctx.backend.name == "local" and ctx.out_dir == cfg.out
    assert service.web_key_path == cfg.state.with_name("state.sqlite.web-key")
    (tmp_path / "plan.yaml").write_text("club: {}\n", encoding="utf-8")
    cfg.state.unlink()
    with pytest.raises(PlanError):
        Service(cfg).context
    assert not cfg.state.exists()
