"""Without a template: the kind of each column's question, inferred from its cells.

A linear scale (whole numbers 0..10), a date, a checkbox question (its answers
split into parts that recur across rows — a free-text answer with a comma is not
a checkbox), a single choice (few values that repeat), or text; a grid's columns
(``Question [Row]``) become one grid question.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from automation.forms.importer.cells import is_date, split_top
from automation.forms.importer.columns import GRID_RE, Column
from automation.model import CHOICE_KINDS, FormSpec, I18n, Option, Question, Scale, Section


@dataclass
class Inferred:
    """What :func:`infer_question` decided for one column (or grid)."""

    kind: str
    options: list[str] = field(default_factory=list)  # labels in first-appearance order
    low: int = 1
    high: int = 5
    sep: str | None = None  # checkbox separator found in the data


def _checkbox(values: list[str], sep: str) -> Inferred | None:
    """A checkbox question if its cells split at ``sep`` into parts that recur across rows.

    Evidence: some part turns up in two *different* answers (a free-text answer
    with a comma, or a single choice whose label has one, gives parts that never
    recur, or recur only as the same whole answer).  Options: the parts up to the
    last recurring one of each answer (an option chosen once sits between
    options); the parts after it are the "other" text, which Google writes last.
    """
    split = [split_top(v, sep) for v in values]
    if not any(len(parts) >= 2 for parts in split):
        return None
    freq = Counter(p for parts in split for p in dict.fromkeys(parts))
    recurring = {p for p, n in freq.items() if n >= 2}
    combos: dict[str, set[str]] = {}
    for v, parts in zip(values, split):
        for p in parts:
            if p in recurring:
                combos.setdefault(p, set()).add(v)
    if not any(len(c) >= 2 for c in combos.values()):
        return None
    options: list[str] = []
    for parts in split:
        last = max((i for i, p in enumerate(parts) if p in recurring), default=-1)
        for p in parts[:last + 1]:
            if p not in options:
                options.append(p)
    if len(options) > 40:
        return None
    return Inferred("multiple_choice", options, sep=sep)


def infer_question(values: list[str]) -> Inferred:
    """The kind of one column from its non-empty cells (the rules are in the module docstring)."""
    vals = [v.strip() for v in values if v.strip()]
    if not vals:
        return Inferred("short_text")
    if all(re.fullmatch(r"\d{1,2}", v) for v in vals):
        nums = [int(v) for v in vals]
        if max(nums) <= 10:
            return Inferred("scale", low=0 if min(nums) == 0 else 1, high=max(2, max(nums)))
    if all(is_date(v) for v in vals):
        return Inferred("date")
    for sep in ((";", ",") if any(";" in v for v in vals) else (",",)):
        found = _checkbox(vals, sep)
        if found:
            return found
    distinct = list(dict.fromkeys(vals))
    if len(vals) >= 2 and len(distinct) < len(vals) and len(distinct) <= 12 and all(len(v) <= 100 for v in vals) \
            and not any("\n" in v for v in vals):
        return Inferred("single_choice", distinct)
    if any("\n" in v or len(v) > 120 for v in vals):
        return Inferred("long_text")
    return Inferred("short_text")


def infer_spec(cols: list[Column], data: list[tuple[int, list[str]]], title: str) -> FormSpec:
    """A one-section form spec (id ``imported``, kind ``imported``) for the question columns of ``cols``.

    ``data`` is the data rows as (line, cells); question ids are ``q01``, ``q02``…
    in column order, options ``o1``…, grid rows ``r1``….  Sets ``question_id``
    (and ``row_id``) on each question column.
    """
    questions: list[Question] = []
    grids: dict[str, list[Column]] = {}
    order: list[tuple[str, Any]] = []
    for c in cols:
        if c.role != "question":
            continue
        m = GRID_RE.match(c.header)
        if m:
            key = m.group(1).strip()
            if key not in grids:
                grids[key] = []
                order.append(("grid", key))
            grids[key].append(c)
        else:
            order.append(("col", c))
    t = I18n(title, title)
    n = 0
    for what, item in order:
        n += 1
        qid = f"q{n:02d}"
        if what == "grid":
            gcols = grids[item]
            rows = tuple(Option(f"r{i + 1}", I18n(GRID_RE.match(c.header).group(2).strip(),
                                                    GRID_RE.match(c.header).group(2).strip()))
                         for i, c in enumerate(gcols))
            labels: list[str] = []
            for c in gcols:
                for _, rec in data:
                    v = rec[c.index].strip() if c.index < len(rec) else ""
                    if v and v not in labels:
                        labels.append(v)
            if all(re.fullmatch(r"\d{1,2}", x) for x in labels):
                labels.sort(key=int)
            opts = tuple(Option(f"o{i + 1}", I18n(x, x)) for i, x in enumerate(labels))
            for i, c in enumerate(gcols):
                c.question_id, c.row_id = qid, f"r{i + 1}"
            questions.append(Question(qid, "grid", I18n(item, item), "s1", rows=rows, options=opts))
            continue
        c = item
        c.question_id = qid
        vals = [rec[c.index] if c.index < len(rec) else "" for _, rec in data]
        inf = infer_question(vals)
        title_i = I18n(c.header.strip(), c.header.strip())
        if inf.kind in CHOICE_KINDS:
            opts = tuple(Option(f"o{i + 1}", I18n(x, x)) for i, x in enumerate(inf.options))
            questions.append(Question(qid, inf.kind, title_i, "s1", options=opts, other=inf.kind == "multiple_choice"))
        elif inf.kind == "scale":
            questions.append(Question(qid, "scale", title_i, "s1", scale=Scale(inf.low, inf.high)))
        else:
            questions.append(Question(qid, inf.kind, title_i, "s1"))
    return FormSpec(id="imported", version=1, kind="imported", title=t, description=None, quiz=False,
                    anonymous_allowed=True, collect_email=any(c.role == "email" for c in cols),
                    sections=(Section("s1", t),), questions=tuple(questions), source="import")

