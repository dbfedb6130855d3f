"""Knowledge tests per training: a test file built on a shared question bank (format in ``docs/TEMPLATES.md``).

A **bank** is a YAML file of bilingual quiz questions, each with its id and answer key::

    questions:
      - id: q_budget_approves
        kind: single_choice
        title: {ky: ..., ru: ...}
        options: [...]
        correct: [d]

A **test** names a bank (relative to the test file) and lists bank question ids and/or its own
questions, in sections or as one list::

    id: law_budget                 # equals the file name
    version: 1
    title: {ky: ..., ru: ...}
    bank: bank.yaml                # optional
    show_answers: after_deadline   # after_deadline (default) | after_submit | never
    questions:
      - bank: q_budget_approves    # a bank question, as the bank has it
      - id: q_own                  # a question of this test only (the template question format)
        kind: single_choice
        ...

The event names its test in the plan (``test: tests/law_budget.yaml``); the event's
``post_test`` forms (the pre-test and the post-test) are then made from it.  A test becomes
a :class:`~automation.model.FormSpec` of kind ``post_test`` with ``quiz: true``, so scoring,
item analysis and the gain read it like any quiz.  Problems raise
:class:`automation.errors.TemplateError` naming the file and the field of each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automation.checker import read_yaml
from automation.errors import TemplateError
from automation.forms.templates import QUESTION_KEYS, SECTION_KEYS, TemplateChecker, check_show_answers, question
from automation.model import FormSpec, Question, Section

#: The form kind a test's forms get (the analysis of scores and gain looks for quizzes of this kind).
TEST_KIND = "post_test"

_TEST_KEYS = {"id", "version", "title", "description", "bank", "show_answers", "sections", "questions"}
#: A test's own question (or a bank's): a template's keys but ``options_from`` (a test's options are its own).
TEST_QUESTION_KEYS = QUESTION_KEYS - {"options_from"}


def is_bank(data: Any) -> bool:
    """Whether a parsed YAML mapping looks like a question bank (``questions:`` and no ``title:``/``kind:``)."""
    return isinstance(data, dict) and "questions" in data and "title" not in data and "kind" not in data


def is_test(data: Any) -> bool:
    """Whether a parsed YAML mapping looks like a test (a ``title:`` and no ``kind:``; templates have a kind)."""
    return isinstance(data, dict) and "kind" not in data and "title" in data


def parse_bank(data: Any, source: str = "<bank>") -> dict[str, Question]:
    """``{question id: Question}`` of a bank mapping, in file order.  Raises :class:`TemplateError`."""
    c = TemplateChecker(source)
    if not c.keys(data, {"questions"}, "", ("questions",)):
        raise TemplateError(source, c.problems)
    out: dict[str, Question] = {}
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        c.err("questions", "expected a non-empty list of questions")
        raw = []
    for i, q in enumerate(raw):
        qp = f"questions[{i}]"
        if not c.keys(q, TEST_QUESTION_KEYS, qp, ("id", "kind", "title")):
            continue
        qid = c.ident(q.get("id"), f"{qp}.id")
        qp = f"{qp} (id {qid})"
        if qid in out:
            c.err(f"{qp}.id", f"duplicate question id {qid!r}")
            continue
        made = question(c, q, qp, qid, "", True)
        if made:
            out[qid] = made
    if c.problems:
        raise TemplateError(source, c.problems)
    return out


def load_bank(path: str | Path) -> dict[str, Question]:
    """Read and check a question bank file.  Raises :class:`TemplateError`."""
    p = Path(path)
    return parse_bank(read_yaml(p, TemplateError, "(a question bank: questions:)"), str(p))


def parse_test(data: Any, source: str = "<test>", base_dir: Path | None = None) -> FormSpec:
    """A test mapping as the :class:`FormSpec` of its forms.  ``base_dir`` resolves ``bank:`` (default: here).

    Raises :class:`TemplateError` listing every problem (the bank's own problems included).
    """
    import dataclasses

    c = TemplateChecker(source)
    if not c.keys(data, _TEST_KEYS, "", ("id", "version", "title")):
        raise TemplateError(source, c.problems)
    tid = c.ident(data.get("id"), "id")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.err("version", f"expected a whole number >= 1, found {version!r}")
    title = c.text(data.get("title"), "title")
    description = c.text(data.get("description"), "description", required=False)
    show = check_show_answers(c, data)
    bank: dict[str, Question] = {}
    if data.get("bank") is not None:
        b = data["bank"]
        if not isinstance(b, str) or not b.strip():
            c.err("bank", f"expected the bank's file name (e.g. bank.yaml), found {b!r}")
        else:
            bp = (base_dir or Path(".")) / b.strip()
            try:
                bank = load_bank(bp)
            except TemplateError as e:
                c.problems.extend(f"bank ({bp}): {x}" for x in e.problems)
    if ("sections" in data) == ("questions" in data):
        c.err("sections", "give either sections: (pages, each with questions:) or questions: (one page), not both"
              if "sections" in data else "required: sections: or questions:")
        raw_sections: list = []
    elif "questions" in data:
        raw_sections = [{"id": "test", "title": data.get("title"), "questions": data.get("questions")}]
    else:
        raw_sections = data["sections"] if isinstance(data["sections"], list) and data["sections"] else []
        if not raw_sections:
            c.err("sections", "expected a non-empty list of sections")
    sections: list[Section] = []
    questions: list[Question] = []
    seen_q: dict[str, str] = {}
    for si, s in enumerate(raw_sections):
        sp = "" if "questions" in data else f"sections[{si}]"
        if sp and not c.keys(s, SECTION_KEYS, sp, ("id", "title", "questions")):
            continue
        sid = c.ident(s.get("id"), f"{sp}.id") if sp else "test"
        stitle = c.text(s.get("title"), f"{sp}.title") if sp else title
        sdesc = c.text(s.get("description"), f"{sp}.description", required=False) if sp else None
        if stitle:
            sections.append(Section(sid, stitle, sdesc))
        raw_qs = s.get("questions")
        qbase = f"{sp}.questions" if sp else "questions"
        if not isinstance(raw_qs, list) or not raw_qs:
            c.err(qbase, "expected a non-empty list of questions")
            continue
        for qi, q in enumerate(raw_qs):
            qp = f"{qbase}[{qi}]"
            if isinstance(q, dict) and "bank" in q:
                c.keys(q, {"bank"}, qp)
                ref = q.get("bank")
                if not isinstance(ref, str) or ref not in bank:
                    hint = ("no bank: is given" if data.get("bank") is None else
                            "the bank could not be read: see above" if not bank else
                            f"the bank has: {', '.join(list(bank)[:12])}{' ...' if len(bank) > 12 else ''}")
                    c.err(f"{qp}.bank", f"no question {ref!r} in the bank ({hint})")
                    continue
                made: Question | None = dataclasses.replace(bank[ref], section=sid)
                qid = ref
            else:
                if not c.keys(q, TEST_QUESTION_KEYS, qp, ("id", "kind", "title")):
                    continue
                qid = c.ident(q.get("id"), f"{qp}.id")
                made = question(c, q, f"{qp} (id {qid})", qid, sid, True)
            if qid in seen_q:
                c.err(qp, f"question {qid!r} is already in the test (at {seen_q[qid]})")
                continue
            seen_q[qid] = qp
            if made:
                questions.append(made)
    if not c.problems and not any(q.correct for q in questions):
        c.err("questions", "no question of the test has a correct answer")
    if c.problems:
        raise TemplateError(source, c.problems)
    assert title is not None and isinstance(version, int)
    return FormSpec(id=tid, version=version, kind=TEST_KIND, title=title, description=description, quiz=True,
                    anonymous_allowed=False, collect_email=True, sections=tuple(sections),
                    questions=tuple(questions), source=source, show_answers=show)



def load_test(path: str | Path) -> FormSpec:
    """Read and check a test file (its bank resolved next to it).  Raises :class:`TemplateError`."""
    p = Path(path)
    data = read_yaml(p, TemplateError, "(a test: id:, version:, title:, bank:, questions:)")
    spec = parse_test(data, str(p), p.parent)
    if spec.id != p.stem:
        raise TemplateError(str(p), [f"id: {spec.id!r} must equal the file name {p.stem!r}"])
    return spec


def find_test(value: str, plan_dir: Path | None, templates_dir: Path) -> Path | None:
    """The test file an event's ``test:`` names: relative to the plan's folder, else to the templates folder.
    None when neither has it."""
    for base in ([plan_dir] if plan_dir else []) + [templates_dir]:
        p = base / value
        if p.is_file():
            return p.resolve()
    return None

