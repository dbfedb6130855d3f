"""A missing programme, material or test file is a problem of the actions that need it, not of the plan
(found by a QA pass: renaming one programme file stopped ``plan check``, ``run``, ``serve`` and the console).

The plan still loads; the file is a plan problem ahead (``plan check``, the console's Today page) while an
action that needs it is still to come, and at that action's time the action fails alone with its reason,
is retried at every tick, and the admin gets one alert.  A file of a finished event does not matter.  A
structurally broken plan is still refused with nothing changed.

The season is tests/test_scheduler.py's: one online workshop ``ws1`` on Thu 15 Sep 2022 14:00, its draft
programme due Tue 16 Aug 10:00 (programme.md next to the plan).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_scheduler import L, open_ctx, outbox, season, text_of, write_season

from automation.cli.main import main
from automation.errors import PlanError
from automation.plan.load import load_plan
from automation.roster import read_roster
from automation.scheduler import run_due

ROOT = Path(__file__).resolve().parents[1]


def _alerts(tmp_path):
    return [m for m in outbox(tmp_path, alerts=True) if m["X-Club-Action"] == "admin.alert"]


def test_a_missing_programme_file_of_a_future_event_loads_and_is_a_problem_ahead(tmp_path, capsys):
    cfg = str(write_season(tmp_path))
    (tmp_path / "programme.md").unlink()
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.event("ws1").programme == str((tmp_path / "programme.md").resolve())
    capsys.readouterr()
    assert main(["--config", cfg, "plan", "check", "--now", "2022-08-01T10:00"]) == 1  # 1: problems found
    out = capsys.readouterr().out
    assert "2022-08-16 10:00  ws1.programme_draft: the programme file" in out and "programme.md" in out
    assert "is missing: put it there or change the plan" in out
    # in plain words too, Kyrgyz first (the console's wording, automation/reasons.py)
    ky, ru = out.index("    ky: ws1 иш-чарасынын программа файлы жок"), out.index("    ru: Файла программы события ws1 нет на")
    assert ky < ru
    assert main(["--config", cfg, "plan", "show", "--now", "2022-08-01T10:00"]) == 0


def test_the_action_needing_the_missing_file_fails_alone_with_its_reason_and_one_alert(tmp_path, capsys):
    cfg = str(write_season(tmp_path))
    assert main(["--config", cfg, "roster", "import", str(tmp_path / "roster.csv")]) == 0
    (tmp_path / "programme.md").unlink()
    # on 22 Aug the draft programme (due 16 Aug, still useful) and the first weekly summary are due
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-22T09:00"]) == 1  # 1: an action failed
    err = capsys.readouterr().err
    assert "Error:" not in err
    kinds = [m["X-Club-Action"] for m in outbox(tmp_path, alerts=True)]
    assert "admin_summary.2022-08-22" in kinds and "ws1.programme_draft" not in kinds
    [alert] = _alerts(tmp_path)
    assert "Себеби: ws1 иш-чарасынын программа файлы жок" in text_of(alert) and "аны кайтарыңыз же планды " \
        "өзгөртүңүз" in text_of(alert)
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-22T09:01"]) == 1  # retried, still failing
    assert len(_alerts(tmp_path)) == 1
    (tmp_path / "programme.md").write_text("# Программа\n", encoding="utf-8")
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-22T09:02"]) == 0
    assert "ws1.programme_draft" in [m["X-Club-Action"] for m in outbox(tmp_path)]


def test_the_example_club_with_a_renamed_programme_runs_and_names_the_problem(tmp_path, capsys):
    club = tmp_path / "club2022"
    shutil.copytree(ROOT / "examples" / "club2022", club)
    (club / "programmes" / "chongoi_2022.md").rename(club / "programmes" / "chongoi.md")
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {club / 'plan.yaml'}\nstate: state.sqlite\nout: out\nsheets: out/sheets\n",
                   encoding="utf-8")
    # the event is on 16 Dec 2022, its draft programme goes 30 days before
    assert main(["--config", str(cfg), "plan", "check", "--now", "2022-11-10T10:00"]) == 1
    out = capsys.readouterr().out
    assert "chongoi_2022.programme_draft: the programme file" in out and "chongoi_2022.md" in out
    # months after the event the file does not matter at all
    assert main(["--config", str(cfg), "plan", "check", "--now", "2023-03-01T10:00"]) == 0
    assert "chongoi" not in capsys.readouterr().out


def test_a_missing_file_of_a_finished_event_blocks_nothing(tmp_path, capsys):
    ctx = season(tmp_path)
    run_due(ctx, L(2022, 8, 16, 10, 0))
    run_due(ctx, L(2022, 9, 8, 10, 0))
    (tmp_path / "programme.md").unlink()
    cfg = str(tmp_path / "club.yaml")
    capsys.readouterr()
    assert main(["--config", cfg, "plan", "check", "--now", "2022-09-30T10:00"]) == 0
    out = capsys.readouterr().out
    assert "programme" not in out and "0 problem(s)" in out
    main(["--config", cfg, "run", "--once", "--now", "2022-09-30T10:00"])
    assert "Error:" not in capsys.readouterr().err
    assert all(r.status != "failed" or "programme" not in r.detail for r in ctx.store.ledger.all().values())


def test_a_missing_material_or_test_file_is_a_problem_of_its_action(tmp_path, capsys):
    cfg = write_season(tmp_path)
    text = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    text = text.replace("    programme: programme.md\n", "    programme: programme.md\n    test: tests/ws1.yaml\n"
                        "    materials:\n      - {title: {ky: Эскертме, ru: Памятка}, file: materials/note.pdf}\n")
    text = text.replace("      - template: event_feedback\n", "      - template: event_feedback\n"
                        "      - template: post_test\n")
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    plan = load_plan(tmp_path / "plan.yaml")
    ev = plan.event("ws1")
    assert ev.materials[0].file == str((tmp_path / "materials" / "note.pdf").resolve())
    assert ev.test == str((tmp_path / "tests" / "ws1.yaml").resolve())
    capsys.readouterr()
    assert main(["--config", str(cfg), "plan", "check", "--now", "2022-09-01T10:00"]) == 1
    out = capsys.readouterr().out
    assert "ws1.post_test.create: the test file" in out and "ws1.yaml" in out
    assert "ws1.materials: the material file" in out and "note.pdf" in out
    assert "ru: Файла теста события ws1 нет на месте" in out and "ru: Файла материалов нет на месте" in out
    assert "ky: ws1 иш-чарасынын тест файлы жок" in out and "ky: Материалдын файлы жок" in out
    # at the forms' time the test's form fails alone; the feedback form is made
    ctx = open_ctx(cfg)
    ctx.store.roster.upsert(read_roster(tmp_path / "roster.csv").participants, source="test", now=L(2022, 8, 1))
    ran = {r.action.key: r for r in run_due(ctx, L(2022, 9, 15, 16, 0)) if r.action.kind == "form.create"}
    assert ran["ws1.event_feedback.create"].status == "done"
    bad = ran["ws1.post_test.create"]
    assert bad.status == "failed" and "the test file" in bad.detail and "is missing" in bad.detail
    assert any("Себеби: ws1 иш-чарасынын тест файлы жок" in text_of(a) for a in _alerts(tmp_path))


def test_the_console_today_page_shows_the_missing_file_as_a_problem_ahead(tmp_path):
    from test_web_admin import EMAIL, NOW, PW, _app, _login

    from automation.config import load_config
    from automation.store import Store
    from automation.web.admin.accounts import add_user

    cfg = load_config(write_season(tmp_path))
    (tmp_path / "programme.md").unlink()
    store = Store(cfg.state)
    add_user(store, EMAIL["admin"], "admin", PW["admin"], by="test")
    c = _app(cfg, store).test_client()  # its clock: 20 July 2022, the draft programme is due on 16 Aug
    _login(c, "admin")
    r = c.get("/admin/today?lang=ru")
    assert r.status_code == 200
    assert "ws1.programme_draft" in r.text and "Файла программы события ws1 нет на месте" in r.text
    r = c.get("/admin/today?lang=ky")
    assert r.status_code == 200 and "ws1 иш-чарасынын программа файлы жок" in r.text
    assert c.get("/admin/mail").status_code == 200
    assert NOW.year == 2022


@pytest.mark.parametrize("change, expect", [
    ("    programme: programme.md\n    agenda: x\n", "unknown key"),
    ("    programme: ../outside.md\n", "is outside the plan's folder"),
    ("    programme: [programme.md\n", "not valid YAML"),
])
def test_a_structurally_broken_plan_is_still_refused_with_nothing_changed(tmp_path, capsys, change, expect):
    cfg = str(write_season(tmp_path))
    (tmp_path / "programme.md").unlink()
    text = (tmp_path / "plan.yaml").read_text(encoding="utf-8").replace("    programme: programme.md\n", change)
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanError):
        load_plan(tmp_path / "plan.yaml")
    capsys.readouterr()
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-22T09:00"]) == 2
    err = capsys.readouterr().err
    assert expect in err and "nothing was changed" in err
    assert not (tmp_path / "state.sqlite").exists() and not (tmp_path / "out" / "outbox").exists()


def test_every_file_problem_found_ahead_is_said_in_plain_words(tmp_path):
    """The lines :mod:`automation.plan.ahead` writes for each kind of file (a real line, not a copy), missing
    and unreadable, are known to :mod:`automation.reasons` in both languages."""
    from automation.forms.templates import DEFAULT_DIR
    from automation.plan.ahead import _fix, problems_ahead
    from automation.reasons import plain_reason

    write_season(tmp_path)
    text = (tmp_path / "plan.yaml").read_text(encoding="utf-8").replace(
        "    programme: programme.md\n", "    programme: programme.md\n    programme_final: final.md\n"
        "    test: tests/ws1.yaml\n    materials:\n      - {title: {ky: Эскертме, ru: Памятка}, file: note.pdf}\n")
    text = text.replace("      - template: event_feedback\n", "      - template: event_feedback\n"
                        "      - template: post_test\n")
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "programme.md").unlink()
    plan = load_plan(tmp_path / "plan.yaml")
    found = problems_ahead(plan, lambda e: None, L(2022, 8, 1), DEFAULT_DIR, days=60)
    lines = [p.what for p in found if " file " in p.what]
    kinds = {w.split(" file ")[0] for w in lines}
    assert kinds == {"the programme", "the programme_final", "the material", "the test"}, lines
    for w in lines + [w.replace(_fix("missing"), _fix("unreadable")) for w in lines]:
        assert plain_reason(w, "ru") and plain_reason(w, "ky"), w
    assert "не удаётся прочитать" in plain_reason(lines[0].replace(_fix("missing"), _fix("unreadable")), "ru")
