"""The Today page: the admin's open alerts, the next 14 days' actions, what needs the admin, the Telegram
channel, problems found ahead, and the buttons (run now / retry, hold, release, mark done by hand, resend or
repost after checking, alert handled) — each a call to :mod:`automation.manual` or
:func:`automation.jobs.alerts.handle`."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from automation.context import Context
from automation.jobs.alerts import handle, handle_all
from automation.manual import (DAYS_AHEAD, hold, mark_done, release, repost_telegram, resend_unknown, run_now,
                               today as today_view)
from automation.plan.describe import describe, describe_action
from automation.store import ConsoleUser
from automation.web.admin.auth import acting, requires
from automation.web.admin.common import bp, context_or_page, now, ok, problem, problems_shown, render


@bp.get("/today")
@requires("admin", "mentor")
def today() -> Any:
    """The Today page (the mentor sees it without the buttons)."""
    ctx = context_or_page()
    if isinstance(ctx, tuple):
        return ctx
    view = today_view(ctx, now())
    plan = ctx.plan
    # each action in plain words (Kyrgyz and Russian), its key shown small beside it for the admin's commands
    words = {s.action.key: describe_action(plan, s.action)
             for s in (*view.upcoming, *view.attention, *view.overdue)}
    words.update({p.key: describe(plan, p.key) for p in view.problems if p.key not in words})
    return render("today.html", view=view, days=DAYS_AHEAD, words=words)


@bp.post("/actions/<path:key>/<verb>")
@requires("admin")
@acting
def act(ctx: Context, user: ConsoleUser, key: str, verb: str) -> Any:
    """One button of the Today or Mail page on one action; back to the page it came from."""
    back = request.form.get("back") if request.form.get("back") in ("today", "mail") else "today"
    with problems_shown():
        if verb == "run":
            res = run_now(ctx, key, user.email, now())
            if res.status in ("done", "deferred"):
                ok("done_ok", detail=f"{key}: {res.status}: {res.detail}")
            else:
                problem(f"{key}: {res.status}: {res.detail}")
        elif verb == "hold":
            hold(ctx, key, user.email, now(), request.form.get("reason", ""))
            ok("held_ok", key=key)
        elif verb == "release":
            release(ctx, key, user.email, now())
            ok("released_ok", key=key)
        elif verb == "done":
            mark_done(ctx, key, user.email, now(), request.form.get("note", ""))
            ok("marked_ok", key=key)
        else:
            return render("message.html", status=404, title="404", text=verb)
    return redirect(url_for(f"admin.{back}"), code=303)


@bp.post("/deliveries/resend")
@requires("admin")
@acting
def resend(ctx: Context, user: ConsoleUser) -> Any:
    """Send again one message whose outcome is unknown (after the admin checked it did not arrive)."""
    with problems_shown():
        ok("resent_ok", detail=resend_unknown(ctx, request.form.get("message_id", ""), user.email, now()))
    return redirect(url_for("admin.today"), code=303)


@bp.post("/alerts/handle")
@requires("admin")
@acting
def handle_alert(ctx: Context, user: ConsoleUser) -> Any:
    """The "handled" button of one alert (or, with ``all``, of each ``problem`` of a group): it leaves the Today
    page (written to the audit log)."""
    with problems_shown():
        if request.form.get("all"):  # the group's button: every problem of the group
            ok("handled_all_ok", n=handle_all(ctx, request.form.getlist("problem"), user.email, now()))
        else:
            handle(ctx, request.form.get("problem", ""), user.email, now())
            ok("handled_ok")
    return redirect(url_for("admin.today"), code=303)


@bp.post("/telegram/repost")
@requires("admin")
@acting
def repost(ctx: Context, user: ConsoleUser) -> Any:
    """Post again one Telegram post whose fate is unknown (after the admin checked the chat)."""
    with problems_shown():
        ok("reposted_ok", detail=repost_telegram(ctx, request.form.get("post_key", ""), user.email, now()))
    return redirect(url_for("admin.today") + "#telegram", code=303)
