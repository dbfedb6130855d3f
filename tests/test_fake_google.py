"""The fake Google server, exercised through the REAL client libraries.

googleapiclient is pointed at the fake with ``client_options={"api_endpoint": ...}``
and an httplib2 transport that keeps media uploads on plain http; gspread through a
requests transport adapter mounted on its session. See tests/fake_google/README.md.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
from email.message import EmailMessage

import gspread
import httplib2
import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest, MediaIoBaseUpload

from conftest import Clock
from fake_google import FORMULA_MARKER, FakeGoogle

UTC = dt.timezone.utc


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def fake(fake_google, clock):
    return fake_google(clock=clock)


@pytest.fixture
def creds() -> Credentials:
    return Credentials(token="fake")


def no_sleep(request):
    """googleapiclient retries sleep rand()*2**n seconds; tests don't wait."""
    request._sleep = lambda seconds: None
    return request


def choice(title, options, answer=None, points=1):
    question = {"required": True, "choiceQuestion": {"type": "RADIO", "options": [{"value": o} for o in options]}}
    if answer is not None:
        question["grading"] = {"pointValue": points, "correctAnswers": {"answers": [{"value": answer}]}}
    return {"title": title, "questionItem": {"question": question}}


def create_item(item, index):
    return {"createItem": {"item": item, "location": {"index": index}}}


QUIZ = {"updateSettings": {"settings": {"quizSettings": {"isQuiz": True}}, "updateMask": "quizSettings.isQuiz"}}
PUBLISH = {"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}}}


def error_of(exc: HttpError) -> dict:
    import json

    return json.loads(exc.content)["error"]


# -- discovery ------------------------------------------------------------------------------


class NoNetwork(httplib2.Http):
    def request(self, uri, *args, **kwargs):
        raise AssertionError(f"build() tried to fetch {uri}")


@pytest.mark.parametrize("name, version", [("forms", "v1"), ("sheets", "v4"), ("drive", "v3"),
                                           ("gmail", "v1"), ("admin", "directory_v1")])
def test_build_uses_the_shipped_discovery_documents_by_default(fake, name, version):
    # static_discovery defaults to True when no discoveryServiceUrl is given: no fetch at all
    build(name, version, http=NoNetwork(), client_options={"api_endpoint": fake.url + "/"})
    assert fake.log == [] and fake.unmatched == []


# -- Forms ----------------------------------------------------------------------------------


def test_quiz_form_is_made_in_three_calls_and_responses_page_and_filter(fake, creds, clock):
    forms = fake.build("forms", creds)
    form = forms.forms().create(body={"info": {"title": "Pre-test", "documentTitle": "2026 pre-test"}}).execute()
    form_id = form["formId"]
    assert form["publishSettings"]["publishState"].get("isPublished", False) is False

    items = [create_item(choice(f"Q{i}", ["A", "B", "C"], answer="B"), i) for i in range(40)]
    items.append(create_item({"title": "Comments", "questionItem": {"question": {"textQuestion": {"paragraph": True}}}}, 40))
    reply = forms.forms().batchUpdate(formId=form_id, body={"requests": [QUIZ, *items]}).execute()
    assert len(reply["replies"]) == 42 and reply["replies"][1]["createItem"]["questionId"]
    published = forms.forms().setPublishSettings(formId=form_id, body=PUBLISH).execute()
    assert published["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}
    assert fake.calls == {"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1}

    got = forms.forms().get(formId=form_id).execute()
    assert got["settings"]["quizSettings"]["isQuiz"] is True and len(got["items"]) == 41
    qid = fake.forms.question_ids(form_id)["Q0"]

    for i in range(12):
        fake.forms.add_response(form_id, {qid: "B" if i % 2 else "A"}, respondent_email=f"p{i}@example.org")
        clock.advance(minutes=1)
    responses, token, pages = [], None, 0
    while True:
        page = forms.forms().responses().list(formId=form_id, pageSize=5, pageToken=token).execute()
        responses += page.get("responses", [])
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == 3 and len(responses) == 12
    assert responses[1]["answers"][qid]["textAnswers"]["answers"] == [{"value": "B"}]
    assert responses[1]["answers"][qid]["grade"]["correct"] is True and responses[0]["totalScore"] == 0

    since = responses[9]["lastSubmittedTime"]
    newer = forms.forms().responses().list(formId=form_id, filter=f"timestamp > {since}").execute()
    assert [r["responseId"] for r in newer["responses"]] == [r["responseId"] for r in responses[10:]]
    one = forms.forms().responses().get(formId=form_id, responseId=responses[0]["responseId"]).execute()
    assert one["formId"] == form_id
    empty = forms.forms().responses().list(formId=form_id, filter="timestamp > 2030-01-01T00:00:00Z").execute()
    assert empty == {}


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"info": {"title": "x", "bogus": 1}}, 'Unknown name "bogus"'),
        ({"info": {"title": "x", "description": "d"}}, "Only info.title"),
        ({"info": {"title": "x"}, "items": []}, "Only info.title"),
        ({"info": {"title": 5}}, "TYPE_STRING"),
        ({"info": {}}, "required field 'title'"),
    ],
)
def test_forms_create_rejects_anything_but_the_title(fake, creds, body, fragment):
    forms = fake.build("forms", creds)
    with pytest.raises(HttpError) as info:
        forms.forms().create(body=body).execute()
    assert info.value.resp.status == 400
    error = error_of(info.value)
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400 and error["errors"]
    assert fragment in error["message"]
    assert fake.forms.records == {}


@pytest.mark.parametrize(
    "requests, fragment",
    [
        ([create_item(choice("Q", ["A", "B"], answer="A"), 0)], "only be set on a quiz"),
        ([create_item(choice("Q", ["A", "B"], answer="A"), 0), QUIZ], "only be set on a quiz"),  # order matters
        ([QUIZ, create_item({"title": "S", "questionItem": {"question": {
            "scaleQuestion": {"low": 1, "high": 5},
            "grading": {"pointValue": 1, "correctAnswers": {"answers": [{"value": "5"}]}}}}}, 0)], "cannot be graded"),
        ([QUIZ, create_item(choice("Q", ["A", "B"], answer="Z"), 0)], "not one of the options"),
        ([create_item(choice("Q", ["A", "B"]), 1)], "out of range"),
        ([create_item(choice("Q", ["A", "B"]), -1)], "out of range"),
        ([{"createItem": {"item": choice("Q", ["A"])}}], "required field 'location'"),
        ([create_item({"title": "Q", "questionItem": {"question": {
            "choiceQuestion": {"type": "SLIDER", "options": [{"value": "A"}]}}}}, 0)], "TYPE_ENUM"),
        ([create_item(choice("Q", ["A", "A"]), 0)], "duplicate option"),
        ([{"deleteItem": {"location": {"index": 0}}}], "out of range"),
        ([{"updateFormInfo": {"info": {"title": "New"}}}], "required field 'updateMask'"),
        ([{"createItem": {"item": {"title": "Q", "questionItem": {"question": {"textQuestion": {}}}},
                          "location": {"index": 0}, "extra": True}}], 'Unknown name "extra"'),
    ],
)
def test_forms_batch_update_rules(fake, creds, requests, fragment):
    forms = fake.build("forms", creds)
    form_id = forms.forms().create(body={"info": {"title": "T"}}).execute()["formId"]
    with pytest.raises(HttpError) as info:
        forms.forms().batchUpdate(formId=form_id, body={"requests": requests}).execute()
    assert info.value.resp.status == 400 and fragment in error_of(info.value)["message"]
    form = forms.forms().get(formId=form_id).execute()
    assert "items" not in form and form["revisionId"] == "00000001"  # nothing changed


def test_forms_updates_delete_and_publish_rules(fake, creds):
    forms = fake.build("forms", creds)
    form_id = forms.forms().create(body={"info": {"title": "T"}}, unpublished=True).execute()["formId"]
    forms.forms().batchUpdate(formId=form_id, body={"requests": [
        QUIZ,
        create_item(choice("Q1", ["A", "B"], answer="A"), 0),
        create_item(choice("Q2", ["A", "B"]), 1),
        {"deleteItem": {"location": {"index": 1}}},
        {"updateFormInfo": {"info": {"description": "About"}, "updateMask": "description"}},
        {"updateSettings": {"settings": {"quizSettings": {"isQuiz": False}}, "updateMask": "quizSettings.isQuiz"}},
    ]}).execute()
    form = forms.forms().get(formId=form_id).execute()
    assert [i["title"] for i in form["items"]] == ["Q1"]
    assert "grading" not in form["items"][0]["questionItem"]["question"]  # isQuiz=false drops grading
    assert form["info"] == {"title": "T", "documentTitle": "T", "description": "About"}
    with pytest.raises(ValueError):
        fake.forms.add_response(form_id, {})  # not accepting responses yet
    bad = {"publishSettings": {"publishState": {"isPublished": False, "isAcceptingResponses": True}}}
    with pytest.raises(HttpError) as info:
        forms.forms().setPublishSettings(formId=form_id, body=bad).execute()
    assert info.value.resp.status == 400
    with pytest.raises(HttpError):  # the guide's flat shape is not the schema's
        forms.forms().setPublishSettings(formId=form_id, body={
            "publishSettings": {"isPublished": True, "isAcceptingResponses": True}}).execute()
    with pytest.raises(HttpError) as info:
        forms.forms().responses().list(formId=form_id, filter="createTime > 2020").execute()
    assert info.value.resp.status == 400
    with pytest.raises(HttpError) as info:
        forms.forms().get(formId="nope").execute()
    assert info.value.resp.status == 404


# -- Sheets through gspread ----------------------------------------------------------------------


def test_gspread_create_open_add_worksheet_and_write_raw(fake, creds):
    gc = fake.gspread_client(creds)
    sh = gc.create("Season 2026")
    assert gc.open("Season 2026").id == sh.id
    ws = sh.add_worksheet("Pre-test", rows=20, cols=5)
    ws.update([["name", "answer"], ["Aida", "=HYPERLINK(\"http://x\")"], ["Bek", "12"]], "A1",
              value_input_option="RAW")
    assert ws.get_all_values() == [["name", "answer"], ["Aida", '=HYPERLINK("http://x")'], ["Bek", "12"]]
    assert not fake.sheets.cell(sh.id, "'Pre-test'!B2").is_formula
    assert fake.sheets.writes[-1].value_input_option == "RAW"

    ws.update([["=1+1", "7"]], "A5", value_input_option="USER_ENTERED")
    assert fake.sheets.cell(sh.id, "'Pre-test'!A5").is_formula
    assert ws.acell("A5").value == FORMULA_MARKER + "=1+1"
    assert fake.sheets.cell(sh.id, "'Pre-test'!B5").value == 7

    assert [w.title for w in sh.worksheets()] == ["Sheet1", "Pre-test"]
    ws.update_title("Pre")
    sh.del_worksheet(sh.worksheet("Sheet1"))
    assert fake.sheets.sheet_titles(sh.id) == ["Pre"]
    ws.append_rows([["Cholpon", "3"]], value_input_option="RAW")
    assert ws.get_all_values()[-1] == ["Cholpon", "3"]
    ws.clear()
    assert ws.get_all_values() in ([], [[]]) and fake.sheets.values(sh.id, "Pre") == []

    with pytest.raises(gspread.exceptions.APIError) as info:
        ws.update([["x"]], "A21", value_input_option="RAW")  # the grid has 20 rows
    assert "exceeds grid limits" in str(info.value)
    with pytest.raises(gspread.exceptions.APIError):
        sh.add_worksheet("Pre", rows=5, cols=5)  # duplicate title
    assert fake.calls["sheets.values.update"] == 3 and fake.calls["sheets.batchUpdate"] == 4


def test_sheets_value_input_option_is_required(fake, creds):
    sheets = fake.build("sheets", creds)
    book = sheets.spreadsheets().create(body={"properties": {"title": "B"}}).execute()
    with pytest.raises(HttpError) as info:
        sheets.spreadsheets().values().update(spreadsheetId=book["spreadsheetId"], range="Sheet1!A1",
                                              body={"values": [["x"]]}).execute()
    assert "valueInputOption" in error_of(info.value)["message"]
    import requests  # googleapiclient checks enums itself; send a bad one by hand

    reply = requests.put(f"{fake.url}/v4/spreadsheets/{book['spreadsheetId']}/values/A1",
                         params={"valueInputOption": "CLEVER"}, json={"values": [["x"]]},
                         headers={"Authorization": "Bearer fake"})
    assert reply.status_code == 400 and "TYPE_ENUM" in reply.json()["error"]["message"]
    out = sheets.spreadsheets().values().batchUpdate(spreadsheetId=book["spreadsheetId"], body={
        "valueInputOption": "RAW", "data": [{"range": "Sheet1!A1:B2", "values": [["a", "b"], ["c", "d"]]}]}).execute()
    assert out["totalUpdatedCells"] == 4
    got = sheets.spreadsheets().get(spreadsheetId=book["spreadsheetId"], fields="sheets.properties.title").execute()
    assert got == {"sheets": [{"properties": {"title": "Sheet1"}}]}


# -- Drive ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("resumable", [False, True])
def test_drive_upload_and_share(fake, creds, resumable):
    drive = fake.build("drive", creds)
    folder = drive.files().create(body={"name": "Reports", "mimeType": "application/vnd.google-apps.folder"}).execute()
    data = b"\x89PNG fake chart " * 100
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="image/png", resumable=resumable,
                              chunksize=512 if resumable else -1)
    request = drive.files().create(body={"name": "chart.png", "parents": [folder["id"]]}, media_body=media,
                                   fields="id,name,webViewLink")
    if resumable:
        response = None
        while response is None:
            _, response = request.next_chunk()
        uploaded = response
    else:
        uploaded = request.execute()
    assert uploaded["name"] == "chart.png" and uploaded["webViewLink"].startswith("https://drive.google.com/")
    assert fake.drive.content(uploaded["id"]) == data
    perm = drive.permissions().create(fileId=uploaded["id"], body={"role": "reader", "type": "anyone"}).execute()
    assert perm["id"] == "anyoneWithLink"
    with pytest.raises(HttpError) as info:
        drive.permissions().create(fileId=uploaded["id"], body={"type": "user"}).execute()  # role missing
    assert info.value.resp.status == 400
    listed = drive.files().list(q=f"'{folder['id']}' in parents and name = 'chart.png'", fields="files(id)").execute()
    assert listed == {"files": [{"id": uploaded["id"]}]}
    assert fake.calls["drive.files.create"] == 2


# -- Gmail ----------------------------------------------------------------------------------------


def test_gmail_send_and_find_by_rfc822msgid(fake, creds):
    gmail = fake.build("gmail", creds)
    msg = EmailMessage()
    msg["To"], msg["From"], msg["Subject"] = "a@example.org", "club@example.org", "Тест"
    msg["Message-ID"] = "<season-2026-pre-a@club.example.org>"
    msg.set_content("Салам!")
    raw = base64.urlsafe_b64encode(msg.as_bytes()).decode()
    sent = gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
    assert sent["labelIds"] == ["SENT"] and sent["threadId"]

    found = gmail.users().messages().list(userId="me", q="rfc822msgid:<season-2026-pre-a@club.example.org>").execute()
    assert found["messages"] == [{"id": sent["id"], "threadId": sent["threadId"]}]
    missing = gmail.users().messages().list(userId="me", q="rfc822msgid:other@club.example.org").execute()
    assert "messages" not in missing and missing["resultSizeEstimate"] == 0
    full = gmail.users().messages().get(userId="me", id=sent["id"], format="metadata",
                                        metadataHeaders=["Subject"]).execute()
    assert full["payload"]["headers"] == [{"name": "Subject", "value": "Тест"}]
    assert fake.gmail.sent()[0]["Subject"] == "Тест"

    nobody = EmailMessage()
    nobody.set_content("x")
    with pytest.raises(HttpError) as info:
        gmail.users().messages().send(userId="me", body={
            "raw": base64.urlsafe_b64encode(nobody.as_bytes()).decode()}).execute()
    assert "Recipient address required" in error_of(info.value)["message"]


def test_gmail_send_scope_cannot_search(fake):
    fake.grant("send-only", ["gmail.send"])
    gmail = fake.build("gmail", Credentials(token="send-only"))
    with pytest.raises(HttpError) as info:
        gmail.users().messages().list(userId="me", q="rfc822msgid:x@y").execute()
    assert info.value.resp.status == 403


# -- Directory ------------------------------------------------------------------------------------


def test_directory_list_then_batch_insert_and_delete(fake, creds):
    fake.directory.add_group("club@example.org", ["old@example.org", "stay@example.org"])
    directory = fake.build("directory", creds)
    listed = directory.members().list(groupKey="club@example.org").execute()
    assert {m["email"] for m in listed["members"]} == {"old@example.org", "stay@example.org"}

    results = {}
    batch = BatchHttpRequest(callback=lambda rid, resp, exc: results.update({rid: (resp, exc)}),
                             batch_uri=fake.batch_uri("directory"))
    batch.add(directory.members().insert(groupKey="club@example.org", body={"email": "new@example.org"}), request_id="i")
    batch.add(directory.members().insert(groupKey="club@example.org", body={"email": "stay@example.org"}), request_id="d")
    batch.add(directory.members().delete(groupKey="club@example.org", memberKey="old@example.org"), request_id="x")
    batch.execute()
    assert results["i"][0]["email"] == "new@example.org" and results["i"][1] is None
    assert results["d"][1].resp.status == 409  # already a member
    assert results["x"][1] is None  # deleted (204)
    assert sorted(fake.directory.members("club@example.org")) == ["new@example.org", "stay@example.org"]
    assert fake.calls["directory.batch"] == 1 and fake.calls["directory.members.list"] == 1

    page = directory.members().list(groupKey="club@example.org", maxResults=1).execute()
    assert len(page["members"]) == 1 and page["nextPageToken"]
    with pytest.raises(HttpError) as info:
        directory.members().list(groupKey="nobody@example.org").execute()
    assert info.value.resp.status == 404


# -- faults, auth, counting -----------------------------------------------------------------------


def test_429_then_500_then_success_is_retried_by_googleapiclient(fake, creds):
    forms = fake.build("forms", creds)
    fake.fail_next(1, status=429, method="forms.create")
    fake.fail_next(1, status=500)
    form = no_sleep(forms.forms().create(body={"info": {"title": "T"}})).execute(num_retries=3)
    assert len(fake.forms.records) == 1 and form["formId"] in fake.forms.records
    assert fake.calls["forms.create"] == 3 and fake.ok_calls["forms.create"] == 1
    fake.reset_calls()
    assert fake.calls == {}

    fake.fail_next(1, status=429)
    with pytest.raises(HttpError) as info:
        forms.forms().get(formId=form["formId"]).execute()  # no retries asked for
    assert info.value.resp.status == 429 and error_of(info.value)["status"] == "RESOURCE_EXHAUSTED"


def test_gspread_sees_injected_errors_as_api_errors(fake, creds):
    gc = fake.gspread_client(creds)
    sh = gc.create("S")
    fake.fail_next(1, status=500, method="sheets.values.update")
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.sheet1.update([["x"]], "A1", value_input_option="RAW")
    assert info.value.code == 500
    sh.sheet1.update([["x"]], "A1", value_input_option="RAW")
    assert fake.calls["sheets.values.update"] == 2


def test_revoked_and_missing_tokens_get_401(fake):
    import google.auth.exceptions

    fake.revoke("old")
    forms = fake.build("forms", Credentials(token="old"))
    # google-auth tries to refresh on 401; a token without a refresh token cannot.
    with pytest.raises(google.auth.exceptions.RefreshError):
        forms.forms().get(formId="x").execute()
    assert fake.log[-1].status == 401

    import requests

    response = requests.get(fake.url + "/v1/forms/x")
    assert response.status_code == 401 and response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_unknown_paths_and_unknown_query_parameters(fake, creds):
    import requests

    headers = {"Authorization": "Bearer fake"}
    assert requests.get(fake.url + "/v9/nothing", headers=headers).status_code == 404
    reply = requests.get(fake.url + "/v1/forms/x?colour=red", headers=headers)
    assert reply.status_code == 400 and "Cannot bind query parameter" in reply.json()["error"]["message"]


def test_every_item_kind_the_templates_use_is_accepted(fake, creds):
    forms = fake.build("forms", creds)
    form_id = forms.forms().create(body={"info": {"title": "All kinds"}}).execute()["formId"]
    kinds = [
        {"title": "Section 2", "pageBreakItem": {}},
        {"title": "Intro", "description": "Read me", "textItem": {}},
        {"title": "Born", "questionItem": {"question": {"dateQuestion": {"includeYear": True}}}},
        {"title": "Scale", "questionItem": {"question": {"scaleQuestion": {"low": 1, "high": 5, "lowLabel": "no"}}}},
        {"title": "Oblast", "questionItem": {"question": {"choiceQuestion": {
            "type": "DROP_DOWN", "options": [{"value": "Chui"}, {"value": "Osh"}]}}}},
        {"title": "Many", "questionItem": {"question": {"choiceQuestion": {
            "type": "CHECKBOX", "options": [{"value": "a"}, {"value": "b"}, {"isOther": True}]}}}},
        {"title": "Grid", "questionGroupItem": {
            "questions": [{"rowQuestion": {"title": "Row 1"}}, {"rowQuestion": {"title": "Row 2"}}],
            "grid": {"columns": {"type": "RADIO", "options": [{"value": "1"}, {"value": "2"}]}}}},
        {"title": "Short", "questionItem": {"question": {"textQuestion": {"paragraph": False}}}},
    ]
    settings = {"updateSettings": {"settings": {"emailCollectionType": "VERIFIED"},
                                   "updateMask": "emailCollectionType"}}
    reply = forms.forms().batchUpdate(formId=form_id, body={
        "requests": [settings] + [create_item(item, i) for i, item in enumerate(kinds)],
        "includeFormInResponse": True}).execute()
    grid_reply = reply["replies"][7]["createItem"]
    assert len(grid_reply["questionId"]) == 2
    assert reply["form"]["settings"]["emailCollectionType"] == "VERIFIED"
    forms.forms().setPublishSettings(formId=form_id, body=PUBLISH).execute()
    row = grid_reply["questionId"][0]
    response = fake.forms.add_response(form_id, {row: "2"})
    assert response["answers"][row]["textAnswers"]["answers"] == [{"value": "2"}]
    with pytest.raises(ValueError):
        fake.forms.add_response(form_id, {row: "3"})  # not a column of the grid


def test_fail_next_after_lets_calls_through_first(fake, creds):
    gmail = fake.build("gmail", creds)
    msg = EmailMessage()
    msg["To"] = "a@example.org"
    msg.set_content("x")
    raw = base64.urlsafe_b64encode(msg.as_bytes()).decode()
    fake.fail_next(1, 500, "gmail.users.messages.send", after=2)
    for _ in range(2):
        gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
    with pytest.raises(HttpError) as err:
        gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
    assert err.value.resp.status == 500
    gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
    assert fake.ok_calls["gmail.users.messages.send"] == 3


def test_client_seams_reach_the_fake(fake, creds):
    from googleapiclient.discovery import build

    seams = fake.client_seams(creds)
    forms = build("forms", "v1", http=seams["http_factory"](), client_options={"api_endpoint": seams["api_endpoint"]("forms")})
    forms.forms().create(body={"info": {"title": "x"}}).execute()
    assert seams["batch_uri"]("directory") == fake.batch_uri("directory")
    assert fake.calls == {"forms.create": 1}


def test_gmail_drafts_sent_become_a_new_message_and_are_gone(fake, creds):
    """Google's drafts guide: sending deletes the draft and files a new message with a new id (SENT)."""
    gmail = fake.build("gmail", creds)
    msg = EmailMessage()
    msg["To"], msg["From"], msg["Subject"] = "a@example.org", "club@example.org", "Тест"
    msg["Message-ID"] = "<draft-1@club.example.org>"
    msg.set_content("Салам!")
    raw = base64.urlsafe_b64encode(msg.as_bytes()).decode()
    draft = gmail.users().drafts().create(userId="me", body={"message": {"raw": raw}}).execute()
    assert draft["message"]["labelIds"] == ["DRAFT"]
    assert gmail.users().drafts().get(userId="me", id=draft["id"], format="minimal").execute()["id"] == draft["id"]
    assert fake.gmail.sent() == []
    sent = gmail.users().drafts().send(userId="me", body={"id": draft["id"]}).execute()
    assert sent["labelIds"] == ["SENT"] and sent["id"] != draft["message"]["id"]
    assert sent["threadId"] == draft["message"]["threadId"]
    for call in (gmail.users().drafts().get(userId="me", id=draft["id"]),
                 gmail.users().drafts().send(userId="me", body={"id": draft["id"]})):
        with pytest.raises(HttpError) as info:
            call.execute()
        assert info.value.resp.status == 404
    assert [m["Message-ID"] for m in fake.gmail.sent()] == ["<draft-1@club.example.org>"]


def test_gmail_replaces_the_message_id_in_pessimistic_mode(creds):
    with FakeGoogle(gmail_replaces_message_id=True) as fake:
        gmail = fake.build("gmail", creds)
        msg = EmailMessage()
        msg["To"], msg["Subject"], msg["Message-ID"] = "a@example.org", "x", "<mine@club.example.org>"
        msg.set_content("x")
        raw = base64.urlsafe_b64encode(msg.as_bytes()).decode()
        gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
        (sent,) = fake.gmail.sent()
        assert sent["Message-ID"] != "<mine@club.example.org>" and len(sent.get_all("Message-ID")) == 1
        found = gmail.users().messages().list(userId="me", q="rfc822msgid:mine@club.example.org").execute()
        assert "messages" not in found
