"""The connection to the state file: pragmas, owner-only permissions, transactions, migrations.

Nothing outside :mod:`automation.store` runs SQL; the repositories of this package
(``roster``, ``ledger``, ``forms``, ``responses``, ``deliveries``, ``reports``,
``meta``, ``school``, ``outcomes``) are the only callers of :meth:`Database.execute`.

The file holds names, e-mail addresses, phones and every answer (DOMAIN.md, "do no
harm"), so it is created readable by its owner only (mode 0600); SQLite gives its
``-wal`` and ``-shm`` files the same mode as the database file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from automation.errors import StoreError
from automation.store.migrations import MIGRATIONS, SCHEMA_VERSION, current_version

#: Permissions of a new state file: read and write for its owner only.
FILE_MODE = 0o600


def _create_private(path: Path) -> None:
    """Create an empty file with mode 0600 if none exists (SQLite would create it 0644 under the usual umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


class Database:
    """One SQLite connection in autocommit mode (``isolation_level=None``); ``Database(":memory:")`` for tests.

    Opening checks the file (``PRAGMA quick_check``) and applies the numbered
    migrations of :mod:`automation.store.migrations` it lacks, after copying an
    existing file to ``<file>.schema<N>.bak`` (see :attr:`backup`).  Raises
    :class:`StoreError` when the file is not a readable SQLite database or was
    made by a newer version of the program; nothing is changed then.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._depth = 0
        #: The copy made before migrating an existing file, if one was made.
        self.backup: Path | None = None
        if self.path != ":memory:":
            _create_private(Path(self.path))
        try:
            self._con = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._con.row_factory = sqlite3.Row
            self._con.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                # WAL with synchronous=NORMAL: a crash of the program never loses a commit; a power cut
                # may lose the last few, which the delivery ledger's lookup before resending covers.
                self._con.execute("PRAGMA journal_mode = WAL")
                self._con.execute("PRAGMA synchronous = NORMAL")
            ok = self._con.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            version = current_version(self._con)
        except sqlite3.DatabaseError as e:
            raise StoreError(
                f"{self.path}: the state file is damaged or is not a state file ({e}). "
                "Restore it from a backup, or move it aside to start an empty one; nothing was changed."
            ) from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer version of this program (schema {version}); "
                             "update the program.")
        pending = [(number, script) for number, _name, script in MIGRATIONS if number > version]
        if pending and version > 0 and self.path != ":memory:":
            self.backup = self._back_up(version)
        for number, script in pending:
            self._migrate(number, script)

    def _back_up(self, version: int) -> Path:
        """Copy the file as it is to ``<file>.schema<N>.bak`` (0600) before migrating it; return the copy's path."""
        target = Path(f"{self.path}.schema{version}.bak")
        _create_private(target)
        copy = sqlite3.connect(target)
        try:
            self._con.backup(copy)
        finally:
            copy.close()
        return target

    def _migrate(self, number: int, script: str) -> None:
        """Apply one migration and record its number, all or nothing."""
        try:
            self._con.execute("BEGIN IMMEDIATE")
            for statement in (s.strip() for s in script.split(";")):
                if statement:
                    self._con.execute(statement)
            self._con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key)"
                              " DO UPDATE SET value = excluded.value", (str(number),))
            self._con.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            self._con.execute("ROLLBACK")
            raise StoreError(f"{self.path}: could not bring the state file to schema {number} ({e}); "
                             "nothing was changed. Restore it from a backup or report this.") from None

    # --- statements ------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement; rows come back as :class:`sqlite3.Row`."""
        return self._con.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        """Run one statement for each parameter tuple."""
        return self._con.executemany(sql, rows)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        return self._con.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        row: sqlite3.Row | None = self._con.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self._con.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for ``pandas.read_sql_query`` inside the store only)."""
        return self._con

    @property
    def in_transaction(self) -> bool:
        """True inside :meth:`transaction`."""
        return self._con.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All or nothing: ``with db.transaction(): ...``.  Nests (inner blocks are savepoints)."""
        if self._con.in_transaction:
            self._depth += 1
            name = f"sp{self._depth}"
            self._con.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                self._con.execute(f"ROLLBACK TO {name}")
                self._con.execute(f"RELEASE {name}")
                raise
            else:
                self._con.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        else:
            self._con.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
