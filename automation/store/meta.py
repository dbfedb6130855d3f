"""The store's key/value table ``meta`` (``schema_version``, and what the Google adapters remember)."""

from __future__ import annotations

from automation.store.db import Database


class MetaRepository:
    """String values by key.  ``schema_version`` is the migrations' own: do not write it."""

    def __init__(self, db: Database):
        self._db = db

    def get(self, key: str) -> str | None:
        """The value, or None."""
        value: str | None = self._db.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return value

    def set(self, key: str, value: str) -> None:
        """Set the value."""
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
                         " value = excluded.value", (key, value))

    def delete(self, key: str) -> None:
        """Forget the key."""
        self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
