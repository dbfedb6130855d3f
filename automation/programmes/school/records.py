"""The School's tables in the state file: every SQL statement of the School, and nothing else.

Tables (created on first use by :func:`ensure_tables`, no other table touched):

- ``school_codes``: ``code`` (``A-001``), ``form_key``, ``response_id``, ``assigned_at``
  (UTC, ISO 8601); one row per coded application, never changed once written;
- ``school_results``: the final ranking and selection, one row per application
  (``code``, ``total``, ``rank``, ``spread``, ``flagged`` 0/1, ``age``, ``age_group``,
  ``status``, ``note``);
- ``school_meta``: ``finalized_at`` (UTC) and ``scores_sha256`` (the digest of the scores
  the final ranking was made from).

Storage only: which codes to give is decided in :mod:`.codes`, when and what to record as
final in :mod:`.selection`.  (To become a store repository.)
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from automation.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS school_codes (
    code TEXT PRIMARY KEY, form_key TEXT NOT NULL, response_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
    UNIQUE (form_key, response_id)
);
CREATE TABLE IF NOT EXISTS school_results (
    code TEXT PRIMARY KEY, total REAL NOT NULL, rank INTEGER NOT NULL, spread REAL NOT NULL,
    flagged INTEGER NOT NULL, age INTEGER, age_group TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS school_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def ensure_tables(store: Store) -> None:
    """Create the School's tables in the state file if they are missing (no other table is touched)."""
    store.db.executescript(_SCHEMA)


def given_codes(store: Store) -> dict[tuple[str, str], str]:
    """Every code given so far: ``(form_key, response_id)`` → code."""
    ensure_tables(store)
    db = store.db
    return {(r["form_key"], r["response_id"]): r["code"] for r in db.execute("SELECT * FROM school_codes")}


def add_codes(store: Store, new: Sequence[tuple[str, str, str]], stamp: str) -> None:
    """Record new codes, ``(code, form_key, response_id)`` each, given at ``stamp`` (UTC, ISO 8601),
    in one transaction.  Raises ``sqlite3.IntegrityError`` for a code or response coded before."""
    with store.transaction() as tx:
        for code, fk, rid in new:
            tx.execute("INSERT INTO school_codes VALUES (?,?,?,?)", (code, fk, rid, stamp))


def is_final(store: Store) -> bool:
    """True once a ranking has been recorded as final (:func:`save_final`)."""
    ensure_tables(store)
    return store.db.execute("SELECT 1 FROM school_meta WHERE key = 'finalized_at'").fetchone() is not None


def final_meta(store: Store) -> dict[str, str]:
    """The table ``school_meta`` as a dict: ``finalized_at`` and ``scores_sha256`` once final, else empty."""
    ensure_tables(store)
    return dict(store.db.execute("SELECT key, value FROM school_meta").fetchall())


def save_final(store: Store, table: pd.DataFrame, scores_digest: str, stamp: str) -> None:
    """Replace the final results with ``table`` (the selection's table: columns ``code``, ``total``,
    ``rank``, ``spread``, ``flagged``, ``age`` (Int64), ``age_group``, ``status``, ``note``) and record
    ``stamp`` (UTC, ISO 8601) and ``scores_digest``, in one transaction."""
    with store.transaction() as db:
        db.execute("DELETE FROM school_results")
        for r in table.itertuples():
            db.execute("INSERT INTO school_results VALUES (?,?,?,?,?,?,?,?,?)",
                       (r.code, float(r.total), int(r.rank), float(r.spread), int(bool(r.flagged)),
                        None if pd.isna(r.age) else int(r.age), r.age_group, r.status, r.note))
        db.execute("INSERT OR REPLACE INTO school_meta VALUES ('finalized_at', ?)", (stamp,))
        db.execute("INSERT OR REPLACE INTO school_meta VALUES ('scores_sha256', ?)", (scores_digest,))


def results_frame(store: Store) -> pd.DataFrame:
    """The table ``school_results`` as stored (columns as in the table; ``flagged`` int64 0/1), unsorted."""
    return pd.read_sql_query("SELECT * FROM school_results", store.db)
