"""``python main.py alerts`` and ``alerts handle``: the console's open alerts and its "handled" buttons on the
command line (the same library functions, audit log actor ``cli``); and the admin's weekly summary names every
alert still open, the Telegram channel's included.

The season is tests/test_scheduler.py's: one online workshop ``ws1`` on Thu 15 Sep 2022 14:00, its draft
programme due Tue 16 Aug 10:00, the final programme 8 Sep 10:00, weekly summaries on Mondays.
"""

from __future__ import annotations

from test_scheduler import L, open_ctx, outbox, season, text_of

from automation.cli.main import main
from automation.jobs import mailings
from automation.jobs.alerts import TELEGRAM
from automation.jobs.telegram_alerts import alert_stopped
from automation.plan.actions import actions
from automation.scheduler import run_due

FAILED = "failed:ws1.programme_draft"


def _failed(tmp_path):
    season(tmp_path)
    plan = tmp_path / "plan.yaml"  # the event has no programme (as in tests/test_alerts.py)
    plan.write_text(plan.read_text(encoding="utf-8").replace("    programme: programme.md\n", ""), encoding="utf-8")
    ctx = open_ctx(tmp_path / "club.yaml")
    [r] = run_due(ctx, L(2022, 8, 16, 10, 0))
    assert r.status == "failed"
    return ctx, ["--config", str(tmp_path / "club.yaml")]


def test_alerts_lists_the_open_problems_in_plain_words_kyrgyz_first(tmp_path, capsys):
    _, cfg = _failed(tmp_path)
    assert main([*cfg, "alerts"]) == 0
    out = capsys.readouterr().out
    assert "Ачык көйгөйлөр / Открытые проблемы: 1" in out
    # the words of the alert mail and the Today page (explain()), Kyrgyz then Russian
    assert ("1. программанын долбоорун топко жөнөтүү — «Жергиликтүү бюджет» / рассылка проекта программы — "
            "«Местный бюджет»") in out
    assert "Эмне болду / Что случилось: аткарылган жок (ар бир текшерүүдө кайра аракет кылынат) / не выполнено" in out
    assert "Себеби / Причина: Пландагы ws1 иш-чарасынын программасы көрсөтүлгөн эмес" in out
    assert "http://127.0.0.1:8080/admin/today#ws1.programme_draft" in out
    assert f"python main.py alerts handle {FAILED}" in out


def test_alerts_handle_marks_it_handled_with_the_audit_log_and_refuses_twice(tmp_path, capsys):
    ctx, cfg = _failed(tmp_path)
    assert main([*cfg, "alerts", "handle", FAILED]) == 0
    assert f"{FAILED}: marked as handled" in capsys.readouterr().out
    assert ctx.store.alerts.get(FAILED).handled_at is not None and ctx.store.alerts.open() == []
    [entry] = [e for e in ctx.store.console.audit_entries(10) if e.action == "alert.handle"]
    assert (entry.actor, entry.target) == ("cli", FAILED)
    # handled already, or unknown: a plain message, exit 2, nothing changed
    assert main([*cfg, "alerts", "handle", FAILED, "failed:no.such"]) == 2
    err = capsys.readouterr().err
    assert "marked as handled already; nothing was changed" in err and "no alert 'failed:no.such'" in err
    assert "Traceback" not in err
    assert len([e for e in ctx.store.console.audit_entries(10) if e.action == "alert.handle"]) == 1
    assert main([*cfg, "alerts"]) == 0
    assert "Открытых проблем нет" in capsys.readouterr().out


def test_alerts_handle_needs_a_problem_or_all_skipped_not_both(tmp_path, capsys):
    ctx, cfg = _failed(tmp_path)
    assert main([*cfg, "alerts", "handle"]) == 2
    assert main([*cfg, "alerts", "handle", FAILED, "--all-skipped"]) == 2
    assert "--all-skipped (not both)" in capsys.readouterr().err
    assert ctx.store.alerts.get(FAILED).handled_at is None
    assert main([*cfg, "alerts", "handle", "--all-skipped"]) == 0  # no skipped one: nothing to do
    assert "nothing was changed" in capsys.readouterr().out
    assert ctx.store.alerts.get(FAILED).handled_at is None


def test_all_skipped_handles_the_skipped_ones_only(tmp_path, capsys):
    ctx = season(tmp_path, vote=False)
    run_due(ctx, L(2022, 9, 15, 16, 0))  # after downtime: several actions skipped
    skipped = [a.problem for a in ctx.store.alerts.open() if a.kind == "skipped"]
    assert len(skipped) > 1
    ctx.store.alerts.raise_problem("failed", "ws1.other", "ws1.other", "x", L(2022, 9, 15, 16, 1))
    cfg = ["--config", str(tmp_path / "club.yaml")]
    assert main([*cfg, "alerts"]) == 0
    out = capsys.readouterr().out
    assert "python main.py alerts handle --all-skipped" in out
    assert "python main.py alerts handle failed:ws1.other" in out  # quoted only when it must be
    assert main([*cfg, "alerts", "handle", "--all-skipped"]) == 0
    assert f"Marked as handled: {len(skipped)} skipped action(s)." in capsys.readouterr().out
    assert [a.problem for a in ctx.store.alerts.open()] == ["failed:ws1.other"]
    audited = [e.target for e in ctx.store.console.audit_entries(50) if e.action == "alert.handle"]
    assert sorted(audited) == sorted(skipped)


def test_the_weekly_summary_names_every_alert_still_open_telegram_included(tmp_path, capsys):
    ctx, _ = _failed(tmp_path)
    at = L(2022, 8, 16, 11, 0)
    alert_stopped(ctx, ("бот топтон чыгарылды", "бота удалили из группы"), at)
    ctx.store.alerts.raise_problem("unknown", "telegram:ws1.programme_draft", TELEGRAM, "timeout", at)
    ctx.store.alerts.raise_problem("failed", "backup.2022-08-16", "backup.2022-08-16", "disk full", at)
    ctx.store.alerts.handle("failed:backup.2022-08-16", at)  # handled: not named
    summary = next(a for a in actions(ctx.plan) if a.kind == "mail.admin_summary" and a.due > at)
    text = text_of(mailings.compose_admin_summary(ctx, summary, summary.due)[0].msg)
    # the stopped channel's key holds the reason; the command line quotes it for the shell
    assert main(["--config", str(tmp_path / "club.yaml"), "alerts"]) == 0
    assert "alerts handle 'failed:telegram.stopped:бота удалили из группы'" in capsys.readouterr().out
    assert "НЕ ОТМЕЧЕНО КАК РАЗОБРАННОЕ: канал Telegram — остановлен; письма по почте продолжают уходить — " \
           "бота удалили из группы (Исправив, выполните: python main.py telegram check; " \
           "исправить: http://127.0.0.1:8080/admin/today#telegram)" in text
    assert "НЕ ОТМЕЧЕНО КАК РАЗОБРАННОЕ: Telegram: ws1.programme_draft — сообщение, возможно, уже в чате, " \
           "поэтому повторно не отправлено — timeout (Проверьте чат; если его нет: " in text
    assert "python main.py telegram repost 'ws1.programme_draft'" in text
    assert "disk full" not in text
    # the failed action is named once, by the ОШИБКА line (still failing: not handled)
    assert text.count("рассылка проекта программы — «Местный бюджет» — В плане у события ws1 не указана программа") == 1
    assert "ОШИБКА: рассылка проекта программы" in text
    # marked handled: the next summary leaves them out
    for a in ctx.store.alerts.open():
        ctx.store.alerts.handle(a.problem, at)
    text = text_of(mailings.compose_admin_summary(ctx, summary, summary.due)[0].msg)
    assert "НЕ ОТМЕЧЕНО" not in text


def test_an_old_skipped_alert_is_named_by_a_later_summary(tmp_path):
    ctx = season(tmp_path, vote=False)
    run_due(ctx, L(2022, 9, 15, 16, 0))  # the summary of 12 Sep runs after the skipped actions and names them
    [first] = [m for m in outbox(tmp_path) if m["X-Club-Action"] == "admin_summary.2022-09-12"]
    assert "ПРОПУЩЕНО: рассылка окончательной программы" in text_of(first)
    assert "НЕ ОТМЕЧЕНО КАК РАЗОБРАННОЕ: рассылка окончательной программы" not in text_of(first)
    # a week later, not marked handled: the next summary still names it
    later = next(a for a in actions(ctx.plan) if a.kind == "mail.admin_summary" and a.due > L(2022, 9, 15, 16, 5))
    text = text_of(mailings.compose_admin_summary(ctx, later, later.due)[0].msg)
    assert ("НЕ ОТМЕЧЕНО КАК РАЗОБРАННОЕ: рассылка окончательной программы — «Местный бюджет» — пропущено "
            "(больше не будет выполнено) — служба не работала") in text
