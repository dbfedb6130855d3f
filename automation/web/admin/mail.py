"""The Mail page (admin only): every mailing still to go (the next 35 days, and those that failed or wait), each
rendered as its recipient will see it (:func:`automation.jobs.mailings.preview`: nothing is sent or changed),
with hold / release (approve) / send now (:mod:`automation.manual`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, request
from markupsafe import Markup

from automation.errors import AutomationError
from automation.jobs import JobResult
from automation.jobs.mailings import preview
from automation.plan.actions import actions, mail_action
from automation.plan.status import plan_status
from automation.web.admin.auth import requires
from automation.web.admin.common import (TEXTS, bp, context_or_page, error_page, lang, local, now, render, said,
                                         store)

#: Days ahead the Mail page lists.
MAIL_DAYS = 35
#: The Content-Security-Policy of a rendered mail body: no script, no network (images from the mail itself only).
MAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; sandbox"


@bp.get("/mail")
@requires("admin")
def mail() -> Any:
    """The mailings still to go, by due time."""
    ctx = context_or_page()
    if isinstance(ctx, tuple):
        return ctx
    t = now()
    rows = [s for s in plan_status(ctx.plan, store().ledger.all(), t)
            if s.action.kind.startswith("mail.") and s.status in ("planned", "due", "failed", "deferred")
            and s.action.due <= t + timedelta(days=MAIL_DAYS)]
    return render("mail.html", page="mail", rows=rows, held=store().console.holds(), days=MAIL_DAYS)


def _preview(key: str) -> Any:
    ctx = context_or_page()
    if isinstance(ctx, tuple):
        return ctx, None, None
    try:
        action = mail_action(ctx.plan, key)
    except AutomationError as e:
        return error_page(str(e), 404), None, None
    return None, action, preview(ctx, action, max(now(), action.due))


def _nothing(action: Any, out: JobResult) -> Markup:
    """Why a preview has nothing to send, in the page's language: for a form mail whose form is simply not made
    yet (its creation is still to come), when it will be made, not "never created"."""
    lg = lang()
    form_key = str(action.payload.get("form_key", "")) if isinstance(action.payload, dict) else ""
    if form_key and store().forms.get(form_key) is None:
        row = store().ledger.get(f"{form_key}.create")
        if row is None or row.status not in ("skipped", "done"):
            ctx = context_or_page()
            create = None if isinstance(ctx, tuple) else next(
                (a for a in actions(ctx.plan) if a.key == f"{form_key}.create"), None)
            if create is not None and create.due > now():
                return Markup("{}").format(TEXTS[lg]["form_not_yet"].format(when=local(create.due)))
    return Markup("{} {}").format(TEXTS[lg]["nothing_to_send"], said(out.detail, lg))


def _index() -> int:
    value = request.args.get("n", "0")
    return int(value) if value.isdigit() and len(value) < 6 else 0


@bp.get("/mail/<path:key>/body")
@requires("admin")
def mail_body(key: str) -> Any:
    """The HTML part of message ``n`` of a mailing, as the recipient's mail program shows it (framed by the
    preview page; no script, no network)."""
    page, action, out = _preview(key)
    if page is not None:
        return page
    if isinstance(out, JobResult) or not out:
        return Response("", 204)
    o = out[min(_index(), len(out) - 1)]
    body = o.msg.get_body(("html", "plain"))
    html = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/plain":
        from markupsafe import escape

        html = f"<pre style='white-space:pre-wrap'>{escape(html)}</pre>"
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = MAIL_CSP + "; frame-ancestors 'self'"
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@bp.get("/mail/<path:key>")
@requires("admin")
def mail_one(key: str) -> Any:
    """One mailing: its headers, recipients, attachments and body (message ``n`` of a personal mailing)."""
    page, action, out = _preview(key)
    if page is not None:
        return page
    ledger = store().ledger.get(action.key)
    state = ledger.status if ledger else ("due" if action.due <= now() else "planned")
    if isinstance(out, JobResult):
        return render("mail_one.html", page="mail", action=action, state=state, held=store().console.holds(),
                      nothing=_nothing(action, out), out=[], n=0)
    n = min(_index(), max(len(out) - 1, 0))
    msg = out[n].msg if out else None
    headers = [(h, str(msg[h])) for h in ("From", "To", "Reply-To", "Subject", "Date") if msg and msg[h]] if msg else []
    files = [part.get_filename() for part in msg.iter_attachments()] if msg else []
    text = msg.get_body(("plain",)) if msg else None
    resp_html, code = render("mail_one.html", page="mail", action=action, state=state, held=store().console.holds(),
                             out=out, n=n, headers=headers, files=files, nothing=None,
                             text=text.get_content() if text is not None else "",
                             envelope=sum(len(o.envelope_to) for o in out))
    resp = Response(resp_html, code, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-src 'self'; "
        "base-uri 'none'; frame-ancestors 'none'")
    return resp
