"""The local store: one SQLite file holding the ledger and everything the jobs made.

Tables (times are UTC ISO 8601 strings, ``2022-09-15T08:00:00Z``):

- ``meta(key, value)``: ``schema_version``.
- ``participants``: the roster (see :class:`automation.model.Participant`),
  plus ``joined_at``, ``left_at`` and ``source``.
- ``ledger(key, kind, event_id, due, status, finished_at, detail)``: one row per
  plan action that ran or was skipped; ``status`` is ``done``, ``skipped`` or
  ``failed`` or ``deferred`` (both are retried at the next tick; deferred =
  the daily sending limit was reached, the rest goes out the next day).
- ``forms``: one row per form made from a template (``form_key`` is the plan's
  key), with the spec it was made from (JSON), the backend's id and URL, status
  ``open``/``closed``, ``opens``/``deadline``.
- ``form_links(form_key, participant_id, token)``: personal links.
- ``responses(form_key, response_id, participant_id, respondent_email,
  submitted_at, answers_json, raw_json, source)``: answers keyed by question id
  (see :mod:`automation.forms.answers`); ``raw_json`` is what the backend returned.
- ``deliveries``: the delivery ledger, one row per message and recipient:
  ``status`` ``queued`` (intent recorded, outcome unknown until confirmed),
  ``sent``, ``failed`` (with ``error``) or ``unknown`` (could not be confirmed;
  the admin is told).
- ``reports(name, data_hash, built_at, path)``: rebuilt only when the hash changes.

A file that is not a SQLite database, or is corrupted, raises
:class:`automation.errors.StoreError` with what to do.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from automation.errors import StoreError
from automation.model import Participant, iso, utc_now

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, phone TEXT NOT NULL DEFAULT '',
    oblast TEXT NOT NULL DEFAULT '', municipality TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT 'other',
    language TEXT NOT NULL DEFAULT 'ru', sex TEXT NOT NULL DEFAULT 'f', active INTEGER NOT NULL DEFAULT 1,
    joined_at TEXT NOT NULL, left_at TEXT, source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ledger (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, event_id TEXT NOT NULL, due TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'skipped', 'failed', 'deferred')),
    finished_at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS forms (
    form_key TEXT PRIMARY KEY, template_id TEXT NOT NULL, template_version INTEGER NOT NULL, kind TEXT NOT NULL,
    event_id TEXT NOT NULL, pre_test INTEGER NOT NULL DEFAULT 0, audience TEXT NOT NULL DEFAULT 'roster',
    backend TEXT NOT NULL, external_id TEXT NOT NULL, url TEXT NOT NULL, spec_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')), opens TEXT NOT NULL, deadline TEXT NOT NULL,
    created_at TEXT NOT NULL, closed_at TEXT, last_synced_at TEXT, sync_cursor TEXT
);
CREATE TABLE IF NOT EXISTS form_links (
    form_key TEXT NOT NULL, participant_id TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
    PRIMARY KEY (form_key, participant_id)
);
CREATE TABLE IF NOT EXISTS responses (
    form_key TEXT NOT NULL, response_id TEXT NOT NULL, participant_id TEXT, respondent_email TEXT,
    submitted_at TEXT NOT NULL, answers_json TEXT NOT NULL, raw_json TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (form_key, response_id)
);
CREATE INDEX IF NOT EXISTS responses_participant ON responses (participant_id);
CREATE TABLE IF NOT EXISTS deliveries (
    message_id TEXT PRIMARY KEY, action_key TEXT NOT NULL, recipient TEXT NOT NULL, language TEXT NOT NULL,
    subject TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'unknown')),
    provider_id TEXT, error TEXT, queued_at TEXT NOT NULL, sent_at TEXT, send_day TEXT NOT NULL,
    n_recipients INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS deliveries_action ON deliveries (action_key);
CREATE TABLE IF NOT EXISTS reports (name TEXT PRIMARY KEY, data_hash TEXT NOT NULL, built_at TEXT NOT NULL, path TEXT NOT NULL);
"""


class Store:
    """A connection to the state file.  ``Store(":memory:")`` for tests.

    Raises :class:`StoreError` if the file is not a readable SQLite database of
    a known schema version.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                # WAL with synchronous=NORMAL: a crash of the program never loses a commit; a power cut
                # may lose the last few, which the delivery ledger's lookup before resending covers.
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            ok = self.db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.path}: the state file is damaged or is not a state file ({e}). "
                "Restore it from a backup, or move it aside to start an empty one; nothing was changed."
            ) from None
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer version of this program (schema {row[0]}); update the program.")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: ``with store.transaction(): ...``.  Nests (inner blocks are savepoints)."""
        if self.db.in_transaction:
            self._depth = getattr(self, "_depth", 0) + 1
            name = f"sp{self._depth}"
            self.db.execute(f"SAVEPOINT {name}")
            try:
                yield self.db
            except BaseException:
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
                raise
            else:
                self.db.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # --- roster ----------------------------------------------------------
    def participants(self, active_only: bool = True) -> list[Participant]:
        q = "SELECT * FROM participants" + (" WHERE active = 1" if active_only else "") + " ORDER BY name, email"
        return [_participant(r) for r in self.db.execute(q)]

    def participant(self, pid: str) -> Participant | None:
        r = self.db.execute("SELECT * FROM participants WHERE id = ? OR email = ?", (pid, pid.lower())).fetchone()
        return _participant(r) if r else None

    def upsert_participants(self, people: list[Participant], source: str, now: datetime | None = None,
                            update_existing: bool = True) -> tuple[int, int]:
        """Insert new people and update known ones (matched by e-mail) in one transaction.

        Returns (added, updated).  Someone who had left and is imported again re-joins.
        With ``update_existing`` False, people already in the roster are left as they are.
        """
        now_s = iso(now or utc_now())
        added = updated = 0
        with self.transaction() as db:
            for p in people:
                old = db.execute("SELECT id FROM participants WHERE email = ?", (p.email,)).fetchone()
                if old and not update_existing:
                    continue
                if old:
                    db.execute(
                        "UPDATE participants SET name=?, phone=?, oblast=?, municipality=?, role=?, language=?, sex=?,"
                        " active=1, left_at=NULL WHERE email=?",
                        (p.name, p.phone, p.oblast, p.municipality, p.role, p.language, p.sex, p.email))
                    updated += 1
                else:
                    db.execute(
                        "INSERT INTO participants (id, name, email, phone, oblast, municipality, role, language, sex,"
                        " active, joined_at, source) VALUES (?,?,?,?,?,?,?,?,?,1,?,?)",
                        (p.id, p.name, p.email, p.phone, p.oblast, p.municipality, p.role, p.language, p.sex, now_s,
                         source))
                    added += 1
        return added, updated

    def set_active(self, email: str, active: bool, now: datetime | None = None) -> bool:
        cur = self.db.execute("UPDATE participants SET active = ?, left_at = ? WHERE email = ?",
                              (int(active), None if active else iso(now or utc_now()), email.lower()))
        return cur.rowcount > 0

    # --- ledger ----------------------------------------------------------
    def ledger(self) -> dict[str, sqlite3.Row]:
        return {r["key"]: r for r in self.db.execute("SELECT * FROM ledger")}

    def ledger_row(self, key: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM ledger WHERE key = ?", (key,)).fetchone()

    def record(self, key: str, kind: str, event_id: str, due: datetime, status: str, detail: str,
               now: datetime) -> None:
        self.db.execute(
            "INSERT INTO ledger (key, kind, event_id, due, status, finished_at, detail) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET status=excluded.status, finished_at=excluded.finished_at,"
            " detail=excluded.detail, attempts=ledger.attempts+1",
            (key, kind, event_id, iso(due), status, iso(now), detail))

    # --- forms -----------------------------------------------------------
    def form(self, form_key: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM forms WHERE form_key = ?", (form_key,)).fetchone()

    def forms(self) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM forms ORDER BY opens, form_key"))

    def responses(self, form_key: str | None = None) -> list[sqlite3.Row]:
        if form_key is None:
            return list(self.db.execute("SELECT * FROM responses ORDER BY form_key, submitted_at, response_id"))
        return list(self.db.execute("SELECT * FROM responses WHERE form_key = ? ORDER BY submitted_at, response_id",
                                    (form_key,)))

    def add_responses(self, form_key: str, rows: list[dict[str, Any]], source: str) -> int:
        """Insert or update responses (keyed by response id) in one transaction; returns how many are new.

        Each row: ``response_id``, ``participant_id`` (or None), ``respondent_email``,
        ``submitted_at`` (datetime), ``answers`` (dict), ``raw`` (JSON-serialisable).
        """
        new = 0
        with self.transaction() as db:
            for r in rows:
                exists = db.execute("SELECT 1 FROM responses WHERE form_key = ? AND response_id = ?",
                                    (form_key, r["response_id"])).fetchone()
                db.execute(
                    "INSERT INTO responses VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(form_key, response_id) DO UPDATE SET"
                    " submitted_at=excluded.submitted_at, answers_json=excluded.answers_json, raw_json=excluded.raw_json,"
                    " participant_id=COALESCE(responses.participant_id, excluded.participant_id),"
                    " respondent_email=COALESCE(responses.respondent_email, excluded.respondent_email)",
                    (form_key, r["response_id"], r.get("participant_id"), r.get("respondent_email"),
                     iso(r["submitted_at"]), json.dumps(r["answers"], ensure_ascii=False, sort_keys=True),
                     json.dumps(r.get("raw", {}), ensure_ascii=False, sort_keys=True), source))
                new += exists is None
        return new


def _participant(r: sqlite3.Row) -> Participant:
    return Participant(id=r["id"], name=r["name"], email=r["email"], phone=r["phone"], oblast=r["oblast"],
                       municipality=r["municipality"], role=r["role"], language=r["language"], sex=r["sex"],
                       active=bool(r["active"]))
