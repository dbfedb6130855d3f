"""Signing in to the console: the sign-in page, sessions that expire, roles, CSRF, and the sign-in rate limit.

- Passwords are checked by :func:`automation.web.admin.accounts.authenticate` (argon2id).
- Failed sign-ins are counted per client address and per e-mail (the ``limits`` library, Flask-Limiter's
  own engine, in memory: ``serve`` is one process): over :data:`LOGIN_RATE` for an e-mail, or
  :data:`CLIENT_LOGIN_RATE` for a client address, the page says to wait, and the
  password is not even checked.  A successful sign-in does not count.
- The session (Flask's signed cookie, ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when ``club.yaml`` says
  ``web: {behind_proxy: true}``) holds the account's e-mail, when it signed in and when it was last seen; it
  ends after :attr:`Console.idle_seconds` without a page, after :attr:`Console.max_seconds` in all, when the
  account is removed, its role changed or its password changed.
- Every POST under ``/admin/`` must carry the CSRF token of the session (Flask-WTF's ``generate_csrf`` /
  ``validate_csrf``, field ``csrf_token``); without it nothing is done (HTTP 400).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import redirect, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from wtforms.validators import ValidationError

from automation.store import ConsoleUser
from automation.web.admin.accounts import authenticate
from automation.web.admin.common import TEXTS, bp, console, context_or_page, lang, now, render, store

#: Failed sign-ins allowed per client address and per e-mail (``limits`` notation).
LOGIN_RATE = "5 per minute; 20 per hour"
#: Seconds a page's CSRF token stays valid (a page left open for a working day).
CSRF_SECONDS = 8 * 3600
#: Which role may open which page (endpoint names of the blueprint, without ``admin.``).
HOME = {"admin": "today", "mentor": "today", "commission": "school"}


#: Failed sign-ins allowed from one client address, whatever the e-mail: looser than :data:`LOGIN_RATE`,
#: since the staff of an office share one address behind its router (one colleague's typos must not lock the
#: others out), yet a bound on guessing across accounts.
CLIENT_LOGIN_RATE = "20 per minute; 100 per hour"


class LoginLimiter:
    """Counts failed sign-ins per e-mail (``rate``) and per client address (``client_rate``) in a moving window
    (``limits``' MovingWindowRateLimiter)."""

    def __init__(self, rate: str = LOGIN_RATE, client_rate: str = CLIENT_LOGIN_RATE):
        self.keyed = [(item, "email") for item in parse_many(rate)] + \
            [(item, "ip") for item in parse_many(client_rate)]
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _keys(self, client: str, email: str) -> list[tuple[Any, str]]:
        return [(item, f"{kind}:{client if kind == 'ip' else email}") for item, kind in self.keyed]

    def allowed(self, client: str, email: str) -> bool:
        """True while neither the client nor the e-mail is over its limit."""
        return all(self.limiter.test(item, "login", key) for item, key in self._keys(client, email))

    def failed(self, client: str, email: str) -> None:
        """Count one failed sign-in of the client and of the e-mail."""
        for item, key in self._keys(client, email):
            self.limiter.hit(item, "login", key)


def current_user() -> ConsoleUser | None:
    """The signed-in account of this request, or None (no session, expired, or the account changed)."""
    from flask import g

    if "console_user" in g:
        user: ConsoleUser | None = g.console_user
        return user
    g.console_user = None
    data = session.get("admin")
    if not isinstance(data, dict):
        return None
    c = console()
    t = now().timestamp()
    since, seen = data.get("since", 0), data.get("seen", 0)
    if not isinstance(since, (int, float)) or not isinstance(seen, (int, float)) or \
            t - seen > c.idle_seconds or t - since > c.max_seconds:
        session.pop("admin", None)
        return None
    user = store().console.user(str(data.get("email", "")))
    if user is None or user.role != data.get("role") or user.password_changed_at != data.get("pw"):
        session.pop("admin", None)
        return None
    data["seen"] = t
    session["admin"] = data
    g.console_user = user
    return user


def requires(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view decorator: a signed-in account with one of ``roles``; otherwise the sign-in page (no session)
    or the forbidden page (HTTP 403)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kw: Any) -> Any:
            user = current_user()
            if user is None and request.method == "POST":  # her session ended while the page was open
                return _refused_post(ended=True)
            if user is None:
                return redirect(url_for("admin.login", next=request.path))
            if user.role not in roles:
                return render("message.html", status=403, title=TEXTS[lang()]["forbidden_title"],
                              text=TEXTS[lang()]["forbidden"])
            return view(*args, **kw)

        return wrapped

    return decorate


def acting(view: Callable[..., Any]) -> Callable[..., Any]:
    """A button's view (under :func:`requires`): called as ``view(ctx, user, **kw)`` with the service context
    and the signed-in account; when the context cannot be made (a broken plan, say), the page saying why."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kw: Any) -> Any:
        ctx = context_or_page()
        if isinstance(ctx, tuple):
            return ctx
        user = current_user()
        assert user is not None  # requires() let the request in
        return view(ctx, user, *args, **kw)

    return wrapped


#: At most this many of the values a refused POST carried are shown back (each cut at :data:`TYPED_CHARS`).
TYPED_FIELDS, TYPED_CHARS = 30, 2000


@bp.before_request
def _csrf() -> Any:
    """Refuse a POST without the session's CSRF token (nothing is done).  The page says whether her session
    ended (she was away too long: sign in again) or the page was stale, and shows back what she typed (never
    a password), so that a long text is not lost."""
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token", ""), time_limit=CSRF_SECONDS)
        except (ValidationError, CSRFError):
            return _refused_post(ended=request.endpoint != "admin.login" and current_user() is None)
    return None


def _refused_post(ended: bool) -> Any:
    """The page of a POST that is not done (HTTP 400): her session ended (``ended``: sign in again) or the page
    was stale; what she typed is shown back (never a password)."""
    T = TEXTS[lang()]
    typed = [v[:TYPED_CHARS] for k, v in request.form.items(multi=True)
             if k != "csrf_token" and "password" not in k and v.strip()][:TYPED_FIELDS]
    return render("message.html", status=400, title=T["session_ended_title" if ended else "csrf_title"],
                  text=T["csrf_ended" if ended else "csrf"], typed=typed)


@bp.app_context_processor
def _csrf_token() -> dict[str, Any]:
    return {"csrf_token": generate_csrf}


def _safe_next(target: str | None) -> str | None:
    """A path under /admin/ to go to after signing in, or None (never another site)."""
    if target and target.startswith("/admin/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in page; a POST checks the e-mail and password (rate-limited)."""
    T = TEXTS[lang()]
    if request.method == "GET":
        if current_user() is not None:
            return redirect(url_for("admin.index"))
        return render("login.html", next=_safe_next(request.args.get("next")))
    email = request.form.get("email", "").strip().lower()[:254]
    password = request.form.get("password", "")
    client = request.remote_addr or "-"
    limiter: LoginLimiter = console().login_limiter
    nxt = _safe_next(request.form.get("next"))
    if not limiter.allowed(client, email):
        return render("login.html", status=429, error=T["login_limited"], email=email, next=nxt)
    user = authenticate(store(), email, password, now())
    if user is None:
        limiter.failed(client, email)
        return render("login.html", status=401, error=T["login_failed"], email=email, next=nxt)
    keep_lang = session.get("admin_lang")
    session.clear()  # a fresh session: nothing from before the sign-in carries over
    if keep_lang:
        session["admin_lang"] = keep_lang
    t = now().timestamp()
    session["admin"] = {"email": user.email, "role": user.role, "pw": user.password_changed_at, "since": t, "seen": t}
    store().console.audit(user.email, "login", "", client, now())
    return redirect(nxt or url_for(f"admin.{HOME[user.role]}"))


@bp.post("/logout")
def logout() -> Any:
    """Sign out (a POST with the CSRF token, so another site cannot sign her out)."""
    session.pop("admin", None)
    return render("login.html", notice=TEXTS[lang()]["logged_out"])


@bp.get("/")
def index() -> Any:
    """The console's home: the role's first page, or the sign-in page."""
    user = current_user()
    if user is None:
        return redirect(url_for("admin.login"))
    return redirect(url_for(f"admin.{HOME[user.role]}"))
