"""The result mail to the applicants: each applicant with a valid e-mail is told whether she was
selected, is on the reserve list or was not selected, in Kyrgyz and Russian, exactly once.

The message is built by the mailings job's own helpers
(:func:`automation.jobs.mailings.new_message` and :func:`~automation.jobs.mailings.finish_message`),
so it carries the same headers as every club mail (and keeps the space in its long subject),
and is delivered by :func:`automation.jobs.mailings.deliver`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.jobs import JobResult
from automation.jobs.mailings import Outgoing, deliver, finish_message, new_message
from automation.model import BISHKEK, I18n
from automation.programmes.school.codes import assign_codes
from automation.programmes.school.criteria import SCHOOL_START
from automation.programmes.school.selection import final_results
from automation.roster import EMAIL_RE

_RESULT_TEXT = {
    "selected": I18n(
        "Сиздин Мектепке берген өтүнмөңүз тандалып алынды. Куттуктайбыз! Мектеп {when} күндөрү өтөт. "
        "Программаны жана уюштуруу маалыматын жакын арада жөнөтөбүз.",
        "Ваша заявка в Школу отобрана. Поздравляем! Школа пройдёт {when}. Программу и организационную "
        "информацию мы пришлём в ближайшее время."),
    "reserve": I18n(
        "Сиздин өтүнмөңүз резервдик тизмеге киргизилди. Эгерде тандалган катышуучулардын бири катыша албай "
        "калса, биз сиз менен байланышабыз.",
        "Ваша заявка включена в резервный список. Если кто-то из отобранных участниц не сможет участвовать, "
        "мы свяжемся с вами."),
    "not_selected": I18n(
        "Өтүнмөңүз үчүн ыракмат. Тилекке каршы, бул жолу сиз Мектепке тандалган жоксуз. Клубдун ачык "
        "иш-чараларына жана кийинки тандоого катышууга чакырабыз.",
        "Спасибо за вашу заявку. К сожалению, в этот раз вы не прошли отбор в Школу. Приглашаем вас на "
        "открытые мероприятия Клуба и к участию в следующем отборе."),
}
#: The subject, "<ky> / <ru>" (:meth:`I18n.both`).
_RESULT_SUBJECT = I18n("Болочок депутаттар мектеби: тандоонун жыйынтыгы", "Школа будущих депутатов: результаты отбора")
_GREETING = I18n("Урматтуу {name}!", "Уважаемая {name}!")
_REPLY = I18n("Суроолоруңуз болсо, ушул катка жооп жазыңыз.", "Если у вас есть вопросы, ответьте на это письмо.")


def result_mail_text(status: str, name: str, when: I18n) -> str:
    """The text of the result mail (Kyrgyz, a separator, Russian): ``status`` selected | reserve | other."""
    key = status if status in _RESULT_TEXT else "not_selected"
    parts = []
    for lang in ("ky", "ru"):
        parts.append("\n\n".join([_GREETING.get(lang).format(name=name), _RESULT_TEXT[key].get(lang).format(
            when=when.get(lang)), _REPLY.get(lang)]))
    return f"\n\n{'-' * 40}\n\n".join(parts) + "\n"


def mail_results(ctx: Any, now: datetime, action_key: str = "school.selection_result") -> JobResult:
    """Tell every applicant with a valid e-mail her result (selected, reserve, not selected), in Kyrgyz
    and Russian, through the exactly-once delivery of :func:`automation.jobs.mailings.deliver`.
    Requires the final ranking.  Returns the delivery's :class:`JobResult`."""
    res = final_results(ctx.store)
    apps = {a.code: a for a in assign_codes(ctx.store, now)}
    club = ctx.plan.club
    ev = next((e for e in ctx.plan.events if e.format == "school"), None)
    if ev:
        d0, d1 = ev.start.astimezone(BISHKEK).date(), ev.end.astimezone(BISHKEK).date()
        span = f"{d0:%d.%m.%Y}–{d1:%d.%m.%Y}" if d0 != d1 else f"{d0:%d.%m.%Y}"
    else:
        span = f"{SCHOOL_START:%d.%m.%Y}"
    when = I18n(span, span)
    out = []
    for r in res.itertuples():
        a = apps.get(r.code)
        email = str(a.answers.get("email") or "").strip().lower() if a else ""
        if not EMAIL_RE.match(email):
            continue
        msg = new_message(ctx, action_key, email, club.name.ky, [email], _RESULT_SUBJECT.both(), now)
        msg.set_content(result_mail_text(r.status, (a.name if a else "") or r.code, when))
        out.append(Outgoing(email, "ky+ru", finish_message(msg, ("ky", "ru")), [email]))
    return deliver(ctx, action_key, out, now)
