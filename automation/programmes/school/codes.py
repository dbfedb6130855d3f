"""School applications and their codes: the coded application, ages on the School's first day,
coding in submission order, and what the commission sees of an application (no names, no contacts).

Rules: seed 002 (see :mod:`automation.programmes.school`): the commission scores codes,
not names (DESIGN.md principle 8); a code, once given, never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from automation.model import FormSpec, parse_iso, utc_now
from automation.programmes.school.criteria import (
    AGE_SPLIT,
    CODE_RE,
    GROUP_MINOR,
    GROUP_OLDER,
    GROUP_UNKNOWN,
    GROUP_YOUNG,
    HIDDEN_QUESTIONS,
    MIN_AGE,
    SCHOOL_START,
)
from automation.store import Store, StoredResponse


@dataclass(frozen=True)
class Application:
    """One application with its code.  ``answers`` are keyed by question id (automation.forms.answers)."""

    code: str
    form_key: str
    response_id: str
    submitted_at: datetime
    answers: dict[str, Any]
    spec: FormSpec

    @property
    def name(self) -> str:
        """The applicant's full name as she typed it (stripped; "" when missing)."""
        return str(self.answers.get("full_name") or "").strip()

    @property
    def birth_date(self) -> date | None:
        """Her birth date, or None when the answer is missing or not an ISO date."""
        try:
            return date.fromisoformat(str(self.answers.get("birth_date")))
        except ValueError:
            return None

    def age(self, on: date = SCHOOL_START) -> int | None:
        """Completed years on ``on`` (default: the School's first day); None without a valid birth date."""
        b = self.birth_date
        return None if b is None else age_on(b, on)

    def age_group(self, on: date = SCHOOL_START) -> str:
        """Her age group on ``on``: see :func:`age_group`."""
        return age_group(self.age(on))


def age_on(birth: date, on: date) -> int:
    """Completed years on ``on``: someone born 1993-01-25 is 28 on 2021-01-25, 27 the day before.
    A 29 February birthday counts from 1 March in a non-leap year."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_group(age: int | None) -> str:
    """``"28+"``, ``"<28"``, ``"<18"`` (not eligible) or ``"?"`` (no valid birth date)."""
    if age is None:
        return GROUP_UNKNOWN
    if age < MIN_AGE:
        return GROUP_MINOR
    return GROUP_OLDER if age >= AGE_SPLIT else GROUP_YOUNG


def format_code(n: int) -> str:
    """The ``n``-th code: ``A-001`` (at least three digits; ``A-1000`` after ``A-999``)."""
    return f"A-{n:03d}"


def assign_codes(store: Store, now: datetime | None = None, form_key: str | None = None) -> list[Application]:
    """Give every application (responses of ``school_application`` forms) a code; return all, in code order.

    New applications get the next numbers in submission order (``submitted_at``,
    then response id); codes already given are never changed.  An application
    whose response has disappeared keeps its code unused.  ``now``: when the new
    codes are given (default: the current time); ``form_key``: only that form.
    """
    given = store.school.codes()
    forms = [f for f in store.forms.all()
             if f.kind == "school_application" and (form_key is None or f.form_key == form_key)]
    last = max((int(c.split("-")[1]) for c in given.values()), default=0)
    pending: list[tuple[str, str, str]] = []
    specs: dict[str, FormSpec] = {}
    rows: dict[tuple[str, str], StoredResponse] = {}
    for f in forms:
        specs[f.form_key] = f.spec()
        for r in store.responses.list(f.form_key):
            rows[(f.form_key, r.response_id)] = r
            if (f.form_key, r.response_id) not in given:
                pending.append((r.submitted_at, f.form_key, r.response_id))
    if pending:
        new = []
        for _, fk, rid in sorted(pending):
            last += 1
            code = format_code(last)
            new.append((code, fk, rid))
            given[(fk, rid)] = code
        store.school.add_codes(new, now or utc_now())
    apps = [Application(code, fk, rid, parse_iso(rows[(fk, rid)].submitted_at), rows[(fk, rid)].answers, specs[fk])
            for (fk, rid), code in given.items() if (fk, rid) in rows]
    return sorted(apps, key=lambda a: code_key(a.code))


def code_key(code: str) -> tuple[int, str]:
    """Sort key of a code, by its last number: ``A-002`` before ``A-010``, ``A2`` before ``A10`` (codes
    given by hand sort the same way); a code without a number last."""
    m = re.search(r"(\d+)\D*$", code)
    return (int(m.group(1)), code) if m else (10 ** 9, code)


def applications_to_check(store: Store | None, codes: Iterable[str]) -> list[Application]:
    """The applications a set of scores with these ``codes`` is checked against: every application of the
    store, coded (:func:`assign_codes`) when the service coded them already (the store has codes) or the
    scores use the service's codes (``A-001``); [] when there is no store, or when the store has no codes
    and the codes were given by hand (``A01``, paper applications): those are taken as they are."""
    if store is None:
        return []
    if store.school.codes() or all(CODE_RE.match(c) for c in codes):
        return assign_codes(store)
    return []


def coded_view(app: Application, lang: str = "ru", on: date = SCHOOL_START) -> dict[str, Any]:
    """What the commission sees of one application: code, age and age group, and every answer
    except name, contacts and birth date, as display text (choices as labels).  E-mail
    addresses and phone numbers typed into texts, and the applicant's own name words,
    are replaced by "[…]"."""
    from automation.analysis.summary import mask_contacts

    name_words = [w for w in re.split(r"\s+", app.name) if len(w) >= 3]

    def clean(text: str) -> str:
        t = mask_contacts(text)
        for w in name_words:
            t = re.sub(re.escape(w), "[…]", t, flags=re.IGNORECASE)
        return t

    out: dict[str, Any] = {"code": app.code, "age": app.age(on), "age_group": app.age_group(on)}
    for q in app.spec.questions:
        if q.id in HIDDEN_QUESTIONS:
            continue
        v = app.answers.get(q.id)
        if v is None:
            out[q.id] = ""
        elif q.kind in ("single_choice", "dropdown"):
            out[q.id] = q.option_label(v, lang)
        elif q.kind == "multiple_choice":
            out[q.id] = "; ".join(q.option_label(x, lang) for x in v)
        elif q.kind == "grid":
            out[q.id] = "; ".join(f"{k}: {x}" for k, x in v.items())
        else:
            out[q.id] = clean(str(v))
    return out
