"""Mail on the local backend: a Maildir outbox, or a real SMTP server with a Maildir copy of what was sent.

Lookup of a message whose outcome is unknown (DESIGN.md principle 7): the
Maildir is searched for its ``Message-ID``.  With SMTP the copy is written
only after the server accepted the message, so a crash between the two leaves
it out of the copy; the organisation's Sent folder is then searched over IMAP
when ``imap:`` is configured (:mod:`automation.workspace.local.imap`), and
otherwise :meth:`SmtpMail.find_sent` raises :class:`LookupUnavailable`, so the
admin is told rather than the participant mailed twice.

The Maildir's files are the owner's only (0600: they hold names, e-mail
addresses and personal links); files a crash left in ``tmp/`` are removed when
the outbox is opened.
"""

from __future__ import annotations

import itertools
import mailbox
import os
import smtplib
import socket
import ssl
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from automation.errors import BackendError, DeliveryError, MailServerUnavailable, PartialDelivery
from automation.workspace.local.imap import ImapSentFolder
from automation.workspace.ports import LookupUnavailable

_SEQ = itertools.count()


class MaildirMail:
    """MailPort on a Maildir: writes each message to ``outbox/new`` as an RFC 5322 file.

    Every message sent is in the folder, so :meth:`find_sent` always answers
    (``can_find_sent``).  Opening it removes what a crash left in ``tmp/`` (a
    message half-written there was never in the outbox) and makes its files 0600.
    """

    can_find_sent = True

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(str(self.path), create=True)
        self._index: dict[str, str] | None = None
        self._tidy()

    def _tidy(self) -> None:
        """Remove leftovers of a crash from ``tmp/``; make the delivered files the owner's only."""
        for sub in ("tmp", "new", "cur"):
            folder = self.path / sub
            if not folder.is_dir():
                continue
            os.chmod(folder, 0o700)
            for f in folder.iterdir():
                try:
                    if sub == "tmp":
                        f.unlink()
                    elif f.stat().st_mode & 0o077:
                        os.chmod(f, 0o600)
                except FileNotFoundError:  # another process moved it meanwhile
                    pass

    def _add(self, data: bytes) -> str:
        """Deliver ``data`` the Maildir way (write to ``tmp/``, then rename into ``new/``), mode 0600; its key."""
        now = time.time()
        key = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(_SEQ)}.{socket.gethostname().replace('/', '_')}"
        tmp = self.path / "tmp" / key
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.rename(tmp, self.path / "new" / key)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return key

    def _ids(self) -> dict[str, str]:
        if self._index is None:
            self._index = {}
            for key in self.box.iterkeys():
                with self.box.get_file(key) as fh:
                    for line in fh:
                        if not line.strip():
                            break
                        if line.lower().startswith(b"message-id:"):
                            self._index[line.split(b":", 1)[1].strip().decode()] = key
                            break
        return self._index

    def send(self, msg: EmailMessage, envelope_to: list[str]) -> str:
        """Add ``msg`` to the Maildir as it is; return its Maildir key.  Raises DeliveryError with no recipient."""
        if not envelope_to:
            raise DeliveryError("no recipient")
        key = self._add(msg.as_bytes())
        self._ids()[str(msg["Message-ID"])] = key
        return key

    def find_sent(self, message_id: str) -> str | None:
        """The Maildir key of the message with this ``Message-ID`` header, or None (never raises)."""
        return self._ids().get(message_id)

    def messages(self) -> list[EmailMessage]:
        """Every message in the folder, parsed (``email.policy.default``), in key order."""
        out = []
        for key in sorted(self.box.iterkeys()):
            with self.box.get_file(key) as fh:
                out.append(BytesParser(policy=policy.default).parsebytes(fh.read()))
        return out


class SmtpMail:
    """MailPort on an SMTP server (``smtplib``), keeping a Maildir copy of each accepted message.

    ``security``: ``starttls`` (default), ``ssl`` or ``none`` (a local relay);
    ``timeout`` in seconds; ``copy_dir``: the Maildir of the copies (default
    ``outbox``); ``sent_folder``: the organisation's Sent folder over IMAP
    (club.yaml's ``imap:``), where :meth:`find_sent` looks a message up that
    is not in the copy.  ``can_find_sent`` is True only with a Sent folder.
    """

    def __init__(self, host: str, port: int = 587, username: str | None = None, password: str | None = None,
                 security: str = "starttls", timeout: float = 30.0, copy_dir: Path | None = None,
                 sent_folder: ImapSentFolder | None = None):
        self.host, self.port, self.username, self.password = host, int(port), username, password
        self.security, self.timeout = security, timeout
        self.copy = MaildirMail(Path(copy_dir) if copy_dir else Path("outbox"))
        self.sent_folder = sent_folder
        self._conn: smtplib.SMTP | None = None

    @property
    def can_find_sent(self) -> bool:
        """True when the Sent folder is configured (``imap:``): a message not found there was not sent."""
        return self.sent_folder is not None

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            try:
                self._conn.noop()
                return self._conn
            except (OSError, smtplib.SMTPException):  # the server closed an idle connection
                self._conn = None
        conn: smtplib.SMTP
        try:
            if self.security == "ssl":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as e:
            raise MailServerUnavailable(f"Cannot connect to the mail server {self.host}:{self.port} ({e}). "
                                        "Check the SMTP settings; nothing was sent, the next run tries again.") from None
        self._conn = conn
        return conn

    def send(self, msg: EmailMessage, envelope_to: list[str]) -> str:
        """Send; a temporary refusal (4xx) or an unreachable server raises :class:`MailServerUnavailable`
        (nothing was sent), a permanent refusal of every recipient :class:`DeliveryError`, a refusal of
        some :class:`PartialDelivery` (the rest got it).  A failure after the message was handed over
        raises a plain :class:`BackendError`: the outcome is unknown and the message is not resent.
        Returns the message's ``Message-ID`` (the id :meth:`find_sent` answers with)."""
        if not envelope_to:
            raise DeliveryError("no recipient")
        conn = self._connect()
        try:
            refused = conn.send_message(msg, to_addrs=envelope_to)
        except smtplib.SMTPRecipientsRefused as e:
            if all(400 <= code < 500 for code, _ in e.recipients.values()):
                raise MailServerUnavailable(f"the server asked to try later: {_reasons(e.recipients)}") from None
            raise DeliveryError(f"the server refused the address(es): {_reasons(e.recipients)}") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPHeloError) as e:
            if 400 <= e.smtp_code < 500:
                raise MailServerUnavailable(f"the server asked to try later ({e.smtp_code} {e.smtp_error!r})") from None
            raise DeliveryError(f"the server refused the message ({e.smtp_code} {e.smtp_error!r})") from None
        except (OSError, smtplib.SMTPException) as e:
            self._conn = None
            raise BackendError(f"the mail server failed while taking the message ({e}); whether it went out "
                               "is unknown: the next run looks it up in the Sent folder (imap: in club.yaml) "
                               "or tells the admin") from None
        self.copy.send(msg, envelope_to)
        if refused:
            raise PartialDelivery(str(msg["Message-ID"]), {a: f"{c} {r.decode(errors='replace')}"
                                                           for a, (c, r) in refused.items()})
        return str(msg["Message-ID"])

    def find_sent(self, message_id: str) -> str | None:
        """``message_id`` itself (what :meth:`send` returned) when the message is in the copy or the Sent folder.

        None when the Sent folder certainly does not hold it.  Raises
        :class:`LookupUnavailable` without a Sent folder (a message handed to
        the server just before a crash may have gone out without its copy) or
        when the IMAP server cannot answer.
        """
        if self.copy.find_sent(message_id):
            return message_id
        if self.sent_folder is None:
            raise LookupUnavailable("the SMTP server keeps no searchable sent folder and no imap: Sent folder is "
                                    "configured in club.yaml")
        return message_id if self.sent_folder.contains(message_id) else None


def _reasons(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{a} ({c} {r.decode(errors='replace')})" for a, (c, r) in recipients.items())
