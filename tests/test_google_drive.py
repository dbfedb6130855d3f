"""Drive adapter against the fake: upload, share by link or with the mentor, no re-upload of the same file."""
from __future__ import annotations

import pytest
from google.oauth2.credentials import Credentials

from automation.errors import BackendError
from automation.store import Store
from automation.workspace.google import Connection, GoogleDrive, Memo, RetryPolicy
from fake_google import FakeGoogle


@pytest.fixture
def fake():
    with FakeGoogle() as server:
        yield server
        assert not server.internal_errors, "\n".join(server.internal_errors)


@pytest.fixture
def conn(fake) -> Connection:
    creds = Credentials(token="tok")
    return Connection(creds, retry=RetryPolicy(sleep=lambda s: None), **fake.client_seams(creds))


def test_publish_uploads_and_shares_by_link(fake, conn, tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<h1>Отчёт — Ысык-Көл</h1>", encoding="utf-8")
    drive = GoogleDrive(conn, Memo(Store(":memory:")))
    link = drive.publish(report)
    assert fake.calls == {"drive.files.create": 1, "drive.permissions.create": 1}
    (f,) = fake.drive.find("report.html")
    assert link == f["webViewLink"] and fake.drive.content(f["id"]) == report.read_bytes()
    assert f["mimeType"] == "text/html"
    assert {"type": "anyone", "role": "reader"}.items() <= fake.drive.permissions[f["id"]][-1].items()
    fake.reset_calls()
    assert drive.publish(report) == link and sum(fake.calls.values()) == 0  # same content: nothing to do
    report.write_text("<h1>Отчёт v2</h1>", encoding="utf-8")
    new = drive.publish(report)
    assert new != link and fake.calls == {"drive.files.create": 1, "drive.permissions.create": 1,
                                          "drive.files.delete": 1}
    assert len(fake.drive.find("report.html")) == 1


def test_publish_shares_with_the_mentor_in_a_folder(fake, conn, tmp_path):
    chart = tmp_path / "gain.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    folder = fake.drive.add_folder("Клуб")
    GoogleDrive(conn, folder_id=folder, share_with="mentor@example.org").publish(chart)
    (f,) = fake.drive.find("gain.png")
    assert f["parents"] == [folder] and f["mimeType"] == "image/png"
    perm = fake.drive.permissions[f["id"]][-1]
    assert perm["type"] == "user" and perm["emailAddress"] == "mentor@example.org" and perm["role"] == "reader"


def test_missing_file_and_missing_folder(fake, conn, tmp_path):
    drive = GoogleDrive(conn, folder_id="nofolder")
    with pytest.raises(BackendError, match="no such file"):
        drive.publish(tmp_path / "nope.png")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(BackendError, match="not found"):
        drive.publish(tmp_path / "a.txt")
