"""The seed's rules as data: the School's dates and ages, the seven selection criteria and their weights,
the application questions the commission never sees, and the form of an application code.

Source: seed 002_e910ca3b5de66dcd.txt (DOMAIN.md "The School of future deputies"),
stage II; see :mod:`automation.programmes.school` for how they are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from automation.model import I18n

#: The School's first day (seed 002, stage III: 25–29 Jan 2021): ages are counted on this day.
SCHOOL_START = date(2021, 1, 25)
#: Age that separates the two target groups (seed 002: "28 жаштан жогору" / "28 жашка толо электер").
AGE_SPLIT = 28
#: Minimum age of an applicant (seed 002: "жашы 18ден жогору болушу керек").
MIN_AGE = 18
#: Members of the commission (seed 002: one representative each of ЖӨБЭММА, the ЖӨБ Union and the Project).
DEFAULT_MEMBERS = 3
#: The commission's scale: whole numbers from 1 to 5 (seed 002: a 5-point scale per criterion).
SCALE = (1, 5)

#: Age groups (see :func:`automation.programmes.school.codes.age_group`): aged 28 or more,
#: 18–27, under 18 (not eligible) and unknown (no valid birth date).
GROUP_OLDER = "28+"
GROUP_YOUNG = "<28"
GROUP_MINOR = "<18"
GROUP_UNKNOWN = "?"


@dataclass(frozen=True)
class Criterion:
    """One selection criterion: its ``number`` (1–7, the seed's order), a short ``id``, its
    ``weight`` in % of the total (the seven add up to 100) and its ``title`` (ky, ru)."""

    number: int
    id: str
    weight: int
    title: I18n


#: The seven selection criteria, in the seed's order, with their weights in %.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(1, "desire_deputy", 15, I18n("Жергиликтүү кеңештин депутаты болуу каалоосу",
                                           "Желание стать депутатом местного кенеша")),
    Criterion(2, "readiness", 15, I18n("Мектептин бардык иш-чараларына катышууга даярдыктын болушу",
                                       "Готовность участвовать во всех мероприятиях Школы")),
    Criterion(3, "lsg_experience", 10, I18n("ЖӨБ органдары менен кызматташуу тажрыйбасы",
                                            "Опыт взаимодействия с органами МСУ")),
    Criterion(4, "community_needs", 10, I18n("Жамааттын муктаждыктарын түшүнүү",
                                             "Понимание потребностей сообщества")),
    Criterion(5, "desire_learn", 20, I18n("Билим алуу каалоосу", "Желание учиться")),
    Criterion(6, "community_cooperation", 10, I18n("Жергиликтүү жамаат менен кызматташтык",
                                                   "Сотрудничество с местным сообществом")),
    Criterion(7, "leadership", 20, I18n("Максатка умтулгандык, демилге көтөрө алуу, лидердик тажрыйба",
                                        "Целеустремлённость, инициативность, лидерский опыт")),
)
#: Criterion number → weight in %.
WEIGHTS: dict[int, int] = {c.number: c.weight for c in CRITERIA}
assert sum(WEIGHTS.values()) == 100

#: Application questions the commission never sees (name, contacts; the birth date becomes an age).
HIDDEN_QUESTIONS = ("full_name", "phone", "whatsapp", "email", "birth_date")

#: An application code: ``A-`` and at least three digits (``A-001``).
CODE_RE = re.compile(r"^A-\d{3,}$")
