"""Load and validate form templates (``forms_templates/*.yaml``).

The template format — every key, its rules and a complete bilingual example — is
described in ``docs/TEMPLATES.md``.  Problems are collected, not stopped at the
first one, and :class:`automation.errors.TemplateError` names the file and the
field path of each.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from automation.checker import Checker, read_yaml
from automation.errors import TemplateError
from automation.model import (
    CHOICE_KINDS,
    GRADABLE_KINDS,
    QUESTION_KINDS,
    FormSpec,
    Option,
    Question,
    SHOW_ANSWERS,
    Scale,
    Section,
)

#: The shipped templates (``forms_templates/`` at the repository root); ``templates:`` in club.yaml may name another.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "forms_templates"

_TOP_KEYS = {"id", "version", "kind", "title", "description", "quiz", "anonymous_allowed", "collect_email", "sections",
             "show_answers"}
#: The keys a section and a question of a template may have (a test file's are the same, but ``options_from``).
SECTION_KEYS = {"id", "title", "description", "questions"}
QUESTION_KEYS = {
    "id", "kind", "title", "help", "required", "options", "other", "options_from", "scale", "rows",
    "correct", "points", "graded", "max_words", "max_chars", "shuffle",
}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Most options (or grid rows) one question may have.  Google does not publish a limit for the Forms API;
#: this cap is the service's own: a participant cannot read more than this on a phone, the shipped
#: templates use at most 12, and it keeps a mistyped template (10,000 options) from reaching Google or a mail.
MAX_OPTIONS = 200

#: The question keys that take true or false.
_FLAGS = ("required", "other", "shuffle", "graded")


class TemplateChecker(Checker):
    """The :class:`Checker` with the template's own checks: ids and option lists."""

    def ident(self, v: Any, path: str) -> str:
        """``v`` as an id (lower-case latin letters, digits, ``_``, a letter first); a problem otherwise."""
        if isinstance(v, bool):  # YAML 1.1 reads an unquoted yes/no/on/off as true/false
            self.err(path, f"found {v!r}: YAML reads an unquoted yes/no/on/off as true/false; "
                           "put the id in quotes, e.g. id: \"yes\"")
            return str(v)
        if not isinstance(v, str) or not _ID_RE.match(v):
            self.err(path, f"id {v!r} must be lower-case latin letters, digits and _ , starting with a letter")
            return str(v)
        return v

    def options(self, raw: Any, path: str) -> tuple[Option, ...]:
        """A non-empty list of ``{id, label}`` with unique ids, as :class:`Option` objects (the valid ones)."""
        if not isinstance(raw, list) or not raw:
            self.err(path, "expected a non-empty list of {id, label}")
            return ()
        if len(raw) > MAX_OPTIONS:
            self.err(path, f"{len(raw):,} entries; at most {MAX_OPTIONS} are allowed (split the question, "
                           "or ask for a short text answer instead)")
            return ()
        out, seen = [], set()
        for i, o in enumerate(raw):
            p = f"{path}[{i}]"
            if not self.keys(o, {"id", "label"}, p, ("id", "label")):
                continue
            if o.get("id") is None:
                self.err(f"{p}.id", "empty id (`id: ~` or nothing after `id:`); give the option an id such as a, b, c")
                continue
            oid = self.ident(o.get("id"), f"{p}.id")
            if oid in seen:
                self.err(f"{p}.id", f"duplicate option id {oid!r}")
            seen.add(oid)
            label = self.text(o.get("label"), f"{p}.label")
            if label:
                out.append(Option(oid, label))
        return tuple(out)


def parse_template(data: Any, source: str = "<template>") -> FormSpec:
    """Validate a parsed YAML mapping and return the :class:`FormSpec`.

    Raises :class:`TemplateError` listing every problem, each as
    ``field.path: what is wrong``.
    """
    c = TemplateChecker(source)
    if not c.keys(data, _TOP_KEYS, "", ("id", "version", "kind", "title", "sections")):
        raise TemplateError(source, c.problems)
    tid = c.ident(data.get("id"), "id")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.err("version", f"expected a whole number >= 1, found {version!r}")
    kind = data.get("kind")
    if not isinstance(kind, str) or not _ID_RE.match(kind or ""):
        c.err("kind", f"expected a form kind such as post_test, found {kind!r}")
    title = c.text(data.get("title"), "title")
    description = c.text(data.get("description"), "description", required=False)
    quiz = data.get("quiz", False)
    show_answers = check_show_answers(c, data)
    for flag in ("quiz", "anonymous_allowed", "collect_email"):
        if flag in data and not isinstance(data[flag], bool):
            c.err(flag, f"expected true or false, found {data[flag]!r}")
    sections: list[Section] = []
    questions: list[Question] = []
    seen_q: dict[str, str] = {}
    seen_s: set[str] = set()
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        c.err("sections", "expected a non-empty list of sections")
        raw_sections = []
    for si, s in enumerate(raw_sections):
        sp = f"sections[{si}]"
        if not c.keys(s, SECTION_KEYS, sp, ("id", "title", "questions")):
            continue
        sid = c.ident(s.get("id"), f"{sp}.id")
        if sid in seen_s:
            c.err(f"{sp}.id", f"duplicate section id {sid!r}")
        seen_s.add(sid)
        stitle = c.text(s.get("title"), f"{sp}.title")
        sdesc = c.text(s.get("description"), f"{sp}.description", required=False)
        if stitle:
            sections.append(Section(sid, stitle, sdesc))
        raw_qs = s.get("questions")
        if not isinstance(raw_qs, list) or not raw_qs:
            c.err(f"{sp}.questions", "expected a non-empty list of questions")
            continue
        for qi, q in enumerate(raw_qs):
            qp = f"{sp}.questions[{qi}]"
            if not c.keys(q, QUESTION_KEYS, qp, ("id", "kind", "title")):
                continue
            qid = c.ident(q.get("id"), f"{qp}.id")
            qp = f"{qp} (id {qid})"
            if qid in seen_q:
                c.err(f"{qp}.id", f"duplicate question id {qid!r} (first used at {seen_q[qid]})")
            else:
                seen_q[qid] = qp
            question = _question(c, q, qp, qid, sid, bool(quiz))
            if question:
                questions.append(question)
    if quiz and not any(q.correct for q in questions) and not c.problems:
        c.err("quiz", "the template is a quiz but no question has a correct answer")
    if c.problems:
        raise TemplateError(source, c.problems)
    assert title is not None
    return FormSpec(
        id=tid, version=version, kind=kind, title=title, description=description, quiz=bool(quiz),
        anonymous_allowed=bool(data.get("anonymous_allowed", False)),
        collect_email=bool(data.get("collect_email", True)), sections=tuple(sections),
        questions=tuple(questions), source=source, show_answers=show_answers,
    )


def check_show_answers(c: Checker, data: dict) -> str:
    """The ``show_answers`` setting of a template or test (:data:`automation.model.SHOW_ANSWERS`), default
    ``after_deadline``; a problem recorded for another value."""
    v = data.get("show_answers", "after_deadline")
    if v not in SHOW_ANSWERS:
        c.err("show_answers", f"expected one of {', '.join(SHOW_ANSWERS)}, found {v!r}")
        return "after_deadline"
    return str(v)


def question(c: TemplateChecker, q: dict, qp: str, qid: str, sid: str, quiz: bool) -> Question | None:
    """One question mapping ``q`` (at field path ``qp``, id ``qid``, in section ``sid``) checked into a
    :class:`Question`; problems go to ``c``; None when it is unusable.  Shared by templates and tests."""
    return _question(c, q, qp, qid, sid, quiz)


def _question(c: TemplateChecker, q: dict, qp: str, qid: str, sid: str, quiz: bool) -> Question | None:
    kind = q.get("kind")
    if kind not in QUESTION_KINDS:
        c.err(f"{qp}.kind", f"unknown question kind {kind!r} (allowed: {', '.join(QUESTION_KINDS)})")
        return None
    title = c.text(q.get("title"), f"{qp}.title")
    help_ = c.text(q.get("help"), f"{qp}.help", required=False)
    options: tuple[Option, ...] = ()
    rows: tuple[Option, ...] = ()
    scale = None
    options_from = q.get("options_from")
    if kind in CHOICE_KINDS or kind == "grid":
        if options_from is not None:
            if not isinstance(options_from, str) or options_from not in ("presenters",):
                c.err(f"{qp}.options_from", f"unknown source {options_from!r} (allowed: presenters)")
            if "options" in q:
                c.err(f"{qp}.options", "give either options or options_from, not both")
        else:
            options = c.options(q.get("options"), f"{qp}.options")
    else:
        for k in ("options", "options_from", "other"):
            if k in q:
                c.err(f"{qp}.{k}", f"not allowed for a {kind} question")
    if kind == "grid":
        rows = c.options(q.get("rows"), f"{qp}.rows")
    elif "rows" in q:
        c.err(f"{qp}.rows", f"not allowed for a {kind} question")
    if kind == "scale":
        s: Any = q.get("scale")
        if c.keys(s, {"low", "high", "low_label", "high_label"}, f"{qp}.scale", ("low", "high")):
            low, high = s.get("low"), s.get("high")
            low_ok = isinstance(low, int) and not isinstance(low, bool) and low in (0, 1)
            high_ok = isinstance(high, int) and not isinstance(high, bool) and 2 <= high <= 10
            if not low_ok:
                c.err(f"{qp}.scale.low", f"must be 0 or 1 (Google Forms), found {low!r}")
            if not high_ok:
                c.err(f"{qp}.scale.high", f"must be a whole number from 2 to 10 (Google Forms), found {high!r}")
            if low_ok and high_ok:
                scale = Scale(low, high, c.text(s.get("low_label"), f"{qp}.scale.low_label", False),
                              c.text(s.get("high_label"), f"{qp}.scale.high_label", False))
    elif "scale" in q:
        c.err(f"{qp}.scale", f"not allowed for a {kind} question")
    for k in ("max_words", "max_chars"):
        if k in q:
            if kind not in ("short_text", "long_text"):
                c.err(f"{qp}.{k}", f"only text questions take a {k}")
            elif not isinstance(q[k], int) or isinstance(q[k], bool) or q[k] < 1:
                c.err(f"{qp}.{k}", f"expected a positive whole number, found {q[k]!r}")
    if "other" in q and kind not in ("single_choice", "multiple_choice"):
        c.err(f"{qp}.other", "only single_choice and multiple_choice questions take an 'other' option")
    # quiz grading
    graded = q.get("graded", True)
    correct_raw = q.get("correct")
    correct: tuple[str, ...] = ()
    points = 0
    if correct_raw is not None:
        if not quiz:
            c.err(f"{qp}.correct", "only a quiz (quiz: true) has correct answers")
        if kind not in GRADABLE_KINDS:
            c.err(f"{qp}.correct", f"a {kind} question cannot be graded (Google Forms grades choice and short text)")
        if not isinstance(correct_raw, list):
            correct_raw = [correct_raw]
        correct = tuple(str(x) for x in correct_raw)
        if not correct:
            c.err(f"{qp}.correct", "empty list of correct answers")
        if kind in CHOICE_KINDS and options:
            ids = [o.id for o in options]
            for a in correct:
                if a not in ids:
                    c.err(f"{qp}.correct", f"correct answer {a!r} is not one of the options ({', '.join(ids)})")
        if kind in ("single_choice", "dropdown") and len(correct) > 1:
            c.err(f"{qp}.correct", f"a {kind} question has exactly one correct answer, found {len(correct)}")
        points = q.get("points", 1)
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            c.err(f"{qp}.points", f"expected a whole number >= 0, found {points!r}")
            points = 0
    elif quiz and graded is not False and kind in GRADABLE_KINDS and options_from is None:
        c.err(f"{qp}.correct", "quiz question without a correct answer (add `correct:` or mark it `graded: false`)")
    if "points" in q and correct_raw is None:
        c.err(f"{qp}.points", "points without a correct answer")
    for flag in _FLAGS:
        if flag in q and not isinstance(q[flag], bool):
            c.err(f"{qp}.{flag}", f"expected true or false (without quotes), found {q[flag]!r}")
    if title is None:
        return None
    return Question(
        id=qid, kind=kind, title=title, section=sid, required=bool(q.get("required", False)), help=help_,
        options=options, other=bool(q.get("other", False)), scale=scale, rows=rows, correct=correct,
        points=points, max_words=q.get("max_words"), max_chars=q.get("max_chars"), options_from=options_from,
        shuffle=bool(q.get("shuffle", False)),
    )


def load_template(path: str | Path) -> FormSpec:
    """Read and validate one template file.  Raises :class:`TemplateError`."""
    p = Path(path)
    data = read_yaml(p, TemplateError, "(a form template: id:, version:, kind:, title:, sections:)")
    spec = parse_template(data, str(p))
    if spec.id != p.stem:
        raise TemplateError(str(p), [f"id: {spec.id!r} must equal the file name {p.stem!r}"])
    return spec


def load_templates(directory: str | Path = DEFAULT_DIR) -> dict[str, FormSpec]:
    """Load every ``*.yaml`` in ``directory``; problems of all files are reported together."""
    out: dict[str, FormSpec] = {}
    problems: list[str] = []
    for p in sorted(Path(directory).glob("*.yaml")):
        try:
            out[p.stem] = load_template(p)
        except TemplateError as e:
            problems.extend(f"{p.name}: {x}" for x in e.problems)
    if problems:
        raise TemplateError(str(directory), problems)
    return out


def get_template(template_id: str, directory: str | Path = DEFAULT_DIR) -> FormSpec:
    """The template ``<directory>/<template_id>.yaml``, loaded and validated.

    Raises :class:`TemplateError` naming the known templates when there is no such
    file, or listing the problems of the file.
    """
    p = Path(directory) / f"{template_id}.yaml"
    if not p.exists():
        known = ", ".join(sorted(x.stem for x in Path(directory).glob("*.yaml")))
        raise TemplateError(str(p), [f"no template {template_id!r} (known: {known})"])
    return load_template(p)
