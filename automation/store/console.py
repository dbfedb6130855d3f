"""The admin console's tables: accounts (``console_users``), the audit log, held plan actions and extended
form deadlines.

Passwords are stored as the hash :mod:`automation.web.admin.accounts` makes (argon2id); this module never
sees a password.  Times are UTC ISO 8601 strings.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database

#: The roles an account can have (see docs/ADMIN.md for what each sees).
ROLES = ("admin", "mentor", "commission")


@dataclass(frozen=True)
class ConsoleUser:
    """An account of the console: ``email`` (lower case), ``role`` (one of :data:`ROLES`), the password hash,
    when and by whom it was made, when the password last changed and the last sign-in (or None)."""

    email: str
    role: str
    password_hash: str
    created_at: str
    created_by: str
    password_changed_at: str
    last_login_at: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: at (UTC ISO), who (an account's e-mail, or ``cli``), what, on what, details."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class Hold:
    """A plan action the admin put on hold (the scheduler skips it until released)."""

    key: str
    held_by: str
    held_at: str
    reason: str


def _user(r: sqlite3.Row) -> ConsoleUser:
    return ConsoleUser(r["email"], r["role"], r["password_hash"], r["created_at"], r["created_by"],
                       r["password_changed_at"], r["last_login_at"])


class ConsoleRepository:
    """Reads and writes ``console_users``, ``audit_log`` and ``action_holds``."""

    def __init__(self, db: Database):
        self._db = db

    # --- accounts ---------------------------------------------------------------------
    def users(self) -> list[ConsoleUser]:
        """Every account, by e-mail."""
        return [_user(r) for r in self._db.all("SELECT * FROM console_users ORDER BY email")]

    def user(self, email: str) -> ConsoleUser | None:
        """The account with this e-mail (any case), or None."""
        r = self._db.one("SELECT * FROM console_users WHERE email = ?", (email.strip().lower(),))
        return _user(r) if r else None

    def add_user(self, email: str, role: str, password_hash: str, created_by: str, now: datetime) -> None:
        """Add an account (``email`` lower case); raises :class:`sqlite3.IntegrityError` if it exists."""
        self._db.execute("INSERT INTO console_users (email, role, password_hash, created_at, created_by,"
                         " password_changed_at) VALUES (?,?,?,?,?,?)",
                         (email, role, password_hash, iso(now), created_by, iso(now)))

    def set_password(self, email: str, password_hash: str, now: datetime) -> bool:
        """Replace an account's password hash; False if there is no such account."""
        return self._db.execute("UPDATE console_users SET password_hash = ?, password_changed_at = ? WHERE email = ?",
                                (password_hash, iso(now), email)).rowcount > 0

    def set_role(self, email: str, role: str) -> bool:
        """Change an account's role; False if there is no such account."""
        return self._db.execute("UPDATE console_users SET role = ? WHERE email = ?", (role, email)).rowcount > 0

    def remove_user(self, email: str) -> bool:
        """Delete an account; False if there was none."""
        return self._db.execute("DELETE FROM console_users WHERE email = ?", (email,)).rowcount > 0

    def touch_login(self, email: str, now: datetime) -> None:
        """Record a successful sign-in."""
        self._db.execute("UPDATE console_users SET last_login_at = ? WHERE email = ?", (iso(now), email))

    def admins(self) -> int:
        """How many accounts have the admin role."""
        return int(self._db.scalar("SELECT count(*) FROM console_users WHERE role = 'admin'") or 0)

    # --- audit log ----------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
        """Append one line to the audit log."""
        self._db.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?,?,?,?,?)",
                         (iso(now), actor, action, target, detail))

    def audit_entries(self, limit: int = 200) -> list[AuditEntry]:
        """The latest ``limit`` lines of the audit log, newest first."""
        return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["target"], r["detail"])
                for r in self._db.all("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))]

    # --- held actions ---------------------------------------------------------------------
    def holds(self) -> dict[str, Hold]:
        """The held actions, by action key."""
        return {r["key"]: Hold(r["key"], r["held_by"], r["held_at"], r["reason"])
                for r in self._db.all("SELECT * FROM action_holds ORDER BY key")}

    def hold(self, key: str, by: str, reason: str, now: datetime) -> bool:
        """Put an action on hold; False if it already was."""
        return self._db.execute("INSERT INTO action_holds (key, held_by, held_at, reason) VALUES (?,?,?,?)"
                                " ON CONFLICT(key) DO NOTHING", (key, by, iso(now), reason)).rowcount > 0

    def release(self, key: str) -> bool:
        """Release a held action; False if it was not held."""
        return self._db.execute("DELETE FROM action_holds WHERE key = ?", (key,)).rowcount > 0

    # --- extended deadlines ------------------------------------------------------------------
    def deadlines(self) -> dict[str, str]:
        """``{form key: deadline (UTC ISO 8601)}`` of the forms whose deadline was extended."""
        return {r["form_key"]: r["deadline"] for r in self._db.all("SELECT form_key, deadline FROM form_deadlines")}

    def set_deadline(self, form_key: str, deadline: datetime, by: str, now: datetime) -> None:
        """Record a form's new deadline (replacing an earlier extension)."""
        self._db.execute("INSERT INTO form_deadlines VALUES (?,?,?,?) ON CONFLICT(form_key) DO UPDATE SET"
                         " deadline = excluded.deadline, set_by = excluded.set_by, set_at = excluded.set_at",
                         (form_key, iso(deadline), by, iso(now)))
