"""Responses to the forms: answers keyed by template question id (see :mod:`automation.forms.answers`)."""

from __future__ import annotations

import builtins
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from automation.model import iso
from automation.store.db import Database


@dataclass(frozen=True)
class StoredResponse:
    """One response.  ``submitted_at`` is UTC ISO 8601; ``answers_json`` the answers (JSON object,
    question id → value); ``raw_json`` what the backend returned; ``source`` ``local``, ``google`` or
    ``import``.  ``participant_id`` is None for an anonymous response."""

    form_key: str
    response_id: str
    participant_id: str | None
    respondent_email: str | None
    submitted_at: str
    answers_json: str
    raw_json: str
    source: str
    #: The version of the form's spec she answered (``forms.template_version`` then); None if stored before
    #: versions were recorded.
    template_version: int | None = None

    @property
    def answers(self) -> dict[str, Any]:
        """The answers, decoded."""
        value: dict[str, Any] = json.loads(self.answers_json)
        return value


def _response(r: sqlite3.Row) -> StoredResponse:
    return StoredResponse(r["form_key"], r["response_id"], r["participant_id"], r["respondent_email"],
                          r["submitted_at"], r["answers_json"], r["raw_json"], r["source"], r["template_version"])


class ResponsesRepository:
    """Reads and writes ``responses``."""

    def __init__(self, db: Database):
        self._db = db

    def list(self, form_key: str | None = None) -> builtins.list[StoredResponse]:
        """The responses to one form by submission time (all forms' when None, by form first)."""
        if form_key is None:
            rows = self._db.all("SELECT * FROM responses ORDER BY form_key, submitted_at, response_id")
        else:
            rows = self._db.all("SELECT * FROM responses WHERE form_key = ? ORDER BY submitted_at, response_id",
                                (form_key,))
        return [_response(r) for r in rows]

    def count(self, form_key: str | None = None) -> int:
        """How many responses one form (or all forms) has."""
        if form_key is None:
            return int(self._db.scalar("SELECT count(*) FROM responses"))
        return int(self._db.scalar("SELECT count(*) FROM responses WHERE form_key = ?", (form_key,)))

    def respondents(self, form_key: str) -> builtins.set[str]:
        """Ids of the participants who answered the form."""
        return {r[0] for r in self._db.all(
            "SELECT participant_id FROM responses WHERE form_key = ? AND participant_id IS NOT NULL", (form_key,))}

    def latest_of(self, form_key: str, participant_id: str) -> StoredResponse | None:
        """Her latest response to the form, or None."""
        r = self._db.one("SELECT * FROM responses WHERE form_key = ? AND participant_id = ?"
                         " ORDER BY submitted_at DESC LIMIT 1", (form_key, participant_id))
        return _response(r) if r else None

    def add(self, form_key: str, rows: builtins.list[dict[str, Any]], source: str) -> int:
        """Insert or update responses (keyed by response id) in one transaction; returns how many are new.

        Each row: ``response_id``, ``participant_id`` (or None), ``respondent_email``,
        ``submitted_at`` (datetime), ``answers`` (dict), ``raw`` (JSON-serialisable).
        A response seen again gets its new time and answers; its participant and
        e-mail are the new ones where known, else the ones stored before (so a
        re-import matches people added to the roster since, and a later fetch
        without them loses nothing).  ``source`` is kept from the first time.  Each response records the
        form's current ``template_version`` (the version she answered; an edit of the form raises it).
        """
        new = 0
        with self._db.transaction() as db:
            for r in rows:
                exists = db.one("SELECT 1 FROM responses WHERE form_key = ? AND response_id = ?",
                                (form_key, r["response_id"]))
                db.execute(
                    "INSERT INTO responses (form_key, response_id, participant_id, respondent_email, submitted_at,"
                    " answers_json, raw_json, source, template_version)"
                    " VALUES (?,?,?,?,?,?,?,?,(SELECT template_version FROM forms WHERE form_key = ?))"
                    " ON CONFLICT(form_key, response_id) DO UPDATE SET"
                    " submitted_at=excluded.submitted_at, answers_json=excluded.answers_json,"
                    " raw_json=excluded.raw_json, template_version=excluded.template_version,"
                    " participant_id=COALESCE(excluded.participant_id, responses.participant_id),"
                    " respondent_email=COALESCE(excluded.respondent_email, responses.respondent_email)",
                    (form_key, r["response_id"], r.get("participant_id"), r.get("respondent_email"),
                     iso(r["submitted_at"]), json.dumps(r["answers"], ensure_ascii=False, sort_keys=True),
                     json.dumps(r.get("raw", {}), ensure_ascii=False, sort_keys=True), source, form_key))
                new += exists is None
        return new
