"""``forms check FILE``: validate a form template, a test or a question bank, and show it as text.

:func:`check_file` tells the three apart (a template has ``kind:``; a test has ``title:`` and
no ``kind:``; a bank has only ``questions:``), validates the file, and returns either the
problems — each with the file's line number where the field can be found — or a text preview
of the form as the participant sees it (:func:`preview`).  Nothing is stored or sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from automation.checker import read_yaml
from automation.errors import TemplateError
from automation.model import FormSpec, Question

#: Marks of a choice in the preview: radio button, checkbox, dropdown entry.
_MARKS = {"single_choice": "( )", "multiple_choice": "[ ]", "dropdown": " - "}


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check_file` found: ``what`` is ``template``, ``test`` or ``bank``; ``problems`` the lines for
    the admin (empty when the file is valid); ``text`` the preview of a valid file."""

    what: str
    problems: tuple[str, ...]
    text: str

    @property
    def ok(self) -> bool:
        """True when the file has no problem."""
        return not self.problems


def check_file(path: str | Path, lang: str = "ky", answers: bool = False) -> CheckResult:
    """Validate the template, test or bank at ``path``; preview it in ``lang`` (``ky`` or ``ru``).

    ``answers`` marks the correct options (✓) and the points in the preview.  Never raises for a bad
    file: unreadable YAML, a missing file and invalid fields all come back as ``problems``.
    """
    from automation.forms.templates import load_template
    from automation.forms.testfile import is_bank, is_test, load_bank, load_test

    p = Path(path)
    try:
        data = read_yaml(p, TemplateError, "(a form template, a test or a question bank)")
    except TemplateError as e:
        return CheckResult("?", tuple(e.problems), "")
    what = "bank" if is_bank(data) else "test" if is_test(data) else "template"
    try:
        if what == "bank":
            bank = load_bank(p)
            text = f"{len(bank)} question(s) in the bank: {', '.join(bank)}\n\n" + "\n".join(
                _question(i, q, lang, answers) for i, q in enumerate(bank.values(), 1))
            return CheckResult(what, (), text)
        spec = load_test(p) if what == "test" else load_template(p)
    except TemplateError as e:
        lines = _lines(p.read_text(encoding="utf-8-sig"))
        return CheckResult(what, tuple(_with_line(x, lines) for x in e.problems), "")
    return CheckResult(what, (), preview(spec, lang, answers))


def preview(spec: FormSpec, lang: str = "ky", answers: bool = False) -> str:
    """The form as plain text in ``lang``: title, description, each page with its questions and options
    (``*`` marks a required question); with ``answers``, ✓ marks correct options and the points are shown."""
    out = [f"== {spec.title.get(lang)} ==", ""]
    if spec.description:
        out += [spec.description.get(lang), ""]
    n = 0
    pages = [s for s in spec.sections if any(q.section == s.id for q in spec.questions)]
    for i, s in enumerate(pages, 1):
        out.append(f"--- {i}/{len(pages)}: {s.title.get(lang)} ---")
        if s.description:
            out.append(s.description.get(lang))
        out.append("")
        for q in spec.questions:
            if q.section == s.id:
                n += 1
                out.append(_question(n, q, lang, answers))
    summary = f"{spec.id} v{spec.version} ({spec.kind}): {n} question(s)"
    if spec.quiz:
        summary += f", {spec.max_score} point(s), score and answers shown: {spec.show_answers}"
    return "\n".join(out + [summary])


def _question(n: int, q: Question, lang: str, answers: bool) -> str:
    lines = [f"{n}. {q.title.get(lang)}{' *' if q.required else ''}"]
    if q.help:
        lines.append(f"   {q.help.get(lang)}")
    if q.options_from:
        lines.append(f"   (options: the event's {q.options_from})")
    if q.kind in _MARKS:
        for o in q.options:
            tick = " ✓" if answers and o.id in q.correct else ""
            lines.append(f"   {_MARKS[q.kind]} {o.label.get(lang)}{tick}")
        if q.other:
            lines.append(f"   {_MARKS[q.kind]} …")
    elif q.kind == "scale" and q.scale:
        lo = f" ({q.scale.low_label.get(lang)})" if q.scale.low_label else ""
        hi = f" ({q.scale.high_label.get(lang)})" if q.scale.high_label else ""
        lines.append(f"   {q.scale.low}{lo} … {q.scale.high}{hi}")
    elif q.kind == "grid":
        cols = " | ".join(o.label.get(lang) for o in q.options)
        lines += [f"   {r.label.get(lang)}: {cols}" for r in q.rows]
    elif q.kind == "date":
        lines.append("   __.__.____")
    else:
        lines.append("   ____________" if q.kind == "short_text" else "   ____________\n   ____________")
        if answers and q.correct:
            lines.append(f"   ✓ {' / '.join(q.correct)}")
    if answers and q.correct:
        lines.append(f"   [{q.points} point(s)]")
    return "\n".join(lines) + "\n"


# --- line numbers -------------------------------------------------------------------------------

_SEG = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")


def _lines(text: str) -> Any:
    """The YAML node tree of ``text`` (None when it does not compose)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def line_of(root: Any, path: str) -> int | None:
    """The 1-based line of the field ``path`` (``sections[0].questions[2] (id q_x).options[1].id``) in the
    composed YAML ``root``: the deepest part of the path the file has.  None when not even the first part is."""
    node, line = root, None
    clean = re.sub(r" \(id [^)]*\)", "", path)
    for seg in clean.split("."):
        m = _SEG.match(seg.strip())
        if not m or node is None:
            break
        name, idx = m.group(1), [int(x) for x in re.findall(r"\d+", m.group(2))]
        if name:
            if not isinstance(node, yaml.MappingNode):
                break
            hit = next(((k, v) for k, v in node.value if getattr(k, "value", None) == name), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        for i in idx:
            if not isinstance(node, yaml.SequenceNode) or i >= len(node.value):
                return line
            node = node.value[i]
            line = node.start_mark.line + 1
    return line


#: What the common problems mean, in Kyrgyz and Russian, for the admin (:func:`gloss`): (pattern, ky, ru).
_GLOSSES: tuple[tuple[str, str, str], ...] = (
    (r"not valid YAML", "YAML жазылышы туура эмес (боштуктарды, тырмакчаларды текшериңиз)",
     "ошибка записи YAML (проверьте отступы и кавычки)"),
    (r"written twice", "бир ачкыч эки жолу жазылган", "ключ записан дважды"),
    (r"required key is missing", "милдеттүү ачкыч жок", "нет обязательного ключа"),
    (r"unknown key", "белгисиз ачкыч (жазылышын текшериңиз)", "неизвестный ключ (проверьте написание)"),
    (r"missing translation|required text is missing", "котормо жок (ky жана ru экөө тең керек)",
     "нет перевода (нужны оба: ky и ru)"),
    (r"is not one of the options", "туура жооп варианттардын ичинде жок", "правильного ответа нет среди вариантов"),
    (r"no question .* in the bank", "банкта мындай суроо жок", "в банке нет такого вопроса"),
    (r"duplicate|already in the test", "бир id эки жолу колдонулган", "один и тот же id использован дважды"),
    (r"without a correct answer|has no correct answer|no question of the test has a correct answer",
     "тесттин суроосуна туура жооп берилген эмес (correct:)", "у вопроса теста не указан правильный ответ (correct:)"),
    (r"must be lower-case latin", "id кичине латын тамгалары, сандар жана _ менен жазылат",
     "id пишется строчными латинскими буквами, цифрами и _"),
    (r"must equal the file name", "id файлдын атына дал келиши керек", "id должен совпадать с именем файла"),
    (r"file not found", "файл табылган жок", "файл не найден"),
    (r"exactly one correct answer", "бул суроонун бир гана туура жообу болот", "у этого вопроса ровно один правильный ответ"),
    (r"expected true or false", "true же false деп жазыңыз (тырмакчасыз)", "напишите true или false (без кавычек)"),
)


def gloss(problem: str) -> str | None:
    """``ky / ru`` words for a common problem (the line itself stays as the checker wrote it), or None."""
    for pattern, ky, ru in _GLOSSES:
        if re.search(pattern, problem):
            return f"{ky} / {ru}"
    return None


def _with_line(problem: str, root: Any) -> str:
    """``problem`` (``field.path: message``) with ``line N:`` in front when the field is found in the file."""
    path = problem.split(": ", 1)[0]
    if root is None or path.startswith(("bank (", "line ", "(top)")):
        return problem
    n = line_of(root, path)
    return f"line {n}: {problem}" if n else problem
