"""The mail port's contract, run against the Maildir outbox, a real SMTP server and Gmail (the fake Google).

What every MailPort promises (automation/workspace/ports.py, DESIGN.md principle 7):

* ``send`` returns the provider's id of the message, a non-empty string, different for two messages;
* the message goes out as composed: its Message-ID, subject, body and attachments unchanged;
* every envelope address receives it (an outbox that keeps no envelope says so);
* no recipient at all is a DeliveryError, never a silent success;
* ``find_sent`` finds a sent message by its Message-ID with the id ``send`` returned, and answers
  None for a message never sent — or, where ``can_find_sent`` is False, raises LookupUnavailable
  instead of answering None (None would make the job send the message a second time).
"""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from automation.errors import DeliveryError
from automation.jobs.mailings import message_id
from automation.workspace.google import GmailMail
from automation.workspace.local import MaildirMail, SmtpMail
from automation.workspace.ports import LookupUnavailable, MailPort
from contract.support import COMPOSE, READ_MAIL, SEND_ONLY, connect
from fake_google import FakeGoogle

GROUP = "club@example.org"
MEMBERS = ["aigul@example.org", "bermet@example.org", "elena@example.org"]
SUBJECT = "Чакыруу: жергиликтүү бюджет / Приглашение: местный бюджет"
BODY = "Урматтуу катышуучу!\nСаламатсызбы!\n\nУважаемая участница!\nЗдравствуйте!\n"
ATTACHMENT = b"%PDF-1.4\n% programme\n" + bytes(range(256))


def compose(key: str, to: str = GROUP) -> EmailMessage:
    """A bilingual message with a PDF attachment and the jobs' deterministic Message-ID."""
    msg = EmailMessage()
    msg["From"] = "Клуб <club@gmail.com>"
    msg["To"] = to
    msg["Subject"] = SUBJECT
    msg["Message-ID"] = message_id(key, to, "gmail.com")
    msg.set_content(BODY)
    msg.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename="programme.pdf")
    return msg


class MailPortContract:
    """The shared tests; a subclass gives the port (fixture ``mail``) and how to see what went out."""

    @pytest.fixture
    def mail(self, *args: Any) -> MailPort:
        raise NotImplementedError

    def delivered(self, mail: Any) -> list[EmailMessage]:
        """Every message that went out, parsed, oldest first."""
        raise NotImplementedError

    def recipients(self, mail: Any, msg: EmailMessage) -> set[str] | None:
        """The addresses ``msg`` (as delivered) went to; None for an outbox that keeps no envelope."""
        raise NotImplementedError

    def sent_as(self, mail: Any, key: str) -> EmailMessage:
        (msg,) = [m for m in self.delivered(mail) if m["Message-ID"] == message_id(key, GROUP, "gmail.com")]
        return msg

    def test_send_returns_the_providers_id_one_per_message(self, mail):
        first = mail.send(compose("ev.one"), MEMBERS)
        second = mail.send(compose("ev.two"), MEMBERS)
        assert isinstance(first, str) and first and isinstance(second, str) and second
        assert first != second
        assert len(self.delivered(mail)) == 2

    def test_the_message_goes_out_as_composed(self, mail):
        msg = compose("ev.as_composed")
        mail.send(msg, MEMBERS)
        got = self.sent_as(mail, "ev.as_composed")
        assert got["Message-ID"] == msg["Message-ID"]
        assert str(got["Subject"]) == SUBJECT
        assert got["To"] == GROUP and "club@gmail.com" in got["From"]
        # on the wire lines end in CRLF (RFC 5322); the text is otherwise unchanged
        assert got.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY
        (part,) = list(got.iter_attachments())
        assert part.get_filename() == "programme.pdf" and part.get_content() == ATTACHMENT

    def test_every_envelope_address_receives_it(self, mail):
        mail.send(compose("ev.envelope"), MEMBERS)
        got = self.recipients(mail, self.sent_as(mail, "ev.envelope"))
        if got is not None:
            assert set(MEMBERS) <= {a.lower() for a in got}

    def test_no_recipient_is_a_delivery_error(self, mail):
        with pytest.raises(DeliveryError):
            mail.send(compose("ev.nobody"), [])
        assert self.delivered(mail) == []

    def test_a_sent_message_is_found_with_the_id_send_returned(self, mail):
        msg = compose("ev.found")
        provider_id = mail.send(msg, MEMBERS)
        if mail.can_find_sent:
            assert mail.find_sent(str(msg["Message-ID"])) == provider_id
        else:
            try:
                found = mail.find_sent(str(msg["Message-ID"]))
            except LookupUnavailable:
                return
            assert found == provider_id  # never None: that would mean "not sent, send it again"

    def test_a_message_never_sent_is_not_found_or_the_port_says_it_cannot_tell(self, mail):
        mail.send(compose("ev.other"), MEMBERS)
        never = message_id("ev.never", GROUP, "gmail.com")
        if mail.can_find_sent:
            assert mail.find_sent(never) is None
        else:
            with pytest.raises(LookupUnavailable):
                mail.find_sent(never)


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class TestMaildirMail(MailPortContract):
    """The local outbox: every message is a file in ``outbox/new``."""

    @pytest.fixture
    def mail(self, tmp_path: Path) -> MaildirMail:
        return MaildirMail(tmp_path / "outbox")

    def delivered(self, mail: MaildirMail) -> list[EmailMessage]:
        return [_parse(p.read_bytes()) for p in sorted((mail.path / "new").iterdir())]

    def recipients(self, mail: MaildirMail, msg: EmailMessage) -> set[str] | None:
        return None  # an outbox: the envelope goes to the SMTP server, not into the file

    def test_can_find_sent(self, mail):
        assert mail.can_find_sent


class TestSmtpMail(MailPortContract):
    """A real SMTP server (aiosmtpd on 127.0.0.1), with the Maildir copy of what it accepted."""

    @pytest.fixture
    def mail(self, tmp_path: Path, smtp_sink) -> SmtpMail:
        self.sink, port = smtp_sink  # pytest binds a class's fixtures to the test's own instance
        return SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox", timeout=5)

    def delivered(self, mail: SmtpMail) -> list[EmailMessage]:
        return [_parse(data) for _, data in self.sink.messages]

    def recipients(self, mail: SmtpMail, msg: EmailMessage) -> set[str] | None:
        (rcpts,) = [r for r, data in self.sink.messages if _parse(data)["Message-ID"] == msg["Message-ID"]]
        return set(rcpts)

    def test_the_server_gets_exactly_the_envelope(self, mail):
        mail.send(compose("ev.exact"), MEMBERS)
        assert self.recipients(mail, self.sent_as(mail, "ev.exact")) == set(MEMBERS)

    def test_cannot_always_find_sent(self, mail):
        assert not mail.can_find_sent


class TestGmailMail(MailPortContract):
    """Gmail through the fake Google, signed in with ``gmail.compose``: messages go through drafts, so whether
    one went out can always be told."""

    scopes = COMPOSE

    @pytest.fixture
    def mail(self, fake) -> GmailMail:
        self.fake = fake
        return GmailMail(connect(fake, self.scopes))

    def delivered(self, mail: GmailMail) -> list[EmailMessage]:
        return list(self.fake.gmail.sent())

    def recipients(self, mail: GmailMail, msg: EmailMessage) -> set[str] | None:
        # Gmail delivers to the headers: the adapter puts the envelope in Bcc
        return {a for _, a in email.utils.getaddresses([str(v) for h in ("To", "Cc", "Bcc")
                                                        for v in (msg.get_all(h) or [])])}

    def test_can_find_sent(self, mail):
        assert mail.can_find_sent


class TestGmailMailMessageIdReplaced(TestGmailMail):
    """As Gmail is reported to behave: every sent message gets Gmail's own Message-ID (the fake's pessimistic
    mode).  The contract still holds; what went out is matched by the id Gmail replaced, which the fake
    keeps for the tests only."""

    @pytest.fixture
    def fake(self, clock):
        with FakeGoogle(clock=clock, user_email="club@gmail.com", pessimistic=True) as server:
            yield server
            assert not server.internal_errors, "\n".join(server.internal_errors)

    def delivered(self, mail: GmailMail) -> list[EmailMessage]:
        out = []
        for record, msg in zip(self.fake.gmail.messages(), self.fake.gmail.sent()):
            assert msg["Message-ID"].strip("<>") != record["_original_message_id"]
            msg.replace_header("Message-ID", f"<{record['_original_message_id']}>")
            out.append(msg)
        return out


class TestGmailMailReadScope(TestGmailMail):
    """An older sign-in, ``gmail.send`` + ``gmail.readonly``: messages.send; a message is found by
    ``rfc822msgid:`` when Gmail kept the header, and "not found" is never taken for "not sent"."""

    scopes = READ_MAIL

    def test_can_find_sent(self, mail):
        assert not mail.can_find_sent


class TestGmailMailSendOnly(TestGmailMail):
    """An older sign-in, ``gmail.send`` alone: nothing can be looked up, and the port says so."""

    scopes = SEND_ONLY

    def test_can_find_sent(self, mail):
        assert not mail.can_find_sent
