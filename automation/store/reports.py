"""Built reports: the data hash each was built from, so a report is rebuilt only when its data changed."""

from __future__ import annotations

from datetime import datetime

from automation.model import iso
from automation.store.db import Database


class ReportsRepository:
    """Reads and writes ``reports(name, data_hash, built_at, path)``."""

    def __init__(self, db: Database):
        self._db = db

    def built(self, name: str) -> tuple[str, str] | None:
        """``(data_hash, path)`` of the report's last build, or None."""
        r = self._db.one("SELECT data_hash, path FROM reports WHERE name = ?", (name,))
        return (r["data_hash"], r["path"]) if r else None

    def record(self, name: str, data_hash: str, now: datetime, path: str) -> None:
        """Record a build of the report."""
        self._db.execute("INSERT INTO reports VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                         " data_hash = excluded.data_hash, built_at = excluded.built_at, path = excluded.path",
                         (name, data_hash, iso(now), path))
