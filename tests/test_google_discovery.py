"""The installed client library can make every call the Google adapters make.

google-api-python-client builds its methods from the discovery documents it ships
(``googleapiclient/discovery_cache/documents/*.json``).  Versions 2.150–2.164 ship a Forms
document without ``forms.setPublishSettings`` or ``forms.create``'s ``unpublished`` parameter
(2.165.0 is the first with both), so ``requirements.txt`` must not allow them.  Here every adapter
runs once against the fake with googleapiclient's ``createMethod`` wrapped, so each call's method
id and keyword arguments are recorded; each must be in the installed documents.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from email.message import EmailMessage
from pathlib import Path

import googleapiclient
import googleapiclient.discovery
import pytest

from automation.forms.templates import load_templates
from automation.store import Store
from automation.workspace.google import DirectoryGroup, GmailMail, GoogleDrive, GoogleForms, GoogleSheets, Memo
from conftest import google_connection
from fake_google import FakeGoogle

ROOT = Path(__file__).resolve().parent.parent
DOCS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
FILES = {"forms": "forms.v1.json", "sheets": "sheets.v4.json", "drive": "drive.v3.json", "gmail": "gmail.v1.json",
         "admin": "admin.directory_v1.json"}
#: Keyword arguments googleapiclient takes besides the document's parameters.
CLIENT_ARGS = {"body", "media_body", "media_mime_type"}
#: The first release whose Forms document has setPublishSettings and forms.create's ``unpublished``.
FLOOR = (2, 165)


def methods(doc: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}

    def walk(res: dict) -> None:
        for m in res.get("methods", {}).values():
            out[m["id"]] = m
        for sub in res.get("resources", {}).values():
            walk(sub)

    walk(doc)
    return out


def installed() -> dict[str, tuple[dict, dict]]:
    """method id -> (method description, the document's top-level parameters)."""
    out = {}
    for name in FILES.values():
        doc = json.loads((DOCS / name).read_text(encoding="utf-8"))
        for mid, m in methods(doc).items():
            out[mid] = (m, doc.get("parameters", {}))
    return out


@pytest.fixture
def recorded(monkeypatch) -> dict[str, set[str]]:
    """Every method the adapters call in this test, with the keyword arguments they pass."""
    seen: dict[str, set[str]] = {}
    real = googleapiclient.discovery.createMethod

    def recording(method_name, method_desc, root_desc, schema):
        name, method = real(method_name, method_desc, root_desc, schema)

        def wrapper(self, **kwargs):
            seen.setdefault(method_desc["id"], set()).update(kwargs)
            return method(self, **kwargs)

        wrapper.__doc__ = method.__doc__
        return name, wrapper

    monkeypatch.setattr(googleapiclient.discovery, "createMethod", recording)
    return seen


def tour(fake: FakeGoogle, tmp_path: Path) -> None:
    """Each adapter once, through the paths that make different calls."""
    conn = google_connection(fake)
    store = Store(":memory:")
    memo = Memo(store)
    spec = next(s for s in load_templates().values() if not any(q.options_from for q in s.questions))
    forms = GoogleForms(conn, memo)
    made = forms.create_form("ev.tour", spec, dt.datetime(2022, 6, 20, tzinfo=dt.timezone.utc))
    forms.fetch_responses("ev.tour", made.external_id, spec, None)
    forms.close_form(made.external_id)
    sheets = GoogleSheets(conn, memo, spreadsheet_title="S", share_with="mentor@university.kg")
    sheets.write_responses("ev.tour", "T", ["a"], [["1"]])
    report = tmp_path / "report.html"
    report.write_text("v1", encoding="utf-8")
    drive = GoogleDrive(conn, memo, share_with="mentor@university.kg")
    drive.publish(report)
    report.write_text("v2", encoding="utf-8")
    drive.publish(report)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "c@gmail.com", "a@example.org", "x", "<t1@gmail.com>"
    msg.set_content("x")
    mail = GmailMail(conn, memo=memo, drafts=True, can_read=True)
    mail.send(msg, ["a@example.org"])
    mail.drafts.memo.set("gmail.drafts.t2@gmail.com", {"n": 1, "parts": {"1": {"draft": "gone", "thread": "t"}}})
    mail.find_sent("<t2@gmail.com>")  # drafts.get of a draft that is gone
    legacy = GmailMail(conn, memo=Memo(), drafts=False, can_read=True)
    msg.replace_header("Message-ID", "<t3@gmail.com>")
    legacy.send(msg, ["a@example.org"])
    legacy.find_sent("<t3@gmail.com>")
    fake.directory.add_group("club@amuca.kg", ["a@amuca.kg"])
    group = DirectoryGroup(conn, "club@amuca.kg")
    group.members()
    group.apply(["b@amuca.kg"], ["a@amuca.kg"])


def test_every_method_and_parameter_the_adapters_call_is_in_the_installed_documents(recorded, tmp_path):
    # Message-IDs kept, so that the search by rfc822msgid finds the message and reads its parts header
    with FakeGoogle(pessimistic=True, gmail_replaces_message_id=False) as fake:
        tour(fake, tmp_path)
        assert not fake.internal_errors, "\n".join(fake.internal_errors)
    docs = installed()
    missing = []
    for mid, kwargs in sorted(recorded.items()):
        if mid not in docs:
            missing.append(f"{mid}: no such method")
            continue
        method, top = docs[mid]
        known = set(method.get("parameters", {})) | set(top) | CLIENT_ARGS
        missing += [f"{mid}: no parameter {k!r}" for k in sorted(set(kwargs) - known)]
    assert not missing, ("the installed google-api-python-client lacks what the adapters call (upgrade it: "
                         "pip install -r requirements.txt): " + "; ".join(missing))
    # the tour reached the calls this test is about
    assert {"unpublished"} <= recorded["forms.forms.create"] and "forms.forms.setPublishSettings" in recorded
    assert {"gmail.users.drafts.create", "gmail.users.drafts.send", "gmail.users.drafts.get",
            "gmail.users.threads.get", "drive.files.update", "drive.permissions.create"} <= set(recorded)


def test_the_forms_document_of_the_floor_has_what_forms_need():
    """What 2.165 added and the adapters need, read from the installed document (fails on 2.150–2.164)."""
    doc = methods(json.loads((DOCS / FILES["forms"]).read_text(encoding="utf-8")))
    assert "forms.forms.setPublishSettings" in doc
    assert "unpublished" in doc["forms.forms.create"]["parameters"]


def test_requirements_floor_is_the_first_release_that_can_make_a_form():
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    m = re.search(r"^google-api-python-client>=(\d+)\.(\d+)", text, re.M)
    assert m and (int(m.group(1)), int(m.group(2))) >= FLOOR, "requirements.txt allows a release without " \
        "forms.setPublishSettings (google-api-python-client 2.150–2.164)"
