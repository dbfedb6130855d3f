"""The domain model shared by every module: participants, form specs, events, actions.

Plain dataclasses with no I/O.  Times are timezone-aware ``datetime`` objects;
the store keeps them in UTC as ISO 8601 strings and they are shown in
Asia/Bishkek (UTC+6, no daylight saving; DOMAIN.md "Conventions").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")
LANGS = ("ky", "ru")

#: Oblasts and cities of Kyrgyzstan (DOMAIN.md "Conventions"), keyed by a stable
#: code, with their names in Russian and Kyrgyz.  Roster files may use the code
#: or either name, with or without the word "область"/"облусу".
OBLASTS: dict[str, dict[str, str]] = {
    "batken": {"ru": "Баткенская", "ky": "Баткен"},
    "jalal-abad": {"ru": "Джалал-Абадская", "ky": "Жалал-Абад"},
    "issyk-kul": {"ru": "Иссык-Кульская", "ky": "Ысык-Көл"},
    "naryn": {"ru": "Нарынская", "ky": "Нарын"},
    "osh": {"ru": "Ошская", "ky": "Ош"},
    "talas": {"ru": "Таласская", "ky": "Талас"},
    "chui": {"ru": "Чуйская", "ky": "Чүй"},
    "bishkek": {"ru": "г. Бишкек", "ky": "Бишкек ш."},
    "osh-city": {"ru": "г. Ош", "ky": "Ош ш."},
}

#: Roles a roster row may carry (DOMAIN.md "People": deputies, candidates,
#: activists; men deputies and municipal servants may take part too).
ROLES: dict[str, dict[str, str]] = {
    "deputy": {"ru": "депутат местного кенеша", "ky": "жергиликтүү кеңештин депутаты"},
    "candidate": {"ru": "кандидат в депутаты", "ky": "депутаттыкка талапкер"},
    "activist": {"ru": "активистка", "ky": "активист"},
    "municipal_servant": {"ru": "муниципальный служащий", "ky": "муниципалдык кызматкер"},
    "mentor": {"ru": "ментор", "ky": "ментор"},
    "other": {"ru": "другое", "ky": "башка"},
}


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def to_utc(dt: datetime) -> datetime:
    """Return ``dt`` in UTC; a naive datetime is taken as Asia/Bishkek local time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BISHKEK)
    return dt.astimezone(timezone.utc)


def iso(dt: datetime) -> str:
    """UTC ISO 8601 with a ``Z``, seconds precision: ``2022-09-15T08:00:00Z``."""
    return to_utc(dt).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 string; a naive one is Asia/Bishkek local time."""
    t = text.strip()
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    return to_utc(datetime.fromisoformat(t))


@dataclass(frozen=True)
class I18n:
    """A participant-facing text in Kyrgyz and Russian."""

    ky: str
    ru: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``ky``; anything else gives Russian)."""
        return self.ky if lang == "ky" else self.ru

    def both(self, sep: str = " / ") -> str:
        """Kyrgyz first, then Russian (the rule for mail to the whole group)."""
        return self.ky if self.ky == self.ru else f"{self.ky}{sep}{self.ru}"

    def to_json(self) -> dict[str, str]:
        """``{"ky": ..., "ru": ...}``."""
        return {"ky": self.ky, "ru": self.ru}

    @classmethod
    def from_json(cls, d: dict[str, str] | None) -> "I18n | None":
        """The inverse of :meth:`to_json`; None stays None."""
        return None if d is None else cls(ky=d["ky"], ru=d["ru"])


# --- forms -----------------------------------------------------------------

QUESTION_KINDS = (
    "single_choice",  # Google: choiceQuestion RADIO
    "multiple_choice",  # choiceQuestion CHECKBOX
    "dropdown",  # choiceQuestion DROP_DOWN
    "scale",  # scaleQuestion (linear scale; Likert items)
    "short_text",  # textQuestion paragraph=false
    "long_text",  # textQuestion paragraph=true
    "date",  # dateQuestion
    "grid",  # questionGroupItem with grid (rows x shared scale)
)
CHOICE_KINDS = ("single_choice", "multiple_choice", "dropdown")
#: Kinds that can carry correct answers in a quiz (forms v1 ``Grading.correctAnswers``
#: applies to choice questions and short-answer text questions).
GRADABLE_KINDS = ("single_choice", "multiple_choice", "dropdown", "short_text")
#: When a participant sees her score and the correct answers of a quiz (``show_answers``): after the form's
#: deadline (the default, so that answers do not spread while others still answer), right after she sends
#: it, or never.
SHOW_ANSWERS = ("after_deadline", "after_submit", "never")


@dataclass(frozen=True)
class Option:
    """A choice of a question (or a row of a grid): ``id`` is stable across languages and versions, ``label`` is shown."""
    id: str
    label: I18n


@dataclass(frozen=True)
class Scale:
    """A linear scale from ``low`` to ``high`` (Google allows low 0|1, high 2..10)."""

    low: int
    high: int
    low_label: I18n | None = None
    high_label: I18n | None = None


@dataclass(frozen=True)
class Question:
    """One question of a form.

    ``kind`` is one of :data:`QUESTION_KINDS`.  Choice kinds carry ``options``;
    ``scale`` carries ``scale``; ``grid`` carries ``rows`` and ``options`` (the
    shared columns).  In a quiz, ``correct`` lists the option ids (or accepted
    texts for ``short_text``) that earn ``points``.
    """

    id: str
    kind: str
    title: I18n
    section: str
    required: bool = False
    help: I18n | None = None
    options: tuple[Option, ...] = ()
    other: bool = False
    scale: Scale | None = None
    rows: tuple[Option, ...] = ()
    correct: tuple[str, ...] = ()
    points: int = 0
    max_words: int | None = None
    max_chars: int | None = None
    options_from: str | None = None
    shuffle: bool = False

    def option_label(self, option_id: str, lang: str = "ru") -> str:
        """The label of option ``option_id`` in ``lang``; the id itself when the question has no such option."""
        for o in self.options:
            if o.id == option_id:
                return o.label.get(lang)
        return option_id


@dataclass(frozen=True)
class Section:
    """A page of a form (Google: a page break item), with its title and optional description."""
    id: str
    title: I18n
    description: I18n | None = None


@dataclass(frozen=True)
class FormSpec:
    """A validated form template (forms_templates/*.yaml).

    ``kind`` is the form's purpose: needs_assessment, post_test, event_feedback,
    school_application, best_practice_vote (or another kind a template names).
    """

    id: str
    version: int
    kind: str
    title: I18n
    description: I18n | None
    quiz: bool
    anonymous_allowed: bool
    collect_email: bool
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    source: str = ""
    #: When she sees her score and the correct answers (:data:`SHOW_ANSWERS`); quizzes only.
    show_answers: str = "after_deadline"

    @property
    def max_score(self) -> int:
        """Points of a perfect quiz: the sum of ``points`` of the questions that have correct answers."""
        return sum(q.points for q in self.questions if q.correct)

    def question(self, qid: str) -> Question:
        """The question with id ``qid``.  Raises ``KeyError``."""
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def with_options(self, options_from: str, options: list[Option]) -> "FormSpec":
        """Fill questions whose options come from the event (e.g. presenters)."""
        qs = tuple(
            dataclasses.replace(q, options=tuple(options), options_from=None) if q.options_from == options_from else q
            for q in self.questions
        )
        return dataclasses.replace(self, questions=qs)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict of the spec (the ``forms.spec_json`` column); see :func:`form_spec_from_json`."""
        return _to_json(self)


def _to_json(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_to_json(x) for x in obj]
    return obj


def form_spec_from_json(d: dict[str, Any]) -> FormSpec:
    """Inverse of :meth:`FormSpec.to_json` (the store keeps the spec a form was made from)."""

    def opt(o: dict) -> Option:
        return Option(id=o["id"], label=I18n(**o["label"]))

    def sc(s: dict | None) -> Scale | None:
        if s is None:
            return None
        return Scale(s["low"], s["high"], I18n.from_json(s.get("low_label")), I18n.from_json(s.get("high_label")))

    qs = tuple(
        Question(
            id=q["id"], kind=q["kind"], title=I18n(**q["title"]), section=q["section"], required=q["required"],
            help=I18n.from_json(q.get("help")), options=tuple(opt(o) for o in q["options"]), other=q["other"],
            scale=sc(q.get("scale")), rows=tuple(opt(o) for o in q["rows"]), correct=tuple(q["correct"]),
            points=q["points"], max_words=q.get("max_words"), max_chars=q.get("max_chars"),
            options_from=q.get("options_from"), shuffle=q.get("shuffle", False),
        )
        for q in d["questions"]
    )
    secs = tuple(Section(s["id"], I18n(**s["title"]), I18n.from_json(s.get("description"))) for s in d["sections"])
    return FormSpec(
        id=d["id"], version=d["version"], kind=d["kind"], title=I18n(**d["title"]),
        description=I18n.from_json(d.get("description")), quiz=d["quiz"], anonymous_allowed=d["anonymous_allowed"],
        collect_email=d["collect_email"], sections=secs, questions=qs, source=d.get("source", ""),
        show_answers=d.get("show_answers", "after_deadline"),
    )


# --- people ----------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """One row of the roster (the club's mailing list).

    ``id`` is stable (derived from the e-mail address, lower-cased);
    ``oblast`` is a key of :data:`OBLASTS`; ``role`` a key of :data:`ROLES`;
    ``language`` is ``ky`` or ``ru``; ``active`` is false once she has left
    the club (her past responses are kept, no further mail goes to her).
    """

    id: str
    name: str
    email: str
    phone: str = ""
    oblast: str = ""
    municipality: str = ""
    role: str = "other"
    language: str = "ru"
    sex: str = "f"
    active: bool = True


# --- actions ---------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One dated thing the scheduler does (automation/plan/actions.py makes them; the ledger records them).

    ``key`` is stable across runs (event id + kind + form / date), so the ledger
    can tell that an action already ran.  ``due`` and ``expires`` are UTC; an
    action found due after ``expires`` (the service was down) is skipped with a
    reason instead of run.  ``expires`` None means always still worth running.
    ``payload`` is JSON-serialisable data for the job.
    """

    key: str
    kind: str
    due: datetime
    event_id: str
    expires: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    order: int = 0
