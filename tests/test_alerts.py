"""The admin's alert mail (issue 16): an action that fails or is skipped reaches her at once, once, in Kyrgyz
then Russian, naming the action in plain words, the reason and the console link; the weekly summary names
actions in plain words; ``run --once`` exits 1 when an action failed.

The season is tests/test_scheduler.py's: one online workshop ``ws1`` on Thu 15 Sep 2022 14:00, its draft
programme due Tue 16 Aug 10:00, the final programme 8 Sep 10:00.
"""

from __future__ import annotations

from test_scheduler import L, outbox, season, text_of

from automation.cli.main import main
from automation.scheduler import run_due


def alerts(tmp_path):
    return [m for m in outbox(tmp_path, alerts=True) if m["X-Club-Action"] == "admin.alert"]


def test_a_failed_action_is_mailed_to_the_admin_at_once_and_only_once(tmp_path):
    ctx = season(tmp_path)
    (tmp_path / "programme.md").unlink()
    [r] = run_due(ctx, L(2022, 8, 16, 10, 0))
    assert (r.action.key, r.status) == ("ws1.programme_draft", "failed")
    [alert] = alerts(tmp_path)
    assert alert["To"] == "admin@example.org" and alert["Content-Language"] == "ky, ru"
    subject, text = str(alert["Subject"]), text_of(alert)
    assert "программанын долбоорун топко жөнөтүү" in subject and "рассылка проекта программы" in subject
    # Kyrgyz first, then Russian; the action in plain words, what happened, the reason and the link to fix it
    ky, ru = text.index("Саламатсызбы!"), text.index("Здравствуйте!")
    assert ky < ru
    assert "программанын долбоорун топко жөнөтүү — «Жергиликтүү бюджет»" in text[ky:ru]
    assert "Эмне болду: аткарылган жок" in text[ky:ru] and "Себеби: ws1 иш-чарасынын программа файлы жок" in text[ky:ru]
    assert "рассылка проекта программы — «Местный бюджет»" in text[ru:]
    assert "Что случилось: не выполнено" in text[ru:] and "Причина: Файла программы события ws1 нет на месте" in text[ru:]
    assert "the programme file" not in text  # the reason in plain words, not the ledger's English
    assert "Исправить: http://127.0.0.1:8080/admin/today#ws1.programme_draft" in text[ru:]
    # retried at every tick, still failing: no second alert
    for minute in (1, 2, 3):
        [again] = run_due(ctx, L(2022, 8, 16, 10, minute))
        assert again.status == "failed"
    assert len(alerts(tmp_path)) == 1
    [row] = ctx.store.alerts.open()
    assert (row.problem, row.status, row.message_id) == ("failed:ws1.programme_draft", "sent", alert["Message-ID"])
    # the admin puts the file back: the next tick runs it, and the problem is handled
    (tmp_path / "programme.md").write_text("# Программа\n", encoding="utf-8")
    [ok] = run_due(ctx, L(2022, 8, 16, 10, 5))
    assert ok.status == "done" and ctx.store.alerts.open() == [] and len(alerts(tmp_path)) == 1


def test_skipped_actions_after_downtime_are_named_in_one_mail(tmp_path):
    ctx = season(tmp_path, vote=False)
    ran = run_due(ctx, L(2022, 9, 15, 16, 0))
    skipped = [r.action.key for r in ran if r.status == "skipped"]
    assert "ws1.programme_final" in skipped and "admin_summary.2022-08-22" in skipped
    [alert] = alerts(tmp_path)
    text = text_of(alert)
    assert "рассылка окончательной программы — «Местный бюджет»" in text
    assert "пропущено (больше не будет выполнено)" in text and "Причина: служба не работала: срок был 2022-09-08 10:00, после 2022-09-15 14:00" in text
    assert "еженедельная сводка" not in text  # a missed weekly summary is covered by the next one
    run_due(ctx, L(2022, 9, 15, 16, 5))
    assert len(alerts(tmp_path)) == 1


def test_an_alert_that_cannot_be_sent_is_recorded_and_not_retried_every_tick(tmp_path):
    from automation.errors import BackendError

    ctx = season(tmp_path)
    (tmp_path / "programme.md").unlink()
    real, calls = ctx.backend.mail, []

    class Down:
        can_find_sent = real.can_find_sent

        def send(self, msg, to):
            calls.append(str(msg["X-Club-Action"]))
            raise BackendError("the mail server is down")

        def find_sent(self, mid):
            return real.find_sent(mid)

    ctx.backend.mail = Down()
    run_due(ctx, L(2022, 8, 16, 10, 0))
    run_due(ctx, L(2022, 8, 16, 10, 1))
    assert calls == ["admin.alert"]
    [row] = ctx.store.alerts.open()
    assert row.status == "failed"


def test_the_weekly_summary_names_actions_in_plain_words(tmp_path):
    ctx = season(tmp_path, vote=False)
    run_due(ctx, L(2022, 9, 15, 16, 0))  # after downtime: the summary of 12 Sep runs after the skipped actions
    [summary] = [m for m in outbox(tmp_path) if m["X-Club-Action"] == "admin_summary.2022-09-12"]
    text = text_of(summary)
    assert "skipped: 1" not in text and "skipped:" not in text
    assert ("ПРОПУЩЕНО: рассылка окончательной программы — «Местный бюджет» — служба не работала: срок был "
            "2022-09-08 10:00, после 2022-09-15 14:00 это уже бесполезно") in text


def test_run_once_exits_1_when_an_action_failed(tmp_path, capsys):
    season(tmp_path)
    plan = tmp_path / "plan.yaml"  # the event has no programme (issue 16: chongoi_2023)
    plan.write_text(plan.read_text(encoding="utf-8").replace("    programme: programme.md\n", ""), encoding="utf-8")
    cfg = str(tmp_path / "club.yaml")
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-16T10:00"]) == 1
    assert "failed   ws1.programme_draft: event ws1 has no programme" in capsys.readouterr().out
    [alert] = alerts(tmp_path)
    assert "Причина: В плане у события ws1 не указана программа" in text_of(alert)
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-16T10:01"]) == 1  # still failing, no new alert
    assert len(alerts(tmp_path)) == 1


def test_a_handled_problem_comes_back_when_the_action_fails_for_another_reason(tmp_path):
    """She marked the failure handled but the action fails again: for the same reason (its numbers aside) she
    is not mailed at every tick; for another reason she is, and the console shows it again."""
    from automation.jobs.alerts import handle

    ctx = season(tmp_path)
    (tmp_path / "programme.md").unlink()
    run_due(ctx, L(2022, 8, 16, 10, 0))
    handle(ctx, "failed:ws1.programme_draft", "admin@example.org", L(2022, 8, 16, 10, 1))
    assert ctx.store.alerts.open() == []
    run_due(ctx, L(2022, 8, 16, 10, 2))  # the same reason: it stays handled, no second mail
    assert ctx.store.alerts.open() == [] and len(alerts(tmp_path)) == 1
    (tmp_path / "programme.md").write_bytes(b"\xff\xfe")  # put back, but not as UTF-8: another reason
    [r] = run_due(ctx, L(2022, 8, 16, 10, 3))
    assert r.status == "failed" and "not UTF-8" in r.detail
    [row] = ctx.store.alerts.open()
    assert row.problem == "failed:ws1.programme_draft" and row.detail == r.detail and row.status == "sent"
    assert row.raised_at.startswith("2022-08-16T04:03")  # raised anew (UTC)
    assert len(alerts(tmp_path)) == 2
    run_due(ctx, L(2022, 8, 16, 10, 4))  # and once only
    assert len(alerts(tmp_path)) == 2


def test_same_reason_ignores_numbers_only():
    from automation.jobs.alerts import same_reason

    assert same_reason("3 of 15 sent: daily limit", "12 of 15 sent: daily limit ")
    assert not same_reason("the programme file is missing", "the programme file is a folder")
