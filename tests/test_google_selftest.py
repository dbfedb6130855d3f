"""``python main.py google selftest`` against the fake Google in its pessimistic mode: the report, the clean-up,
and the sanitized exchanges in the corpus format."""
from __future__ import annotations

import json

from automation.workspace.google.form_requests import form_ids
from automation.workspace.google.selftest import SelfTest, report, sanitize
from conftest import google_connection
from fake_google import FakeGoogle


def test_selftest_reports_each_check_cleans_up_and_writes_sanitized_exchanges(tmp_path):
    with FakeGoogle(pessimistic=True, user_email="admin@amuca.kg") as fake:
        conn = google_connection(fake)
        pages: list[str] = []

        def page(url: str) -> str:  # the published form's page, as the browser would get it
            pages.append(url)
            (form_id,) = list(fake.forms.records)  # one form, although the first create was answered 503
            ids = fake.forms.question_ids(form_id)
            return " ".join(f'data-params="[{int(q, 16)}]" name="entry.{int(q, 16)}"' for q in ids.values())

        test = SelfTest(conn, "admin@amuca.kg", fetch_page=page)
        checks = {c.name: c for c in test.run()}
        assert not fake.internal_errors, "\n".join(fake.internal_errors)
    assert {n: c.status for n, c in checks.items()} == {
        "ids": "ok", "responders": "ok", "entry": "ok", "sheets": "ok", "sharing": "ok", "message_id": "ok"}, \
        report(list(checks.values()))
    assert "replaced" in checks["message_id"].detail
    assert fake.drive.files == {} or all(f["mimeType"].endswith("folder") for f in fake.drive.files.values())
    assert len(fake.gmail.sent("admin@amuca.kg")) == 1 and pages
    written = test.write(tmp_path / "out", commit="0" * 40)
    assert len(written) == len(test.log) >= 10
    text = "\n".join(p.read_text(encoding="utf-8") for p in written)
    assert "admin@amuca.kg" not in text and "Ысык-Көл" not in text
    doc = json.loads(written[0].read_text(encoding="utf-8"))
    assert set(doc) == {"what", "source", "sanitized", "request", "response"}
    assert set(doc["source"]) == {"repository", "path", "commit", "licence", "recorded_against", "retrieved"}


def test_sanitize_keeps_shapes_and_drops_ids_addresses_and_texts():
    got = sanitize({"formId": "1AbCdEfGhIjKlMnOpQrStUvWxYz012345", "info": {"title": "Менин формам"},
                    "emailAddress": "aigul@example.kg", "raw": "SGVsbG8=", "n": 3})
    assert got == {"formId": "ID", "info": {"title": "<text>"}, "emailAddress": "user@example.org",
                   "raw": "<5 bytes of a message>", "n": 3}


def test_the_command_is_registered_and_documented():
    from automation.cli.main import build_parser

    args = build_parser().parse_args(["google", "selftest", "--to", "a@b.kg"])
    assert args.to == "a@b.kg" and callable(args.func)
