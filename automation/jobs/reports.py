"""Report job: rebuild the mentor's report when the data behind it changed (the ``reports`` table knows)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from automation.context import Context
from automation.model import Action, iso
from automation.jobs import JobResult, done


def _build(ctx: Context, now: datetime, event_id: str | None, force: bool) -> str:
    """Build one report (the season's, or one event's) unless its data is unchanged; return a detail line."""
    from automation.reporting.report.build import build_report, data_hash

    name = f"event:{event_id}" if event_id else "season"
    digest = hashlib.sha256(f"{data_hash(ctx.store, event_id)}|{ctx.report_lang}|{ctx.min_group_size}".encode()
                            ).hexdigest()
    row = ctx.store.db.execute("SELECT data_hash, path FROM reports WHERE name = ?", (name,)).fetchone()
    if not force and row is not None and row["data_hash"] == digest and Path(row["path"]).exists():
        return f"unchanged: {row['path']}"
    path = build_report(ctx.store, ctx.out_dir, lang=ctx.report_lang, event_id=event_id,
                        min_group_size=ctx.min_group_size, now=now, write_json=event_id is None, plan=ctx.plan)
    ctx.store.db.execute("INSERT INTO reports VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                         " data_hash=excluded.data_hash, built_at=excluded.built_at, path=excluded.path",
                         (name, digest, iso(now), str(path)))
    return f"written: {path}"


def refresh(ctx: Context, action: Action | None, now: datetime, force: bool = False) -> JobResult:
    """Rebuild the season report (``out_dir/report.html`` + charts + ``summary.json``) and, for an
    action of a plan event, that event's report (``out_dir/report_<event>.html``); each only when the
    data behind it changed since its last build (the ``reports`` table keeps the hashes)."""
    details = [f"season report {_build(ctx, now, None, force)}"]
    if action is not None and ctx.plan.event(action.event_id) is not None:
        if ctx.store.db.execute("SELECT 1 FROM forms WHERE event_id = ?", (action.event_id,)).fetchone():
            details.append(f"event report {_build(ctx, now, action.event_id, force)}")
        else:
            details.append("no event report: none of the event's forms was made")
    return done("; ".join(details))
