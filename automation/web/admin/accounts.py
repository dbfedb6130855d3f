"""Console accounts: add, list, remove, check a password (argon2id via argon2-cffi), and the audit log.

Used by ``python main.py users add|list|remove`` and by the console's sign-in and Users page; no Flask here.
Passwords are hashed with argon2-cffi's :class:`argon2.PasswordHasher` (its defaults: argon2id, RFC 9106's
low-memory profile) and never stored or logged.  Every change is written to the audit log
(``store.console.audit``) with who made it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from automation.errors import AutomationError
from automation.model import utc_now
from automation.roster import EMAIL_RE
from automation.store import ConsoleUser, Store
from automation.store.console import ROLES

#: Shortest password accepted (characters).  NIST SP 800-63B §5.1.1.2: at least 8; a passphrase is better.
MIN_PASSWORD = 10
#: Longest password accepted (characters): hashing a megabyte of text is a denial of service.
MAX_PASSWORD = 256

_HASHER = PasswordHasher()
#: A hash to check against when the account does not exist, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(AutomationError):
    """An account cannot be added, changed or removed as asked (the message says why)."""


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a string holding the salt and parameters)."""
    return _HASHER.hash(password)


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in one line, or None: too short, too long, the e-mail itself."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters (a few words are easy to remember)"
    if len(password) > MAX_PASSWORD:
        return f"the password must have at most {MAX_PASSWORD} characters"
    if email and password.strip().lower() == email.strip().lower():
        return "the password must not be the e-mail address"
    return None


def _clean_email(email: str) -> str:
    em = email.strip().lower()
    if not EMAIL_RE.match(em) or ".." in em:
        raise AccountError(f"{email[:80]!r} is not a valid e-mail address; nothing was changed")
    return em


def add_user(store: Store, email: str, role: str, password: str, by: str, now: datetime | None = None) -> ConsoleUser:
    """Add an account with ``role`` (one of :data:`automation.store.console.ROLES`).

    ``by`` is who adds it (an account's e-mail, or ``cli``).  Raises :class:`AccountError` for a bad e-mail,
    role or password, or an account that already exists; nothing is stored then.
    """
    now = now or utc_now()
    em = _clean_email(email)
    if role not in ROLES:
        raise AccountError(f"role {role!r} is unknown: use one of {', '.join(ROLES)}; nothing was changed")
    problem = password_problem(password, em)
    if problem:
        raise AccountError(f"{problem}; nothing was changed")
    with store.transaction():
        try:
            store.console.add_user(em, role, hash_password(password), by, now)
        except sqlite3.IntegrityError:
            raise AccountError(f"{em} already has an account; remove it first to change it. Nothing was changed") from None
        store.console.audit(by, "user.add", em, f"role {role}", now)
    user = store.console.user(em)
    assert user is not None
    return user


def remove_user(store: Store, email: str, by: str, now: datetime | None = None) -> None:
    """Remove an account.  Raises :class:`AccountError` when there is none, or when it is the last admin
    (the console would have nobody to run it)."""
    now = now or utc_now()
    em = email.strip().lower()
    user = store.console.user(em)
    if user is None:
        raise AccountError(f"{email[:80]} has no account; nothing was changed")
    with store.transaction():
        if user.role == "admin" and store.console.admins() <= 1:
            raise AccountError(f"{em} is the only admin: add another admin first; nothing was changed")
        store.console.remove_user(em)
        store.console.audit(by, "user.remove", em, f"role {user.role}", now)


def change_password(store: Store, email: str, password: str, by: str, now: datetime | None = None) -> None:
    """Set a new password.  Raises :class:`AccountError` for an unknown account or a bad password."""
    now = now or utc_now()
    em = email.strip().lower()
    problem = password_problem(password, em)
    if problem:
        raise AccountError(f"{problem}; nothing was changed")
    with store.transaction():
        if not store.console.set_password(em, hash_password(password), now):
            raise AccountError(f"{email[:80]} has no account; nothing was changed")
        store.console.audit(by, "user.password", em, "", now)


def authenticate(store: Store, email: str, password: str, now: datetime | None = None) -> ConsoleUser | None:
    """The account if ``password`` is its password, else None (unknown e-mail or wrong password take about
    the same time).  A hash made with older parameters is replaced by one with the current ones."""
    em = email.strip().lower()[:254]
    user = store.console.user(em) if em else None
    if len(password) > MAX_PASSWORD:
        return None
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    now = now or utc_now()
    if _HASHER.check_needs_rehash(user.password_hash):
        store.console.set_password(em, hash_password(password), now)
    store.console.touch_login(em, now)
    return user
