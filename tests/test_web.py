"""The local web forms (automation/web/): Flask test client and headless Chromium.

The store is filled by inserting rows directly (forms from the real templates
in forms_templates/ and one compact form with every question kind); the app's
clock is fixed, so deadlines are decided by the test, not the wall clock.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from datetime import datetime, timezone

import pytest

from automation.forms.answers import check_answer
from automation.forms.known import known_answers
from automation.model import I18n, Option, Participant, form_spec_from_json
from automation.store import Store
from automation.forms.templates import get_template, parse_template
from automation.web.app import MAX_REQUEST_BYTES, create_app
from automation.web.secret import load_secret_key
from automation.web.texts import PROBLEMS, TEXTS
from automation.web.values import OTHER, OTHER_MAX_CHARS, answers_from_values, values_from_answers
from conftest import needs_browser, serving

NOW = datetime(2022, 9, 20, 6, 30, tzinfo=timezone.utc)  # 12:30 in Bishkek
OPEN_DEADLINE = "2022-09-22T12:00:00Z"  # 18:00 in Bishkek
PAST_DEADLINE = "2022-09-18T12:00:00Z"
XSS = "<script>alert(1)</script><b>x</b>"

TI = lambda ky, ru: {"ky": ky, "ru": ru}  # noqa: E731


def opt(i, ky, ru):
    return {"id": i, "label": TI(ky, ru)}


#: Every question kind on two pages.
ALL_KINDS = {
    "id": "all_kinds", "version": 1, "kind": "event_feedback", "anonymous_allowed": True,
    "title": TI("Бардык суроолор", "Все вопросы"), "description": TI("Сыноо формасы.", "Тестовая форма."),
    "sections": [
        {"id": "one", "title": TI("Биринчи бөлүм", "Первый раздел"), "questions": [
            {"id": "format", "kind": "single_choice", "required": True, "other": True,
             "title": TI("Кайсы формат ыңгайлуу?", "Какой формат удобнее?"),
             "options": [opt("online", "Онлайн", "Онлайн"), opt("offline", "Офлайн", "Офлайн")]},
            {"id": "topics", "kind": "multiple_choice", "other": True,
             "title": TI("Кийинки темалар", "Темы следующих встреч"),
             "options": [opt("law", "Мыйзамдар", "Законы"), opt("budget", "Бюджет", "Бюджет")]},
            {"id": "oblast", "kind": "dropdown", "title": TI("Облус", "Область"),
             "options": [opt("osh", "Ош облусу", "Ошская"), opt("naryn", "Нарын облусу", "Нарынская")]},
            {"id": "useful", "kind": "scale", "required": True,
             "title": TI("Канчалык пайдалуу болду?", "Насколько было полезно?"),
             "scale": {"low": 1, "high": 5, "low_label": TI("Такыр пайдасыз", "Совсем нет"),
                       "high_label": TI("Өтө пайдалуу", "Очень")}},
        ]},
        {"id": "two", "title": TI("Экинчи бөлүм", "Второй раздел"), "questions": [
            {"id": "name", "kind": "short_text", "max_chars": 40, "title": TI("Атыңыз", "Ваше имя")},
            {"id": "essay", "kind": "long_text", "max_words": 5, "title": TI("Кыскача жазыңыз", "Напишите коротко")},
            {"id": "when", "kind": "date", "title": TI("Күнү", "Дата")},
            {"id": "rate", "kind": "grid", "required": True, "title": TI("Сессияларды баалаңыз", "Оцените сессии"),
             "rows": [opt("s1", "Биринчи сессия", "Первая сессия"), opt("s2", "Экинчи сессия", "Вторая сессия")],
             "options": [opt("bad", "Начар", "Плохо"), opt("ok", "Жакшы", "Хорошо"),
                         opt("great", "Эң жакшы", "Отлично")]},
        ]},
    ],
}

PEOPLE = [Participant(f"p{i}", f"Катышуучу {i}", f"p{i}@example.org", language=lang)
          for i, lang in enumerate(["ky", "ru", "ky", "ru", "ky", "ru", "ky", "ru"], start=1)]
REAL = ["needs_assessment", "event_feedback", "post_test", "school_application", "best_practice_vote"]


def _insert_form(store: Store, key: str, spec, *, deadline: str = OPEN_DEADLINE, status: str = "open",
                 audience: str = "roster") -> None:
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, spec.id, spec.version, spec.kind, "ev1", 0, audience, "local", f"pub-{key}",
         f"http://127.0.0.1:8080/f/pub-{key}", json.dumps(spec.to_json(), ensure_ascii=False), status,
         "2022-09-15T10:00:00Z", deadline, "2022-09-15T10:00:00Z"))
    for p in PEOPLE:
        store.db.execute("INSERT INTO form_links VALUES (?,?,?)", (key, p.id, f"tok-{key}-{p.id}"))


@functools.lru_cache(maxsize=None)
def _real_template(tid: str):
    t = get_template(tid)
    if tid == "best_practice_vote":
        t = t.with_options("presenters", [Option("p1", I18n("Катышуучу 1", "Катышуучу 1"))])
    return t


def _fill(store: Store) -> Store:
    store.roster.upsert(PEOPLE, "test", now=NOW)
    spec = parse_template(ALL_KINDS, "all_kinds.yaml")
    with store.transaction():
        _insert_form(store, "all", spec, audience="public")  # personal links and a public link
        _insert_form(store, "expired", spec, deadline=PAST_DEADLINE)
        _insert_form(store, "closed", spec, status="closed")
        _insert_form(store, "private", parse_template({**ALL_KINDS, "anonymous_allowed": False}, "x.yaml"))
        for tid in REAL:
            _insert_form(store, tid, _real_template(tid), audience="public" if tid == "school_application" else "roster")
    return store


def tok(form: str, pid: str) -> str:
    return f"tok-{form}-{pid}"


@pytest.fixture
def store() -> Store:
    return _fill(Store(":memory:"))


@pytest.fixture
def client(store):
    app = create_app(store, clock=lambda: NOW, secret_key="test-secret-" + "x" * 32)
    return app.test_client()


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, name
    return m.group(1)


def _post(client, url: str, data: dict, page_html: str | None = None):
    """POST ``data`` with the CSRF token and sid of the page at ``url`` (GET first unless given)."""
    html = page_html or client.get(url).get_data(as_text=True)
    body = {"csrf_token": _hidden(html, "csrf_token"), "sid": _hidden(html, "sid"), "action": "submit"}
    body.update(data)
    return client.post(url, data=body)


GOOD = {"q.format": "online", "q.topics": ["law", "budget"], "q.oblast": "osh", "q.useful": "4",
        "q.name": "Айгүл", "q.essay": "Абдан пайдалуу болду", "q.when": "2022-09-15",
        "q.rate.s1": "great", "q.rate.s2": "ok"}
GOOD_ANSWERS = {"format": "online", "topics": ["law", "budget"], "oblast": "osh", "useful": 4, "name": "Айгүл",
                "essay": "Абдан пайдалуу болду", "when": "2022-09-15", "rate": {"s1": "great", "s2": "ok"}}


def _answers(store: Store, form_key: str) -> list[dict]:
    return [json.loads(r.answers_json) for r in store.responses.list(form_key)]


# --- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("tid", REAL)
def test_every_real_template_renders_in_both_languages(client, store, tid, lang):
    r = client.get(f"/t/{tok(tid, 'p1')}?lang={lang}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    spec = form_spec_from_json(json.loads(store.forms.get(tid).spec_json))
    assert f'<html lang="{lang}">' in html
    assert str(spec.title.get(lang)).replace('"', "&#34;") in html
    known = known_answers(spec, store.roster.get("p1"))  # her personal link does not ask what the roster knows
    n_pages = len({q.section for q in spec.questions if q.id not in known})
    for q in spec.questions:
        if q.id in known:
            assert f'id="q-{q.id}"' not in html
            continue
        assert f'id="q-{q.id}"' in html
        assert q.title.get(lang).replace('"', "&#34;") in html, q.id
    page, _, other = html.partition("<template")  # the page, then the same page in the other language
    assert page.count('class="page') == n_pages
    assert TEXTS[lang]["send"] in page and TEXTS[lang]["required_note"][2:] in page
    other_lang = "ru" if lang == "ky" else "ky"
    assert other.startswith(f' data-lang="{other_lang}"') and other.count('class="page') == n_pages
    assert TEXTS[other_lang]["send"] in other and _hidden(other, "csrf_token") == _hidden(page, "csrf_token")


def test_every_kind_has_its_control(client):
    html = client.get(f"/t/{tok('all', 'p2')}").get_data(as_text=True)
    assert 'type="radio" name="q.format" value="online"' in html
    assert f'name="q.format" value="{OTHER}"' in html and 'name="q.format.other"' in html
    assert 'type="checkbox" name="q.topics" value="law"' in html and 'name="q.topics.other"' in html
    assert '<select id="in-oblast" name="q.oblast"' in html
    assert all(f'name="q.useful" value="{n}"' in html for n in range(1, 6))
    assert "1 — Совсем нет" in html and "5 — Очень" in html  # the scale's end labels
    assert 'name="q.name"' in html and 'maxlength="40"' in html
    assert '<textarea id="in-essay"' in html and "0</span> / 5 слов" in html  # word counter
    assert 'type="date"' in html
    assert '<table class="grid">' in html and 'name="q.rate.s2" value="great"' in html
    assert "Раздел 1 из 2" in html and "Раздел 2 из 2" in html
    assert 'data-required="1"' in html and "* — обязательные вопросы" not in html  # star is styled apart
    assert "Ответы принимаются до 22.09.2022 18:00 (время Бишкека)." in html


def test_language_defaults_to_roster_then_query(client, store):
    assert '<html lang="ky">' in client.get(f"/t/{tok('all', 'p1')}").get_data(as_text=True)
    assert '<html lang="ru">' in client.get(f"/t/{tok('all', 'p2')}").get_data(as_text=True)
    assert '<html lang="ky">' in client.get(f"/t/{tok('all', 'p2')}?lang=ky").get_data(as_text=True)
    # an unknown lang falls back to her roster language
    assert '<html lang="ru">' in client.get(f"/t/{tok('all', 'p2')}?lang=xx").get_data(as_text=True)
    assert '<html lang="ky">' in client.get("/f/pub-all").get_data(as_text=True)  # anonymous: Kyrgyz


def test_language_switch_keeps_answers_and_saves_nothing(client, store):
    url = f"/t/{tok('all', 'p1')}"
    html = client.get(url).get_data(as_text=True)
    r = client.post(url, data={"csrf_token": _hidden(html, "csrf_token"), "action": "lang:ru", "page": "1",
                               "q.format": "offline", "q.name": "Айгүл"})
    out = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="ru">' in out
    assert 'value="offline" checked' in out and 'value="Айгүл"' in out
    assert 'name="page" value="1"' in out
    assert store.responses.list("all") == []


# --- links ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/t/nope", "/f/nope", "/t/a.b", "/nothing/here", "/t/" + "a" * 300])
def test_unknown_link_is_a_clear_404_in_both_languages(client, url):
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 404
    assert TEXTS["ky"]["not_found_title"] in html and TEXTS["ru"]["not_found_title"] in html


def test_post_to_unknown_link_is_404(client):
    assert client.post("/t/nope", data={"q.format": "online"}).status_code == 404


def test_public_link_only_where_the_form_allows_it(client, store):
    r = client.get("/f/pub-private")  # anonymous_allowed false, audience roster
    assert r.status_code == 403 and TEXTS["ky"]["personal_only"] in r.get_data(as_text=True)
    assert client.post("/f/pub-private", data=GOOD).status_code == 403
    assert client.get("/f/pub-post_test").status_code == 403
    # anonymous_allowed in its template, but the plan sent it to the roster: personal links only
    assert client.get("/f/pub-needs_assessment").status_code == 403
    assert client.get("/f/pub-event_feedback").status_code == 403
    assert client.get("/f/pub-school_application").status_code == 200  # audience public
    assert client.get(f"/f/{tok('all', 'p1')}").status_code == 404  # a personal token is not a public id
    assert client.get("/t/pub-all").status_code == 404  # nor the other way round
    assert store.responses.list() == []


def test_index_and_favicon(client):
    r = client.get("/")
    assert r.status_code == 200 and TEXTS["ru"]["index"] in r.get_data(as_text=True)
    assert client.get("/favicon.ico").status_code == 204


# --- submitting -----------------------------------------------------------------------------


def test_submit_stores_response_and_thanks_in_her_language(client, store):
    url = f"/t/{tok('all', 'p1')}"
    r = _post(client, url, GOOD)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}/done?lang=ky")
    rows = store.responses.list("all")
    assert len(rows) == 1 and rows[0].participant_id == "p1" and rows[0].source == "local"
    assert rows[0].respondent_email == "p1@example.org" and rows[0].submitted_at == "2022-09-20T06:30:00Z"
    assert rows[0].answers == GOOD_ANSWERS
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Рахмат!" in done and "Жоопторуңуз сакталды." in done and TEXTS["ky"]["edit_link"] in done
    done_ru = client.get(f"{url}/done?lang=ru").get_data(as_text=True)
    assert "Спасибо!" in done_ru and "до 22.09.2022 18:00" in done_ru


def test_done_page_without_a_response_goes_back_to_the_form(client):
    r = client.get(f"/t/{tok('all', 'p3')}/done")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/t/{tok('all', 'p3')}?lang=ky")


@pytest.mark.parametrize("lang, message", [("ky", "Бул суроого жооп бериңиз."), ("ru", "Ответьте на этот вопрос.")])
def test_required_question_left_empty_gets_message_in_her_language(client, store, lang, message):
    data = {k: v for k, v in GOOD.items() if k != "q.useful"}
    r = _post(client, f"/t/{tok('all', 'p1')}?lang={lang}", {**data, "lang": lang})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(rf'id="err-useful" role="alert">{re.escape(message)}</p>', html)
    assert TEXTS[lang]["errors_title"] in html
    assert 'value="online" checked' in html and 'value="Айгүл"' in html  # her answers are kept
    assert store.responses.list("all") == []


def _problem(client, data: dict, qid: str, lang: str = "ru") -> str:
    r = _post(client, f"/t/{tok('all', 'p2')}", {**GOOD, **data, "lang": lang})
    assert r.status_code == 422, r.status_code
    m = re.search(rf'id="err-{qid}" role="alert">([^<]*)</p>', r.get_data(as_text=True))
    assert m, qid
    return m.group(1)


@pytest.mark.parametrize("data, qid, expected", [
    ({"q.rate.s2": ""}, "rate", "Выберите ответ в каждой строке."),
    ({"q.format": OTHER, "q.format.other": ""}, "format", "Впишите свой вариант в поле «Другое»."),
    ({"q.topics": ["law", OTHER]}, "topics", "Впишите свой вариант в поле «Другое»."),
    ({"q.format": "forged"}, "format", "Выберите один из предложенных вариантов."),
    ({"q.oblast": "forged"}, "oblast", "Выберите один из предложенных вариантов."),
    ({"q.topics": ["law", "forged"]}, "topics", "Выберите один из предложенных вариантов."),
    ({"q.rate.s1": "forged"}, "rate", "Выберите один из предложенных вариантов."),
    ({"q.useful": "9"}, "useful", "Выберите значение от 1 до 5."),
    ({"q.useful": "много"}, "useful", "Проверьте этот ответ."),
    ({"q.essay": "бир эки үч төрт беш алты"}, "essay", "Слишком много слов: не более 5 (сейчас 6)."),
    ({"q.name": "я" * 41}, "name", "Слишком длинный ответ: не более 40 знаков (сейчас 41)."),
    ({"q.format": OTHER, "q.format.other": "ы" * (OTHER_MAX_CHARS + 1)}, "format",
     f"Слишком длинный ответ: не более {OTHER_MAX_CHARS} знаков (сейчас {OTHER_MAX_CHARS + 1})."),
    ({"q.when": "31.02.2022"}, "when", "Укажите дату, например 25.01.1990."),
    ({"q.when": "вчера"}, "when", "Укажите дату, например 25.01.1990."),
])
def test_each_problem_code_has_a_message(client, store, data, qid, expected):
    assert _problem(client, data, qid) == expected
    assert store.responses.list("all") == []


def test_problem_messages_exist_in_both_languages():
    codes = {"required", "not_an_option", "out_of_range", "too_many_words", "too_long", "bad_date", "bad_type",
             "unknown_question"}  # automation.forms.answers.check_answer / check_answers
    for lang in ("ky", "ru"):
        assert codes <= set(PROBLEMS[lang]) and set(PROBLEMS[lang]) == set(PROBLEMS["ru"])
        assert set(TEXTS[lang]) == set(TEXTS["ru"])
    assert _problem_ky_words() == "Өтө көп сөз: 5 сөздөн ашпашы керек (азыр 6)."


def _problem_ky_words() -> str:
    from automation.web.values import problem_message
    spec = parse_template(ALL_KINDS, "all_kinds.yaml")
    return problem_message(spec.question("essay"), "too_many_words", "ky", "a b c d e f")


def test_other_texts_and_typed_dates_follow_the_answer_conventions(client, store):
    r = _post(client, f"/t/{tok('all', 'p2')}", {
        **GOOD, "q.format": OTHER, "q.format.other": "  Аралаш  ", "q.topics": ["budget"],
        "q.topics.other": "Гендер", "q.when": "5.1.1990", "q.name": "a\x00b\x07c"})
    assert r.status_code == 303
    a = _answers(store, "all")[0]
    assert a["format"] == "Аралаш" and a["topics"] == ["budget", "Гендер"]
    assert a["when"] == "1990-01-05" and a["name"] == "abc"  # control characters would break the workbook
    assert all(check_answer(parse_template(ALL_KINDS, "x").question(k), v) is None for k, v in a.items())
    # and back: the edit page shows them where she put them
    html = client.get(f"/t/{tok('all', 'p2')}").get_data(as_text=True)
    assert f'value="{OTHER}" class="other-choice" checked' in html and 'value="Аралаш"' in html
    assert 'value="Гендер"' in html and 'value="1990-01-05"' in html


def test_values_round_trip():
    spec = parse_template(ALL_KINDS, "all_kinds.yaml")
    answers = {**GOOD_ANSWERS, "format": "своё", "topics": ["law", "ещё"]}
    vals = values_from_answers(spec, answers)
    assert vals["format"] == {"choice": OTHER, "other": "своё"}
    assert vals["topics"] == {"choices": ["law", OTHER], "other": "ещё"}
    assert answers_from_values(spec, vals) == (answers, {})


def test_edit_replaces_the_one_response_and_prefills(client, store):
    url = f"/t/{tok('all', 'p3')}"
    assert _post(client, url, GOOD).status_code == 303
    first = store.responses.list("all")[0].response_id
    html = client.get(url).get_data(as_text=True)
    assert 'value="online" checked' in html and 'name="q.useful" value="4" checked' in html
    assert 'name="q.rate.s1" value="great" checked' in html and '<option value="osh" selected>' in html
    assert ">Абдан пайдалуу болду</textarea>" in html and "толтургансыз" in html
    assert TEXTS["ky"]["save"] in html
    assert _post(client, url, {**GOOD, "q.format": "offline", "q.useful": "2"}, html).status_code == 303
    rows = store.responses.list("all")
    assert len(rows) == 1 and rows[0].response_id == first
    assert rows[0].answers == {**GOOD_ANSWERS, "format": "offline", "useful": 2}


def test_anonymous_link_makes_a_new_response_each_time_but_not_on_a_double_tap(client, store):
    html = client.get("/f/pub-all").get_data(as_text=True)
    assert _post(client, "/f/pub-all", GOOD, html).status_code == 303
    assert _post(client, "/f/pub-all", GOOD, html).status_code == 303  # the same page sent twice
    assert len(store.responses.list("all")) == 1
    r = _post(client, "/f/pub-all", GOOD)  # a new page
    assert r.status_code == 303 and r.headers["Location"].endswith("/f/pub-all/done?lang=ky")
    rows = store.responses.list("all")
    assert len(rows) == 2 and {r.participant_id for r in rows} == {None}
    assert "Рахмат!" in client.get("/f/pub-all/done").get_data(as_text=True)


# --- closed and expired -------------------------------------------------------------------


@pytest.mark.parametrize("form", ["expired", "closed"])
def test_closed_form_has_a_clear_page_and_takes_nothing(client, store, form):
    url = f"/t/{tok(form, 'p2')}"
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 410 and "Форма закрыта" in html and "<form" not in html
    if form == "expired":
        assert "Приём ответов завершился 18.09.2022 18:00 (время Бишкека)." in html
    assert "<h1>Форма жабылды</h1>" in client.get(f"/t/{tok(form, 'p1')}").get_data(as_text=True)
    live = client.get(f"/t/{tok('all', 'p2')}").get_data(as_text=True)  # a token of an open form
    r = client.post(url, data={"csrf_token": _hidden(live, "csrf_token"), **GOOD})
    assert r.status_code == 410 and store.responses.list(form) == []


def test_deadline_passing_while_the_page_is_open(store):
    now = [NOW]
    c = create_app(store, clock=lambda: now[0], secret_key="s" * 40).test_client()
    url = f"/t/{tok('all', 'p4')}"
    html = c.get(url).get_data(as_text=True)
    now[0] = datetime(2022, 9, 22, 12, 0, 1, tzinfo=timezone.utc)
    r = _post(c, url, GOOD, html)
    assert r.status_code == 410 and "Форма закрыта" in r.get_data(as_text=True)
    assert store.responses.list("all") == []


def test_closed_page_says_her_answers_were_received(client, store):
    store.responses.add("expired", [{"response_id": "r1", "participant_id": "p2", "respondent_email": None,
                                     "submitted_at": datetime(2022, 9, 17, 4, 0, tzinfo=timezone.utc),
                                     "answers": {"useful": 5}, "raw": {}}], "local")
    html = client.get(f"/t/{tok('expired', 'p2')}").get_data(as_text=True)
    assert "Ваши ответы получены 17.09.2022 10:00. Спасибо!" in html


# --- safety ---------------------------------------------------------------------------------


def test_csrf_token_is_required_signed_bound_to_link_and_session(client, store):
    url = f"/t/{tok('all', 'p5')}"
    html = client.get(url).get_data(as_text=True)
    token = _hidden(html, "csrf_token")
    cases = [
        {},  # missing
        {"csrf_token": "forged"},
        {"csrf_token": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")},  # bad signature
    ]
    for extra in cases:
        r = client.post(url, data={**GOOD, **extra})
        out = r.get_data(as_text=True)
        assert r.status_code == 400 and TEXTS["ky"]["csrf"] in out
        assert 'value="Айгүл"' in out  # answers are given back, not lost
    # a valid token of another link
    other = client.get(f"/t/{tok('all', 'p6')}").get_data(as_text=True)
    assert client.post(url, data={**GOOD, "csrf_token": _hidden(other, "csrf_token")}).status_code == 400
    # a valid token from another browser (its session cookie holds another nonce)
    other_browser = create_app(store, clock=lambda: NOW, secret_key="test-secret-" + "x" * 32).test_client()
    foreign = _hidden(other_browser.get(url).get_data(as_text=True), "csrf_token")
    assert client.post(url, data={**GOOD, "csrf_token": foreign}).status_code == 400
    assert store.responses.list("all") == []
    assert client.post(url, data={**GOOD, "csrf_token": token}).status_code == 303


def test_csrf_token_expires(store):
    import automation.web.app as web
    app = create_app(store, clock=lambda: NOW, secret_key="e" * 40)
    c = app.test_client()
    url = f"/t/{tok('all', 'p5')}"
    html = c.get(url).get_data(as_text=True)
    old, web.CSRF_MAX_AGE = web.CSRF_MAX_AGE, -1
    try:
        assert _post(c, url, GOOD, html).status_code == 400
    finally:
        web.CSRF_MAX_AGE = old


def test_cookie_and_security_headers(client):
    r = client.get(f"/t/{tok('all', 'p1')}")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = r.get_data(as_text=True)
    # one script, the project's form.js written into the page; the CSP lets exactly that text run
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and 'onclick' not in html and "unsafe-inline" not in csp
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in csp
    assert client.get("/static/form.js").status_code == 200 and client.get("/static/form.css").status_code == 200


def test_request_too_large_is_refused(client, store):
    url = f"/t/{tok('all', 'p1')}"
    html = client.get(url).get_data(as_text=True)
    r = client.post(url, data={"csrf_token": _hidden(html, "csrf_token"), **GOOD,
                               "q.essay": "я" * (MAX_REQUEST_BYTES // 2)})
    assert r.status_code == 413 and TEXTS["ru"]["too_large"] in r.get_data(as_text=True)
    assert store.responses.list("all") == []


def test_html_in_an_answer_is_escaped_on_the_edit_page_and_plain_in_the_store(client, store):
    url = f"/t/{tok('all', 'p7')}"
    assert _post(client, url, {**GOOD, "q.name": XSS[:40], "q.essay": XSS, "q.format": OTHER,
                               "q.format.other": XSS}).status_code == 303
    a = _answers(store, "all")[0]
    assert a["essay"] == XSS and a["format"] == XSS and a["name"] == XSS[:40]
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b>x</b>" not in html
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</textarea>" in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"' in html


def test_html_in_a_template_text_is_escaped(store):
    spec = parse_template({**ALL_KINDS, "title": TI("<i>ky</i>", "<i>ru</i>")}, "x.yaml")
    _insert_form(store, "evil", spec)
    html = create_app(store, clock=lambda: NOW).test_client().get(f"/t/{tok('evil', 'p1')}").get_data(as_text=True)
    assert "<i>ky</i>" not in html and "&lt;i&gt;ky&lt;/i&gt;" in html


def test_secret_key_is_kept_in_a_private_file(tmp_path):
    path = tmp_path / "web.key"
    key = load_secret_key(path)
    assert len(key) >= 32 and load_secret_key(path) == key
    assert path.stat().st_mode & 0o077 == 0


def test_serve_command_is_registered():
    from automation.cli.main import build_parser
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8080)
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


# --- headless Chromium --------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on 127.0.0.1:<free port> in a thread, over a state file (each request opens its own connection)."""
    st = _fill(Store(tmp_path_factory.mktemp("web") / "state.sqlite"))
    with serving(create_app(st, clock=lambda: NOW, secret_key="live-" + "k" * 40)) as srv:
        yield st, f"http://127.0.0.1:{srv.server_port}"


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield page
    ctx.close()
    assert errors == []


def _fill_page_one(page, fmt="online", useful="4"):
    page.check(f'input[name="q.format"][value="{fmt}"]')
    page.check('input[name="q.topics"][value="budget"]')
    page.select_option('select[name="q.oblast"]', "naryn")
    if useful:
        page.check(f'input[name="q.useful"][value="{useful}"]')


def _fill_page_two(page, essay="Баары жакшы болду"):
    page.fill('input[name="q.name"]', "Айгүл")
    page.fill('textarea[name="q.essay"]', essay)
    page.fill('input[name="q.when"]', "2022-09-15")
    page.check('input[name="q.rate.s1"][value="great"]')
    page.check('input[name="q.rate.s2"][value="ok"]')


def _browser_answers(essay="Баары жакшы болду", fmt="online", useful=4):
    return {"format": fmt, "topics": ["budget"], "oblast": "naryn", "useful": useful, "name": "Айгүл",
            "essay": essay, "when": "2022-09-15", "rate": {"s1": "great", "s2": "ok"}}


@needs_browser
def test_browser_fill_and_submit_in_kyrgyz_with_pages(live, phone):
    st, base = live
    page = phone
    page.goto(f"{base}/t/{tok('all', 'p1')}")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.locator("#page-0").is_visible() and not page.locator("#page-1").is_visible()
    page.click("#page-0 [data-go=next]")  # nothing answered: stays, says why in Kyrgyz
    assert page.locator("#err-format").inner_text() == "Бул суроого жооп бериңиз."
    assert page.locator("#err-useful").is_visible() and not page.locator("#page-1").is_visible()
    _fill_page_one(page)
    assert not page.locator("#err-format").is_visible()
    page.click("#page-0 [data-go=next]")
    assert page.locator("#page-1").is_visible() and not page.locator("#page-0").is_visible()
    page.fill('textarea[name="q.essay"]', "бир эки үч")
    assert page.locator("#q-essay .count").inner_text() == "3"
    page.click("#page-1 [data-go=back]")
    assert page.is_checked('input[name="q.useful"][value="4"]')  # Back keeps the answers
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ky")
    assert "Рахмат!" in page.inner_text("h1") and "Жоопторуңуз сакталды." in page.content()
    assert _answers(st, "all") == [_browser_answers()]


@needs_browser
def test_browser_fill_and_submit_in_russian_after_switching(live, phone):
    st, base = live
    page = phone
    page.goto(f"{base}/t/{tok('all', 'p3')}")  # a Kyrgyz speaker who switches to Russian
    _fill_page_one(page, fmt="offline", useful="5")
    page.click("button.lang[value='lang:ru']")
    page.wait_for_selector("html[lang=ru]")
    assert page.is_checked('input[name="q.format"][value="offline"]')  # typed answers survive the switch
    assert "Какой формат удобнее?" in page.content()
    page.click("#page-0 [data-go=next]")
    page.fill('input[name="q.name"]', "Айгүл")
    page.click("#page-1 button[value=submit].primary")  # the grid is required
    assert page.locator("#err-rate").inner_text() == "Выберите ответ в каждой строке."
    _fill_page_two(page)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ru")
    assert "Спасибо!" in page.inner_text("h1")
    rows = st.responses.list("all")
    assert [json.loads(r.answers_json) for r in rows if r.participant_id == "p3"] == [
        _browser_answers(fmt="offline", useful=5)]


@needs_browser
def test_browser_without_javascript_is_one_page_and_the_server_validates(live, browser):
    st, base = live
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{base}/t/{tok('all', 'p4')}")  # Russian in the roster
    assert page.locator("#page-0").is_visible() and page.locator("#page-1").is_visible()
    assert not page.locator("[data-go=next]").first.is_visible()
    _fill_page_one(page, useful=None)  # the required scale is left empty
    page.check('input[name="q.topics"][value="law"]')
    _fill_page_two(page)
    page.click("button[value=submit].primary")
    assert page.locator("#err-useful").inner_text() == "Ответьте на этот вопрос."
    assert "Ответы не сохранены" in page.inner_text(".error-summary")
    assert page.input_value('input[name="q.name"]') == "Айгүл"
    assert not [r for r in st.responses.list("all") if r.participant_id == "p4"]
    page.check('input[name="q.useful"][value="3"]')
    page.click("button[value=submit].primary")
    page.wait_for_url("**/done?lang=ru")
    assert [json.loads(r.answers_json) for r in st.responses.list("all") if r.participant_id == "p4"] == [
        {**_browser_answers(useful=3), "topics": ["law", "budget"]}]
    ctx.close()


@needs_browser
def test_browser_edit_through_the_same_link(live, phone):
    st, base = live
    page = phone
    url = f"{base}/t/{tok('all', 'p5')}"
    page.goto(url)
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ky")
    page.click("a.button")  # "change my answers"
    page.wait_for_url(url + "?lang=ky")
    assert "толтургансыз" in page.inner_text(".notice")
    assert page.is_checked('input[name="q.format"][value="online"]')
    assert page.input_value('select[name="q.oblast"]') == "naryn"
    page.check('input[name="q.format"][value="offline"]')
    page.click("#page-0 [data-go=next]")
    assert page.input_value('textarea[name="q.essay"]') == "Баары жакшы болду"
    page.fill('textarea[name="q.essay"]', "Өзгөртүлдү")
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ky")
    mine = [r for r in st.responses.list("all") if r.participant_id == "p5"]
    assert len(mine) == 1
    assert mine[0].answers == _browser_answers(essay="Өзгөртүлдү", fmt="offline")


@needs_browser
def test_browser_expired_link_shows_the_closed_page(live, phone):
    _, base = live
    resp = phone.goto(f"{base}/t/{tok('expired', 'p2')}")
    assert resp.status == 410
    assert phone.locator("h1").all_inner_texts() == ["Форма закрыта", "Форма жабылды"]  # her language (ru) first
    assert "18.09.2022 18:00" in phone.inner_text("main") and phone.locator("form").count() == 0
    phone.goto(f"{base}/t/{tok('expired', 'p1')}")  # a Kyrgyz speaker's link
    assert phone.locator("h1").all_inner_texts() == ["Форма жабылды", "Форма закрыта"]
    resp = phone.goto(f"{base}/t/not-a-real-token")
    assert resp.status == 404 and "Шилтеме табылган жок" in phone.inner_text("main")


@needs_browser
def test_browser_script_in_an_answer_stays_text(live, phone):
    st, base = live
    page = phone
    url = f"{base}/t/{tok('all', 'p6')}"
    page.goto(url)
    _fill_page_one(page)
    page.click("#page-0 [data-go=next]")
    _fill_page_two(page, essay=XSS)
    page.click("#page-1 button[value=submit].primary")
    page.wait_for_url("**/done?lang=ru")
    page.goto(url)  # the page re-rendered for editing; the phone fixture fails on any dialog
    page.click("#page-0 [data-go=next]")
    assert page.input_value('textarea[name="q.essay"]') == XSS
    assert page.locator("main b").count() == 0 and page.locator("main script").count() == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page.content()
    mine = [json.loads(r.answers_json) for r in st.responses.list("all") if r.participant_id == "p6"]
    assert mine[0]["essay"] == XSS
