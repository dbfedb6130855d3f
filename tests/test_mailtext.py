"""Mail texts: every kind in ky, ru and ky+ru; dates, deadlines, links, order, escaping, errors."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from automation.errors import TemplateError
from automation.mail.render import (
    KINDS,
    SEPARATOR,
    UNSUBSCRIBE_WORDS,
    RenderedMail,
    check_templates,
    format_span,
    format_when,
    render_mail,
)
from automation.model import I18n
from automation.plan.model import DEFAULT_PREPARE, Club, Event

UTC = timezone.utc
START = datetime(2022, 12, 11, 11, 0, tzinfo=UTC)  # 17:00 in Bishkek
END = datetime(2022, 12, 11, 13, 0, tzinfo=UTC)  # 19:00
FEEDBACK = datetime(2022, 11, 25, 12, 0, tzinfo=UTC)  # 25 Nov 18:00
DEADLINE = datetime(2022, 12, 18, 12, 0, tzinfo=UTC)  # 18 Dec 18:00
HOMEWORK = datetime(2023, 3, 15, 11, 0, tzinfo=UTC)  # 15 Mar 2023 17:00
TALK = datetime(2022, 12, 14, 11, 0, tzinfo=UTC)  # Wednesday 14 Dec 17:00

CLUB = Club(
    name=I18n("Жергиликтүү кеңештердин аял депутаттарынын клубу", "Клуб женщин-депутатов местных кенешей"),
    group_email="club@example.org",
    admin_email="amuca@example.org",
    mentor_email="mentor@example.org",
)
HW_TITLE = I18n("Айылда бюджеттик угуу өткөрүү", "Провести бюджетные слушания в айыле")
EVENT = Event(
    id="ws_budget",
    title=I18n("Жергиликтүү бюджет", "Местный бюджет"),
    format="online_workshop",
    start=START,
    end=END,
    link="https://meet.example.org/ws-budget?pwd=1&x=2",
    prepare=DEFAULT_PREPARE,
    homework_title=HW_TITLE,
    homework_deadline=HOMEWORK,
)
OFFLINE = Event(
    id="mini_school_karakol",
    title=I18n("Мини-мектеп: лидерлик", "Мини-школа: лидерство"),
    format="mini_school",
    start=datetime(2022, 12, 11, 3, 0, tzinfo=UTC),  # 09:00
    end=datetime(2022, 12, 12, 11, 0, tzinfo=UTC),  # next day 17:00
    location=I18n("Каракол ш., «Ысык-Көл» мейманканасы", "г. Каракол, гостиница «Иссык-Куль»"),
)
FORM_TITLE = I18n("Тест: жергиликтүү бюджет", "Тест: местный бюджет")
POST = I18n("пост-тест", "пост-тест")
FEEDBACK_KIND = I18n("иш-чараны баалоо", "оценка мероприятия")
PERSONAL_URL = "https://forms.example.org/f/post_test?token=Tk42"


def sample_ctx() -> dict[str, dict]:
    return {
        "programme_draft": dict(club=CLUB, event=EVENT, feedback_deadline=FEEDBACK,
                                programme_url="https://docs.example.org/programme-draft", reply_to="amuca@example.org"),
        "programme_final": dict(club=CLUB, event=EVENT, programme_url="https://docs.example.org/programme-final"),
        "prepare_notice": dict(club=CLUB, event=EVENT, prepare=DEFAULT_PREPARE, link=EVENT.link),
        "materials": dict(
            club=CLUB, event=EVENT,
            materials=[
                {"title": I18n("Презентация", "Презентация"), "url": None, "attached": True, "filename": "budget.pdf"},
                {"title": I18n("Видеожазуу", "Видеозапись"), "url": "https://video.example.org/budget",
                 "attached": False, "filename": "video.mp4"},
            ],
            homework_title=HW_TITLE, homework_deadline=HOMEWORK,
        ),
        "form_invitation": dict(club=CLUB, event_title=EVENT.title, participant_name=None, forms=[
            dict(kind=POST, title=FORM_TITLE, url="https://forms.example.org/f/post_test", deadline=DEADLINE,
                 pre_test=False)]),
        "form_reminder": dict(club=CLUB, event_title=EVENT.title, participant_name="Айгүл", forms=[
            dict(kind=POST, title=FORM_TITLE, url=PERSONAL_URL, deadline=DEADLINE, pre_test=False)]),
        "form_closed": dict(club=CLUB, event_title=EVENT.title, forms=[
            dict(kind=POST, title=FORM_TITLE, responses=17, invited=20,
                 summary_lines=[I18n("Орточо балл: 7,5 / 10", "Средний балл: 7,5 из 10"),
                                {"ky": "Эң пайдалуу бөлүм: бюджет", "ru": "Самая полезная часть: бюджет"}])]),
        "test_result": dict(club=CLUB, event_title=EVENT.title, participant_name="Айгүл",
                            post={"score": "8", "max": "10"}, pre={"score": "5", "max": "10"}, gain="3",
                            wrong=[{"title": I18n("Бюджетти ким бекитет?", "Кто утверждает бюджет?"),
                                    "yours": {"ky": "Аким", "ru": "Аким"},
                                    "correct": {"ky": "Жергиликтүү кеңеш", "ru": "Местный кенеш"}}]),
        "tea_talk": dict(club=CLUB, talk_at=TALK, duration_minutes=60, link="https://meet.example.org/chai",
                         topic=I18n("Чыр-чатакты башкаруу", "Управление конфликтами"),
                         questions_form_url="https://forms.example.org/f/questions"),
        "homework_reminder": dict(club=CLUB, event=EVENT, homework_title=HW_TITLE, homework_deadline=HOMEWORK),
        "admin_summary": dict(club=CLUB, period_start=datetime(2022, 12, 4, 18, tzinfo=UTC),
                              period_end=datetime(2022, 12, 11, 18, tzinfo=UTC),
                              lines=["ws_budget.post_test.invitation: отправлено 48, ошибок 2",
                                     "bad@@example: неверный адрес"]),
    }


#: What each kind must show, per language: dates, deadlines, links.
EXPECT: dict[str, dict[str, list[str]]] = {
    "programme_draft": {
        "ky": ["11-декабрь, саат 17:00", "25-ноябрь, саат 18:00", "https://docs.example.org/programme-draft",
               "https://meet.example.org/ws-budget?pwd=1&x=2", "amuca@example.org", "Программанын долбоору"],
        "ru": ["11 декабря, 17:00", "до 25 ноября, 18:00", "https://docs.example.org/programme-draft",
               "https://meet.example.org/ws-budget?pwd=1&x=2", "amuca@example.org", "Проект программы"],
    },
    "programme_final": {
        "ky": ["11-декабрь, саат 17:00–19:00", "https://docs.example.org/programme-final", "https://meet.example.org"],
        "ru": ["11 декабря, 17:00–19:00", "https://docs.example.org/programme-final", "https://meet.example.org"],
    },
    "prepare_notice": {
        "ky": ["11-декабрь, саат 17:00", DEFAULT_PREPARE.ky, "https://meet.example.org/ws-budget"],
        "ru": ["11 декабря, 17:00", DEFAULT_PREPARE.ru, "https://meet.example.org/ws-budget"],
    },
    "materials": {
        "ky": ["budget.pdf", "https://video.example.org/budget", HW_TITLE.ky, "2023-ж., 15-март, саат 17:00"],
        "ru": ["budget.pdf", "https://video.example.org/budget", HW_TITLE.ru, "до 15 марта 2023 г., 17:00"],
    },
    "form_invitation": {
        "ky": ["«Тест: жергиликтүү бюджет» (пост-тест) формасын", "«Жергиликтүү бюджет» иш-чарасы боюнча",
               "18-декабрь, саат 18:00", "https://forms.example.org/f/post_test"],
        "ru": ["форму «Тест: местный бюджет» (пост-тест) по мероприятию «Местный бюджет»", "до 18 декабря, 18:00",
               "https://forms.example.org/f/post_test"],
    },
    "form_reminder": {
        "ky": ["Айгүл", "18-декабрь, саат 18:00", PERSONAL_URL, "жеке шилтемеңиз", "али келе элек"],
        "ru": ["Айгүл", "до 18 декабря, 18:00", PERSONAL_URL, "личная ссылка", "не получили ваш ответ"],
    },
    "form_closed": {
        "ky": ["Алынган жооптор: 17 (чакырылгандар: 20, 85%)", "Орточо балл: 7,5 / 10", "Эң пайдалуу бөлүм"],
        "ru": ["Получено ответов: 17 из 20 (85%)", "Средний балл: 7,5 из 10", "Самая полезная часть"],
    },
    "test_result": {
        "ky": ["Пост-тест (иш-чарадан кийин): 8 / 10 упай", "Алдын ала тест (иш-чарага чейин): 5 / 10 упай",
               "3 упайга жогорулады", "1. Бюджетти ким бекитет?", "Сиздин жообуңуз: Аким",
               "Туура жооп: Жергиликтүү кеңеш"],
        "ru": ["Пост-тест (после мероприятия): 8 из 10", "Входной тест (до мероприятия): 5 из 10",
               "Рост по сравнению с входным тестом: +3", "1. Кто утверждает бюджет?", "Ваш ответ: Аким",
               "Правильный ответ: Местный кенеш"],
    },
    "tea_talk": {
        "ky": ["шаршемби, 14-декабрь, саат 17:00–18:00", "https://meet.example.org/chai",
               "https://forms.example.org/f/questions", "Чыр-чатакты башкаруу"],
        "ru": ["среда, 14 декабря, 17:00–18:00", "https://meet.example.org/chai",
               "https://forms.example.org/f/questions", "Управление конфликтами"],
    },
    "homework_reminder": {
        "ky": [HW_TITLE.ky, "2023-ж., 15-март, саат 17:00", "Жергиликтүү бюджет"],
        "ru": [HW_TITLE.ru, "до 15 марта 2023 г., 17:00", "Местный бюджет"],
    },
    "admin_summary": {
        "ky": ["5-декабрь, саат 00:00", "12-декабрь, саат 00:00", "отправлено 48, ошибок 2", "bad@@example"],
        "ru": ["5 декабря, 00:00", "12 декабря, 00:00", "отправлено 48, ошибок 2", "bad@@example"],
    },
}

SIGNATURE = {"ky": "Борбордук Азиянын жергиликтүү башкаруу академиясы (АМУЦА)",
             "ru": "АМУЦА / Академия местного управления Центральной Азии"}


# --- dates ---------------------------------------------------------------------


def test_format_when_ky_and_ru():
    assert format_when(START, "ky") == "11-декабрь, саат 17:00"
    assert format_when(START, "ru") == "11 декабря, 17:00"
    assert format_when(START, "ky", with_time=False) == "11-декабрь"
    assert format_when(START, "ru", with_time=False) == "11 декабря"
    # 11 Dec 2022 is a Sunday; 14 Dec 2022 a Wednesday
    assert format_when(START, "ky", with_weekday=True) == "жекшемби, 11-декабрь, саат 17:00"
    assert format_when(START, "ru", with_weekday=True) == "воскресенье, 11 декабря, 17:00"
    assert format_when(TALK, "ky", with_weekday=True) == "шаршемби, 14-декабрь, саат 17:00"
    assert format_when(TALK, "ru", with_weekday=True) == "среда, 14 декабря, 17:00"
    assert format_when(START, "ky", with_year=True) == "2022-ж., 11-декабрь, саат 17:00"
    assert format_when(START, "ru", with_year=True) == "11 декабря 2022 г., 17:00"


def test_format_when_shows_bishkek_time_across_midnight():
    late_utc = datetime(2022, 12, 31, 20, 30, tzinfo=UTC)  # 1 Jan 2023, 02:30 in Bishkek
    assert format_when(late_utc, "ky") == "1-январь, саат 02:30"
    assert format_when(late_utc, "ru") == "1 января, 02:30"


def test_format_span():
    assert format_span(START, END, "ru") == "воскресенье, 11 декабря, 17:00–19:00"
    assert format_span(OFFLINE.start, OFFLINE.end, "ky") == (
        "жекшемби, 11-декабрь, саат 09:00 – дүйшөмбү, 12-декабрь, саат 17:00")


def test_format_when_rejects_unknown_language():
    with pytest.raises(ValueError):
        format_when(START, "en")


# --- every kind, every language --------------------------------------------------


def test_templates_are_complete():
    assert check_templates() == []


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_kind_renders_in_each_language(kind, lang):
    mail = render_mail(kind, (lang,), sample_ctx()[kind])
    assert isinstance(mail, RenderedMail)
    assert mail.subject and "\n" not in mail.subject and " / " not in mail.subject
    for expected in EXPECT[kind][lang]:
        assert expected in mail.text, f"{kind}.{lang}: {expected!r} not in\n{mail.text}"
    other = "ru" if lang == "ky" else "ky"
    assert SEPARATOR not in mail.text
    assert "{{" not in mail.text and "{%" not in mail.text
    assert "\n\n\n" not in mail.text
    if kind != "admin_summary":
        assert SIGNATURE[lang] in mail.text
        assert UNSUBSCRIBE_WORDS[lang] in mail.text.strip().splitlines()[-1]  # the last line: how to leave
        assert SIGNATURE[other] not in mail.text
    assert mail.html.lstrip().startswith("<!DOCTYPE html>")
    assert 'name="viewport"' in mail.html


@pytest.mark.parametrize("kind", list(KINDS))
def test_group_mail_has_kyrgyz_first_then_russian(kind):
    ctx = sample_ctx()[kind]
    mail = render_mail(kind, ("ky", "ru"), ctx)
    ky = render_mail(kind, ("ky",), ctx)
    ru = render_mail(kind, ("ru",), ctx)
    assert mail.subject == f"{ky.subject} / {ru.subject}"
    assert mail.text.count(SEPARATOR) == 1
    first, second = mail.text.split(SEPARATOR)
    assert first.strip() == ky.text.strip()
    assert second.strip() == ru.text.strip()
    for expected in EXPECT[kind]["ky"]:
        assert expected in first
    for expected in EXPECT[kind]["ru"]:
        assert expected in second
    # the order does not depend on how langs were given
    assert render_mail(kind, ("ru", "ky"), ctx).text == mail.text
    # html: both sections, Kyrgyz first
    assert mail.html.index('lang="ky"') < mail.html.index('<div lang="ru"')
    assert "<hr" in mail.html


def test_group_mail_greets_the_group_personal_mail_greets_her():
    ctx = sample_ctx()["form_invitation"]
    group = render_mail("form_invitation", ("ky", "ru"), ctx)
    assert "Урматтуу кесиптештер!" in group.text and "Уважаемые коллеги!" in group.text
    assert "Форманын шилтемеси" in group.text and "Ссылка на форму" in group.text
    personal = render_mail("form_invitation", ("ru",), {**ctx, "participant_name": "Айгуль",
                                                         "forms": [{**ctx["forms"][0], "url": PERSONAL_URL}]})
    assert personal.text.startswith("Здравствуйте, Айгуль!")
    assert "Ваша личная ссылка" in personal.text and PERSONAL_URL in personal.text


def test_pre_test_says_before_the_start():
    ctx = sample_ctx()["form_invitation"]
    ctx["forms"] = [{**ctx["forms"][0], "pre_test": True, "deadline": START, "kind": I18n("алдын ала тест", "входной тест")}]
    ky = render_mail("form_invitation", ("ky",), ctx).text
    ru = render_mail("form_invitation", ("ru",), ctx).text
    assert "иш-чара башталганга чейин" in ky and "11-декабрь, саат 17:00" in ky
    assert "до начала мероприятия" in ru and "до 11 декабря, 17:00" in ru


def test_offline_event_shows_place_and_two_days():
    ctx = {**sample_ctx()["programme_final"], "event": OFFLINE, "programme_url": None}
    mail = render_mail("programme_final", ("ky", "ru"), ctx)
    assert "Каракол ш., «Ысык-Көл» мейманканасы" in mail.text
    assert "г. Каракол, гостиница «Иссык-Куль»" in mail.text
    assert "11 декабря, 09:00 – понедельник, 12 декабря, 17:00" in mail.text
    assert "во вложении" in mail.text  # no link: the programme is attached
    assert "https://" not in mail.text


def test_programme_draft_reply_to_defaults_to_the_admin():
    ctx = sample_ctx()["programme_draft"]
    del ctx["reply_to"]
    assert "amuca@example.org" in render_mail("programme_draft", ("ru",), ctx).text


def test_form_closed_without_invited_and_summary():
    ctx = sample_ctx()["form_closed"]
    ctx["forms"] = [{**ctx["forms"][0], "invited": None, "summary_lines": []}]
    ru = render_mail("form_closed", ("ru",), ctx).text
    assert "Получено ответов: 17." in ru
    assert "Коротко о результатах" not in ru


def test_materials_too_large_without_link_says_so():
    ctx = sample_ctx()["materials"]
    ctx["materials"] = [{"title": I18n("Видео", "Видео"), "url": None, "attached": False, "filename": "big.mp4"}]
    ru = render_mail("materials", ("ru",), ctx).text
    assert "не поместился в письмо" in ru


def test_dates_in_the_same_year_carry_no_year():
    ctx = {**sample_ctx()["homework_reminder"], "homework_deadline": DEADLINE}
    ru = render_mail("homework_reminder", ("ru",), ctx).text
    assert "до 18 декабря, 18:00" in ru and "2022" not in ru


# --- HTML ----------------------------------------------------------------------


def test_html_escapes_text_and_makes_links_clickable():
    evil = Event(id="x", title=I18n("<b>Бюджет</b> & план", "<b>Бюджет</b> & план"), format="online_workshop",
                 start=START, end=END, link="https://meet.example.org/ws?a=1&b=2")
    ctx = {**sample_ctx()["programme_draft"], "event": evil}
    mail = render_mail("programme_draft", ("ky", "ru"), ctx)
    assert "<b>Бюджет</b> & план" in mail.text  # the plain text is plain
    assert "<b>" not in mail.html
    assert "&lt;b&gt;Бюджет&lt;/b&gt; &amp; план" in mail.html
    assert '<a href="https://meet.example.org/ws?a=1&amp;b=2"' in mail.html
    assert '<a href="https://docs.example.org/programme-draft"' in mail.html
    assert '<a href="mailto:amuca@example.org"' in mail.html
    # the html title (subject) is escaped too
    assert re.search(r"<title>[^<]*&lt;b&gt;", mail.html)


def test_html_has_the_same_content_as_the_text():
    mail = render_mail("tea_talk", ("ky", "ru"), sample_ctx()["tea_talk"])
    plain = re.sub(r"<[^>]+>", "", mail.html.split("<body", 1)[1])
    for line in mail.text.splitlines():
        if line.strip() and line != SEPARATOR:
            assert line.strip() in plain


# --- errors --------------------------------------------------------------------


def test_unknown_kind_is_a_template_error():
    with pytest.raises(TemplateError, match="unknown mail kind 'newsletter'"):
        render_mail("newsletter", ("ru",), {})


def test_missing_ctx_keys_are_listed():
    ctx = sample_ctx()["form_invitation"]
    del ctx["forms"], ctx["event_title"]
    with pytest.raises(TemplateError) as ei:
        render_mail("form_invitation", ("ky", "ru"), ctx)
    assert len(ei.value.problems) == 2
    assert "'forms'" in str(ei.value) and "'event_title'" in str(ei.value)
    ctx = sample_ctx()["form_invitation"]
    ctx["forms"] = [{"title": FORM_TITLE, "url": "u", "deadline": DEADLINE}]  # no kind
    with pytest.raises(TemplateError, match="kind"):
        render_mail("form_invitation", ("ru",), ctx)


def test_strict_undefined_inside_a_template_is_a_template_error():
    ctx = sample_ctx()["materials"]
    ctx["materials"] = [{"url": "https://example.org/a.pdf", "attached": False}]  # no title
    with pytest.raises(TemplateError) as ei:
        render_mail("materials", ("ru",), ctx)
    assert "materials.ru.j2" in ei.value.source
    assert "title" in str(ei.value)


def test_strict_undefined_in_a_custom_template(tmp_path):
    (tmp_path / "_base.ru.j2").write_text("{% block body %}{% endblock %}", encoding="utf-8")
    (tmp_path / "tea_talk.ru.j2").write_text(
        '{% extends "_base.ru.j2" %}{% block subject %}S{% endblock %}{% block body %}{{ no_such_key }}{% endblock %}',
        encoding="utf-8")
    with pytest.raises(TemplateError, match="no_such_key"):
        render_mail("tea_talk", ("ru",), sample_ctx()["tea_talk"], templates_dir=tmp_path)
    assert any("missing" in p for p in check_templates(tmp_path))


@pytest.mark.parametrize("langs", [(), ("en",), ("ru", "ru")])
def test_bad_langs_are_a_template_error(langs):
    with pytest.raises(TemplateError):
        render_mail("tea_talk", langs, sample_ctx()["tea_talk"])


# --- form mails: the kind and the event in the subject, several forms in one mail ----------------


def test_form_subjects_name_the_kind_and_the_event():
    ctx = sample_ctx()["form_invitation"]
    ru = render_mail("form_invitation", ("ru",), ctx).subject
    ky = render_mail("form_invitation", ("ky",), ctx).subject
    assert ru == "Просим заполнить: пост-тест — «Местный бюджет»"
    assert ky == "Толтуруп бериңиз: пост-тест — «Жергиликтүү бюджет»"
    pre = {**ctx, "forms": [{**ctx["forms"][0], "kind": I18n("алдын ала тест", "входной тест")}]}
    assert render_mail("form_invitation", ("ru",), pre).subject == "Просим заполнить: входной тест — «Местный бюджет»"
    # a survey outside any event: its title
    survey = {**ctx, "event_title": None, "forms": [{**ctx["forms"][0], "title": I18n("Сурамжылоо", "Опрос")}]}
    assert render_mail("form_invitation", ("ru",), survey).subject == "Просим заполнить: Опрос"
    assert render_mail("form_reminder", ("ru",), sample_ctx()["form_reminder"]).subject == (
        "Напоминание: пост-тест — «Местный бюджет»")
    assert render_mail("form_closed", ("ky", "ru"), sample_ctx()["form_closed"]).subject == (
        "Жыйынтыктар: пост-тест — «Жергиликтүү бюджет» / Итоги: пост-тест — «Местный бюджет»")


def _two_forms(ctx):
    second = dict(kind=FEEDBACK_KIND, title=I18n("Иш-чараны баалоо", "Оценка мероприятия"),
                  url="https://forms.example.org/t/feedback-Tk42", deadline=HOMEWORK, pre_test=False)
    return {**ctx, "participant_name": "Айгүл", "forms": [{**ctx["forms"][0], "url": PERSONAL_URL}, second]}


def test_one_invitation_carries_every_form_with_its_link_and_deadline():
    ctx = _two_forms(sample_ctx()["form_invitation"])
    ru = render_mail("form_invitation", ("ru",), ctx)
    ky = render_mail("form_invitation", ("ky",), ctx)
    assert ru.subject == "Просим заполнить: пост-тест и оценка мероприятия — «Местный бюджет»"
    assert ky.subject == "Толтуруп бериңиз: пост-тест жана иш-чараны баалоо — «Жергиликтүү бюджет»"
    for text, deadline in ((ru.text, "до 15 марта, 17:00"), (ky.text, "15-март, саат 17:00")):
        assert PERSONAL_URL in text and "https://forms.example.org/t/feedback-Tk42" in text
        assert text.index(PERSONAL_URL) < text.index("feedback-Tk42") < text.index(deadline)
    assert "1. Пост-тест: «Тест: местный бюджет»" in ru.text
    assert "2. Оценка мероприятия\n" in ru.text  # the title says the same as the kind: not repeated
    assert "2. Иш-чараны баалоо\n" in ky.text
    assert ru.text.count("Срок:") == 2 and ky.text.count("акыркы мөөнөтү") == 2  # two deadlines, each named
    same = {**ctx, "forms": [ctx["forms"][0], {**ctx["forms"][1], "deadline": DEADLINE}]}
    text = render_mail("form_invitation", ("ru",), same).text
    assert text.count("Срок: до 18 декабря, 18:00.") == 1 and text.index("feedback-Tk42") < text.index("Срок:")
    rem = render_mail("form_reminder", ("ru",), ctx)
    assert rem.subject == "Напоминание: пост-тест и оценка мероприятия — «Местный бюджет»"
    assert "не получили ваши ответы на эти формы" in rem.text


def test_one_results_mail_carries_every_form():
    ctx = sample_ctx()["form_closed"]
    ctx["forms"] = [ctx["forms"][0], dict(kind=FEEDBACK_KIND, title=I18n("Иш-чараны баалоо", "Оценка мероприятия"),
                                          responses=5, invited=20, summary_lines=[])]
    ru = render_mail("form_closed", ("ru",), ctx).text
    assert "Формы по мероприятию «Местный бюджет» закрыты" in ru
    assert ru.index("1. Пост-тест") < ru.index("Получено ответов: 17 из 20 (85%)") < ru.index("2. Оценка мероприятия")
    assert "Получено ответов: 5 из 20 (25%)" in ru
