"""What the form pages add about the form itself: the event line, the admin's contact, and her test result.

* :func:`event_line` — the event's title and date (Asia/Bishkek) from the form's stored context
  (:meth:`automation.store.FormRecord.context`), shown on the form page and on its closed and
  thank-you pages.
* :func:`quiz_result` — her score and, per graded question, her answer and the correct one, in her
  language, when the quiz's ``show_answers`` allows it.  When that is, and the grading itself, live in
  :mod:`automation.forms.result` (shared with her result mail); :func:`results_after`,
  :func:`post_test_key` and :func:`result_visible` are re-exported from there.
"""

from __future__ import annotations

from typing import Any

from automation.forms.result import PRE_SUFFIX as PRE_SUFFIX, answer_label, correct_label, graded
from automation.forms.result import post_test_key as post_test_key, result_visible as result_visible
from automation.forms.result import results_after as results_after
from automation.model import BISHKEK, FormSpec, parse_iso
from automation.store import FormRecord

#: What these additions say, in Kyrgyz and Russian (merged into :data:`automation.web.texts.TEXTS`).
RESULT_TEXTS: dict[str, dict[str, str]] = {
    "ky": {
        "event_line": "Иш-чара: {title}, {date}",
        "form_line": "Форма: {title}",
        "contact": "Суроолор болсо, администраторго жазыңыз: {email}",
        "score_title": "Сиздин жыйынтыгыңыз",
        "score": "Упай: {score} / {max}",
        "your_answer": "Сиздин жообуңуз",
        "correct_answer": "Туура жооп",
        "no_answer": "жооп жок",
        "answers_later": "Упайыңыз жана туура жооптор жооп кабыл алуу бүткөндөн кийин ({deadline}) ушул эле "
                         "шилтемеде көрүнөт.",
        "not_received_title": "Бул жооптор кабыл алынган жок",
        "not_received": "Форма {deadline} жабылды, жоопторуңуз ага чейин жеткен жок. Төмөндө сиз жазгандар: "
                        "көчүрүп алыңыз же администраторго жөнөтүңүз.",
        "answers_after_post": "Бул алдын ала тест: упайыңыз жана туура жооптор тренингден кийинки тест жабылгандан "
                              "кийин ({deadline}) ушул эле шилтемеде көрүнөт.",
    },
    "ru": {
        "event_line": "Мероприятие: {title}, {date}",
        "form_line": "Форма: {title}",
        "contact": "Если есть вопросы, напишите администратору: {email}",
        "score_title": "Ваш результат",
        "score": "Баллы: {score} из {max}",
        "your_answer": "Ваш ответ",
        "correct_answer": "Правильный ответ",
        "no_answer": "нет ответа",
        "answers_later": "Баллы и правильные ответы появятся по этой же ссылке после окончания приёма ответов "
                         "({deadline}).",
        "not_received_title": "Эти ответы не приняты",
        "not_received": "Форма закрылась {deadline}, и ваши ответы не успели дойти. Ниже то, что вы написали: "
                        "скопируйте или перешлите администратору.",
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


def form_line(form: FormRecord, lang: str) -> str | None:
    """«Форма: <the form's title>» in ``lang`` (she may have several links of one event in one mail); None when
    the stored form has no readable spec."""
    try:
        return RESULT_TEXTS[lang]["form_line"].format(title=form.spec().title.get(lang))
    except (ValueError, KeyError, TypeError):
        return None


def contact(form: FormRecord | None) -> str | None:
    """The admin's e-mail recorded with the form, or None."""
    return (form.context().get("contact") or None) if form is not None else None


def quiz_result(spec: FormSpec, answers: dict[str, Any], lang: str) -> dict[str, Any]:
    """``{"title", "score", "items": [{"title", "yours", "correct", "ok"}]}``: her points (``score`` as text,
    e.g. «Баллы: 15 из 17») and each graded question with her answer, the correct answer and whether she
    earned its points, in form order (:func:`automation.forms.result.graded`)."""
    t = RESULT_TEXTS[lang]
    g = graded(spec, answers)
    items = [{"title": x.question.title.get(lang), "yours": answer_label(x.question, x.value, lang) or t["no_answer"],
              "correct": correct_label(x.question, lang), "ok": x.ok} for x in g.questions]
    return {"title": t["score_title"], "score": t["score"].format(score=f"{g.score:g}", max=spec.max_score),
            "items": items, "your_answer": t["your_answer"], "correct_answer": t["correct_answer"]}
