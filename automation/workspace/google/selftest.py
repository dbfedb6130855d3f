"""``python main.py google selftest``: settle, with the admin's real account, what cannot be settled offline.

Run once by the admin.  It makes a throwaway form, spreadsheet and mail to herself and checks:

* ``ids``: Google accepts the item and question ids the program chooses (``forms.batchUpdate``'s reply
  carries the same ids);
* ``entry``: the pre-filled link's ``entry.<n>`` is the question id in decimal (read from the published
  form's page);
* ``responders``: which ``view: "published"`` permission the published form has after the program set it;
* ``sharing``: what Drive answers to a share without notification with an address that has no Google
  account (``invalidSharingRequest`` expected; no notification is ever sent by this check);
* ``message_id``: whether Gmail kept the Message-ID of the mail sent through a draft (needs a read scope:
  ``gmail.readonly``; otherwise she can look at the mail's "Show original" herself);
* ``sheets``: a RAW ``values.update`` and reading it back.

Then it deletes the form and the spreadsheet (the mail stays in her sent mail and inbox) and writes every
exchange, sanitized (ids, addresses and texts replaced), in the format of ``tests/google_recordings/``.
Each check is ``ok``, ``different`` (Google does not behave as the program assumes: the report says what
that means) or ``unchecked`` (could not be settled; says why).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable

from automation.errors import AutomationError, BackendError
from automation.model import FormSpec, I18n, Question, Section
from automation.workspace.google.api import Connection, error_details
from automation.workspace.google.form_requests import build_form_requests, form_ids
from automation.workspace.google.forms import GoogleForms, responder_permission
from automation.workspace.google.gmail import GmailMail
from automation.workspace.google.memo import Memo

#: An address whose domain has no Google accounts (RFC 2606 reserves example.org): Drive must refuse to share
#: with it without a notification.  Google never sends it anything: the check does not ask for a notification.
NO_ACCOUNT = "selftest-no-google-account@example.org"


@dataclass
class Check:
    """One line of the report: ``status`` ok | different | unchecked, and what it means."""

    name: str
    status: str
    detail: str


@dataclass
class Exchange:
    """One HTTP exchange as sent and answered (before sanitizing)."""

    method: str
    url: str
    body: Any
    status: int
    answer: Any


class Recorder:
    """An httplib2-like object that records every request it passes to ``inner``."""

    def __init__(self, inner: Any, log: list[Exchange]):
        self.inner, self.log = inner, log

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        """``inner.request`` with the exchange appended to the log."""
        resp, content = self.inner.request(uri, method=method, body=body, headers=headers, **kwargs)
        self.log.append(Exchange(method, uri, _decode(body), int(getattr(resp, "status", 0) or 0), _decode(content)))
        return resp, content

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _decode(data: Any) -> Any:
    if data is None:
        return None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(data)} bytes>"
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return data[:2000]
    return str(data)


@dataclass
class SelfTest:
    """The checks, run on ``conn`` (the admin's sign-in) with the mail going to ``to`` (her address)."""

    conn: Connection
    to: str
    responders: str = "anyone"
    fetch_page: Callable[[str], str] | None = None
    log: list[Exchange] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    made: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        inner_factory = self.conn.http_factory
        credentials = self.conn.credentials

        def factory() -> Any:
            if inner_factory is not None:
                return Recorder(inner_factory(), self.log)
            import google_auth_httplib2  # type: ignore[import-untyped]
            from googleapiclient.http import build_http

            return google_auth_httplib2.AuthorizedHttp(credentials, http=Recorder(build_http(), self.log))

        self.rec = Connection(credentials, http_factory=factory, api_endpoint=self.conn.api_endpoint,
                              batch_uri=self.conn.batch_uri, retry=self.conn.retry)

    def check(self, name: str, status: str, detail: str) -> None:
        """Add a line to the report."""
        self.checks.append(Check(name, status, detail))

    def run(self) -> list[Check]:
        """Every check; what was made is deleted at the end, whatever happened."""
        try:
            for step in (self._form, self._sheet, self._mail):
                try:
                    step()
                except AutomationError as e:
                    self.check(step.__name__.strip("_"), "unchecked", f"stopped: {e}")
        finally:
            self._clean_up()
        return self.checks

    # --- Forms --------------------------------------------------------------------------------
    def _form(self) -> None:
        t = I18n("Текшерүү", "Проверка")
        spec = FormSpec("selftest", 1, "event_feedback", I18n("Текшерүү формасы", "Проверочная форма"), None, False,
                        False, False, (Section("s1", t),), (Question("note", "short_text", t, "s1"),))
        bodies = build_form_requests(spec, None, document_title="club selftest (delete me)")
        forms = self.rec.service("forms").forms()
        call = self.rec.retry.call
        # the adapter's create: never two forms when Google's answer is lost (see GoogleForms._create_once)
        made = GoogleForms(self.rec)._create_once("selftest", bodies["create"], look_first=False)
        form_id = made["formId"]
        self.made.append(form_id)
        reply = call(forms.batchUpdate(formId=form_id, body=bodies["batchUpdate"]), "add its question", "forms")
        asked = [r["createItem"]["item"] for r in bodies["batchUpdate"]["requests"] if "createItem" in r]
        got = [r.get("createItem", {}) for r in reply.get("replies", []) if "createItem" in r]
        same = all(a.get("itemId") == g.get("itemId") for a, g in zip(asked, got)) and len(asked) == len(got)
        self.check("ids", "ok" if same else "different",
                   "Google kept the item and question ids the program chose" if same else
                   "Google replaced the ids the program chose; the program copes (it keeps Google's map) but "
                   "please report this")
        call(forms.setPublishSettings(formId=form_id, body=bodies["setPublishSettings"]), "publish it", "forms")
        drive = self.rec.service("drive")
        call(drive.permissions().create(fileId=form_id, body=responder_permission(self.responders),
                                        supportsAllDrives=True, fields="id"), "set who may answer", "drive")
        perms = call(drive.permissions().list(fileId=form_id, includePermissionsForView="published",
                                              fields="permissions(id,type,role,view,domain)", supportsAllDrives=True),
                     "read who may answer", "drive")
        published = [p for p in perms.get("permissions", []) if p.get("view") == "published"]
        want = responder_permission(self.responders)
        fits = any(p.get("type") == want["type"] and p.get("role") == "reader" for p in published)
        self.check("responders", "ok" if fits else "different",
                   f"responders of the published form: {[(p.get('type'), p.get('domain', '')) for p in published]}"
                   + ("" if fits else " — not what was set: participants may be unable to open the forms"))
        ids = form_ids(spec)
        qid = ids.questions[("note", None)]
        form = call(forms.get(formId=form_id), "read the form back", "forms")
        page = self._page(form.get("responderUri", ""))
        if page is None:
            self.check("entry", "unchecked", "the form's page could not be read from here (sign-in needed or no "
                                             "connection); open a personal link once and check it is pre-filled")
        else:
            entry = f"entry.{int(qid, 16)}"
            found = entry in page
            self.check("entry", "ok" if found else "different",
                       f"the form's page names {entry} (the question id {qid} in decimal)" if found else
                       f"the form's page does not name {entry}: personal links would not pre-fill the code")

    def _page(self, url: str) -> str | None:
        if not url:
            return None
        try:
            if self.fetch_page is not None:
                return self.fetch_page(url)
            with urllib.request.urlopen(url, timeout=20) as r:  # the public form page; nothing is submitted
                return str(r.read().decode("utf-8", "replace"))
        except (OSError, ValueError):
            return None

    # --- Sheets and sharing ------------------------------------------------------------------------
    def _sheet(self) -> None:
        call = self.rec.retry.call
        drive = self.rec.service("drive")
        book = call(drive.files().create(body={"name": "club selftest (delete me)",
                                               "mimeType": "application/vnd.google-apps.spreadsheet"},
                                         fields="id", supportsAllDrives=True), "create a test spreadsheet", "drive")
        self.made.append(book["id"])
        values = self.rec.service("sheets").spreadsheets().values()
        call(values.update(spreadsheetId=book["id"], range="A1", valueInputOption="RAW",
                           body={"values": [["=1+2", "Ысык-Көл"]]}), "write to it", "sheets")
        back = call(values.get(spreadsheetId=book["id"], range="A1:B1"), "read it back", "sheets")
        ok = back.get("values") == [["=1+2", "Ысык-Көл"]]
        self.check("sheets", "ok" if ok else "different",
                   "RAW kept '=1+2' as text and the Kyrgyz letters" if ok else f"read back {back.get('values')!r}")
        from googleapiclient.errors import HttpError

        request = drive.permissions().create(fileId=book["id"], body={"type": "user", "role": "reader",
                                                                      "emailAddress": NO_ACCOUNT},
                                             sendNotificationEmail=False, supportsAllDrives=True, fields="id")
        try:
            request.execute(num_retries=self.rec.retry.num_retries)
        except HttpError as e:
            status, reason, message = error_details(e)
            refused = status == 400 and ("invalidSharingRequest" in reason or "Notify people" in message)
            self.check("sharing", "ok" if refused else "different",
                       f"refused ({status} {reason}) as documented; the program then shares with Google's "
                       "notification" if refused else f"answered {status} {reason}: {message}")
            return
        self.check("sharing", "different", "Drive accepted a share without notification to an address without a "
                                           "Google account (the program copes either way)")

    # --- Gmail -------------------------------------------------------------------------------------------
    def _mail(self) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S")
        domain = self.to.rsplit("@", 1)[-1]
        msg = EmailMessage()
        msg["From"], msg["To"] = self.to, self.to
        msg["Subject"] = "Текшерүү / Проверка: club selftest"
        msg["Message-ID"] = f"<selftest-{stamp}@{domain}>"
        msg.set_content("Бул текшерүү кат. / Это проверочное письмо программы клуба; его можно удалить.")
        mail = GmailMail(self.rec, memo=Memo(), drafts=True)
        gid = mail.send(msg, [self.to])
        try:
            got = self.rec.retry.call(self.rec.service("gmail").users().messages().get(
                userId="me", id=gid.split(",")[0], format="metadata", metadataHeaders=["Message-ID"]),
                "read the test mail back", "gmail")
        except BackendError:
            self.check("message_id", "unchecked", "this sign-in cannot read mail (no gmail.readonly): open the test "
                       f"mail, 'Show original', and compare its Message-ID with {msg['Message-ID']} — either way "
                       "the program does not depend on it")
            return
        headers = {h["name"].lower(): h["value"] for h in got.get("payload", {}).get("headers", [])}
        kept = headers.get("message-id", "").strip() == str(msg["Message-ID"])
        self.check("message_id", "ok" if not kept else "different",
                   "Gmail replaced the Message-ID, as reported; the program does not depend on it (drafts)" if not kept
                   else "Gmail kept the Message-ID this time; the program does not depend on it either way")

    def _clean_up(self) -> None:
        for file_id in self.made:
            try:
                self.rec.retry.call(self.rec.service("drive").files().delete(fileId=file_id, supportsAllDrives=True),
                                    "delete what the selftest made", "drive")
            except BackendError as e:
                self.check("clean_up", "unchecked", f"could not delete {file_id} ({e}); delete it in Drive by hand")

    # --- the exchanges, sanitized ----------------------------------------------------------------------
    def write(self, folder: Path, commit: str = "") -> list[Path]:
        """Every exchange as a file in the corpus format of tests/google_recordings/ (sanitized)."""
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for n, ex in enumerate(self.log, start=1):
            where = sanitize(_path(ex.url))
            doc = {"what": f"{ex.method} {where} -> {ex.status}",
                   "source": {"repository": "this project", "path": "python main.py google selftest", "commit": commit,
                              "licence": "the club's own recording", "recorded_against": "the club's Google account",
                              "retrieved": dt.date.today().isoformat()},
                   "sanitized": "ids, e-mail addresses, message bodies and texts replaced",
                   "request": {"method": ex.method, "url": sanitize(ex.url), "body": sanitize(ex.body)},
                   "response": {"status": ex.status, "body": sanitize(ex.answer)}}
            path = folder / f"{n:02d}-{re.sub(r'[^a-z]+', '_', where.lower()).strip('_')[:60]}.json"
            text = json.dumps(doc, ensure_ascii=False, indent=2).replace(self.to, "user@example.org")
            path.write_text(text + "\n", encoding="utf-8")
            out.append(path)
        return out


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


_ID = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def sanitize(value: Any) -> Any:
    """``value`` with long ids, e-mail addresses, base64 mail and free texts replaced (keys and shapes kept)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k == "raw" and isinstance(v, str):
                out[k] = f"<{len(base64.urlsafe_b64decode(v + '=' * (-len(v) % 4)))} bytes of a message>"
            elif k in ("title", "description", "value", "documentTitle", "snippet", "name") and isinstance(v, str):
                out[k] = "<text>"
            elif k == "values" and isinstance(v, list):  # cell values
                out[k] = [[c if isinstance(c, (int, float, bool)) else "<text>" for c in row]
                          if isinstance(row, list) else "<text>" for row in v]
            else:
                out[k] = sanitize(v)
        return out
    if isinstance(value, list):
        return [sanitize(v) for v in value]
    if isinstance(value, str):
        return _ID.sub("ID", _EMAIL.sub("user@example.org", value))
    return value


def report(checks: list[Check]) -> str:
    """The plain report printed by the command."""
    mark = {"ok": "OK        ", "different": "DIFFERENT ", "unchecked": "UNCHECKED "}
    return "\n".join(f"{mark.get(c.status, c.status)} {c.name}: {c.detail}" for c in checks)
