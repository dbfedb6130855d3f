"""The delivery ledger: one row per message (DESIGN.md principle 7, exactly-once mail).

``status``: ``queued`` (intent recorded, outcome unknown until confirmed),
``sent``, ``failed`` (with ``error``) or ``unknown`` (could not be confirmed; the
admin is told).  ``send_day`` is the Asia/Bishkek date the daily sending limit
counts against; ``n_recipients`` the envelope's size.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database


@dataclass(frozen=True)
class Delivery:
    """One message's row.  Times are UTC ISO 8601 strings."""

    message_id: str
    action_key: str
    recipient: str
    language: str
    subject: str
    status: str
    provider_id: str | None
    error: str | None
    queued_at: str
    sent_at: str | None
    send_day: str
    n_recipients: int


def _delivery(r: sqlite3.Row) -> Delivery:
    return Delivery(r["message_id"], r["action_key"], r["recipient"], r["language"], r["subject"], r["status"],
                    r["provider_id"], r["error"], r["queued_at"], r["sent_at"], r["send_day"], r["n_recipients"])


class DeliveriesRepository:
    """Reads and writes ``deliveries``."""

    def __init__(self, db: Database):
        self._db = db

    def status(self, message_id: str) -> str | None:
        """The message's status, or None if it was never queued."""
        value: str | None = self._db.scalar("SELECT status FROM deliveries WHERE message_id = ?", (message_id,))
        return value

    def recipients_on(self, send_day: str, exclude_action: str = "") -> int:
        """Recipients already counted against the day's sending limit (queued, sent or unknown messages),
        leaving out the messages of ``exclude_action`` (the admin's alerts)."""
        return int(self._db.scalar("SELECT COALESCE(SUM(n_recipients), 0) FROM deliveries WHERE send_day = ? AND"
                                   " status IN ('queued', 'sent', 'unknown') AND action_key != ?",
                                   (send_day, exclude_action)))

    def add(self, message_id: str, action_key: str, recipient: str, language: str, subject: str, status: str,
            now: datetime, send_day: str, n_recipients: int, error: str | None = None) -> None:
        """Record a message as ``queued`` (before sending) or ``failed`` (never to be sent, with ``error``)."""
        self._db.execute(
            "INSERT INTO deliveries (message_id, action_key, recipient, language, subject, status, error, queued_at,"
            " send_day, n_recipients) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (message_id, action_key, recipient, language, subject, status, error, iso(now), send_day, n_recipients))

    def mark_sent(self, message_id: str, provider_id: str, now: datetime, error: str | None = None) -> None:
        """The message went out (``error`` names the refused addresses of a partly refused one)."""
        if error is None:
            self._db.execute("UPDATE deliveries SET status='sent', provider_id=?, sent_at=? WHERE message_id=?",
                             (provider_id, iso(now), message_id))
        else:
            self._db.execute("UPDATE deliveries SET status='sent', provider_id=?, sent_at=?, error=? WHERE message_id=?",
                             (provider_id, iso(now), error, message_id))

    def mark_failed(self, message_id: str, error: str) -> None:
        """The message was refused for good."""
        self._db.execute("UPDATE deliveries SET status='failed', error=? WHERE message_id=?", (error, message_id))

    def mark_unknown(self, message_id: str, error: str) -> None:
        """Whether the message went out cannot be told; it is not resent."""
        self._db.execute("UPDATE deliveries SET status='unknown', error=? WHERE message_id=?", (error, message_id))

    def forget_queued(self, message_id: str) -> None:
        """Drop a queued message the backend certainly did not send (it may be sent again)."""
        self._db.execute("DELETE FROM deliveries WHERE message_id = ? AND status = 'queued'", (message_id,))

    def problems_since(self, since: str) -> list[Delivery]:
        """Messages queued after ``since`` (UTC ISO 8601) that failed, are unknown or carry an error, in order."""
        return [_delivery(r) for r in self._db.all(
            "SELECT * FROM deliveries WHERE (status IN ('failed', 'unknown') OR error IS NOT NULL) AND queued_at > ?"
            " ORDER BY queued_at", (since,))]

    def first_sent_at(self, action_key: str) -> str | None:
        """When the first message of the action went out (UTC ISO 8601), or None."""
        value: str | None = self._db.scalar(
            "SELECT MIN(sent_at) FROM deliveries WHERE action_key = ? AND status = 'sent'", (action_key,))
        return value

    def sent_totals(self) -> tuple[int, int]:
        """``(messages, recipients)`` sent so far."""
        r = self._db.one("SELECT count(*), COALESCE(SUM(n_recipients), 0) FROM deliveries WHERE status = 'sent'")
        return (int(r[0]), int(r[1])) if r else (0, 0)

    def get(self, message_id: str) -> Delivery | None:
        """The message's row, or None if it was never queued."""
        r = self._db.one("SELECT * FROM deliveries WHERE message_id = ?", (message_id,))
        return _delivery(r) if r else None

    def unknown(self) -> list[Delivery]:
        """Every message whose outcome is ``unknown``, oldest first."""
        return [_delivery(r) for r in self._db.all(
            "SELECT * FROM deliveries WHERE status = 'unknown' ORDER BY queued_at, message_id")]
