"""The admin console (automation/web/admin/): roles, sign-in, sessions, CSRF, and each page — with Flask's
test client and in headless Chromium at 360 px and 1280 px.

The state is a copy of the 2022 example club run by the scheduler up to 14 July 2022 (forms made, mails in
the Maildir outbox), one event's programme taken out of the plan so that an action failed and another one is
a problem ahead;
the console's clock is fixed at 20 July 2022.
"""

from __future__ import annotations

import html
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from automation.app import make_context
from automation.config import load_config
from automation.errors import RosterError
from automation.jobs.roster import new_participant, read_roster_file, save_roster_file
from automation.plan.load import load_plan
from automation.scheduler import run_due
from automation.store import Store
from automation.web.admin import install_console
from automation.web.admin.accounts import add_user
from automation.web.app import create_app
from conftest import needs_browser, serving

ROOT = Path(__file__).resolve().parents[1]
RAN_AT = datetime(2022, 7, 14, 12, 0, tzinfo=timezone.utc)
NOW = datetime(2022, 7, 20, 6, 0, tzinfo=timezone.utc)
PW = {"admin": "admin password one", "mentor": "mentor password one", "commission": "commission password 1"}
EMAIL = {r: f"{r}@club.example.org" for r in PW}
#: Pages each role may open; every other console page answers 403.
PAGES = {"admin": ["today", "roster", "forms", "mail", "reports", "school", "users"],
         "mentor": ["today", "forms", "reports"],
         "commission": ["school"]}
ALL_PAGES = PAGES["admin"]


class Clock:
    """A clock the test moves."""

    def __init__(self, t: datetime):
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def _build(tmp: Path):
    club = tmp / "club2022"
    shutil.copytree(ROOT / "examples" / "club2022", club)
    (tmp / "club.yaml").write_text(f"plan: {club / 'plan.yaml'}\nstate: state.sqlite\nout: out\nsheets: sheets\n",
                                   encoding="utf-8")
    cfg = load_config(tmp / "club.yaml")
    plan_text = (club / "plan.yaml").read_text(encoding="utf-8")
    line = "    programme: programmes/lecture_sed_programmes.md\n"
    assert line in plan_text
    (club / "plan.yaml").write_text(plan_text.replace(line, ""), encoding="utf-8")  # its draft fails, its final
    store = Store(cfg.state)
    save_roster_file(store, read_roster_file(club / "roster.csv"))
    plan = load_plan(cfg.plan, cfg.templates)
    ctx = make_context(cfg, store=store, plan=plan)
    run_due(ctx, RAN_AT)
    for role in PW:
        add_user(store, EMAIL[role], role, PW[role], by="test")
    form = next(f for f in store.forms.all() if f.audience == "roster" and f.status == "open")
    links = store.forms.links(form.form_key)
    store.responses.add(form.form_key, [{"response_id": f"r{i}", "participant_id": pid, "respondent_email": None,
                                         "submitted_at": RAN_AT + timedelta(hours=i), "answers": {}}
                                        for i, pid in enumerate(sorted(links)[:7])], source="local")
    _school_applications(store)
    (cfg.out / "report.html").write_text("<!doctype html><title>report</title><h1>Отчёт</h1><img src='charts/a.png'>",
                                         encoding="utf-8")
    return cfg, store


def _school_applications(store: Store) -> None:
    """Three School applications (a public form), not coded yet."""
    import json

    from automation.forms.templates import get_template

    spec = get_template("school_application")
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,0,'public','local',?,?,"
        "?,'closed',?,?,?)",
        ("apps", spec.id, spec.version, spec.kind, "apps", "apps_x", "http://x/f/apps_x",
         json.dumps(spec.to_json(), ensure_ascii=False), "2022-06-01T03:00:00Z", "2022-06-20T11:00:00Z",
         "2022-06-01T03:00:00Z"))
    people = [("r1", 1, "Асанова Айгерим", "1990-01-01", "aigerim.applicant@example.org"),
              ("r2", 2, "Осмонова Бермет", "1999-05-05", "bermet.applicant@example.org"),
              ("r3", 3, "Токтогулова Чолпон", "1985-02-02", "")]
    store.responses.add("apps", [{"response_id": rid, "participant_id": None, "respondent_email": None,
                                  "submitted_at": datetime(2022, 6, 2 + day, tzinfo=timezone.utc),
                                  "answers": {"full_name": name, "birth_date": b, "email": e, "phone": "+996 555 1",
                                              "residence": "Ат-Башы айылы, Нарын облусу", "aiyl_okmotu": "Ат-Башы",
                                              "motivation": f"Мен {name.split()[1]}мын, депутат болгум келет."}}
                                 for rid, day, name, b, e in people], "test")


def _factory(cfg):
    return lambda s: make_context(cfg, store=s, plan=load_plan(cfg.plan, cfg.templates))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("console"))


def _app(cfg, store, clock=None, **kw):
    clock = clock or Clock(NOW)
    app = create_app(store, clock=clock, secret_key="console-" + "k" * 40, behind_proxy=kw.pop("behind_proxy", False))
    app.config["TESTING"] = True
    return install_console(app, store, _factory(cfg), clock=clock, **kw)


def _token(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def _login(client, role: str):
    page = client.get("/admin/login")
    r = client.post("/admin/login", data={"email": EMAIL[role], "password": PW[role], "csrf_token": _token(page.text)})
    assert r.status_code == 302, r.text
    return r


def _post(client, path: str, data: dict | None = None, page: str = "/admin/today", **kw):
    token = _token(client.get(page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kw)


@pytest.fixture
def admin(built):
    cfg, store = built
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    return c


# --- sign-in, sessions, roles, CSRF --------------------------------------------------------------------


def test_every_page_asks_to_sign_in_first(built):
    c = _app(*built).test_client()
    for page in ALL_PAGES:
        r = c.get(f"/admin/{page}")
        assert r.status_code == 302 and r.headers["Location"].startswith("/admin/login"), page


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_sees_its_pages_and_is_refused_the_others(built, role):
    c = _app(*built).test_client()
    _login(c, role)
    for page in ALL_PAGES:
        r = c.get(f"/admin/{page}")
        if page in PAGES[role]:
            assert r.status_code == 200, (role, page, r.text[:300])
        else:
            assert r.status_code == 403 and "Нет доступа" in r.text, (role, page)
    # an action of the admin is refused to the others, and changes nothing
    store = built[1]
    r = _post(c, "/admin/actions/ws_communication.programme_draft/hold", page=f"/admin/{PAGES[role][0]}")
    if role == "admin":
        assert r.status_code == 303 and "ws_communication.programme_draft" in store.console.holds()
        store.console.release("ws_communication.programme_draft")
    else:
        assert r.status_code == 403 and store.console.holds() == {}


def test_a_wrong_password_and_too_many_attempts(built):
    c = _app(*built, login_rate="3 per minute").test_client()
    token = _token(c.get("/admin/login").text)
    for _ in range(3):
        r = c.post("/admin/login", data={"email": EMAIL["admin"], "password": "wrong one!", "csrf_token": token})
        assert r.status_code == 401 and "Неверная почта или пароль" in r.text
    # the right password is not even checked now
    r = c.post("/admin/login", data={"email": EMAIL["admin"], "password": PW["admin"], "csrf_token": token})
    assert r.status_code == 429 and "Слишком много попыток" in r.text
    assert c.get("/admin/today").status_code == 302


def test_the_session_cookie_and_its_end(built):
    cfg, store = built
    clock = Clock(NOW)
    c = _app(cfg, store, clock=clock, idle_seconds=600).test_client()
    r = _login(c, "mentor")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    clock.t = NOW + timedelta(seconds=599)
    assert c.get("/admin/today").status_code == 200
    clock.t += timedelta(seconds=601)  # idle too long
    assert c.get("/admin/today").status_code == 302
    secure = _app(cfg, store, behind_proxy=True).test_client()
    r = _login(secure, "mentor")
    assert "Secure" in r.headers["Set-Cookie"]


def test_a_post_after_the_session_ended_says_so_and_shows_back_what_she_typed(built):
    cfg, store = built
    clock = Clock(NOW)
    c = _app(cfg, store, clock=clock, idle_seconds=600).test_client()
    _login(c, "admin")
    page = c.get("/admin/roster")
    before = store.roster.participants(active_only=False)
    clock.t = NOW + timedelta(seconds=1200)  # she was away; then she sends the form she had filled
    r = c.post("/admin/roster/add", data={"csrf_token": _token(page.text), "name": "Айгүл Асанова",
                                          "email": "aigul.asanova@example.org", "password": "never shown"})
    assert r.status_code == 400 and "Сеанс завершён" in r.text and "Войдите снова" in r.text
    assert "Айгүл Асанова" in r.text and "aigul.asanova@example.org" in r.text and "never shown" not in r.text
    assert store.roster.participants(active_only=False) == before


def test_sign_out_and_no_redirect_to_another_site(built):
    cfg, store = built
    c = _app(cfg, store).test_client()
    page = c.get("/admin/login?next=//evil.example.org/x")
    assert "evil" not in page.text
    r = c.post("/admin/login", data={"email": EMAIL["admin"], "password": PW["admin"], "csrf_token": _token(page.text),
                                     "next": "https://evil.example.org/"})
    assert r.headers["Location"] == "/admin/today"
    r = c.post("/admin/login", data={"email": EMAIL["admin"], "password": PW["admin"],
                                     "csrf_token": _token(c.get("/admin/today").text), "next": "/admin/forms"})
    assert r.headers["Location"] == "/admin/forms"
    assert _post(c, "/admin/logout").status_code == 200
    assert c.get("/admin/today").status_code == 302


def test_a_removed_account_is_signed_out_at_its_next_page(built):
    cfg, store = built
    add_user(store, "temp@club.example.org", "mentor", "temporary password", by="test")
    c = _app(cfg, store).test_client()
    page = c.get("/admin/login")
    c.post("/admin/login", data={"email": "temp@club.example.org", "password": "temporary password",
                                 "csrf_token": _token(page.text)})
    assert c.get("/admin/today").status_code == 200
    from automation.web.admin.accounts import remove_user

    remove_user(store, "temp@club.example.org", by="test")
    assert c.get("/admin/today").status_code == 302


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(admin, built):
    store = built[1]
    before = store.roster.participants(active_only=False)
    person = before[0]
    for data in ({}, {"csrf_token": "forged"}):
        r = admin.post(f"/admin/roster/{person.id}/leave", data=data)
        assert r.status_code == 400 and "Страница устарела" in r.text
    r = admin.post("/admin/login", data={"email": EMAIL["admin"], "password": PW["admin"]})
    assert r.status_code == 400
    assert store.roster.participants(active_only=False) == before


# --- pages ------------------------------------------------------------------------------------------------


def test_today_names_the_failed_action_with_its_reason_and_the_problem_ahead(admin):
    page = admin.get("/admin/today").text
    assert "lecture_sed_programmes.programme_draft" in page
    assert "event lecture_sed_programmes has no programme" in page  # the reason, as the ledger has it
    assert "не получилось" in page  # the status in plain words
    ahead = page.split("Проблемы плана заранее")[1]
    assert "lecture_sed_programmes.programme_final" in ahead
    # actions in plain words beside their keys, and the problem's reason in plain Russian
    assert "рассылка окончательной программы" in ahead.split("Ближайшие")[0]
    assert "не указана программа" in ahead.split("Ближайшие")[0]
    assert "напоминание заполнить форму" in ahead.split("Ближайшие")[1]
    assert "Планировщик, похоже, не запущен" in page  # the actions due since 14 July were not run
    ky = admin.get("/admin/today?lang=ky").text
    assert "Көңүл буруу керек" in ky and 'lang="ky"' in ky


def test_a_broken_plan_is_named_on_the_page_not_a_crash(built):
    from automation.errors import PlanError

    cfg, store = built

    def broken(s):
        raise PlanError("plan.yaml", ["events[0].start: not a date"])

    clock = Clock(NOW)
    app = create_app(store, clock=clock, secret_key="console-" + "k" * 40)
    c = install_console(app, store, broken, clock=clock).test_client()
    _login(c, "admin")
    r = c.get("/admin/today")
    assert r.status_code == 500 and "events[0].start: not a date" in r.text and "Не сделано" in r.text
    assert c.get("/admin/roster").status_code == 200  # the pages that do not need the plan still work


def test_hold_release_and_mark_done_by_hand_go_to_the_ledger_and_the_audit_log(admin, built):
    store = built[1]
    key = "ws_communication.programme_draft"
    assert _post(admin, f"/admin/actions/{key}/hold", {"reason": "wait"}).status_code == 303
    assert key in store.console.holds()
    page = admin.get("/admin/today").text
    assert "придержано" in page
    r = _post(admin, f"/admin/actions/{key}/run", follow_redirects=True)
    assert "on hold" in r.text and store.ledger.get(key) is None
    assert _post(admin, f"/admin/actions/{key}/release").status_code == 303 and key not in store.console.holds()
    r = _post(admin, f"/admin/actions/{key}/done", {"note": "  "}, follow_redirects=True)
    assert "say in a few words" in r.text and store.ledger.get(key) is None
    _post(admin, f"/admin/actions/{key}/done", {"note": "sent by hand from Gmail"})
    entry = store.ledger.get(key)
    assert entry.status == "done" and "admin@club.example.org" in entry.detail and "Gmail" in entry.detail
    actions = [(e.action, e.target) for e in store.console.audit_entries(10)]
    assert ("action.mark_done", key) in actions and ("action.hold", key) in actions
    r = _post(admin, "/admin/actions/no.such.action/hold", follow_redirects=True)
    assert "no action 'no.such.action' in the plan" in html.unescape(r.text)


def test_retry_runs_the_failed_action_and_says_why_it_failed_again(admin, built):
    store = built[1]
    key = "lecture_sed_programmes.programme_draft"
    before = store.ledger.get(key).attempts
    r = _post(admin, f"/admin/actions/{key}/run", follow_redirects=True)
    assert "has no programme" in r.text and store.ledger.get(key).attempts == before + 1


def _roster_form(**kw):
    base = {"name": "Айгерим Токтосунова", "email": "aigerim.new@example.org", "oblast": "naryn", "language": "ky",
            "role": "deputy", "phone": "", "sex": "f", "municipality": ""}
    base.update(kw)
    return base


def test_roster_bad_input_gets_the_cli_message_and_changes_nothing(admin, built):
    store = built[1]
    before = store.roster.participants(active_only=False)
    bad = _roster_form(email="not-an-address", oblast="Атлантида")
    with pytest.raises(RosterError) as cli:
        new_participant(bad["name"], bad["email"], bad["oblast"], bad["language"], role=bad["role"])
    r = _post(admin, "/admin/roster/add", bad, page="/admin/roster")
    assert r.status_code == 422
    for line in cli.value.problems:
        assert line.replace("'", "&#39;") in r.text, line
    # an address already in the roster: refused, the other person is not overwritten
    other = before[0]
    r = _post(admin, "/admin/roster/add", _roster_form(email=other.email.upper()), page="/admin/roster")
    assert r.status_code == 409 and other.name in r.text
    assert store.roster.participants(active_only=False) == before


def test_roster_add_edit_leave_rejoin(admin, built):
    store = built[1]
    r = _post(admin, "/admin/roster/add", _roster_form(), page="/admin/roster")
    assert r.status_code == 303
    p = store.roster.get("aigerim.new@example.org")
    assert p and p.oblast == "naryn" and p.active
    r = _post(admin, f"/admin/roster/{p.id}/edit", _roster_form(oblast="osh", email="someone.else@example.org"),
              page="/admin/roster")
    assert r.status_code == 303
    q = store.roster.get(p.id)
    assert q.oblast == "osh" and q.email == "aigerim.new@example.org"  # the address is her key: not changed
    assert _post(admin, f"/admin/roster/{p.id}/leave", page="/admin/roster").status_code == 303
    assert not store.roster.get(p.id).active
    assert _post(admin, f"/admin/roster/{p.id}/rejoin", page="/admin/roster").status_code == 303
    assert store.roster.get(p.id).active
    assert "Айгерим" in admin.get("/admin/roster?q=айгерим").text
    audit = [e.action for e in store.console.audit_entries(10)]
    assert {"roster.add", "roster.edit", "roster.leave", "roster.rejoin"} <= set(audit)


def test_roster_import_shows_each_problem_by_line_and_imports_nothing(admin, built):
    import io

    store = built[1]
    before = store.roster.participants(active_only=False)
    csv = ("name,email,phone,oblast,municipality,role,language\n"
           "Жаңы Адам,new.person@example.org,,naryn,,deputy,ky\n"
           "Жаман Сап,bad-address,,naryn,,deputy,ky\n"
           "Дагы Бири,another@example.org,,Марс,,deputy,ru\n")
    token = _token(admin.get("/admin/roster").text)
    r = admin.post("/admin/roster/import", data={"csrf_token": token, "csv": (io.BytesIO(csv.encode()), "list.csv")},
                   content_type="multipart/form-data")
    assert r.status_code == 422
    assert "line 3:" in r.text and "line 4:" in r.text and "bad-address" in r.text
    assert store.roster.participants(active_only=False) == before
    token = _token(admin.get("/admin/roster").text)
    r = admin.post("/admin/roster/import", data={"csrf_token": token, "skip_invalid": "1",
                                                 "csv": (io.BytesIO(csv.encode()), "list.csv")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200 and store.roster.get("new.person@example.org") is not None
    assert store.roster.get("another@example.org") is None


def test_forms_show_rates_by_oblast_and_names_to_the_admin_only(built):
    cfg, store = built
    form = next(f for f in store.forms.all() if f.audience == "roster" and f.status == "open")
    admin = _app(cfg, store).test_client()
    _login(admin, "admin")
    mentor = _app(cfg, store).test_client()
    _login(mentor, "mentor")
    assert form.form_key in admin.get("/admin/forms").text and form.form_key in mentor.get("/admin/forms").text
    a = admin.get(f"/admin/forms/{form.form_key}").text
    m = mentor.get(f"/admin/forms/{form.form_key}").text
    someone = store.roster.participants()[0]
    assert "Не ответили" in a and someone.email in a
    assert someone.email not in m and "@" not in m.split("</header>")[1] and "Напомнить сейчас" not in m
    assert "По областям" in m
    assert mentor.post(f"/admin/forms/{form.form_key}/remind", data={"csrf_token": _token(m)}).status_code == 403


def test_remind_now_sends_once_a_day_and_close_now_closes(built):
    cfg, store = built
    form = next(f for f in store.forms.all() if f.audience == "roster" and f.status == "open")
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    page = f"/admin/forms/{form.form_key}"
    r = _post(c, f"{page}/remind", page=page, follow_redirects=True)
    assert "Готово" in r.text, r.text
    key = f"{form.form_key}.reminder.2022-07-20"
    assert store.ledger.get(key).status == "done"
    sent = store.deliveries.sent_totals()
    _post(c, f"{page}/remind", page=page)
    assert store.deliveries.sent_totals() == sent  # a second click the same day sends nothing again
    r = _post(c, f"{page}/sync", page=page, follow_redirects=True)
    assert "responses (0 new) written to" in r.text
    assert (cfg.sheets).is_dir() and any(cfg.sheets.iterdir())
    _post(c, f"{page}/close", page=page)
    assert store.forms.get(form.form_key).status == "closed"


def test_extend_a_deadline_moves_the_closing_and_bad_dates_change_nothing(tmp_path):
    cfg, store = _build(tmp_path)  # its own state: the scheduler runs on to the new deadline
    form = next(f for f in store.forms.all() if f.status == "open" and f.form_key.endswith("post_test"))
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    page = f"/admin/forms/{form.form_key}"
    for bad, message in [("soon", "not a date and time"), ("2022-07-19T18:00", "must be later than the current one"),
                         ("2032-07-25T18:00", "more than 60 days after")]:
        r = _post(c, f"{page}/extend", {"deadline": bad}, page=page, follow_redirects=True)
        assert message in html.unescape(r.text), bad
        assert store.forms.get(form.form_key).deadline == form.deadline and store.console.deadlines() == {}
    r = _post(c, f"{page}/extend", {"deadline": "2022-07-28T18:00"}, page=page, follow_redirects=True)
    assert "продлён" in r.text
    assert store.forms.get(form.form_key).deadline == "2022-07-28T12:00:00Z"
    # the scheduler closes it at the new deadline, not the plan's
    ctx = _factory(cfg)(store)
    run_due(ctx, datetime(2022, 7, 22, 6, 0, tzinfo=timezone.utc))
    assert store.forms.get(form.form_key).status == "open"
    assert store.ledger.get(f"{form.form_key}.close") is None
    run_due(ctx, datetime(2022, 7, 28, 12, 5, tzinfo=timezone.utc))
    assert store.forms.get(form.form_key).status == "closed"
    r = _post(c, f"{page}/extend", {"deadline": "2022-08-10T18:00"}, page=page, follow_redirects=True)
    assert "is closed" in html.unescape(r.text)


def test_mail_shows_each_mailing_as_its_recipient_will_see_it_and_sends_nothing(admin, built):
    store = built[1]
    sent = store.deliveries.sent_totals()
    page = admin.get("/admin/mail").text
    assert "ws_communication.programme_final" in page
    one = admin.get("/admin/mail/ws_communication.programme_final")
    assert one.status_code == 200 and "frame-src 'self'" in one.headers["Content-Security-Policy"]
    assert "Subject:" in one.text
    body = admin.get("/admin/mail/ws_communication.programme_final/body")
    assert body.status_code == 200 and "sandbox" in body.headers["Content-Security-Policy"]
    assert "<script" not in body.text.lower()
    assert store.deliveries.sent_totals() == sent
    assert admin.get("/admin/mail/no.such").status_code == 404


def test_reports_serve_the_built_report_only(built):
    cfg, store = built
    c = _app(cfg, store).test_client()
    _login(c, "mentor")
    assert "report.html" in c.get("/admin/reports").text
    assert "Отчёт" in c.get("/admin/reports/files/report.html").text
    assert c.get("/admin/reports/files/outbox/new/x.html").status_code == 404
    assert c.get("/admin/reports/files/../state.sqlite").status_code == 404


def test_users_page_adds_and_removes_accounts_with_the_cli_checks(admin, built):
    store = built[1]
    r = _post(admin, "/admin/users/add", {"email": "x@club.example.org", "role": "mentor", "password": "short"},
              page="/admin/users", follow_redirects=True)
    assert "at least 10 characters" in r.text and store.console.user("x@club.example.org") is None
    _post(admin, "/admin/users/add", {"email": "x@club.example.org", "role": "mentor", "password": "long enough pass"},
          page="/admin/users")
    assert store.console.user("x@club.example.org").role == "mentor"
    _post(admin, "/admin/users/remove", {"email": "x@club.example.org"}, page="/admin/users")
    assert store.console.user("x@club.example.org") is None
    assert "user.remove" in admin.get("/admin/users").text


def test_school_scoring_in_the_browser_and_the_secretariats_ranking(built):
    cfg, store = built
    admin = _app(cfg, store).test_client()
    _login(admin, "admin")
    member = _app(cfg, store).test_client()
    _login(member, "commission")
    assert "Заявки ещё не закодированы" in admin.get("/admin/school").text
    _post(admin, "/admin/school/codes", page="/admin/school")
    listing = member.get("/admin/school").text
    assert "A-001" in listing and "A-003" in listing
    one = member.get("/admin/school/a/A-001").text
    assert "Асанова" not in one and "Айгерим" not in one and "aigerim.applicant" not in one and "+996" not in one
    assert "депутат болгум келет" in one
    # a bad score: the scores file's message, nothing stored
    r = _post(member, "/admin/school/a/A-001", {"c1": "9", "c2": "x"}, page="/admin/school/a/A-001")
    assert r.status_code == 422 and "score 9 is out of range: the scale is 1–5" in html.unescape(r.text)
    assert "is not a whole number 1–5" in html.unescape(r.text)
    assert store.school.console_scores() == []
    assert _post(admin, "/admin/school/a/A-001", {"c1": "3"}, page="/admin/school").status_code == 403
    for i, code in enumerate(["A-001", "A-002", "A-003"]):
        r = _post(member, f"/admin/school/a/{code}", {f"c{c}": str(1 + (c + i) % 5) for c in range(1, 8)},
                  page=f"/admin/school/a/{code}")
        assert r.status_code == 303
    assert len(store.school.console_scores()) == 21
    page = admin.get("/admin/school").text
    assert "Проверка и рейтинг" in page and "Пока нельзя" not in page and "Место" in page
    csv = admin.get("/admin/school/scores.csv")
    assert csv.status_code == 200 and csv.text.startswith("code,member,criterion,score")
    assert len(csv.text.strip().splitlines()) == 22
    assert member.get("/admin/school/scores.csv").status_code == 403


# --- headless Chromium ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The forms app with the console on 127.0.0.1:<free port> in a thread, over its own state file."""
    from automation.programmes.school.codes import assign_codes

    cfg, store = _build(tmp_path_factory.mktemp("console_live"))
    assign_codes(store)
    with serving(_app(cfg, store)) as srv:
        yield store, f"http://127.0.0.1:{srv.server_port}"


def _signed_in(browser, base: str, role: str, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 500, has_touch=width < 500)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/admin/")
    page.fill('input[name="email"]', EMAIL[role])
    page.fill('input[name="password"]', PW[role])
    page.click('button[type="submit"]')
    page.wait_for_load_state()
    return ctx, page, errors


@needs_browser
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("role", list(PAGES))
def test_each_page_of_each_role_in_chromium(live, browser, role, width, tmp_path):
    store, base = live
    ctx, page, errors = _signed_in(browser, base, role, width)
    import os

    shots = Path(os.environ.get("CONSOLE_SHOTS", tmp_path))  # set it to look at the screenshots
    shots.mkdir(parents=True, exist_ok=True)
    try:
        for name in PAGES[role]:
            resp = page.goto(f"{base}/admin/{name}")
            assert resp.status == 200, (role, name)
            assert page.locator("h1").first.is_visible()
            # nothing wider than the screen on a phone (wide tables scroll inside their box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (role, name, width)
            page.screenshot(path=str(shots / f"{role}_{name}_{width}.png"), full_page=True)
        forbidden = next(p for p in ALL_PAGES if p not in PAGES[role]) if role != "admin" else None
        if forbidden:
            resp = page.goto(f"{base}/admin/{forbidden}")
            assert resp.status == 403 and page.get_by_text("Нет доступа").first.is_visible()
        page.goto(f"{base}/admin/{PAGES[role][0]}?lang=ky")
        assert page.locator("html").get_attribute("lang") == "ky"
    finally:
        ctx.close()
    assert errors == [] or all("403" in e for e in errors), errors


@needs_browser
def test_a_forged_form_in_chromium_is_refused_and_changes_nothing(live, browser):
    store, base = live
    ctx, page, errors = _signed_in(browser, base, "admin", 1280)
    try:
        page.goto(f"{base}/admin/roster")
        before = store.roster.participants(active_only=False)
        page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.value = 'forged')")
        page.locator("details.confirm summary").first.click()  # "leave" asks first (no script needed)
        page.locator("form[action$='/leave'] button").first.click()
        page.wait_for_load_state()
        assert page.get_by_text("Страница устарела").is_visible()
        assert store.roster.participants(active_only=False) == before
    finally:
        ctx.close()


@needs_browser
def test_the_admin_holds_and_releases_an_action_in_chromium(live, browser):
    store, base = live
    ctx, page, errors = _signed_in(browser, base, "admin", 360)
    try:
        page.goto(f"{base}/admin/today")
        row = page.locator("li.row", has_text="ws_communication.programme_draft").first
        row.get_by_role("button", name="Придержать").click()
        page.wait_for_load_state()
        assert "ws_communication.programme_draft" in store.console.holds()
        page.locator("li.row", has_text="ws_communication.programme_draft").first.get_by_role(
            "button", name="Отпустить").click()
        page.wait_for_load_state()
        assert store.console.holds() == {}
    finally:
        ctx.close()


@needs_browser
def test_a_commission_member_scores_on_her_phone(live, browser, tmp_path):
    import os

    store, base = live
    ctx, page, errors = _signed_in(browser, base, "commission", 360)
    try:
        page.goto(f"{base}/admin/school")
        page.get_by_role("link", name="A-002").click()
        page.wait_for_load_state()
        for c in range(1, 8):
            page.locator(f'input[name="c{c}"][value="{1 + c % 5}"]').check()
        shots = Path(os.environ.get("CONSOLE_SHOTS", tmp_path))
        page.screenshot(path=str(shots / "commission_score_360.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 361
        page.get_by_role("button", name="Сохранить").click()
        page.wait_for_load_state()
        assert page.get_by_text("A-002: сохранено оценок: 7").is_visible()
        assert sorted(s for code, _m, _c, s in store.school.console_scores() if code == "A-002") == sorted(
            1 + c % 5 for c in range(1, 8))
    finally:
        ctx.close()
    assert errors == []


def test_the_ledgers_reasons_in_plain_words():
    from automation.web.admin.reasons import plain_reason

    missed = "missed: due 2022-05-14 09:00, no longer useful after 2022-05-31 18:00"
    assert plain_reason(missed, "ru") == ("Программа не работала в срок (2022-05-14 09:00); после 2022-05-31 18:00 "
                                          "это уже не нужно, поэтому пропущено.")
    assert "2022-05-31 18:00 кийин" in plain_reason(missed, "ky")
    gave_up = ("gave up at 2022-08-04 15:00 after: event lecture has no programme: add `programme: "
               "programmes/lecture.md` (a file next to the plan, or a link) to the event in the plan")
    assert "не указана программа" in plain_reason(gave_up, "ru") and "Повторяли до 2022-08-04 15:00" in plain_reason(
        gave_up, "ru")
    limit = ("10 sent, 0 already sent, 0 failed, 0 unknown; daily sending limit (500 recipients) reached: "
             "40 message(s) left for the next day")
    assert "Отправлено: 10" in plain_reason(limit, "ru") and "40 писем уйдут завтра" in plain_reason(limit, "ru")
    assert plain_reason("something new", "ru") is None


def test_the_patterns_match_what_the_jobs_write(built):
    """Each pattern is checked against a line the service wrote in the built state (not a copy in the test)."""
    from automation.web.admin.reasons import plain_reason

    store = built[1]
    details = {e.detail for e in store.ledger.all().values()}
    assert any(d.startswith("missed:") for d in details)
    unknown = [d for d in details if plain_reason(d, "ru") is None]
    assert all(not d.startswith(("missed:", "gave up", "event ", "the form")) for d in unknown), unknown


# --- the library's messages in the page's language (QA pass of the ru/ky console) ----------------------

#: Three Latin words in a row: an English sentence (an e-mail address or a key alone is not one).
ENGLISH = re.compile(r"(?<![\w@.])[A-Za-z]{2,}(?:[ ,:;()']+[A-Za-z]{2,}){2,}(?![\w@])")


def _shown_text(page_html: str, where: str = "flash") -> str:
    """The visible text of the page's messages (elements of class ``where``), without the small English original
    kept for support (``small.orig``, ``small.key``) and without tags."""
    body = page_html.split("<main>", 1)[-1]
    body = re.sub(r'<small class="(?:orig|key)"[^>]*>.*?</small>', " ", body, flags=re.S)
    blocks = re.findall(rf'<(div|p|section|ul|table)[^>]*class="[^"]*\b{where}\b[^"]*"[^>]*>(.*?)</\1>', body, flags=re.S)
    assert blocks, f"no {where} on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(b for _tag, b in blocks)))


def _no_english(text: str) -> None:
    found = ENGLISH.findall(text)
    assert not found, (found, text)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A state of its own (these tests remind, import and score)."""
    return _build(tmp_path_factory.mktemp("console_words"))


@pytest.mark.parametrize("lg", ["ru", "ky"])
def test_button_outcomes_and_library_problems_are_said_in_the_pages_language(fresh, lg):
    import io

    cfg, store = fresh
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    c.get(f"/admin/today?lang={lg}")
    form = next(f for f in store.forms.all() if f.audience == "roster" and f.status == "open")
    page = f"/admin/forms/{form.form_key}"
    said = {"ru": ["Отправлено:", "не похож на номер телефона", "Строка 3:", "не найдена",
                   "должен быть позже текущего", "Готово"],
            "ky": ["Жөнөтүлдү:", "телефон номерине окшобойт", "3-сап:", "табылган жок",
                   "азыркы мөөнөттөн", "Даяр"]}[lg]
    # remind now: "done: 50 sent, …" was shown after «Готово:»
    r = _post(c, f"{page}/remind", page=page, follow_redirects=True)
    text = _shown_text(r.text)
    assert said[0] in text and said[5] in text and "sent" in r.text  # the original is kept, small
    _no_english(text)
    # add a participant with a bad phone
    r = _post(c, "/admin/roster/add", _roster_form(phone="12"), page="/admin/roster")
    text = _shown_text(r.text)
    assert r.status_code == 422 and said[1] in text, text
    _no_english(text)
    # import a CSV with an unknown oblast on line 3
    csv = ("name,email,phone,oblast,municipality,role,language\n"
           "Жаңы Адам,new.person2@example.org,,naryn,,deputy,ky\n"
           "Дагы Бири,another2@example.org,,Москва,,deputy,ru\n")
    token = _token(c.get("/admin/roster").text)
    r = c.post("/admin/roster/import", data={"csrf_token": token, "csv": (io.BytesIO(csv.encode()), "list.csv")},
               content_type="multipart/form-data")
    text = _shown_text(r.text)
    assert r.status_code == 422 and said[2] in text and said[3] in text and "Москва" in text, text
    _no_english(text)
    # a deadline earlier than the current one
    r = _post(c, f"{page}/extend", {"deadline": "2022-07-19T18:00"}, page=page, follow_redirects=True)
    text = _shown_text(r.text)
    assert said[4] in text and "must be later" in html.unescape(r.text), text
    _no_english(text)
    # the audit log names its actions in plain words (the name itself only in a title)
    users = c.get("/admin/users").text
    audit = users.split(TEXTS_AUDIT[lg], 1)[1]
    assert ">form.remind<" not in audit and ">user.add<" not in audit
    assert {"ru": "Напоминание по форме", "ky": "Форма боюнча эскертүү"}[lg] in audit


TEXTS_AUDIT = {"ru": "Журнал действий", "ky": "Аракеттер журналы"}


def test_the_preview_of_a_mail_whose_form_comes_later_says_when_it_will_be_made(fresh):
    from automation.plan.actions import actions

    cfg, store = fresh
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    plan = load_plan(cfg.plan, cfg.templates)
    made = {f.form_key for f in store.forms.all()}
    later = next(a for a in actions(plan) if a.kind == "mail.form_reminder" and a.payload["form_key"] not in made
                 and a.due > NOW)
    r = c.get(f"/admin/mail/{later.key}")
    text = _shown_text(r.text, "problem")
    assert "Форма ещё не создана: она будет создана" in text and "never created" not in text, text
    assert f"<code>{later.key}</code>" not in r.text and later.key in r.text  # its key small, its name as title


def test_forms_mail_and_reports_show_readable_names(built):
    cfg, store = built
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    form = next(f for f in store.forms.all() if f.audience == "roster" and f.status == "open")
    event = load_plan(cfg.plan, cfg.templates).event(form.event_id)
    listing = c.get("/admin/forms").text
    assert event.title.ru in html.unescape(listing)
    assert f"<code>{form.form_key}</code>" not in listing
    detail = c.get(f"/admin/forms/{form.form_key}").text
    h1 = html.unescape(re.search(r"<h1>(.*?)</h1>", detail, re.S).group(1))
    assert event.title.ru in h1 and form.form_key not in h1
    mail = html.unescape(c.get("/admin/mail").text)
    assert "рассылка окончательной программы" in mail and "<code>ws_communication.programme_final</code>" not in mail
    (cfg.out / "summary.json").write_text("{}", encoding="utf-8")
    reports = c.get("/admin/reports").text
    links = re.findall(r'<a href="/admin/reports/files/[^"]+">([^<]*)</a>', reports)
    assert links and all(not n.endswith((".html", ".json")) for n in links), links
    assert "Отчёт для ментора" in reports and "Сводные данные" in reports


def test_the_school_check_and_the_final_ranking_in_plain_words(fresh):
    from datetime import date

    from automation.programmes.school.codes import assign_codes

    cfg, store = fresh
    assign_codes(store)
    admin = _app(cfg, store).test_client()
    _login(admin, "admin")
    member = _app(cfg, store).test_client()
    _login(member, "commission")
    page = admin.get("/admin/school").text  # no scores yet: each code lacks the member's scores
    text = _shown_text(page, "pre")
    assert "нет ни одной оценки от" in text, text
    _no_english(text)
    for i, code in enumerate(["A-001", "A-002", "A-003"]):
        _post(member, f"/admin/school/a/{code}", {f"c{c}": str(1 + (c + i) % 5) for c in range(1, 8)},
              page=f"/admin/school/a/{code}")
    page = admin.get("/admin/school").text  # one member's scores: no agreement to compute yet, said so
    assert "nan" not in page and "нужны оценки хотя бы двух членов комиссии" in page
    _finalize(store, date(2021, 1, 25))
    page = admin.get("/admin/school").text
    table = _shown_text(page, "ranking")
    for english in ("code", "total", "age_group", "selected", "ineligible", "under 18"):
        assert not re.search(rf"\b{english}\b", table), (english, table)
    assert "Место" in table and "Решение" in table
    _no_english(table)


def _finalize(store, on):
    """A final ranking as the secretariat's ``school select --final`` records it: one selected, one under 18."""
    from automation.store.school import ResultRow

    store.school.finalize([ResultRow("A-001", 30.0, 1, 0.5, False, 36, "28+", "selected", ""),
                           ResultRow("A-002", 24.0, 2, 1.5, True, 17, "<18", "ineligible",
                                     f"under 18 on {on.isoformat()}"),
                           ResultRow("A-003", 20.0, 3, 0.0, False, None, "?", "ineligible",
                                     "no valid birth date: check the application")], "digest", NOW)


@needs_browser
def test_on_a_phone_the_import_result_is_on_top_and_the_ranking_has_no_sideways_scroll(fresh, browser, tmp_path):
    import os

    from automation.programmes.school.codes import assign_codes

    cfg, store = fresh
    assign_codes(store)
    if not store.school.is_final():
        _finalize(store, datetime(2021, 1, 25).date())
    shots = Path(os.environ.get("CONSOLE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    bad = tmp_path / "list.csv"
    bad.write_text("name,email,phone,oblast,municipality,role,language\n"
                   "Жаңы Адам,phone.person@example.org,,naryn,,deputy,ky\n"
                   "Дагы Бири,phone.other@example.org,,Москва,,deputy,ru\n", encoding="utf-8")
    with serving(_app(cfg, store)) as srv:
        base = f"http://127.0.0.1:{srv.server_port}"
        for width in (360, 1280):
            ctx, page, errors = _signed_in(browser, base, "admin", width)
            try:
                page.goto(f"{base}/admin/roster")
                page.set_input_files('input[name="csv"]', str(bad))
                page.locator("#import button[type=submit]").click()
                page.wait_for_load_state()
                result = page.locator("#import-result")
                assert result.is_visible() and "Строка 3" in result.inner_text()
                first_row = page.locator("table.cards tbody tr").first
                assert result.bounding_box()["y"] < first_row.bounding_box()["y"]
                assert result.bounding_box()["y"] < 800  # on the first screen
                page.screenshot(path=str(shots / f"words_import_{width}.png"), full_page=True)
                page.goto(f"{base}/admin/school")
                table = page.locator("table.ranking")
                assert table.is_visible() and "отобрана" in table.inner_text()
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
                wrap = page.evaluate("Math.max(...[...document.querySelectorAll('.table-wrap')]"
                                     ".map(e => e.scrollWidth - e.clientWidth))")
                assert wrap <= 1, wrap  # the table reflows: nothing scrolls sideways inside its box either
                table.screenshot(path=str(shots / f"words_school_table_{width}.png"))
                page.screenshot(path=str(shots / f"words_school_{width}.png"), full_page=True)
                for name in ("forms", "mail", "reports", "users"):
                    page.goto(f"{base}/admin/{name}")
                    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
                    page.screenshot(path=str(shots / f"words_{name}_{width}.png"), full_page=True)
            finally:
                ctx.close()
            assert all("422" in e for e in errors), errors  # the refused import answers 422, no script error


def test_small_things_of_the_qa_pass(fresh):
    """«1 участница»; a new account has no role until one is chosen; leaving and closing ask first; after a
    leave the admin is back at her search."""
    from automation.web.admin.texts import people_count

    assert [people_count(n, "ru") for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "1 участница", "2 участницы", "5 участниц", "11 участниц", "21 участница", "22 участницы", "112 участниц"]
    cfg, store = fresh
    c = _app(cfg, store).test_client()
    _login(c, "admin")
    c.get("/admin/today?lang=ru")
    someone = store.roster.participants()[0]
    page = c.get(f"/admin/roster?q={someone.email}").text
    assert "1 участница" in page
    assert re.search(r"<details class=\"inline-details confirm\"><summary>Отметить: вышла из клуба…</summary>", page)
    users = c.get("/admin/users").text
    assert '<select name="role" required><option value="" selected disabled>' in users
    r = _post(c, "/admin/users/add", {"email": "nobody@club.example.org", "password": "long enough pass"},
              page="/admin/users", follow_redirects=True)
    assert store.console.user("nobody@club.example.org") is None and "Роль" in _shown_text(r.text)
    r = _post(c, f"/admin/roster/{someone.id}/leave", {"q": someone.email}, page="/admin/roster")
    assert r.status_code == 303 and "q=" in r.headers["Location"] and "all=1" in r.headers["Location"]
    assert not store.roster.get(someone.id).active
    _post(c, f"/admin/roster/{someone.id}/rejoin", page="/admin/roster")
    form = next(f for f in store.forms.all() if f.status == "open")
    detail = c.get(f"/admin/forms/{form.form_key}").text
    assert "<summary>Закрыть сейчас…</summary>" in detail and "Да, закрыть форму сейчас" in detail


def test_the_library_messages_the_console_shows_are_known_to_the_patterns(fresh):
    """Real messages of the library (not copies): each is said in Russian and Kyrgyz."""
    from automation.errors import AutomationError
    from automation.programmes.school.scores import cell_problems
    from automation.roster import field_problems, validate_person
    from automation.web.admin.accounts import add_user, remove_user
    from automation.web.admin.reasons import plain_reason

    cfg, store = fresh
    _clean, person = validate_person("", "bad@", "Марс", "queen", "en", "12", "x")
    lines = [f"line 3: {'; '.join(person)}", *field_problems("name", "x" * 400), *field_problems("email", "a\x00b")]
    for code, member, crit, score in (("A-001", "m", 1, "9"), ("A-001", "m", 2, "x")):
        lines += [p.message for p in cell_problems(code, member, crit, score, "w", None)[1]]
    for call in (lambda: add_user(store, "x@club.example.org", "queen", "long enough pass", by="t"),
                 lambda: add_user(store, "x@club.example.org", "mentor", "short", by="t"),
                 lambda: add_user(store, EMAIL["admin"], "admin", "long enough pass", by="t"),
                 lambda: remove_user(store, "nobody@club.example.org", by="t"),
                 lambda: new_participant("", "y@example.org", "naryn", "ky", phone="12")):
        with pytest.raises(AutomationError) as e:
            call()
        lines.append(str(e.value))
    for line in lines:
        for lg in ("ru", "ky"):
            said = plain_reason(line, lg)
            assert said is not None, (lg, line)
            _no_english(said)
