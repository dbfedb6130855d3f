"""The Reports page (admin and mentor): the mentor's report as the service last built it (``report.html``,
``report_<event>.html``, their charts and ``summary.json`` in the output folder), served as files.

The report is rebuilt by the scheduler's ``report.refresh`` actions and by ``python main.py report``; this
page only serves what is there, so it is always the latest build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, send_from_directory
from werkzeug.exceptions import NotFound

from automation.web.admin.auth import requires
from automation.plan.describe import describe_event
from automation.web.admin.common import TEXTS, bp, console, context, lang, plan_or_none, render

#: The season's drill-down page (automation/reporting/report/overview.py DETAILS_PAGE; not imported: the console
#: does not load the report builder).
DETAILS_PAGE = "report_details.html"
#: What may be served from the output folder (the outbox, workbooks and state are never served).
SERVED = (".html", ".png", ".svg", ".json", ".css")
#: The report's pages may use their own inline styles and the charts beside them, nothing else.
REPORT_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'self'")


def _dir() -> Path | None:
    c = console()
    if c.reports_dir is not None:
        return Path(c.reports_dir)
    try:
        return Path(context().out_dir)
    except Exception:  # no plan: the page says there is no report rather than failing
        return None


@bp.get("/reports")
@requires("admin", "mentor")
def reports() -> Any:
    """The built report pages, newest first."""
    d = _dir()
    files = sorted((p for p in d.glob("report*.html")), key=lambda p: (p.name != "report.html", p.name)) \
        if d is not None and d.is_dir() else []
    extra = [p for p in (d / "summary.json",) if p.is_file()] if d is not None else []
    from datetime import datetime, timezone

    rows = [(p.name, _title(p.name), datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)) for p in files + extra]
    return render("reports.html", page="reports", files=rows)


def _title(name: str) -> str:
    """A report file's name in the page's words: the whole programme's report, one event's (its title from the
    plan; its id when the plan does not have it) or the summary data."""
    t = TEXTS[lang()]
    if name == "report.html":
        return str(t["report_all"])
    if name == "summary.json":
        return str(t["report_summary"])
    if name == DETAILS_PAGE:
        return str(t["report_details"])
    event_id = name.removeprefix("report_").removesuffix(".html")
    title = describe_event(plan_or_none(), event_id)
    return str(t["report_event"]).format(event=title.get(lang()) if title is not None else event_id)


@bp.get("/reports/files/<path:name>")
@requires("admin", "mentor")
def report_file(name: str) -> Any:
    """One file of the report (a page, a chart); only :data:`SERVED` kinds, only inside the output folder."""
    d = _dir()
    if d is None or not name.lower().endswith(SERVED) or any(part in ("outbox", "..") for part in Path(name).parts):
        return render("message.html", status=404, title=TEXTS[lang()]["not_found_title"], text=TEXTS[lang()]["not_found"])
    try:
        resp: Response = send_from_directory(d, name, max_age=0)
    except NotFound:
        return render("message.html", status=404, title=TEXTS[lang()]["not_found_title"], text=TEXTS[lang()]["not_found"])
    resp.headers["Content-Security-Policy"] = REPORT_CSP
    resp.headers["Cache-Control"] = "no-store"
    return resp
