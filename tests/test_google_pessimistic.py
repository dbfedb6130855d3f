"""The adapters under the fake's pessimistic modes that concern Forms and Sheets (issue 13, item 8).

* a new form's e-mail collection defaults to VERIFIED for a Workspace owner (forms.v1 discovery,
  FormSettings.emailCollectionType): the adapter must say DO_NOT_COLLECT explicitly;
* Forms and Sheets errors come without the legacy ``errors[].reason`` (code, message, status,
  details only): a missing scope is still told as a sign-in problem;
* a Sheets cell holds at most 50,000 characters: a longer answer must not stop the sync.
"""
from __future__ import annotations

import datetime as dt

import pytest

from automation.model import FormSpec, I18n, Question, Section
from automation.store import Store
from automation.workspace.google import Connection, GoogleAuthError, GoogleForms, GoogleSheets, Memo
from automation.workspace.google.sheets import CELL_LIMIT, sheet_title
from conftest import google_connection

DEADLINE = dt.datetime(2022, 6, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def strict(fake_google):
    return fake_google(pessimistic=True)


def connect(fake, token="tok", scopes=None) -> Connection:
    if scopes:
        fake.grant(token, scopes)
    return google_connection(fake, token=token)


def spec(collect_email: bool) -> FormSpec:
    t = I18n("Суроо", "Вопрос")
    return FormSpec("t", 1, "event_feedback", I18n("Сурамжылоо", "Опрос"), None, False, False, collect_email,
                    (Section("s1", t),), (Question("note", "short_text", t, "s1"),))


@pytest.mark.parametrize("collect, expected", [(False, "DO_NOT_COLLECT"), (True, "RESPONDER_INPUT")])
def test_email_collection_is_explicit_when_googles_default_is_verified(strict, collect, expected):
    made = GoogleForms(connect(strict)).create_form("ev.mail", spec(collect), DEADLINE)
    assert strict.forms.form(made.external_id)["settings"]["emailCollectionType"] == expected


def test_a_missing_scope_without_legacy_reason_is_still_a_sign_in_problem(strict):
    forms = GoogleForms(connect(strict, "narrow", ["gmail.compose"]))
    with pytest.raises(GoogleAuthError, match="python main.py auth"):
        forms.create_form("ev.scope", spec(False), DEADLINE)


def test_the_fakes_forms_and_sheets_errors_have_no_legacy_reason(strict):
    import requests

    r = requests.get(f"{strict.url}/v1/forms/nope", headers={"Authorization": "Bearer t"})
    body = r.json()["error"]
    assert r.status_code == 404 and "errors" not in body and body["status"] == "NOT_FOUND"
    r = requests.get(f"{strict.url}/drive/v3/files/nope", headers={"Authorization": "Bearer t"})
    assert "errors" in r.json()["error"]  # Drive still sends the legacy list


def test_an_answer_longer_than_a_cell_is_cut_in_the_sheet_and_the_sync_goes_on(strict):
    sheets = GoogleSheets(connect(strict), Memo(Store(":memory:")), spreadsheet_title="S")
    essay = "сөз " * 20_000  # 80,000 characters
    sheets.write_responses("ev.long", "L", ["Жооп"], [[essay], ["кыска"]])
    (book,) = strict.sheets.spreadsheets
    ref = "'" + sheet_title("ev.long") + "'!A1:A3"
    cells = [r[0] for r in strict.sheets.values(book, ref)]
    assert len(cells[1]) <= CELL_LIMIT and cells[1].startswith(essay[:1000]) and "символов" in cells[1]
    assert cells[2] == "кыска"


def test_responses_in_no_particular_order_over_several_pages_are_all_fetched(strict):
    from automation.workspace.google.form_requests import form_ids

    forms = GoogleForms(connect(strict), page_size=2)
    made = forms.create_form("ev.order", spec(False), DEADLINE)
    qid = form_ids(spec(False)).questions[("note", None)]
    start = dt.datetime(2022, 6, 10, 9, 0, tzinfo=dt.timezone.utc)
    for i in range(7):
        strict.forms.add_response(made.external_id, {qid: f"ответ {i}"}, submitted_at=start + dt.timedelta(minutes=i))
    got = forms.fetch_responses("ev.order", made.external_id, spec(False), None)
    times = [r.submitted_at for r in got]
    assert sorted(times) == [start + dt.timedelta(minutes=i) for i in range(7)]
    assert times != sorted(times)  # the fake's order is not the submission order
    assert strict.calls["forms.responses.list"] == 4  # 2 a page
