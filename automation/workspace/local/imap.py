"""The organisation's Sent folder over IMAP (stdlib ``imaplib``): was a message with this Message-ID sent?

Used by :class:`automation.workspace.local.mail.SmtpMail` to settle the outcome
of a message handed to the SMTP server just before a crash (DESIGN.md
principle 7).  It relies on the mail provider filing every message its SMTP
server accepts from the account in the Sent folder (Gmail, Microsoft 365,
Yandex and Mail.ru do; a plain relay does not — then leave ``imap:`` out and the
admin is told of such a message instead).

One short session per lookup: log in, open the folder read-only, ``SEARCH HEADER
Message-ID``, LOGOUT.  Anything that keeps the answer from being certain (the
server unreachable, the login refused, the folder missing, ``NO`` or ``BAD`` to
the search) raises :class:`LookupUnavailable`, never "not sent".
"""

from __future__ import annotations

import imaplib
import ssl

from automation.workspace.ports import LookupUnavailable


class ImapSentFolder:
    """One IMAP account's Sent folder, searched by Message-ID.

    ``security``: ``ssl`` (default, port 993), ``starttls`` or ``none`` (port
    143; a server on this machine only); ``timeout`` in seconds.
    """

    def __init__(self, host: str, port: int | None = None, username: str = "", password: str | None = None,
                 folder: str = "Sent", security: str = "ssl", timeout: float = 30.0):
        self.host, self.username, self.password = host, username, password or ""
        self.port = int(port) if port else (993 if security == "ssl" else 143)
        self.folder, self.security, self.timeout = folder, security, float(timeout)

    def _connect(self) -> imaplib.IMAP4:
        if self.security == "ssl":
            return imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(),
                                     timeout=self.timeout)
        conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            conn.starttls(ssl_context=ssl.create_default_context())
        return conn

    def contains(self, message_id: str) -> bool:
        """True when the folder holds a message with this ``Message-ID`` header, False when it certainly does not.

        Raises :class:`LookupUnavailable` when the answer cannot be had (see the module docstring).
        """
        if not message_id or any(c in message_id for c in '"\\\r\n'):
            raise LookupUnavailable(f"the Message-ID {message_id!r} cannot be searched for over IMAP")
        where = f"the Sent folder {self.folder!r} on {self.host}:{self.port}"
        try:
            conn = self._connect()
        except (OSError, imaplib.IMAP4.error) as e:
            raise LookupUnavailable(f"cannot connect to {where} ({e})") from None
        try:
            conn.login(self.username, self.password)  # a refusal raises IMAP4.error
            opened, info = conn.select(_quote(self.folder), readonly=True)
            if opened != "OK":
                raise LookupUnavailable(f"{where}: cannot open the folder ({_text(info)}); check imap.folder")
            answer, hits = conn.search(None, "HEADER", "Message-ID", _quote(message_id))
            if answer != "OK":
                raise LookupUnavailable(f"{where}: the server does not answer SEARCH HEADER ({_text(hits)})")
            return bool(hits and hits[0] and hits[0].split())
        except (OSError, imaplib.IMAP4.error) as e:
            raise LookupUnavailable(f"{where}: {_text(list(e.args))}") from None
        finally:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: object) -> str:
    if isinstance(data, list):
        return " ".join(d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data)
    return str(data)
