"""Answers ↔ the fields of a participant's page: what the page shows, what a POST holds, what is stored.

"values" is what the page shows, per question id:

=======================  ===============================================
question kind            value
=======================  ===============================================
single_choice/dropdown   ``{"choice": option id | OTHER | None, "other": str}``
multiple_choice          ``{"choices": [option ids, OTHER], "other": str}``
grid                     ``{row id: column id}``
scale, text, date        str (as typed)
=======================  ===============================================

Answers follow :mod:`automation.forms.answers`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from automation.forms.answers import check_answers, word_count
from automation.model import FormSpec, Question
from automation.web.texts import PROBLEMS

#: Longest "other" text of a choice question.
OTHER_MAX_CHARS = 500
#: The value of the "other" radio button / checkbox.
OTHER = "__other__"

_INT_RE = re.compile(r"^[+-]?\d{1,6}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def text_limit(q: Question) -> int:
    """Most characters a text answer may have (the rule of :func:`automation.forms.answers.check_answer`)."""
    return q.max_chars or (20000 if q.kind == "long_text" else 1000)


def problem_message(q: Question, code: str, lang: str, value: Any = None) -> str:
    """The participant-facing message for a problem ``code`` of question ``q`` in ``lang`` (``ky``/``ru``).

    ``value`` is the question's page value (it gives the counts of ``too_many_words``
    and ``too_long``); an unknown code gets the ``bad_type`` message.
    """
    msgs = PROBLEMS[lang]
    if code == "required" and q.kind == "grid":
        code = "required_grid"
    if code == "out_of_range" and q.scale:
        return msgs[code].format(low=q.scale.low, high=q.scale.high)
    if code == "too_many_words":
        return msgs[code].format(max=q.max_words, n=word_count(value if isinstance(value, str) else ""))
    if code == "too_long":
        if q.kind in ("short_text", "long_text"):
            n = len(value) if isinstance(value, str) else 0
            return msgs[code].format(max=text_limit(q), n=n)
        other = value.get("other", "") if isinstance(value, dict) else ""
        return msgs[code].format(max=OTHER_MAX_CHARS, n=len(other))
    return msgs.get(code, msgs["bad_type"])


def _clean(text: str) -> str:
    """Typed text with newlines unified, control characters removed (they break .xlsx workbooks), stripped."""
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def values_from_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """Page values of a stored response (for editing)."""
    vals: dict[str, Any] = {}
    for q in spec.questions:
        a = answers.get(q.id)
        if a is None:
            continue
        ids = {o.id for o in q.options}
        if q.kind in ("single_choice", "dropdown"):
            if isinstance(a, str) and a in ids:
                vals[q.id] = {"choice": a, "other": ""}
            elif q.other:
                vals[q.id] = {"choice": OTHER, "other": str(a)}
        elif q.kind == "multiple_choice":
            items = a if isinstance(a, list) else [a]
            others = [str(x) for x in items if x not in ids]
            vals[q.id] = {"choices": [x for x in items if x in ids] + ([OTHER] if others else []),
                          "other": ", ".join(others)}
        elif q.kind == "grid":
            vals[q.id] = {str(k): str(v) for k, v in a.items()} if isinstance(a, dict) else {}
        else:
            vals[q.id] = str(a)
    return vals


def values_from_form(spec: FormSpec, form: Any) -> dict[str, Any]:
    """Page values of a POSTed form (``request.form``); unknown fields are ignored."""
    vals: dict[str, Any] = {}
    for q in spec.questions:
        name = f"q.{q.id}"
        if q.kind in ("single_choice", "dropdown"):
            vals[q.id] = {"choice": form.get(name) or None, "other": _clean(form.get(name + ".other", ""))}
        elif q.kind == "multiple_choice":
            vals[q.id] = {"choices": form.getlist(name), "other": _clean(form.get(name + ".other", ""))}
        elif q.kind == "grid":
            vals[q.id] = {r.id: form.get(f"{name}.{r.id}") for r in q.rows if form.get(f"{name}.{r.id}")}
        else:
            vals[q.id] = _clean(form.get(name, ""))
    return vals


def _parse_date(text: str) -> str:
    """``YYYY-MM-DD`` (from a date picker) or ``DD.MM.YYYY`` (typed) → ISO; anything else is returned as is."""
    m = _DMY_RE.match(text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return text
    return text


def answers_from_values(spec: FormSpec, vals: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers in the conventions of :mod:`automation.forms.answers`, and the problems found.

    Problems come from :func:`check_answers`, plus: a choice that is not an
    option (``not_an_option``), "other" ticked with no text (``other_empty``),
    an "other" text over :data:`OTHER_MAX_CHARS` (``too_long``).
    """
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for q in spec.questions:
        v = vals.get(q.id)
        if v is None:
            continue
        ids = [o.id for o in q.options]
        if q.kind in ("single_choice", "dropdown", "multiple_choice"):
            other = v["other"] if q.other else ""
            if len(other) > OTHER_MAX_CHARS:
                problems[q.id] = "too_long"
            if q.kind == "multiple_choice":
                chosen = v["choices"]
                if any(c not in ids and c != OTHER for c in chosen):
                    problems.setdefault(q.id, "not_an_option")
                picked: list[str] = [i for i in ids if i in chosen]
                if q.other and OTHER in chosen and not other:
                    problems.setdefault(q.id, "other_empty")
                if other:  # typing next to "other" counts as choosing it (the page ticks it too)
                    picked.append(other)
                if picked:
                    answers[q.id] = picked
            else:
                choice = v["choice"]
                if choice in ids:
                    answers[q.id] = choice
                elif q.other and choice in (OTHER, None) and other:
                    answers[q.id] = other
                elif q.other and choice == OTHER:
                    problems.setdefault(q.id, "other_empty")
                elif choice not in (None, OTHER):
                    problems.setdefault(q.id, "not_an_option")
        elif q.kind == "grid":
            if v:
                answers[q.id] = dict(v)
        elif q.kind == "scale":
            if v:
                answers[q.id] = int(v) if _INT_RE.match(v) else v
        elif q.kind == "date":
            if v:
                answers[q.id] = _parse_date(v)
        elif v:
            answers[q.id] = v
    for qid, code in check_answers(spec, answers).items():
        problems.setdefault(qid, code)
    return answers, problems
