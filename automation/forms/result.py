"""Her test result: when it may be shown, her score, and per graded question her answer and the correct one.

Shared by her form page (:mod:`automation.web.result`) and her result mail
(:mod:`automation.jobs.test_results`), so that both show the same score and the same answers.

* :func:`result_visible` — whether her score and the correct answers may be shown, by the quiz's
  ``show_answers`` (:data:`automation.model.SHOW_ANSWERS`): ``after_deadline`` (the default: nobody can
  still answer, so the key cannot spread), ``after_submit`` (as soon as she sent it), ``never``.  A
  **pre-test** asks the questions of its post-test (the plan's ``<form>.pre``), so its key would answer
  the post-test: its result waits for the post-test's deadline (:func:`results_after`), whatever
  ``show_answers`` says, and is not shown while there is no post-test.
* :func:`graded` — her points and each graded question with her answer, in form order (pure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from automation.forms.answers import grade
from automation.model import FormSpec, Question, parse_iso
from automation.store import FormRecord

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


def answer_label(q: Question, value: Any, lang: str) -> str:
    """Her answer to ``q`` as she read it (option labels in ``lang``, joined by «; »); "" when she gave none."""
    if value is None or value == "" or value == []:
        return ""
    if q.kind in ("single_choice", "multiple_choice", "dropdown"):
        vals = value if isinstance(value, list) else [value]
        return "; ".join(q.option_label(v, lang) for v in vals)
    return str(value)


def answer_lines(spec: FormSpec, answers: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Her ``answers`` as she would read them back, in form order: ``(question title, answer)`` in ``lang``
    for each question she answered (a grid as «row: column» pairs joined by «; »)."""
    out = []
    for q in spec.questions:
        value = answers.get(q.id)
        if q.kind == "grid" and isinstance(value, dict):
            rows = {r.id: r.label.get(lang) for r in q.rows}
            text = "; ".join(f"{rows.get(r, r)}: {q.option_label(c, lang)}" for r, c in value.items())
        else:
            text = answer_label(q, value, lang)
        if text:
            out.append((q.title.get(lang), text))
    return out


def correct_label(q: Question, lang: str) -> str:
    """The correct answer to a graded ``q`` in ``lang``: its correct options joined by «; », or the accepted
    texts of a short-text question joined by « / »."""
    return "; ".join(q.option_label(c, lang) for c in q.correct) if q.options else " / ".join(q.correct)


@dataclass(frozen=True)
class GradedQuestion:
    """One graded question of her result: ``value`` is her raw answer (None when she gave none), ``points``
    what she earned and ``ok`` whether she earned all of the question's points."""

    question: Question
    value: Any
    points: float
    ok: bool


@dataclass(frozen=True)
class Graded:
    """Her result on one quiz: ``score`` (points earned) of ``max_score``, and each graded question in form
    order."""

    score: float
    max_score: float
    questions: tuple[GradedQuestion, ...]

    @property
    def wrong(self) -> tuple[GradedQuestion, ...]:
        """The graded questions where she did not earn all the points (unanswered ones included)."""
        return tuple(g for g in self.questions if not g.ok)


def graded(spec: FormSpec, answers: dict[str, Any]) -> Graded:
    """Her :class:`Graded` result on ``spec`` from her ``answers`` (question id → value), graded as the
    analysis grades (:func:`automation.forms.answers.grade`)."""
    items, total = [], 0.0
    for q in spec.questions:
        if not q.correct:
            continue
        got = grade(q, answers.get(q.id)) or 0.0
        total += got
        items.append(GradedQuestion(q, answers.get(q.id), got, got >= q.points))
    return Graded(total, spec.max_score, tuple(items))
