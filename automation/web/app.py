"""The participants' web forms as one Flask app (:func:`create_app`): routes, pages, CSRF, limits.

The routes, languages, pages and safety measures are described in the package
docstring (:mod:`automation.web`).  Links are looked up, and the deadline decided,
by the local forms backend (:mod:`automation.workspace.local.forms`), which also
stores every response.
"""

from __future__ import annotations

import hashlib
import random
import re
import secrets
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from flask import Flask, abort, g, redirect, render_template, request, session
from flask_compress import Compress
from markupsafe import Markup
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from automation.forms.answers import word_count
from automation.forms.result import answer_lines
from automation.model import BISHKEK, LANGS, Option, iso, parse_iso, utc_now
from automation.store import FormRecord, Store
from automation.web.guard import (
    RATE_PER_CLIENT,
    RATE_PER_FORM,
    TOO_LARGE,
    BodyLimit,
    mask_tokens,
    parse_page,
    rate_limits,
    trust_proxy,
)
from automation.web.assets import inline_asset
from automation.web.links import Link
from automation.web.once import store_once, stored_before, submission_key
from automation.web.result import (contact, event_line, form_line, post_test_key, quiz_result, result_visible,
                                   results_after)
from automation.web.texts import PROBLEMS, TEXTS
from automation.web.values import (
    OTHER,
    OTHER_MAX_CHARS,
    answers_from_values,
    problem_message,
    text_limit,
    values_from_answers,
    values_from_form,
)
from automation.workspace.local.forms import (
    FormClosed,
    InvalidResponse,
    LocalForms,
    UnknownLink,
    accepts_answers,
    takes_anonymous,
)

#: The page templates (Jinja2) and ``static/`` (form.css, form.js).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

#: Seconds a rendered form stays valid for submission (a participant may keep it open all day).
CSRF_MAX_AGE = 2 * 24 * 3600
#: Largest request body accepted (HTTP 413 beyond).  A 20,000-character Cyrillic
#: answer is about 240 KB form-encoded.
MAX_REQUEST_BYTES = 1024 * 1024
#: Largest single form field (Werkzeug's ``max_form_memory_size``).
MAX_FIELD_BYTES = 512 * 1024
#: Most form fields in one request.
MAX_FIELDS = 2000

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def _when(text_or_dt: str | datetime) -> str:
    """An ISO time (or aware datetime) as Bishkek time ``dd.mm.yyyy HH:MM``, as the pages show it."""
    dt = parse_iso(text_or_dt) if isinstance(text_or_dt, str) else text_or_dt
    return dt.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")


class _PersonalOnly(Exception):
    """A form's public link to a form that takes answers through personal links only (HTTP 403)."""


class _FormsApp(Flask):
    """Flask, logging a failed request's path with its link token shortened."""

    def log_exception(self, exc_info: Any) -> None:
        """Log the error as Flask does, without the full personal token of the path."""
        self.logger.error(f"Exception on {mask_tokens(request.path)} [{request.method}]", exc_info=exc_info)


def create_app(store: Store, *, clock: Callable[[], datetime] = utc_now, secret_key: bytes | str | None = None,
               base_url: str = "", behind_proxy: bool = False, rate_per_client: str = RATE_PER_CLIENT,
               rate_per_form: str = RATE_PER_FORM) -> Flask:
    """The web forms as a Flask app serving the forms of ``store``.

    ``clock`` returns the current time (UTC, aware) — the deadline check uses
    it; ``secret_key`` signs the session cookie, the CSRF tokens and the
    submission ids of anonymous pages (a random one when None: pages opened
    before a restart then ask to press Send again; ``serve`` keeps one in a
    file, see :func:`automation.web.secret.load_secret_key`).  ``behind_proxy``:
    trust one HTTPS proxy's ``X-Forwarded-*`` headers and send the cookie
    ``Secure`` (:func:`automation.web.guard.trust_proxy`).  ``rate_per_client``
    and ``rate_per_form`` limit the submissions stored through public links
    (:func:`automation.web.guard.rate_limits`).
    """
    app = _FormsApp(__name__, template_folder=str(TEMPLATES_DIR), static_folder=str(TEMPLATES_DIR / "static"),
                    static_url_path="/static")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FIELD_BYTES,
        MAX_FORM_PARTS=MAX_FIELDS,
        SESSION_COOKIE_NAME="club_forms",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        TEMPLATES_AUTO_RELOAD=False,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_ALGORITHM_STREAMING=["zstd", "br", "gzip", "deflate"],  # static files are streamed: gzip too
    )
    Compress(app)  # gzip (or br/zstd where asked) for pages, CSS and JS; never for 3xx/4xx/5xx answers
    css, css_src = inline_asset(TEMPLATES_DIR / "static" / "form.css")  # written into each page
    js, js_src = inline_asset(TEMPLATES_DIR / "static" / "form.js")
    app.jinja_env.globals.update(inline_css=css, inline_js=js)
    app.jinja_env.autoescape = True  # every template, whatever its extension
    app.wsgi_app = BodyLimit(app.wsgi_app, MAX_REQUEST_BYTES)  # type: ignore[method-assign]
    if behind_proxy:
        trust_proxy(app)
    limited = rate_limits(app, rate_per_client, rate_per_form)
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="club-forms-csrf")
    sid_signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="club-forms-submission")
    home = threading.get_ident()

    def db_store() -> Store:
        if "store" not in g:
            if threading.get_ident() == home or store.path == ":memory:":
                g.store = store
            else:
                g.store, g.own_store = Store(store.path), True
        return g.store

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if g.pop("own_store", False):
            g.pop("store").close()

    @app.before_request
    def _chunked_too_large() -> None:
        if request.environ.get(TOO_LARGE):
            abort(413)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'none'; style-src 'self' {css_src}; script-src 'self' {js_src}; img-src 'self'; "
            "connect-src 'self'; "
            "form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        if resp.mimetype == "text/html":
            resp.headers["Cache-Control"] = "no-store"
        return resp

    # --- helpers -------------------------------------------------------------------
    def resolve(kind: str, token: str) -> Link:
        if not _TOKEN_RE.match(token):
            abort(404)
        try:
            form, pid = LocalForms(db_store(), base_url).resolve(token, kind)
        except UnknownLink:
            abort(404)
        if form is None:
            abort(404)
        link = Link(kind, token, form, pid, db_store().roster.get(pid) if pid else None)
        if link.public and not takes_anonymous(form):
            raise _PersonalOnly()
        return link

    def asked_lang() -> str | None:
        """The language asked for (``?lang=`` or the form's ``lang``), else None (a page in both)."""
        lang = request.values.get("lang")
        return lang if lang in LANGS else None

    def choose_lang(link: Link | None, override: str | None = None) -> str:
        for cand in (override, request.values.get("lang")):
            if cand in LANGS:
                return cand  # type: ignore[return-value]
        if link is not None and link.pid:
            p = db_store().roster.get(link.pid)
            if p and p.language in LANGS:
                return p.language
        return "ky"

    def is_closed(link: Link) -> bool:
        return not accepts_answers(link.form, clock())

    def csrf_token(link: Link) -> str:
        if not isinstance(session.get("csrf"), str):
            session["csrf"] = secrets.token_urlsafe(16)
        return signer.dumps({"n": session["csrf"], "l": link.token})

    def csrf_ok(link: Link) -> bool:
        try:
            data = signer.loads(request.form.get("csrf_token", ""), max_age=CSRF_MAX_AGE)
        except BadData:
            return False
        nonce = session.get("csrf")
        return (isinstance(data, dict) and isinstance(nonce, str) and data.get("l") == link.token
                and secrets.compare_digest(str(data.get("n", "")), nonce))

    def new_sid(link: Link) -> str:
        """A submission id for one rendering of an anonymous page: signed, bound to the link."""
        return sid_signer.dumps({"l": link.token, "s": secrets.token_urlsafe(12)})

    def sent_sid(link: Link) -> str | None:
        """The random part of the submission id the page sent, if this server issued it for this link."""
        try:
            data = sid_signer.loads(request.form.get("sid", ""), max_age=CSRF_MAX_AGE)
        except BadData:
            return None
        ok = isinstance(data, dict) and data.get("l") == link.token and isinstance(data.get("s"), str)
        return data["s"] if ok else None

    def message_page(status: int, title_key: str, body_keys: list[tuple[str, dict]], lang: str | None,
                     link_text: str | None = None, link_url: str | None = None, form: FormRecord | None = None,
                     result: dict[str, Any] | None = None, sent: dict[str, Any] | None = None,
                     first: str | None = None):
        """A page with a title and paragraphs; ``lang`` None shows Kyrgyz and Russian both, ``first`` first
        (her language on her personal link; else Kyrgyz).  With ``form``: its event and form lines first
        (:func:`automation.web.result.event_line`, :func:`~automation.web.result.form_line`); ``result``: her
        test result below (:func:`automation.web.result.quiz_result`); ``sent``: answers that were not received
        (:func:`not_received`)."""
        langs = [lang] if lang else sorted(LANGS, key=lambda lg: lg != (first or "ky"))
        blocks = [{"lang": lg, "title": TEXTS[lg][title_key],
                   "paras": [line for line in ((event_line(form, lg), form_line(form, lg)) if form is not None
                                               else ()) if line]
                   + [TEXTS[lg][k].format(**kw) for k, kw in body_keys]} for lg in langs]
        return render_template("message.html", lang=lang or "ky", blocks=blocks, link_text=link_text,
                               link_url=link_url, result=result, sent=sent), status

    def not_received(link: Link, lang: str) -> dict[str, Any] | None:
        """The answers a POST brought to a closed form, to show her back (they are not stored: the form closed
        before they arrived, e.g. sent from a phone that was offline until after the deadline); None when the
        request carried none.  ``{"lang", "title", "note", "lines": [(question title, her answer)]}``."""
        answers, _ = answers_from_values(link.spec, values_from_form(link.spec, request.form))
        lines = answer_lines(link.spec, answers, lang)
        if not lines:
            return None
        t = TEXTS[lang]
        return {"lang": lang, "title": t["not_received_title"],
                "note": t["not_received"].format(deadline=_when(link.form.deadline)), "lines": lines}

    def shown_after(form: FormRecord) -> datetime | None:
        """:func:`automation.web.result.results_after` of ``form``, its post-test read from the store."""
        key = post_test_key(form)
        return results_after(form, db_store().forms.get(key) if key else None)

    def closed_page(link: Link, lang: str, sent: dict[str, Any] | None = None):
        """In Kyrgyz and Russian (she may have been sent another's link), with the admin's contact; on her
        personal link, her test result when the quiz shows it after the deadline; ``sent``: the answers she
        sent too late, shown back to her (:func:`not_received`)."""
        paras: list[tuple[str, dict]] = []
        if clock() > parse_iso(link.form.deadline):
            paras.append(("closed_deadline", {"deadline": _when(link.form.deadline)}))
        else:
            paras.append(("closed", {}))
        result = None
        if link.pid:
            prev = db_store().responses.latest_of(link.form.form_key, link.pid)
            if prev:
                paras.append(("closed_answered", {"when": _when(prev.submitted_at)}))
                if result_visible(link.full_spec, link.form, clock(), True, shown_after(link.form)):
                    result = quiz_result(link.full_spec, prev.answers, lang)
        if contact(link.form):
            paras.append(("contact", {"email": contact(link.form)}))
        return message_page(410, "closed_title", paras, None, form=link.form, result=result, sent=sent,
                            first=lang if link.pid else None)

    def sections_view(link: Link) -> list[dict[str, Any]]:
        out = []
        for s in link.spec.sections:
            qs = []
            for q in link.spec.questions:
                if q.section != s.id:
                    continue
                opts: list[Option] = list(q.options)
                if q.shuffle:  # the same order every time this link is opened
                    random.Random(f"{link.token}|{q.id}").shuffle(opts)
                qs.append({"q": q, "options": opts})
            if qs:
                out.append({"section": s, "questions": qs})
        return out

    def render_form(link: Link, lang: str, values: dict[str, Any], problems: dict[str, str], *,
                    page: int = 0, banner: str | None = None, status: int = 200, sid: str | None = None):
        """The form page in ``lang``, carrying the same page in the other language(s) in a ``<template>``
        (form.js switches language without asking the server).  ``banner`` is a key of :data:`TEXTS`."""
        sections = sections_view(link)
        if problems:  # open the first page with a problem
            for i, sv in enumerate(sections):
                if any(x["q"].id in problems for x in sv["questions"]):
                    page = i
                    break
        page = max(0, min(page, len(sections) - 1))
        prev = db_store().responses.latest_of(link.form.form_key, link.pid) if link.pid else None
        common = dict(
            spec=link.spec, sections=sections, values=values, page=page, link=link, action_url=link.url(),
            csrf_token=csrf_token(link), sid=sid or new_sid(link), submission=str(uuid.uuid4()), OTHER=OTHER,
            text_limit=text_limit, word_count=word_count, other_max=OTHER_MAX_CHARS,
            langs=[(lg, TEXTS[lg]["lang_name"]) for lg in LANGS], deadline=_when(link.form.deadline))

        def page_in(lg: str, others: list[dict[str, str]]) -> str:
            t = TEXTS[lg]
            messages = {qid: problem_message(link.spec.question(qid), code, lg, values.get(qid))
                        for qid, code in problems.items() if qid in {q.id for q in link.spec.questions}}
            return render_template(
                "form.html", lang=lg, t=t, messages=messages, banner=t[banner] if banner else None,
                already=t["already"].format(when=_when(prev.submitted_at)) if prev else None,
                js_messages={**{k: PROBLEMS[lg][k] for k in ("required", "required_grid", "too_many_words",
                                                             "other_empty")},
                             **{k: t["js_" + k] for k in ("sending", "queued", "retry", "restored")}},
                other_langs=others, event=event_line(link.form, lg), **common)

        others = []
        for lg in LANGS:
            if lg != lang:
                full = page_in(lg, [])
                # the insides of <title> and <main> (base.html writes each tag once; page text is escaped, so
                # no other "<main>" can occur), already escaped by the template: safe to embed as they are
                title = full.split("<title>", 1)[1].split("</title>", 1)[0]
                inner = full.split("<main>", 1)[1].rsplit("</main>", 1)[0]
                others.append({"lang": lg, "title": Markup(title), "main": Markup(inner)})
        return page_in(lang, others), status

    # --- routes ----------------------------------------------------------------------
    def form_view(kind: str, token: str):
        try:
            link = resolve(kind, token)
        except _PersonalOnly:
            return message_page(403, "personal_only_title", [("personal_only", {})], asked_lang())
        if request.method == "GET":
            lang = choose_lang(link)
            if is_closed(link):
                return closed_page(link, lang)
            values: dict[str, Any] = {}
            if link.pid:
                prev = db_store().responses.latest_of(link.form.form_key, link.pid)
                if prev:
                    values = values_from_answers(link.spec, prev.answers)
            return render_form(link, lang, values, {})

        action = request.form.get("action", "submit")
        lang = choose_lang(link, action[5:] if action.startswith("lang:") else None)
        if is_closed(link):
            return closed_page(link, lang, not_received(link, lang))
        values = values_from_form(link.spec, request.form)
        page = parse_page(request.form.get("page"))
        issued = sent_sid(link) if link.public else None
        sid = request.form.get("sid") if issued else None  # the same signed id goes back on the page
        if action.startswith("lang:"):  # the language switch: same page, same answers, nothing saved
            return render_form(link, lang, values, {}, page=page, sid=sid)
        if not csrf_ok(link) or (link.public and issued is None):
            return render_form(link, lang, values, {}, page=page, sid=sid, banner="csrf", status=400)
        s = db_store()
        key = submission_key(request.form.get("submission"))
        if key and stored_before(s, link, key):  # sent again (a retry after a lost answer): nothing to store
            g.replayed = True
            return redirect(link.url(done=True, lang=lang), code=303)
        answers, problems = answers_from_values(link.spec, values)
        if problems:
            return render_form(link, lang, values, problems, page=page, sid=sid, status=422)
        response_id = None
        if not link.pid:  # one response per page the server rendered: a double tap, a retry, a replay replaces it
            basis = f"{app.config['SECRET_KEY']}|{link.form.form_key}|{issued}"
            response_id = "lw_" + hashlib.sha256(basis.encode()).hexdigest()[:16]
        try:
            g.replayed = store_once(s, LocalForms(s, base_url), link, answers, key, response_id, clock())
        except FormClosed:
            return closed_page(link, lang, not_received(link, lang))
        except InvalidResponse as e:
            return render_form(link, lang, values, e.problems, page=page, sid=sid, status=422)
        except UnknownLink:
            abort(404)
        return redirect(link.url(done=True, lang=lang), code=303)

    def done_view(kind: str, token: str):
        try:
            link = resolve(kind, token)
        except _PersonalOnly:
            return message_page(403, "personal_only_title", [("personal_only", {})], asked_lang())
        lang = choose_lang(link)
        if link.pid:
            prev = db_store().responses.latest_of(link.form.form_key, link.pid)
            if prev is None:
                return redirect(link.url(lang=lang), code=303)
            spec, after = link.full_spec, shown_after(link.form)
            visible = result_visible(spec, link.form, clock(), True, after)
            result = quiz_result(spec, prev.answers, lang) if visible else None
            if is_closed(link):
                return message_page(200, "thanks_title", [("thanks", {})], lang, form=link.form, result=result)
            paras = [("thanks", {}), ("thanks_edit", {"deadline": _when(link.form.deadline)})]
            later = spec.show_answers == "after_deadline" or (link.form.pre_test and spec.show_answers != "never")
            if spec.quiz and spec.max_score > 0 and later and not visible and after is not None:
                paras.append(("answers_after_post" if link.form.pre_test else "answers_later",
                              {"deadline": _when(iso(after))}))
            return message_page(200, "thanks_title", paras, lang, link_text=TEXTS[lang]["edit_link"],
                                link_url=link.url(lang=lang), form=link.form, result=result)
        return message_page(200, "thanks_title", [("thanks", {})], lang, form=link.form)

    @app.route("/t/<token>", methods=["GET", "POST"])
    def personal(token: str):
        return form_view("t", token)

    @app.route("/f/<external_id>", methods=["GET", "POST"])
    @limited
    def public(external_id: str):
        return form_view("f", external_id)

    @app.get("/t/<token>/done")
    def personal_done(token: str):
        return done_view("t", token)

    @app.get("/f/<external_id>/done")
    def public_done(external_id: str):
        return done_view("f", external_id)

    @app.get("/")
    def index():
        return message_page(200, "index_title", [("index", {})], None)

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.errorhandler(404)
    def _not_found(e):
        return message_page(404, "not_found_title", [("not_found", {})], None)

    @app.errorhandler(405)
    def _not_allowed(e):
        return message_page(405, "not_found_title", [("not_found", {})], None)

    @app.errorhandler(413)
    def _too_large(e):
        return message_page(413, "too_large_title", [("too_large", {})], None)

    @app.errorhandler(429)
    def _too_many(e):
        """Over a rate limit: her answers come back with a note to wait and send again (nothing saved);
        a page in both languages when there is no form to give back."""
        headers = {"Retry-After": "60"}
        external_id = (request.view_args or {}).get("external_id")
        if request.method == "POST" and external_id:
            try:
                link = resolve("f", external_id)
            except (HTTPException, _PersonalOnly):  # not a form that takes answers: the plain page
                link = None
            if link is not None and not is_closed(link):
                lang = choose_lang(link)
                page, status = render_form(link, lang, values_from_form(link.spec, request.form), {},
                                           page=parse_page(request.form.get("page")),
                                           sid=request.form.get("sid") if sent_sid(link) else None,
                                           banner="too_many_banner", status=429)
                return page, status, headers
        page, status = message_page(429, "too_many_title", [("too_many", {})], None)
        return page, status, headers

    @app.errorhandler(500)
    def _error(e):
        return message_page(500, "error_title", [("error", {})], None)

    return app
