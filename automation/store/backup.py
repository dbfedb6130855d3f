"""Backups of the state file with SQLite's online backup API, their retention, and restoring one.

- :func:`back_up` copies the state, while the service runs, with ``sqlite3.Connection.backup`` (a
  consistent snapshot even with writers and the WAL; https://www.sqlite.org/backup.html) into
  ``<dir>/state-<UTC time>.sqlite``, mode 0600 in a 0700 folder (it holds every name, address and
  answer), and checks the copy (``PRAGMA integrity_check``).
- :func:`prune` deletes this folder's backups older than N days (by the time in their names; other
  files are never touched), always keeping the newest.
- :func:`restore` puts a backup in the state file's place: it checks the backup first (a SQLite
  state file, intact, not from a newer program), refuses while the service runs on the state
  (:mod:`automation.store.lock`), keeps a copy of the current state beside it
  (``<state>.before-restore-<UTC time>``, 0600), then writes the backup in through the same backup API
  (so the WAL stays consistent).  A backup of an older schema is migrated when the state is next opened.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from automation.errors import StoreError
from automation.store.db import FILE_MODE, _create_private
from automation.store.lock import holder
from automation.store.migrations import SCHEMA_VERSION, current_version

#: Backup file names: ``state-20260130T020000Z.sqlite`` (UTC).
NAME_RE = re.compile(r"^state-(\d{8}T\d{6})Z\.sqlite$")


def _stamp(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S")


def _copy(src: sqlite3.Connection, target: Path, single_file: bool = True) -> None:
    """Write ``src`` into the SQLite file ``target`` (created 0600 if new) with the online backup API;
    ``single_file``: the copy keeps no write-ahead log beside it (a backup is one file)."""
    _create_private(target)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        if single_file:
            dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
    os.chmod(target, FILE_MODE)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_file(path: str | Path) -> int:
    """Check that ``path`` is an intact state file this program can open; return its schema version.

    Raises :class:`StoreError` saying what is wrong (missing, not SQLite, damaged, no state inside,
    made by a newer program).
    """
    p = Path(path)
    if not p.is_file():
        raise StoreError(f"{p}: no such file")
    try:
        con = _read_only(p)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            version = current_version(con)
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{p}: not an intact state file ({e}); nothing was changed") from None
    if version == 0:
        raise StoreError(f"{p}: a SQLite file, but not a state file of this service; nothing was changed")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{p}: made by a newer version of this program (schema {version}); update the program")
    return version


def back_up(state: str | Path, folder: str | Path, now: datetime) -> Path:
    """Copy the state file into ``folder`` (made 0700 if new) as ``state-<UTC>.sqlite`` (0600); return its path.

    Raises :class:`StoreError` when there is no state file, or the copy cannot be written or is not intact
    (a failed copy is removed).
    """
    src_path = Path(state)
    if not src_path.is_file():
        raise StoreError(f"{src_path}: no state file to back up")
    out = Path(folder)
    target = out / f"state-{_stamp(now)}Z.sqlite"
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise StoreError(f"cannot make the backup folder {out} ({e.strerror}); the state file is unchanged") from None
    try:
        src = sqlite3.connect(src_path, timeout=30)
        try:
            _copy(src, target)
        finally:
            src.close()
        check_file(target)
    except (sqlite3.Error, OSError, StoreError) as e:
        target.unlink(missing_ok=True)
        raise StoreError(f"the backup to {target} failed ({e}); the state file is unchanged") from None
    return target


def backups(folder: str | Path) -> list[tuple[datetime, Path]]:
    """The backups in ``folder`` (by their names), oldest first, with their UTC times."""
    out = []
    p = Path(folder)
    if not p.is_dir():
        return []
    for f in p.iterdir():
        m = NAME_RE.match(f.name)
        if m and f.is_file():
            out.append((datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc), f))
    return sorted(out)


def prune(folder: str | Path, keep_days: int, now: datetime) -> list[Path]:
    """Delete the backups of ``folder`` made more than ``keep_days`` days before ``now``, keeping at least the
    newest one; return the deleted paths."""
    found = backups(folder)
    cutoff = now - timedelta(days=keep_days)
    gone = [f for when, f in found[:-1] if when < cutoff]
    for f in gone:
        f.unlink(missing_ok=True)
    return gone


@dataclass(frozen=True)
class Restored:
    """What :func:`restore` did: the backup put in place (its schema ``version``) and where the state as it
    was before is kept (``previous``; None when there was no state file)."""

    backup: Path
    version: int
    previous: Path | None


def form_events(path: str | Path) -> set[str]:
    """The event (or survey) ids of the forms recorded in the state file ``path`` (read only)."""
    src = _read_only(Path(path))
    try:
        return {r[0] for r in src.execute("SELECT DISTINCT event_id FROM forms")}
    except sqlite3.Error:
        return set()
    finally:
        src.close()


def restore(backup: str | Path, state: str | Path, now: datetime, plan_events: set[str] | None = None,
            force: bool = False) -> Restored:
    """Put ``backup`` in the place of the state file (see the module docstring).

    ``plan_events``: the event and survey ids of the club's plan; a backup whose forms belong to none of them
    is another club's (or another plan's) state, refused unless ``force``.
    Raises :class:`StoreError`, changing nothing, when the backup is not an intact state file, is another
    plan's, or when the service runs on the state file.
    """
    src_path, state_path = Path(backup), Path(state)
    version = check_file(src_path)
    if src_path.resolve() == state_path.resolve():
        raise StoreError(f"{src_path} is the state file itself; choose a backup")
    theirs = form_events(src_path)
    if plan_events is not None and not force and theirs and not theirs & plan_events:
        raise StoreError(f"{src_path} looks like the state of another club or plan: its forms belong to "
                         f"{', '.join(sorted(theirs)[:4])}{' …' if len(theirs) > 4 else ''}, none of which is in this "
                         "plan. Check that it is the right file and the right --config; to restore it anyway, add "
                         "--force. Nothing was changed")
    busy = holder(state_path)
    if busy:
        raise StoreError(f"{state_path}: the service is running on it ({busy}); stop it first, then restore")
    previous = None
    if state_path.exists():
        previous = state_path.with_name(f"{state_path.name}.before-restore-{_stamp(now)}Z")
        cur = sqlite3.connect(state_path, timeout=30)
        try:
            _copy(cur, previous)
        except sqlite3.Error as e:
            raise StoreError(f"could not keep a copy of the current state in {previous} ({e}); nothing was "
                             "changed") from None
        finally:
            cur.close()
    src = _read_only(src_path)
    try:
        _copy(src, state_path, single_file=False)
    finally:
        src.close()
    return Restored(src_path, version, previous)
