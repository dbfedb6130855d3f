"""The ledger: one row per plan action that ran or was skipped (DESIGN.md principle 1: the ledger is truth)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database

#: Statuses of an action; ``failed`` and ``deferred`` are retried at the next tick (deferred: the daily
#: sending limit was reached, the rest goes out the next day).
STATUSES = ("done", "skipped", "failed", "deferred")


@dataclass(frozen=True)
class LedgerEntry:
    """One action's last outcome.  ``due`` and ``finished_at`` are UTC ISO 8601 strings; ``attempts`` counts runs."""

    key: str
    kind: str
    event_id: str
    due: str
    status: str
    finished_at: str
    detail: str
    attempts: int


def _entry(r: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(r["key"], r["kind"], r["event_id"], r["due"], r["status"], r["finished_at"], r["detail"],
                       r["attempts"])


class LedgerRepository:
    """Reads and writes the ``ledger`` table."""

    def __init__(self, db: Database):
        self._db = db

    def all(self) -> dict[str, LedgerEntry]:
        """Every entry, by action key."""
        return {r["key"]: _entry(r) for r in self._db.all("SELECT * FROM ledger")}

    def get(self, key: str) -> LedgerEntry | None:
        """The entry of one action, or None if it never ran."""
        r = self._db.one("SELECT * FROM ledger WHERE key = ?", (key,))
        return _entry(r) if r else None

    def record(self, key: str, kind: str, event_id: str, due: datetime, status: str, detail: str,
               now: datetime) -> None:
        """Record an action's outcome (``status`` one of :data:`STATUSES`); a second run adds an attempt."""
        self._db.execute(
            "INSERT INTO ledger (key, kind, event_id, due, status, finished_at, detail) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET status=excluded.status, finished_at=excluded.finished_at,"
            " detail=excluded.detail, attempts=ledger.attempts+1",
            (key, kind, event_id, iso(due), status, iso(now), detail))

    def record_started(self, key: str, kind: str, event_id: str, due: datetime, detail: str, now: datetime) -> None:
        """Record that an action starts, before it runs, as ``failed`` with ``detail`` (what started, when): if
        the process dies before :meth:`record` writes its outcome, the entry says it did not finish and is
        retried like a failed one (the console's "remind now", :mod:`automation.jobs.remind_now`).  Not counted as
        an attempt (``record`` counts it)."""
        self._db.execute(
            "INSERT INTO ledger (key, kind, event_id, due, status, finished_at, detail, attempts)"
            " VALUES (?,?,?,?,'failed',?,?,0)"
            " ON CONFLICT(key) DO UPDATE SET status='failed', finished_at=excluded.finished_at, detail=excluded.detail",
            (key, kind, event_id, iso(due), iso(now), detail))

    def last_finished(self, kind: str, status: str, exclude_key: str = "") -> str | None:
        """When the latest action of ``kind`` with ``status`` finished (UTC ISO 8601), leaving out ``exclude_key``."""
        value: str | None = self._db.scalar(
            "SELECT max(finished_at) FROM ledger WHERE kind = ? AND status = ? AND key != ?", (kind, status, exclude_key))
        return value

    def status_counts_since(self, since: str, exclude_kind: str = "") -> list[tuple[str, int]]:
        """``[(status, number of actions)]`` of the actions that finished after ``since`` (UTC ISO 8601),
        leaving out ``exclude_kind``; ordered by status."""
        return [(r[0], r[1]) for r in self._db.all(
            "SELECT status, count(*) FROM ledger WHERE finished_at > ? AND kind != ? GROUP BY status ORDER BY status",
            (since, exclude_kind))]

    def finished_since(self, since: str, exclude_kind: str = "") -> list[LedgerEntry]:
        """The entries of the actions that finished after ``since`` (UTC ISO 8601), leaving out ``exclude_kind``;
        by due time."""
        return [_entry(r) for r in self._db.all(
            "SELECT * FROM ledger WHERE finished_at > ? AND kind != ? ORDER BY due, key", (since, exclude_kind))]

    def unresolved(self) -> list[LedgerEntry]:
        """Actions whose last outcome is ``failed`` or ``deferred`` (to be retried), by due time."""
        return [_entry(r) for r in self._db.all(
            "SELECT * FROM ledger WHERE status IN ('failed', 'deferred') ORDER BY due")]
