"""Plan actions in plain words, Kyrgyz and Russian, for the admin (alert mails, the weekly summary).

``describe(plan, key)`` turns an action key such as ``chongoi_2023.programme_draft`` into
«рассылка проекта программы — «Чоң Ой 2023»» (and its Kyrgyz): what the action does, and the
event, form or date it belongs to.  Pure: no I/O; an action the plan no longer has is described
from its key alone.
"""

from __future__ import annotations

import re

from automation.model import Action, I18n
from automation.plan.actions import REMIND_NOW_KEY, actions
from automation.plan.model import Plan

#: What each kind of action does, in the admin's words (Kyrgyz, Russian).
KIND_WORDS: dict[str, I18n] = {
    "mail.programme_draft": I18n("программанын долбоорун топко жөнөтүү", "рассылка проекта программы"),
    "mail.programme_final": I18n("акыркы программаны топко жөнөтүү", "рассылка окончательной программы"),
    "mail.prepare_notice": I18n("семинарга даярдануу тууралуу кат", "письмо о подготовке к семинару"),
    "mail.materials": I18n("материалдарды жөнөтүү", "рассылка материалов"),
    "mail.homework_reminder": I18n("практикалык тапшырма тууралуу эскертүү", "напоминание о практическом задании"),
    "mail.tea_talk": I18n("Чай-сүйлөшүүнүн жарыясы", "объявление о Чай-сүйлөшүү"),
    "mail.form_invitation": I18n("форманы толтурууга чакыруу", "приглашение заполнить форму"),
    "mail.form_reminder": I18n("форманы толтуруу тууралуу эскертүү", "напоминание заполнить форму"),
    "mail.form_closed": I18n("форманын жыйынтыктарын жөнөтүү", "рассылка итогов формы"),
    "mail.test_result": I18n("ар бир катышуучуга өзүнүн тесттин жыйынтыгын жөнөтүү",
                             "рассылка каждой участнице её результата теста"),
    "mail.admin_summary": I18n("администратор үчүн жумалык кыскача отчет", "еженедельная сводка администратору"),
    "form.create": I18n("форманы түзүү", "создание формы"),
    "form.close": I18n("форманы жабуу", "закрытие формы"),
    "responses.sync": I18n("жоопторду жүктөө", "загрузка ответов"),
    "report.refresh": I18n("ментордун отчетун жаңылоо", "обновление отчёта для ментора"),
}

#: The form templates of ``forms_templates/`` by their titles (Kyrgyz, Russian).
TEMPLATE_WORDS: dict[str, I18n] = {
    "event_feedback": I18n("иш-чараны баалоо", "оценка мероприятия"),
    "post_test": I18n("тест", "тест"),
    "needs_assessment": I18n("муктаждыктарды баалоо", "оценка потребностей"),
    "best_practice_vote": I18n("мыкты тажрыйба үчүн добуш берүү", "голосование за лучшую практику"),
    "school_application": I18n("Мектепке өтүнмө", "заявка в Школу"),
}

#: What happened to an action, in the admin's words.
STATUS_WORDS: dict[str, I18n] = {
    "done": I18n("аткарылды", "выполнено"),
    "skipped": I18n("өткөрүлүп жиберилди (мындан ары аткарылбайт)", "пропущено (больше не будет выполнено)"),
    "failed": I18n("аткарылган жок (ар бир текшерүүдө кайра аракет кылынат)",
                   "не выполнено (служба повторяет попытку при каждой проверке)"),
    "deferred": I18n("күнүмдүк лимитке жетти, калганы эртең кетет",
                     "отложено: достигнут дневной лимит, остальное уйдёт на следующий день"),
    "unknown": I18n("кат кеттиби же жокпу, белгисиз (кайра жөнөтүлгөн жок)",
                    "неизвестно, ушло ли письмо (повторно не отправлено)"),
}


def _action(plan: Plan, key: str) -> Action | None:
    return next((a for a in actions(plan) if a.key == key), None)


def describe_action(plan: Plan, action: Action) -> I18n:
    """What ``action`` does and what it belongs to, Kyrgyz and Russian (see the module docstring)."""
    what = KIND_WORDS.get(action.kind, I18n(action.kind, action.kind))
    parts_ky, parts_ru = [what.ky], [what.ru]
    template = action.payload.get("template")
    if template:
        t = TEMPLATE_WORDS.get(str(template), I18n(str(template), str(template)))
        pre = action.payload.get("pre_test")
        parts_ky.append(f"«{t.ky}»" + (" (алдын ала тест)" if pre else ""))
        parts_ru.append(f"«{t.ru}»" + (" (предварительный тест)" if pre else ""))
    event = plan.event(action.event_id)
    if event is not None:
        parts_ky.append(f"— «{event.title.ky}»")
        parts_ru.append(f"— «{event.title.ru}»")
    for key in ("date", "week"):
        if key in action.payload:
            parts_ky.append(f"({action.payload[key]})")
            parts_ru.append(f"({action.payload[key]})")
    return I18n(" ".join(parts_ky), " ".join(parts_ru))


def describe(plan: Plan, key: str) -> I18n:
    """The action with this key in plain words; one the plan no longer has is named by its key."""
    action = _action(plan, key)
    if action is None and key.startswith("backup."):  # the daily backup (automation/jobs/backup.py)
        return I18n(f"күнүмдүк резервдик көчүрмө ({key[7:]})", f"ежедневная резервная копия ({key[7:]})")
    m = REMIND_NOW_KEY.fullmatch(key) if action is None else None
    base = _action(plan, m["base"]) if m else None
    if m and base is not None:  # the console's "remind now" of that day (automation/jobs/remind_now.py)
        what = describe_action(plan, base)
        return I18n(f"{what.ky}: «Азыр эскертүү» ({m['day']})", f"{what.ru}: «Напомнить сейчас» ({m['day']})")
    if action is None:
        return I18n(f"аракет «{key}»", f"действие «{key}»")
    return describe_action(plan, action)


_MISSED = re.compile(r"^missed: due (?P<due>[\d-]+ [\d:]+), no longer useful after (?P<exp>[\d-]+ [\d:]+)$")
_GAVE_UP = re.compile(r"^gave up at (?P<exp>[\d-]+ [\d:]+) after: (?P<why>.*)$", re.S)
#: automation/jobs/remind_now.py: a "remind now" cut off by a crash and too late to finish.
_CUT_OFF = re.compile(r"^remind now of (?P<click>[\d-]+ [\d:]+) not finished by (?P<limit>[\d-]+ [\d:]+), "
                      r"(?P<deadline>the form's deadline)?.*?; the rest were not reminded"
                      r"(?: \(last attempt: (?P<why>.*)\))?$", re.S)


def reason_words(detail: str) -> I18n:
    """The scheduler's reasons for a skip (automation/scheduler.py, automation/jobs/remind_now.py) and the other
    reasons the ledger's patterns know (:mod:`automation.reasons`) in plain words; any other detail as it is."""
    m = _MISSED.match(detail)
    if m:
        return I18n(f"служба иштеген жок: мөөнөтү {m['due']} болчу, {m['exp']} кийин пайдасы жок",
                    f"служба не работала: срок был {m['due']}, после {m['exp']} это уже бесполезно")
    m = _GAVE_UP.match(detail)
    if m:
        why = _known(m["why"]) or I18n(m["why"], m["why"])
        return I18n(f"{m['exp']} чейин ийгиликсиз аракет кылынды, акыркы ката: {why.ky}",
                    f"попытки до {m['exp']} не удались, последняя ошибка: {why.ru}")
    m = _CUT_OFF.match(detail)
    if m:
        ky = f"«Азыр эскертүү» ({m['click']}) {m['limit']} чейин бүткөн жок — "
        ru = f"«Напомнить сейчас» от {m['click']} не завершилось до {m['limit']} — "
        if m["deadline"]:
            ky += "форманын мөөнөтү: андан кийин эскертүүнүн пайдасы жок; калгандарына жөнөтүлгөн жок"
            ru += "срока формы: напоминание после него бесполезно; остальным оно не отправлено"
        else:
            ky += "ошол күн бүттү: калгандарына жөнөтүлгөн жок; керек болсо «Азыр эскертүү» баскычын кайра басыңыз"
            ru += "конца того дня: остальным оно не отправлено; если нужно, нажмите «Напомнить сейчас» ещё раз"
        if m["why"]:
            ky += f" (акыркы ката: {m['why']})"
            ru += f" (последняя ошибка: {m['why']})"
        return I18n(ky, ru)
    return _known(detail) or I18n(detail, detail)


def _known(detail: str) -> I18n | None:
    """``detail`` in Kyrgyz and Russian by the ledger's patterns (:mod:`automation.reasons`), or None."""
    from automation.reasons import plain_reason

    ky, ru = plain_reason(detail, "ky"), plain_reason(detail, "ru")
    return I18n(ky, ru) if ky and ru else None


def describe_form(plan: Plan | None, template: str, event_id: str | None, pre_test: bool = False,
                  kind: str = "") -> I18n:
    """A form in plain words: its template's title (else its ``kind``'s, such as ``post_test``) and the event it
    belongs to, Kyrgyz and Russian, such as «Оценка мероприятия — «Круглый стол в Нарыне»»; without a plan (or
    for an event it no longer has), the template's title alone."""
    t = TEMPLATE_WORDS.get(template) or TEMPLATE_WORDS.get(kind) or I18n(template, template)
    ky, ru = t.ky[:1].upper() + t.ky[1:], t.ru[:1].upper() + t.ru[1:]
    if pre_test:
        ky, ru = ky + " (алдын ала тест)", ru + " (предварительный тест)"
    event = plan.event(event_id) if plan is not None and event_id else None
    if event is not None:
        ky, ru = f"{ky} — «{event.title.ky}»", f"{ru} — «{event.title.ru}»"
    return I18n(ky, ru)


def describe_event(plan: Plan | None, event_id: str) -> I18n | None:
    """The event's title (Kyrgyz, Russian), or None when there is no plan or it has no such event."""
    event = plan.event(event_id) if plan is not None else None
    return None if event is None else I18n(event.title.ky, event.title.ru)


def admin_link(plan: Plan, action_key: str) -> str:
    """Where the admin fixes an action in the console: its row on the Today page,
    ``<club.form_base_url>/admin/today#<action key>`` (automation/web/admin/today.py)."""
    return f"{plan.club.form_base_url.rstrip('/')}/admin/today#{action_key}"
