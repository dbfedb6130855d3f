"""Don't ask what is known: on her personal link, the questions the roster already answers are not shown.

A form's question whose id is in :data:`KNOWN_QUESTIONS` (``oblast``, ``role``, ``language``) is
answered from her roster row when that row's value is one of the question's options (roster codes
with ``_`` for ``-``: ``jalal-abad`` → ``jalal_abad``).  The web form leaves such a question out of
her personal link (:func:`without_known`), and :meth:`automation.workspace.local.forms.LocalForms.submit`
stores the roster's answer with her response (:func:`known_answers`), so reports read the same
answers as before.  A public link has no roster row: it still asks.  Pre- or post-test is never
asked: the plan says which form is the pre-test.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from automation.model import FormSpec, Participant

#: Question ids answered from the roster on a personal link, and the roster field of each.
KNOWN_QUESTIONS: dict[str, str] = {"oblast": "oblast", "role": "role", "language": "language"}


def known_answers(spec: FormSpec, participant: Participant | None) -> dict[str, Any]:
    """``{question id: option id}`` for the questions of ``spec`` her roster row answers; empty without a row.

    Only choice questions (single choice, dropdown) whose options include the roster's value count;
    another question of that id (a text, a value the options lack) is asked as usual.
    """
    if participant is None:
        return {}
    out: dict[str, Any] = {}
    for q in spec.questions:
        field = KNOWN_QUESTIONS.get(q.id)
        if field is None or q.kind not in ("single_choice", "dropdown"):
            continue
        value = str(getattr(participant, field, "") or "").replace("-", "_")
        if value and value in {o.id for o in q.options}:
            out[q.id] = value
    return out


def without_known(spec: FormSpec, known: dict[str, Any]) -> FormSpec:
    """``spec`` without the questions in ``known`` (and without a section they leave empty)."""
    if not known:
        return spec
    qs = tuple(q for q in spec.questions if q.id not in known)
    used = {q.section for q in qs}
    return dataclasses.replace(spec, questions=qs, sections=tuple(s for s in spec.sections if s.id in used))
