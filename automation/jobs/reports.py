"""Report job: rebuild the mentor's report when the data behind it changed (the ``reports`` table knows)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from automation.context import Context
from automation.model import Action
from automation.jobs import JobResult, done


def _build(ctx: Context, now: datetime, event_id: str | None, force: bool) -> str:
    """Build one report (the season's, or one event's) unless its data is unchanged; return a detail line."""
    from automation.reporting.report.build import build_report, data_hash

    name = f"event:{event_id}" if event_id else "season"
    digest = hashlib.sha256(f"{data_hash(ctx.store, event_id)}|{ctx.report_lang}|{ctx.min_group_size}".encode()
                            ).hexdigest()
    built = ctx.store.reports.built(name)
    if not force and built is not None and built[0] == digest and Path(built[1]).exists():
        return f"unchanged: {built[1]}"
    path = build_report(ctx.store, ctx.out_dir, lang=ctx.report_lang, event_id=event_id,
                        min_group_size=ctx.min_group_size, now=now, write_json=event_id is None, plan=ctx.plan)
    ctx.store.reports.record(name, digest, now, str(path))
    return f"written: {path}"


def refresh(ctx: Context, action: Action | None, now: datetime, force: bool = False) -> JobResult:
    """Rebuild the season report (``out_dir/report.html``, its event, form and details pages,
    ``summary.json``, ``overview.json``) and, for an action of a plan event, that event's page
    (``out_dir/report_<event>.html``); each only when the data behind it changed since its last build
    (the ``reports`` table keeps the hashes; within a build, unchanged pages are not rewritten)."""
    details = [f"season report {_build(ctx, now, None, force)}"]
    if action is not None and ctx.plan.event(action.event_id) is not None:
        if ctx.store.forms.any_for_event(action.event_id):
            details.append(f"event report {_build(ctx, now, action.event_id, force)}")
        else:
            details.append("no event report: none of the event's forms was made")
    return done("; ".join(details))
