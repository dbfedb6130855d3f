"""An event page's "what changed": against the previous comparable event and since its last report,
in plain words (ru, ky), without revealing a small group (automation/reporting/report/event_changes.py)."""

from __future__ import annotations

import re

import pytest

import automation.reporting.report.build as report
from automation.reporting.report.event_changes import compare_events, previous_event
from test_charts_report import FEEDBACK, NOW, _insert_form, _responses, store  # noqa: F401


def _block(path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html[html.index('id="changes"'):html.index('id="forms"')])


def test_event_page_compares_with_the_previous_comparable_event(store, tmp_path):  # noqa: F811
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    _responses(store, "ws_law.event_feedback", {p: {"useful": 1, "trainer": 2} for p in ("p1", "p2", "p3")})
    report.build_report(store, tmp_path, now=NOW)
    first = _block(tmp_path / "report_ws_budget.html")
    assert "Раньше в сезоне не было сравнимого мероприятия." in first
    law = _block(tmp_path / "report_ws_law.html")
    # ws_budget: 5 respondents, ratings 5 4 4 4 2 5 -> 4,0; ws_law: 3 respondents, 1 2 x3 -> 1,5
    assert "По сравнению с «ws_budget»:" in law
    assert "ответили 5 → 3 чел." in law and "средняя оценка 4,0 → 1,5 (ниже)" in law
    assert "Это первый отчёт" in law
    # the next report: one new evaluation is counted, but no mean is compared (it would show her answer)
    _responses(store, "ws_law.event_feedback", {"p4": {"useful": 5, "trainer": 5}})
    report.build_report(store, tmp_path, now=NOW)
    law = _block(tmp_path / "report_ws_law.html")
    assert "С прошлого отчёта по этому мероприятию (20.09.2022 12:30): +1 отв.</summary>" in law
    assert "Оценка мероприятия</strong>: +1 отв. (было 3, стало 4)" in law
    assert "Средние не сравниваются" in law and "1,5 →" not in law
    assert (tmp_path / ".last-report.ws_law.ru.json").exists()


def test_a_small_event_is_not_compared_by_its_rating(store, tmp_path):  # noqa: F811
    # two evaluations: fewer than 3, so ws_law's rating is hidden and must not appear as a comparison
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    _responses(store, "ws_law.event_feedback", {"p1": {"useful": 1, "trainer": 1}, "p4": {"useful": 2}})
    report.build_report(store, tmp_path, now=NOW)
    law = _block(tmp_path / "report_ws_law.html")
    assert "средняя оценка" not in law and "1,0" not in law and "1,5" not in law
    assert "слишком мало ответов" in law
    report.build_report(store, tmp_path, lang="ky", now=NOW)
    ky = _block(tmp_path / "report_ws_law.html")
    assert "«ws_budget» менен салыштырганда:" in ky and "орточо баа" not in ky and "жооп өтө аз" in ky


def test_previous_event_needs_a_form_of_the_same_kind(store):  # noqa: F811
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    forms = {f.form_key: f for f in store.forms.all()}
    events = {"ws_budget": [forms["ws_budget.post_test"]], "ws_law": [forms["ws_law.event_feedback"]]}
    assert previous_event(events, "ws_law") is None
    events["ws_budget"].append(forms["ws_budget.event_feedback"])
    assert previous_event(events, "ws_law") == "ws_budget"
    assert previous_event(events, "ws_budget") is None and previous_event(events, "nope") is None


def test_a_one_event_report_compares_with_the_previous_event_too(store, tmp_path):  # noqa: F811
    # the reports job builds one event's page alone (event_id): it must not claim there is nothing to compare with
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    _responses(store, "ws_law.event_feedback", {p: {"useful": 1, "trainer": 2} for p in ("p1", "p2", "p3")})
    path = report.build_report(store, tmp_path, event_id="ws_law", now=NOW)
    law = _block(path)
    assert "ответили 5 → 3 чел." in law and "средняя оценка 4,0 → 1,5 (ниже)" in law
    assert not (tmp_path / "report_ws_budget.html").exists()


def test_figures_equal_once_rounded_are_the_same():
    row = lambda n, rating, gain: {"respondents": n, "rating": rating, "gain": gain, "rating_n": n, "gain_n": n}  # noqa: E731
    light = lambda r, i: [{"invited": i, "responded": r}]  # noqa: E731
    c = compare_events(row(9, 4.14, 0.431), row(8, 4.12, None), "A", light(9, 10), light(8, 10), "ky")
    assert c["heading"] == "«A» менен салыштырганда:"
    assert c["lines"] == ["жооп бергендер 8 → 9 адам", "жооптордун үлүшү 80% → 90% (жогору)",
                          "орточо баа 4,1 → 4,1 (ошондой эле)"]
    assert c["note"] is None
