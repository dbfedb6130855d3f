"""Google Drive: publish the charts and the mentor's report and share them.

Needs only the ``drive.file`` scope (the app sees just the files it made).
:meth:`GoogleDrive.publish` uploads a file the first time (one multipart ``files.create`` into
``folder_id`` if given — required for a service account, which owns no Drive storage: use a
folder in a Shared Drive) and shares it: with the mentor's address as reader when
``share_with`` is set (:func:`automation.workspace.google.sharing.share`: without Google's
notification e-mail, or with it when the address has no Google account), else with anyone
who has the link.  New content of the same file replaces the content of the **same** Drive file
(``files.update`` with media), so the link stays and no copies pile up in Drive.  Publishing the
same content again costs nothing.  Whether the share worked is remembered; a failed share is
tried again at the next publish.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from automation.errors import BackendError
from automation.workspace.google.api import Connection, error_details, translate
from automation.workspace.google.memo import Memo
from automation.workspace.google.sharing import ShareState, not_shared_error, share


class GoogleDrive:
    """FilesPort on Google Drive.  Calls: 2 for a new file (``files.create`` + ``permissions.create``),
    1 ``files.update`` for new content of a published file, 0 for unchanged content; +1 or 2
    ``permissions.create`` while a share has not worked."""

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
        """Upload ``path`` (or replace the content of its earlier upload) and share it; return its web link.

        Raises BackendError; when only the share failed the message says so (the file is in Drive and
        the next publish shares it again)."""
        from googleapiclient.errors import HttpError
        from googleapiclient.http import MediaFileUpload

        path = Path(path)
        if not path.is_file():
            raise BackendError(f"{path}: no such file to publish")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        # keyed by the file's full path: two events' "slides.pdf" are different files with different links
        where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        key = f"drive.{self.folder_id or 'root'}.{where}.{path.name}"
        known = self.memo.get(key) or {}
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        retry = self.conn.retry
        record = dict(known)
        if known.get("sha256") != digest:
            created = None
            if known.get("id"):
                request = self._files.update(fileId=known["id"], media_body=MediaFileUpload(
                    str(path), mimetype=mime, resumable=False), fields="id,webViewLink", supportsAllDrives=True)
                request._sleep = retry.sleep
                try:
                    created = request.execute(num_retries=retry.num_retries)
                except HttpError as e:
                    if error_details(e)[0] != 404:  # 404: deleted by hand: upload it anew below
                        raise translate(e, f"upload the new {path.name}", "drive") from None
                    record = {}
            if created is None:
                meta: dict[str, Any] = {"name": path.name}
                if self.folder_id:
                    meta["parents"] = [self.folder_id]
                created = retry.call(
                    self._files.create(body=meta, media_body=MediaFileUpload(str(path), mimetype=mime, resumable=False),
                                       fields="id,webViewLink", supportsAllDrives=True),
                    f"upload {path.name}", "drive")
            link = created.get("webViewLink") or f"https://drive.google.com/file/d/{created['id']}/view"
            record.update(id=created["id"], link=link, sha256=digest)
            self.memo.set(key, record)  # uploaded: a failure below must not upload it again
        state = self._share(record)
        record["share"] = state.as_json()
        record["shared_with"] = self.share_with if state.state == "done" else record.get("shared_with")
        self.memo.set(key, record)
        if state.state != "done":
            raise not_shared_error(state, path.name, str(record["link"]))
        return str(record["link"])

    def _share(self, record: dict[str, Any]) -> ShareState:
        """Share ``record['id']`` as configured, unless the memo says it is already done."""
        who = self.share_with or "anyone"
        known = ShareState.from_json(record.get("share"))
        if known and known.state == "done" and known.email == who and known.file_id == record["id"]:
            return known
        if self.share_with:
            return share(self.conn, record["id"], self.share_with)
        try:
            self.conn.retry.call(self.conn.service("drive").permissions().create(
                fileId=record["id"], body={"type": "anyone", "role": "reader"}, supportsAllDrives=True),
                f"share {record['id']} with anyone who has the link", "drive")
        except BackendError as e:
            return ShareState(record["id"], who, "failed", error=str(e))
        return ShareState(record["id"], who, "done")
