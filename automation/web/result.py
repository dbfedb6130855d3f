"""What the form pages add about the form itself: the event line, the admin's contact, and her test result.

* :func:`event_line` — the event's title and date (Asia/Bishkek) from the form's stored context
  (:meth:`automation.store.FormRecord.context`), shown on the form page and on its closed and
  thank-you pages.
* :func:`quiz_result` — her score and, per graded question, her answer and the correct one, when the
  quiz's ``show_answers`` allows it (:data:`automation.model.SHOW_ANSWERS`): ``after_deadline`` (the
  default: nobody can still answer, so the key cannot spread), ``after_submit`` (as soon as she sent
  it), ``never``.  A **pre-test** asks the questions of its post-test (the plan's ``<form>.pre``), so its
  key would answer the post-test: its result waits for the post-test's deadline (:func:`results_after`),
  whatever ``show_answers`` says, and is not shown while there is no post-test.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.forms.answers import grade
from automation.model import BISHKEK, FormSpec, parse_iso
from automation.store import FormRecord

#: What these additions say, in Kyrgyz and Russian (merged into :data:`automation.web.texts.TEXTS`).
RESULT_TEXTS: dict[str, dict[str, str]] = {
    "ky": {
        "event_line": "Иш-чара: {title}, {date}",
        "contact": "Суроолор болсо, администраторго жазыңыз: {email}",
        "score_title": "Сиздин жыйынтыгыңыз",
        "score": "Упай: {score} / {max}",
        "your_answer": "Сиздин жообуңуз",
        "correct_answer": "Туура жооп",
        "no_answer": "жооп жок",
        "answers_later": "Упайыңыз жана туура жооптор жооп кабыл алуу бүткөндөн кийин ({deadline}) ушул эле "
                         "шилтемеде көрүнөт.",
        "answers_after_post": "Бул алдын ала тест: упайыңыз жана туура жооптор тренингден кийинки тест жабылгандан "
                              "кийин ({deadline}) ушул эле шилтемеде көрүнөт.",
    },
    "ru": {
        "event_line": "Мероприятие: {title}, {date}",
        "contact": "Если есть вопросы, напишите администратору: {email}",
        "score_title": "Ваш результат",
        "score": "Баллы: {score} из {max}",
        "your_answer": "Ваш ответ",
        "correct_answer": "Правильный ответ",
        "no_answer": "нет ответа",
        "answers_later": "Баллы и правильные ответы появятся по этой же ссылке после окончания приёма ответов "
                         "({deadline}).",
        "answers_after_post": "Это входной тест: баллы и правильные ответы появятся по этой же ссылке после того, "
                              "как закроется итоговый тест после тренинга ({deadline}).",
    },
}


def event_line(form: FormRecord, lang: str) -> str | None:
    """«Мероприятие: <title>, dd.mm.yyyy» for a form made for an event; None for a survey or an older form."""
    ctx = form.context()
    title = (ctx.get("event") or {}).get(lang)
    if not title:
        return None
    start = ctx.get("start")
    date = parse_iso(start).astimezone(BISHKEK).strftime("%d.%m.%Y") if start else ""
    return RESULT_TEXTS[lang]["event_line"].format(title=title, date=date).rstrip(", ")


def contact(form: FormRecord | None) -> str | None:
    """The admin's e-mail recorded with the form, or None."""
    return (form.context().get("contact") or None) if form is not None else None


#: The suffix of a pre-test's form key after its post-test's (automation/plan/load.py).
PRE_SUFFIX = ".pre"


def results_after(form: FormRecord, post_test: FormRecord | None) -> datetime | None:
    """When the quiz ``form``'s results may be shown (UTC), for ``after_deadline`` and for every pre-test: its
    own deadline; for a pre-test (``form.pre_test``) the deadline of ``post_test`` (the form keyed
    ``form_key`` without ``.pre``, as stored; it may have been extended), or None while there is none: the
    pre-test's key must not answer the post-test."""
    if not form.pre_test:
        return parse_iso(form.deadline)
    return parse_iso(post_test.deadline) if post_test is not None else None


def post_test_key(form: FormRecord) -> str | None:
    """The form key of a pre-test's post-test (``x.pre`` → ``x``); None for any other form."""
    return form.form_key[:-len(PRE_SUFFIX)] if form.pre_test and form.form_key.endswith(PRE_SUFFIX) else None


def result_visible(spec: FormSpec, form: FormRecord, now: datetime, answered: bool,
                   after: datetime | None = None) -> bool:
    """Whether her score and the correct answers may be shown at ``now`` (UTC; see the module docstring).
    ``after`` is :func:`results_after` of the form (for a pre-test, None while it has no post-test)."""
    if not spec.quiz or not answered or spec.max_score <= 0:
        return False
    if form.pre_test:
        return spec.show_answers != "never" and after is not None and now > after
    if spec.show_answers == "after_submit":
        return True
    return spec.show_answers == "after_deadline" and now > (after or parse_iso(form.deadline))


def _label(q: Any, value: Any, lang: str) -> str:
    if value is None or value == "" or value == []:
        return ""
    if q.kind in ("single_choice", "multiple_choice", "dropdown"):
        vals = value if isinstance(value, list) else [value]
        return "; ".join(q.option_label(v, lang) for v in vals)
    return str(value)


def quiz_result(spec: FormSpec, answers: dict[str, Any], lang: str) -> dict[str, Any]:
    """``{"title", "score", "items": [{"title", "yours", "correct", "ok"}]}``: her points (``score`` as text,
    e.g. «Баллы: 15 из 17») and each graded question with her answer, the correct answer and whether she
    earned its points, in form order."""
    t = RESULT_TEXTS[lang]
    items, total = [], 0.0
    for q in spec.questions:
        if not q.correct:
            continue
        got = grade(q, answers.get(q.id)) or 0.0
        total += got
        correct = "; ".join(q.option_label(c, lang) for c in q.correct) if q.options else " / ".join(q.correct)
        items.append({"title": q.title.get(lang), "yours": _label(q, answers.get(q.id), lang) or t["no_answer"],
                      "correct": correct, "ok": got >= q.points})
    return {"title": t["score_title"], "score": t["score"].format(score=f"{total:g}", max=spec.max_score),
            "items": items, "your_answer": t["your_answer"], "correct_answer": t["correct_answer"]}
