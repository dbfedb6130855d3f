"""Forms made from templates (``forms``) and their personal links (``form_links``)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from automation.model import FormSpec, form_spec_from_json, iso
from automation.store.db import Database

#: ``backend`` of a form read from a Google Forms CSV export rather than made by a backend.
IMPORTED = "import"


@dataclass(frozen=True)
class FormRecord:
    """One form made from a template.  ``form_key`` is the plan's key (``<event>.<template>[.pre]``).

    ``backend``: ``local``, ``google`` or ``import``; ``external_id`` and ``url``
    are the backend's (a local form's public id is its ``external_id``);
    ``spec_json`` is the :class:`FormSpec` it was made from; ``status`` is
    ``open`` or ``closed``; ``audience`` ``roster`` or ``public``.  Times
    (``opens``, ``deadline``, ``created_at``, ``closed_at``, ``last_synced_at``,
    ``sync_cursor``) are UTC ISO 8601 strings.
    """

    form_key: str
    template_id: str
    template_version: int
    kind: str
    event_id: str
    pre_test: bool
    audience: str
    backend: str
    external_id: str
    url: str
    spec_json: str
    status: str
    opens: str
    deadline: str
    created_at: str
    closed_at: str | None = None
    last_synced_at: str | None = None
    sync_cursor: str | None = None
    #: What the form pages say about the form (JSON): ``event`` ({ky, ru} title), ``start``/``end`` (UTC ISO),
    #: ``contact`` (the admin's e-mail); ``{}`` for forms made before it was recorded.
    context_json: str = "{}"

    def spec(self) -> FormSpec:
        """The template the form was made from (its current version, after any edit)."""
        return form_spec_from_json(json.loads(self.spec_json))

    def context(self) -> dict[str, Any]:
        """:attr:`context_json` decoded (an empty dict when absent)."""
        value: dict[str, Any] = json.loads(self.context_json or "{}")
        return value


@dataclass(frozen=True)
class FormVersion:
    """An earlier version of a form, kept when the form was edited: its ``spec_json`` and ``deadline`` then,
    ``replaced_at`` (UTC ISO) and the admin's ``note``."""

    form_key: str
    version: int
    spec_json: str
    deadline: str
    replaced_at: str
    note: str = ""


@dataclass(frozen=True)
class FormLink:
    """A personal link: ``token`` is the local link's secret, or the whole pre-filled URL on Google."""

    form_key: str
    participant_id: str
    token: str


def _form(r: sqlite3.Row) -> FormRecord:
    return FormRecord(
        form_key=r["form_key"], template_id=r["template_id"], template_version=r["template_version"], kind=r["kind"],
        event_id=r["event_id"], pre_test=bool(r["pre_test"]), audience=r["audience"], backend=r["backend"],
        external_id=r["external_id"], url=r["url"], spec_json=r["spec_json"], status=r["status"], opens=r["opens"],
        deadline=r["deadline"], created_at=r["created_at"], closed_at=r["closed_at"],
        last_synced_at=r["last_synced_at"], sync_cursor=r["sync_cursor"], context_json=r["context_json"])


class FormsRepository:
    """Reads and writes ``forms`` and ``form_links``."""

    def __init__(self, db: Database):
        self._db = db

    # --- forms -----------------------------------------------------------------------
    def get(self, form_key: str) -> FormRecord | None:
        """The form with this key, or None."""
        r = self._db.one("SELECT * FROM forms WHERE form_key = ?", (form_key,))
        return _form(r) if r else None

    def all(self) -> list[FormRecord]:
        """Every form, by opening time then key."""
        return [_form(r) for r in self._db.all("SELECT * FROM forms ORDER BY opens, form_key")]

    def by_public_id(self, external_id: str) -> FormRecord | None:
        """The local form whose public link id is ``external_id``, or None."""
        r = self._db.one("SELECT * FROM forms WHERE external_id = ? AND backend = 'local'", (external_id,))
        return _form(r) if r else None

    def any_for_event(self, event_id: str) -> bool:
        """Whether any form of the event was made."""
        return self._db.one("SELECT 1 FROM forms WHERE event_id = ?", (event_id,)) is not None

    def add(self, form: FormRecord) -> None:
        """Record a new form.  Raises :class:`sqlite3.IntegrityError` if the key is taken."""
        self._db.execute(
            "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
            " external_id, url, spec_json, status, opens, deadline, created_at, closed_at, last_synced_at,"
            " sync_cursor, context_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (form.form_key, form.template_id, form.template_version, form.kind, form.event_id, int(form.pre_test),
             form.audience, form.backend, form.external_id, form.url, form.spec_json, form.status, form.opens,
             form.deadline, form.created_at, form.closed_at, form.last_synced_at, form.sync_cursor,
             form.context_json))

    def replace_version(self, form_key: str, spec_json: str, version: int, deadline: str, now: datetime,
                        note: str = "") -> None:
        """Keep the form's current spec and deadline in ``form_versions`` and make ``spec_json`` (version
        ``version``) and ``deadline`` (UTC ISO) current, in one transaction.  A later deadline reopens a form
        that closed at its deadline (``status`` ``open``)."""
        with self._db.transaction() as db:
            r = db.one("SELECT * FROM forms WHERE form_key = ?", (form_key,))
            if r is None:
                raise KeyError(form_key)
            db.execute("INSERT OR REPLACE INTO form_versions VALUES (?,?,?,?,?,?)",
                       (form_key, r["template_version"], r["spec_json"], r["deadline"], iso(now), note))
            reopen = deadline > r["deadline"] and r["status"] == "closed" and deadline > iso(now)
            db.execute("UPDATE forms SET spec_json = ?, template_version = ?, deadline = ?,"
                       " status = CASE WHEN ? THEN 'open' ELSE status END,"
                       " closed_at = CASE WHEN ? THEN NULL ELSE closed_at END WHERE form_key = ?",
                       (spec_json, version, deadline, int(reopen), int(reopen), form_key))

    def versions(self, form_key: str) -> list[FormVersion]:
        """The earlier versions of the form, oldest first."""
        return [FormVersion(r["form_key"], r["version"], r["spec_json"], r["deadline"], r["replaced_at"], r["note"])
                for r in self._db.all("SELECT * FROM form_versions WHERE form_key = ? ORDER BY version", (form_key,))]

    def close(self, form_key: str, now: datetime) -> None:
        """Mark the form closed at ``now``."""
        self._db.execute("UPDATE forms SET status = 'closed', closed_at = ? WHERE form_key = ?", (iso(now), form_key))

    def set_deadline(self, form_key: str, deadline: datetime) -> None:
        """Move the form's deadline (the admin extended it)."""
        self._db.execute("UPDATE forms SET deadline = ? WHERE form_key = ?", (iso(deadline), form_key))

    def set_sync_cursor(self, form_key: str, cursor: datetime) -> None:
        """Remember the submission time up to which responses were fetched."""
        self._db.execute("UPDATE forms SET sync_cursor = ? WHERE form_key = ?", (iso(cursor), form_key))

    def set_synced(self, form_key: str, now: datetime) -> None:
        """Record when the responses were last pulled."""
        self._db.execute("UPDATE forms SET last_synced_at = ? WHERE form_key = ?", (iso(now), form_key))

    # --- personal links ----------------------------------------------------------------
    def add_links(self, form_key: str, tokens: dict[str, str]) -> None:
        """Record ``{participant id: token}``; a participant who already has a link keeps hers."""
        self._db.executemany("INSERT OR IGNORE INTO form_links VALUES (?,?,?)",
                             [(form_key, pid, token) for pid, token in tokens.items()])

    def links(self, form_key: str) -> dict[str, str]:
        """``{participant id: token}`` of the form's personal links, ordered by participant id."""
        return {r[0]: r[1] for r in self._db.all(
            "SELECT participant_id, token FROM form_links WHERE form_key = ? ORDER BY participant_id", (form_key,))}

    def link(self, token: str) -> FormLink | None:
        """The personal link with this token, or None."""
        r = self._db.one("SELECT * FROM form_links WHERE token = ?", (token,))
        return FormLink(r["form_key"], r["participant_id"], r["token"]) if r else None

    def invited_count(self, form_key: str) -> int:
        """How many personal links the form has."""
        return int(self._db.scalar("SELECT count(*) FROM form_links WHERE form_key = ?", (form_key,)))
