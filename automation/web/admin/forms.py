"""The Forms page: each form's responses and response rate by oblast against the roster; for the admin, the
named non-respondents and the buttons "remind them now", "close now", "extend the deadline" and "update the
responses" (pull them now from Google Forms; the local forms store each answer at once) (:mod:`automation.manual`).

The mentor sees the counts only, with oblasts of fewer than ``min_group_size`` invited shown as "—"
(small-cell suppression, DESIGN.md principle 8).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from automation.analysis.progress import form_progress
from automation.context import Context
from automation.manual import close_now, extend_deadline, remind_now, sync_now
from automation.model import parse_iso
from automation.model import OBLASTS
from automation.store import ConsoleUser
from automation.web.admin.auth import acting, current_user, requires
from automation.web.admin.common import (TEXTS, bp, context_or_page, lang, now, ok, problem, problems_shown, render,
                                         store)


@bp.get("/forms")
@requires("admin", "mentor")
def forms() -> Any:
    """Every form, newest first, with its responses and rate."""
    s = store()
    rows = [form_progress(s, f) for f in sorted(s.forms.all(), key=lambda f: f.opens, reverse=True)]
    return render("forms.html", page="forms", rows=rows)


@bp.get("/forms/<form_key>")
@requires("admin", "mentor")
def form_detail(form_key: str) -> Any:
    """One form: rate by oblast; for the admin, who has not answered and the buttons."""
    s = store()
    form = s.forms.get(form_key)
    if form is None:
        return render("message.html", status=404, title=TEXTS[lang()]["not_found_title"], text=TEXTS[lang()]["not_found"])
    ctx = context_or_page()
    min_group = 3 if isinstance(ctx, tuple) else ctx.min_group_size
    user = current_user()
    return render("form_detail.html", page="forms", p=form_progress(s, form), oblasts=OBLASTS,
                  names=user is not None and user.role == "admin", min_group=min_group)


@bp.post("/forms/<form_key>/extend")
@requires("admin")
@acting
def form_extend(ctx: Context, user: ConsoleUser, form_key: str) -> Any:
    """Move the form's deadline later (the date and time typed are Asia/Bishkek)."""
    text = request.form.get("deadline", "").strip()[:40]
    try:
        deadline = parse_iso(text)
    except (ValueError, OverflowError):
        problem(f"deadline {text!r}: not a date and time. Expected a date and time, year first, such as "
                "2023-03-14T18:00 (Asia/Bishkek time); nothing was changed")
        return redirect(url_for("admin.form_detail", form_key=form_key), code=303)
    with problems_shown():
        extend_deadline(ctx, form_key, deadline, user.email, now())
        ok("extended_ok", key=form_key)
    return redirect(url_for("admin.form_detail", form_key=form_key), code=303)


@bp.post("/forms/<form_key>/<verb>")
@requires("admin")
@acting
def form_act(ctx: Context, user: ConsoleUser, form_key: str, verb: str) -> Any:
    """"remind" (the non-respondents, now), "close" (the form, now) or "sync" (pull new responses now)."""
    with problems_shown():
        if verb == "remind":
            res = remind_now(ctx, form_key, user.email, now())
        elif verb == "close":
            res = close_now(ctx, form_key, user.email, now())
        elif verb == "sync":
            res = sync_now(ctx, form_key, user.email, now())
        else:
            return render("message.html", status=404, title="404", text=verb)
        if res.status in ("done", "deferred"):
            ok("done_ok", detail=f"{res.status}: {res.detail}")  # said in plain words by the page
        else:
            problem(f"{res.status}: {res.detail}")
    return redirect(url_for("admin.form_detail", form_key=form_key), code=303)
