"""Drive adapter against the fake: upload, share by link or with the mentor, no re-upload of the same file."""
from __future__ import annotations

import pytest

from automation.errors import BackendError
from automation.store import Store
from automation.workspace.google import Connection, GoogleDrive, Memo
from conftest import google_connection


@pytest.fixture
def fake(fake_google):
    return fake_google()


@pytest.fixture
def conn(fake) -> Connection:
    return google_connection(fake)


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
    new = drive.publish(report)  # the same Drive file gets the new content: same link, no orphan copy
    assert new == link and fake.calls == {"drive.files.update": 1}
    (f,) = fake.drive.find("report.html")
    assert fake.drive.content(f["id"]) == report.read_bytes()


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


def test_a_report_file_deleted_by_hand_is_uploaded_again(fake, conn, tmp_path):
    report = tmp_path / "report.html"
    report.write_text("v1", encoding="utf-8")
    drive = GoogleDrive(conn, Memo(Store(":memory:")))
    drive.publish(report)
    (f,) = fake.drive.find("report.html")
    del fake.drive.files[f["id"]]
    report.write_text("v2", encoding="utf-8")
    link = drive.publish(report)
    (g,) = fake.drive.find("report.html")
    assert link == g["webViewLink"] and fake.drive.content(g["id"]) == b"v2"


# --- sharing with an address that has no Google account (the fake's pessimistic mode) ------------------


@pytest.fixture
def strict(fake_google):
    return fake_google(pessimistic=True)


def test_sharing_with_an_address_without_a_google_account_asks_google_to_notify(strict, tmp_path):
    report = tmp_path / "report.html"
    report.write_text("<h1>Отчёт</h1>", encoding="utf-8")
    drive = GoogleDrive(google_connection(strict), Memo(Store(":memory:")), share_with="mentor@university.kg")
    drive.publish(report)
    (f,) = strict.drive.find("report.html")
    assert any(p.get("emailAddress") == "mentor@university.kg" for p in strict.drive.permissions[f["id"]])
    assert strict.drive.notified == [(f["id"], "mentor@university.kg")]
    assert strict.calls["drive.permissions.create"] == 2  # refused without notification, then with it
    strict.reset_calls()
    drive.publish(report)
    assert sum(strict.calls.values()) == 0  # shared and unchanged: nothing to do


def test_an_address_with_an_account_is_shared_without_googles_mail(strict, tmp_path):
    strict.drive.google_accounts.add("mentor@university.kg")
    report = tmp_path / "report.html"
    report.write_text("x", encoding="utf-8")
    GoogleDrive(google_connection(strict), Memo(Store(":memory:")), share_with="mentor@university.kg").publish(report)
    assert strict.drive.notified == [] and strict.calls["drive.permissions.create"] == 1


def test_a_failed_share_is_recorded_and_tried_again_at_the_next_publish(strict, tmp_path):
    report = tmp_path / "report.html"
    report.write_text("x", encoding="utf-8")
    drive = GoogleDrive(google_connection(strict), Memo(Store(":memory:")), share_with="mentor@university.kg")
    strict.fail_next(6, 503, "drive.permissions.create")  # Drive is down for the share (and its retries)
    with pytest.raises(BackendError, match="next run tries to share it again"):
        drive.publish(report)
    (f,) = strict.drive.find("report.html")
    assert not any(p.get("emailAddress") for p in strict.drive.permissions[f["id"]] if p["role"] == "reader")
    strict.reset_calls()
    assert drive.publish(report) == f["webViewLink"]  # same content: only the share is tried again
    assert strict.calls["drive.files.create"] == 0 and strict.calls["drive.files.update"] == 0
    assert any(p.get("emailAddress") == "mentor@university.kg" for p in strict.drive.permissions[f["id"]])
