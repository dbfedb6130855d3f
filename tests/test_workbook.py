"""The form's .xlsx workbook on the local backend, read back with openpyxl.

Forms are made by the scheduler, answers come in through ``LocalForms.submit`` with
personal tokens (as from the web forms), and the sync writes the workbook: question
titles (ru) as the header, one row per response, option labels, ``Question [Row]``
columns for grids, the quiz score, and respondent text always as text (DESIGN.md
principle 5: '=1+2' must never become a formula).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from automation.context import Context
from automation.jobs.responses import sync_form
from automation.scheduler import run_due
from automation.forms.templates import get_template
from automation.workspace.local.forms import FormClosed, InvalidResponse
from conftest import club_context
from conftest import local as L  # noqa: N812

ROSTER = """name,email,phone,oblast,municipality,role,language
Айгүл Токтосунова,aigul@example.org,,naryn,Ат-Башы,deputy,ky
Бермет Осмонова,bermet@example.org,,osh,Кара-Суу,candidate,ru
Чынара Исакова,chynara@example.org,,issyk-kul,Каракол,activist,ky
"""
PLAN = """club:
  name: {ky: Аял депутаттардын клубу, ru: Клуб женщин-депутатов}
  group_email: club@example.org
  admin_email: admin@example.org
events:
  - id: ws1
    title: {ky: Жергиликтүү бюджет, ru: Местный бюджет}
    format: online_workshop
    start: 2022-09-15 14:00
    end: 2022-09-15 16:00
    link: https://meet.example.org/ws1
    forms:
      - template: post_test
      - template: event_feedback
"""
FIXED = ["Отметка времени", "Адрес электронной почты", "Область", "Роль"]


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    c = club_context(tmp_path, PLAN, ROSTER)
    acts = [a for a in run_due(c, L(2022, 9, 15, 16, 0)) if a.action.event_id == "ws1"]
    assert {(r.action.key, r.status) for r in acts} >= {
        ("ws1.post_test.create", "done"), ("ws1.event_feedback.create", "done"),
        ("ws1.post_test.invitation", "done"), ("ws1.event_feedback.invitation", "done")}
    return c


def token(ctx: Context, form_key: str, email: str) -> str:
    pid = ctx.store.roster.get(email).id
    return ctx.store.db.execute("SELECT token FROM form_links WHERE form_key = ? AND participant_id = ?",
                                (form_key, pid)).fetchone()[0]


def read_sheet(path: Path) -> list[list]:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    return [[c for c in row] for row in ws.iter_rows()]


def test_feedback_workbook(ctx, tmp_path):
    fb = "ws1.event_feedback"
    base = {"usefulness": 5, "relevance": 4, "format": 4, "duration": 3, "trainer": 5, "materials": 4,
            "organisation": 5, "apply": "yes", "recommend": "unsure", "duration_fit": "too_short",
            "knowledge_change": {"before": "k2", "after": "k5"}}
    texts = {"most_useful": "=1+2", "what_to_change": "@SUM(A1)", "next_topics": "-5", "comment": "+7"}
    ctx.backend.forms.submit(token(ctx, fb, "aigul@example.org"), {**base, **texts}, now=L(2022, 9, 16, 12, 30))
    ctx.backend.forms.submit(token(ctx, fb, "bermet@example.org"),
                             {**base, "apply": "partly", "recommend": "no", "usefulness": 2,
                              "knowledge_change": {"before": "k1"}, "comment": "Всё понятно, спасибо!"},
                             now=L(2022, 9, 17, 9, 5))
    res = sync_form(ctx, fb, L(2022, 9, 22, 18, 0))
    assert res.status == "done"
    path = tmp_path / "sheets" / f"{fb}.xlsx"
    assert res.detail == f"2 responses (0 new) written to {path}"

    rows = read_sheet(path)
    header = [c.value for c in rows[0]]
    spec = get_template("event_feedback")
    expected_header = list(FIXED)
    for q in spec.questions:
        if q.kind == "grid":
            expected_header += [f"{q.title.ru} [{r.label.ru}]" for r in q.rows]
        else:
            expected_header.append(q.title.ru)
    assert header == expected_header
    assert "Насколько мероприятие было полезным для вас?" in header
    assert "Оцените свои знания по теме [До мероприятия]" in header
    assert "Оцените свои знания по теме [После мероприятия]" in header
    assert "Баллы" not in header  # not a quiz

    assert len(rows) == 3  # header + one row per response
    first = {h: c for h, c in zip(header, rows[1])}
    second = {h: c for h, c in zip(header, rows[2])}
    assert first["Отметка времени"].value == "16.09.2022 12:30:00"  # Asia/Bishkek
    assert second["Отметка времени"].value == "17.09.2022 09:05:00"
    assert first["Адрес электронной почты"].value == "aigul@example.org"
    assert first["Область"].value == "Нарынская"
    assert first["Роль"].value == "депутат местного кенеша"
    assert second["Роль"].value == "кандидат в депутаты"
    # choice answers are option labels, not ids
    assert first["Будете ли вы применять полученные знания в своей работе?"].value == "Да"
    assert second["Будете ли вы применять полученные знания в своей работе?"].value == "Частично"
    assert first["Порекомендовали бы вы такое мероприятие коллегам?"].value == "Не знаю"
    assert first["Какой была продолжительность?"].value == "Слишком короткой"
    # grid: one column per row, the column label as the value; an unanswered row is empty
    assert first["Оцените свои знания по теме [До мероприятия]"].value == "2"
    assert first["Оцените свои знания по теме [После мероприятия]"].value == "5"
    assert second["Оцените свои знания по теме [До мероприятия]"].value == "1"
    assert second["Оцените свои знания по теме [После мероприятия]"].value is None
    # a scale is a number
    use = first["Насколько мероприятие было полезным для вас?"]
    assert (use.value, use.data_type) == (5, "n")
    assert second["Насколько мероприятие было полезным для вас?"].value == 2
    # respondent text stays text, never a formula
    for qid, text in texts.items():
        cell = first[spec.question(qid).title.ru]
        assert cell.value == text, qid
        assert cell.data_type == "s", qid
    assert second["Дополнительные комментарии"].value == "Всё понятно, спасибо!"
    assert second["Что было самым полезным на мероприятии?"].value is None


def test_quiz_workbook_has_the_score(ctx, tmp_path):
    pt = "ws1.post_test"
    spec = get_template("post_test")
    assert spec.max_score == 17
    right = {q.id: (list(q.correct) if q.kind == "multiple_choice" else q.correct[0])
             for q in spec.questions if q.correct}
    one_wrong = {**right, "q_kenesh_powers": ["a", "b"]}  # a 2-point question, no partial credit
    three_wrong = {**one_wrong, "q_budget_year": "b", "q_gender_budget": "c"}  # and two 1-point ones
    ctx.backend.forms.submit(token(ctx, pt, "aigul@example.org"), right, now=L(2022, 9, 16, 10, 0))
    ctx.backend.forms.submit(token(ctx, pt, "bermet@example.org"), one_wrong, now=L(2022, 9, 16, 11, 0))
    ctx.backend.forms.submit(token(ctx, pt, "chynara@example.org"), three_wrong, now=L(2022, 9, 16, 12, 0))
    sync_form(ctx, pt, L(2022, 9, 22, 18, 0))

    rows = read_sheet(tmp_path / "sheets" / f"{pt}.xlsx")
    header = [c.value for c in rows[0]]
    assert header[:4] == FIXED
    assert header[-1] == "Баллы"
    assert header[4:-1] == [q.title.ru for q in spec.questions]
    assert len(rows) == 4
    by_email = {r[1].value: {h: c.value for h, c in zip(header, r)} for r in rows[1:]}
    assert {e: r["Баллы"] for e, r in by_email.items()} == {
        "aigul@example.org": "17 / 17", "bermet@example.org": "15 / 17", "chynara@example.org": "13 / 17"}
    powers = spec.question("q_kenesh_powers")
    assert by_email["aigul@example.org"][powers.title.ru] == "; ".join(
        powers.option_label(x) for x in ("a", "c", "e"))
    assert by_email["bermet@example.org"][powers.title.ru] == "; ".join(powers.option_label(x) for x in ("a", "b"))
    assert "Когда вы проходите тест?" not in by_email["aigul@example.org"]  # the service knows pre from post


def test_sync_is_idempotent_and_a_resubmission_replaces_the_row(ctx, tmp_path):
    fb = "ws1.event_feedback"
    answers = {"usefulness": 3, "relevance": 3, "format": 3, "duration": 3, "trainer": 3, "materials": 3,
               "organisation": 3, "apply": "no", "recommend": "no"}
    tok = token(ctx, fb, "chynara@example.org")
    ctx.backend.forms.submit(tok, answers, now=L(2022, 9, 16, 10, 0))
    sync_form(ctx, fb, L(2022, 9, 16, 11, 0))
    sync_form(ctx, fb, L(2022, 9, 16, 11, 5))
    path = tmp_path / "sheets" / f"{fb}.xlsx"
    assert len(read_sheet(path)) == 2
    ctx.backend.forms.submit(tok, {**answers, "apply": "yes"}, now=L(2022, 9, 18, 10, 0))
    sync_form(ctx, fb, L(2022, 9, 18, 11, 0))
    rows = read_sheet(path)
    assert len(rows) == 2
    header = [c.value for c in rows[0]]
    row = {h: c.value for h, c in zip(header, rows[1])}
    assert row["Будете ли вы применять полученные знания в своей работе?"] == "Да"
    assert row["Отметка времени"] == "18.09.2022 10:00:00"
    assert len(ctx.store.responses.list(fb)) == 1


def test_invalid_or_late_answers_are_refused_and_not_written(ctx, tmp_path):
    fb = "ws1.event_feedback"
    tok = token(ctx, fb, "aigul@example.org")
    with pytest.raises(InvalidResponse) as ei:
        ctx.backend.forms.submit(tok, {"usefulness": 9, "apply": "maybe"}, now=L(2022, 9, 16, 10, 0))
    assert ei.value.problems["usefulness"] == "out_of_range"
    assert ei.value.problems["apply"] == "not_an_option"
    assert ei.value.problems["relevance"] == "required"
    with pytest.raises(FormClosed):
        ctx.backend.forms.submit(tok, {"usefulness": 5}, now=L(2022, 9, 22, 18, 1))
    sync_form(ctx, fb, L(2022, 9, 22, 18, 5))
    assert len(read_sheet(tmp_path / "sheets" / f"{fb}.xlsx")) == 1  # the header only
    assert ctx.store.responses.list(fb) == []
