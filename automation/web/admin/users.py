"""The Users page (admin only): the console's accounts (add, remove) and the audit log of who did what."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from automation.store.console import ROLES
from automation.web.admin.accounts import AccountError, add_user, remove_user
from automation.web.admin.auth import current_user, requires
from automation.web.admin.common import bp, now, ok, problem, render, store


@bp.get("/users")
@requires("admin")
def users() -> Any:
    """The accounts and the latest 200 lines of the audit log."""
    s = store()
    return render("users.html", page="users", accounts=s.console.users(), roles=ROLES,
                  audit=s.console.audit_entries(200))


@bp.post("/users/add")
@requires("admin")
def users_add() -> Any:
    """Add an account (the same checks as ``users add``)."""
    user = current_user()
    assert user is not None
    try:
        added = add_user(store(), request.form.get("email", ""), request.form.get("role", ""),
                         request.form.get("password", ""), by=user.email, now=now())
        ok("account_added", email=added.email)
    except AccountError as e:
        problem(str(e))
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/remove")
@requires("admin")
def users_remove() -> Any:
    """Remove an account (not the last admin); its open session ends at its next page."""
    user = current_user()
    assert user is not None
    email = request.form.get("email", "")
    try:
        remove_user(store(), email, by=user.email, now=now())
        ok("account_removed", email=email.strip().lower())
    except AccountError as e:
        problem(str(e))
    return redirect(url_for("admin.users"), code=303)
