"""How one answer is represented, whatever backend it came from.

A response's answers are a JSON object keyed by question id (template ids,
never Google's question ids):

=================  ==========================================================
question kind      value
=================  ==========================================================
single_choice      option id (``"b"``); with ``other: true`` a text that is
                   not an option id is the "other" answer
dropdown           option id
multiple_choice    list of option ids (and "other" texts), in option order
scale              int within the scale's ``low``..``high``
short_text         str
long_text          str
date               ``"YYYY-MM-DD"``
grid               object ``{row id: column option id}``
=================  ==========================================================

An unanswered question is absent.  :func:`check_answers` validates a whole
response against its form spec; :func:`grade` scores a quiz answer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from automation.model import CHOICE_KINDS, FormSpec, Question

_WORD_RE = re.compile(r"\S+")


def word_count(text: str) -> int:
    """Words of ``text``: runs of non-space characters (the rule of ``max_words``)."""
    return len(_WORD_RE.findall(text))


def check_answer(q: Question, value: Any) -> str | None:
    """Return a problem code for ``value`` or None if it is valid.

    Codes (translated for participants by the web forms): ``required``,
    ``not_an_option``, ``out_of_range``, ``too_many_words``, ``too_long``,
    ``bad_date``, ``bad_type``.
    """
    if value is None or value == "" or value == [] or value == {}:
        return "required" if q.required else None
    ids = {o.id for o in q.options}
    if q.kind in ("single_choice", "dropdown"):
        if not isinstance(value, str):
            return "bad_type"
        if value not in ids and not (q.other and q.kind == "single_choice"):
            return "not_an_option"
    elif q.kind == "multiple_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "bad_type"
        if not q.other and any(v not in ids for v in value):
            return "not_an_option"
    elif q.kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            return "bad_type"
        assert q.scale is not None
        if not q.scale.low <= value <= q.scale.high:
            return "out_of_range"
    elif q.kind in ("short_text", "long_text"):
        if not isinstance(value, str):
            return "bad_type"
        if q.max_words and word_count(value) > q.max_words:
            return "too_many_words"
        if len(value) > (q.max_chars or (20000 if q.kind == "long_text" else 1000)):
            return "too_long"
    elif q.kind == "date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return "bad_date"
    elif q.kind == "grid":
        if not isinstance(value, dict):
            return "bad_type"
        rows, cols = {r.id for r in q.rows}, ids
        if any(k not in rows or v not in cols for k, v in value.items()):
            return "not_an_option"
        if q.required and set(value) != rows:
            return "required"
    return None


def check_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, str]:
    """Problems of a whole response: ``{question id: problem code}``; unknown ids are ``unknown_question``."""
    problems = {k: "unknown_question" for k in answers if k not in {q.id for q in spec.questions}}
    for q in spec.questions:
        code = check_answer(q, answers.get(q.id))
        if code:
            problems[q.id] = code
    return problems


def grade(q: Question, value: Any) -> float | None:
    """Points earned on a graded question (None if the question is not graded).

    Choice: full points when the set of chosen options equals the set of
    correct ones (Google Forms' rule: no partial credit for checkboxes).
    Short text: case- and space-insensitive match with an accepted answer.
    """
    if not q.correct:
        return None
    if value is None or value == "" or value == []:
        return 0.0
    if q.kind in CHOICE_KINDS:
        chosen = set(value) if isinstance(value, list) else {value}
        return float(q.points) if chosen == set(q.correct) else 0.0
    norm = " ".join(str(value).split()).casefold()
    return float(q.points) if any(norm == " ".join(c.split()).casefold() for c in q.correct) else 0.0


def score(spec: FormSpec, answers: dict[str, Any]) -> float:
    """Total quiz score of one response (0..spec.max_score)."""
    return sum(grade(q, answers.get(q.id)) or 0.0 for q in spec.questions if q.correct)
