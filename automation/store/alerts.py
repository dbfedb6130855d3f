"""The ``alerts`` table: each problem the admin is told about at once, told exactly once.

A *problem* has a stable key: ``failed:<action key>``, ``skipped:<action key>`` or
``unknown:<Message-ID>``.  Raising a known problem again does nothing, so a failed action
retried at every tick is mailed about once; a problem the admin handled comes back (:meth:`AlertsRepository.reopen`)
only when its caller says it is new: a failure for another reason, a channel that stopped again.  ``status``: ``pending`` (not mailed yet),
``sent`` (the alert mail ``message_id`` went out) or ``failed`` (the alert mail could not be
sent; the weekly summary still names the action).  ``handled_at``: when the admin (or a later
successful run of the action) dealt with it; the console shows the others.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database

#: Kinds of problem.
KINDS = ("failed", "skipped", "unknown")


@dataclass(frozen=True)
class Alert:
    """One problem: its ``problem`` key, the ``action_key`` it concerns, its ``kind`` (failed | skipped |
    unknown), ``detail`` (the reason, one line), ``status`` (pending | sent | failed), the alert mail's
    ``message_id``; times (UTC ISO 8601) ``raised_at``, ``sent_at``, ``handled_at`` (None until handled)."""

    problem: str
    action_key: str
    kind: str
    detail: str
    raised_at: str
    status: str
    message_id: str | None
    sent_at: str | None
    handled_at: str | None


def _alert(r: sqlite3.Row) -> Alert:
    return Alert(r["problem"], r["action_key"], r["kind"], r["detail"], r["raised_at"], r["status"],
                 r["message_id"], r["sent_at"], r["handled_at"])


def problem_key(kind: str, subject: str) -> str:
    """The stable key of a problem: ``<kind>:<action key or Message-ID>``."""
    return f"{kind}:{subject}"


class AlertsRepository:
    """Reads and writes ``alerts``."""

    def __init__(self, db: Database):
        self._db = db

    def raise_problem(self, kind: str, subject: str, action_key: str, detail: str, now: datetime) -> bool:
        """Record a problem (``kind`` one of :data:`KINDS`; ``subject`` the action key or Message-ID) as
        ``pending``; False, and nothing changed, when the same problem was raised before."""
        cur = self._db.execute(
            "INSERT INTO alerts (problem, action_key, kind, detail, raised_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(problem) DO NOTHING", (problem_key(kind, subject), action_key, kind, detail, iso(now)))
        return cur.rowcount > 0

    def reopen(self, kind: str, subject: str, detail: str, now: datetime) -> bool:
        """Raise again a problem the admin has handled (it happened again: see the callers in
        :mod:`automation.jobs.alerts`): ``pending`` and open once more, with the new ``detail`` and
        ``raised_at``.  False, and nothing changed, when it is unknown or still open."""
        cur = self._db.execute(
            "UPDATE alerts SET detail = ?, raised_at = ?, status = 'pending', message_id = NULL, sent_at = NULL,"
            " handled_at = NULL WHERE problem = ? AND handled_at IS NOT NULL",
            (detail, iso(now), problem_key(kind, subject)))
        return cur.rowcount > 0

    def pending(self) -> list[Alert]:
        """Problems not mailed yet, oldest first."""
        return [_alert(r) for r in self._db.all(
            "SELECT * FROM alerts WHERE status = 'pending' ORDER BY raised_at, problem")]

    def mark(self, problems: list[str], status: str, message_id: str, now: datetime) -> None:
        """The alert mail ``message_id`` about ``problems`` went out (``sent``) or could not (``failed``)."""
        self._db.executemany("UPDATE alerts SET status = ?, message_id = ?, sent_at = ? WHERE problem = ?",
                             [(status, message_id, iso(now) if status == "sent" else None, p) for p in problems])

    def get(self, problem: str) -> Alert | None:
        """One problem by its key, or None."""
        r = self._db.one("SELECT * FROM alerts WHERE problem = ?", (problem,))
        return _alert(r) if r else None

    def open(self) -> list[Alert]:
        """Problems not handled yet, oldest first (what the console shows)."""
        return [_alert(r) for r in self._db.all(
            "SELECT * FROM alerts WHERE handled_at IS NULL ORDER BY raised_at, problem")]

    def handle(self, problem: str, now: datetime) -> bool:
        """Mark a problem as handled; False if it is unknown or was handled already."""
        cur = self._db.execute("UPDATE alerts SET handled_at = ? WHERE problem = ? AND handled_at IS NULL",
                               (iso(now), problem))
        return cur.rowcount > 0

    def handle_action(self, action_key: str, now: datetime) -> int:
        """Mark every open problem of an action as handled (it has since run to the end); returns how many."""
        cur = self._db.execute("UPDATE alerts SET handled_at = ? WHERE action_key = ? AND handled_at IS NULL"
                               " AND kind != 'unknown'", (iso(now), action_key))
        return cur.rowcount
