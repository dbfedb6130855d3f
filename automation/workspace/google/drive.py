"""Google Drive: publish the charts and the mentor's report and share them by link.

Needs only the ``drive.file`` scope (the app sees just the files it made).
:meth:`GoogleDrive.publish` uploads a file (one multipart ``files.create`` into
``folder_id`` if given — required for a service account, which owns no Drive
storage: use a folder in a Shared Drive) and shares it (one
``permissions.create``): with the mentor's address as reader when
``share_with`` is set (no notification e-mail: the report mail carries the
link), else with anyone who has the link.  Publishing the same content again
costs nothing (the link is remembered by content hash); new content is a new
file and the old one is deleted.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from automation.errors import BackendError
from automation.workspace.google.api import Connection
from automation.workspace.google.memo import Memo


class GoogleDrive:
    """FilesPort on Google Drive.  Calls: 2 per new or changed file (+1 delete of the old one), 0 otherwise."""

    def __init__(self, connection: Connection, memo: Memo | None = None, folder_id: str | None = None,
                 share_with: str | None = None):
        self.conn = connection
        self.memo = memo or Memo()
        self.folder_id = folder_id
        self.share_with = share_with

    @property
    def _files(self) -> Any:
        return self.conn.service("drive").files()

    def publish(self, path: Path) -> str:
        """Upload ``path`` and share it; return its web link.  Raises BackendError."""
        from googleapiclient.http import MediaFileUpload

        path = Path(path)
        if not path.is_file():
            raise BackendError(f"{path}: no such file to publish")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        # keyed by the file's full path: two events' "slides.pdf" are different files with different links
        where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        key = f"drive.{self.folder_id or 'root'}.{where}.{path.name}"
        known = self.memo.get(key)
        if known and known["sha256"] == digest and known.get("shared_with") == self.share_with:
            return str(known["link"])
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        meta: dict[str, Any] = {"name": path.name}
        if self.folder_id:
            meta["parents"] = [self.folder_id]
        retry = self.conn.retry
        created = retry.call(
            self._files.create(body=meta, media_body=MediaFileUpload(str(path), mimetype=mime, resumable=False),
                               fields="id,webViewLink", supportsAllDrives=True),
            f"upload {path.name}", "drive")
        if self.share_with:
            permission = {"type": "user", "role": "reader", "emailAddress": self.share_with}
            extra = {"sendNotificationEmail": False}
        else:
            permission = {"type": "anyone", "role": "reader"}
            extra = {}
        retry.call(self.conn.service("drive").permissions().create(
            fileId=created["id"], body=permission, supportsAllDrives=True, **extra), f"share {path.name}", "drive")
        link = created.get("webViewLink") or f"https://drive.google.com/file/d/{created['id']}/view"
        if known and known.get("id") != created["id"]:
            try:
                retry.call(self._files.delete(fileId=known["id"], supportsAllDrives=True),
                              f"delete the previous {path.name}", "drive")
            except BackendError:
                pass  # an old copy left in Drive does no harm
        self.memo.set(key, {"id": created["id"], "sha256": digest, "link": link, "shared_with": self.share_with})
        return link
