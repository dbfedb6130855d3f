"""Gmail (API v1): send the jobs' RFC 5322 messages exactly once, and tell after a crash what went out.

**With ``gmail.compose``** (the sign-in asked for by default) every message goes through a
draft (:mod:`automation.workspace.google.gmail_drafts`): ``drafts.create``, the draft's id
written to the store, then ``drafts.send``.  After a crash a recorded draft that still exists
was not sent, one that is gone was.  This does not depend on the ``Message-ID`` header, which
Gmail replaces with its own (see that module for the reports); ``find_sent`` always answers
(``can_find_sent`` is True) and no read scope is needed.

**With ``gmail.send`` alone** (a sign-in made by an older version) messages go out with
``users.messages.send`` (``raw`` base64url in JSON, or a ``message/rfc822`` upload above
``upload_threshold`` bytes).  Nothing then proves a message was *not* sent: ``find_sent``
finds it by ``rfc822msgid:`` only if Gmail kept the header and the sign-in may read mail
(``gmail.readonly``), and otherwise raises :class:`LookupUnavailable`, so the job reports the
message as unknown instead of resending it.  ``python main.py auth`` again gives the new scope.

Recipients: Gmail delivers to the To/Cc/Bcc headers, not to a separate
envelope, so the envelope addresses not already in To/Cc are put in ``Bcc``.
A message may have at most ``max_recipients`` (100) recipients through the API;
a longer envelope is split into parts of the same message, each with its own
``Message-ID`` (``<id.partK@domain>`` for K ≥ 2) and an ``X-Club-Part: K/N``
header, and ``send`` returns the parts' Gmail ids joined by commas.  A crash
between parts is recovered part by part.  Every part carries the original To
(the group address), which therefore gets one copy per part.

Retries: a 429 (Gmail did not take the message) is retried with backoff; a 5xx
or a lost connection leaves the outcome unknown — with drafts the draft is looked up
(gone = sent); without, the message is never sent again blindly:
:class:`~automation.errors.BackendError` is raised and the ledger row stays
``queued`` for the next run to resolve.
"""

from __future__ import annotations

import copy
import random
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from automation.errors import BackendError, DeliveryError
from automation.workspace.ports import LookupUnavailable
from automation.workspace.google.api import Connection, GoogleAuthError, error_details, lost_connection, translate
from automation.workspace.google.gmail_drafts import (DraftSender, NoComposeScope, memo_key, message_request,
                                                      sending_limited, token_can_compose, wire_bytes)
from automation.workspace.google.memo import Memo

READ_SCOPES = {
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://mail.google.com/",
}
MAX_RECIPIENTS = 100
UPLOAD_THRESHOLD = 4 * 1024 * 1024
#: Attempts at one send before the outcome is left to the next run.
MAX_ATTEMPTS = 5
PART_HEADER = "X-Club-Part"


def token_can_read(credentials: Any) -> bool | None:
    """True/False when the credentials say which scopes they carry, None when they do not."""
    scopes = getattr(credentials, "granted_scopes", None) or getattr(credentials, "scopes", None)
    if not scopes:
        return None
    return bool(set(scopes) & READ_SCOPES)


def _addresses(msg: EmailMessage, *headers: str) -> list[str]:
    return [a for _, a in getaddresses([str(v) for h in headers for v in (msg.get_all(h) or [])]) if a]


def _part_id(message_id: str, k: int) -> str:
    core = message_id.strip().strip("<>")
    local, _, domain = core.partition("@")
    return f"<{local}.part{k}@{domain}>" if k > 1 else f"<{core}>"


class GmailMail:
    """MailPort on Gmail.

    ``drafts``: send through drafts (needs ``gmail.compose``); None = when the credentials'
    scopes allow it or do not say (a 403 on the first draft then falls back to ``messages.send``).
    ``memo``: where the drafts' ids are kept (the store's ``meta`` table; in memory without one).
    ``can_read``: whether the token may search the mailbox (``gmail.readonly``);
    None = find out from the credentials' scopes, or from Gmail's 403.
    Calls with drafts: 2 per message (``drafts.create`` + ``drafts.send``; per part when split);
    :meth:`find_sent` 1 ``drafts.get`` per recorded part not yet known as sent, none for a message
    never handed to Gmail.  Without: 1 ``messages.send``; :meth:`find_sent` 1 ``messages.list``
    (+1 ``messages.get`` and one list per further part for a split message).
    """

    def __init__(self, connection: Connection, can_read: bool | None = None, max_recipients: int = MAX_RECIPIENTS,
                 upload_threshold: int = UPLOAD_THRESHOLD, max_attempts: int = MAX_ATTEMPTS, user_id: str = "me",
                 memo: Memo | None = None, drafts: bool | None = None):
        self.conn = connection
        self.memo = memo or Memo()
        compose = drafts if drafts is not None else token_can_compose(connection.credentials)
        self.use_drafts = compose is not False
        self.drafts = DraftSender(connection, self.memo, user_id, upload_threshold, max_attempts,
                                  gone_id=self._sent_in_thread)
        self.can_read = can_read if can_read is not None else token_can_read(connection.credentials)
        self.max_recipients = max_recipients
        self.upload_threshold = upload_threshold
        self.max_attempts = max_attempts
        self.user_id = user_id
        self._found_parts: dict[str, dict[int, str]] = {}
        self._resource: Any = None

    @property
    def can_find_sent(self) -> bool:
        """True when messages go through drafts: :meth:`find_sent` then always answers (never raises
        LookupUnavailable for a message this program sent).  Without drafts it is False: a search of the
        sent mail that finds nothing proves nothing, as Gmail may have replaced the Message-ID."""
        return self.use_drafts

    @property
    def _messages(self) -> Any:
        if self._resource is None:
            self._resource = self.conn.service("gmail").users().messages()
        return self._resource

    def _sent_in_thread(self, rec: dict[str, Any]) -> str:
        """Gmail's id of a draft that was sent while its answer was lost: with a read scope, the SENT message of
        the draft's thread (1 ``threads.get``; the sent message stays in the draft's thread, which is assumed,
        not documented); otherwise, or when not found, ``sent-draft:<draft id>``."""
        fallback = f"sent-draft:{rec['draft']}"
        if self.can_read is not True or not rec.get("thread"):
            return fallback
        try:
            thread = self.conn.retry.call(self.conn.service("gmail").users().threads().get(
                userId=self.user_id, id=rec["thread"], format="minimal"), "find the sent message", "gmail")
        except BackendError:
            return fallback
        sent = [m["id"] for m in thread.get("messages", []) if "SENT" in (m.get("labelIds") or [])]
        return str(sent[-1]) if sent else fallback

    # --- sending ------------------------------------------------------------------------------
    def parts(self, msg: EmailMessage, envelope_to: list[str]) -> list[EmailMessage]:
        """The message(s) that deliver ``msg`` to ``envelope_to``: Bcc filled in, split by ``max_recipients``."""
        visible = {a.lower() for a in _addresses(msg, "To", "Cc")}
        extra, seen = [], set(visible)
        for a in envelope_to:
            if a.lower() not in seen:
                seen.add(a.lower())
                extra.append(a)
        room = self.max_recipients - len(visible)
        if room < 1 and extra or len(visible) > self.max_recipients:
            raise DeliveryError(f"{len(visible)} addresses in To/Cc: Gmail takes at most {self.max_recipients} "
                                "recipients per message")
        chunks = [extra[i:i + room] for i in range(0, len(extra), room)] if extra else [[]]
        if chunks == [[]] and msg["Bcc"] is None:
            return [msg]  # delivered by its own headers: send it as it is
        out = []
        for k, chunk in enumerate(chunks, start=1):
            part = copy.deepcopy(msg)
            del part["Bcc"]
            if chunk:
                part["Bcc"] = ", ".join(chunk)
            if len(chunks) > 1:
                part.replace_header("Message-ID", _part_id(str(msg["Message-ID"]), k))
                part[PART_HEADER] = f"{k}/{len(chunks)}"
            out.append(part)
        return out

    def send(self, msg: EmailMessage, envelope_to: list[str]) -> str:
        """Send ``msg`` to ``envelope_to``; return Gmail's id (ids of the parts joined by ",").

        Raises DeliveryError when Gmail rejects the message itself (400: bad
        address, too many recipients) and BackendError when the outcome is unknown.
        """
        if not envelope_to:
            raise DeliveryError("no recipient")
        if msg["Message-ID"] is None:
            raise DeliveryError("the message has no Message-ID (the mail jobs always set one)")
        mid = str(msg["Message-ID"])
        parts = self.parts(msg, envelope_to)
        if self.use_drafts:
            try:
                return self.drafts.send(mid, parts)
            except NoComposeScope:  # nothing was made: this sign-in may only use messages.send
                self.use_drafts = False
                state = self.drafts.state(mid) or {}
                self.memo.set(memo_key(mid), {**state, "legacy": True})
        done = self._found_parts.pop(mid, {})
        ids = []
        for k, part in enumerate(parts, start=1):
            ids.append(done[k] if k in done else self._send_one(part))
        return ",".join(ids)

    def _send_one(self, part: EmailMessage) -> str:
        from googleapiclient.errors import HttpError

        data = wire_bytes(part)
        mid = str(part["Message-ID"])
        retry = self.conn.retry
        for attempt in range(1, self.max_attempts + 1):
            request = message_request(self._messages.send, self.user_id, data, self.upload_threshold)
            request._sleep = retry.sleep
            try:
                return str(request.execute(num_retries=0)["id"])
            except HttpError as e:
                status, reason, message = error_details(e)
                if status == 400:
                    raise DeliveryError(f"Gmail refused the message {mid}: {message}") from None
                if sending_limited(status, reason, message):
                    problem = f"{status}: {message}"
                elif status >= 500:
                    problem = f"{status}: {message}"
                    found = self._check_unknown(mid, problem)
                    if found:
                        return found
                else:
                    raise translate(e, f"send the message {mid}", "gmail") from None
            except Exception as e:
                if not lost_connection(e, f"send the message {mid}"):
                    raise
                problem = f"no connection: {e}"
                found = self._check_unknown(mid, problem)
                if found:
                    return found
            if attempt < self.max_attempts:
                retry.sleep(min(32.0, 2 ** attempt) * (0.5 + random.random() / 2))
        raise BackendError(f"Gmail kept failing ({problem}) for the message {mid}; gave up for now. It stays queued: "
                           "the next run checks the sent mail before sending it again.")

    def _check_unknown(self, mid: str, problem: str) -> str | None:
        """After an error that may hide a successful send: Gmail's id if it is found in the sent mail.

        Not found proves nothing (Gmail may have replaced the Message-ID), so BackendError is raised
        then, as when the sent mail cannot be searched (send-only sign-in): the message is not sent
        again and the next run reports it to the admin.
        """
        try:
            found = self._search(mid)
        except LookupUnavailable:
            raise BackendError(f"Gmail failed while sending {mid} ({problem}) and this sign-in cannot search the "
                               "sent mail, so it is not sent again; the next run reports it to the admin.") from None
        if found:
            return found
        raise BackendError(f"Gmail failed while sending {mid} ({problem}); it is not in the sent mail under its "
                           "Message-ID, but Gmail may have replaced that header, so it is not sent again. The next "
                           "run reports it to the admin (`python main.py auth` again lets the program use drafts, "
                           "which settle this).")

    # --- finding --------------------------------------------------------------------------------
    def _search(self, message_id: str) -> str | None:
        if self.can_read is False:
            raise LookupUnavailable("the Google sign-in may only send mail (gmail.send); searching the sent mail "
                                    "needs gmail.readonly — run `python main.py auth --read-mail` to allow it")
        q = "rfc822msgid:" + message_id.strip().strip("<>")
        try:
            page = self.conn.retry.call(self._messages.list(userId=self.user_id, q=q, maxResults=1),
                                           f"look for the message {message_id} in the sent mail", "gmail")
        except GoogleAuthError as e:
            if "permission" in str(e) or "scope" in str(e).lower():
                self.can_read = False
                raise LookupUnavailable(f"the Google sign-in cannot search the sent mail ({e})") from None
            raise
        messages = page.get("messages") or []
        return messages[0]["id"] if messages else None

    def find_sent(self, message_id: str) -> str | None:
        """Gmail's id of the sent message with this Message-ID (all its parts' ids, joined), or None.

        With drafts: from the drafts recorded in the store (None: not sent, or only some parts — the
        following :meth:`send` sends only the missing ones).  Without: by ``rfc822msgid:``; raises
        LookupUnavailable with send-only access, and also when nothing is found, since Gmail may have
        replaced the Message-ID.  For a split message whose later parts are missing, returns None and
        remembers the parts found, so the following :meth:`send` sends only the missing ones.
        """
        state = self.drafts.state(message_id)
        if self.use_drafts and not (state or {}).get("legacy"):
            return self.drafts.resolve(message_id)
        first = self._search(message_id)
        if first is None:
            raise LookupUnavailable(f"{message_id} is not in the sent mail under its Message-ID, but Gmail may have "
                                    "replaced that header, so this does not prove it was not sent")
        meta = self.conn.retry.call(
            self._messages.get(userId=self.user_id, id=first, format="metadata", metadataHeaders=[PART_HEADER]),
            f"read the message {message_id}", "gmail")
        headers = {h["name"].lower(): h["value"] for h in meta.get("payload", {}).get("headers", [])}
        try:
            n = int(headers.get(PART_HEADER.lower(), "1/1").split("/")[1])
        except (IndexError, ValueError):
            n = 1
        if n == 1:
            return first
        found = {1: first}
        for k in range(2, n + 1):
            pid = self._search(_part_id(message_id, k))
            if pid:
                found[k] = pid
        if len(found) == n:
            return ",".join(found[k] for k in range(1, n + 1))
        self._found_parts[message_id] = found
        return None

