"""Drive v3: files.create (metadata, simple/multipart/resumable media), files.get (also
``alt=media``), files.list (a small ``q`` subset), files.delete, permissions.create/list/delete.

Drive is also the registry of Google files: a spreadsheet made by Sheets (or by
``files.create`` with the Sheets MIME type, as gspread does) and a form made by Forms
are files here too, so ``files.list`` finds them and ``permissions.create`` shares them.

Rules enforced (Drive v3 reference):
* parents must exist and be folders (404 ``File not found: <id>.``); at most one parent;
* permissions: ``role`` and ``type`` required (discovery annotations); ``emailAddress``
  for user/group, ``domain`` for domain, neither for anyone; ``role=owner`` needs
  ``transferOwnership=true``;
* default response fields as Drive's: ``kind,id,name,mimeType`` unless ``fields`` says otherwise;
* files.update: metadata (name, description, properties/appProperties merged key by key, a
  null value removing a key, as Drive documents) and/or new media content; same id and link.

Pessimistic mode ``sharing_needs_account=True``: a ``user`` permission with
``sendNotificationEmail=false`` for an address without a Google account is refused with 400
``invalidSharingRequest`` ("… Since there is no Google account associated with this email
address, you must check the "Notify people" box to invite this recipient.", quoted in GAM's
wiki Users-Drive-Permissions; handled in https://github.com/gather-community/gather/pull/1049).
Addresses with an account: gmail.com/googlemail.com ones, the fake's own user, and those added
to ``google_accounts``.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, page_offset

if TYPE_CHECKING:
    from .server import Call, FakeGoogle

FOLDER = "application/vnd.google-apps.folder"
SPREADSHEET = "application/vnd.google-apps.spreadsheet"
FORM = "application/vnd.google-apps.form"
FILE_DEFAULT_FIELDS = "kind,id,name,mimeType"
LIST_DEFAULT_FIELDS = "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"
PERMISSION_DEFAULT_FIELDS = "kind,id,type,role,view"
ROLES = {"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
TYPES = {"user", "group", "domain", "anyone"}


def _not_found(file_id: str) -> ApiError:
    return ApiError(404, f"File not found: {file_id}.", reason="notFound", location="fileId")


class DriveBackend:
    def __init__(self, fake: "FakeGoogle", sharing_needs_account: bool = False) -> None:
        self.fake = fake
        self.sharing_needs_account = sharing_needs_account
        self.google_accounts: set[str] = set()
        self.notified: list[tuple[str, str]] = []  # (file id, address) Google sent a sharing e-mail to
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.permissions: dict[str, list[dict[str, Any]]] = {}

    def handlers(self) -> dict[str, Any]:
        return {
            "drive.files.create": self.create,
            "drive.files.get": self.get,
            "drive.files.list": self.list,
            "drive.files.delete": self.delete,
            "drive.files.update": self.update,
            "drive.permissions.create": self.create_permission,
            "drive.permissions.list": self.list_permissions,
            "drive.permissions.delete": self.delete_permission,
        }

    # -- test-side helpers ----------------------------------------------------------------

    def add_file(self, name: str, mime_type: str, *, parents: list[str] | None = None,
                 file_id: str | None = None, content: bytes | None = None) -> dict[str, Any]:
        """Register a file (used by Forms/Sheets and by tests); returns its record."""
        now = self.fake.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        file_id = file_id or self.fake.new_id(33)
        if mime_type == SPREADSHEET:
            link = f"https://docs.google.com/spreadsheets/d/{file_id}/edit?usp=drivesdk"
        elif mime_type == FORM:
            link = f"https://docs.google.com/forms/d/{file_id}/edit?usp=drivesdk"
        elif mime_type == FOLDER:
            link = f"https://drive.google.com/drive/folders/{file_id}"
        else:
            link = f"https://drive.google.com/file/d/{file_id}/view?usp=drivesdk"
        record = {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "parents": list(parents or ["root"]),
            "createdTime": now,
            "modifiedTime": now,
            "trashed": False,
            "webViewLink": link,
            "ownedByMe": True,
        }
        if content is not None:
            self.contents[file_id] = content
            record["size"] = str(len(content))
            record["webContentLink"] = f"https://drive.google.com/uc?id={file_id}&export=download"
        self.files[file_id] = record
        self.permissions[file_id] = [
            {"kind": "drive#permission", "id": "owner", "type": "user", "role": "owner",
             "emailAddress": self.fake.gmail.user_email}
        ]
        return record

    def add_folder(self, name: str, *, parents: list[str] | None = None) -> str:
        return self.add_file(name, FOLDER, parents=parents)["id"]

    def content(self, file_id: str) -> bytes:
        return self.contents[file_id]

    def find(self, name: str) -> list[dict[str, Any]]:
        return [f for f in self.files.values() if f["name"] == name]

    # -- files ------------------------------------------------------------------------------

    def _file(self, file_id: str) -> dict[str, Any]:
        record = self.files.get(file_id)
        if record is None:
            raise _not_found(file_id)
        return record

    def create(self, call: "Call") -> Any:
        meta = call.body or {}
        parents = meta.get("parents") or ["root"]
        if len(parents) > 1:
            raise ApiError(403, "Increasing the number of parents is not allowed.", reason="cannotAddParent")
        for parent in parents:
            if parent != "root" and (parent not in self.files or self.files[parent]["mimeType"] != FOLDER):
                raise _not_found(parent)
        media = call.media
        mime = meta.get("mimeType") or (media.content_type if media else "application/octet-stream")
        name = meta.get("name") or ("Untitled" if media is None else "Untitled")
        if mime == SPREADSHEET:
            record = self.fake.sheets.create_spreadsheet(meta.get("name") or "Untitled spreadsheet", parents=parents)
            record = self.files[record["spreadsheetId"]]
        elif mime == FORM:
            form = self.fake.forms.create_form(meta.get("name") or "Untitled form", parents=parents)
            record = self.files[form["formId"]]
        else:
            record = self.add_file(name, mime, parents=parents, content=media.data if media else None)
        for key in ("description", "properties", "appProperties"):
            if key in meta:
                record[key] = meta[key]
        return call.project(record, FILE_DEFAULT_FIELDS)

    def update(self, call: "Call") -> Any:
        record = self._file(call.arg("fileId"))
        meta = call.body or {}
        for key in ("name", "description"):
            if key in meta:
                record[key] = meta[key]
        for key in ("properties", "appProperties"):
            if key in meta:
                merged = dict(record.get(key) or {})
                for k, v in (meta[key] or {}).items():
                    if v is None:
                        merged.pop(k, None)
                    else:
                        merged[k] = v
                record[key] = merged
        if call.media is not None:
            if record["mimeType"] in (FOLDER, SPREADSHEET, FORM):
                raise bad_request("The file's content cannot be replaced by an upload.")
            self.contents[record["id"]] = call.media.data
            record["size"] = str(len(call.media.data))
        record["modifiedTime"] = self.fake.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return call.project(record, FILE_DEFAULT_FIELDS)

    def has_account(self, address: str) -> bool:
        a = address.lower()
        return (a.rsplit("@", 1)[-1] in ("gmail.com", "googlemail.com") or a == self.fake.gmail.user_email.lower()
                or a in {x.lower() for x in self.google_accounts})

    def get(self, call: "Call") -> Any:
        record = self._file(call.arg("fileId"))
        if call.query.get("alt") == "media":
            from .server import Reply

            if record["id"] not in self.contents:
                raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                               reason="fileNotDownloadable")
            return Reply(200, self.contents[record["id"]], content_type=record["mimeType"])
        return call.project(record, FILE_DEFAULT_FIELDS)

    def delete(self, call: "Call") -> None:
        file_id = call.arg("fileId")
        self._file(file_id)
        self.files.pop(file_id)
        self.contents.pop(file_id, None)
        self.permissions.pop(file_id, None)
        self.fake.sheets.spreadsheets.pop(file_id, None)
        self.fake.forms.records.pop(file_id, None)
        return None

    def list(self, call: "Call") -> Any:
        predicate = parse_query(call.query.get("q") or "")
        files = [f for f in self.files.values() if predicate(f)]
        files.sort(key=lambda f: f["createdTime"])
        size = call.query.get("pageSize") or 100
        if not 1 <= size <= 1000:
            raise ApiError(400, f"Invalid value '{size}'. Values must be within the range: [1, 1000]",
                           reason="invalid", location="pageSize")
        start = page_offset(call.query.get("pageToken"))
        page = files[start:start + size]
        out: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False, "files": page}
        if start + size < len(files):
            out["nextPageToken"] = str(start + size)
        return call.project(out, LIST_DEFAULT_FIELDS)

    # -- permissions ------------------------------------------------------------------------

    def create_permission(self, call: "Call") -> Any:
        file_id = call.arg("fileId")
        self._file(file_id)
        body = dict(call.body or {})
        role, kind = body.get("role"), body.get("type")
        if role not in ROLES:
            raise bad_request(f"The provided value for 'role' is not valid: {role!r}.")
        if kind not in TYPES:
            raise bad_request(f"The provided value for 'type' is not valid: {kind!r}.")
        if kind in ("user", "group") and not body.get("emailAddress"):
            raise bad_request("The permission value field is required: emailAddress.", reason="required")
        if kind == "domain" and not body.get("domain"):
            raise bad_request("The permission value field is required: domain.", reason="required")
        if kind == "anyone" and (body.get("emailAddress") or body.get("domain")):
            raise bad_request("An 'anyone' permission takes neither emailAddress nor domain.")
        if role == "owner" and not call.query.get("transferOwnership"):
            raise ApiError(403, "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
                           reason="forbidden")
        view = body.get("view")
        if view is not None:  # "'published' is the only supported value" (Drive v3 Permission.view)
            if view != "published":
                raise bad_request(f"The provided value for 'view' is not valid: {view!r}.")
            if self.files[file_id]["mimeType"] != FORM:
                raise bad_request("The 'published' view is only supported for Google Forms.",
                                  reason="invalidSharingRequest")
        notify = call.query.get("sendNotificationEmail")
        if kind in ("user", "group"):
            notify = True if notify is None else notify  # "defaults to true for users and groups"
            if self.sharing_needs_account and not notify and not self.has_account(body["emailAddress"]):
                raise bad_request(
                    f"Bad Request. User message: \"You are trying to invite {body['emailAddress']}. Since there is "
                    "no Google account associated with this email address, you must check the \"Notify people\" "
                    "box to invite this recipient.\"", reason="invalidSharingRequest")
            if notify:
                self.notified.append((file_id, body["emailAddress"]))
        elif notify is not None and self.sharing_needs_account:
            raise bad_request("sendNotificationEmail is only allowed for users and groups.",
                              reason="invalidSharingRequest")
        if kind == "anyone":
            perm_id = "anyoneWithLink" + ("Published" if view else "")
        else:
            perm_id = "".join(self.fake.random.choice("0123456789") for _ in range(20))
        permission = {"kind": "drive#permission", "id": perm_id, **body}
        perms = self.permissions.setdefault(file_id, [])
        perms[:] = [p for p in perms if p["id"] != perm_id] + [permission]
        return call.project(permission, PERMISSION_DEFAULT_FIELDS)

    def list_permissions(self, call: "Call") -> Any:
        self._file(call.arg("fileId"))
        out = {"kind": "drive#permissionList", "permissions": self.permissions.get(call.arg("fileId"), [])}
        return call.project(out, "kind,nextPageToken,permissions(kind,id,type,role,view)")

    def delete_permission(self, call: "Call") -> None:
        file_id = call.arg("fileId")
        self._file(file_id)
        perms = self.permissions.get(file_id, [])
        kept = [p for p in perms if p["id"] != call.arg("permissionId")]
        if len(kept) == len(perms):
            raise ApiError(404, f"Permission not found: {call.arg('permissionId')}.", reason="notFound")
        self.permissions[file_id] = kept
        return None


# -- the q language (subset) ---------------------------------------------------------------

_STRING = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
_TERMS = [
    (re.compile(rf"^(name|mimeType)\s*(=|!=)\s*{_STRING}$"), "eq"),
    (re.compile(rf"^(name|fullText)\s+contains\s+{_STRING}$"), "contains"),
    (re.compile(rf"^{_STRING}\s+in\s+parents$"), "in_parents"),
    (re.compile(rf"^parents\s+in\s+{_STRING}$"), "parents_in"),
    (re.compile(r"^trashed\s*(=|!=)\s*(true|false)$"), "trashed"),
]


def _unescape(groups: tuple) -> str:
    text = next(g for g in groups if g is not None)
    return re.sub(r"\\(.)", r"\1", text)


def _split_and(q: str) -> list[str]:
    terms, buf, quote = [], "", None
    i = 0
    while i < len(q):
        ch = q[i]
        if quote:
            buf += ch
            if ch == "\\" and i + 1 < len(q):
                buf += q[i + 1]
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            buf += ch
        elif q[i:i + 5].lower() == " and ":
            terms.append(buf.strip())
            buf = ""
            i += 4
        else:
            buf += ch
        i += 1
    if buf.strip():
        terms.append(buf.strip())
    return terms


def parse_query(q: str):
    """Compile a Drive ``q`` (terms joined by ``and``) into a predicate over file records."""
    checks = []
    for term in _split_and(q):
        for regex, kind in _TERMS:
            m = regex.match(term)
            if m:
                checks.append(_term(kind, m))
                break
        else:
            raise ApiError(400, f"Invalid Value (fake_google supports name/mimeType =, !=, contains; "
                                f"'id' in parents; trashed; joined by 'and'): {term!r}",
                           reason="invalid", location="q")
    return lambda f: all(check(f) for check in checks)


def _term(kind: str, m: re.Match):
    if kind == "eq":
        field, op, value = m.group(1), m.group(2), _unescape(m.groups()[2:])
        return (lambda f: f.get(field) == value) if op == "=" else (lambda f: f.get(field) != value)
    if kind == "contains":
        value = _unescape(m.groups()[1:]).lower()
        return lambda f: value in f.get("name", "").lower()
    if kind in ("in_parents", "parents_in"):
        value = _unescape(m.groups())
        return lambda f: value in f.get("parents", [])
    want = m.group(2) == "true"
    return (lambda f: f["trashed"] == want) if m.group(1) == "=" else (lambda f: f["trashed"] != want)
