"""Graduates and elected deputies (``outcomes``): the donors' indicators (seeds 002 and 004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database


@dataclass(frozen=True)
class OutcomeEntry:
    """What was entered for one participant: ``graduated``/``elected`` 1, 0 or None (not known);
    ``election`` a free label such as "2021 local"; ``source`` the file it came from."""

    participant_id: str
    graduated: int | None
    elected: int | None
    election: str


class OutcomesRepository:
    """Reads and writes ``outcomes``."""

    def __init__(self, db: Database):
        self._db = db

    def upsert(self, rows: list[OutcomeEntry], source: str, now: datetime) -> None:
        """Store the rows in one transaction; an unknown value (None, or an empty election) keeps what was
        entered before."""
        with self._db.transaction() as db:
            for r in rows:
                db.execute(
                    "INSERT INTO outcomes VALUES (?,?,?,?,?,?) ON CONFLICT(participant_id) DO UPDATE SET"
                    " graduated=COALESCE(excluded.graduated, outcomes.graduated),"
                    " elected=COALESCE(excluded.elected, outcomes.elected),"
                    " election=CASE WHEN excluded.election = '' THEN outcomes.election ELSE excluded.election END,"
                    " updated_at=excluded.updated_at, source=excluded.source",
                    (r.participant_id, r.graduated, r.elected, r.election, iso(now), source))

    def totals(self, source: str | None = None) -> tuple[int, int, int]:
        """``(people entered, graduated, elected)``, over everyone or over the participants who joined
        from roster ``source`` (e.g. ``school``)."""
        where, params = ("", ()) if source is None else (
            " WHERE participant_id IN (SELECT id FROM participants WHERE source = ?)", (source,))
        r = self._db.one("SELECT count(*), sum(graduated = 1), sum(elected = 1) FROM outcomes" + where, params)
        return (int(r[0] or 0), int(r[1] or 0), int(r[2] or 0)) if r else (0, 0, 0)
