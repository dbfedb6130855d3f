"""Sharing a Drive file (the season's spreadsheet, the report) with one address, and remembering whether it worked.

``permissions.create`` with ``sendNotificationEmail=false`` is refused when the address has no
Google account: 400 ``invalidSharingRequest``, "You are trying to invite … Since there is no
Google account associated with this email address, you must check the "Notify people" box to
invite this recipient." (quoted in GAM's wiki, Users-Drive-Permissions, 2025; handled the same
way in https://github.com/gather-community/gather/pull/1049, 2024).  A mentor with a work address
outside Google is exactly that case, so :func:`share` first tries without a notification (the
club's own mail carries the link) and, when refused for that reason, shares again with Google's
notification e-mail (``sendNotificationEmail`` "defaults to true for users and groups",
https://developers.google.com/drive/api/reference/rest/v3/permissions/create).

The outcome is a :class:`ShareState` the adapter keeps in the store (its memo), so a share that
failed is tried again on a later run instead of being forgotten.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from automation.errors import BackendError
from automation.workspace.google.api import Connection, error_details, lost_connection, translate

#: What Google says when the address has no Google account and no notification was asked for.
NO_ACCOUNT_HINTS = ("invalidSharingRequest", "no google account", "notify people")

#: A short line in Google's notification e-mail, Kyrgyz first.
NOTE = "Клубдун материалдары / Материалы клуба"


@dataclass(frozen=True)
class ShareState:
    """Whether ``file_id`` is shared with ``email``: ``state`` done | failed; ``notified``: Google mailed her;
    ``error``: why it failed (empty when done)."""

    file_id: str
    email: str
    state: str
    notified: bool = False
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        """The state as JSON for the memo."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> "ShareState | None":
        """The state read back from the memo (None when nothing usable is there)."""
        if not isinstance(data, dict) or not data.get("file_id"):
            return None
        return cls(str(data["file_id"]), str(data.get("email", "")), str(data.get("state", "failed")),
                   bool(data.get("notified")), str(data.get("error", "")))


def no_account(reason: str, message: str) -> bool:
    """True when Google refused a share because the address has no Google account."""
    text = f"{reason} {message}".lower()
    return any(h.lower() in text for h in NO_ACCOUNT_HINTS)


def share(conn: Connection, file_id: str, email: str, role: str = "reader") -> ShareState:
    """Give ``email`` the ``role`` on ``file_id``: 1 ``permissions.create``, 2 when the address has no Google
    account.  Never raises for Google's refusals or outages: they come back as a ``failed`` state whose
    ``error`` says what to do; a revoked sign-in still raises (GoogleAuthError)."""
    body = {"type": "user", "role": role, "emailAddress": email}
    try:
        _create(conn, file_id, body, notify=False)
        return ShareState(file_id, email, "done")
    except _Refused as r:
        if not no_account(r.reason, r.message):
            return ShareState(file_id, email, "failed", error=r.text)
    try:
        _create(conn, file_id, body, notify=True)
        return ShareState(file_id, email, "done", notified=True)
    except _Refused as r:
        return ShareState(file_id, email, "failed", error=r.text)


def _create(conn: Connection, file_id: str, body: dict[str, Any], notify: bool) -> None:
    from googleapiclient.errors import HttpError

    extra: dict[str, Any] = {"sendNotificationEmail": notify}
    if notify:
        extra["emailMessage"] = NOTE
    request = conn.service("drive").permissions().create(fileId=file_id, body=body, supportsAllDrives=True,
                                                          fields="id", **extra)
    request._sleep = conn.retry.sleep
    what = f"share the file with {body['emailAddress']}"
    try:
        request.execute(num_retries=conn.retry.num_retries)
    except HttpError as e:
        status, reason, message = error_details(e)
        if status == 401:
            raise translate(e, what, "drive") from None
        raise _Refused(reason, message, str(translate(e, what, "drive"))) from None
    except Exception as e:
        if lost_connection(e, what):
            raise _Refused("", str(e), f"could not reach Google Drive to {what} ({e})") from None
        raise


class _Refused(BackendError):
    """Drive refused or could not make a permission (internal: :func:`share` turns it into a failed state)."""

    def __init__(self, reason: str, message: str, text: str):
        super().__init__(text)
        self.reason, self.message, self.text = reason, message, text


def not_shared_error(state: ShareState, what: str, where: str) -> BackendError:
    """The error a job reports when ``what`` (at ``where``) is in place but not yet shared: nothing is lost,
    the next run tries again."""
    return BackendError(f"{what} is at {where}, but sharing it with {state.email} failed ({state.error}). "
                        "Nothing is lost: the next run tries to share it again. Check the address in club.yaml "
                        "(google: share_with, or the plan's mentor_email).")
