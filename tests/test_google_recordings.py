"""The adapters over exchanges recorded against the real Google APIs (tests/google_recordings/), and the
fake Google compared with them: error shapes, reply fields, timestamps with 3 and 6 fractional digits,
a response without respondentEmail."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import requests
from google.oauth2.credentials import Credentials
from gspread.exceptions import APIError

from automation.model import FormSpec, I18n, Question, Section
from automation.workspace.google.api import error_details, translate
from automation.workspace.google.form_requests import FormIds
from automation.workspace.google.forms import map_response, parse_timestamp
from fake_google import FakeGoogle

CORPUS = Path(__file__).resolve().parent / "google_recordings"
FILES = sorted(CORPUS.glob("*/*.json"))


def load(name: str) -> dict:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


def fractional_digits(stamp: str) -> int:
    return len(stamp.split(".")[1].rstrip("Z")) if "." in stamp else 0


class Recorded:
    """A gspread APIError for a recorded error answer (what the Sheets adapter catches)."""

    def __init__(self, status: int, body: dict):
        self.status_code, self._body = status, body
        self.text = json.dumps(body)

    def json(self) -> dict:
        return self._body


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_recording_names_its_source_and_licence(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    src = doc["source"]
    assert src["repository"] and src["path"] and src["licence"] and len(src["commit"]) == 40 and src["retrieved"]
    assert doc["sanitized"] and doc["response"]["status"]


@pytest.mark.parametrize("name", ["gspread/sheets_get_404.json", "gspread/sheets_get_403.json",
                                  "gspread/sheets_values_update_400.json", "gspread/sheets_batch_update_400.json"])
def test_real_sheets_errors_are_read_and_translated(name):
    rec = load(name)["response"]
    error = APIError(Recorded(rec["status"], rec["body"]))
    status, reason, message = error_details(error)
    assert (status, message) == (rec["status"], rec["body"]["error"]["message"])
    assert reason == ""  # real Sheets errors carry no legacy errors[].reason
    text = str(translate(error, "write the responses", "sheets"))
    assert "Google Sheets" in text and "write the responses" in text


def test_the_fakes_modern_sheets_errors_have_the_recorded_shape():
    with FakeGoogle(modern_errors=True) as fake:
        auth = {"Authorization": "Bearer t"}
        missing = requests.get(f"{fake.url}/v4/spreadsheets/test", headers=auth).json()["error"]
        assert set(missing) == set(load("gspread/sheets_get_404.json")["response"]["body"]["error"])
        assert missing["message"] == load("gspread/sheets_get_404.json")["response"]["body"]["error"]["message"]
        book = fake.sheets.create_spreadsheet("S")["spreadsheetId"]
        bad = requests.put(f"{fake.url}/v4/spreadsheets/{book}/values/A1", params={"valueInputOption": "RAW"},
                           headers=auth, json={"values": "X"}).json()["error"]
        recorded = load("gspread/sheets_values_update_400.json")["response"]["body"]["error"]
        assert set(bad) == set(recorded) and bad["status"] == recorded["status"]
        assert set(bad["details"][0]) == set(recorded["details"][0])
        assert set(bad["details"][0]["fieldViolations"][0]) == set(recorded["details"][0]["fieldViolations"][0])


def test_the_fakes_replies_have_the_recorded_fields():
    with FakeGoogle() as fake:
        gs = fake.gspread_client(Credentials(token="t"))
        created = gs.http_client.request("post", "https://www.googleapis.com/drive/v3/files",
                                         json={"name": "S", "mimeType": "application/vnd.google-apps.spreadsheet"},
                                         params={"supportsAllDrives": True}).json()
        assert set(created) == set(load("gspread/drive_create_spreadsheet_200.json")["response"]["body"])
        book = created["id"]
        updated = gs.http_client.values_update(book, "'Sheet1'!A1", params={"valueInputOption": "USER_ENTERED"},
                                               body={"values": [["Iñtërnâtiônàlizætiøn"]]})
        assert set(updated) == set(load("gspread/sheets_values_update_200.json")["response"]["body"])
        recorded = load("gspread/sheets_add_sheet_200.json")
        added = gs.http_client.batch_update(book, recorded["request"]["body"])
        want = recorded["response"]["body"]["replies"][0]["addSheet"]["properties"]
        assert set(added) == set(recorded["response"]["body"])
        assert set(added["replies"][0]["addSheet"]["properties"]) == set(want)


def test_a_real_forms_response_maps_without_an_email_and_keeps_its_microseconds():
    rec = load("forms/responses_list_single.json")["response"]["body"]
    (raw,) = rec["responses"]
    assert fractional_digits(raw["createTime"]) == 3 and fractional_digits(raw["lastSubmittedTime"]) == 6
    gids = list(raw["answers"])
    t = I18n("Суроо", "Вопрос")
    spec = FormSpec("r", 1, "event_feedback", t, None, False, False, False, (Section("s1", t),),
                    tuple(Question(f"q{i}", "short_text", t, "s1") for i in range(len(gids))))
    ids = FormIds(questions={(f"q{i}", None): g for i, g in enumerate(gids)})
    got = map_response(spec, ids, raw)
    assert got.respondent_email is None and got.participant_id is None
    assert got.submitted_at == dt.datetime(2024, 6, 19, 16, 5, 51, 394652, tzinfo=dt.timezone.utc)
    assert got.answers == {f"q{i}": f"answer {i + 1}" for i in range(len(gids))}
    assert parse_timestamp(raw["createTime"]).microsecond == 394000


def test_the_fakes_responses_have_the_recorded_shape_and_precision():
    recorded = load("forms/responses_list_single.json")["response"]["body"]["responses"][0]
    with FakeGoogle() as fake:
        form = fake.forms.create_form("F", published=True)["formId"]
        fake.forms.add_response(form, {}, submitted_at=dt.datetime(2024, 6, 19, 16, 5, 51, 394652,
                                                                    tzinfo=dt.timezone.utc))
        forms = fake.build("forms", Credentials(token="t"))
        (mine,) = forms.forms().responses().list(formId=form).execute()["responses"]
    assert set(mine) == set(recorded)  # no respondentEmail unless collected
    for key in ("createTime", "lastSubmittedTime"):
        assert fractional_digits(mine[key]) == fractional_digits(recorded[key]), key
