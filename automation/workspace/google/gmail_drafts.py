"""Exactly-once sending through Gmail drafts, without trusting the ``Message-ID`` header.

Gmail's API replaces the Message-ID of what it sends (reported: "sending with smtp
preserves message-IDs and sending via the API creates new ones",
https://github.com/gauteh/lieer/issues/198, 2021; "Gmail overwrites Message-ID and don't
even keep the original value", https://github.com/FlowCrypt/flowcrypt-browser/issues/4273,
2022), so an ``rfc822msgid:`` search after a crash may not find a message that did go out.
Drafts give an id Gmail keeps: "the draft resource is simply a container that provides a
stable ID", and "when the draft is sent, the draft is automatically deleted and a new message
with an updated ID is created with the SENT system label. This message is returned in the
drafts.send response" (https://developers.google.com/gmail/api/guides/drafts).  Hence, per
message part:

1. ``users.drafts.create`` with the part's bytes; the draft's id (and its message's thread id)
   is written to the store (:class:`~automation.workspace.google.memo.Memo`, key
   ``gmail.drafts.<Message-ID>``) before anything is sent;
2. ``users.drafts.send`` with ``{"id": <draft id>}``; Gmail's id of the sent message is written
   next to the draft's;
3. after a crash, a timeout or a 5xx: ``users.drafts.get`` of the recorded draft — still there
   means not sent (send it); 404 ("Requested entity was not found.") means it was sent.  No
   draft recorded means none was ever created by this program for the message: not sent.

A draft whose creation answer was lost (5xx, timeout, crash before the store write) is an
unsent draft left in the Drafts folder: it is never sent, so it can cost a stray draft but
never a second copy.  A draft deleted by hand before being sent would be taken for sent: the
Drafts folder holds the club's drafts only for the seconds between steps 1 and 2, or until
the next run after a crash.

Scope: ``gmail.compose`` ("Manage drafts and send emails", covering drafts.create, get and
send and messages.send — the methods' scopes in the Gmail discovery document); no read
scope is needed.
"""

from __future__ import annotations

import base64
import io
import random
from email import policy
from email.message import EmailMessage
from typing import Any, Callable

from automation.errors import BackendError, DeliveryError
from automation.workspace.google.api import Connection, error_details, lost_connection, translate
from automation.workspace.google.memo import Memo

COMPOSE_SCOPES = {
    "https://www.googleapis.com/auth/gmail.compose",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://mail.google.com/",
}


class NoComposeScope(BackendError):
    """drafts.create answered 403 for a missing scope: the sign-in may only use ``messages.send``."""

    refused_before_processing = True


def token_can_compose(credentials: Any) -> bool | None:
    """True/False when the credentials say which scopes they carry, None when they do not."""
    scopes = getattr(credentials, "granted_scopes", None) or getattr(credentials, "scopes", None)
    if not scopes:
        return None
    return bool(set(scopes) & COMPOSE_SCOPES)


def memo_key(message_id: str) -> str:
    """Where the drafts of one message are remembered (the ``google.`` prefix is the memo's)."""
    return "gmail.drafts." + message_id.strip().strip("<>")


def wire_bytes(part: EmailMessage) -> bytes:
    """The part as sent: CRLF line ends, no header folding (CPython 3.11 drops the space between folded
    encoded words)."""
    return part.as_bytes(policy=policy.SMTP.clone(max_line_length=998))


def message_request(method: Callable[..., Any], user_id: str, data: bytes, upload_threshold: int,
                    draft: bool = False) -> Any:
    """The request of ``method`` (``users().messages().send``, or ``users().drafts().create`` with ``draft``)
    carrying the message bytes ``data`` (:func:`wire_bytes`), not yet executed.

    Above ``upload_threshold`` bytes: a resumable ``message/rfc822`` media upload and no body.  Otherwise a
    JSON body with the bytes base64url-encoded in ``raw``: the Message resource ``{"raw": ...}`` for
    messages.send, a Draft resource ``{"message": {"raw": ...}}`` for drafts.create (the request bodies of
    the Gmail API reference, users.messages.send and users.drafts.create)."""
    from googleapiclient.http import MediaIoBaseUpload

    if len(data) > upload_threshold:
        media = MediaIoBaseUpload(io.BytesIO(data), mimetype="message/rfc822", resumable=True)
        return method(userId=user_id, media_body=media)
    message = {"raw": base64.urlsafe_b64encode(data).decode()}
    return method(userId=user_id, body={"message": message} if draft else message)


def sending_limited(status: int, reason: str, message: str) -> bool:
    """True when Gmail answered a send with a rate limit to wait out (429, or 403 ``rateLimitExceeded`` /
    ``userRateLimitExceeded``), False for any other error.  Raises :class:`BackendError` when it is the daily
    sending limit: nothing more goes out today, the rest at the next run."""
    if not (status == 429 or status == 403 and reason in ("rateLimitExceeded", "userRateLimitExceeded")):
        return False
    if "daily" in message.lower() or reason == "dailyLimitExceeded":
        raise BackendError(f"Gmail's daily sending limit is reached ({message}); the rest goes out at the next run, "
                           "tomorrow.") from None
    return True


class DraftSender:
    """Sends the parts of one message through drafts and tells, after a crash, which parts went out.

    State per message (JSON in the memo): ``{"n": parts, "parts": {"<k>": {"draft": id, "thread": id,
    "sent": Gmail id of the sent message or absent}}}``.
    """

    def __init__(self, connection: Connection, memo: Memo, user_id: str, upload_threshold: int, max_attempts: int,
                 gone_id: Callable[[dict[str, Any]], str] | None = None):
        self.conn = connection
        self.memo = memo
        self.user_id = user_id
        self.upload_threshold = upload_threshold
        self.max_attempts = max_attempts
        self.gone_id = gone_id or (lambda rec: f"sent-draft:{rec['draft']}")

    @property
    def _drafts(self) -> Any:
        return self.conn.service("gmail").users().drafts()

    # --- state --------------------------------------------------------------------------------
    def state(self, message_id: str) -> dict[str, Any] | None:
        """What the store knows of this message's drafts, or None (no draft was ever created for it)."""
        found = self.memo.get(memo_key(message_id))
        return found if isinstance(found, dict) else None

    def _save(self, message_id: str, state: dict[str, Any]) -> None:
        self.memo.set(memo_key(message_id), state)

    def resolve(self, message_id: str) -> str | None:
        """Gmail's ids of every part (joined by ",") when all went out, else None (the missing parts are
        certainly not sent).  One ``drafts.get`` per recorded part not yet known as sent.  Raises
        BackendError when Gmail cannot be asked."""
        state = self.state(message_id)
        if state is None or state.get("legacy"):
            return None
        changed = False
        for rec in state.get("parts", {}).values():
            if not rec.get("sent") and rec.get("draft") and not self._exists(rec["draft"], message_id):
                rec["sent"] = self.gone_id(rec)
                changed = True
        if changed:
            self._save(message_id, state)
        parts = state.get("parts", {})
        n = int(state.get("n", 0))
        if n and all(parts.get(str(k), {}).get("sent") for k in range(1, n + 1)):
            return ",".join(parts[str(k)]["sent"] for k in range(1, n + 1))
        return None

    def _exists(self, draft_id: str, message_id: str) -> bool:
        from googleapiclient.errors import HttpError

        request = self._drafts.get(userId=self.user_id, id=draft_id, format="minimal")
        request._sleep = self.conn.retry.sleep
        try:
            request.execute(num_retries=self.conn.retry.num_retries)
        except HttpError as e:
            if error_details(e)[0] == 404:
                return False
            raise translate(e, f"check whether the draft of {message_id} was sent", "gmail") from None
        except Exception as e:
            if lost_connection(e, f"check whether the draft of {message_id} was sent"):
                raise BackendError(f"Could not reach Gmail to check whether {message_id} went out ({e}); it stays "
                                   "queued and the next run checks again.") from None
            raise
        return True

    # --- sending --------------------------------------------------------------------------------
    def send(self, message_id: str, parts: list[EmailMessage]) -> str:
        """Send every part not yet sent; return the parts' Gmail ids joined by ",".

        Raises DeliveryError (Gmail refuses the message), NoComposeScope (the sign-in may not make
        drafts; nothing was created) or BackendError (outcome left to the next run)."""
        state = self.state(message_id) or {}
        state.setdefault("parts", {})
        state["n"] = len(parts)
        ids = []
        for k, part in enumerate(parts, start=1):
            ids.append(self._send_part(message_id, state, k, part))
        return ",".join(ids)

    def _send_part(self, message_id: str, state: dict[str, Any], k: int, part: EmailMessage) -> str:
        from googleapiclient.errors import HttpError

        mid = str(part["Message-ID"])
        rec = state["parts"].get(str(k)) or {}
        if rec.get("sent"):
            return str(rec["sent"])
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            if not rec.get("draft"):
                try:
                    rec = self._create(part, mid)
                except _Transient as t:  # an unsent draft may be left behind: harmless, never sent
                    problem = str(t)
                    self._pause(attempt)
                    continue
                state["parts"][str(k)] = rec
                self._save(message_id, state)
            request = self._drafts.send(userId=self.user_id, body={"id": rec["draft"]})
            request._sleep = self.conn.retry.sleep
            try:
                sent = request.execute(num_retries=0)
            except HttpError as e:
                status, reason, message = error_details(e)
                if status == 404:  # the draft is gone: an earlier attempt sent it
                    return self._sent(message_id, state, rec, self.gone_id(rec))
                if status == 400:
                    self._discard(rec["draft"])
                    state["parts"].pop(str(k), None)
                    self._save(message_id, state)
                    raise DeliveryError(f"Gmail refused the message {mid}: {message}") from None
                if sending_limited(status, reason, message):
                    problem = f"{status}: {message}"
                elif status >= 500:
                    problem = f"{status}: {message}"
                    if not self._exists(rec["draft"], mid):
                        return self._sent(message_id, state, rec, self.gone_id(rec))
                else:
                    raise translate(e, f"send the message {mid}", "gmail") from None
            except Exception as e:
                if not lost_connection(e, f"send the message {mid}"):
                    raise
                problem = f"no connection: {e}"
                try:
                    gone = not self._exists(rec["draft"], mid)
                except BackendError:
                    gone = None
                if gone:
                    return self._sent(message_id, state, rec, self.gone_id(rec))
                if gone is None:
                    break
            else:
                return self._sent(message_id, state, rec, str(sent["id"]))
            self._pause(attempt)
        raise BackendError(f"Gmail kept failing ({problem}) for the message {mid}; gave up for now. It stays queued "
                           "as a Gmail draft: the next run checks whether the draft went out before sending it.")

    def _pause(self, attempt: int) -> None:
        if attempt < self.max_attempts:
            self.conn.retry.sleep(min(32.0, 2 ** attempt) * (0.5 + random.random() / 2))

    def _sent(self, message_id: str, state: dict[str, Any], rec: dict[str, Any], gmail_id: str) -> str:
        rec["sent"] = gmail_id
        self._save(message_id, state)
        return gmail_id

    def _create(self, part: EmailMessage, mid: str) -> dict[str, Any]:
        from googleapiclient.errors import HttpError

        request = message_request(self._drafts.create, self.user_id, wire_bytes(part), self.upload_threshold,
                                  draft=True)
        request._sleep = self.conn.retry.sleep
        try:
            made = request.execute(num_retries=self.conn.retry.num_retries)
        except HttpError as e:
            status, reason, message = error_details(e)
            if status == 403 and (reason in ("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
                                  or "scope" in message.lower()):
                raise NoComposeScope(message) from None
            if status == 400:
                raise DeliveryError(f"Gmail refused the message {mid}: {message}") from None
            if status == 429 or status >= 500:
                raise _Transient(f"{status}: {message}") from None
            raise translate(e, f"prepare the message {mid} as a draft", "gmail") from None
        except Exception as e:
            if lost_connection(e, f"prepare the message {mid}"):
                raise _Transient(f"no connection: {e}") from None
            raise
        return {"draft": str(made["id"]), "thread": str((made.get("message") or {}).get("threadId", ""))}

    def _discard(self, draft_id: str) -> None:
        try:
            self.conn.retry.call(self._drafts.delete(userId=self.user_id, id=draft_id),
                                 "delete a draft Gmail refused to send", "gmail")
        except BackendError:
            pass  # a refused draft left in the Drafts folder is never sent


class _Transient(BackendError):
    """A 429, 5xx or lost connection while making a draft (an orphan draft may exist; it is never sent)."""
