"""Submission keys of the web forms: which response each submission stored, so a repeat stores nothing.

A participant's page gives each submission a random key (an idempotency key, a UUID made on
her phone, :mod:`automation.web`).  A submission that could not be confirmed (the connection
dropped after it was sent) is sent again with the same key; the key found here says it was
already stored, and as which response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database


@dataclass(frozen=True)
class Submission:
    """A stored submission: its form, key, the response it stored, whose it was (None: a public link)
    and when it arrived (UTC ISO 8601)."""

    form_key: str
    submission_key: str
    response_id: str
    participant_id: str | None
    received_at: str


class SubmissionsRepository:
    """Reads and writes ``submissions(form_key, submission_key, response_id, participant_id, received_at)``."""

    def __init__(self, db: Database):
        self._db = db

    def get(self, form_key: str, submission_key: str) -> Submission | None:
        """The submission of ``form_key`` that carried ``submission_key``, or None."""
        r = self._db.one("SELECT * FROM submissions WHERE form_key = ? AND submission_key = ?",
                         (form_key, submission_key))
        return Submission(r["form_key"], r["submission_key"], r["response_id"], r["participant_id"],
                          r["received_at"]) if r else None

    def record(self, form_key: str, submission_key: str, response_id: str, participant_id: str | None,
               now: datetime) -> None:
        """Record that the submission ``submission_key`` stored ``response_id`` (a key seen before keeps its
        first record).  Call it in the transaction that stores the response."""
        self._db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (form_key, submission_key, response_id, participant_id, iso(now)))
