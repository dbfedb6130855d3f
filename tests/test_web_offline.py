"""The web forms on a village connection (issue 15): answers kept on the phone, a submission that waits
for the connection and lands once, the language switch without a reload, the page's weight.

Real Chromium with a 360 px phone viewport (Playwright, Debian's /usr/bin/chromium, skipped with a
message where absent, as tests/test_web.py).  The connection is cut with ``context.set_offline``
(Chromium then fails every request and fires ``offline``/``online``); an answer lost on the way back
is made with ``page.route``: the request reaches the server, the browser gets a network error.
"""

from __future__ import annotations

import dataclasses

import gzip
import json
import re

import pytest

from datetime import timedelta

from automation.store import Store
from automation.web.app import create_app
from automation.web.texts import TEXTS
from conftest import needs_browser, serving
from test_web import (  # noqa: F401  (live, phone: fixtures)
    NOW,
    _browser_answers,
    _fill,
    _fill_page_one,
    _fill_page_two,
    live,
    phone,
    tok,
)

#: The issue's limit for the HTML + CSS + JS of a 20-question form, compressed.
WEIGHT_LIMIT = 30 * 1024


def _mine(st: Store, pid: str | None, form: str = "all") -> list[dict]:
    return [json.loads(r.answers_json) for r in st.responses.list(form) if r.participant_id == pid]


def _kept(page) -> dict | None:
    """What the page keeps on the phone for its link (None: nothing)."""
    return page.evaluate("() => JSON.parse(localStorage.getItem('club-form:' + location.pathname))")


def _status(page) -> str:
    return page.inner_text(".net-status") if page.locator(".net-status:visible").count() else ""


def _wait_status(page, text: str) -> None:
    page.wait_for_selector(f".net-status:has-text({json.dumps(text[:30], ensure_ascii=False)})", state="visible", timeout=10_000)


def test_a_20_question_form_weighs_at_most_30_kb_compressed():
    store = _fill(Store(":memory:"))
    # a role the form's options lack, so her personal link asks all 20 questions (automation/forms/known.py)
    store.roster.upsert([dataclasses.replace(store.roster.get("p1"), role="mentor")], "test", now=NOW)
    c = create_app(store, clock=lambda: NOW, secret_key="w" * 40).test_client()
    gz = {"Accept-Encoding": "gzip"}
    r = c.get(f"/t/{tok('needs_assessment', 'p1')}", headers=gz)
    assert r.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(r.get_data()).decode()
    spec_questions = len(re.findall(r'class="q q-', html.partition("<template")[0]))
    assert spec_questions == 20
    assert "/static/" not in html  # the CSS and JS are in the page: its weight is the whole weight
    assert "<style>" in html and "<script>" in html
    assert len(r.get_data()) <= WEIGHT_LIMIT, len(r.get_data())


@needs_browser
def test_browser_offline_submit_then_reconnect_lands_exactly_one_response(live, phone):
    st, base = live
    page = phone
    page.goto(f"{base}/t/{tok('all', 'p7')}")  # a Kyrgyz speaker
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page)
    page.context.set_offline(True)
    page.click("#page-1 button[value=submit].primary")
    _wait_status(page, TEXTS["ky"]["js_queued"])
    assert _status(page) == TEXTS["ky"]["js_queued"]
    assert page.url.endswith(tok("all", "p7"))  # no error page: she stays on her answers
    assert page.input_value('input[name="q.name"]') == "Айгүл"
    kept = _kept(page)
    assert kept["queued"] is True and kept["pending"]["key"] and kept["fields"]["q.name"] == ["Айгүл"]
    assert _mine(st, "p7") == []
    page.context.set_offline(False)  # the connection returns: sent by itself
    page.wait_for_url("**/done?lang=ky")
    assert "Рахмат!" in page.inner_text("h1")
    assert _mine(st, "p7") == [_browser_answers()]
    assert st.submissions.get("all", kept["pending"]["key"]).participant_id == "p7"
    assert _kept(page) is None  # confirmed: nothing left on the phone


@needs_browser
def test_browser_an_answer_lost_on_the_way_back_then_a_crash_still_lands_once(live, browser):
    """A public link: the server stores the submission, the answer never reaches the phone, the browser is
    closed; the link opened again (a new page, a new submission id) sends it again: still one response."""
    st, base = live
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    url = f"{base}/f/pub-all"
    page.goto(url + "?lang=ru")
    _fill_page_one(page, useful="2")
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page, essay="Потеряно в пути")

    def lost(route):
        route.fetch()  # the server gets it and stores it
        route.abort("internetdisconnected")  # the phone does not hear back

    before = len(_mine(st, None))
    page.route(url, lambda route: lost(route) if route.request.method == "POST" else route.continue_())
    page.click("#page-1 button[value=submit].primary")
    _wait_status(page, TEXTS["ru"]["js_queued"])
    assert len(_mine(st, None)) == before + 1
    key = _kept(page)["pending"]["key"]
    page.close()  # the browser is closed (or the phone crashes) before the retry
    again = ctx.new_page()
    again.goto(url)  # no ?lang: the language she chose comes back with her answers
    again.wait_for_url("**/done?lang=ru")
    assert "Спасибо!" in again.inner_text("h1")
    answers = [a for a in _mine(st, None) if a.get("essay") == "Потеряно в пути"]
    assert answers == [_browser_answers(essay="Потеряно в пути", useful=2)]
    assert len(_mine(st, None)) == before + 1 and st.submissions.get("all", key) is not None
    ctx.close()


@needs_browser
def test_browser_a_page_kept_past_a_server_restart_is_sent_with_fresh_tokens(live, phone):
    st, base = live
    page = phone
    page.goto(f"{base}/t/{tok('all', 'p8')}")  # Russian in the roster
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page)
    page.context.set_offline(True)
    page.click("#page-1 button[value=submit].primary")
    _wait_status(page, TEXTS["ru"]["js_queued"])
    page.context.clear_cookies()  # her session is gone: the page's CSRF token no longer matches
    page.context.set_offline(False)
    page.wait_for_url("**/done?lang=ru")
    assert _mine(st, "p8") == [_browser_answers()]


@needs_browser
def test_browser_answers_are_restored_after_a_reload_and_forgotten_after_sending(live, phone):
    st, base = live
    page = phone
    url = f"{base}/t/{tok('needs_assessment', 'p2')}"  # Russian in the roster
    page.goto(url)
    first = page.locator("section.page.current .q").first
    qid = first.get_attribute("id")[2:]
    page.locator(f"#q-{qid} select, #q-{qid} input").first.evaluate(
        "e => { if (e.tagName === 'SELECT') e.selectedIndex = 2; else e.checked = true; "
        "e.dispatchEvent(new Event('change', {bubbles: true})); }")
    chosen = page.evaluate(f"() => new FormData(document.getElementById('answers')).getAll('q.{qid}')")
    assert chosen and chosen != [""]
    page.reload()
    _wait_status(page, TEXTS["ru"]["js_restored"])
    assert page.evaluate(f"() => new FormData(document.getElementById('answers')).getAll('q.{qid}')") == chosen
    # a textarea on a later page, typed into, then the browser dies: the text and the section come back
    page.goto(f"{base}/t/{tok('all', 'p2')}")
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    page.fill('textarea[name="q.essay"]', "Жарым-жартылай")
    page.close(run_before_unload=False)
    page = phone.context.new_page()
    page.goto(f"{base}/t/{tok('all', 'p2')}")
    assert page.locator("#page-1").is_visible() and not page.locator("#page-0").is_visible()
    assert page.input_value('textarea[name="q.essay"]') == "Жарым-жартылай"
    assert page.locator("#q-essay .count").inner_text() == "1"
    assert page.is_checked('input[name="q.topics"][value="budget"]')
    assert page.input_value('select[name="q.oblast"]') == "naryn"
    _fill_page_two(page)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ru")
    assert _mine(st, "p2") == [_browser_answers()]
    assert _kept(page) is None
    page.goto(f"{base}/t/{tok('all', 'p2')}")  # her sent answers, from the server; nothing "restored"
    assert page.input_value('input[name="q.name"]') == "Айгүл" and _status(page) == ""


@needs_browser
def test_browser_language_switch_keeps_typed_answers_without_navigation(live, phone):
    st, base = live
    page = phone
    page.goto(f"{base}/t/{tok('all', 'p1')}?lang=ky")
    page.click("#page-0 [data-go=next]")  # nothing answered: the problems are said in Kyrgyz
    assert page.locator("#err-format").inner_text() == "Бул суроого жооп бериңиз."
    page.check('input[name="q.format"][value="offline"]')
    page.select_option('select[name="q.oblast"]', "osh")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.evaluate("() => { window.stillHere = true; }")
    page.click("button.lang[value='lang:ru']")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.evaluate("() => window.stillHere") is True and requests == []  # no navigation, no request
    assert page.title() == "Все вопросы" and page.inner_text("h1") == "Все вопросы"
    assert page.is_checked('input[name="q.format"][value="offline"]')
    assert page.input_value('select[name="q.oblast"]') == "osh"
    assert not page.locator("#err-format").is_visible()  # answered meanwhile
    assert page.locator("#err-useful").inner_text() == "Ответьте на этот вопрос."  # still open, in Russian
    assert page.url.endswith("?lang=ru")  # a reload keeps her language
    _fill_page_one(page, fmt="offline", useful="5")
    page.click("#page-0 [data-go=next]")
    page.fill('textarea[name="q.essay"]', "Бир эки")
    page.click("button.lang[value='lang:ky']")
    assert page.locator("html").get_attribute("lang") == "ky" and requests == []
    assert page.locator("#page-1").is_visible()  # the same section
    assert page.input_value('textarea[name="q.essay"]') == "Бир эки"
    assert page.locator("#q-essay .count").inner_text() == "2"
    page.click("button.lang[value='lang:ru']")
    _fill_page_two(page)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ru")
    assert "Спасибо!" in page.inner_text("h1")
    assert _mine(st, "p1") == [_browser_answers(fmt="offline", useful=5)]


@needs_browser
def test_browser_a_server_error_is_retried_with_a_message(live, phone):
    """The proxy in front of the service answers 502 while it restarts: the page says so and tries again."""
    st, base = live
    page = phone
    url = f"{base}/t/{tok('all', 'p4')}"  # Russian in the roster
    page.goto(url)
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page)
    answers: list[int] = []

    def proxy(route):
        if route.request.method == "POST" and not answers:
            answers.append(502)
            route.fulfill(status=502, body="Bad Gateway", content_type="text/html")
        else:
            route.continue_()

    page.route(url, proxy)
    page.click("#page-1 button[value=submit].primary")
    _wait_status(page, TEXTS["ru"]["js_retry"])
    assert answers == [502] and _mine(st, "p4") == []
    page.wait_for_url("**/done?lang=ru", timeout=20_000)  # the next try, 5 s later
    assert _mine(st, "p4") == [_browser_answers()]


@needs_browser
def test_browser_answers_sent_offline_that_arrive_after_the_deadline_are_shown_back_not_dropped(tmp_path, phone):
    """She sends while offline before the deadline; the connection returns after it: the form is closed and
    nothing is stored, but the page she sees says her answers were not received and shows them to her."""
    st = _fill(Store(tmp_path / "state.sqlite"))
    clock = [NOW]
    with serving(create_app(st, clock=lambda: clock[0], secret_key="late-" + "k" * 40)) as srv:
        page = phone
        page.goto(f"http://127.0.0.1:{srv.server_port}/t/{tok('all', 'p8')}")  # Russian in the roster
        _fill_page_one(page)
        page.click("#page-0 [data-go=next]")
        _fill_page_two(page, essay="Связь пропала в горах")
        page.context.set_offline(True)
        page.click("#page-1 button[value=submit].primary")
        _wait_status(page, TEXTS["ru"]["js_queued"])
        clock[0] = NOW + timedelta(days=3)  # past the form's deadline (22.09.2022 18:00)
        page.context.set_offline(False)
        page.wait_for_selector("section.sent", timeout=10_000)
        sent = page.inner_text("section.sent")
        assert "Эти ответы не приняты" in sent and "Связь пропала в горах" in sent and "Айгүл" in sent
        assert "Форма закрыта" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(tmp_path / "late.png"), full_page=True)
    assert _mine(st, "p8") == []
