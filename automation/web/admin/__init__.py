"""The admin's console: pages under ``/admin/`` of the same ``serve`` as the participants' forms.

:func:`install_console` adds the console (a Flask blueprint, :data:`automation.web.admin.common.bp`) to the
forms app made by :func:`automation.web.app.create_app`.  Pages, one module each:

``auth``     sign-in (rate-limited), sessions that expire, roles, CSRF on every POST.
``today``    the next 14 days, what needs the admin, problems found ahead; run now, retry, hold, release,
             mark done by hand, resend after checking (:mod:`automation.manual`).
``roster``   search, add, edit, leave, rejoin, CSV import (:mod:`automation.jobs.roster`).
``forms``    responses and response rate by oblast; non-respondents, remind now, close now.
``mail``     each mailing still to go as its recipient will see it; hold, release, send now.
``reports``  the mentor's report as last built.
``school``   the coded applications; the final ranking.
``users``    the accounts and the audit log.

Roles: ``admin`` everything; ``mentor`` Today (no buttons), Forms (counts only), Reports; ``commission``
School only.  Every change is written to the audit log.  See docs/ADMIN.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from flask import Flask

from automation.context import Context
from automation.model import utc_now
from automation.store import Store
from automation.web.admin import forms, mail, reports, roster, school, today, users  # noqa: F401  (routes)
from automation.web.admin.auth import LOGIN_RATE, LoginLimiter
from automation.web.admin.common import Console, bp


def install_console(app: Flask, store: Store, context_factory: Callable[[Store], Context], *,
                    clock: Callable[[], datetime] = utc_now, reports_dir: Any = None, login_rate: str = LOGIN_RATE,
                    idle_seconds: int = 30 * 60, max_seconds: int = 12 * 3600) -> Flask:
    """Add the console to ``app`` (the forms app) and return it.

    ``store`` is the state file (opened on this thread; other threads open their own connection);
    ``context_factory(store)`` makes the service :class:`Context` for a request (plan, backend) and may raise
    :class:`automation.errors.AutomationError` (a broken plan: the pages say so); ``clock`` returns the time
    (UTC); ``reports_dir`` is where the report is built (default: the context's ``out_dir``); ``login_rate``
    limits failed sign-ins per client and per e-mail; a session ends after ``idle_seconds`` without a page
    or ``max_seconds`` in all.
    """
    app.extensions["club_console"] = Console(store, context_factory, clock, reports_dir, idle_seconds, max_seconds,
                                             LoginLimiter(login_rate))
    app.register_blueprint(bp)
    return app
