"""The plan's model: the club, its events, forms, materials and the weekly tea talk (frozen dataclasses).

Built by :func:`automation.plan.load.parse_plan` from the plan file (the format is
described at the top of ``automation/plan/load.py``) and turned into dated actions
by :func:`automation.plan.actions.actions`.  Times are aware datetimes in UTC;
dates are Asia/Bishkek calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from automation.model import BISHKEK, I18n, to_utc

#: Event formats (seed 000: formats and sizes).  The value says whether it is online.
FORMATS: dict[str, dict[str, Any]] = {
    "online_workshop": {"online": True, "ru": "онлайн-семинар", "ky": "онлайн семинар"},
    "lecture": {"online": True, "ru": "лекция", "ky": "лекция"},
    "master_class": {"online": True, "ru": "мастер-класс", "ky": "мастер-класс"},
    "online_conference": {"online": True, "ru": "онлайн-конференция", "ky": "онлайн конференция"},
    "round_table": {"online": False, "ru": "круглый стол", "ky": "тегерек стол"},
    "mini_school": {"online": False, "ru": "офлайн мини-школа", "ky": "офлайн мини-мектеп"},
    "school": {"online": False, "ru": "школа", "ky": "мектеп"},
    "conference": {"online": False, "ru": "конференция", "ky": "конференция"},
    "online_meeting": {"online": True, "ru": "онлайн-встреча", "ky": "онлайн жолугушуу"},
    "seminar": {"online": False, "ru": "семинар", "ky": "семинар"},
}

#: Defaults of ``settings`` (days unless named otherwise; hours are local time).
DEFAULT_SETTINGS: dict[str, int] = {
    "draft_days_before": 30,  # seed 000: draft at least 1 month before
    "feedback_days": 14,  # seed 000: 2 weeks for discussion
    "final_days_before": 7,  # seed 000: final version at least 1 week before
    "prepare_days_before": 2,  # seed 000: online workshops, 2 days before
    "form_open_days": 7,  # a post-event form's deadline = end + 7 days at deadline_hour
    "reminder_days_before_deadline": 2,
    "pre_test_open_days_before": 2,
    "homework_reminder_days_before": 7,
    "materials_valid_days": 30,  # a materials mailing later than this after the event is skipped
    "tea_talk_announce_hours_before": 24,
    "form_closed_valid_days": 7,  # the results mail is skipped if it cannot go out within this after the deadline
    "admin_summary_weekday": 0,  # the admin's weekly summary: Monday ...
    "admin_summary_hour": 9,  # ... at 09:00 local
    "mail_hour": 10,  # programme mailings go out at 10:00 local
    "deadline_hour": 18,  # feedback and form deadlines at 18:00 local
}

#: Weekday names as the plan writes them (``tea_talk.weekday``); index 0 = Monday, as ``date.weekday()``.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: What to prepare for an online workshop when the event gives no ``prepare:`` (the prepare notice).
DEFAULT_PREPARE = I18n(
    ky="Флипчарт, маркерлер, калем, дептер жана түстүү карандаштарды даярдап коюңуз.",
    ru="Подготовьте, пожалуйста, флипчарт, маркеры, ручки, блокнот и цветные карандаши.",
)

@dataclass(frozen=True)
class Material:
    """A material of an event, sent after it: a link (``url``) or a file (``file``, an absolute path once loaded)."""

    title: I18n
    url: str | None = None
    file: str | None = None  # absolute path once loaded


@dataclass(frozen=True)
class FormUse:
    """A form given at an event or as a survey.

    ``key`` identifies the form in the ledger and the store:
    ``<event>.<template>`` (``.pre`` for a pre-test) or the survey id.
    ``opens`` and ``deadline`` are UTC.
    """

    key: str
    template: str
    event_id: str
    opens: datetime
    deadline: datetime
    pre_test: bool = False
    audience: str = "roster"  # roster | public
    #: The event's test file (absolute path) for a ``post_test`` form of an event with ``test:``; else None.
    test: str | None = None


@dataclass(frozen=True)
class Event:
    """One event of the plan.

    ``start``/``end``/``homework_deadline`` are UTC; ``format`` is a key of :data:`FORMATS`;
    ``presenters`` are roster e-mails (lower case); ``forms`` are the forms given at the event
    (a pre-test before it, the others after it); ``programme``/``programme_final`` are absolute
    file paths or links.
    """

    id: str
    title: I18n
    format: str
    start: datetime  # UTC
    end: datetime  # UTC
    location: I18n | None = None
    link: str | None = None
    presenters: tuple[str, ...] = ()
    forms: tuple[FormUse, ...] = ()
    materials: tuple[Material, ...] = ()
    prepare: I18n | None = None
    homework_title: I18n | None = None
    homework_deadline: datetime | None = None
    programme: str | None = None  # absolute path of the programme file, or a link
    programme_final: str | None = None  # the final version (default: programme)
    test: str | None = None  # absolute path of the event's test file (its post_test forms' questions)

    @property
    def online(self) -> bool:
        """Whether the event's format is held online (:data:`FORMATS`)."""
        return bool(FORMATS[self.format]["online"])

    def format_label(self, lang: str) -> str:
        """The format's name in ``lang`` (``ky`` or ``ru``), e.g. «онлайн-семинар»; KeyError for another language."""
        return FORMATS[self.format][lang]


@dataclass(frozen=True)
class TeaTalk:
    """The weekly Чай-суйлөшуу: every ``weekday`` at ``at`` (Asia/Bishkek) from ``start_date`` to ``until``.

    ``skip`` are dates without a talk (holidays); ``topics`` an optional topic per date.
    """

    weekday: int  # 0 = Monday
    at: time
    duration_minutes: int
    start_date: date
    until: date
    link: str | None
    skip: tuple[date, ...] = ()
    topics: dict[date, I18n] = field(default_factory=dict)

    def dates(self) -> list[date]:
        """The dates of the talks in order: each ``weekday`` from ``start_date`` to ``until`` inclusive, minus ``skip``."""
        d = self.start_date + timedelta(days=(self.weekday - self.start_date.weekday()) % 7)
        out = []
        while d <= self.until:
            if d not in self.skip:
                out.append(d)
            d += timedelta(days=7)
        return out


@dataclass(frozen=True)
class Club:
    """The club: its name, the group's address, the admin (From: and Reply-To, weekly summary), the mentor
    (gets the report), and where the local web forms are served (no trailing slash)."""

    name: I18n
    group_email: str
    admin_email: str
    mentor_email: str | None = None
    form_base_url: str = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class Plan:
    """A validated plan: the club, ``settings`` (:data:`DEFAULT_SETTINGS` with the file's values), the events,
    the surveys (forms not tied to an event), the weekly tea talk, ``source`` (the file it came from) and
    ``warnings`` (lines for the admin about what is valid but looks like a mistake)."""

    club: Club
    settings: dict[str, int]
    events: tuple[Event, ...]
    surveys: tuple[FormUse, ...]
    tea_talk: TeaTalk | None
    source: str = ""
    #: What is allowed but probably a mistake (e.g. two events at the same time); ``plan show`` and ``run`` print it.
    warnings: tuple[str, ...] = ()

    @property
    def forms(self) -> list[FormUse]:
        """Every form of the plan: the events' forms in plan order, then the surveys."""
        return [f for e in self.events for f in e.forms] + list(self.surveys)

    def form(self, key: str) -> FormUse:
        """The form with this key (``<event>.<template>[.pre]`` or a survey id); raises KeyError if none."""
        for f in self.forms:
            if f.key == key:
                return f
        raise KeyError(key)

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        for e in self.events:
            if e.id == event_id:
                return e
        return None


def local_moment(d: date, hour: int, minute: int = 0) -> datetime:
    """``d`` at ``hour:minute`` Asia/Bishkek wall-clock time, as an aware UTC datetime."""
    return to_utc(datetime.combine(d, time(hour, minute), tzinfo=BISHKEK))
