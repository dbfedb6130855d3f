"""The local backend: SQLite forms and responses, .xlsx workbooks, Maildir/SMTP mail, roster as group."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automation.store import Store
from automation.workspace.local.files import LocalFiles
from automation.workspace.local.forms import LocalForms
from automation.workspace.local.groups import RosterGroup
from automation.workspace.local.mail import MaildirMail, SmtpMail
from automation.workspace.local.sheets import XlsxSheets

__all__ = ["LocalBackend", "LocalFiles", "LocalForms", "MaildirMail", "RosterGroup", "SmtpMail", "XlsxSheets"]


@dataclass
class LocalBackend:
    """All local ports together.  ``out`` holds ``outbox/`` (Maildir) and ``sheets/``."""

    forms: LocalForms
    sheets: XlsxSheets
    mail: MaildirMail | SmtpMail
    group: RosterGroup
    files: LocalFiles
    name: str = "local"

    @classmethod
    def create(cls, store: Store, out: Path, group_address: str, form_base_url: str,
               smtp: dict | None = None, sheets_dir: Path | None = None) -> "LocalBackend":
        out = Path(out)
        outbox = out / "outbox"
        mail = SmtpMail(copy_dir=outbox, **smtp) if smtp else MaildirMail(outbox)
        return cls(forms=LocalForms(store, form_base_url), sheets=XlsxSheets(sheets_dir or out / "sheets"),
                   mail=mail, group=RosterGroup(store, group_address), files=LocalFiles(out))
