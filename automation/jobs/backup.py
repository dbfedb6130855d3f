"""The daily backup of the state file, made by the scheduler of ``serve`` (automation/web/runner.py).

Once a day (Asia/Bishkek), at the first check after ``hour``, the state is copied with SQLite's online
backup API (:func:`automation.store.backup.back_up`) and the backups older than ``keep_days`` are deleted
(:func:`automation.store.backup.prune`).  The day of the last backup is kept in the store's ``meta``
(``backup.last_day``), so a restart does not make a second one.  A backup that fails is a problem the
admin is mailed about at once (:mod:`automation.jobs.alerts`, ``failed:backup.<day>``) and is tried
again at the next check.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from automation.context import Context
from automation.errors import StoreError
from automation.jobs.alerts import send_alerts
from automation.model import BISHKEK
from automation.store.backup import back_up, prune

#: The ``meta`` key holding the Asia/Bishkek day (YYYY-MM-DD) of the last daily backup.
LAST_DAY = "backup.last_day"


def daily_backup(ctx: Context, folder: Path, keep_days: int, hour: int, now: datetime) -> Path | None:
    """Make today's backup into ``folder`` if it is due at ``now`` (UTC) and not made yet; return its path,
    or None when none was due or it failed (then the admin is alerted, once a day)."""
    local = now.astimezone(BISHKEK)
    day = local.date().isoformat()
    if local.hour < hour or ctx.store.meta.get(LAST_DAY) == day:
        return None
    try:
        path = back_up(ctx.store.path, folder, now)
    except StoreError as e:
        ctx.log(f"{local:%Y-%m-%d %H:%M}  failed   backup: {e}")
        if ctx.store.alerts.raise_problem("failed", f"backup.{day}", f"backup.{day}", str(e), now):
            send_alerts(ctx, now)
        return None
    gone = prune(folder, keep_days, now)
    ctx.store.meta.set(LAST_DAY, day)
    ctx.store.alerts.handle_action(f"backup.{day}", now)
    ctx.log(f"{local:%Y-%m-%d %H:%M}  done     backup: {path}" + (f" ({len(gone)} older deleted)" if gone else ""))
    return path
