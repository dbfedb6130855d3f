"""The local backend: SQLite forms and responses, .xlsx workbooks, Maildir/SMTP mail, roster as group."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.store import Store
from automation.workspace.local.files import LocalFiles
from automation.workspace.local.forms import LocalForms
from automation.workspace.local.groups import RosterGroup
from automation.workspace.local.imap import ImapSentFolder
from automation.workspace.local.mail import MaildirMail, SmtpMail
from automation.workspace.local.sheets import XlsxSheets
from automation.workspace.ports import Backend

__all__ = ["ImapSentFolder", "LocalBackend", "LocalFiles", "LocalForms", "MaildirMail", "RosterGroup", "SmtpMail", "XlsxSheets"]


@dataclass
class LocalBackend:
    """All local ports together (a :class:`~automation.workspace.ports.Backend`).

    ``out`` holds ``outbox/`` (Maildir) and ``sheets/``.  The roster is the
    group (``has_real_group`` False) and responses reach the store as they are
    submitted (``responses_need_sync`` False).
    """

    forms: LocalForms
    sheets: XlsxSheets
    mail: MaildirMail | SmtpMail
    group: RosterGroup
    files: LocalFiles
    name: str = "local"

    @property
    def has_real_group(self) -> bool:
        """False: the roster is the list, there is no group to synchronise."""
        return False

    @property
    def responses_need_sync(self) -> bool:
        """False: the web forms write each response to the store when it is submitted."""
        return False

    @property
    def can_find_sent(self) -> bool:
        """True with the Maildir outbox, and over SMTP with the Sent folder over IMAP; False over SMTP alone."""
        return self.mail.can_find_sent

    @classmethod
    def create(cls, store: Store, out: Path, group_address: str, form_base_url: str,
               smtp: dict[str, Any] | None = None, sheets_dir: Path | None = None,
               rng: random.Random | None = None, imap: dict[str, Any] | None = None) -> "LocalBackend":
        """Every local port on ``store`` under the folder ``out``.

        ``smtp``: the keyword arguments of :class:`SmtpMail` (club.yaml's
        ``smtp:``), else mail goes to the Maildir ``out/outbox``; ``imap``:
        those of :class:`ImapSentFolder` (``imap:``), the SMTP account's Sent folder;
        ``sheets_dir``: where the workbooks go (default ``out/sheets``);
        ``rng``: draw the form links' tokens from this generator (a seeded,
        reproducible run such as the demo) instead of ``secrets``.
        """
        out = Path(out)
        outbox = out / "outbox"
        sent = ImapSentFolder(**imap) if smtp and imap else None
        mail = SmtpMail(copy_dir=outbox, sent_folder=sent, **smtp) if smtp else MaildirMail(outbox)
        return cls(forms=LocalForms(store, form_base_url, rng=rng), sheets=XlsxSheets(sheets_dir or out / "sheets"),
                   mail=mail, group=RosterGroup(store, group_address), files=LocalFiles(out))


if TYPE_CHECKING:  # mypy checks here that LocalBackend has every member of the Backend protocol
    _is_a_backend: type[Backend] = LocalBackend
