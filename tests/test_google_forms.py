"""Google Forms adapter against the fake Google, through the real googleapiclient.

Call budgets of DESIGN.md: a form of 40 questions costs 4 calls (3 Forms + the responders); 12,000
responses sync in 3 responses.list calls and 1 sheet write; 429 then 500 then
success completes once with nothing duplicated.
"""
from __future__ import annotations

import dataclasses

import datetime as dt
import functools
import json
import re
import urllib.parse
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from automation.forms.answers import check_answers, grade, score
from automation.cli.main import main
from automation.context import Context
from automation.errors import BackendError
from automation.jobs.responses import sync_form
from automation.model import FormSpec, I18n, Option, Participant, Question, Scale, Section, iso
from automation.plan.load import load_plan
from automation.store import Store
from automation.forms.templates import load_templates
from automation.workspace.google import Connection, GoogleAuthError, GoogleBackend, GoogleForms, Memo
from automation.workspace.google.form_requests import (CODE_QUESTION, FormBuildError, answer_key_on_google,
                                                       build_form_requests, form_ids, google_id)
from automation.workspace.google.forms import map_answers
from conftest import Clock, google_answers, google_connection
from fake_google import FakeGoogle

UTC = dt.timezone.utc
ROOT = Path(__file__).resolve().parent.parent
DEADLINE = dt.datetime(2022, 6, 20, 12, 0, tzinfo=UTC)
#: When this file's clock starts.
START = dt.datetime(2022, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def fake(fake_google, clock):
    return fake_google(clock=clock)


@pytest.fixture
def creds() -> Credentials:
    return Credentials(token="tok")


@pytest.fixture
def conn(fake, creds) -> Connection:
    return google_connection(fake, creds)


@functools.cache
def raw_templates() -> dict[str, FormSpec]:
    return load_templates()


@functools.cache
def templates() -> dict[str, FormSpec]:
    out = {}
    for k, spec in raw_templates().items():
        if any(q.options_from for q in spec.questions):
            spec = spec.with_options("presenters", [Option("p_a", I18n("Айгүл А.", "Айгуль А.")),
                                                    Option("p_b", I18n("Бермет Б.", "Бермет Б."))])
        out[k] = spec
    return out


def t(ky: str, ru: str | None = None) -> I18n:
    return I18n(ky, ru or ky + " (ru)")


def every_kind_spec(n_questions: int = 40, quiz: bool = True) -> FormSpec:
    """A quiz with every question kind of QUESTION_KINDS, graded where Google can grade (``show_answers``
    ``after_submit``, so the key goes to Google)."""
    abc = (Option("a", t("Бир", "Один")), Option("b", t("Эки", "Два")), Option("c", t("Үч", "Три")))
    base = [
        Question("single", "single_choice", t("Бирөөнү тандаңыз"), "s1", True, options=abc, correct=("b",), points=2),
        Question("multi", "multiple_choice", t("Бир нечесин"), "s1", options=abc, correct=("a", "c")),
        Question("drop", "dropdown", t("Тизмеден"), "s1", options=abc, correct=("c",)),
        Question("other", "single_choice", t("Башка жооп"), "s1", options=abc, other=True),
        Question("multi_other", "multiple_choice", t("Бир нечеси же башка"), "s1", options=abc, other=True),
        Question("likert", "scale", t("Баалаңыз"), "s2", True, scale=Scale(1, 5, t("жаман"), t("жакшы"))),
        Question("short", "short_text", t("Кыска жооп"), "s2", correct=("бюджет",), max_chars=100),
        Question("long", "long_text", t("Узун жооп"), "s2", help=t("Ачык жазыңыз"), max_words=1000),
        Question("born", "date", t("Туулган күн"), "s2"),
        Question("grid", "grid", t("Ар бир сапты баалаңыз"), "s3", options=abc,
                 rows=(Option("r1", t("Биринчи сап")), Option("r2", t("Экинчи сап")))),
    ]
    extra = [Question(f"q{i}", "single_choice", t(f"Суроо {i}", f"Вопрос {i}"), "s3", options=abc,
                      correct=("a",)) for i in range(n_questions - len(base))]
    if not quiz:
        base = [Question(**{**q.__dict__, "correct": (), "points": 0}) for q in base]
        extra = [Question(**{**q.__dict__, "correct": ()}) for q in extra]
    sections = (Section("s1", t("Тандоо")), Section("s2", t("Текст"), t("Түшүндүрмө")), Section("s3", t("Тор")))
    # shown right after sending: the only setting that puts the answer key on Google (answer_key_on_google)
    return FormSpec("every_kind", 1, "post_test", t("Бардык түрлөр", "Все виды"), t("Сүрөттөмө"), quiz, False,
                    True, sections, tuple(base + extra), show_answers="after_submit")


# --- the pure builder ----------------------------------------------------------------------


def test_builder_is_pure_and_ids_are_stable_google_shaped_and_unique():
    spec = every_kind_spec()
    a, b = build_form_requests(spec, DEADLINE), build_form_requests(spec, DEADLINE)
    assert a == b and json.loads(json.dumps(a)) == a
    ids = form_ids(spec)
    all_ids = list(ids.items.values()) + list(ids.questions.values())
    assert len(set(all_ids)) == len(all_ids)
    assert all(re.fullmatch(r"[0-7][0-9a-f]{7}", g) for g in all_ids)
    assert ids.questions[("single", None)] == google_id("question", "single")
    assert ids.code_question == google_id("question", CODE_QUESTION)


def test_builder_shapes_every_kind_in_both_languages():
    spec = every_kind_spec()
    bodies = build_form_requests(spec, DEADLINE, document_title="Все виды (ev.post_test)")
    assert bodies["create"] == {"info": {"title": "Бардык түрлөр / Все виды",
                                         "documentTitle": "Все виды (ev.post_test)"}}
    reqs = bodies["batchUpdate"]["requests"]
    assert "Бишкек" in reqs[0]["updateFormInfo"]["info"]["description"]
    assert "20.06.2022 18:00" in reqs[0]["updateFormInfo"]["info"]["description"]  # 12:00 UTC in Asia/Bishkek
    assert reqs[1]["updateSettings"] == {"settings": {"quizSettings": {"isQuiz": True},
                                                      "emailCollectionType": "RESPONDER_INPUT"},
                                         "updateMask": "quizSettings.isQuiz,emailCollectionType"}
    items = [r["createItem"]["item"] for r in reqs[2:]]
    assert [r["createItem"]["location"]["index"] for r in reqs[2:]] == list(range(len(items)))
    assert "textItem" in items[0] and sum("pageBreakItem" in i for i in items) == 2
    by_title = {i["title"]: i for i in items}
    single = by_title["Бирөөнү тандаңыз / Бирөөнү тандаңыз (ru)"]["questionItem"]["question"]
    assert single["choiceQuestion"]["type"] == "RADIO" and single["required"] is True
    assert single["choiceQuestion"]["options"][1] == {"value": "Эки / Два"}
    assert single["grading"] == {"pointValue": 2, "correctAnswers": {"answers": [{"value": "Эки / Два"}]}}
    multi = by_title["Бир нечесин / Бир нечесин (ru)"]["questionItem"]["question"]
    assert multi["choiceQuestion"]["type"] == "CHECKBOX"
    assert multi["grading"]["correctAnswers"]["answers"] == [{"value": "Бир / Один"}, {"value": "Үч / Три"}]
    assert by_title["Тизмеден / Тизмеден (ru)"]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    other = by_title["Башка жооп / Башка жооп (ru)"]["questionItem"]["question"]
    assert other["choiceQuestion"]["options"][-1] == {"isOther": True} and "grading" not in other
    likert = by_title["Баалаңыз / Баалаңыз (ru)"]["questionItem"]["question"]["scaleQuestion"]
    assert likert == {"low": 1, "high": 5, "lowLabel": "жаман / жаман (ru)", "highLabel": "жакшы / жакшы (ru)"}
    short = by_title["Кыска жооп / Кыска жооп (ru)"]
    assert short["questionItem"]["question"]["textQuestion"] == {"paragraph": False}
    assert short["questionItem"]["question"]["grading"]["correctAnswers"] == {"answers": [{"value": "бюджет"}]}
    assert "100" in short["description"]
    long = by_title["Узун жооп / Узун жооп (ru)"]
    assert long["questionItem"]["question"]["textQuestion"] == {"paragraph": True}
    assert long["description"].startswith("Ачык жазыңыз") and "1000" in long["description"]
    assert by_title["Туулган күн / Туулган күн (ru)"]["questionItem"]["question"]["dateQuestion"] == {
        "includeYear": True, "includeTime": False}
    grid = by_title["Ар бир сапты баалаңыз / Ар бир сапты баалаңыз (ru)"]["questionGroupItem"]
    assert grid["grid"]["columns"]["type"] == "RADIO" and len(grid["questions"]) == 2
    assert grid["questions"][0]["rowQuestion"] == {"title": "Биринчи сап / Биринчи сап (ru)"}
    assert items[-1]["questionItem"]["question"]["questionId"] == form_ids(spec).code_question
    assert bodies["setPublishSettings"] == {
        "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}},
        "updateMask": "publish_state"}


def test_builder_without_quiz_or_email_says_do_not_collect_and_nothing_else():
    """E-mail collection is always explicit: Google's default is VERIFIED for a Workspace owner."""
    spec = every_kind_spec(quiz=False)
    spec = FormSpec(**{**spec.__dict__, "collect_email": False, "description": None})
    settings, *reqs = build_form_requests(spec)["batchUpdate"]["requests"]
    assert settings == {"updateSettings": {"settings": {"emailCollectionType": "DO_NOT_COLLECT"},
                                           "updateMask": "emailCollectionType"}}
    assert all("createItem" in r for r in reqs)
    assert not any("grading" in json.dumps(r) for r in reqs)


# --- every template, accepted by the fake, and `forms build --json` ------------------------


@pytest.mark.parametrize("show", ["after_deadline", "never"])
def test_a_quiz_whose_answers_wait_keeps_its_key_off_google(show):
    """Google shows a quiz's correct answers as soon as she sends it unless its owner changes "Release grades"
    by hand, and the API cannot change it: the key stays with the service, which grades the responses."""
    spec = dataclasses.replace(every_kind_spec(), show_answers=show)
    reqs = build_form_requests(spec, DEADLINE)["batchUpdate"]["requests"]
    assert reqs[1]["updateSettings"] == {"settings": {"emailCollectionType": "RESPONDER_INPUT"},
                                         "updateMask": "emailCollectionType"}
    assert '"grading"' not in json.dumps(reqs) and '"isQuiz"' not in json.dumps(reqs)
    assert '"grading"' in json.dumps(build_form_requests(every_kind_spec(), DEADLINE))  # after_submit: keyed


@pytest.mark.parametrize("name", sorted(templates()))
def test_every_template_becomes_a_form_the_fake_accepts_in_four_calls(fake, conn, name, capsys):
    spec = templates()[name]
    forms = GoogleForms(conn)
    created = forms.create_form(f"ev.{name}", spec, DEADLINE)
    assert fake.calls == {"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1,
                          "drive.permissions.create": 1}
    form = fake.forms.form(created.external_id)
    assert form["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}
    assert created.url == form["responderUri"]
    keyed = answer_key_on_google(spec)
    assert bool(form["settings"].get("quizSettings", {}).get("isQuiz")) is keyed
    assert ('"grading"' in json.dumps(form["items"])) is (keyed and any(q.correct for q in spec.questions))
    ids = form_ids(spec)
    got = {q["questionId"] for i in form["items"] for q in
           ([i["questionItem"]["question"]] if "questionItem" in i else i.get("questionGroupItem", {}).get("questions", []))}
    assert got == set(ids.questions.values())
    if not any(q.options_from for q in raw_templates()[name].questions):
        assert main(["forms", "build", name, "--json", "--deadline", iso(DEADLINE)]) == 0
        assert json.loads(capsys.readouterr().out) == build_form_requests(spec, DEADLINE)


def test_forms_build_for_a_vote_uses_given_presenters(capsys):
    assert main(["forms", "build", "best_practice_vote", "--json", "--presenters", "Айгүл, Бермет"]) == 0
    out = capsys.readouterr().out
    assert "Айгүл" in out and "Бермет" in out


def test_a_form_of_40_questions_costs_four_calls(fake, conn):
    spec = every_kind_spec(40)
    assert len(spec.questions) == 40
    GoogleForms(conn).create_form("ev.big", spec, DEADLINE)
    assert fake.calls == {"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1,
                          "drive.permissions.create": 1}
    assert sum(fake.calls.values()) == 4


# --- responses ---------------------------------------------------------------------------------


ANSWERS = {"single": "b", "multi": ["a", "c"], "drop": "a", "other": "Менин жообум", "multi_other": ["b", "дагы"],
           "likert": 4, "short": "бюджет", "long": "=1+2 текст", "born": "1986-05-19", "grid": {"r1": "a", "r2": "c"}}


def test_responses_map_back_to_template_ids_and_answer_conventions(fake, conn):
    spec = every_kind_spec(12)
    forms = GoogleForms(conn)
    created = forms.create_form("ev.kinds", spec, DEADLINE)
    p = Participant(id="p_0123456789ab", name="Айгүл", email="aigul@example.org")
    link = forms.personal_links("ev.kinds", created.external_id, created.url, [p])[p.id]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["usp"] == ["pp_url"]
    (entry,) = [k for k in query if k.startswith("entry.")]
    code_qid = format(int(entry.split(".")[1]), "08x")  # the pre-fill entry is the questionId in decimal
    assert code_qid == form_ids(spec).code_question and query[entry] == [p.id]

    given = google_answers(spec, ANSWERS)
    given[code_qid] = p.id
    fake.forms.add_response(created.external_id, given, respondent_email="Aigul@Example.org")
    fake.reset_calls()
    (r,) = forms.fetch_responses("ev.kinds", created.external_id, spec, None)
    assert fake.calls == {"forms.responses.list": 1}
    assert r.answers == ANSWERS
    assert check_answers(spec, r.answers) == {}
    assert r.participant_id == p.id and r.respondent_email == "aigul@example.org"
    assert r.submitted_at == fake.now() and r.raw["responseId"] == r.response_id
    # the fake grades as Google does; our grading of the mapped answers agrees question by question
    ids = form_ids(spec)
    for q in spec.questions:
        if q.correct and q.id in r.answers:
            google = r.raw["answers"][ids.questions[(q.id, None)]]["grade"]
            assert (google.get("score", 0.0) > 0) == (grade(q, r.answers[q.id]) > 0), q.id
    assert r.raw["totalScore"] == score(spec, r.answers)


def test_incremental_sync_asks_only_for_newer_responses(fake, conn, clock):
    spec = every_kind_spec(10, quiz=False)
    forms = GoogleForms(conn)
    created = forms.create_form("ev.inc", spec, DEADLINE)
    for i in range(3):
        fake.forms.add_response(created.external_id, google_answers(spec, {"single": "a"}))
        clock.advance(hours=1)
    first = forms.fetch_responses("ev.inc", created.external_id, spec, None)
    clock.advance(hours=1)
    fake.forms.add_response(created.external_id, google_answers(spec, {"single": "c"}))
    since = max(r.submitted_at for r in first)
    fake.reset_calls()
    newer = forms.fetch_responses("ev.inc", created.external_id, spec, since)
    # the last one already seen comes again inside the 10-minute overlap (the store keys responses by id)
    assert [r.answers for r in newer] == [{"single": "a"}, {"single": "c"}]
    assert newer[0].response_id == first[-1].response_id
    assert fake.calls == {"forms.responses.list": 1}


def test_close_form_stops_responses(fake, conn):
    spec = every_kind_spec(10, quiz=False)
    forms = GoogleForms(conn)
    created = forms.create_form("ev.close", spec, DEADLINE)
    forms.close_form(created.external_id)
    assert fake.forms.form(created.external_id)["publishSettings"]["publishState"] == {"isPublished": True}
    with pytest.raises(ValueError, match="not accepting"):
        fake.forms.add_response(created.external_id, google_answers(spec, {"single": "a"}))


def test_personal_links_cost_no_call(fake, conn):
    forms = GoogleForms(conn)
    people = [Participant(id=f"p_{i:012x}", name=str(i), email=f"{i}@x.org") for i in range(50)]
    links = forms.personal_links("k", "FORM", "https://docs.google.com/forms/d/e/FORM/viewform", people)
    assert len(set(links.values())) == 50 and sum(fake.calls.values()) == 0


# --- the sync job: 12,000 responses, retries --------------------------------------------------


def google_context(fake, conn, store: Store | None = None) -> Context:
    store = store or Store(":memory:")
    plan = load_plan(ROOT / "examples/club2022/plan.yaml")
    backend = GoogleBackend.connect(conn, store, "club@example.org", spreadsheet_title="Клуб — 2022")
    return Context(store=store, plan=plan, backend=backend, out_dir=Path("/nonexistent"))


def register_form(ctx: Context, key: str, spec: FormSpec, external_id: str, url: str) -> None:
    ctx.store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, backend, external_id, url,"
        " spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,?,?,?,?,'open',?,?,?)",
        (key, spec.id, spec.version, spec.kind, "ev", "google", external_id, url,
         json.dumps(spec.to_json(), ensure_ascii=False), iso(DEADLINE), iso(DEADLINE), iso(DEADLINE)))


def small_spec() -> FormSpec:
    abc = (Option("a", t("Бир", "Один")), Option("b", t("Эки", "Два")))
    qs = (Question("choice", "single_choice", t("Тандаңыз"), "s1", options=abc),
          Question("note", "short_text", t("Пикир"), "s1"))
    return FormSpec("small", 1, "event_feedback", t("Кичине"), None, False, False, False,
                    (Section("s1", t("Бөлүм")),), qs)


def test_12000_responses_sync_in_three_list_calls_and_one_write(fake, conn, clock):
    spec = small_spec()
    ctx = google_context(fake, conn)
    created = ctx.backend.forms.create_form("ev.big", spec, DEADLINE)
    register_form(ctx, "ev.big", spec, created.external_id, created.url)
    ids = form_ids(spec)
    note = ids.questions[("note", None)]
    for i in range(12_000):
        fake.forms.add_response(created.external_id, {note: f"={i}+1"})
        clock.advance(seconds=1)
    fake.reset_calls()
    result = sync_form(ctx, "ev.big", clock())
    assert result.status == "done", result.detail
    assert fake.calls["forms.responses.list"] == 3
    assert fake.calls["sheets.values.update"] == 1
    # first sync of the season also makes the spreadsheet (Drive) and names its first worksheet
    assert fake.calls["drive.files.create"] == 1 and fake.calls["sheets.batchUpdate"] == 1
    assert sum(fake.calls.values()) == 6
    assert len(ctx.store.responses.list("ev.big")) == 12_000
    (book,) = fake.sheets.spreadsheets
    assert fake.sheets.sheet_titles(book) == ["ev.big"]
    cell = fake.sheets.cell(book, "'ev.big'!F2")
    assert cell.value == "=0+1" and not cell.is_formula
    assert [w.value_input_option for w in fake.sheets.writes] == ["RAW"]

    # the next sync: one list call (filtered), one write, nothing duplicated
    fake.forms.add_response(created.external_id, {ids.questions[("choice", None)]: "Бир / Один"})
    clock.advance(minutes=1)
    fake.reset_calls()
    assert sync_form(ctx, "ev.big", clock()).status == "done"
    assert fake.calls == {"forms.responses.list": 1, "sheets.values.update": 1}
    assert len(ctx.store.responses.list("ev.big")) == 12_001
    assert fake.sheets.values(book, "'ev.big'!A12002:E12002")[0][4] == "Один"  # the worksheet shows ru labels


def test_429_then_500_then_success_completes_once_without_duplicates(fake, conn, clock):
    spec = small_spec()
    ctx = google_context(fake, conn)
    fake.fail_next(1, 429, "forms.batchUpdate")
    fake.fail_next(1, 500, "forms.batchUpdate")
    created = ctx.backend.forms.create_form("ev.retry", spec, DEADLINE)
    assert fake.ok_calls == {"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1,
                          "drive.permissions.create": 1}
    assert fake.calls["forms.batchUpdate"] == 3 and len(fake.forms.records) == 1
    register_form(ctx, "ev.retry", spec, created.external_id, created.url)
    ids = form_ids(spec)
    for i in range(7):
        fake.forms.add_response(created.external_id, {ids.questions[("note", None)]: f"ответ {i}"})
        clock.advance(seconds=5)
    fake.reset_calls()
    fake.fail_next(1, 429, "forms.responses.list")
    fake.fail_next(1, 500, "forms.responses.list")
    fake.fail_next(1, 429, "sheets.values.update")
    fake.fail_next(1, 500, "sheets.values.update")
    result = sync_form(ctx, "ev.retry", clock())
    assert result.status == "done", result.detail
    assert fake.calls["forms.responses.list"] == 3 and fake.ok_calls["forms.responses.list"] == 1
    assert fake.calls["sheets.values.update"] == 3 and len(fake.sheets.writes) == 1
    assert len(ctx.store.responses.list("ev.retry")) == 7
    (book,) = fake.sheets.spreadsheets
    assert len(fake.sheets.values(book, "'ev.retry'!A1:F100")) == 8  # header + 7, once each
    # a second sync (the overlap re-fetches what is already stored) duplicates nothing
    assert sync_form(ctx, "ev.retry", clock()).status == "done"
    assert len(ctx.store.responses.list("ev.retry")) == 7
    assert len(fake.sheets.values(book, "'ev.retry'!A1:F100")) == 8


def test_errors_say_what_to_do(fake, conn, creds):
    forms = GoogleForms(conn)
    fake.fail_next(20, 500, "forms.create")
    with pytest.raises(BackendError, match="gave up trying to create the form"):
        forms.create_form("ev.x", small_spec(), DEADLINE)
    fake.reset_calls()
    with pytest.raises(BackendError, match="not found"):
        forms.close_form("no-such-form")
    fake.revoke("tok")
    with pytest.raises(GoogleAuthError, match="python main.py auth"):
        forms.close_form("no-such-form")


def test_a_bad_template_fails_before_any_call(fake, conn):
    abc = (Option("a", t("Бир", "Один")), Option("b", t("Бир", "Один")))
    spec = FormSpec("dup", 1, "x", t("Т"), None, False, False, False, (Section("s1", t("Б")),),
                    (Question("q", "single_choice", t("С"), "s1", options=abc),))
    with pytest.raises(FormBuildError, match="same label"):
        GoogleForms(conn).create_form("ev.dup", spec, DEADLINE)
    assert sum(fake.calls.values()) == 0


def test_ids_google_replaced_are_remembered(fake, conn):
    """If Google ever ignored our ids, the map from the batchUpdate reply is kept and used."""
    spec = small_spec()
    memo = Memo()
    forms = GoogleForms(conn, memo)
    batch = build_form_requests(spec)["batchUpdate"]
    reply = {"replies": [{} if "createItem" not in r else
                         {"createItem": {"itemId": "1", "questionId": ["00000abc"]}}
                         if "questionItem" in r["createItem"]["item"] and
                         r["createItem"]["item"]["questionItem"]["question"]["questionId"] ==
                         form_ids(spec).questions[("choice", None)] else {"createItem": {"itemId": "2"}}
                         for r in batch["requests"]]}
    forms._remember_ids("F", spec, batch, reply)
    assert forms._ids("F", spec).questions[("choice", None)] == "00000abc"
    answers, _ = map_answers(spec, forms._ids("F", spec), {"00000abc": {"textAnswers": {"answers": [{"value": "Эки / Два"}]}}})
    assert answers == {"choice": "b"}


# --- the form jobs of a season on the Google backend ------------------------------------------


def test_form_jobs_run_on_google_create_invite_sync_remind_close(fake, creds, clock):
    from automation.jobs import forms as form_jobs
    from automation.jobs import mailings
    from automation.plan.actions import actions
    from automation.roster import read_roster

    scopes = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/gmail.compose"]
    fake.grant("tok", scopes)  # the least scopes of a gmail.com account
    conn = google_connection(fake, scopes=scopes)
    store = Store(":memory:")
    store.roster.upsert(read_roster(ROOT / "examples/club2022/roster.csv").participants, source="test")
    plan = load_plan(ROOT / "examples/club2022/plan.yaml")
    backend = GoogleBackend.connect(conn, store, plan.club.group_email, groups="roster", spreadsheet_title="S")
    ctx = Context(store=store, plan=plan, backend=backend, out_dir=Path("/nonexistent"), daily_cap=10_000)
    survey = next(f for f in plan.forms if f.audience == "roster")
    by_key = {a.key: a for a in actions(plan)}
    create, invite = by_key[f"{survey.key}.create"], by_key[f"{survey.key}.invitation"]
    remind, close = by_key[f"{survey.key}.reminder"], by_key[f"{survey.key}.close"]

    assert form_jobs.create(ctx, create, create.due).status == "done"
    assert fake.calls == {"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1,
                          "drive.permissions.create": 1}
    fake.reset_calls()
    people = store.roster.participants()
    result = mailings.run(ctx, invite, invite.due)
    assert result.status == "done", result.detail
    k = len(people)  # K messages, each a draft made and sent, no other calls
    assert fake.calls == {"gmail.users.drafts.create": k, "gmail.users.drafts.send": k}

    # three participants answer through the personal links of their invitations
    form = store.forms.get(survey.key)
    spec = json.loads(form.spec_json)
    code_entry = f"entry.{int(form_ids(FormSpec_from(spec)).code_question, 16)}"
    answered = []
    for msg in fake.gmail.sent()[:3]:
        body = msg.get_body(("plain",)).get_content()
        link = re.search(r"https://docs\.google\.com/forms/\S+", body).group(0)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)[code_entry][0]
        fake.forms.add_response(form.external_id, {form_ids(FormSpec_from(spec)).code_question: code})
        answered.append(code)
    fake.reset_calls()
    result = mailings.run(ctx, remind, remind.due)
    assert result.status == "done", result.detail
    assert fake.calls == {"forms.responses.list": 1, "drive.files.create": 1, "sheets.batchUpdate": 1,
                          "sheets.values.update": 1, "gmail.users.drafts.create": len(people) - 3,
                          "gmail.users.drafts.send": len(people) - 3}
    assert {r.participant_id for r in store.responses.list(survey.key)} == set(answered)
    assert form_jobs.close(ctx, close, close.due).status == "done"
    assert fake.forms.form(form.external_id)["publishSettings"]["publishState"] == {"isPublished": True}


def FormSpec_from(d: dict) -> FormSpec:
    from automation.model import form_spec_from_json

    return form_spec_from_json(d)


# --- forms.create whose success was hidden by a 503 (the fake's pessimistic mode) ---------------------


def test_a_create_answered_503_after_google_made_the_form_leaves_one_form(clock, creds):
    """googleapiclient's num_retries would send forms.create again and leave two forms; the adapter looks
    the form up in Drive by its documentTitle first and adopts it."""
    with FakeGoogle(clock=clock, forms_create_lost_once=True) as fake:
        conn = google_connection(fake, creds)
        spec = every_kind_spec(12)
        created = GoogleForms(conn, Memo(Store(":memory:"))).create_form("ev.lost", spec, DEADLINE)
        assert list(fake.forms.records) == [created.external_id]
        assert fake.calls["forms.create"] == 1 and fake.calls["drive.files.list"] == 1
        form = fake.forms.form(created.external_id)
        assert form["items"] and fake.calls["forms.batchUpdate"] == 1  # the questions added once
        assert form["publishSettings"]["publishState"]["isPublished"]
        assert created.url == form["responderUri"]
        assert not fake.internal_errors


def test_a_crash_during_create_is_resumed_by_looking_in_drive_first(clock, creds):
    """The process died while forms.create was in flight (the store says 'creating'): the next run finds the
    form Google made and finishes it instead of making a second one."""
    with FakeGoogle(clock=clock) as fake:
        conn = google_connection(fake, creds)
        memo = Memo(Store(":memory:"))
        spec = every_kind_spec(12)
        forms = GoogleForms(conn, memo)
        real = forms._create_once

        def dies_after_google_made_it(*a, **kw):
            real(*a, **kw)
            raise KeyboardInterrupt  # the process is killed before the answer is stored

        forms._create_once = dies_after_google_made_it
        with pytest.raises(KeyboardInterrupt):
            forms.create_form("ev.crash", spec, DEADLINE)
        assert memo.get("forms.pending.ev.crash")["done"] == "creating"
        again = GoogleForms(conn, memo).create_form("ev.crash", spec, DEADLINE)
        assert list(fake.forms.records) == [again.external_id]
        assert fake.calls["forms.create"] == 1


@pytest.mark.parametrize("responders, expected", [
    ("anyone", {"type": "anyone", "view": "published", "role": "reader"}),
    ("amuca.kg", {"type": "domain", "domain": "amuca.kg", "view": "published", "role": "reader"}),
])
def test_a_published_form_gets_its_responders_explicitly(fake, conn, responders, expected):
    """The responders of a published form are a Drive permission with view "published" (Forms guide
    "Publish and manage responders"); the adapter sets them instead of leaving the account's default."""
    created = GoogleForms(conn, responders=responders).create_form("ev.who", small_spec(), DEADLINE)
    published = [p for p in fake.drive.permissions[created.external_id] if p.get("view") == "published"]
    assert len(published) == 1 and expected.items() <= published[0].items()


def test_an_unknown_responders_setting_is_refused_with_what_to_write():
    from automation.workspace.google import CredentialsError
    from automation.workspace.google import _responders

    with pytest.raises(CredentialsError, match="anyone or a domain name"):
        _responders("everyone!")


def test_extending_a_deadline_rewrites_the_google_form_description_in_one_batch_update(fake, creds, clock):
    """``forms extend`` / the console's "extend" go through the same port call as ``forms edit --deadline``:
    after it the form on Google says the new date, for one ``forms.batchUpdate`` and no other call."""
    from automation.jobs import forms as form_jobs
    from automation.manual import extend_deadline
    from automation.model import BISHKEK, parse_iso
    from automation.plan.actions import actions

    conn = google_connection(fake, creds)
    store = Store(":memory:")
    plan = load_plan(ROOT / "examples/club2022/plan.yaml")
    backend = GoogleBackend.connect(conn, store, plan.club.group_email, groups="roster", spreadsheet_title="S")
    ctx = Context(store=store, plan=plan, backend=backend, out_dir=Path("/nonexistent"), daily_cap=10_000)
    survey = next(f for f in plan.forms if f.audience == "roster")
    create = next(a for a in actions(plan) if a.key == f"{survey.key}.create")
    assert form_jobs.create(ctx, create, create.due).status == "done"
    form = store.forms.get(survey.key)
    old = parse_iso(form.deadline).astimezone(BISHKEK)
    new = (old + dt.timedelta(days=3)).replace(hour=18, minute=0)
    assert f"{new:%d.%m.%Y} 18:00" not in json.dumps(fake.forms.form(form.external_id), ensure_ascii=False)
    fake.reset_calls()
    extend_deadline(ctx, survey.key, new, "admin@example.org", create.due)
    assert fake.calls == {"forms.batchUpdate": 1}
    text = json.dumps(fake.forms.form(form.external_id)["info"], ensure_ascii=False)
    assert f"{new:%d.%m.%Y} 18:00" in text and f"{old:%d.%m.%Y %H:%M}" not in text
    assert parse_iso(store.forms.get(survey.key).deadline) == new
    # Google refusing the edit changes nothing stored: the form and the plan keep the date it shows
    def refuse(*args, **kw):
        raise BackendError("Google refused the edit")

    backend.forms.update_form = refuse
    with pytest.raises(BackendError, match="refused"):
        extend_deadline(ctx, survey.key, new + dt.timedelta(days=1), "admin@example.org", create.due)
    assert parse_iso(store.forms.get(survey.key).deadline) == new
    assert parse_iso(store.console.deadlines()[survey.key]) == new
