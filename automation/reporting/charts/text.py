"""The texts of the charts in both report languages, and numbers written the way they read them.

Titles, axis labels and notes are in the report language ``lang`` (``ru`` default, ``ky``); every key
of :data:`STRINGS` exists in both (a test checks it).
"""

from __future__ import annotations

from typing import Any


#: Chart texts in both report languages.
STRINGS: dict[str, dict[str, str]] = {
    "ru": {
        "count": "Число ответов",
        "share_of_answered": "% ответивших",
        "answered": "Ответили: {n}",
        "several": "Можно было выбрать несколько вариантов; % — от ответивших.",
        "correct": "Зелёным — правильный ответ.",
        "score_axis": "Балл (из {max})",
        "score_axis_pct": "Балл, % от максимума",
        "participants": "Число участниц",
        "mean": "среднее {v}",
        "score_title": "Результаты теста: распределение баллов",
        "oblast_score_title": "Средний балл по областям",
        "oblast_count_title": "Ответы по областям",
        "mean_score_axis": "Средний балл, % от максимума",
        "respondents_axis": "Число ответов",
        "suppressed": "Не показаны ({label} ответивших): {groups}.",
        "likert_title": "Оценки по шкале {low}–{high}",
        "likert_axis": "% ответивших (влево — низкие оценки, вправо — высокие)",
        "grid_axis": "% ответивших по строке",
        "n": "n = {n}",
        "mean_line": "пунктир",
        "wilson_note": "Чёрточки — 95% доверительный интервал (Уилсон).",
        "gain_title_event_id": "Прирост знаний g по мероприятиям",
        "gain_title_oblast": "Прирост знаний g по областям",
        "gain_title_role": "Прирост знаний g по ролям",
        "gain_axis": "Средний нормализованный прирост g = (пост − пре) / (макс − пре); чёрточки — 95% ДИ",
        "gain_note": "n — участницы, прошедшие оба теста (без идеального пре-теста).",
        "gain_hidden": "Не показаны ({label} пар пре/пост): {groups}.",
        "items_title": "Доля правильных ответов по вопросам",
        "items_axis": "% правильных ответов",
        "pre_label": "пре-тест",
        "post_label": "пост-тест",
        "by_oblast": "по областям",
        "by_role": "по ролям",
        "heatmap_note": "% ответивших в группе; n — число ответивших.",
        "change_title": "Изменение к {prev} году: {question}",
        "change_note": ("Серая точка — {prev}, синяя — {year}. * — разница больше случайных колебаний "
                        "(95% ДИ Ньюкомба не включает 0)."),
        "trend_title": "Оценки мероприятий за сезон",
        "trend_axis": "Средняя оценка ({low}–{high})",
        "trend_hidden": "Не показаны (ответили {label} человек): {events}.",
        "curve_title": "Доля ответивших по дням после приглашения",
        "curve_axis_x": "Дней после приглашения",
        "curve_axis_y": "% приглашённых, которые ответили",
        "curve_note": "Тонкие линии — отдельные формы, толстые — все формы этого вида вместе.",
        "kind_post_test": "пост-тесты",
        "kind_needs_assessment": "оценка потребностей",
        "kind_event_feedback": "оценка мероприятий",
        "kind_best_practice_vote": "голосование за лучшую практику",
        "kind_school_application": "заявки в Школу",
        "kind_other": "другие формы",
    },
    "ky": {
        "count": "Жооптордун саны",
        "share_of_answered": "жооп бергендердин %",
        "answered": "Жооп бергендер: {n}",
        "several": "Бир нечесин тандоого болот эле; % — жооп бергендерден.",
        "correct": "Жашыл түс — туура жооп.",
        "score_axis": "Балл ({max} баллдан)",
        "score_axis_pct": "Балл, максимумдан %",
        "participants": "Катышуучулардын саны",
        "mean": "орточо {v}",
        "score_title": "Тесттин жыйынтыктары: баллдардын бөлүнүшү",
        "oblast_score_title": "Облустар боюнча орточо балл",
        "oblast_count_title": "Облустар боюнча жооптор",
        "mean_score_axis": "Орточо балл, максимумдан %",
        "respondents_axis": "Жооптордун саны",
        "suppressed": "Көрсөтүлгөн жок ({label} жооп): {groups}.",
        "likert_title": "{low}–{high} шкаласы боюнча баалар",
        "likert_axis": "жооп бергендердин % (солго — төмөн баалар, оңго — жогорку)",
        "grid_axis": "сап боюнча жооп бергендердин %",
        "n": "n = {n}",
        "mean_line": "үзүк сызык",
        "wilson_note": "Сызыкчалар — 95% ишеним аралыгы (Уилсон).",
        "gain_title_event_id": "Иш-чаралар боюнча билимдин өсүшү g",
        "gain_title_oblast": "Облустар боюнча билимдин өсүшү g",
        "gain_title_role": "Ролдор боюнча билимдин өсүшү g",
        "gain_axis": "Орточо нормалдаштырылган өсүш g = (пост − пре) / (макс − пре); сызыкчалар — 95% ИА",
        "gain_note": "n — эки тестти тең тапшыргандар (пре-тести мыкты эместер).",
        "gain_hidden": "Көрсөтүлгөн жок ({label} пре/пост жуп): {groups}.",
        "items_title": "Суроолор боюнча туура жооптордун үлүшү",
        "items_axis": "туура жооптордун %",
        "pre_label": "пре-тест",
        "post_label": "пост-тест",
        "by_oblast": "облустар боюнча",
        "by_role": "ролдор боюнча",
        "heatmap_note": "топто жооп бергендердин %; n — жооп бергендердин саны.",
        "change_title": "{prev}-жылга салыштырмалуу өзгөрүү: {question}",
        "change_note": ("Боз чекит — {prev}, көк — {year}. * — айырма кокустук термелүүдөн чоң "
                        "(Ньюкомбдун 95% ИА 0дү камтыбайт)."),
        "trend_title": "Сезондогу иш-чаралардын баалары",
        "trend_axis": "Орточо баа ({low}–{high})",
        "trend_hidden": "Көрсөтүлгөн жок ({label} адам жооп берген): {events}.",
        "curve_title": "Чакыруудан кийинки күндөр боюнча жооп бергендердин үлүшү",
        "curve_axis_x": "Чакыруудан кийинки күндөр",
        "curve_axis_y": "жооп берген чакырылгандардын %",
        "curve_note": "Ичке сызыктар — өзүнчө формалар, калың сызыктар — ушул түрдөгү бардык формалар бирге.",
        "kind_post_test": "пост-тесттер",
        "kind_needs_assessment": "муктаждыктарды баалоо",
        "kind_event_feedback": "иш-чараларды баалоо",
        "kind_best_practice_vote": "мыкты тажрыйба үчүн добуш берүү",
        "kind_school_application": "Мектепке арыздар",
        "kind_other": "башка формалар",
    },
}


def t(key: str, lang: str = "ru", **kw: Any) -> str:
    """A chart string in ``lang`` (``ru`` when the language is unknown), formatted with ``kw``."""
    return STRINGS.get(lang, STRINGS["ru"])[key].format(**kw)


def decimal(v: float, digits: int = 2) -> str:
    """``0,58``, ``−0,12``: a decimal comma (Russian and Kyrgyz) and a real minus sign; never ``−0,0``."""
    text = f"{v:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−").replace(".", ",")


def kind_label(kind: str, lang: str = "ru") -> str:
    """A form kind in words (``post_test`` → "пост-тесты")."""
    key = f"kind_{kind}"
    return t(key if key in STRINGS["ru"] else "kind_other", lang)
