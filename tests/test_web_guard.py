"""The web forms against a hostile client: stuffing a public link, rate limits, forms sent to the roster,
malformed numbers and requests, oversized chunked bodies, logs, proxies and headers (issue 12).

The forms and links are those of tests/test_web.py (``pub-all`` is an ``audience: public`` form with
personal links too; ``pub-needs_assessment`` and ``pub-event_feedback`` were sent to the roster).
"""

from __future__ import annotations

import logging
import secrets
import socket

import pytest
from itsdangerous import URLSafeTimedSerializer

from automation.config import load_config
from automation.errors import ValidationError
from automation.store import Store
from automation.web.app import MAX_REQUEST_BYTES, create_app
from automation.web.guard import mask_tokens, parse_page
from automation.web.serve import RequestHandler
from automation.web.texts import TEXTS
from conftest import needs_browser, serving
from test_web import (
    GOOD,
    NOW,
    _fill,
    _fill_page_one,
    _fill_page_two,
    _hidden,
    _post,
    tok,
)

KEY = "guard-secret-" + "x" * 32
MANY = "1000 per minute"


def _app(store: Store, **kw):
    return create_app(store, clock=lambda: NOW, secret_key=KEY, **kw)


@pytest.fixture
def store() -> Store:
    return _fill(Store(":memory:"))


def _count(store: Store, form: str = "all") -> int:
    return len(store.responses.list(form))


# --- a public link cannot be stuffed -----------------------------------------------------------


def test_one_page_load_cannot_make_thirty_responses_with_client_chosen_ids(store):
    c = _app(store, rate_per_client=MANY, rate_per_form=MANY).test_client()
    html = c.get("/f/pub-all").get_data(as_text=True)
    csrf = _hidden(html, "csrf_token")
    codes = [c.post("/f/pub-all", data={**GOOD, "csrf_token": csrf, "sid": secrets.token_urlsafe(16),
                                        "action": "submit"}).status_code for _ in range(30)]
    assert codes == [400] * 30 and _count(store) == 0
    # the page the server rendered, sent 30 times: one response, replaced each time
    codes = [_post(c, "/f/pub-all", {**GOOD, "q.useful": str(1 + i % 5)}, html).status_code for i in range(30)]
    assert codes == [303] * 30
    rows = store.responses.list("all")
    assert len(rows) == 1 and rows[0].answers["useful"] == 5  # the last one sent


def test_a_forged_absent_or_foreign_submission_id_is_refused_and_the_answers_given_back(store):
    c = _app(store).test_client()
    html = c.get("/f/pub-all").get_data(as_text=True)
    body = {**GOOD, "csrf_token": _hidden(html, "csrf_token"), "action": "submit"}
    forged = URLSafeTimedSerializer("another key" * 4, salt="club-forms-submission").dumps({"l": "pub-all", "s": "x"})
    school = c.get("/f/pub-school_application").get_data(as_text=True)  # signed, but for another form
    for sid in [None, "", "forged", forged, _hidden(school, "sid"), _hidden(html, "csrf_token")]:
        r = c.post("/f/pub-all", data=body if sid is None else {**body, "sid": sid})
        out = r.get_data(as_text=True)
        assert r.status_code == 400 and TEXTS["ky"]["csrf"] in out, sid
        assert 'value="Айгүл"' in out  # her answers come back with a fresh submission id
        assert _hidden(out, "sid") != sid
    assert _count(store) == 0
    r = c.post("/f/pub-all", data={**body, "sid": _hidden(out, "sid")})  # pressing Send again works
    assert r.status_code == 303 and _count(store) == 1


def test_the_language_switch_keeps_the_submission_id(store):
    c = _app(store).test_client()
    html = c.get("/f/pub-all").get_data(as_text=True)
    r = c.post("/f/pub-all", data={"csrf_token": _hidden(html, "csrf_token"), "sid": _hidden(html, "sid"),
                                   "action": "lang:ru"})
    assert r.status_code == 200 and _hidden(r.get_data(as_text=True), "sid") == _hidden(html, "sid")
    assert _post(c, "/f/pub-all", GOOD, html).status_code == 303
    assert _post(c, "/f/pub-all", GOOD, r.get_data(as_text=True)).status_code == 303
    assert _count(store) == 1


def _submit(c, url: str = "/f/pub-all", data: dict | None = None):
    return _post(c, url, GOOD if data is None else data)


def test_rate_limits_per_client_and_per_form(store):
    app = _app(store, rate_per_client="3 per hour", rate_per_form="5 per hour")
    a = app.test_client()
    a.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    b = app.test_client()
    b.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    # what is not stored does not count: an invalid response, the language switch
    assert _submit(a, data={**GOOD, "q.useful": ""}).status_code == 422
    assert _submit(a, data={"action": "lang:ru"}).status_code == 200
    assert [_submit(a).status_code for _ in range(3)] == [303] * 3
    r = _submit(a, data={**GOOD, "lang": "ru"})
    page = r.get_data(as_text=True)
    assert r.status_code == 429 and r.headers["Retry-After"] == "60"
    assert TEXTS["ru"]["too_many_banner"] in page and 'value="Айгүл"' in page  # her answers are not lost
    assert a.get("/f/pub-all").status_code == 200  # she can still open the page
    assert _count(store) == 3
    # another client: its own three, but the form takes five an hour from everyone
    assert [_submit(b).status_code for _ in range(3)] == [303, 303, 429]
    assert _count(store) == 5
    # personal links are not limited
    assert all(_submit(a, f"/t/{tok('all', p)}").status_code == 303 for p in ("p1", "p2", "p3", "p4"))


def test_x_forwarded_for_is_ignored_unless_behind_a_proxy(store):
    spoof = _app(store, rate_per_client="2 per hour", rate_per_form=MANY).test_client()
    codes = [spoof.post("/f/pub-all", headers={"X-Forwarded-For": f"198.51.100.{i}"}, data={
        **GOOD, "action": "submit", **_tokens(spoof.get("/f/pub-all"))}).status_code for i in range(3)]
    assert codes == [303, 303, 429]  # a made-up header does not make a new client
    proxied = _app(store, rate_per_client="2 per hour", rate_per_form=MANY, behind_proxy=True).test_client()
    for ip in ("203.0.113.1", "203.0.113.2"):
        h = {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
        codes = [proxied.post("/f/pub-all", headers=h, base_url="https://forms.example.org", data={
            **GOOD, "action": "submit", **_tokens(proxied.get("/f/pub-all", headers=h,
                                                              base_url="https://forms.example.org"))}).status_code
            for _ in range(3)]
        assert codes == [303, 303, 429], ip  # behind the proxy each woman's own address counts


def _tokens(resp) -> dict:
    html = resp.get_data(as_text=True)
    return {"csrf_token": _hidden(html, "csrf_token"), "sid": _hidden(html, "sid")}


@pytest.mark.parametrize("form", ["needs_assessment", "event_feedback"])
def test_a_form_sent_to_the_roster_refuses_its_public_link(store, form):
    c = _app(store).test_client()
    r = c.get(f"/f/pub-{form}")
    page = r.get_data(as_text=True)
    assert r.status_code == 403
    for lang in ("ky", "ru"):  # no language asked: the page says it in both
        assert TEXTS[lang]["personal_only_title"] in page and TEXTS[lang]["personal_only"] in page
    assert TEXTS["ru"]["personal_only"] in c.get(f"/f/pub-{form}?lang=ru").get_data(as_text=True)
    live = c.get(f"/t/{tok(form, 'p1')}").get_data(as_text=True)
    r = c.post(f"/f/pub-{form}", data={"csrf_token": _hidden(live, "csrf_token"), "sid": _hidden(live, "sid"),
                                       "action": "submit"})
    assert r.status_code == 403 and _count(store, form) == 0
    assert c.get(f"/t/{tok(form, 'p1')}").status_code == 200  # her personal link works


# --- numbers, logs, headers ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["²", "٣", "9" * 4301, "-1", "1e3", " 1", "1" * 4, "０"])
def test_a_strange_page_number_never_answers_500(store, page):
    c = _app(store).test_client()
    url = f"/t/{tok('all', 'p1')}"
    assert c.post(url, data={"page": page}).status_code == 400  # unauthenticated: refused, not 500
    assert c.post("/f/pub-all", data={"page": page, "action": "submit"}).status_code == 400
    html = c.get(url).get_data(as_text=True)
    r = c.post(url, data={"page": page, "action": "lang:ru", "csrf_token": _hidden(html, "csrf_token")})
    assert r.status_code == 200 and 'name="page" value="0"' in r.get_data(as_text=True)


def test_parse_page():
    assert [parse_page(v) for v in ["0", "1", "12", "999", None, "", "²", "1000", "+1", "1\n"]] == [
        0, 1, 12, 999, 0, 0, 0, 0, 0, 0]


def test_the_error_log_holds_no_personal_token(store, monkeypatch, caplog):
    import automation.web.app as web

    def broken(*a, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(web, "values_from_form", broken)
    c = _app(store).test_client()
    token = tok("all", "p1")
    with caplog.at_level(logging.ERROR):
        r = c.post(f"/t/{token}", data={"page": "1"})
    assert r.status_code == 500 and TEXTS["ru"]["error"] in r.get_data(as_text=True)
    assert "Exception on /t/tok-… [POST]" in caplog.text and "boom" in caplog.text
    assert token not in caplog.text


def test_mask_tokens():
    assert mask_tokens("POST /t/AbCdEfGhIjKlMnOp?lang=ru and /f/Xy_-123") == "POST /t/AbCd…?lang=ru and /f/Xy_-…"


def test_cookie_is_secure_only_behind_a_proxy(store):
    r = _app(store).test_client().get("/f/pub-all")
    assert "Secure" not in r.headers["Set-Cookie"]
    r = _app(store, behind_proxy=True).test_client().get(
        "/f/pub-all", headers={"X-Forwarded-Proto": "https"}, base_url="https://forms.example.org")
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


def test_config_web_behind_proxy(tmp_path):
    cfg = tmp_path / "club.yaml"
    cfg.write_text("web:\n  behind_proxy: true\n")
    assert load_config(cfg).web == {"behind_proxy": True}
    cfg.write_text("state: s.sqlite\n")
    assert load_config(cfg).web == {}
    for text, expected in [("web:\n  behind_proxy: 'yes'\n", "web.behind_proxy: expected true or false"),
                           ("web:\n  proxy: true\n", "web.proxy: unknown setting"),
                           ("web: true\n", "web: expected a mapping")]:
        cfg.write_text(text)
        with pytest.raises(ValidationError) as e:
            load_config(cfg)
        assert expected in str(e.value)


# `serve` passing behind_proxy to the server: tests/test_hosting.py (test_serve_passes_its_options_and_behind_proxy)


# --- the real server ------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """The app on 127.0.0.1 behind :class:`RequestHandler`, recording any error a request thread raised."""
    st = _fill(Store(tmp_path / "state.sqlite"))
    crashes: list[object] = []
    with serving(_app(st), request_handler=RequestHandler) as srv:
        srv.handle_error = lambda request, address: crashes.append(address)  # type: ignore[method-assign]
        yield srv.server_port, crashes
    st.close()


def _exchange(port: int, data: bytes, body_chunks: int = 0) -> bytes:
    """Send ``data`` (then ``body_chunks`` chunks of 1 MB) and read the answer until the server closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    out = b""
    try:
        s.sendall(data)
        for _ in range(body_chunks):
            s.sendall(b"%x\r\n" % (1 << 20) + b"a" * (1 << 20) + b"\r\n")
        if body_chunks:
            s.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server may answer and close before the whole body is sent
    try:
        while b"\r\n\r\n" not in out or b"</html>" not in out:
            got = s.recv(65536)
            if not got:
                break
            out += got
    except OSError:
        pass
    s.close()
    return out


def test_malformed_request_lines_do_not_crash_the_handler(server, caplog):
    port, crashes = server
    token = tok("all", "p1")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        _exchange(port, b"GET / HTTP/9.9\r\nHost: x\r\n\r\n")
        _exchange(port, f"GET /t/{token} x y\r\n\r\n".encode())
        _exchange(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")  # TLS to a plain port
        ok = _exchange(port, b"GET / HTTP/1.0\r\n\r\n")
    assert crashes == []
    assert ok.startswith(b"HTTP/1.1 200") or ok.startswith(b"HTTP/1.0 200")
    assert token not in caplog.text and "/t/tok-…" in caplog.text


def test_server_header_names_no_versions(server):
    port, _ = server
    head = _exchange(port, b"GET / HTTP/1.0\r\n\r\n").split(b"\r\n\r\n")[0].decode()
    servers = [line for line in head.split("\r\n") if line.lower().startswith("server:")]
    assert servers == ["Server: club-forms"]
    bad = _exchange(port, b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n").decode(errors="replace")
    assert "Werkzeug" not in bad and "Python" not in bad


def test_a_chunked_body_over_the_limit_gets_413(server, tmp_path):
    port, crashes = server
    head = (b"POST /f/pub-all HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    out = _exchange(port, head, body_chunks=10)
    assert out.startswith(b"HTTP/1.1 413"), out[:80]
    assert TEXTS["ru"]["too_large"] in out.decode(errors="replace")
    assert crashes == []
    assert MAX_REQUEST_BYTES < 10 << 20


# --- what a phone shows -------------------------------------------------------------------------


@pytest.fixture
def limited_live(tmp_path):
    """The app on 127.0.0.1 taking one anonymous response per client an hour."""
    st = _fill(Store(tmp_path / "state.sqlite"))
    with serving(_app(st, rate_per_client="1 per hour"), request_handler=RequestHandler) as srv:
        yield st, f"http://127.0.0.1:{srv.server_port}"
    st.close()


def _reads_well_at_360(page, texts: list[str]) -> None:
    main = page.inner_text("main")
    for text in texts:
        assert text in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing to scroll sideways
    sizes = page.evaluate("[...document.querySelectorAll('.message h1, .message p, .banner')].map("
                          "e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 14


@needs_browser
def test_browser_the_429_and_refusal_pages_read_well_on_a_phone(limited_live, browser):
    st, base = limited_live
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    for attempt in range(2):
        page.goto(f"{base}/f/pub-all")
        _fill_page_one(page)
        page.click("#page-0 [data-go=next]")
        _fill_page_two(page)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:  # sent by form.js
            page.click("#page-1 button[value=submit].primary")
        if attempt == 0:  # form.js has handled the answer (the kept draft is forgotten) before the page is left;
            # leaving sooner leaves the draft queued, and the reopened page rightly sends it again (CI caught that)
            page.wait_for_function("() => /\\/done$/.test(location.pathname)")
    assert answer.value.status == 429
    page.wait_for_selector(".banner")
    _reads_well_at_360(page, [TEXTS["ky"]["too_many_banner"]])
    assert page.locator(".banner").is_visible()  # the note is on the page she sees, above the questions
    assert page.input_value('input[name="q.name"]') == "Айгүл"  # her answers are still there
    assert len(st.responses.list("all")) == 1
    resp = page.goto(f"{base}/f/pub-event_feedback")
    assert resp.status == 403
    _reads_well_at_360(page, [TEXTS[lg][k] for lg in ("ky", "ru") for k in ("personal_only_title", "personal_only")])
    ctx.close()


# --- a submission sent again (a retry after a lost connection) --------------------------------


def test_a_submission_sent_again_with_its_key_is_the_same_response(store):
    c = _app(store, rate_per_client="2 per hour", rate_per_form=MANY).test_client()
    url = f"/t/{tok('all', 'p1')}"
    assert _post(c, url, {**GOOD, "submission": "key-one-1234"}).status_code == 303
    first = store.responses.list("all")
    # the same key again, even with other answers and from a new page: nothing is stored
    r = _post(c, url, {**GOOD, "q.useful": "1", "submission": "key-one-1234"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}/done?lang=ky")
    assert store.responses.list("all") == first
    assert _post(c, url, {**GOOD, "q.useful": "1", "submission": "key-two-1234"}).status_code == 303
    assert [x.answers["useful"] for x in store.responses.list("all")] == [1]  # a new key: her edit replaces it
    # a public link: a page opened again after a crash carries the key of the first page's submission
    assert _post(c, "/f/pub-all", {**GOOD, "submission": "key-pub-1234"}).status_code == 303
    assert _count(store) == 2
    for _ in range(3):  # sent again from new pages: the same response, and not counted by the rate limit
        assert _post(c, "/f/pub-all", {**GOOD, "submission": "key-pub-1234"}).status_code == 303
    assert _count(store) == 2
    assert _post(c, "/f/pub-all", {**GOOD, "submission": "key-pub-5678"}).status_code == 303
    assert _count(store) == 3
    assert _post(c, "/f/pub-all", {**GOOD, "submission": "key-pub-9999"}).status_code == 429  # 2 an hour
    # another participant's key is not hers: her answers are stored, the key stays the first one's
    assert _post(c, f"/t/{tok('all', 'p2')}", {**GOOD, "submission": "key-one-1234"}).status_code == 303
    assert {x.participant_id for x in store.responses.list("all")} == {"p1", "p2", None}
    assert store.submissions.get("all", "key-one-1234").participant_id == "p1"
    # a malformed key is ignored, not an error
    assert _post(c, f"/t/{tok('all', 'p3')}", {**GOOD, "submission": "<bad key>"}).status_code == 303
    assert len(store.responses.list("all")) == 5


def test_a_repeated_key_is_still_refused_without_the_csrf_token(store):
    c = _app(store).test_client()
    url = f"/t/{tok('all', 'p1')}"
    assert _post(c, url, {**GOOD, "submission": "key-one-1234"}).status_code == 303
    r = c.post(url, data={**GOOD, "action": "submit", "submission": "key-one-1234"})
    assert r.status_code == 400 and TEXTS["ky"]["csrf"] in r.get_data(as_text=True)


def test_pages_are_compressed_and_carry_their_css_and_js(store):
    c = _app(store).test_client()
    r = c.get(f"/t/{tok('all', 'p1')}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.headers["Cache-Control"] == "no-store"
    assert "Accept-Encoding" in r.headers["Vary"]
    import gzip
    html = gzip.decompress(r.get_data()).decode()
    assert "/static/" not in html and "<style>" in html and "<script>" in html  # one request makes the page
    assert c.get(f"/t/{tok('all', 'p1')}").headers.get("Content-Encoding") is None  # not asked: not compressed
    s = c.get("/static/form.js", headers={"Accept-Encoding": "gzip"})  # still served, compressed
    assert s.status_code == 200 and s.headers["Content-Encoding"] == "gzip"
