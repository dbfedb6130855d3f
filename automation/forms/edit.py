"""Correcting a form after the invitations went out, without losing or changing the meaning of any answer.

:func:`edit_form` replaces a form's spec (from its template or test file, corrected) and/or
extends its deadline.  What may change:

* texts — titles, help, descriptions, option and row labels (a typo);
* new questions, new options, new grid rows; ``required``; ``shuffle``;
* the deadline, to a later moment, while the form is open.

What is refused when responses already use it (:func:`edit_problems`), because the stored
answers would then mean something else: removing a question, an option, a grid row or column;
changing a question's kind or a scale's range; switching off ``other`` when "other" texts were
given; changing the answer key or the points of a graded question (re-keying); changing the
form's kind or whether it is a quiz.  Nothing is stored or sent when anything is refused.

The form keeps its earlier spec and deadline in ``form_versions``; the new spec gets the next
version number; every response records the version she answered
(:attr:`automation.store.responses.StoredResponse.template_version`).  The backend applies
the edit first (:meth:`automation.workspace.ports.FormsPort.update_form`: on Google one
``forms.batchUpdate``), then the store, so a refused or failed backend call changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.errors import AutomationError
from automation.model import BISHKEK, CHOICE_KINDS, FormSpec, iso, parse_iso
from automation.store import Store
from automation.workspace.ports import FormsPort


class EditRefused(AutomationError):
    """The edit would lose answers or change what they mean (``problems``: one line each), or is not possible."""

    def __init__(self, form_key: str, problems: list[str]):
        self.form_key, self.problems = form_key, problems
        super().__init__(f"the form {form_key} was not changed:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class EditResult:
    """What :func:`edit_form` did: the versions before and after, the new deadline (UTC ISO) and the changes."""

    form_key: str
    old_version: int
    new_version: int
    deadline: str
    changes: tuple[str, ...]


def _usage(answers: list[dict[str, Any]]) -> tuple[Counter, Counter, Counter]:
    """Counts over stored answers: responses per question, per (question, value), per (question, grid row)."""
    per_q: Counter = Counter()
    per_v: Counter = Counter()
    per_row: Counter = Counter()
    for a in answers:
        for qid, v in a.items():
            per_q[qid] += 1
            if isinstance(v, dict):
                for row, col in v.items():
                    per_row[(qid, row)] += 1
                    per_v[(qid, str(col))] += 1
            else:
                for x in (v if isinstance(v, list) else [v]):
                    per_v[(qid, str(x))] += 1
    return per_q, per_v, per_row


def edit_problems(old: FormSpec, new: FormSpec, answers: list[dict[str, Any]]) -> list[str]:
    """Why replacing ``old`` by ``new`` would lose stored ``answers`` or change their meaning (empty: it is safe).

    ``answers``: the stored answer mappings of the form's responses (question id → value).
    """
    if not answers:
        return []
    n = len(answers)
    per_q, per_v, per_row = _usage(answers)
    out: list[str] = []
    if new.kind != old.kind or new.quiz != old.quiz:
        out.append(f"the form's kind or quiz setting changes ({old.kind}, quiz {old.quiz} → {new.kind}, quiz "
                   f"{new.quiz}) and {n} response(s) are stored; make a new form instead")
    new_q = {q.id: q for q in new.questions}
    for q in old.questions:
        used = per_q[q.id]
        if not used:
            continue
        nq = new_q.get(q.id)
        if nq is None:
            out.append(f"question {q.id}: {used} response(s) answered it; removing it would lose their answers "
                       "(keep it; it may become required: false)")
            continue
        if nq.kind != q.kind:
            out.append(f"question {q.id}: changing its kind ({q.kind} → {nq.kind}) would change {used} stored answer(s)")
            continue
        kept = {o.id for o in nq.options}
        for o in q.options:
            k = per_v[(q.id, o.id)]
            if o.id not in kept and k:
                out.append(f"question {q.id}: option {o.id} («{o.label.ru}») was chosen {k} time(s); removing or "
                           "renaming its id would change those answers (correct its label instead)")
        rows = {r.id for r in nq.rows}
        for r in q.rows:
            if r.id not in rows and per_row[(q.id, r.id)]:
                out.append(f"question {q.id}: grid row {r.id} has {per_row[(q.id, r.id)]} answer(s); it cannot be removed")
        if q.scale and nq.scale and (q.scale.low, q.scale.high) != (nq.scale.low, nq.scale.high):
            out.append(f"question {q.id}: changing the scale {q.scale.low}–{q.scale.high} → {nq.scale.low}–"
                       f"{nq.scale.high} would change what {used} stored answer(s) mean")
        if q.other and not nq.other and q.kind in CHOICE_KINDS:
            ids = {o.id for o in q.options}
            texts = sum(k for (qid, v), k in per_v.items() if qid == q.id and v not in ids)
            if texts:
                out.append(f"question {q.id}: {texts} answer(s) are 'other' texts; other: true must stay")
        if q.correct and (set(nq.correct) != set(q.correct) or nq.points != q.points):
            out.append(f"question {q.id}: changing its correct answer or points (re-keying) would change the scores "
                       f"of {used} stored response(s); make a new test version for the next event instead")
    return out


def _changes(old: FormSpec, new: FormSpec) -> list[str]:
    """Human lines saying what the edit changes (for the admin)."""
    out = []
    old_q = {q.id: q for q in old.questions}
    for q in new.questions:
        o = old_q.get(q.id)
        if o is None:
            out.append(f"new question {q.id}")
        elif o != q:
            added = [x.id for x in q.options if x.id not in {y.id for y in o.options}]
            out.append(f"question {q.id}: " + (f"new option(s) {', '.join(added)}" if added else "corrected"))
    out += [f"removed question {q.id} (no answers)" for q in old.questions if q.id not in {x.id for x in new.questions}]
    if (old.title, old.description, old.sections) != (new.title, new.description, new.sections):
        out.append("title, description or pages corrected")
    return out


def load_spec_file(path: str | Path) -> FormSpec:
    """A template or test file, read by the loader its content calls for (:mod:`automation.forms.testfile`)."""
    from automation.checker import read_yaml
    from automation.errors import TemplateError
    from automation.forms.templates import load_template
    from automation.forms.testfile import is_test, load_test

    p = Path(path)
    data = read_yaml(p, TemplateError, "(a form template or a test)")
    return load_test(p) if is_test(data) else load_template(p)


def edit_form(store: Store, forms: FormsPort, form_key: str, now: datetime, new_spec: FormSpec | None = None,
              deadline: datetime | None = None, note: str = "") -> EditResult:
    """Replace the spec of the form ``form_key`` by ``new_spec`` and/or move its deadline to ``deadline`` (aware).

    ``new_spec`` None keeps the questions; a question of it with ``options_from`` keeps the options the form was
    made with (e.g. the presenters).  Raises :class:`EditRefused` (nothing changed) for an unknown form, a
    change that would lose answers or change their meaning (:func:`edit_problems`), a deadline not after
    ``now`` or earlier than the current one, an edit of a closed form's deadline, or an edit that changes
    nothing; :class:`automation.errors.BackendError` when the backend refuses (nothing stored).
    """
    form = store.forms.get(form_key)
    if form is None:
        known = ", ".join(f.form_key for f in store.forms.all()[:12])
        raise EditRefused(form_key, [f"no form {form_key!r} has been made (forms made: {known or 'none'})"])
    old = form.spec()
    new = old if new_spec is None else _keep_filled_options(old, new_spec)
    problems = edit_problems(old, new, [r.answers for r in store.responses.list(form_key)])
    new_deadline = form.deadline
    if deadline is not None:
        local = deadline.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M")
        if form.status != "open":
            problems.append("the form has closed and its results were processed; its deadline cannot move "
                            "(make a new form for late answers)")
        elif deadline <= now:
            problems.append(f"the new deadline {local} (Asia/Bishkek) is not in the future")
        elif deadline < parse_iso(form.deadline):
            problems.append(f"the new deadline {local} is earlier than the current one "
                            f"{parse_iso(form.deadline).astimezone(BISHKEK):%Y-%m-%d %H:%M}; invitations promised "
                            "the later time")
        new_deadline = iso(deadline)
    changes = _changes(old, new) if new_spec is not None else []
    if new_deadline != form.deadline:
        changes.append(f"deadline {parse_iso(form.deadline).astimezone(BISHKEK):%Y-%m-%d %H:%M} → "
                       f"{parse_iso(new_deadline).astimezone(BISHKEK):%Y-%m-%d %H:%M} (Asia/Bishkek)")
    if not problems and not changes:
        problems.append("nothing to change: the questions and the deadline are as they are")
    if problems:
        raise EditRefused(form_key, problems)
    same = dataclasses.replace(new, version=old.version, source=old.source) == old
    version = old.version if same else max(old.version + 1, new.version)
    new = dataclasses.replace(new, version=version)
    forms.update_form(form.external_id, old, new, parse_iso(new_deadline), context=form.context())
    with store.transaction():
        store.forms.replace_version(form_key, json.dumps(new.to_json(), ensure_ascii=False), version, new_deadline,
                                    now, note)
        if new_deadline != form.deadline:  # the plan's reminder, closing and results follow, as after `forms extend`
            store.console.set_deadline(form_key, parse_iso(new_deadline), "forms edit", now)
            store.console.audit("forms edit", "form.extend", form_key, f"{form.deadline} -> {new_deadline}", now)
    return EditResult(form_key, old.version, version, new_deadline, tuple(changes))


def _keep_filled_options(old: FormSpec, new: FormSpec) -> FormSpec:
    """``new`` with the options of its ``options_from`` questions taken from ``old`` (as the form was made)."""
    made = {q.id: q for q in old.questions}
    qs = tuple(dataclasses.replace(q, options=made[q.id].options, options_from=None)
               if q.options_from and q.id in made else q for q in new.questions)
    return dataclasses.replace(new, questions=qs, source=new.source or old.source)
