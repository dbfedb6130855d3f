"""The columns of an export: what each heading is (timestamp, e-mail, score, question) and which
question of a form spec it holds.

Headings may be English or Russian; a grid question has one column per row,
``Question [Row]``.  Titles match in Kyrgyz, Russian or both ("ky / ru"), ignoring
case and runs of spaces (:func:`automation.forms.importer.cells.keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from automation.forms.importer.cells import keys, norm
from automation.model import OBLASTS, ROLES, FormSpec, Question

#: Match keys (:func:`~automation.forms.importer.cells.norm`) of the submission time column.
TIMESTAMP_HEADERS = {"timestamp", "отметка времени", "метка времени", "дата и время"}
#: … of the respondent's e-mail address column.
EMAIL_HEADERS = {"email address", "email", "e-mail", "адрес электронной почты", "электронная почта",
                 "username", "имя пользователя"}
#: … of a quiz's total score column ("7 / 10").
SCORE_HEADERS = {"score", "total score", "баллы", "итоговый балл"}
#: The first four headings of the service's own workbooks (automation.jobs.responses.worksheet_rows): the
#: last two, «Область» and «Роль», are joined from the roster and are no questions.
SERVICE_LAYOUT = ("отметка времени", "адрес электронной почты", "область", "роль")
#: How the service's own workbooks write the submission time (Asia/Bishkek).
_SERVICE_TIME = re.compile(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$")
#: ``Question [Score]`` / ``[Feedback]`` columns of a quiz export: not answers.
_PER_QUESTION_META = {"score", "баллы", "feedback", "отзыв", "points"}
#: A grid question's column, ``Question [Row]``: groups (question title, row label).
GRID_RE = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]$")


@dataclass
class Column:
    """One column of the export and what it became."""

    index: int
    header: str
    role: str  # timestamp | email | score | skipped | question
    question_id: str | None = None
    row_id: str | None = None


def title_of(source: str) -> str:
    """The form's title from the export's file name: ``Feedback (responses).csv`` → ``Feedback``."""
    stem = Path(source).name
    stem = re.sub(r"\.(csv|zip)$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"\s*\((responses|ответы|ответы на форму|жооптор)\)\s*$", "", stem, flags=re.IGNORECASE)
    return stem.strip() or "Imported form"


def classify_columns(headers: list[str]) -> list[Column]:
    """One :class:`Column` per heading, its ``role`` decided by the heading alone (no question ids yet).

    ``Question [Score]`` / ``[Feedback]`` columns of a quiz export are ``skipped`` when
    ``Question`` is also a column of its own.
    """
    cols = []
    plain = {norm(h) for h in headers if not GRID_RE.match(h)}
    for i, h in enumerate(headers):
        n = norm(h)
        m = GRID_RE.match(h)
        if n in TIMESTAMP_HEADERS:
            role = "timestamp"
        elif n in EMAIL_HEADERS:
            role = "email"
        elif n in SCORE_HEADERS:
            role = "score"
        elif m and norm(m.group(2)) in _PER_QUESTION_META and norm(m.group(1)) in plain:
            role = "skipped"
        else:
            role = "question"
        cols.append(Column(i, h, role))
    return cols


def service_columns(headers: list[str], rows: list[list[str]], spec: FormSpec | None) -> list[int]:
    """The indices of the «Область» and «Роль» columns when the file is one of the service's own workbooks
    (saved as CSV), else [].  Such a workbook is recognised by its layout, never by a title alone: its first
    four headings are :data:`SERVICE_LAYOUT`, every submission time is written ``14.07.2022 16:10:05``,
    the two columns hold only oblast and role names of the roster (or nothing), and, when ``spec`` has a
    question of the same title, the file has that title twice (the question's own column follows).
    In a Google export «Область» or «Роль» is a question like any other.
    """
    if tuple(norm(h) for h in headers[:4]) != SERVICE_LAYOUT:
        return []
    if not all(_SERVICE_TIME.match(r[0].strip()) for r in rows):
        return []
    oblasts = {norm(v["ru"]) for v in OBLASTS.values()} | {""}
    roles = {norm(v["ru"]) for v in ROLES.values()} | {""}
    if not all(norm(r[2]) in oblasts and norm(r[3]) in roles for r in rows):
        return []
    titles = {k for q in spec.questions for k in keys(q.title)} if spec is not None else set()
    names = [norm(h) for h in headers]
    if any(names[i] in titles and names.count(names[i]) == 1 for i in (2, 3)):
        return []
    return [2, 3]


def map_to_spec(cols: list[Column], spec: FormSpec, problems: list[str]) -> list[str]:
    """Assign question ids (and grid rows) to the question columns; returns the ids of questions not in the file.

    A question column whose title is no question of ``spec`` appends a message to ``problems``.
    """
    by_title: dict[str, list[Question]] = {}
    for q in spec.questions:
        for k in keys(q.title):
            by_title.setdefault(k, [])
            if q not in by_title[k]:
                by_title[k].append(q)
    used: set[tuple[str, str | None]] = set()
    for c in cols:
        if c.role != "question":
            continue
        n = norm(c.header)
        cands = [q for q in by_title.get(n, []) if q.kind != "grid" and (q.id, None) not in used]
        if cands:
            c.question_id = cands[0].id
            used.add((cands[0].id, None))
            continue
        m = GRID_RE.match(c.header)
        if m:
            for q in by_title.get(norm(m.group(1)), []):
                if q.kind != "grid":
                    continue
                row = next((r for r in q.rows if norm(m.group(2)) in keys(r.label)), None)
                if row is not None and (q.id, row.id) not in used:
                    c.question_id, c.row_id = q.id, row.id
                    used.add((q.id, row.id))
                    break
            if c.question_id:
                continue
        problems.append(f"line 1, column {c.index + 1} «{c.header}»: no question of form {spec.id!r} has this "
                        "title (in Kyrgyz or Russian); check that this is the right template")
    return [q.id for q in spec.questions if not any(c.question_id == q.id for c in cols)]

