"""The roster: the ``participants`` table (see :class:`automation.model.Participant`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import Participant, iso, utc_now
from automation.store.db import Database


def _participant(r: sqlite3.Row) -> Participant:
    return Participant(id=r["id"], name=r["name"], email=r["email"], phone=r["phone"], oblast=r["oblast"],
                       municipality=r["municipality"], role=r["role"], language=r["language"], sex=r["sex"],
                       active=bool(r["active"]))


@dataclass(frozen=True)
class RosterChange:
    """What :meth:`RosterRepository.upsert` did: ``added`` and ``updated`` counts, and ``kept_left``, the
    people of the input who had left the club and were left as they are (not brought back)."""

    added: int
    updated: int
    kept_left: tuple[Participant, ...] = ()


class RosterRepository:
    """Participants, matched by e-mail (lower-case); ``joined_at``/``left_at`` are UTC ISO 8601."""

    def __init__(self, db: Database):
        self._db = db

    def participants(self, active_only: bool = True) -> list[Participant]:
        """Everyone (or the active members only), ordered by name then e-mail."""
        q = "SELECT * FROM participants" + (" WHERE active = 1" if active_only else "") + " ORDER BY name, email"
        return [_participant(r) for r in self._db.all(q)]

    def get(self, pid_or_email: str) -> Participant | None:
        """The participant with this id or e-mail address (active or not), or None."""
        r = self._db.one("SELECT * FROM participants WHERE id = ? OR email = ?", (pid_or_email, pid_or_email.lower()))
        return _participant(r) if r else None

    def ids_from_source(self, source: str) -> list[str]:
        """Ids of the participants who joined from ``source`` (``school``: accepted School applicants)."""
        return [r[0] for r in self._db.all("SELECT id FROM participants WHERE source = ? ORDER BY id", (source,))]

    def upsert(self, people: list[Participant], source: str, now: datetime | None = None,
               update_existing: bool = True, rejoin: bool = False) -> RosterChange:
        """Insert new people and update known ones (matched by e-mail) in one transaction.

        Leaving is sticky: someone who has left (``active`` 0) is not touched and is listed in
        ``kept_left`` (as stored), unless ``rejoin`` (an explicit decision, e.g. the School's accepted
        applicants), which brings her back.  With ``update_existing`` False, people already in the
        roster are left as they are.
        """
        now_s = iso(now or utc_now())
        added = updated = 0
        kept: list[Participant] = []
        with self._db.transaction() as db:
            for p in people:
                old = db.one("SELECT * FROM participants WHERE email = ?", (p.email,))
                if old and not old["active"] and not rejoin:
                    kept.append(_participant(old))
                    continue
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
        return RosterChange(added, updated, tuple(kept))

    def left_at(self, email: str) -> str | None:
        """When the participant with this address left (UTC ISO 8601), or None (active, or unknown)."""
        value: str | None = self._db.scalar("SELECT left_at FROM participants WHERE email = ? AND active = 0",
                                            (email.lower(),))
        return value

    def set_active(self, email: str, active: bool, now: datetime | None = None) -> bool:
        """Mark someone as a member again or as having left (``left_at`` = ``now``); False if the address is unknown."""
        cur = self._db.execute("UPDATE participants SET active = ?, left_at = ? WHERE email = ?",
                               (int(active), None if active else iso(now or utc_now()), email.lower()))
        return cur.rowcount > 0
