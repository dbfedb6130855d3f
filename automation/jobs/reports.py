"""Report job: rebuild the mentor's report when the data behind it changed (the ``reports`` table knows)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ..context import Context
from ..model import Action, iso
from . import JobResult, done


def refresh(ctx: Context, action: Action | None, now: datetime, force: bool = False) -> JobResult:
    """Build ``out_dir/report.html`` (+ charts, summary.json) unless nothing changed since the last build."""
    from ..report import build_report, data_hash

    digest = hashlib.sha256(f"{data_hash(ctx.store)}|{ctx.report_lang}|{ctx.min_group_size}".encode()).hexdigest()
    row = ctx.store.db.execute("SELECT data_hash, path FROM reports WHERE name = 'season'").fetchone()
    target = ctx.out_dir / "report.html"
    if not force and row is not None and row["data_hash"] == digest and target.exists():
        return done(f"unchanged since the last build: {row['path']}")
    path = build_report(ctx.store, ctx.out_dir, lang=ctx.report_lang, min_group_size=ctx.min_group_size, now=now,
                        write_json=True, plan=ctx.plan)
    ctx.store.db.execute("INSERT INTO reports VALUES ('season', ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                         " data_hash=excluded.data_hash, built_at=excluded.built_at, path=excluded.path",
                         (digest, iso(now), str(path)))
    return done(f"report written: {path}")
