"""The reasons the ledger records (one English line for the log and the command line), said in plain Russian
or Kyrgyz for the console and for ``plan check``.  A reason no pattern knows is shown as it is; the original line is always shown
beside the plain one, so nothing is lost in translation.

The patterns follow the lines the jobs write (:mod:`automation.scheduler`, :mod:`automation.jobs.mailings`,
:mod:`automation.jobs.forms`, :mod:`automation.jobs.delivery`) and the problems found ahead
(:mod:`automation.plan.ahead`); tests check them against real lines.
"""

from __future__ import annotations

import re
from typing import Callable

#: A table of (pattern, ru, ky), as :data:`_PATTERNS` and :data:`automation.web.admin.words.PATTERNS`.
Patterns = list[tuple[re.Pattern[str], str, str]]


#: (pattern, ru, ky): the named groups are put into the texts.
_PATTERNS: Patterns = [
    (re.compile(r"^missed: due (?P<due>[\d-]+ [\d:]+), no longer useful after (?P<until>[\d-]+ [\d:]+)$"),
     "Программа не работала в срок ({due}); после {until} это уже не нужно, поэтому пропущено.",
     "Программа мөөнөтүндө ({due}) иштеген эмес; {until} кийин бул керек эмес, ошондуктан өткөрүлдү."),
    (re.compile(r"^gave up at (?P<until>[\d-]+ [\d:]+) after: (?P<why>.*)$"),
     "Повторяли до {until}, не получилось: {why}",
     "{until} чейин кайталанды, ишке ашкан жок: {why}"),
    (re.compile(r"^event (?P<event>\S+) has no programme"),
     "В плане у события {event} не указана программа: добавьте файл программы в план.",
     "Пландагы {event} иш-чарасынын программасы көрсөтүлгөн эмес: программанын файлын планга кошуңуз."),
    (re.compile(r"^the programme(?:_final)? file (?P<file>.+) of event (?P<event>\S+) is missing"),
     "Файла программы события {event} нет на месте ({file}): верните его или измените план.",
     "{event} иш-чарасынын программа файлы жок ({file}): аны кайтарыңыз же планды өзгөртүңүз."),
    (re.compile(r"^(?:the )?material file (?P<file>.+?)(?: of event \S+)? is missing"),
     "Файла материалов нет на месте ({file}): верните его или измените план.",
     "Материалдын файлы жок ({file}): аны кайтарыңыз же планды өзгөртүңүз."),
    (re.compile(r"^the test file (?P<file>.+) of event (?P<event>\S+) is missing"),
     "Файла теста события {event} нет на месте ({file}): верните его или измените план.",
     "{event} иш-чарасынын тест файлы жок ({file}): аны кайтарыңыз же планды өзгөртүңүз."),
    (re.compile(r"^(?:the )?(?:programme|programme_final|material|test) file (?P<file>.+?)(?: of event \S+)? "
                r"cannot be read"),
     "Файл {file} не удаётся прочитать: дайте программе право читать его или измените план.",
     "{file} файлын окуй албай жатат: программага аны окууга уруксат бериңиз же планды өзгөртүңүз."),
    (re.compile(r"^presenter (?P<email>\S+) of event (?P<event>\S+) is not in the roster"),
     "Выступающей {email} (событие {event}) нет в списке участниц: добавьте её или исправьте план.",
     "{email} баяндамачы ({event} иш-чарасы) катышуучулар тизмесинде жок: аны кошуңуз же планды оңдоңуз."),
    (re.compile(r"^the form was never created$"),
     "Форма так и не была создана, поэтому действие пропущено.",
     "Форма түзүлгөн эмес, ошондуктан аракет өткөрүлдү."),
    (re.compile(r"^the form is already closed$"),
     "Форма уже закрыта.", "Форма мурунтан эле жабык."),
    (re.compile(r"^the form is not created yet"),
     "Форма ещё не создана (её создание не удалось или не запускалось).",
     "Форма азырынча түзүлө элек (түзүү ишке ашкан жок же иштей элек)."),
    (re.compile(r"^the invitation went out less than (?P<h>\d+) h ago: the reminder waits until (?P<until>[\d-]+ [\d:]+)"),
     "Приглашение ушло меньше {h} ч назад: напоминание подождёт до {until}.",
     "Чакыруу {h} сааттан аз убакыт мурун кетти: эскертүү {until} чейин күтөт."),
    (re.compile(r"^the invitation went out less than (?P<h>\d+) h before the deadline: no reminder"),
     "Приглашение ушло меньше чем за {h} ч до срока: напоминание не отправляется.",
     "Чакыруу мөөнөткө {h} сааттан аз калганда кетти: эскертүү жөнөтүлбөйт."),
    (re.compile(r"^everyone has answered"),
     "Все ответили — напоминание не нужно.", "Баары жооп беришти — эскертүү керек эмес."),
    (re.compile(r"^(?P<sent>\d+) sent, (?P<already>\d+) already sent, (?P<failed>\d+) failed, (?P<unknown>\d+) unknown"
                r"(?:; daily sending limit \((?P<cap>\d+) recipients\) reached: (?P<left>\d+) message)?"),
     "Отправлено: {sent}, уже было отправлено: {already}, не доставлено: {failed}, исход неизвестен: {unknown}.",
     "Жөнөтүлдү: {sent}, мурун жөнөтүлгөн: {already}, жеткен жок: {failed}, жыйынтыгы белгисиз: {unknown}."),
    (re.compile(r"^unexpected error"),
     "Непредвиденная ошибка программы — сообщите разработчикам.",
     "Программанын күтүлбөгөн катасы — иштеп чыгуучуларга билдириңиз."),
]

_LIMIT = ("Достигнут дневной лимит писем ({cap} получателей): {left} писем уйдут завтра.",
          "Күндүк кат лимитине жетти ({cap} алуучу): {left} кат эртең кетет.")


def say(patterns: Patterns, detail: str, lang: str,
        fill: Callable[[dict[str, str]], bool] = lambda groups: True) -> tuple[str, dict[str, str]] | None:
    """``detail`` said by the first pattern of ``patterns`` that matches it, in ``lang`` (``ru`` or ``ky``), with
    the match's named groups (None as ""); ``fill`` may put groups in plain words first (in place) and says
    False when the detail cannot be said after all.  None when no pattern matches (or ``fill`` said False)."""
    for pattern, ru, ky in patterns:
        m = pattern.match(detail)
        if m is None:
            continue
        groups = {k: (v or "") for k, v in m.groupdict().items()}
        if not fill(groups):
            return None
        return (ky if lang == "ky" else ru).format(**groups), groups
    return None


def plain_reason(detail: str, lang: str) -> str | None:
    """The ledger's ``detail`` in plain ``lang`` (``ru`` or ``ky``), or None when no pattern knows it."""

    def fill(groups: dict[str, str]) -> bool:
        if "why" in groups:  # the reason it gave up after, in plain words too
            groups["why"] = plain_reason(groups["why"], lang) or groups["why"]
        return True

    said = say(_PATTERNS, detail, lang, fill)
    if said is None:
        return None
    text, groups = said
    if groups.get("cap"):
        text += " " + _LIMIT[lang == "ky"].format(**groups)
    return text
