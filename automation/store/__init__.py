"""The store: the state file and the only package that writes SQL.

``Store(path)`` opens (and migrates) the file and offers one repository per
table family: ``store.roster``, ``store.ledger``, ``store.alerts``, ``store.forms`` (with the
personal links), ``store.responses``, ``store.deliveries``, ``store.reports``,
``store.meta``, ``store.school``, ``store.outcomes``, ``store.telegram``, ``store.submissions`` (the web
forms' submission keys), ``store.console`` (the admin console's accounts, audit log and held
actions).  Repositories return
dataclasses; times are UTC ISO 8601 strings.  A file that is not a SQLite
database, is damaged, or was made by a newer program raises
:class:`automation.errors.StoreError` with what to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from automation.store.alerts import Alert, AlertsRepository
from automation.store.console import AuditEntry, ConsoleRepository, ConsoleUser, Hold
from automation.store.db import Database
from automation.store.deliveries import DeliveriesRepository, Delivery
from automation.store.forms import FormLink, FormRecord, FormsRepository, FormVersion
from automation.store.ledger import LedgerEntry, LedgerRepository
from automation.store.meta import MetaRepository
from automation.store.outcomes import OutcomeEntry, OutcomesRepository
from automation.store.reports import ReportsRepository
from automation.store.responses import ResponsesRepository, StoredResponse
from automation.store.roster import RosterChange, RosterRepository
from automation.store.school import ResultRow, SchoolRepository
from automation.store.submissions import Submission, SubmissionsRepository
from automation.store.telegram import TelegramLink, TelegramPost, TelegramRepository


class Store:
    """The state file and its repositories.  ``Store(":memory:")`` for tests.

    ``db`` is the :class:`Database` (tests may read it; the library's code
    outside this package never does).
    """

    def __init__(self, path: str | Path):
        self.db = Database(path)
        self.path = self.db.path
        self.roster = RosterRepository(self.db)
        self.ledger = LedgerRepository(self.db)
        self.alerts = AlertsRepository(self.db)
        self.forms = FormsRepository(self.db)
        self.responses = ResponsesRepository(self.db)
        self.deliveries = DeliveriesRepository(self.db)
        self.reports = ReportsRepository(self.db)
        self.meta = MetaRepository(self.db)
        self.school = SchoolRepository(self.db)
        self.outcomes = OutcomesRepository(self.db)
        self.telegram = TelegramRepository(self.db)
        self.submissions = SubmissionsRepository(self.db)
        self.console = ConsoleRepository(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing across repositories: ``with store.transaction(): ...``.  Nests."""
        with self.db.transaction():
            yield

    def in_transaction(self) -> bool:
        """True inside :meth:`transaction` (what is written there is not yet durable)."""
        return self.db.in_transaction

    def close(self) -> None:
        """Close the file."""
        self.db.close()


__all__ = ["Store", "Alert", "AuditEntry", "ConsoleUser", "Hold", "Database", "Delivery", "FormLink", "FormRecord",
           "FormVersion", "LedgerEntry", "OutcomeEntry", "ResultRow", "RosterChange", "StoredResponse", "Submission",
           "TelegramLink", "TelegramPost"]
