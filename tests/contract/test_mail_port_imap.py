"""The mail port's contract for SMTP with the organisation's Sent folder over IMAP (issue 12).

The same shared tests as tests/contract/test_mail_port.py, on aiosmtpd filing what it accepts in the Sent
folder of tests/fake_imap.py (spoken to by the real ``imaplib``): here ``can_find_sent`` is True, so a
message never sent must be answered None by ``find_sent``.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from automation.workspace.local import ImapSentFolder, SmtpMail
from contract.test_mail_port import MEMBERS, MailPortContract, _parse, compose


class TestSmtpMailWithSentFolder(MailPortContract):
    """SMTP + the Sent folder over IMAP."""

    @pytest.fixture
    def mail(self, tmp_path: Path, filing_smtp) -> SmtpMail:
        self.handler, port, self.imap = filing_smtp
        folder = ImapSentFolder("127.0.0.1", self.imap.port, "club@example.org", "secret", security="none",
                                timeout=5)
        return SmtpMail("127.0.0.1", port, security="none", copy_dir=tmp_path / "outbox", timeout=5,
                        sent_folder=folder)

    def delivered(self, mail: SmtpMail) -> list[EmailMessage]:
        return [_parse(data) for _, data in self.handler.messages]

    def recipients(self, mail: SmtpMail, msg: EmailMessage) -> set[str] | None:
        (rcpts,) = [r for r, data in self.handler.messages if _parse(data)["Message-ID"] == msg["Message-ID"]]
        return set(rcpts)

    def test_can_find_sent(self, mail):
        assert mail.can_find_sent

    def test_a_message_missing_from_the_copy_is_found_in_the_sent_folder(self, mail, tmp_path):
        mail.send(compose("ev.sent"), MEMBERS)
        fresh = SmtpMail(mail.host, mail.port, security="none", copy_dir=tmp_path / "other", timeout=5,
                         sent_folder=mail.sent_folder)  # no copy: only the Sent folder knows
        mid = str(compose("ev.sent")["Message-ID"])
        assert fresh.find_sent(mid) == mid
        assert fresh.find_sent(str(compose("ev.never")["Message-ID"])) is None
