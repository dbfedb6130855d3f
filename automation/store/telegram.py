"""The Telegram channel's tables: ``telegram_posts`` (exactly-once posting) and ``telegram_links``.

A post's ``status``: ``pending`` (to post; certainly not posted yet), ``posting`` (the intent: written
and committed just before the Bot API call), ``posted`` (with Telegram's ``message_id``), ``unknown``
(a crash or a lost answer came between the call and the record: it may be in the chat; never posted
again on its own — the admin decides), ``failed`` (Telegram refused it for good, with ``error``) or
``cancelled`` (its moment passed, or the person unlinked).  ``audience`` is ``group`` or ``private``;
``part`` orders the messages of one post (a long text in parts, then its documents).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from automation.model import iso
from automation.store.db import Database


@dataclass(frozen=True)
class TelegramPost:
    """One message of the channel (see the module docstring).  Times are UTC ISO 8601 strings."""

    post_key: str
    action_key: str
    event_id: str
    chat_id: int
    audience: str
    part: int
    kind: str
    body: str
    path: str | None
    fingerprint: str
    reply_to_key: str | None
    status: str
    message_id: int | None
    error: str | None
    created_at: str
    posted_at: str | None
    expires: str | None
    edited_at: str | None


@dataclass(frozen=True)
class TelegramLink:
    """A participant's personal code and, once she sent ``/start <code>``, her private chat with the bot;
    ``stopped_at`` is set when she sent ``/stop`` (or blocked the bot)."""

    participant_id: str
    code: str
    chat_id: int | None
    linked_at: str | None
    stopped_at: str | None

    @property
    def active(self) -> bool:
        """True while the bot writes to her (linked and not stopped)."""
        return self.chat_id is not None and self.stopped_at is None


_COLS = ("post_key, action_key, event_id, chat_id, audience, part, kind, body, path, fingerprint, reply_to_key, "
         "status, message_id, error, created_at, posted_at, expires, edited_at")


def _post(r: sqlite3.Row) -> TelegramPost:
    return TelegramPost(*(r[c.strip()] for c in _COLS.split(",")))


class TelegramRepository:
    """Reads and writes ``telegram_posts`` and ``telegram_links``."""

    def __init__(self, db: Database):
        self._db = db

    # --- posts ---------------------------------------------------------------------------------------

    def add(self, post_key: str, action_key: str, event_id: str, chat_id: int, audience: str, part: int, kind: str,
            body: str, now: datetime, path: str | None = None, fingerprint: str = "", reply_to_key: str | None = None,
            expires: datetime | None = None) -> bool:
        """Record a post as ``pending`` unless a post with this key exists; True when it was added."""
        cur = self._db.execute(
            f"INSERT OR IGNORE INTO telegram_posts ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,'pending',NULL,NULL,?,NULL,?,NULL)",
            (post_key, action_key, event_id, chat_id, audience, part, kind, body, path, fingerprint, reply_to_key,
             iso(now), iso(expires) if expires else None))
        return bool(cur.rowcount)

    def get(self, post_key: str) -> TelegramPost | None:
        """The post, or None."""
        r = self._db.one(f"SELECT {_COLS} FROM telegram_posts WHERE post_key = ?", (post_key,))
        return _post(r) if r else None

    def with_status(self, *statuses: str) -> list[TelegramPost]:
        """Posts in these statuses, in the order they were recorded."""
        marks = ",".join("?" * len(statuses))
        return [_post(r) for r in self._db.all(f"SELECT {_COLS} FROM telegram_posts WHERE status IN ({marks})"
                                               " ORDER BY rowid", statuses)]

    def for_action(self, action_key: str) -> list[TelegramPost]:
        """The posts of one action (every chat), in the order they were recorded."""
        return [_post(r) for r in self._db.all(f"SELECT {_COLS} FROM telegram_posts WHERE action_key = ?"
                                               " ORDER BY rowid", (action_key,))]

    def group_posts_with_fingerprint(self) -> list[TelegramPost]:
        """Posted group messages that carry an event's fingerprint (those a moved event may have to correct)."""
        return [_post(r) for r in self._db.all(f"SELECT {_COLS} FROM telegram_posts WHERE audience = 'group' AND "
                                               "status = 'posted' AND fingerprint != '' ORDER BY rowid")]

    def mark(self, post_key: str, status: str, now: datetime, message_id: int | None = None,
             error: str | None = None) -> None:
        """Set the post's status (``posted`` with its ``message_id``; ``failed``/``unknown`` with ``error``)."""
        if status == "posted":
            self._db.execute("UPDATE telegram_posts SET status='posted', message_id=?, posted_at=?, error=NULL "
                             "WHERE post_key=?", (message_id, iso(now), post_key))
        else:
            self._db.execute("UPDATE telegram_posts SET status=?, error=COALESCE(?, error) WHERE post_key=?",
                             (status, error, post_key))

    def claim(self, post_key: str, now: datetime) -> bool:
        """``pending`` → ``posting`` (the intent), only if it is still pending: False when another process took
        it first, so two schedulers never post the same message."""
        return bool(self._db.execute("UPDATE telegram_posts SET status='posting' WHERE post_key=? AND status='pending'",
                                     (post_key,)).rowcount)

    def edited(self, post_key: str, body: str, fingerprint: str, now: datetime) -> None:
        """The posted message now says ``body`` (about the event as ``fingerprint`` describes it)."""
        self._db.execute("UPDATE telegram_posts SET body=?, fingerprint=?, edited_at=? WHERE post_key=?",
                         (body, fingerprint, iso(now), post_key))

    def refingerprint(self, post_key: str, fingerprint: str) -> None:
        """Record that the post has been corrected (by a follow-up) for the event as ``fingerprint`` describes it."""
        self._db.execute("UPDATE telegram_posts SET fingerprint=? WHERE post_key=?", (fingerprint, post_key))

    def cancel_pending_for_chat(self, chat_id: int, why: str) -> int:
        """Cancel the pending posts to one chat (she unlinked); returns how many."""
        return self._db.execute("UPDATE telegram_posts SET status='cancelled', error=? WHERE chat_id=? AND "
                                "status='pending'", (why, chat_id)).rowcount

    # --- links ---------------------------------------------------------------------------------------

    def link_of(self, participant_id: str) -> TelegramLink | None:
        """Her link row, or None when she never got a code."""
        r = self._db.one("SELECT participant_id, code, chat_id, linked_at, stopped_at FROM telegram_links "
                         "WHERE participant_id = ?", (participant_id,))
        return TelegramLink(*r) if r else None

    def add_code(self, participant_id: str, code: str) -> None:
        """Give her a personal code (once: an existing code is kept)."""
        self._db.execute("INSERT OR IGNORE INTO telegram_links (participant_id, code) VALUES (?, ?)",
                         (participant_id, code))

    def link(self, code: str, chat_id: int, now: datetime) -> str | None:
        """She sent ``/start <code>`` from ``chat_id``: link it (again, after a /stop); her participant id, or
        None for an unknown code.  A chat linked to someone else before is unlinked from her."""
        pid: str | None = self._db.scalar("SELECT participant_id FROM telegram_links WHERE code = ?", (code,))
        if pid is None:
            return None
        self._db.execute("UPDATE telegram_links SET chat_id=NULL, stopped_at=? WHERE chat_id=? AND participant_id!=?",
                         (iso(now), chat_id, pid))
        self._db.execute("UPDATE telegram_links SET chat_id=?, linked_at=?, stopped_at=NULL WHERE participant_id=?",
                         (chat_id, iso(now), pid))
        return pid

    def stop(self, chat_id: int, now: datetime) -> str | None:
        """She sent ``/stop`` (or blocked the bot): no more messages to ``chat_id``; her id, or None if unlinked."""
        pid: str | None = self._db.scalar("SELECT participant_id FROM telegram_links WHERE chat_id = ? AND "
                                          "stopped_at IS NULL", (chat_id,))
        if pid is not None:
            self._db.execute("UPDATE telegram_links SET stopped_at=? WHERE participant_id=?", (iso(now), pid))
        return pid

    def links(self) -> list[TelegramLink]:
        """Every link row (codes handed out, linked or not)."""
        return [TelegramLink(*r) for r in self._db.all("SELECT participant_id, code, chat_id, linked_at, stopped_at "
                                                       "FROM telegram_links ORDER BY participant_id")]
