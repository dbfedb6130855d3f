"""The mentor's report: one HTML page with the charts and key figures of the forms.

:func:`build_report` reads the store, draws every form's charts
(:func:`automation.reporting.charts.forms.form_charts`) under ``out_dir/charts/`` and writes
``out_dir/report.html`` (``report_<event_id>.html`` for one event), rendered
with Jinja2 (autoescape on: respondent text is data, never markup) from
``automation/reporting/templates/report.html.j2``.  :func:`summary_json` gives the
machine-readable summary of issue 4 (``summary.json``).

Sections, in the order the mentor reads them (DOMAIN.md: she revises the
year's plan from post-tests, evaluations and the needs assessment):

1. key figures (forms, responses, response rate, mean post-test score, mean
   normalized gain with its 95 % interval);
2. what changed since the last report of the same scope and language
   (:func:`snapshot` kept in ``out_dir/.last-report.<scope>.<lang>.json``,
   compared by :func:`diff_snapshots`);
3. post-tests: gain per event and per oblast, item difficulty and
   discrimination per test (:func:`posttest_section`);
4. needs assessments: demand per option with Wilson intervals, by oblast and
   by role, change from the previous year's assessment (:func:`needs_section`);
5. event feedback: the trend of each Likert item across the season's events
   (:func:`feedback_section`);
6. response rates per form and oblast, and the cumulative curves by day since
   the invitation (:func:`rates_section`);
7. one section per form (:func:`form_report`).

Do no harm (DESIGN.md principle 8): the report shows no names, e-mail
addresses or phone numbers — non-respondents appear as counts per oblast, and
every breakdown by oblast hides groups smaller than ``min_group_size``
("менее 3" / "3төн аз"); answers to personal-data questions are never listed
and contacts typed into open answers are masked.  Texts of applications to the
School (form kind ``school_application``) are not listed: the selection
commission scores them under codes.

Times are shown in Asia/Bishkek.
"""

from __future__ import annotations

import hashlib
import pickle
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from automation.reporting.charts import text as chart_text
from automation.reporting.charts.chart import Chart, slug
from automation.reporting.charts.forms import form_charts
from automation.reporting.charts.needs import change_chart, heatmap_chart
from automation.reporting.charts.posttest import gain_chart, item_chart
from automation.reporting.charts.text import decimal
from automation.reporting.charts.trends import response_curve_chart, trend_chart
from automation.analysis import feedback, needs, posttest, rates, summary
from automation.analysis.frame import answers_frame, form_specs
from automation.errors import AutomationError
from automation.model import BISHKEK, CHOICE_KINDS, LANGS, OBLASTS, FormSpec, I18n, form_spec_from_json, iso, parse_iso, utc_now
from automation.store import Store

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
DEFAULT_CLUB = I18n(ky="Жергиликтүү кеңештердин аял депутаттар клубу", ru="Клуб женщин-депутатов местных кенешей")
#: Form kinds whose open answers are not listed in the report (scored by the commission under codes).
NO_OPEN_TEXT_KINDS = ("school_application",)

#: Headings and labels of the report in both languages.
UI: dict[str, dict[str, str]] = {
    "ru": {
        "report": "Отчёт для ментора",
        "report_event": "Отчёт для ментора: {event}",
        "org": "АМУЦА — Академия местного управления Центральной Азии",
        "generated": "Сформирован {when} (время Бишкека)",
        "key_figures": "Ключевые показатели",
        "forms": "Формы",
        "responses": "Ответы",
        "mean_rate": "Средняя доля ответивших",
        "mean_post": "Средний балл пост-тестов",
        "pre_post": "Пре-тест → пост-тест (средний балл)",
        "event": "Мероприятие",
        "dates": "Сроки",
        "status_open": "открыта",
        "status_closed": "закрыта",
        "responses_invited": "Ответили / приглашены",
        "rate": "Доля ответивших",
        "public_form": "открытая анонимная ссылка — доля ответивших не считается",
        "no_responses": "Ответов пока нет.",
        "charts": "Графики",
        "score": "Результаты теста",
        "n": "Ответов",
        "mean": "Среднее",
        "median": "Медиана",
        "min": "Минимум",
        "max": "Максимум",
        "max_score": "макс. {n} б.",
        "by_oblast": "По областям",
        "oblast": "Область",
        "respondents": "Ответили",
        "mean_score": "Средний балл",
        "open_texts": "Открытые ответы",
        "other_texts": "{title} — «Другое»",
        "no_open_texts": "Открытых ответов нет.",
        "texts_withheld": "Тексты заявок в отчёт не включаются: комиссия оценивает заявки под кодами.",
        "non_respondents": "Не ответили — по областям",
        "non_respondents_total": "Всего не ответили: {n}",
        "everyone_answered": "Ответили все приглашённые.",
        "count": "Число",
        "suppression": ("Группы меньше {n} человек не показываются («{label}»), "
                        "чтобы нельзя было узнать отдельных участниц."),
        "contacts": "Имена и контакты участниц в отчёт не включаются.",
        "dash": "—",
        "pre_short": "пре-тест",
        "post_short": "пост-тест",
        "contact_masked": "[контакт скрыт]",
        "contents": "Содержание",
        "no_forms": "Форм пока нет.",
        "mean_gain_key": "Средний прирост знаний g",
        "sections": "Разделы",
        "posttests": "Пост-тесты: прирост знаний",
        "gain_explain": ("Нормализованный прирост g = (пост − пре) / (макс − пре) считается для каждой участницы, "
                         "прошедшей оба теста мероприятия: 1 — достигла максимума, 0 — без изменений, меньше 0 — "
                         "результат хуже. Для идеального пре-теста g не определён; такие участницы и прошедшие "
                         "только один тест посчитаны отдельно. В квадратных скобках — 95% доверительный интервал."),
        "participants": "Участницы",
        "paired": "Оба теста",
        "perfect_pre": "Пре-тест 100%",
        "post_only": "Только пост",
        "pre_only": "Только пре",
        "mean_gain": "Средний g [95% ДИ]",
        "by_event": "По мероприятиям",
        "items": "Вопросы теста",
        "items_explain": ("Правильно — доля правильных ответов (пре → пост) и 95% интервал для пост-теста. "
                          "Различение — точечно-бисериальная корреляция ответа на вопрос с баллом за остальные "
                          "вопросы: ниже 0,2 — вопрос плохо отличает подготовленных участниц от остальных."),
        "question": "Вопрос",
        "correct_share": "Правильно",
        "discrimination": "Различение",
        "flags": "Замечания",
        "flag_too_hard": "слишком трудный",
        "flag_too_easy": "слишком лёгкий",
        "flag_low_discrimination": "плохо различает",
        "flag_negative_discrimination": "отрицательная связь с баллом — проверьте ключ",
        "needs": "Оценка потребностей",
        "needs_explain": ("Доля ответивших, выбравших вариант (можно было выбрать несколько), и 95% доверительный "
                          "интервал Уилсона: чем меньше ответов, тем он шире."),
        "option": "Вариант",
        "chose": "Выбрали",
        "share_ci": "Доля [95% ДИ]",
        "answered_n": "ответили: {n}",
        "scale_by_oblast": "Средние оценки по областям",
        "change_prev": "Изменение к {year} году",
        "no_previous": "Оценки потребностей прошлых лет нет — сравнивать не с чем.",
        "prev_mean": "{year}",
        "diff_ci": "Разница [95% ДИ]",
        "feedback": "Оценка мероприятий",
        "trend_explain": "Средняя оценка каждого пункта по мероприятиям сезона, по дате проведения.",
        "items_legend": "Пункты",
        "date": "Дата",
        "top2": "Высокие оценки",
        "response_rates": "Отклик на формы",
        "rates_explain": ("Доля приглашённых, ответивших на форму, всего и по областям. Кто именно не ответил, "
                          "в отчёт не включается: эти данные идут только в напоминания."),
        "form": "Форма",
        "total": "Всего",
        "changes": "Что изменилось с прошлого отчёта",
        "changes_since": "С отчёта от {when}:",
        "first_report": "Это первый отчёт: сравнивать пока не с чем.",
        "no_changes": "Новых ответов нет.",
        "change_new_form": "новая форма: {n} отв.",
        "change_responses": "+{d} отв. (было {a}, стало {b})",
        "changes_held_back": ("Средние не сравниваются, пока новых ответов {label}: иначе по разнице можно "
                              "узнать ответ отдельной участницы."),
    },
    "ky": {
        "report": "Ментор үчүн отчёт",
        "report_event": "Ментор үчүн отчёт: {event}",
        "org": "АМУЦА — Борбордук Азиянын жергиликтүү башкаруу академиясы",
        "generated": "Түзүлгөн убактысы: {when} (Бишкек убактысы)",
        "key_figures": "Негизги көрсөткүчтөр",
        "forms": "Формалар",
        "responses": "Жооптор",
        "mean_rate": "Жооп бергендердин орточо үлүшү",
        "mean_post": "Пост-тесттердин орточо баллы",
        "pre_post": "Пре-тест → пост-тест (орточо балл)",
        "event": "Иш-чара",
        "dates": "Мөөнөттөрү",
        "status_open": "ачык",
        "status_closed": "жабык",
        "responses_invited": "Жооп бергендер / чакырылгандар",
        "rate": "Жооп бергендердин үлүшү",
        "public_form": "ачык анонимдүү шилтеме — жооп бергендердин үлүшү эсептелбейт",
        "no_responses": "Азырынча жооп жок.",
        "charts": "Графиктер",
        "score": "Тесттин жыйынтыктары",
        "n": "Жооптор",
        "mean": "Орточо",
        "median": "Медиана",
        "min": "Эң төмөн",
        "max": "Эң жогору",
        "max_score": "макс. {n} балл",
        "by_oblast": "Облустар боюнча",
        "oblast": "Облус",
        "respondents": "Жооп бергендер",
        "mean_score": "Орточо балл",
        "open_texts": "Ачык жооптор",
        "other_texts": "{title} — «Башка»",
        "no_open_texts": "Ачык жооптор жок.",
        "texts_withheld": "Арыздардын тексттери отчётко кирбейт: комиссия арыздарды коддор менен баалайт.",
        "non_respondents": "Жооп бербегендер — облустар боюнча",
        "non_respondents_total": "Бардыгы болуп жооп бербегендер: {n}",
        "everyone_answered": "Чакырылгандардын баары жооп берди.",
        "count": "Саны",
        "suppression": ("{n} адамдан аз топтор көрсөтүлбөйт («{label}»), "
                        "катышуучуларды өзүнчө тааныганга мүмкүн болбошу үчүн."),
        "contacts": "Катышуучулардын аты-жөнү жана байланыш маалыматтары отчётко кирбейт.",
        "dash": "—",
        "pre_short": "пре-тест",
        "post_short": "пост-тест",
        "contact_masked": "[байланыш жашырылды]",
        "contents": "Мазмуну",
        "no_forms": "Азырынча форма жок.",
        "mean_gain_key": "Билимдин орточо өсүшү g",
        "sections": "Бөлүмдөр",
        "posttests": "Пост-тесттер: билимдин өсүшү",
        "gain_explain": ("Нормалдаштырылган өсүш g = (пост − пре) / (макс − пре) иш-чаранын эки тестин тең "
                         "тапшырган ар бир катышуучу үчүн эсептелет: 1 — максимумга жетти, 0 — өзгөрүү жок, 0дөн аз — "
                         "жыйынтык начарлады. Пре-тест мыкты болсо, g аныкталбайт; мындай катышуучулар жана бир гана "
                         "тест тапшыргандар өзүнчө саналат. Чарчы кашаанын ичинде — 95% ишеним аралыгы."),
        "participants": "Катышуучулар",
        "paired": "Эки тест тең",
        "perfect_pre": "Пре-тест 100%",
        "post_only": "Пост гана",
        "pre_only": "Пре гана",
        "mean_gain": "Орточо g [95% ИА]",
        "by_event": "Иш-чаралар боюнча",
        "items": "Тесттин суроолору",
        "items_explain": ("Туура — туура жооптордун үлүшү (пре → пост) жана пост-тест үчүн 95% аралык. "
                          "Айырмалоо — суроого берилген жооптун калган суроолордун баллы менен чекиттик-бисериалдык "
                          "корреляциясы: 0,2ден төмөн болсо, суроо даярдыгы жакшы катышуучуларды башкалардан "
                          "начар айырмалайт."),
        "question": "Суроо",
        "correct_share": "Туура",
        "discrimination": "Айырмалоо",
        "flags": "Эскертүүлөр",
        "flag_too_hard": "өтө татаал",
        "flag_too_easy": "өтө жеңил",
        "flag_low_discrimination": "начар айырмалайт",
        "flag_negative_discrimination": "балл менен терс байланыш — ачкычты текшериңиз",
        "needs": "Муктаждыктарды баалоо",
        "needs_explain": ("Вариантты тандаган жооп бергендердин үлүшү (бир нечесин тандоого болот эле) жана "
                          "Уилсондун 95% ишеним аралыгы: жооптор канчалык аз болсо, ал ошончолук кенен."),
        "option": "Вариант",
        "chose": "Тандагандар",
        "share_ci": "Үлүш [95% ИА]",
        "answered_n": "жооп бергендер: {n}",
        "scale_by_oblast": "Облустар боюнча орточо баалар",
        "change_prev": "{year}-жылга салыштырмалуу өзгөрүү",
        "no_previous": "Мурунку жылдардын муктаждыктарын баалоо жок — салыштыра турган эч нерсе жок.",
        "prev_mean": "{year}",
        "diff_ci": "Айырма [95% ИА]",
        "feedback": "Иш-чараларды баалоо",
        "trend_explain": "Сезондун иш-чаралары боюнча ар бир пункттун орточо баасы, өткөрүлгөн датасы боюнча.",
        "items_legend": "Пункттар",
        "date": "Датасы",
        "top2": "Жогорку баалар",
        "response_rates": "Формаларга жооп берүү",
        "rates_explain": ("Формага жооп берген чакырылгандардын үлүшү, жалпы жана облустар боюнча. Ким жооп "
                          "бербегени отчётко кирбейт: бул маалымат эскертмелер үчүн гана колдонулат."),
        "form": "Форма",
        "total": "Бардыгы",
        "changes": "Мурунку отчёттон бери эмне өзгөрдү",
        "changes_since": "{when} отчётунан бери:",
        "first_report": "Бул биринчи отчёт: азырынча салыштыра турган эч нерсе жок.",
        "no_changes": "Жаңы жооптор жок.",
        "change_new_form": "жаңы форма: {n} жооп",
        "change_responses": "+{d} жооп (мурун {a}, азыр {b})",
        "changes_held_back": ("Жаңы жооптор {label} болсо, орточолор салыштырылбайт: антпесе айырмасынан айрым "
                              "катышуучунун жообун билүүгө болот."),
    },
}


def ui(key: str, lang: str = "ru", **kw: Any) -> str:
    """A report string in ``lang``, formatted with ``kw``."""
    return UI[lang][key].format(**kw)


# --- the data behind one form's section ---------------------------------------------


@dataclass
class FormReport:
    """Everything the report shows about one form (built by :func:`form_report`)."""

    form_key: str
    title: str
    kind: str
    event_id: str
    event_title: str
    pre_test: bool
    opens: datetime
    deadline: datetime
    status: str
    responses: int
    invited: int | None
    responded: int | None
    rate: float | None
    charts: list[Chart] = field(default_factory=list)
    score: dict[str, Any] | None = None
    score_shares: list[float] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    open_texts: list[dict[str, Any]] = field(default_factory=list)
    texts_withheld: bool = False
    non_respondents: list[dict[str, Any]] = field(default_factory=list)
    non_respondents_total: int | None = None
    pre_post: dict[str, Any] | None = None


def _spec(row: Any) -> FormSpec:
    return form_spec_from_json(json.loads(row["spec_json"]))


#: Participant ids a form was sent to (see :func:`automation.analysis.rates.invited_ids`).
invited_ids = rates.invited_ids


def _event_title(plan: Any, event_id: str, lang: str) -> str:
    for ev in getattr(plan, "events", ()) or ():
        if ev.id == event_id:
            return ev.title.get(lang)
    return event_id


def _group_rows(groups: pd.DataFrame, lang: str, min_group_size: int, graded: bool) -> list[dict[str, Any]]:
    hidden = summary.suppressed_label(min_group_size, lang)
    out = []
    for g in groups.itertuples(index=False):
        out.append({
            "label": summary.group_label("oblast", g.group, lang),
            "respondents": hidden if g.suppressed else str(int(g.respondents)),
            "mean_score": (hidden if g.suppressed else
                           (f"{g.mean_score * 100:.0f}%" if graded and pd.notna(g.mean_score) else None)),
            "suppressed": bool(g.suppressed),
        })
    return out


def form_report(store: Store, form_row: Any, frame: pd.DataFrame, charts_dir: Path, lang: str = "ru",
                min_group_size: int = summary.MIN_GROUP_SIZE, plan: Any = None, svg: bool = False,
                roster: dict[str, Any] | None = None) -> FormReport:
    """Compute one form's section and draw its charts.  ``frame``: the whole tidy frame (filtered here)."""
    spec = _spec(form_row)
    key = form_row["form_key"]
    rows = frame[frame["form_key"] == key]
    invited = invited_ids(store, form_row)
    rate = summary.response_rate(rows, invited)
    fr = FormReport(
        form_key=key, title=spec.title.get(lang), kind=spec.kind, event_id=form_row["event_id"],
        # a survey's event id is its own form key: it belongs to no event
        event_title="" if form_row["event_id"] == key else _event_title(plan, form_row["event_id"], lang),
        pre_test=bool(form_row["pre_test"]),
        opens=parse_iso(form_row["opens"]), deadline=parse_iso(form_row["deadline"]), status=form_row["status"],
        responses=len(store.responses(key)), invited=rate["invited"], responded=rate["responded"],
        rate=rate["rate"],
    )
    fr.charts = _cached_charts(spec, rows, charts_dir, lang, min_group_size, svg, key)
    graded = spec.max_score > 0
    if graded:
        fr.score = summary.score_summary(spec, rows)
        fr.score_shares = summary.score_shares(spec, rows).tolist()
    if not rows.empty:
        fr.groups = _group_rows(summary.oblast_groups(rows, min_group_size, spec if graded else None), lang,
                                min_group_size, graded)
    if spec.kind in NO_OPEN_TEXT_KINDS:
        fr.texts_withheld = any(q.kind in summary.TEXT_KINDS for q in spec.questions)
    else:
        for q in spec.questions:
            if q.kind in summary.TEXT_KINDS:
                title = q.title.get(lang)
            elif q.kind in ("single_choice", "multiple_choice") and q.other:
                title = ui("other_texts", lang, title=q.title.get(lang))
            else:
                continue
            texts = summary.open_texts(spec, rows, q.id, ui("contact_masked", lang)) if not rows.empty else []
            if texts:
                fr.open_texts.append({"title": title, "question_id": q.id, "texts": texts})
    if invited is not None:
        roster = roster if roster is not None else {p.id: p for p in store.participants(active_only=False)}
        inv = {pid: (roster[pid].oblast if pid in roster else "") for pid in invited}
        nr = summary.non_respondents_by_oblast(inv, rows, min_group_size)
        hidden = summary.suppressed_label(min_group_size, lang)
        fr.non_respondents = [{"label": summary.group_label("oblast", g.group, lang),
                               "count": hidden if g.suppressed else str(int(g.non_respondents))}
                              for g in nr.itertuples(index=False)]
        fr.non_respondents_total = len(inv) - (rate["responded"] or 0)
    return fr


def _cached_charts(spec: FormSpec, rows: pd.DataFrame, charts_dir: Path, lang: str, min_group_size: int,
                   svg: bool, key: str) -> list[Chart]:
    """Draw a form's charts, or reuse the files of the last build when its data did not change.

    The hash covers the spec, the form's rows of the tidy frame (answers and the
    roster columns joined to them) and the drawing options; it is kept in
    ``.charts-cache.json`` beside the charts folder.  Drawing is the slow part of a report
    (about 0.15 s a chart), and most forms are closed and unchanged.
    """
    cache_path = charts_dir.parent / ".charts-cache.json"
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    h = hashlib.sha256(json.dumps([spec.to_json(), lang, min_group_size, svg], sort_keys=True).encode())
    h.update(pd.util.hash_pandas_object(rows.astype(str), index=False).values.tobytes())
    digest = h.hexdigest()
    entry = cache.get(f"{key}|{lang}")
    if entry and entry["hash"] == digest:
        charts = [Chart(**{**c, "path": Path(c["path"]),
                                      "svg_path": Path(c["svg_path"]) if c.get("svg_path") else None})
                  for c in entry["charts"]]
        if all(c.path.exists() for c in charts):
            return charts
    charts = form_charts(spec, rows, charts_dir, lang, min_group_size, svg=svg, prefix=key)
    cache[f"{key}|{lang}"] = {"hash": digest, "charts": [
        {**c.__dict__, "path": str(c.path), "svg_path": str(c.svg_path) if c.svg_path else None} for c in charts]}
    cache_path.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return charts


# --- the whole report ---------------------------------------------------------------


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.0f}%"
    env.filters["local_date"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y")
    env.filters["local_dt"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")
    return env


def _select_forms(store: Store, event_id: str | None) -> list[Any]:
    forms = store.forms()
    if event_id is None:
        return forms
    chosen = [f for f in forms if f["event_id"] == event_id]
    if not chosen:
        known = ", ".join(sorted({f["event_id"] for f in forms})) or "none yet"
        raise AutomationError(f"report: no forms of event {event_id!r} in the store (events with forms: {known}). "
                              "Check the event id in the plan, or create its forms first.")
    return chosen


def _pre_tests_first(forms: list[Any]) -> list[Any]:
    """Store order (by opening date), except that a pre-test ``X.pre`` comes right before its post-test ``X``."""
    order = {f["form_key"]: i for i, f in enumerate(forms)}

    def key(f: Any) -> tuple[int, int]:
        k = f["form_key"]
        base = k[:-4] if k.endswith(".pre") and k[:-4] in order else k
        return (order[base], 0 if base != k else 1)

    return sorted(forms, key=key)


def _pre_post(reports: list[FormReport]) -> list[dict[str, Any]]:
    """Pairs ``X.pre`` (pre-test) → ``X`` (post-test) with mean score shares."""
    by_key = {r.form_key: r for r in reports}
    pairs = []
    for r in reports:
        if r.pre_test or r.score is None:
            continue
        pre = by_key.get(f"{r.form_key}.pre")
        if pre is None or pre.score is None:
            continue
        d = {"title": r.event_title or r.title, "form_key": r.form_key, "pre": pre.score["mean"],
             "post": r.score["mean"], "n_pre": pre.score["n"], "n_post": r.score["n"]}
        r.pre_post = d
        pairs.append(d)
    return pairs


# --- season sections: post-tests, needs, feedback, response rates, changes ----------


def _fmt(v: Any, digits: int = 2) -> str:
    """A number for the report: decimal comma (Russian and Kyrgyz), a real minus sign, "—" when missing."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return decimal(float(v), digits)


def _pct(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v) * 100:.0f}%"


def _ci(lo: Any, hi: Any, digits: int = 2, pct: bool = False) -> str:
    f = _pct if pct else (lambda x: _fmt(x, digits))
    if lo is None or (isinstance(lo, float) and math.isnan(lo)):
        return ""
    return f"[{f(lo)}; {f(hi)}]"


class _Drawer:
    """Draws the season (or event) charts under ``charts/<scope>.<name>.<lang>.png``; collects them."""

    def __init__(self, charts_dir: Path, scope: str, lang: str, svg: bool, min_group_size: int):
        self.dir, self.scope, self.lang, self.svg, self.min = charts_dir, scope, lang, svg, min_group_size
        self.drawn: set[Path] = set()
        self._cache_path = charts_dir.parent / f".section-charts-cache.{scope}.{lang}.json"
        try:
            self._cache: dict[str, str] = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._cache = {}

    def cached(self, fn: Any, *args: Any, **kwargs: Any) -> Path | None:
        """``fn(*args, **kwargs)`` (a chart function of :mod:`automation.reporting.charts` whose arguments include
        the target path), unless the same call drew that file in an earlier build and it is still there.
        Drawing is the slow part of a report (0.1-0.2 s a chart) and most of a season's data is settled."""
        target = next((a for a in (*args, *kwargs.values()) if isinstance(a, Path)), None)
        digest = hashlib.sha256(fn.__name__.encode() + pickle.dumps((args, sorted(kwargs.items())))).hexdigest()
        key = str(target)
        hit = self._cache.get(key)
        if hit is not None and hit.startswith(digest):
            if hit.endswith("|none"):
                return None
            if target is not None and target.exists():
                return target
        out = fn(*args, **kwargs)
        self._cache[key] = digest + ("|none" if out is None else "")
        self._cache_path.write_text(json.dumps(self._cache), encoding="utf-8")
        return out

    def path(self, name: str) -> Path:
        return self.dir / f"{self.scope}.{slug(name)}.{self.lang}.png"

    def chart(self, path: Path | None, title: str, kind: str, note: str = "") -> Chart | None:
        if path is None:
            return None
        self.drawn.add(path)
        return Chart(path, title, "", kind, note, path.with_suffix(".svg") if self.svg else None)

    def remove_stale(self) -> None:
        """Delete this scope's charts of an earlier build that this build did not draw (a test that
        is gone, a group now too small to show)."""
        for p in self.dir.glob(f"{self.scope}.*.{self.lang}.png"):
            if p not in self.drawn:
                p.unlink(missing_ok=True)
                p.with_suffix(".svg").unlink(missing_ok=True)


def _event_when(plan: Any, form_row: Any) -> datetime:
    """The event's start (UTC) from the plan; the form's opening when the plan does not know the event."""
    for e in getattr(plan, "events", ()) or ():
        if e.id == form_row["event_id"] and getattr(e, "start", None) is not None:
            return e.start
    return parse_iso(form_row["opens"])


def _scope_title(plan: Any, form_row: Any, spec: FormSpec, lang: str) -> str:
    if form_row["event_id"] == form_row["form_key"]:
        return spec.title.get(lang)
    return _event_title(plan, form_row["event_id"], lang)


def posttest_section(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any, lang: str,
                     min_group_size: int, draw: _Drawer) -> dict[str, Any] | None:
    """The gains per event and per oblast, and the item analysis of each post-test (None without post-tests)."""
    graded = {k: s for k, s in specs.items() if s.max_score > 0}
    if not graded:
        return None
    scores = posttest.quiz_scores(frame, graded)
    gain_rows = posttest.gains(scores, graded)
    rows_by_key = {f["form_key"]: f for f in forms}
    hidden = summary.suppressed_label(min_group_size, lang)

    def table(by: str | None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        t = posttest.gain_table(gain_rows, by, min_group_size)
        out = []
        for r in t.itertuples(index=False):
            if by == "event_id":
                label = _event_title(plan, r.group, lang)
            elif by is None:
                label = ""
            else:
                label = summary.group_label(by, r.group, lang)
            cnt = (lambda v: hidden if r.suppressed else str(int(v)))
            out.append({"label": label, "group": r.group, "participants": cnt(r.participants),
                        "paired": cnt(r.paired), "perfect_pre": cnt(r.perfect_pre), "post_only": cnt(r.post_only),
                        "pre_only": cnt(r.pre_only), "suppressed": bool(r.suppressed),
                        "mean": hidden if r.mean_suppressed else _fmt(r.mean_gain),
                        "ci": "" if r.mean_suppressed else _ci(r.ci_low, r.ci_high),
                        "mean_suppressed": bool(r.mean_suppressed)})
        return t, out

    section: dict[str, Any] = {"events": [], "oblasts": [], "charts": [], "items": [], "overall": None}
    if len(gain_rows):
        ev_t, section["events"] = table("event_id")
        ob_t, section["oblasts"] = table("oblast")
        _, overall = table(None)
        section["overall"] = overall[0] if overall else None
        labels = {g: _event_title(plan, g, lang) for g in ev_t["group"]}
        for by, t, lab in (("event_id", ev_t, labels), ("oblast", ob_t, {k: v[lang] for k, v in OBLASTS.items()})):
            if by == "event_id" and len(t) < 2:
                continue  # one event: its figures are in the table
            p = draw.cached(gain_chart, t, lab, draw.path(f"gain-{by}"), lang, by, min_group_size, draw.svg)
            c = draw.chart(p, chart_text.t(f"gain_title_{by}", lang), "gain")
            if c:
                section["charts"].append(c)
    flag_names = {k: ui(f"flag_{k}", lang) for k in ("too_hard", "too_easy", "low_discrimination",
                                                      "negative_discrimination")}
    for key, spec in graded.items():
        if key.endswith(".pre") and key[:-4] in graded:
            continue  # shown with its post-test
        rows = frame[frame["form_key"] == key]
        if rows.empty:
            continue
        post = posttest.item_analysis(spec, rows, lang)
        pre_key = f"{key}.pre"
        pre = posttest.item_analysis(graded[pre_key], frame[frame["form_key"] == pre_key], lang) \
            if pre_key in graded else None
        pre_d = pre.set_index("question_id")["difficulty"] if pre is not None else None
        title = _scope_title(plan, rows_by_key[key], spec, lang) if key in rows_by_key else spec.title.get(lang)
        p = draw.cached(item_chart, post, draw.path(f"items-{key}"), lang, pre, draw.svg,
                                  f"{chart_text.t('items_title', lang)}: {title}")
        section["items"].append({
            "title": title, "form_key": key, "has_pre": pre is not None,
            "n_post": int(post["responses"].max()) if len(post) else 0,
            "n_pre": int(pre["responses"].max()) if pre is not None and len(pre) else 0,
            "chart": draw.chart(p, title, "items"),
            "rows": [{"title": r.title, "pre": _pct(pre_d.get(r.question_id)) if pre_d is not None else None,
                      "post": _pct(r.difficulty), "ci": _ci(r.difficulty_low, r.difficulty_high, pct=True),
                      "discrimination": _fmt(r.discrimination),
                      "flags": ", ".join(flag_names[f] for f in r.flags)} for r in post.itertuples(index=False)]})
    if not section["events"] and not section["items"]:
        return None
    return section


def needs_section(store: Store, forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], lang: str,
                  min_group_size: int, draw: _Drawer) -> list[dict[str, Any]]:
    """Per needs assessment: demand with Wilson intervals, breakdowns by oblast and role, change from last year."""
    out = []
    all_forms = store.forms()
    hidden = summary.suppressed_label(min_group_size, lang)
    for f in forms:
        if f["kind"] != "needs_assessment":
            continue
        key = f["form_key"]
        spec = specs[key]
        rows = frame[frame["form_key"] == key]
        if rows.empty:
            continue
        prev = needs.previous_assessment(all_forms, key)
        prev_spec = form_spec_from_json(json.loads(prev["spec_json"])) if prev else None
        prev_rows = answers_frame(store, [prev["form_key"]]) if prev else None
        block: dict[str, Any] = {"title": spec.title.get(lang), "form_key": key, "year": needs.form_year(f),
                                 "prev_year": needs.form_year(prev) if prev else None, "questions": [],
                                 "scale_groups": None, "scale_change": []}
        for q in spec.questions:
            if q.kind != "multiple_choice" or summary.is_personal(q):
                continue
            d = needs.choice_demand(q, rows, lang, sort=True)
            if not len(d) or int(d["answered"].iloc[0]) == 0:
                continue
            qb: dict[str, Any] = {"title": q.title.get(lang), "answered": int(d["answered"].iloc[0]),
                                  "rows": [{"label": r.label, "count": int(r.count), "share": _pct(r.share),
                                            "ci": _ci(r.ci_low, r.ci_high, pct=True)}
                                           for r in d.itertuples(index=False)], "charts": [], "change": None}
            for by in ("oblast", "role"):
                gd = needs.group_demand(q, rows, by, min_group_size, lang)
                p = draw.cached(heatmap_chart, gd, draw.path(f"{key}-{q.id}-by-{by}"), lang, by, q.title.get(lang),
                                             min_group_size, draw.svg)
                c = draw.chart(p, f"{q.title.get(lang)} — {chart_text.t('by_' + by, lang)}", "heatmap")
                if c:
                    qb["charts"].append(c)
            if prev_spec is not None:
                pq = next((x for x in prev_spec.questions if x.id == q.id and x.kind in CHOICE_KINDS), None)
                if pq is not None:
                    ch = needs.demand_change(pq, prev_rows, q, rows, lang)
                    p = draw.cached(change_chart, ch, draw.path(f"{key}-{q.id}-change"), lang, q.title.get(lang),
                                                block["prev_year"], block["year"], draw.svg)
                    qb["change"] = draw.chart(p, q.title.get(lang), "change")
            block["questions"].append(qb)
        sg = needs.scale_by_group(spec, rows, "oblast", min_group_size, lang)
        if len(sg):
            groups = list(dict.fromkeys(sg["group"]))
            items = list(dict.fromkeys(sg["question_id"]))
            cell = {(r.group, r.question_id): (hidden if r.suppressed else _fmt(r.mean, 1))
                    for r in sg.itertuples(index=False)}
            block["scale_groups"] = {
                "groups": [summary.group_label("oblast", g, lang) for g in groups],
                "rows": [{"title": spec.question(q).title.get(lang),
                          "cells": [cell.get((g, q), "—") for g in groups]} for q in items]}
        if prev_spec is not None:
            sc = needs.scale_change(prev_spec, prev_rows, spec, rows, lang)
            block["scale_change"] = [{"title": r.title, "prev": _fmt(r.prev_mean, 1), "now": _fmt(r.mean, 1),
                                      "diff": _fmt(r.diff), "ci": _ci(r.diff_low, r.diff_high)}
                                     for r in sc.itertuples(index=False)
                                     if r.n >= min_group_size and r.prev_n >= min_group_size]
        out.append(block)
    return out


def feedback_section(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any, lang: str,
                     min_group_size: int, draw: _Drawer) -> dict[str, Any] | None:
    """The Likert trend across the events (or the one event's item summary); None without feedback forms."""
    fbs = [feedback.FeedbackForm(f["form_key"], f["event_id"], _scope_title(plan, f, specs[f["form_key"]], lang),
                                 _event_when(plan, f), specs[f["form_key"]], frame[frame["form_key"] == f["form_key"]])
           for f in forms if f["kind"] == "event_feedback"]
    fbs = [x for x in fbs if len(x.frame)]
    if not fbs:
        return None
    hidden = summary.suppressed_label(min_group_size, lang)
    tr = feedback.feedback_trend(fbs, min_group_size, lang)
    items = list(dict.fromkeys(tr["question_id"]))
    titles = {q: str(tr.loc[tr["question_id"] == q, "title"].iloc[-1]) for q in items}
    scale = next((q.scale for x in fbs for q in x.spec.questions if q.kind == "scale" and q.scale), None)
    section: dict[str, Any] = {"items": [{"n": i + 1, "title": titles[q]} for i, q in enumerate(items)],
                               "events": [], "chart": None, "summary": []}
    for x in sorted(fbs, key=lambda x: x.when):
        part = tr[tr["form_key"] == x.form_key].set_index("question_id")
        small = bool(part["suppressed"].any()) if len(part) else False
        section["events"].append({
            "title": x.event_title, "date": x.when, "responses": int(x.frame["response_id"].nunique()),
            "cells": [(hidden if small else _fmt(part.at[q, "mean"], 1)) if q in part.index else "—" for q in items]})
    if len(fbs) >= 2:
        p = draw.cached(trend_chart, tr, draw.path("feedback-trend"), lang, scale.low if scale else 1,
                                   scale.high if scale else 5, min_group_size, draw.svg)
        section["chart"] = draw.chart(p, chart_text.t("trend_title", lang), "trend")
    else:
        x = fbs[0]
        if x.frame["response_id"].nunique() >= min_group_size:
            li = feedback.likert_items(x.spec, x.frame, lang)
            section["summary"] = [{"title": r.title, "n": int(r.n), "mean": _fmt(r.mean, 1),
                                   "ci": _ci(r.ci_low, r.ci_high, 1), "top": _pct(r.top_share)}
                                  for r in li.itertuples(index=False) if r.n]
    return section


def rates_section(store: Store, forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any,
                  lang: str, min_group_size: int, draw: _Drawer, roster: dict[str, Any],
                  now: datetime, by_oblast: bool = False) -> dict[str, Any] | None:
    """Response rate per form and oblast, and the cumulative curves by day since the invitation
    (``by_oblast``: also one chart per form with a curve per oblast, for an event's report)."""
    hidden = summary.suppressed_label(min_group_size, lang)
    curves, rows, oblasts = [], [], []
    per_form = []
    oblast_charts: list[Chart] = []
    for f in forms:
        inv = rates.invited_ids(store, f)
        if inv is None:
            continue
        invited = {pid: (roster[pid].oblast if pid in roster else "") or "" for pid in inv}
        part = frame[frame["form_key"] == f["form_key"]]
        spec = specs[f["form_key"]]
        title = spec.title.get(lang) + (f" ({ui('pre_short', lang)})" if f["pre_test"] else "")
        scope = _scope_title(plan, f, spec, lang)
        label = title if scope == spec.title.get(lang) else f"{title} — {scope}"
        end = min(parse_iso(f["deadline"]), now) if f["status"] == "open" else parse_iso(f["deadline"])
        start = rates.invitation_time(store, f)
        curves.append((label, f["kind"], rates.response_curve(part, invited, start, end)))
        if by_oblast:
            oc = rates.response_curve(part, invited, start, end, by_oblast=True, min_group_size=min_group_size)
            shown = [(summary.group_label("oblast", g, lang), f["kind"], oc[oc["group"] == g])
                     for g in dict.fromkeys(oc.loc[~oc["suppressed"], "group"])]
            hidden_groups = [summary.group_label("oblast", g, lang) for g in oc.loc[oc["suppressed"], "group"]]
            p = draw.cached(response_curve_chart, shown, draw.path(f"curves-{f['form_key']}"), lang, draw.svg, label)
            note = chart_text.t("suppressed", lang, label=hidden, groups=", ".join(hidden_groups)) \
                if hidden_groups else ""
            c = draw.chart(p, label, "curves", note)
            if c:
                oblast_charts.append(c)
        rb = rates.rate_by_oblast(invited, part, min_group_size)
        for g in rb["group"]:
            if g not in oblasts:
                oblasts.append(g)
        per_form.append((label, invited, part, rb))
    if not per_form:
        return None
    from automation.analysis.posttest import _group_order

    oblasts = _group_order("oblast", oblasts)
    for label, invited, part, rb in per_form:
        by = rb.set_index("group")
        total = len(invited)
        responded = len(set(invited) - set(rates.non_respondents(invited, part)))
        rows.append({"title": label, "invited": total, "responded": responded,
                     "rate": _pct(responded / total) if total else "—",
                     "cells": [("" if g not in by.index else (hidden if by.at[g, "suppressed"] else
                                                                _pct(by.at[g, "rate"]))) for g in oblasts]})
    p = draw.cached(response_curve_chart, curves, draw.path("response-curves"), lang, draw.svg)
    note = chart_text.t("curve_note", lang) if len(curves) > 6 else ""
    return {"chart": draw.chart(p, chart_text.t("curve_title", lang), "curves", note), "rows": rows,
            "oblast_charts": oblast_charts,
            "oblasts": [summary.group_label("oblast", g, lang) for g in oblasts]}


# --- what changed since the last report ---------------------------------------------


def snapshot(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], lang: str, now: datetime,
             min_group_size: int, gain_overall: dict[str, Any] | None) -> dict[str, Any]:
    """What the next report compares with: responses per form, Likert item means, quiz mean score.

    Means of fewer than ``min_group_size`` answers are not kept (they would be
    one or two women's answers).
    """
    out: dict[str, Any] = {"generated": iso(now), "forms": {}}
    for f in forms:
        key = f["form_key"]
        spec = specs[key]
        rows = frame[frame["form_key"] == key]
        n = int(rows["response_id"].nunique()) if len(rows) else 0
        means = {}
        for q in spec.questions:
            if q.kind != "scale":
                continue
            vals = [float(v) for v in rows.loc[rows["question_id"] == q.id, "value"] if summary.is_answered(v)]
            if len(vals) >= min_group_size:
                means[q.id] = {"title": q.title.get(lang), "mean": sum(vals) / len(vals), "n": len(vals)}
        score = None
        if spec.max_score > 0 and n:
            s = summary.score_summary(spec, rows)
            if s["n"] >= min_group_size:
                score = s["mean"]
        out["forms"][key] = {"title": spec.title.get(lang) + (f" ({ui('pre_short', lang)})" if f["pre_test"] else ""),
                             "responses": n, "means": means, "score": score}
    return out


def diff_snapshots(prev: dict[str, Any] | None, cur: dict[str, Any], lang: str,
                   min_group_size: int) -> dict[str, Any]:
    """Rows of "what changed since the last report": new forms, new responses, changed means.

    A mean is compared only when at least ``min_group_size`` responses came in
    since the last report: with one new response the change of a mean would
    give away her answer (DESIGN.md principle 8).
    """
    if prev is None:
        return {"first": True, "since": None, "rows": [], "held_back": False}
    rows, held_back = [], False
    for key, f in cur["forms"].items():
        old = prev.get("forms", {}).get(key)
        if old is None:
            if f["responses"]:
                rows.append({"title": f["title"], "what": ui("change_new_form", lang, n=f["responses"]), "means": []})
            continue
        d = f["responses"] - old["responses"]
        if d <= 0:
            continue
        means = []
        if d >= min_group_size:
            for qid, m in f["means"].items():
                o = old["means"].get(qid)
                if o is not None and abs(m["mean"] - o["mean"]) >= 0.05:
                    means.append(f"{m['title']}: {_fmt(o['mean'], 1)} → {_fmt(m['mean'], 1)}")
            if f["score"] is not None and old.get("score") is not None and abs(f["score"] - old["score"]) >= 0.005:
                means.append(f"{ui('mean_score', lang)}: {_pct(old['score'])} → {_pct(f['score'])}")
        elif f["means"] or f["score"] is not None:
            held_back = True
        rows.append({"title": f["title"], "what": ui("change_responses", lang, d=d, a=old["responses"],
                                                     b=f["responses"]), "means": means})
    return {"first": False, "since": parse_iso(prev["generated"]), "rows": rows, "held_back": held_back}


def _snapshot_path(out: Path, event_id: str | None, lang: str) -> Path:
    return out / f".last-report.{slug(event_id) if event_id else 'season'}.{lang}.json"


def build_report(store: Store, out_dir: str | Path, lang: str = "ru", event_id: str | None = None,
                 min_group_size: int = summary.MIN_GROUP_SIZE, now: datetime | None = None,
                 write_json: bool = False, plan: Any = None, svg: bool = False) -> Path:
    """Write the mentor's report and its charts; return the HTML path.

    - ``out_dir/report.html`` (all forms) or ``out_dir/report_<event_id>.html``
      (the forms of one event); charts as ``out_dir/charts/<form key>.<question>.<lang>.png``,
      linked by relative path.
    - ``lang``: ``ru`` or ``ky`` for every heading, title and label.
    - ``now``: the generation time (UTC; default the clock), shown in Asia/Bishkek.
    - ``plan``: an :class:`automation.plan.load.Plan` (optional) for the club's name
      and event titles; without it the event id is shown.
    - ``write_json``: also write ``out_dir/summary.json`` (:func:`summary_json`).
    - ``svg``: also write each chart as SVG.
    - Season and event charts: ``charts/season-report.<name>.<lang>.png`` and
      ``charts/<event>-report.<name>.<lang>.png`` (a hyphen no form key has).
    - The state compared by the next build ("what changed") is written to
      ``out_dir/.last-report.<season|event>.<lang>.json``.

    Raises :class:`AutomationError` for an unknown language or an event without forms.
    """
    if lang not in LANGS:
        raise AutomationError(f"report: unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
    out = Path(out_dir)
    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    forms = _pre_tests_first(_select_forms(store, event_id))
    keys = [f["form_key"] for f in forms]
    frame = answers_frame(store, keys)
    specs = form_specs(store, keys)
    roster = {p.id: p for p in store.participants(active_only=False)}
    reports = [form_report(store, f, frame, charts_dir, lang, min_group_size, plan, svg, roster) for f in forms]
    pairs = _pre_post(reports)
    now = now or utc_now()
    draw = _Drawer(charts_dir, f"{slug(event_id)}-report" if event_id else "season-report", lang, svg,
                   min_group_size)
    post_s = posttest_section(forms, frame, specs, plan, lang, min_group_size, draw)
    needs_s = needs_section(store, forms, frame, specs, lang, min_group_size, draw)
    fb_s = feedback_section(forms, frame, specs, plan, lang, min_group_size, draw)
    rates_s = rates_section(store, forms, frame, specs, plan, lang, min_group_size, draw, roster, now,
                            by_oblast=event_id is not None)
    snap = snapshot(forms, frame, specs, lang, now, min_group_size, post_s["overall"] if post_s else None)
    snap_path = _snapshot_path(out, event_id, lang)
    try:
        previous = json.loads(snap_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    changes = diff_snapshots(previous, snap, lang, min_group_size)
    rates = [r.rate for r in reports if r.rate is not None]
    post_shares = [s for r in reports if r.score is not None and not r.pre_test for s in r.score_shares]
    club = getattr(getattr(plan, "club", None), "name", None) or DEFAULT_CLUB
    event_title = _event_title(plan, event_id, lang) if event_id else None
    key_figures = {
        "forms": len(reports),
        "responses": sum(r.responses for r in reports),
        "mean_rate": sum(rates) / len(rates) if rates else None,
        "mean_post": sum(post_shares) / len(post_shares) if post_shares else None,
        "pre_post": pairs,
        "gain": post_s["overall"] if post_s else None,
    }
    html = _env().get_template("report.html.j2").render(
        T=UI[lang], lang=lang, club=club.get(lang),
        heading=ui("report_event", lang, event=event_title) if event_id else ui("report", lang),
        generated=ui("generated", lang, when=now.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")),
        key=key_figures, forms=reports, charts_rel=lambda p: f"charts/{Path(p).name}",
        suppression=ui("suppression", lang, n=min_group_size, label=summary.suppressed_label(min_group_size, lang)),
        posttests=post_s, needs=needs_s, feedback=fb_s, rates=rates_s, changes=changes,
        hidden=summary.suppressed_label(min_group_size, lang),
    )
    path = out / (f"report_{slug(event_id)}.html" if event_id else "report.html")
    path.write_text(html, encoding="utf-8")
    snap_path.write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    draw.remove_stale()
    if write_json:
        (out / "summary.json").write_text(
            json.dumps(summary_json(store, lang, event_id, frame), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def summary_json(store: Store, lang: str = "ru", event_id: str | None = None,
                 frame: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """The machine-readable summary (issue 4's ``summary.json``): for each form, in store order,
    ``{"form": title, "form_key", "event_id", "kind", "responses": N, "questions": [{"question_id",
    "title", "kind", "answered", "counts": {label: n}}]}`` — counts for choice, scale and grid
    questions (grid keys ``"Row: Column"``), ``{}`` for text and date questions.  ``frame``: the tidy
    frame of these forms when the caller has it already (:func:`build_report` does)."""
    forms = _select_forms(store, event_id)
    if frame is None:
        frame = answers_frame(store, [f["form_key"] for f in forms])
    out = []
    for f in forms:
        spec = _spec(f)
        rows = frame[frame["form_key"] == f["form_key"]]
        qs = [{k: c[k] for k in ("question_id", "title", "kind", "answered", "counts")}
              for c in summary.question_counts(spec, rows, lang)]
        out.append({"form": spec.title.get(lang), "form_key": f["form_key"], "event_id": f["event_id"],
                    "kind": spec.kind, "responses": len(store.responses(f["form_key"])), "questions": qs})
    return out


def data_hash(store: Store, event_id: str | None = None) -> str:
    """A SHA-256 of everything a report shows (forms, responses, links, roster oblasts):
    a report whose hash has not changed need not be rebuilt (the ``reports`` table)."""
    h = hashlib.sha256()
    for f in _select_forms(store, event_id) if store.forms() else []:
        h.update(json.dumps([f["form_key"], f["spec_json"], f["status"], f["opens"], f["deadline"],
                             f["audience"]]).encode())
        for r in store.responses(f["form_key"]):
            h.update(json.dumps([r["response_id"], r["participant_id"], r["submitted_at"],
                                 r["answers_json"]]).encode())
        for r in store.db.execute("SELECT participant_id FROM form_links WHERE form_key = ? ORDER BY 1",
                                  (f["form_key"],)):
            h.update(r[0].encode())
    for p in store.participants(active_only=False):
        h.update(json.dumps([p.id, p.oblast, p.active]).encode())
    return h.hexdigest()
