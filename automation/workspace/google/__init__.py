"""The Google backend: Forms, Sheets (gspread), Gmail, Groups (Directory API or the roster) and Drive.

Same ports as ``workspace/local``; the adapters translate between the model and
Google's JSON and hold no business rules.  Design notes, call budgets and the
admin's guide to credentials: docs/GOOGLE.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.workspace.google.api import Connection, GoogleAuthError, RetryPolicy
from automation.workspace.google.auth import CredentialsError, load_credentials, required_scopes
from automation.workspace.google.drive import GoogleDrive
from automation.workspace.google.form_requests import build_form_requests
from automation.workspace.google.forms import GoogleForms
from automation.workspace.google.gmail import GmailMail
from automation.workspace.google.groups import DirectoryGroup, RosterListGroup
from automation.workspace.google.memo import Memo
from automation.workspace.google.sheets import BoundedBackOffHTTPClient, GoogleSheets
from automation.workspace.ports import Backend

__all__ = [
    "BoundedBackOffHTTPClient", "Connection", "CredentialsError", "DirectoryGroup", "GmailMail", "GoogleAuthError",
    "GoogleBackend", "GoogleDrive", "GoogleForms", "GoogleSheets", "Memo", "RetryPolicy", "RosterListGroup",
    "build_form_requests", "load_credentials", "required_scopes",
]

#: Settings under ``google:`` in club.yaml.
OPTIONS = {"token", "groups", "folder_id", "read_mail", "delegated_user", "spreadsheet", "share_with", "responders"}


def consumer_address(address: str) -> bool:
    """A gmail.com / googlemail.com address: a consumer account, for which no groups API exists."""
    return address.lower().rsplit("@", 1)[-1] in ("gmail.com", "googlemail.com")


@dataclass
class GoogleBackend:
    """All Google ports together (a :class:`~automation.workspace.ports.Backend`, like LocalBackend).

    Responses live in Google Forms and are fetched into the store
    (``responses_need_sync``); the group is real (``has_real_group``) only on
    Workspace, through the Directory API; on a gmail.com account the roster is
    the list.
    """

    forms: GoogleForms
    sheets: GoogleSheets
    mail: GmailMail
    group: DirectoryGroup | RosterListGroup
    files: GoogleDrive
    name: str = "google"

    @property
    def has_real_group(self) -> bool:
        """True with a Google Group managed through the Directory API; False when the roster is the list."""
        return isinstance(self.group, DirectoryGroup)

    @property
    def responses_need_sync(self) -> bool:
        """True: responses are in Google Forms until a sync fetches them."""
        return True

    @property
    def can_find_sent(self) -> bool:
        """True when mail goes through Gmail drafts (``gmail.compose``): whether a message went out can always be
        told; False for an older ``gmail.send`` sign-in (see :mod:`automation.workspace.google.gmail`)."""
        return self.mail.can_find_sent

    @classmethod
    def connect(cls, connection: Connection, store: Any, group_address: str, *, groups: str = "directory",
                spreadsheet_title: str = "Club responses", folder_id: str | None = None,
                share_with: str | None = None, can_read_mail: bool | None = None,
                responders: str = "anyone") -> "GoogleBackend":
        """Every adapter on one connection.  ``groups``: ``directory`` (Workspace) or ``roster`` (gmail.com)."""
        memo = Memo(store)
        group: DirectoryGroup | RosterListGroup
        if groups == "directory":
            group = DirectoryGroup(connection, group_address)
        else:
            group = RosterListGroup(store, group_address)
        return cls(forms=GoogleForms(connection, memo, responders=responders),
                   sheets=GoogleSheets(connection, memo, spreadsheet_title, folder_id=folder_id, share_with=share_with),
                   mail=GmailMail(connection, can_read=can_read_mail, memo=memo), group=group,
                   files=GoogleDrive(connection, memo, folder_id=folder_id, share_with=share_with))

    @classmethod
    def create(cls, store: Any, credentials_path: Path, group_address: str, *, options: dict[str, Any] | None = None,
               spreadsheet_title: str = "Club responses", mentor_email: str | None = None) -> "GoogleBackend":
        """Load the credentials (no browser) and connect.  Raises CredentialsError with what to do.

        ``options`` are the ``google:`` settings of club.yaml: ``token`` (path of the
        saved sign-in, default token.json next to the credentials), ``groups``
        (directory | roster; default roster for a gmail.com group address,
        directory otherwise), ``folder_id`` (Drive folder for the spreadsheet and
        files; required for a service account without delegation), ``read_mail``
        (ask for gmail.readonly), ``delegated_user``, ``spreadsheet`` (title),
        ``share_with`` (who gets the report link; default the mentor), ``responders`` (who may answer
        the forms: ``anyone`` with the link, the default, or a domain name such as ``amuca.kg``).
        """
        opts = dict(options or {})
        unknown = sorted(set(opts) - OPTIONS)
        if unknown:
            raise CredentialsError(f"google: unknown setting(s) {', '.join(unknown)} "
                                   f"(allowed: {', '.join(sorted(OPTIONS))})")
        groups = opts.get("groups") or ("roster" if consumer_address(group_address) else "directory")
        if groups not in ("directory", "roster"):
            raise CredentialsError(f"google.groups: expected directory or roster, found {groups!r}")
        scopes = required_scopes(groups=groups == "directory", read_mail=bool(opts.get("read_mail")))
        loaded = load_credentials(credentials_path, scopes, token_path=opts.get("token"),
                                  delegated_user=opts.get("delegated_user"))
        return cls.connect(Connection(loaded.credentials), store, group_address, groups=groups,
                           spreadsheet_title=opts.get("spreadsheet") or spreadsheet_title,
                           folder_id=opts.get("folder_id"), share_with=opts.get("share_with") or mentor_email,
                           responders=_responders(opts.get("responders")))


def _responders(value: Any) -> str:
    """``google.responders`` checked: ``anyone`` (default) or a domain name.  Raises CredentialsError."""
    from automation.errors import BackendError
    from automation.workspace.google.forms import responder_permission

    text = str(value or "anyone").strip()
    try:
        responder_permission(text)
    except BackendError as e:
        raise CredentialsError(str(e)) from None
    return text


if TYPE_CHECKING:  # mypy checks here that GoogleBackend has every member of the Backend protocol
    _is_a_backend: type[Backend] = GoogleBackend
