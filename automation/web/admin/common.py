"""What every console page shares: the console's settings on the app, the request's store and service context,
the clock, the page language, rendering, and messages after an action.

The console is a Flask blueprint (``admin``) on the participants' forms app; its settings live in
``app.extensions["club_console"]`` (:class:`Console`), put there by :func:`automation.web.admin.install_console`.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator

from flask import Blueprint, current_app, flash, g, get_flashed_messages, render_template, request, session

from markupsafe import Markup

from automation.context import Context
from automation.errors import AutomationError
from automation.model import BISHKEK, parse_iso
from automation.plan.describe import describe_action, describe_form
from automation.store import Store
from automation.web.admin.reasons import plain_reason
from automation.web.admin.texts import TEXTS, audit_words, people_count, status_words

#: The console's pages, under ``/admin/``; templates in ``admin/templates/admin/``, CSS in ``admin/static/``.
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static",
               static_url_path="/static")

LANGS = ("ru", "ky")


@dataclass
class Console:
    """The console's settings: the state file's ``store`` (its thread's connection), a ``context_factory``
    making the service :class:`Context` on a request's store (plan, backend), the ``clock`` (UTC, aware),
    the report folder ``reports_dir``, session limits (seconds) and the sign-in limiter."""

    store: Store
    context_factory: Callable[[Store], Context]
    clock: Callable[[], datetime]
    reports_dir: Any = None
    idle_seconds: int = 30 * 60
    max_seconds: int = 12 * 3600
    login_limiter: Any = None
    home: int = field(default_factory=threading.get_ident)


def console() -> Console:
    """The console's settings of the current app."""
    state: Console = current_app.extensions["club_console"]
    return state


def store() -> Store:
    """The state file for this request (its own connection on another thread than the one that opened it;
    closed at the end of the request by the forms app's teardown, which closes ``g.store`` when ``g.own_store``)."""
    if "store" not in g:
        c = console()
        if threading.get_ident() == c.home or c.store.path == ":memory:":
            g.store = c.store
        else:
            g.store, g.own_store = Store(c.store.path), True
    s: Store = g.store
    return s


def context() -> Context:
    """The service context for this request (plan read now, backend on this request's store).

    Raises :class:`AutomationError` when the plan or the backend cannot be loaded (the page shows it)."""
    if "console_ctx" not in g:
        g.console_ctx = console().context_factory(store())
    ctx: Context = g.console_ctx
    return ctx


def now() -> datetime:
    """The console's current time (UTC, aware)."""
    return console().clock()


def lang() -> str:
    """The page language: ``?lang=`` (remembered in the session), else the session's, else Russian."""
    asked = request.args.get("lang")
    if asked in LANGS:
        session["admin_lang"] = asked
    value = session.get("admin_lang")
    return value if value in LANGS else "ru"


def local(value: str | datetime | None, with_time: bool = True) -> str:
    """A UTC time (ISO string or datetime) as Asia/Bishkek ``dd.mm.yyyy HH:MM``; "" for None."""
    if value is None or value == "":
        return ""
    dt = parse_iso(value) if isinstance(value, str) else value
    return dt.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def ok(text_key: str, detail: str = "", **kw: Any) -> None:
    """Show a success message (a :data:`TEXTS` key) on the next page; ``detail`` is the library's English outcome
    line (``done: 50 sent, …``), shown in plain words with the original beside it (:func:`shown_messages`)."""
    flash(json.dumps([TEXTS[lang()][text_key].format(**kw), detail]), "ok")


def problem(message: str) -> None:
    """Show a problem on the next page: the library's message (English, as the command line prints it), said in
    the page's language when :func:`automation.web.admin.reasons.plain_reason` knows it, with the original beside."""
    flash(json.dumps(["", message]), "problem")


@dataclass(frozen=True)
class Shown:
    """A message as the page shows it: ``cat`` (``ok``/``problem``), ``text`` (the console's own words),
    ``plain`` (the library's detail in the page's language, or None when no pattern knows it) and ``original``
    (the library's English detail, shown small for support)."""

    cat: str
    text: str
    plain: str | None
    original: str


def shown(cat: str, text: str, detail: str, lg: str) -> Shown:
    """One message for the page in ``lg``; a detail already in Russian/Kyrgyz (more Cyrillic letters than Latin
    ones, as :func:`automation.jobs.roster.left_summary` writes) is its own plain words."""
    if not detail:
        return Shown(cat, text, None, "")
    plain = plain_reason(detail, lg)
    if plain is None and len(_CYRILLIC.findall(detail)) > len(_LATIN.findall(detail)):
        return Shown(cat, text, detail, "")
    return Shown(cat, text, plain, detail)


_CYRILLIC = re.compile(r"[А-Яа-яЁёӨөҮүҢң]")
_LATIN = re.compile(r"[A-Za-z]")


def said(detail: Any, lg: str) -> Markup:
    """A library line for a page in ``lg``: the plain words, with the English original small beneath (class
    ``orig``, for support); the line as it is when no pattern knows it."""
    text = str(detail)
    plain = plain_reason(text, lg)
    if plain is None:
        return Markup("{}").format(text)
    return Markup('<span class="said">{}</span><small class="orig" lang="en">{}</small>').format(plain, text)


def shown_messages(lg: str) -> list[Shown]:
    """The messages flashed for this page (:func:`ok`, :func:`problem`), ready to show in ``lg``."""
    out = []
    flashed: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    for cat, msg in flashed:  # [text, detail] as JSON (ok(), problem()); a plain line from elsewhere as it is
        try:
            text, detail = json.loads(msg)
        except (ValueError, TypeError):
            text, detail = "", msg
        out.append(shown(cat, str(text), str(detail), lg))
    return out


@contextmanager
def problems_shown() -> Iterator[None]:
    """Run the body; an :class:`AutomationError` of the library it calls stops it and is shown on the next page
    (:func:`problem`: the library's words, as the command line prints them); nothing else is caught."""
    try:
        yield
    except AutomationError as e:
        problem(str(e))


def render(template: str, status: int = 200, **kw: Any) -> tuple[str, int]:
    """Render a console page with the texts of the page language, the signed-in account (as
    :func:`automation.web.admin.auth.current_user` found it for this request) and the messages."""
    lg = lang()
    html = render_template(f"admin/{template}", lang=lg, T=TEXTS[lg], user=g.get("console_user"), local=local,
                           status_words=lambda s: status_words(s, lg), plain=lambda d: plain_reason(d, lg),
                           audit_words=lambda a: audit_words(a, lg), people_count=lambda n: people_count(n, lg), said=lambda d: said(d, lg),
                           form_name=lambda f: describe_form(plan_or_none(), f.template_id, f.event_id,
                                                             f.pre_test, f.kind).get(lg),
                           action_name=lambda a: describe_action(plan_or_none(), a).get(lg)
                           if plan_or_none() is not None else a.key,
                           messages=shown_messages(lg), **kw)
    return html, status


def plan_or_none() -> Any:
    """The plan of this request's context, or None when it cannot be loaded (pages then show keys)."""
    try:
        return context().plan
    except AutomationError:
        return None


def error_page(message: str, status: int = 400) -> tuple[str, int]:
    """A page saying what went wrong (a library message) and that nothing was changed."""
    return render("message.html", status=status, title=TEXTS[lang()]["problem_title"], text=message)


def context_or_page() -> "Context | tuple[str, int]":
    """The service context, or a page saying why it cannot be made (a broken plan, say)."""
    try:
        return context()
    except AutomationError as e:
        return error_page(str(e), 500)
