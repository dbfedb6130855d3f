"""Console accounts (automation/web/admin/accounts.py, ``users`` commands), held actions, and plan problems
found ahead (automation/plan/ahead.py, ``plan check``)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from automation.cli.main import main
from automation.errors import AutomationError
from automation.forms.templates import DEFAULT_DIR
from automation.model import Participant
from automation.plan.ahead import problems_ahead
from automation.plan.load import parse_plan
from automation.store import Store
from automation.web.admin.accounts import AccountError, add_user, authenticate, change_password, remove_user

T0 = datetime(2022, 9, 1, 8, 0, tzinfo=timezone.utc)
PW = "a long enough password"


def test_an_account_is_stored_hashed_and_checked():
    store = Store(":memory:")
    add_user(store, " Admin@Example.org ", "admin", PW, by="cli", now=T0)
    user = store.console.user("admin@example.org")
    assert user and user.role == "admin" and PW not in user.password_hash and user.password_hash.startswith("$argon2id$")
    assert authenticate(store, "ADMIN@example.org", PW, now=T0) is not None
    assert authenticate(store, "admin@example.org", PW + "x") is None
    assert authenticate(store, "nobody@example.org", PW) is None
    assert authenticate(store, "admin@example.org", "x" * 10_000) is None
    assert store.console.user("admin@example.org").last_login_at == "2022-09-01T08:00:00Z"
    change_password(store, "admin@example.org", "another good password", by="admin@example.org")
    assert authenticate(store, "admin@example.org", PW) is None
    actions = [e.action for e in store.console.audit_entries()]
    assert actions == ["user.password", "user.add"]


@pytest.mark.parametrize("email,role,password,message", [
    ("not an address", "admin", PW, "not a valid e-mail"),
    ("a@example.org", "boss", PW, "role 'boss' is unknown"),
    ("a@example.org", "admin", "short", "at least 10 characters"),
    ("a@example.org", "admin", "a@example.org", "must not be the e-mail"),
])
def test_a_bad_account_is_refused_and_nothing_is_stored(email, role, password, message):
    store = Store(":memory:")
    with pytest.raises(AccountError, match=message):
        add_user(store, email, role, password, by="cli")
    assert store.console.users() == [] and store.console.audit_entries() == []


def test_an_existing_account_is_not_overwritten_and_the_last_admin_stays():
    store = Store(":memory:")
    add_user(store, "a@example.org", "admin", PW, by="cli")
    with pytest.raises(AccountError, match="already has an account"):
        add_user(store, "a@example.org", "mentor", "some other password", by="cli")
    assert store.console.user("a@example.org").role == "admin"
    with pytest.raises(AccountError, match="only admin"):
        remove_user(store, "a@example.org", by="cli")
    add_user(store, "m@example.org", "mentor", PW, by="a@example.org")
    remove_user(store, "m@example.org", by="a@example.org")
    assert [u.email for u in store.console.users()] == ["a@example.org"]
    with pytest.raises(AccountError, match="has no account"):
        remove_user(store, "m@example.org", by="cli")


def test_users_commands(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "club.yaml"
    cfg.write_text("state: state.sqlite\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(PW + "\n"))
    assert main(["--config", str(cfg), "users", "add", "boss@example.org", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--config", str(cfg), "users", "add", "m@example.org", "--role", "mentor"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["--config", str(cfg), "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "boss@example.org" in out and "1 account(s)" in out and PW not in out
    assert main(["--config", str(cfg), "users", "remove", "boss@example.org"]) == 2
    assert "only admin" in capsys.readouterr().err


PLAN = """
club: {name: {ky: Клуб, ru: Клуб}, group_email: club@example.org, admin_email: admin@example.org}
events:
  - id: ws
    title: {ky: Семинар, ru: Семинар}
    format: online_workshop
    start: 2022-10-20T14:00
    end: 2022-10-20T16:00
    programme: programmes/ws.md
    presenters: [p1@example.org]
    materials: [{title: {ky: Файл, ru: Файл}, file: materials/slides.pdf}]
    forms: [{template: best_practice_vote}]
  - id: far
    title: {ky: Кийин, ru: Позже}
    format: online_workshop
    start: 2023-03-20T14:00
    end: 2023-03-20T16:00
"""


def _plan(tmp_path: Path):
    import yaml

    (tmp_path / "programmes").mkdir()
    (tmp_path / "materials").mkdir()
    (tmp_path / "programmes" / "ws.md").write_text("x", encoding="utf-8")
    (tmp_path / "materials" / "slides.pdf").write_text("x", encoding="utf-8")
    plan = parse_plan(yaml.safe_load(PLAN), str(tmp_path / "plan.yaml"), base_dir=tmp_path)
    (tmp_path / "programmes" / "ws.md").unlink()
    return plan


def test_problems_are_found_weeks_ahead_and_not_for_far_events(tmp_path):
    plan = _plan(tmp_path)
    now = datetime(2022, 9, 15, 6, 0, tzinfo=timezone.utc)  # the draft of ws is due 2022-09-20: within 35 days
    found = problems_ahead(plan, lambda e: None, now, DEFAULT_DIR)
    whats = [p.what for p in found]
    assert any("programme file" in w and "ws.md" in w for w in whats), whats
    assert not any("far" in p.event_id for p in found)  # its draft is due in February
    assert not any("material" in w for w in whats)  # the material file is there
    assert not any("presenter" in w for w in whats)  # the vote is made on 2022-10-20: beyond 35 days
    later = problems_ahead(plan, lambda e: None, now + timedelta(days=30), DEFAULT_DIR)
    assert any("presenter p1@example.org of event ws is not in the roster" in p.what for p in later)
    present = Participant("p1", "Айгүл", "p1@example.org")
    assert not any("presenter" in p.what for p in problems_ahead(plan, lambda e: present, now + timedelta(days=30),
                                                                    DEFAULT_DIR))
    (tmp_path / "materials" / "slides.pdf").unlink()
    assert any("material file" in p.what for p in problems_ahead(plan, lambda e: present, now + timedelta(days=30),
                                                                 DEFAULT_DIR))
    # a finished action's problems no longer matter
    assert not problems_ahead(plan, lambda e: present, now, DEFAULT_DIR, done=lambda k: True)


def test_a_template_that_does_not_load_is_found_ahead(tmp_path):
    plan = _plan(tmp_path)
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "best_practice_vote.yaml").write_text("id: best_practice_vote\nversion: [\n", encoding="utf-8")
    now = datetime(2022, 10, 10, 6, 0, tzinfo=timezone.utc)
    found = problems_ahead(plan, lambda e: None, now, broken)
    assert any("form template 'best_practice_vote' does not load" in p.what for p in found), found


def test_a_held_action_does_not_run_until_released(tmp_path):
    from automation.app import make_context
    from automation.config import load_config
    from automation.plan.actions import actions
    from automation.scheduler import run_action, run_due
    from conftest import write_club

    text = PLAN.replace("    programme: programmes/ws.md\n", "").replace(
        "    materials: [{title: {ky: Файл, ru: Файл}, file: materials/slides.pdf}]\n", "")
    ctx = make_context(load_config(write_club(tmp_path, text)))
    store = ctx.store
    a = next(x for x in actions(ctx.plan) if x.kind == "mail.programme_draft")
    store.console.hold(a.key, "admin@example.org", "wait for the mentor", T0)
    assert run_due(ctx, a.due + timedelta(hours=1), [a]) == [] and store.ledger.get(a.key) is None
    with pytest.raises(AutomationError, match="on hold"):
        run_action(ctx, a, a.due)
    store.console.release(a.key)
    ran = run_due(ctx, a.due + timedelta(hours=1), [a])
    assert [r.status for r in ran] == ["failed"] and "has no programme" in ran[0].detail


def test_plan_hold_release_done_commands(tmp_path, capsys):
    root = Path(__file__).resolve().parents[1]
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {root / 'examples/club2022/plan.yaml'}\nstate: state.sqlite\nout: out\nsheets: sheets\n",
                   encoding="utf-8")
    key = "ws_law_budget.programme_final"
    assert main(["--config", str(cfg), "plan", "hold", key, "--reason", "wait"]) == 0
    assert main(["--config", str(cfg), "plan", "hold", key]) == 2 and "already on hold" in capsys.readouterr().err
    store = Store(tmp_path / "state.sqlite")
    assert key in store.console.holds()
    assert main(["--config", str(cfg), "plan", "release", key]) == 0 and key not in store.console.holds()
    assert main(["--config", str(cfg), "plan", "done", key, "--note", "sent from Gmail"]) == 0
    assert store.ledger.get(key).status == "done"
    assert main(["--config", str(cfg), "plan", "done", "nope", "--note", "x"]) == 2
    assert [e.action for e in store.console.audit_entries()] == ["action.mark_done", "action.release", "action.hold"]


def test_forms_extend_command_and_plan_show_follow_the_new_deadline(tmp_path, capsys):
    import json

    from automation.app import make_context
    from automation.config import load_config
    from automation.scheduler import run_due

    root = Path(__file__).resolve().parents[1]
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {root / 'examples/club2022/plan.yaml'}\nstate: state.sqlite\nout: out\nsheets: sheets\n",
                   encoding="utf-8")
    config = load_config(cfg)
    store = Store(config.state)
    run_due(make_context(config, store=store), datetime(2022, 7, 14, 12, 0, tzinfo=timezone.utc))
    key = "ws_law_budget.post_test"
    args = ["--config", str(cfg), "forms", "extend", key]
    assert main(args + ["next week", "--now", "2022-07-15T10:00"]) == 2
    assert "not in ISO 8601 format" in capsys.readouterr().err
    assert main(args + ["2022-07-25T18:00", "--now", "2022-07-15T10:00"]) == 0
    assert "open until 2022-07-25 18:00" in capsys.readouterr().out
    assert main(["--config", str(cfg), "plan", "show", "--json", "--now", "2022-07-15T10:00"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[f"{key}.close"]["due"] == "2022-07-25 18:00"
    assert store.console.audit_entries()[0].action == "form.extend"
