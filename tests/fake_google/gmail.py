"""Gmail v1: users.messages.send (JSON ``raw`` or media upload of message/rfc822),
users.messages.list (``q`` subset, ``labelIds``, pagination), users.messages.get.

Rules enforced:
* ``raw`` must be base64url of an RFC 822 message with at least one recipient
  (To/Cc/Bcc): "Recipient address required";
* at most ``max_recipients`` recipients per message (default 100), and, when
  ``daily_limit`` is set, that many sends per mailbox (429 afterwards);
* a message without ``Message-ID`` gets one, as Gmail adds one;
* ``q`` supports ``rfc822msgid:``, ``from:``, ``to:``, ``cc:``, ``bcc:``, ``subject:``,
  ``in:``/``label:``, and bare words (searched in the message text); other operators
  -> 501 from the fake. A token granted only ``gmail.metadata`` cannot use ``q`` (403),
  and one granted only ``gmail.send`` cannot list at all (403, by the method's scopes);
* an empty result has no ``messages`` key (only ``resultSizeEstimate: 0``), as Gmail.

Drafts (users.drafts.create/get/send/delete): a draft holds an unsent message (label
``DRAFT``); ``drafts.send`` deletes the draft and files a *new* message with a new id and the
``SENT`` label, returned in the answer ("When the draft is sent, the draft is automatically
deleted and a new message with an updated ID is created with the SENT system label",
https://developers.google.com/gmail/api/guides/drafts); a draft that is gone answers 404
("Requested entity was not found.").  Recipients and the daily limit are checked at send.

Pessimistic mode ``replace_message_id=True``: every message sent (``messages.send`` or
``drafts.send``) gets a new ``Message-ID`` made by Gmail, and the sender's one is not kept
anywhere — as reported of the Gmail API ("sending with smtp preserves message-IDs and sending
via the API creates new ones", https://github.com/gauteh/lieer/issues/198, 2021; "Gmail
overwrites Message-ID and don't even keep the original value in X-Google-Original-Message-ID
as it used to do", https://github.com/FlowCrypt/flowcrypt-browser/issues/4273, 2022).  The
fake keeps the original in the record's ``_original_message_id`` for the tests' eyes only.
"""
from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import shlex
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, page_offset

if TYPE_CHECKING:
    from .server import Call, FakeGoogle

METADATA_ONLY = "https://www.googleapis.com/auth/gmail.metadata"
READ_SCOPES = {
    "https://mail.google.com/",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.modify",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GmailBackend:
    # "raw" is required (discovery annotation) unless the message comes as media
    body_rules = {"gmail.users.messages.send": {"exempt_with_media": {("Message", "raw")}}}
    DRAFT_GONE = "Requested entity was not found."

    def __init__(self, fake: "FakeGoogle", *, user_email: str, max_recipients: int = 100,
                 daily_limit: int | None = None, replace_message_id: bool = False) -> None:
        self.fake = fake
        self.replace_message_id = replace_message_id
        self.drafts: dict[str, dict[str, dict[str, Any]]] = {}
        self.user_email = user_email
        self.max_recipients = max_recipients
        self.daily_limit = daily_limit
        self.mailboxes: dict[str, list[dict[str, Any]]] = {}

    def handlers(self) -> dict[str, Any]:
        return {
            "gmail.users.messages.send": self.send,
            "gmail.users.messages.list": self.list,
            "gmail.users.messages.get": self.get,
            "gmail.users.drafts.create": self.draft_create,
            "gmail.users.drafts.get": self.draft_get,
            "gmail.users.drafts.send": self.draft_send,
            "gmail.users.drafts.delete": self.draft_delete,
            "gmail.users.drafts.list": self.draft_list,
            "gmail.users.threads.get": self.thread_get,
        }

    # -- test-side helpers ------------------------------------------------------------------

    def sent(self, user: str = "me") -> list[email.message.EmailMessage]:
        """The messages sent from ``user``'s mailbox, oldest first, parsed."""
        return [self._parse(m["_raw"]) for m in self._mailbox(user)]

    def messages(self, user: str = "me") -> list[dict[str, Any]]:
        return self._mailbox(user)

    # -- internals ----------------------------------------------------------------------------

    def _mailbox(self, user: str) -> list[dict[str, Any]]:
        key = self.user_email if user == "me" else user
        return self.mailboxes.setdefault(key.lower(), [])

    @staticmethod
    def _parse(raw: bytes) -> email.message.EmailMessage:
        return email.message_from_bytes(raw, policy=email.policy.default)

    def _raw_of(self, call: "Call", body: Any) -> bytes:
        if call.media is not None:
            return call.media.data
        text = (body or {}).get("raw")
        if not text:
            raise bad_request("'raw' RFC822 payload message string or uploading message via /upload/* URL "
                              "required", field="raw")
        try:
            return unb64url(text)
        except (binascii.Error, ValueError):
            raise bad_request("Invalid value for ByteString: raw", field="raw") from None

    def send(self, call: "Call") -> Any:
        return self._deliver(call, self._raw_of(call, call.body), (call.body or {}).get("threadId"))

    def _deliver(self, call: "Call", raw: bytes, thread_id: str | None) -> Any:
        message = self._parse(raw)
        recipients = email.utils.getaddresses(
            [str(v) for h in ("To", "Cc", "Bcc") for v in (message.get_all(h) or [])])
        recipients = [addr for _, addr in recipients if addr]
        if not recipients:
            raise bad_request("Recipient address required", reason="invalidArgument")
        if len(recipients) > self.max_recipients:
            raise bad_request(f"Too many recipients: {len(recipients)} (at most {self.max_recipients} per message).",
                              reason="invalidArgument")
        box = self._mailbox(call.arg("userId"))
        if self.daily_limit is not None and len(box) >= self.daily_limit:
            raise ApiError(429, "User-rate limit exceeded. Daily sending limit reached.", reason="rateLimitExceeded")
        msg_id = self.fake.new_id(16, "0123456789abcdef")
        original = str(message.get("Message-ID", "")).strip().strip("<>")
        if message.get("Message-ID") is None or self.replace_message_id:
            raw = self._without_message_id(raw)
            token = self.fake.new_id(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            raw = f"Message-ID: <CA+{token}@mail.gmail.com>\r\n".encode() + raw
            message = self._parse(raw)
        thread_id = thread_id or msg_id
        record = self._record(box, msg_id, thread_id, raw, message, ["SENT"])
        record["_original_message_id"] = original
        box.append(record)
        return {"id": msg_id, "threadId": thread_id, "labelIds": ["SENT"]}

    def _record(self, box: list[Any], msg_id: str, thread_id: str, raw: bytes, message: Any,
                labels: list[str]) -> dict[str, Any]:
        when = self.fake.now()
        return {
            "id": msg_id,
            "threadId": thread_id,
            "labelIds": labels,
            "snippet": self._snippet(message),
            "historyId": str(1000 + len(box)),
            "internalDate": str(int(when.timestamp() * 1000)),
            "sizeEstimate": len(raw),
            "_raw": raw,
            "_message_id": str(message.get("Message-ID", "")).strip().strip("<>"),
        }

    @staticmethod
    def _without_message_id(raw: bytes) -> bytes:
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = raw.partition(b"\n\n")
        lines, skip = [], False
        for line in head.splitlines(keepends=True):
            if line[:1] in (b" ", b"\t") and skip:
                continue
            skip = line.lower().startswith(b"message-id:")
            if not skip:
                lines.append(line)
        return b"".join(lines) + sep + body

    # -- drafts -------------------------------------------------------------------------------

    def _drafts(self, user: str) -> dict[str, dict[str, Any]]:
        key = self.user_email if user == "me" else user
        return self.drafts.setdefault(key.lower(), {})

    def draft_create(self, call: "Call") -> Any:
        body = call.body or {}
        message_body = body.get("message") or {}
        raw = self._raw_of(call, message_body)
        message = self._parse(raw)
        if message.get("Message-ID") is None:
            raw = f"Message-ID: <{self.fake.new_id(20)}@mail.gmail.com>\r\n".encode() + raw
            message = self._parse(raw)
        drafts = self._drafts(call.arg("userId"))
        draft_id = "r" + self.fake.new_id(19, "0123456789")
        msg_id = self.fake.new_id(16, "0123456789abcdef")
        record = self._record([], msg_id, message_body.get("threadId") or msg_id, raw, message, ["DRAFT"])
        drafts[draft_id] = record
        return {"id": draft_id, "message": {"id": msg_id, "threadId": record["threadId"], "labelIds": ["DRAFT"]}}

    def _draft(self, call: "Call", draft_id: str | None) -> dict[str, Any]:
        record = self._drafts(call.arg("userId")).get(draft_id or "")
        if record is None:
            raise ApiError(404, self.DRAFT_GONE)
        return record

    def draft_get(self, call: "Call") -> Any:
        record = self._draft(call, call.arg("id"))
        return {"id": call.arg("id"), "message": {"id": record["id"], "threadId": record["threadId"],
                                                  "labelIds": record["labelIds"]}}

    def draft_send(self, call: "Call") -> Any:
        draft_id = (call.body or {}).get("id")
        record = self._draft(call, draft_id)
        out = self._deliver(call, record["_raw"], record["threadId"])
        del self._drafts(call.arg("userId"))[draft_id]
        return out

    def draft_delete(self, call: "Call") -> Any:
        self._draft(call, call.arg("id"))
        del self._drafts(call.arg("userId"))[call.arg("id")]
        return None

    def thread_get(self, call: "Call") -> Any:
        """users.threads.get: the thread's messages (sent ones; drafts are not in the mailbox list), oldest first."""
        box = self._mailbox(call.arg("userId"))
        messages = [m for m in box if m["threadId"] == call.arg("id")]
        if not messages:
            raise ApiError(404, "Requested entity was not found.")
        return {"id": call.arg("id"), "historyId": messages[-1]["historyId"],
                "messages": [{"id": m["id"], "threadId": m["threadId"], "labelIds": m["labelIds"]} for m in messages]}

    def draft_list(self, call: "Call") -> Any:
        drafts = self._drafts(call.arg("userId"))
        out: dict[str, Any] = {"resultSizeEstimate": len(drafts)}
        if drafts:
            out["drafts"] = [{"id": k, "message": {"id": v["id"], "threadId": v["threadId"]}} for k, v in drafts.items()]
        return out

    @staticmethod
    def _snippet(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html")) if message.is_multipart() else message
        try:
            text = part.get_content() if part is not None else ""
        except (KeyError, LookupError):
            text = ""
        return " ".join(str(text).split())[:200]

    def list(self, call: "Call") -> Any:
        q = call.query.get("q")
        if q and call.scopes is not None and METADATA_ONLY in call.scopes and not (call.scopes & READ_SCOPES):
            raise ApiError(403, "Metadata scope does not support 'q' parameter", reason="forbidden")
        box = self._mailbox(call.arg("userId"))
        matches = [m for m in reversed(box) if self._matches(m, q or "", call.query.get("labelIds") or [])]
        size = call.query.get("maxResults") or 100
        size = max(1, min(size, 500))
        start = page_offset(call.query.get("pageToken"))
        page = matches[start:start + size]
        out: dict[str, Any] = {"resultSizeEstimate": len(page)}
        if page:
            out["messages"] = [{"id": m["id"], "threadId": m["threadId"]} for m in page]
        if start + size < len(matches):
            out["nextPageToken"] = str(start + size)
        return out

    def _matches(self, record: dict[str, Any], q: str, labels: list[str]) -> bool:
        if any(label.upper() not in record["labelIds"] for label in labels):
            return False
        message = self._parse(record["_raw"])
        try:
            terms = shlex.split(q)
        except ValueError:
            terms = q.split()
        for term in terms:
            op, sep, value = term.partition(":")
            if not sep:
                if term.lower() not in record["_raw"].decode("utf-8", "replace").lower():
                    return False
                continue
            op = op.lower()
            if op == "rfc822msgid":
                if value.strip().strip("<>") != record["_message_id"]:
                    return False
            elif op in ("from", "to", "cc", "bcc", "subject"):
                header = " ".join(str(v) for v in (message.get_all(op) or []))
                if value.lower() not in header.lower():
                    return False
            elif op in ("in", "label"):
                if value.upper() not in record["labelIds"]:
                    return False
            else:
                raise ApiError(501, f"fake_google: Gmail search operator {op!r} is not implemented.")
        return True

    def get(self, call: "Call") -> Any:
        box = self._mailbox(call.arg("userId"))
        record = next((m for m in box if m["id"] == call.arg("id")), None)
        if record is None:
            raise ApiError(404, "Requested entity was not found.")
        fmt = call.query.get("format", "full")
        out = {k: v for k, v in record.items() if not k.startswith("_")}
        if fmt == "raw":
            out["raw"] = b64url(record["_raw"])
        elif fmt in ("full", "metadata"):
            message = self._parse(record["_raw"])
            wanted = {h.lower() for h in (call.query.get("metadataHeaders") or [])}
            out["payload"] = self._part(message, "", fmt, wanted)
        return out

    def _part(self, part: email.message.Message, part_id: str, fmt: str, wanted: set[str]) -> dict[str, Any]:
        headers = [{"name": k, "value": str(v)} for k, v in part.items()
                   if fmt == "full" or not wanted or k.lower() in wanted]
        out: dict[str, Any] = {"partId": part_id, "mimeType": part.get_content_type(),
                               "filename": part.get_filename() or "", "headers": headers}
        if fmt == "metadata":
            return {"mimeType": out["mimeType"], "headers": headers}
        if part.is_multipart():
            out["body"] = {"size": 0}
            out["parts"] = [self._part(p, f"{part_id}.{i}" if part_id else str(i), fmt, wanted)
                            for i, p in enumerate(part.iter_parts() if hasattr(part, "iter_parts") else part.get_payload())]
        else:
            data = part.get_payload(decode=True) or b""
            out["body"] = {"size": len(data), "data": b64url(data)}
        return out
