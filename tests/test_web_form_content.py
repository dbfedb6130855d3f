"""Forms that say what they are and do not ask what is known (issue 15), through the Flask test client:
personal links leave out the roster's questions and store the roster's answers; the event's name and date
on the pages; the closed page in Kyrgyz and Russian with the admin's contact; her score and the correct
answers per the quiz's ``show_answers``."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone

import pytest

from automation.forms.templates import get_template
from automation.forms.testfile import load_test
from automation.forms.templates import DEFAULT_DIR
from automation.model import Participant
from automation.store import FormRecord, Store
from automation.web.app import create_app

NOW = datetime(2022, 9, 20, 6, 30, tzinfo=timezone.utc)
LATER = datetime(2022, 9, 25, 6, 30, tzinfo=timezone.utc)
DEADLINE = "2022-09-22T12:00:00Z"
HER = Participant("p1", "Айгүл", "aigul@example.org", oblast="jalal-abad", role="deputy", language="ru")
CONTEXT = {"event": {"ky": "Бюджет боюнча семинар", "ru": "Семинар по бюджету"}, "start": "2022-09-15T08:00:00Z",
           "end": "2022-09-15T10:00:00Z", "contact": "amuca@example.org"}


def _add(store: Store, key: str, spec, audience: str = "roster", context: dict | None = None,
         pre_test: bool = False, deadline: str = DEADLINE) -> None:
    store.forms.add(FormRecord(
        form_key=key, template_id=spec.id, template_version=spec.version, kind=spec.kind, event_id="ws1",
        pre_test=pre_test, audience=audience, backend="local", external_id=f"pub-{key}", url="", status="open",
        spec_json=json.dumps(spec.to_json(), ensure_ascii=False), opens="2022-09-15T10:00:00Z", deadline=deadline,
        created_at="2022-09-15T10:00:00Z", context_json=json.dumps(context or CONTEXT, ensure_ascii=False)))
    store.forms.add_links(key, {HER.id: f"tok-{key.replace('.', '-')}"})  # a token has no dots


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    s.roster.upsert([HER], "test", now=NOW)
    _add(s, "needs", get_template("needs_assessment"))
    _add(s, "needs_public", get_template("needs_assessment"), audience="public")
    test = load_test(DEFAULT_DIR / "tests" / "law_budget.yaml")
    _add(s, "quiz", test)
    _add(s, "quiz_now", dataclasses.replace(test, show_answers="after_submit"))
    _add(s, "quiz_never", dataclasses.replace(test, show_answers="never"))
    return s


def _client(store: Store, now: datetime = NOW):
    return create_app(store, clock=lambda: now, secret_key="test-secret-" + "x" * 32).test_client()


def _post(client, url: str, data: dict):
    html = client.get(url).get_data(as_text=True)
    hidden = {n: re.search(rf'name="{n}" value="([^"]*)"', html).group(1) for n in ("csrf_token", "sid")}
    return client.post(url, data={**hidden, "action": "submit", **data})


def _needs_answers(spec) -> dict:
    """A valid web submission of every required question the page shows, except oblast and role."""
    out = {}
    for q in spec.questions:
        if not q.required or q.id in ("oblast", "role"):
            continue
        if q.kind == "multiple_choice":
            out[f"q.{q.id}"] = [q.options[0].id]
        elif q.kind in ("single_choice", "dropdown"):
            out[f"q.{q.id}"] = q.options[0].id
        elif q.kind == "scale":
            out[f"q.{q.id}"] = str(q.scale.high)
        elif q.kind == "grid":
            for r in q.rows:
                out[f"q.{q.id}.{r.id}"] = q.options[0].id
        else:
            out[f"q.{q.id}"] = "текст"
    return out


def test_her_personal_link_does_not_ask_what_the_roster_knows_and_stores_it(store):
    c = _client(store)
    html = c.get("/t/tok-needs").get_data(as_text=True)
    assert 'id="q-oblast"' not in html and 'id="q-role"' not in html and 'id="q-deputy_years"' in html
    r = _post(c, "/t/tok-needs", _needs_answers(store.forms.get("needs").spec()))
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    stored = store.responses.list("needs")[0].answers
    assert stored["oblast"] == "jalal_abad" and stored["role"] == "deputy"


def test_the_public_link_still_asks(store):
    html = _client(store).get("/f/pub-needs_public").get_data(as_text=True)
    assert 'id="q-oblast"' in html and 'id="q-role"' in html


def test_a_roster_value_the_options_lack_is_asked(store):
    store.roster.upsert([dataclasses.replace(HER, role="mentor")], "test", now=NOW)  # no "mentor" option
    html = _client(store).get("/t/tok-needs").get_data(as_text=True)
    assert 'id="q-role"' in html and 'id="q-oblast"' not in html


def test_the_form_page_names_the_event_and_its_date(store):
    html = _client(store).get("/t/tok-quiz?lang=ky").get_data(as_text=True)
    assert "Иш-чара: Бюджет боюнча семинар, 15.09.2022" in html
    html = _client(store).get("/t/tok-quiz?lang=ru").get_data(as_text=True)
    assert "Мероприятие: Семинар по бюджету, 15.09.2022" in html


def _quiz_answers(spec, wrong: set[str]) -> dict:
    out = {}
    for q in spec.questions:
        pick = [o.id for o in q.options if o.id not in q.correct][:1] if q.id in wrong else list(q.correct)
        out[f"q.{q.id}"] = pick if q.kind == "multiple_choice" else pick[0]
    return out


def test_after_the_deadline_her_link_shows_the_closed_page_in_both_languages_with_her_score(store):
    spec = store.forms.get("quiz").spec()
    c = _client(store)
    assert _post(c, "/t/tok-quiz", _quiz_answers(spec, {"q_budget_year"})).status_code == 303
    done = c.get("/t/tok-quiz/done").get_data(as_text=True)
    assert "Баллы:" not in done and "после окончания приёма ответов" in done  # not before the deadline
    late = _client(store, LATER).get("/t/tok-quiz")
    html = late.get_data(as_text=True)
    assert late.status_code == 410
    assert html.index("Форма закрыта") < html.index("Форма жабылды")  # her language first (the roster says ru)
    assert "Форма: " in html  # which of her links this is
    assert "amuca@example.org" in html and "Семинар по бюджету" in html
    assert f"Баллы: {spec.max_score - 1} из {spec.max_score}" in html  # her language (the roster says ru)
    year = spec.question("q_budget_year")
    assert f"Правильный ответ: {year.option_label('a', 'ru')}" in html
    assert html.count("Правильный ответ:") == 1  # only where she was wrong


def test_show_answers_after_submit_and_never(store):
    spec = store.forms.get("quiz_now").spec()
    c = _client(store)
    assert _post(c, "/t/tok-quiz_now", _quiz_answers(spec, set())).status_code == 303
    assert f"Баллы: {spec.max_score} из {spec.max_score}" in c.get("/t/tok-quiz_now/done").get_data(as_text=True)
    assert _post(c, "/t/tok-quiz_never", _quiz_answers(spec, set())).status_code == 303
    assert "Баллы:" not in _client(store, LATER).get("/t/tok-quiz_never").get_data(as_text=True)


def test_a_public_link_of_a_closed_form_has_no_result_but_the_contact(store):
    html = _client(store, LATER).get("/f/pub-needs_public").get_data(as_text=True)
    assert "amuca@example.org" in html and "Баллы:" not in html


def _add_pair(store: Store, spec, post_deadline: str | None) -> None:
    """A pre-test ``t.pre`` (deadline DEADLINE) and, unless ``post_deadline`` is None, its post-test ``t``."""
    _add(store, "t.pre", spec, pre_test=True)
    if post_deadline is not None:
        _add(store, "t", spec, deadline=post_deadline)


AFTER_POST = datetime(2022, 10, 1, 6, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("show", ["after_deadline", "after_submit"])
def test_a_pre_test_keeps_its_key_until_the_post_test_closes(store, show):
    """The pre-test asks the post-test's questions: its correct answers would answer the post-test, so her
    pre-test result waits for the post-test's deadline, whatever ``show_answers`` says."""
    spec = dataclasses.replace(store.forms.get("quiz").spec(), show_answers=show)
    _add_pair(store, spec, "2022-09-28T12:00:00Z")
    assert store.forms.get("t.pre").pre_test and not store.forms.get("t").pre_test
    c = _client(store)
    assert _post(c, "/t/tok-t-pre", _quiz_answers(spec, {"q_budget_year"})).status_code == 303
    done = c.get("/t/tok-t-pre/done").get_data(as_text=True)
    assert "Баллы:" not in done and "Правильный ответ" not in done
    assert "Это входной тест" in done and "28.09.2022" in done  # when she will see it: the post-test's deadline
    during_post = _client(store, LATER).get("/t/tok-t-pre")  # the pre-test closed, the post-test open
    assert during_post.status_code == 410
    assert "Баллы:" not in during_post.get_data(as_text=True)
    assert "Правильный ответ" not in during_post.get_data(as_text=True)
    after = _client(store, AFTER_POST).get("/t/tok-t-pre").get_data(as_text=True)
    assert f"Баллы: {spec.max_score - 1} из {spec.max_score}" in after and "Правильный ответ:" in after


def test_a_pre_test_without_its_post_test_shows_no_key(store):
    spec = store.forms.get("quiz").spec()
    _add_pair(store, spec, None)
    c = _client(store)
    assert _post(c, "/t/tok-t-pre", _quiz_answers(spec, set())).status_code == 303
    assert "Баллы:" not in _client(store, AFTER_POST).get("/t/tok-t-pre").get_data(as_text=True)


def test_answers_that_arrive_after_the_deadline_are_shown_back_to_her_not_lost_in_silence(store):
    """Sent from a phone that was offline until after the deadline: the form is closed, nothing is stored,
    and the closed page says so in her language and shows her what she wrote, with the admin's contact."""
    spec = store.forms.get("needs").spec()
    c = _client(store)
    html = c.get("/t/tok-needs").get_data(as_text=True)
    hidden = {n: re.search(rf'name="{n}" value="([^"]*)"', html).group(1) for n in ("csrf_token", "sid")}
    answers = _needs_answers(spec)
    essay = next(q for q in spec.questions if q.kind == "long_text")
    answers[f"q.{essay.id}"] = "Айылда интернет жок болчу 🙏"
    late = _client(store, LATER)
    with late.session_transaction() as s, c.session_transaction() as old:
        s.update(old)
    r = late.post("/t/tok-needs", data={**hidden, "action": "submit", "submission": "key-late-1234", **answers})
    page = r.get_data(as_text=True)
    assert r.status_code == 410 and store.responses.list("needs") == []
    assert "Эти ответы не приняты" in page and "Форма закрылась 22.09.2022" in page  # her language: ru
    assert "Айылда интернет жок болчу 🙏" in page and essay.title.ru in page
    assert "amuca@example.org" in page
    # a closed form opened (GET) shows no such block
    assert "не приняты" not in late.get("/t/tok-needs").get_data(as_text=True)
