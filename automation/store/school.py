"""The School of future deputies' state: application codes, the scores entered in the console, the final ranking,
and its markers.

Tables (migration 2): ``school_codes(code, form_key, response_id, assigned_at)``
(a code per application, never reused), ``school_results`` (the final ranking,
one row per code) and ``school_meta`` (``finalized_at``, ``scores_sha256``).
Seed 002: applications are scored under codes, not names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from automation.model import iso
from automation.store.db import Database

#: Columns of ``school_results`` in order, as :meth:`SchoolRepository.results` returns them.
RESULT_COLUMNS = ["code", "total", "rank", "spread", "flagged", "age", "age_group", "status", "note"]


@dataclass(frozen=True)
class ResultRow:
    """One application's place in the final ranking (``age`` None when unknown; ``status`` e.g. selected)."""

    code: str
    total: float
    rank: int
    spread: float
    flagged: bool
    age: int | None
    age_group: str
    status: str
    note: str


class SchoolRepository:
    """Reads and writes ``school_codes``, ``school_results`` and ``school_meta``."""

    def __init__(self, db: Database):
        self._db = db

    def codes(self) -> dict[tuple[str, str], str]:
        """``{(form key, response id): code}`` of every application coded so far."""
        return {(r["form_key"], r["response_id"]): r["code"] for r in self._db.all("SELECT * FROM school_codes")}

    def add_codes(self, codes: list[tuple[str, str, str]], now: datetime) -> None:
        """Record ``[(code, form key, response id)]`` in one transaction."""
        with self._db.transaction() as db:
            for code, form_key, response_id in codes:
                db.execute("INSERT INTO school_codes VALUES (?,?,?,?)", (code, form_key, response_id, iso(now)))

    def markers(self) -> dict[str, str]:
        """``school_meta`` as a dict: ``finalized_at`` (UTC ISO 8601) and ``scores_sha256`` once final."""
        return {r[0]: r[1] for r in self._db.all("SELECT key, value FROM school_meta")}

    def is_final(self) -> bool:
        """Whether the ranking was made final."""
        return self._db.one("SELECT 1 FROM school_meta WHERE key = 'finalized_at'") is not None

    def finalize(self, rows: list[ResultRow], scores_digest: str, now: datetime) -> None:
        """Replace the final ranking with ``rows`` and record when and from which scores, all or nothing."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM school_results")
            for r in rows:
                db.execute("INSERT INTO school_results VALUES (?,?,?,?,?,?,?,?,?)",
                           (r.code, r.total, r.rank, r.spread, int(r.flagged), r.age, r.age_group, r.status, r.note))
            db.execute("INSERT OR REPLACE INTO school_meta VALUES ('finalized_at', ?)", (iso(now),))
            db.execute("INSERT OR REPLACE INTO school_meta VALUES ('scores_sha256', ?)", (scores_digest,))

    def results(self) -> pd.DataFrame:
        """The final ranking as stored: columns :data:`RESULT_COLUMNS` (``flagged`` as 0/1), unsorted."""
        return pd.read_sql_query("SELECT * FROM school_results", self._db.connection)

    def console_scores(self) -> list[tuple[str, str, int, int]]:
        """The scores entered in the console: ``[(code, member, criterion, score)]`` by code, member, criterion."""
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in self._db.all(
            "SELECT code, member, criterion, score FROM school_scores ORDER BY code, member, criterion")]

    def set_console_scores(self, code: str, member: str, scores: dict[int, int], now: datetime) -> None:
        """Record a member's scores of one application (criterion → score), replacing hers, all or nothing."""
        with self._db.transaction() as db:
            for criterion, score in scores.items():
                db.execute("INSERT INTO school_scores VALUES (?,?,?,?,?) ON CONFLICT(code, member, criterion)"
                           " DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at",
                           (code, member, criterion, score, iso(now)))

    def count_with_status(self, status: str) -> int:
        """How many applications of the final ranking have ``status``."""
        return int(self._db.scalar("SELECT count(*) FROM school_results WHERE status = ?", (status,)))
