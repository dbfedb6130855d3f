"""Google Sheets adapter (gspread) against the fake Google: RAW writes, call counts, bounded backoff."""
from __future__ import annotations

import gspread
import pytest
from google.oauth2.credentials import Credentials

from automation.errors import BackendError
from automation.store import Store
from automation.workspace.google import Connection, GoogleSheets, Memo
from automation.workspace.google.sheets import BoundedBackOffHTTPClient, SheetsRetryExhausted, sheet_title
from conftest import google_connection
from fake_google import FakeGoogle

HEADER = ["Отметка времени", "Адрес электронной почты", "Ответ"]


@pytest.fixture
def fake(fake_google):
    return fake_google()


@pytest.fixture
def creds() -> Credentials:
    return Credentials(token="tok")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def conn(fake, creds, sleeps) -> Connection:
    return google_connection(fake, creds, sleep=sleeps.append)


def rows(n: int, text: str = "ответ") -> list[list]:
    return [[f"01.06.2022 10:{i % 60:02d}:00", f"p{i}@example.org", f"{text} {i}"] for i in range(n)]


def test_raw_keeps_formulas_as_text(fake, conn):
    sheets = GoogleSheets(conn, spreadsheet_title="Клуб — 2022")
    url = sheets.write_responses("ev.post_test", "Тест", HEADER,
                                 [["x", "a@example.org", "=1+2"], ["y", "b@example.org", "+7 (555) 123"],
                                  ["z", None, 5]])
    (book,) = fake.sheets.spreadsheets
    assert url == f"https://docs.google.com/spreadsheets/d/{book}/edit#gid=0"
    cell = fake.sheets.cell(book, "'ev.post_test'!C2")
    assert cell.value == "=1+2" and not cell.is_formula and cell.input_option == "RAW"
    assert fake.sheets.cell(book, "'ev.post_test'!C3").value == "+7 (555) 123"
    assert fake.sheets.cell(book, "'ev.post_test'!C4").value == 5
    assert fake.sheets.cell(book, "'ev.post_test'!B4") is None
    assert {w.value_input_option for w in fake.sheets.writes} == {"RAW"}
    assert fake.drive.files[book]["name"] == "Клуб — 2022"


def test_call_counts_one_write_per_sync_plus_one_the_first_time(fake, conn):
    memo = Memo(Store(":memory:"))
    sheets = GoogleSheets(conn, memo, spreadsheet_title="Клуб — 2022")
    sheets.write_responses("ev.a", "A", HEADER, rows(3))
    # the season's spreadsheet (Drive) once, its first sheet renamed for the form, one write
    assert fake.calls == {"drive.files.create": 1, "sheets.batchUpdate": 1, "sheets.values.update": 1}
    fake.reset_calls()
    sheets.write_responses("ev.a", "A", HEADER, rows(5))
    assert fake.calls == {"sheets.values.update": 1}
    fake.reset_calls()
    sheets.write_responses("ev.b", "B", HEADER, rows(2))
    assert fake.calls == {"sheets.batchUpdate": 1, "sheets.values.update": 1}  # addSheet + write
    (book,) = fake.sheets.spreadsheets
    assert fake.sheets.sheet_titles(book) == ["ev.a", "ev.b"]
    # a new adapter on the same store (a restarted service) remembers everything: still one call
    fake.reset_calls()
    GoogleSheets(conn, memo, spreadsheet_title="Клуб — 2022").write_responses("ev.b", "B", HEADER, rows(4))
    assert fake.calls == {"sheets.values.update": 1}
    assert len(fake.sheets.values(book, "'ev.b'!A1:C100")) == 5


def test_growing_past_the_grid_resizes_once_and_shrinking_blanks_stale_rows(fake, conn):
    sheets = GoogleSheets(conn, spreadsheet_title="S", headroom_rows=10)
    sheets.write_responses("ev.a", "A", HEADER, rows(5))
    fake.reset_calls()
    sheets.write_responses("ev.a", "A", HEADER, rows(40))
    assert fake.calls == {"sheets.batchUpdate": 1, "sheets.values.update": 1}
    (book,) = fake.sheets.spreadsheets
    assert len(fake.sheets.values(book, "'ev.a'!A1:C51")) == 41
    fake.reset_calls()
    sheets.write_responses("ev.a", "A", HEADER, rows(2))
    assert fake.calls == {"sheets.values.update": 1}
    assert len(fake.sheets.values(book, "'ev.a'!A1:C51")) == 3


def test_a_worksheet_deleted_by_hand_is_made_again(fake, conn):
    sheets = GoogleSheets(conn, spreadsheet_title="S")
    sheets.write_responses("ev.a", "A", HEADER, rows(2))
    sheets.write_responses("ev.b", "B", HEADER, rows(2))
    (book,) = fake.sheets.spreadsheets
    client = fake.gspread_client(Credentials(token="tok"))
    client.open_by_key(book).del_worksheet_by_id(0)
    sheets.write_responses("ev.a", "A", HEADER, rows(3))
    assert sorted(fake.sheets.sheet_titles(book)) == ["ev.a", "ev.b"]
    assert len(fake.sheets.values(book, "'ev.a'!A1:C100")) == 4


def test_spreadsheet_goes_in_the_given_folder(fake, conn):
    folder = fake.drive.add_folder("Клуб")
    GoogleSheets(conn, spreadsheet_title="S", folder_id=folder).write_responses("ev.a", "A", HEADER, rows(1))
    (book,) = fake.sheets.spreadsheets
    assert fake.drive.files[book]["parents"] == [folder]


def test_429_then_500_then_success_writes_once(fake, conn, sleeps):
    sheets = GoogleSheets(conn, spreadsheet_title="S")
    sheets.write_responses("ev.a", "A", HEADER, rows(2))
    fake.reset_calls()
    fake.fail_next(1, 429, "sheets.values.update")
    fake.fail_next(1, 500, "sheets.values.update")
    sheets.write_responses("ev.a", "A", HEADER, rows(3))
    assert fake.calls == {"sheets.values.update": 3} and fake.ok_calls == {"sheets.values.update": 1}
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] / 2  # exponential, with jitter
    (book,) = fake.sheets.spreadsheets
    assert len(fake.sheets.values(book, "'ev.a'!A1:C100")) == 4


def test_backoff_is_bounded_and_ends_in_a_clear_error(fake, conn, sleeps):
    sheets = GoogleSheets(conn, spreadsheet_title="S")
    sheets.write_responses("ev.a", "A", HEADER, rows(2))
    fake.reset_calls()
    fake.fail_next(1000, 429, "sheets.values.update")
    with pytest.raises(SheetsRetryExhausted, match="gave up") as err:
        sheets.write_responses("ev.a", "A", HEADER, rows(3))
    assert isinstance(err.value, BackendError) and "429" in str(err.value)
    attempts = BoundedBackOffHTTPClient.max_retries + 1
    assert fake.calls == {"sheets.values.update": attempts}
    assert sum(sleeps) <= BoundedBackOffHTTPClient.max_total_wait


def test_gspreads_own_backoff_client_would_not_stop(fake, creds, monkeypatch):
    """Why we bound it ourselves (gspread#1599): its give-up test `wait <= _MAX_BACKOFF` always holds."""
    monkeypatch.setattr(gspread.http_client.time, "sleep", lambda s: None)
    client = fake.gspread_client(creds, http_client=gspread.http_client.BackOffHTTPClient)
    book = fake.sheets.create_spreadsheet("S")["spreadsheetId"]
    fake.fail_next(40, 429, "sheets.values.get")
    client.http_client.values_get(book, "Sheet1!A1")  # 40 failures later it still retries
    assert fake.calls["sheets.values.get"] == 41


def test_other_errors_are_translated(fake, conn):
    sheets = GoogleSheets(conn, spreadsheet_title="S")
    sheets.write_responses("ev.a", "A", HEADER, rows(1))
    fake.revoke("tok")
    with pytest.raises(BackendError, match="python main.py auth"):
        sheets.write_responses("ev.a", "A", HEADER, rows(1))


def test_sheet_titles_are_safe():
    assert sheet_title("a/b:c[d]") == "a_b_c_d_"
    assert len(sheet_title("x" * 300)) == 100


def test_the_seasons_spreadsheet_is_shared_with_the_mentor_once(fake, conn):
    sheets = GoogleSheets(conn, spreadsheet_title="S", share_with="mentor@example.org")
    sheets.write_responses("ev.a", "A", HEADER, rows(1))
    sheets.write_responses("ev.b", "B", HEADER, rows(1))
    assert fake.calls["drive.permissions.create"] == 1
    (book,) = fake.sheets.spreadsheets
    perm = fake.drive.permissions[book][-1]
    assert perm["type"] == "user" and perm["role"] == "reader" and perm["emailAddress"] == "mentor@example.org"


def test_a_mentor_without_a_google_account_gets_the_spreadsheet_and_a_failed_share_is_retried(creds):
    """Pessimistic Drive: no notification to an address without a Google account is a 400
    invalidSharingRequest. The share falls back to Google's notification; a share that failed (Drive down)
    is recorded in the store and tried again at the next write instead of being forgotten."""
    with FakeGoogle(pessimistic=True) as strict:
        conn = google_connection(strict, creds)
        store = Store(":memory:")
        sheets = GoogleSheets(conn, Memo(store), spreadsheet_title="S", share_with="mentor@university.kg")
        strict.fail_next(6, 503, "drive.permissions.create")
        with pytest.raises(BackendError, match="next run tries to share it again"):
            sheets.write_responses("ev.a", "A", HEADER, rows(2))
        (book,) = strict.sheets.spreadsheets
        assert strict.sheets.values(book, a1_of("ev.a"))[2][2] == "ответ 1"  # written before the share failed
        # a new process on the same store: the share is tried again, with Google's notification
        again = GoogleSheets(conn, Memo(store), spreadsheet_title="S", share_with="mentor@university.kg")
        again.write_responses("ev.a", "A", HEADER, rows(2))
        assert strict.drive.notified == [(book, "mentor@university.kg")]
        strict.reset_calls()
        again.write_responses("ev.a", "A", HEADER, rows(3))
        assert strict.calls["drive.permissions.create"] == 0
        assert not strict.internal_errors


def a1_of(form_key: str) -> str:
    return "'" + sheet_title(form_key).replace("'", "''") + "'!A1:C3"
