"""Charts, the summaries behind them and the mentor's report, on a small hand-made store.

The store is filled by inserting rows directly (no plan, no jobs), so every
number below can be checked by hand against the fixtures.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from automation.reporting.charts import text as chart_text
from automation.reporting.charts.bars import oblast_chart, scale_chart
from automation.reporting.charts.forms import form_charts
from automation.reporting.charts.needs import change_chart, heatmap_chart
from automation.reporting.charts.posttest import gain_chart, item_chart
from automation.reporting.charts.trends import response_curve_chart, trend_chart
import automation.reporting.report.build as report
from automation.analysis.rates import invited_ids
from automation.reporting.report.changes import diff_snapshots, snapshot
from automation.reporting.report.text import UI
from automation.analysis import summary
from automation.analysis.frame import answers_frame
from automation.errors import AutomationError
from automation.model import Participant
from automation.store import Store
from automation.forms.templates import parse_template

NOW = datetime(2022, 9, 20, 6, 30, tzinfo=timezone.utc)  # 12:30 in Bishkek
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

TI = lambda ky, ru: {"ky": ky, "ru": ru}  # noqa: E731


def opt(i, ky, ru):
    return {"id": i, "label": TI(ky, ru)}


QUIZ = {
    "id": "post_test", "version": 1, "kind": "post_test", "quiz": True,
    "title": TI("Бюджет боюнча пост-тест", "Пост-тест по бюджету"),
    "sections": [{"id": "s1", "title": TI("Суроолор", "Вопросы"), "questions": [
        {"id": "q1", "kind": "single_choice", "title": TI("Бюджетти ким бекитет?", "Кто утверждает бюджет?"),
         "options": [opt("a", "Кеңеш", "Кенеш"), opt("b", "Аким", "Аким"), opt("c", "Өкмөт", "Правительство")],
         "correct": ["a"]},
        {"id": "q2", "kind": "multiple_choice", "title": TI("Кирешелер", "Доходы местного бюджета"),
         "options": [opt("tax", "Салыктар", "Налоги"), opt("fee", "Жыйымдар", "Сборы"),
                     opt("loan", "Насыялар", "Кредиты")],
         "correct": ["tax", "fee"]},
    ]}],
}

FEEDBACK = {
    "id": "event_feedback", "version": 1, "kind": "event_feedback", "quiz": False,
    "title": TI("Иш-чара боюнча пикир", "Оценка мероприятия"),
    "sections": [{"id": "s1", "title": TI("Баалоо", "Оценка"), "questions": [
        {"id": "useful", "kind": "scale", "title": TI("Канчалык пайдалуу болду?", "Насколько было полезно?"),
         "scale": {"low": 1, "high": 5, "low_label": TI("Такыр пайдасыз", "Совсем нет"),
                   "high_label": TI("Өтө пайдалуу", "Очень")}},
        {"id": "trainer", "kind": "scale", "title": TI("Тренер", "Тренер"),
         "scale": {"low": 1, "high": 5, "low_label": TI("Такыр пайдасыз", "Совсем нет"),
                   "high_label": TI("Өтө пайдалуу", "Очень")}},
        {"id": "format", "kind": "single_choice", "other": True,
         "title": TI("Кайсы формат ыңгайлуу?", "Какой формат удобнее?"),
         "options": [opt("online", "Онлайн", "Онлайн"), opt("offline", "Офлайн", "Офлайн")]},
        {"id": "topics", "kind": "multiple_choice", "other": True,
         "title": TI("Кийинки темалар", "Темы следующих встреч"),
         "options": [opt("law", "Мыйзамдар", "Законы"), opt("budget", "Бюджет", "Бюджет"),
                     opt("conflict", "Чыр-чатак", "Конфликты")]},
        {"id": "rate", "kind": "grid", "title": TI("Сессияларды баалаңыз", "Оцените сессии"),
         "rows": [opt("s1", "Биринчи сессия", "Первая сессия"), opt("s2", "Экинчи сессия", "Вторая сессия")],
         "options": [opt("bad", "Начар", "Плохо"), opt("ok", "Жакшы", "Хорошо"), opt("great", "Эң жакшы", "Отлично")]},
        {"id": "comment", "kind": "long_text", "title": TI("Эмнени өзгөртүү керек?", "Что изменить?")},
        {"id": "phone", "kind": "short_text", "title": TI("Телефонуңуз", "Ваш телефон")},
    ]}],
}

# Five participants: three in Osh, two in Naryn (so Naryn is a small cell at min_group_size 3).
PEOPLE = [
    Participant("p1", "Айгүл Осмонова", "aigul@example.org", "+996 555 111 222", "osh", "Кара-Суу", "deputy", "ky"),
    Participant("p2", "Бермет Жумабаева", "bermet@example.org", "+996 555 333 444", "osh", "Ош", "deputy", "ru"),
    Participant("p3", "Чолпон Асанова", "cholpon@example.org", "+996 700 555 666", "osh", "Ноокат", "activist",
                "ky"),
    Participant("p4", "Динара Ниязова", "dinara@example.org", "+996 770 777 888", "naryn", "Ат-Башы", "deputy",
                "ru"),
    Participant("p5", "Элмира Токтосунова", "elmira@example.org", "+996 550 999 000", "naryn", "Нарын",
                "candidate", "ky"),
]

SCRIPT = '<script>alert("x")</script>'


def _insert_form(store: Store, key: str, spec_data: dict, event_id: str, pre_test: bool = False,
                 audience: str = "roster") -> None:
    spec = parse_template(spec_data, f"{spec_data['id']}.yaml")
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, spec.id, spec.version, spec.kind, event_id, int(pre_test), audience, "local", key,
         f"http://127.0.0.1:8080/f/{key}", json.dumps(spec.to_json(), ensure_ascii=False), "closed",
         "2022-09-15T10:00:00Z", "2022-09-22T12:00:00Z", "2022-09-15T10:00:00Z"))


def _responses(store: Store, key: str, answers: dict[str, dict]) -> None:
    rows = [{"response_id": f"{key}-{pid}", "participant_id": pid, "respondent_email": f"{pid}@example.org",
             "submitted_at": datetime(2022, 9, 16, 8, i, tzinfo=timezone.utc), "answers": a, "raw": {}}
            for i, (pid, a) in enumerate(answers.items())]
    store.responses.add(key, rows, "test")


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test", now=NOW)
    _insert_form(s, "ws_budget.post_test.pre", QUIZ, "ws_budget", pre_test=True)
    _insert_form(s, "ws_budget.post_test", QUIZ, "ws_budget")
    _insert_form(s, "ws_budget.event_feedback", FEEDBACK, "ws_budget")
    # personal links for the feedback form: everyone but p5 was invited
    for pid in ("p1", "p2", "p3", "p4"):
        s.db.execute("INSERT INTO form_links VALUES (?,?,?)", ("ws_budget.event_feedback", pid, f"tok-{pid}"))
    # quiz: q1 and q2 one point each, max_score 2.  Pre-test: p1 1/2, p2 0/2, p3 2/2
    _responses(s, "ws_budget.post_test.pre", {
        "p1": {"q1": "a", "q2": ["tax"]},
        "p2": {"q1": "b", "q2": ["loan"]},
        "p3": {"q1": "a", "q2": ["tax", "fee"]},
    })
    _responses(s, "ws_budget.post_test", {
        "p1": {"q1": "a", "q2": ["tax", "fee"]},  # 2/2
        "p2": {"q1": "a", "q2": ["tax"]},  # 1/2
        "p3": {"q1": "a", "q2": ["tax", "fee"]},  # 2/2
        "p4": {"q1": "b", "q2": ["tax", "fee"]},  # 1/2
        "p5": {"q1": "c"},  # 0/2, q2 unanswered
    })
    _responses(s, "ws_budget.event_feedback", {
        "p1": {"useful": 5, "trainer": 4, "format": "online", "topics": ["law", "budget"],
               "rate": {"s1": "great", "s2": "ok"}, "comment": SCRIPT, "phone": "+996 555 111 222"},
        "p2": {"useful": 4, "trainer": 4, "format": "В смешанном формате", "topics": ["budget", "Гендер"],
               "rate": {"s1": "great"}, "comment": "Больше практики, пишите мне: bermet@example.org"},
        "p3": {"useful": 2, "trainer": 5, "format": "offline", "topics": ["budget"], "rate": {"s1": "ok", "s2": "bad"},
               "comment": "  "},
    })
    return s


def _spec(store: Store, key: str):
    from automation.model import form_spec_from_json
    return form_spec_from_json(json.loads(store.forms.get(key).spec_json))


def _rows(store: Store, key: str) -> pd.DataFrame:
    f = answers_frame(store)
    return f[f["form_key"] == key]


# --- summaries against hand-computed values -----------------------------------------


def test_frame_and_question_counts(store):
    rows = _rows(store, "ws_budget.event_feedback")
    spec = _spec(store, "ws_budget.event_feedback")
    assert rows["response_id"].nunique() == 3
    # 3 responses x (6 plain questions + 2 grid rows)
    assert len(rows) == 3 * 8
    counts = {c["question_id"]: c for c in summary.question_counts(spec, rows)}
    assert counts["useful"]["answered"] == 3
    assert counts["useful"]["counts"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert counts["trainer"]["counts"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}
    assert counts["format"]["counts"] == {"Онлайн": 1, "Офлайн": 1, "Другое": 1}
    assert counts["topics"] == {**counts["topics"], "answered": 3,
                                "counts": {"Законы": 1, "Бюджет": 3, "Конфликты": 0, "Другое": 1}}
    assert counts["rate"]["answered"] == 3
    assert counts["rate"]["rows"] == {"Первая сессия": {"Плохо": 0, "Хорошо": 1, "Отлично": 2},
                                      "Вторая сессия": {"Плохо": 1, "Хорошо": 1, "Отлично": 0}}
    assert counts["rate"]["counts"]["Первая сессия: Отлично"] == 2
    assert counts["comment"]["answered"] == 2 and counts["comment"]["counts"] == {}
    ky = {c["question_id"]: c for c in summary.question_counts(spec, rows, "ky")}
    assert ky["format"]["counts"] == {"Онлайн": 1, "Офлайн": 1, "Башка": 1}
    assert ky["useful"]["title"] == "Канчалык пайдалуу болду?"


def test_scores_and_response_rate(store):
    spec = _spec(store, "ws_budget.post_test")
    assert spec.max_score == 2
    rows = _rows(store, "ws_budget.post_test")
    s = summary.score_summary(spec, rows)
    assert s["n"] == 5 and s["max_score"] == 2
    assert s["mean"] == pytest.approx((1 + 0.5 + 1 + 0.5 + 0) / 5)
    assert s["median"] == pytest.approx(0.5) and s["min"] == 0 and s["max"] == 1
    # no links: invited = active roster (5)
    post = summary.response_rate(rows, invited_ids(store, store.forms.get("ws_budget.post_test")))
    assert post == {"responses": 5, "invited": 5, "responded": 5, "rate": 1.0}
    fb_rows = _rows(store, "ws_budget.event_feedback")
    fb = summary.response_rate(fb_rows, invited_ids(store, store.forms.get("ws_budget.event_feedback")))
    assert fb == {"responses": 3, "invited": 4, "responded": 3, "rate": 0.75}
    assert summary.response_rate(fb_rows, None)["rate"] is None


def test_public_form_has_no_rate(store):
    _insert_form(store, "needs_public", FEEDBACK, "needs_2022", audience="public")
    assert invited_ids(store, store.forms.get("needs_public")) is None


def test_small_cell_suppression_two_against_three(store):
    rows = _rows(store, "ws_budget.post_test")  # 3 in Osh, 2 in Naryn
    spec = _spec(store, "ws_budget.post_test")
    g = summary.oblast_groups(rows, 3, spec).set_index("group")
    assert g.loc["naryn", "suppressed"]
    # complementary suppression: 5 responses − Osh's 3 would give Naryn's 2 back, so Osh is hidden too
    assert g.loc["osh", "suppressed"] and pd.isna(g.loc["osh", "respondents"]) and pd.isna(g.loc["osh", "mean_score"])
    assert pd.isna(g.loc["naryn", "respondents"]) and pd.isna(g.loc["naryn", "mean_score"])
    # with a threshold of 2 Naryn's 2 respondents are shown
    g2 = summary.oblast_groups(rows, 2, spec).set_index("group")
    assert not g2.loc["osh", "suppressed"] and g2.loc["osh", "respondents"] == 3
    assert g2.loc["osh", "mean_score"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert not g2.loc["naryn", "suppressed"] and g2.loc["naryn", "respondents"] == 2
    assert g2.loc["naryn", "mean_score"] == pytest.approx(0.25)
    assert summary.suppressed_label(3, "ru") == "менее 3"
    assert summary.suppressed_label(3, "ky") == "3төн аз"
    # non-respondents of the feedback form: p4 (Naryn) only -> suppressed
    nr = summary.non_respondents_by_oblast({"p1": "osh", "p2": "osh", "p3": "osh", "p4": "naryn"},
                                           _rows(store, "ws_budget.event_feedback"), 3)
    assert list(nr["group"]) == ["naryn"] and nr["suppressed"].tolist() == [True]
    assert nr["non_respondents"].isna().all()  # the count itself is removed, not just hidden


def test_open_texts_skip_blanks_and_contacts(store):
    spec = _spec(store, "ws_budget.event_feedback")
    rows = _rows(store, "ws_budget.event_feedback")
    texts = summary.open_texts(spec, rows, "comment", "[скрыто]")
    assert texts == [SCRIPT, "Больше практики, пишите мне: [скрыто]"]
    assert summary.open_texts(spec, rows, "phone") == []  # personal-data question
    assert summary.open_texts(spec, rows, "format") == ["В смешанном формате"]
    assert summary.open_texts(spec, rows, "topics") == ["Гендер"]
    assert summary.mask_contacts("звоните +996 (555) 12-34-56 или 0555123456", "#") == "звоните # или #"


# --- charts -------------------------------------------------------------------------


def _is_png(p: Path) -> bool:
    return p.exists() and p.read_bytes()[:8] == PNG_MAGIC and p.stat().st_size > 5000


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_form_charts_are_valid_pngs_without_missing_glyphs(store, tmp_path, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (e.g. ө ү ң) is a UserWarning in matplotlib
        fb = form_charts(_spec(store, "ws_budget.event_feedback"), _rows(store, "ws_budget.event_feedback"),
                         tmp_path, lang, svg=True)
        quiz = form_charts(_spec(store, "ws_budget.post_test"), _rows(store, "ws_budget.post_test"),
                           tmp_path, lang)
        quiz2 = form_charts(_spec(store, "ws_budget.post_test"), _rows(store, "ws_budget.post_test"),
                            tmp_path / "k2", lang, min_group_size=2)
    kinds = [(c.question_id, c.kind) for c in fb]
    assert kinds == [("useful+trainer", "likert"), ("format", "choice"), ("topics", "multiple_choice"),
                     ("rate", "grid"), ("", "oblast")]  # no chart for text questions
    # Naryn (2) is hidden, and Osh (3) with it (complementary suppression): no chart by oblast at 3
    assert [c.kind for c in quiz] == ["choice", "multiple_choice", "score"]
    assert [c.kind for c in quiz2] == ["choice", "multiple_choice", "score", "oblast"]
    for c in fb + quiz:
        assert _is_png(c.path), c.path
        assert c.path.name.endswith(f".{lang}.png")
    assert all(c.svg_path and c.svg_path.exists() for c in fb)
    # suppression: the hidden groups are named in the note, not plotted
    from automation.reporting.charts.bars import suppression_note
    note = suppression_note(summary.oblast_groups(_rows(store, "ws_budget.post_test"), 3), lang, 3)
    label = "менее 3" if lang == "ru" else "3төн аз"
    assert label in note and ("Нарынская" if lang == "ru" else "Нарын") in note


def test_oblast_chart_not_drawn_when_every_group_is_small(store, tmp_path):
    rows = _rows(store, "ws_budget.event_feedback")  # 3 in Osh
    groups = summary.oblast_groups(rows, 4)
    assert groups["suppressed"].all()
    assert oblast_chart(groups, tmp_path / "x.png", min_group_size=4) is None
    assert not (tmp_path / "x.png").exists()


def test_strings_exist_in_both_languages():
    from automation.reporting.report.overview_text import OVERVIEW

    assert set(chart_text.STRINGS["ru"]) == set(chart_text.STRINGS["ky"])
    assert set(UI["ru"]) == set(UI["ky"])
    assert set(OVERVIEW["ru"]) == set(OVERVIEW["ky"])
    # every figure of the first screen has its one-line explanation, every statistic its footnote
    for key in ("q1_explain", "q2_explain", "q3_explain_open", "weak_explain", "needs_explain", "gloss_gain",
                "gloss_ci", "gloss_disc", "gloss_rate", "gloss_rating", "gloss_top", "gloss_hidden"):
        assert OVERVIEW["ru"][key] and OVERVIEW["ky"][key] and OVERVIEW["ru"][key] != OVERVIEW["ky"][key]


# --- the report ---------------------------------------------------------------------


def _pages(tmp_path: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.html")))


def test_report_html(store, tmp_path):
    path = report.build_report(store, tmp_path, now=NOW, write_json=True)
    assert path == tmp_path / "report.html"
    html = path.read_text(encoding="utf-8")
    for title in ("Пост-тест по бюджету", "Оценка мероприятия", "Отчёт для ментора", "1. Какие мероприятия удались?",
                  "2. Какая область отстаёт?", "3. Сколько ещё не ответили?", "4. Что изменить в плане?"):
        assert title in html
    assert "20.09.2022 12:30" in html  # generated at, Asia/Bishkek
    # one click away: the details, the event's page and every form's page
    for page in ("report_details.html", "report_ws_budget.html", "form_ws_budget.post_test.html",
                 "form_ws_budget.post_test.pre.html", "form_ws_budget.event_feedback.html"):
        assert f'href="{page}"' in html and (tmp_path / page).exists(), page
    every = _pages(tmp_path)
    # the open text is escaped, never markup
    assert SCRIPT not in every and "&lt;script&gt;alert(" in every
    assert "<script" not in every
    # no contacts and no names of participants
    for p in PEOPLE:
        assert p.email not in every and p.phone not in every and p.name not in every
    assert not re.search(r"[\w.]+@[\w.]+\.\w+", every)
    # figures: feedback 3 of 4 invited answered (75%)
    fb = (tmp_path / "form_ws_budget.event_feedback.html").read_text(encoding="utf-8")
    assert "3 / 4" in fb and "75%" in fb
    post = (tmp_path / "form_ws_budget.post_test.html").read_text(encoding="utf-8")
    assert "50% → 60%" in post  # pre (1/2 + 0 + 2/2) / 3, post (1 + 1/2 + 1 + 1/2 + 0) / 5
    # suppressed groups shown as "менее 3"
    assert "менее 3" in post
    # every chart is linked by relative path and exists
    imgs = re.findall(r'<img src="([^"]+)"', every)
    assert all(_is_png(tmp_path / src) for src in imgs)
    assert all(src.startswith("charts/") for src in imgs)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    fb = next(f for f in data if f["form_key"] == "ws_budget.event_feedback")
    assert fb["form"] == "Оценка мероприятия" and fb["responses"] == 3
    q = next(x for x in fb["questions"] if x["title"] == "Темы следующих встреч")
    assert q == {"question_id": "topics", "title": "Темы следующих встреч", "kind": "multiple_choice",
                 "answered": 3, "counts": {"Законы": 1, "Бюджет": 3, "Конфликты": 0, "Другое": 1}}


def test_report_in_kyrgyz_for_one_event(store, tmp_path):
    path = report.build_report(store, tmp_path, lang="ky", event_id="ws_budget", now=NOW)
    assert path.name == "report_ws_budget.html"
    html = path.read_text(encoding="utf-8")
    for text in ("Ментор үчүн отчёт", "Бюджет боюнча пост-тест", "Иш-чара боюнча пикир", "3төн аз",
                 "Облустар боюнча", "1. Иш-чара ийгиликтүү болдубу?"):
        assert text in html, text
    every = _pages(tmp_path)
    assert "Ачык жооптор" in every  # on the feedback form's page
    assert "Какие мероприятия" not in every and "менее 3" not in every
    assert all(p.name.endswith(".ky.png") for p in (tmp_path / "charts").iterdir())


def test_report_errors(store, tmp_path):
    with pytest.raises(AutomationError, match="no forms of event 'nope'"):
        report.build_report(store, tmp_path, event_id="nope")
    with pytest.raises(AutomationError, match="unknown language"):
        report.build_report(store, tmp_path, lang="en")


def test_empty_store_report(tmp_path):
    path = report.build_report(Store(":memory:"), tmp_path, now=NOW, write_json=True)
    assert "Отчёт для ментора" in path.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "summary.json").read_text()) == []


def test_report_uses_plan_titles_and_puts_pre_test_first(store, tmp_path):
    from types import SimpleNamespace

    from automation.model import I18n
    plan = SimpleNamespace(club=SimpleNamespace(name=I18n(ky="Клуб (ky)", ru="Клуб АМУЦА")),
                           events=[SimpleNamespace(id="ws_budget",
                                                   title=I18n(ky="Бюджет семинары", ru="Семинар о бюджете"))])
    html = report.build_report(store, tmp_path, now=NOW, plan=plan).read_text(encoding="utf-8")
    assert "Клуб АМУЦА" in html and "Семинар о бюджете" in html
    listed = re.findall(r'<li><a href="form_([^"]+)\.html"', html.split('id="more"')[1])
    # the store orders by opening date, then key (all open together here); the pre-test moves before its post-test
    assert listed == ["ws_budget.event_feedback", "ws_budget.post_test.pre", "ws_budget.post_test"]


def test_single_scale_item_chart(store, tmp_path):
    spec = _spec(store, "ws_budget.event_feedback")
    q = spec.question("useful")
    c = summary.count_question(q, _rows(store, "ws_budget.event_feedback"), "ky")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = scale_chart(c, q.scale, tmp_path / "useful.png", "ky", svg=True)
    assert _is_png(p) and p.with_suffix(".svg").exists()


def test_pages_whose_data_did_not_change_are_not_written_again(store, tmp_path):
    # a second event with its own evaluation: two events make the season's trend
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    _responses(store, "ws_law.event_feedback", {p: {"useful": 4, "trainer": 5} for p in ("p1", "p2", "p3")})
    report.build_report(store, tmp_path, now=NOW)
    # no image files: the bars and the trend (an SVG, events named) are drawn by the pages
    assert not list((tmp_path / "charts").glob("*.png"))
    details = (tmp_path / "report_details.html").read_text(encoding="utf-8")
    trend = details[details.index("<svg"):details.index("</svg>")]
    assert "<polyline" in trend and "ws_law" in trend and "<script" not in trend
    pages = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*_*.html") if p.name != "report_details.html"}
    assert {"report_ws_budget.html", "report_ws_law.html", "form_ws_law.event_feedback.html"} <= set(pages)
    report.build_report(store, tmp_path, now=NOW)
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in pages} == pages
    # a page deleted by hand is written again
    (tmp_path / "form_ws_law.event_feedback.html").unlink()
    report.build_report(store, tmp_path, now=NOW)
    assert (tmp_path / "form_ws_law.event_feedback.html").exists()
    pages["form_ws_law.event_feedback.html"] = (tmp_path / "form_ws_law.event_feedback.html").stat().st_mtime_ns
    # new answers to the post-test rewrite its event's pages only, and the page of the next event
    # (ws_law compares itself with ws_budget in its "what changed")
    _responses(store, "ws_budget.post_test", {"x1": {"q1": "a"}})
    report.build_report(store, tmp_path, now=NOW)
    changed = {p for p in pages if (tmp_path / p).stat().st_mtime_ns != pages[p]}
    assert changed == {"report_ws_budget.html", "form_ws_budget.post_test.html", "form_ws_budget.post_test.pre.html",
                       "form_ws_budget.event_feedback.html", "report_ws_law.html"}
    # new evaluations change the trend
    _responses(store, "ws_law.event_feedback", {f"y{i}": {"useful": 1} for i in range(3)})
    report.build_report(store, tmp_path, now=NOW)
    again = (tmp_path / "report_details.html").read_text(encoding="utf-8")
    assert again[again.index("<svg"):again.index("</svg>")] != trend


def test_data_hash_changes_with_a_new_response(store):
    before = report.data_hash(store)
    assert report.data_hash(store) == before
    _responses(store, "ws_budget.event_feedback", {"p4": {"useful": 3}})
    assert report.data_hash(store) != before


# --- the season sections: gains, needs, feedback trend, response rates, changes ----------


def test_report_sections_with_suppressed_gain(store, tmp_path):
    report.build_report(store, tmp_path, now=NOW)
    html = (tmp_path / "report_details.html").read_text(encoding="utf-8")
    for heading in ("Пост-тесты: прирост знаний", "Оценка мероприятий", "Отклик на формы",
                    "Что изменилось с прошлого отчёта", "Это первый отчёт"):
        assert heading in html, heading
    post = html[html.index('id="posttests"'):html.index('id="feedback"')]
    # pre 1/2, 0/2, 2/2 and post 2/2, 1/2, 2/2, 1/2, 0/2: p1 g = 1, p2 g = .5, p3 perfect pre-test,
    # p4 and p5 post-test only -> 5 participants, 2 gains: fewer than 3, so the mean is not shown
    cells = re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)', post.split("</table>")[0])
    assert cells[:5] == ["5", "2", "1", "2", "0"]
    assert "менее 3" in post and "0,75" not in post
    # the response rate table: feedback 3 of 4 invited (75%)
    rates = html[html.index('id="rates"'):]
    assert "3 / 4" in rates and "75%" in rates


def test_what_changed_since_the_last_report(store, tmp_path):
    report.build_report(store, tmp_path, now=NOW)
    # three new evaluations (anonymous): 3 -> 6 responses, "useful" 5 4 2 -> 5 4 2 5 5 5: 3,7 -> 4,3
    _responses(store, "ws_budget.event_feedback", {f"x{i}": {"useful": 5} for i in range(3)})
    report.build_report(store, tmp_path, now=NOW)
    html = (tmp_path / "report_details.html").read_text(encoding="utf-8")
    changes = html[html.index('id="changes"'):html.index("Пре-тест → пост-тест")]
    assert "С отчёта от 20.09.2022 12:30" in changes
    assert "+3 отв. (было 3, стало 6)" in changes
    assert "Насколько было полезно?: 3,7 → 4,3" in changes
    assert (tmp_path / ".last-report.season.ru.json").exists()


def _snap(store, lang="ru"):
    from automation.analysis.frame import form_specs

    forms = store.forms.all()
    return snapshot(forms, answers_frame(store), form_specs(store), lang, NOW, 3, None)


def test_changes_hold_back_means_of_fewer_than_three_new_responses(store):
    before = _snap(store)
    assert diff_snapshots(None, before, "ru", 3)["first"]
    assert diff_snapshots(before, before, "ru", 3)["rows"] == []
    # one new answer: its value could be read off the changed mean, so no mean is compared
    _responses(store, "ws_budget.event_feedback", {"x9": {"useful": 1}})
    d = diff_snapshots(before, _snap(store), "ru", 3)
    assert [r["what"] for r in d["rows"]] == ["+1 отв. (было 3, стало 4)"] and d["rows"][0]["means"] == []
    assert d["held_back"]
    # kept: means of at least 3 answers, and the quiz's mean score share
    assert set(before["forms"]["ws_budget.event_feedback"]["means"]) == {"useful", "trainer"}
    assert before["forms"]["ws_budget.post_test"]["score"] == pytest.approx(0.6)


@pytest.mark.parametrize("lang", ["ky"])
def test_season_charts_without_missing_glyphs(store, tmp_path, lang):
    from automation.analysis import feedback, needs, posttest, rates
    from automation.analysis.frame import form_specs

    frame = answers_frame(store)
    specs = form_specs(store)
    fb = frame[frame["form_key"] == "ws_budget.event_feedback"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = posttest.gains(posttest.quiz_scores(frame, specs), specs)
        paths = [gain_chart(posttest.gain_table(g, "oblast", 2), {"osh": "Ош", "naryn": "Нарын"},
                            tmp_path / "gain.png", lang, "oblast", 2)]
        post = posttest.item_analysis(specs["ws_budget.post_test"], _rows(store, "ws_budget.post_test"), lang)
        pre = posttest.item_analysis(specs["ws_budget.post_test.pre"], _rows(store, "ws_budget.post_test.pre"), lang)
        paths.append(item_chart(post, tmp_path / "items.png", lang, pre))
        q = specs["ws_budget.event_feedback"].question("topics")
        paths.append(heatmap_chart(needs.group_demand(q, fb, "oblast", 3, lang), tmp_path / "heat.png", lang,
                                   "oblast", q.title.get(lang)))
        paths.append(change_chart(needs.demand_change(q, fb.iloc[:8], q, fb, lang), tmp_path / "change.png",
                                  lang, q.title.get(lang), 2021, 2022))
        spec = specs["ws_budget.event_feedback"]
        forms = [feedback.FeedbackForm(f"ev{i}", f"ev{i}", f"Иш-чара {i}", NOW + pd.Timedelta(days=14 * i), spec, fb)
                 for i in range(3)]
        paths.append(trend_chart(feedback.feedback_trend(forms, 3, lang), tmp_path / "trend.png", lang))
        inv = {"p1": "osh", "p2": "osh", "p3": "osh", "p4": "naryn"}
        curve = rates.response_curve(fb, inv, NOW - pd.Timedelta(days=1), NOW + pd.Timedelta(days=3))
        paths.append(response_curve_chart([("Иш-чараны баалоо", "event_feedback", curve)],
                                          tmp_path / "curve.png", lang))
    assert all(p is not None and _is_png(p) for p in paths), paths


def test_a_form_with_fewer_than_three_responses_shows_no_question_by_question_results(store, tmp_path):
    # a post-test with one respondent: her answers would be shown as 0% / 100%
    _insert_form(store, "ws_law.post_test", QUIZ, "ws_law")
    _responses(store, "ws_law.post_test", {"p1": {"q1": "b", "q2": ["loan"]}})
    report.build_report(store, tmp_path, now=NOW, write_json=True)
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    one = next(f for f in data if f["form_key"] == "ws_law.post_test")
    assert one["suppressed"] is True and one["responses"] == 1
    assert all(q["counts"] == {} and q["answered"] is None for q in one["questions"])
    assert not any(f["suppressed"] for f in data if f["form_key"] != "ws_law.post_test")
    assert not list((tmp_path / "charts").glob("ws_law.post_test.*"))
    part = (tmp_path / "form_ws_law.post_test.html").read_text(encoding="utf-8")
    assert "Результаты теста" not in part and "<img" not in part and "<table" not in part.split("Не ответили")[0]
    assert "менее 3 ответов" in part


def test_the_four_answers_by_hand(store):
    from automation.analysis import overview
    from automation.analysis.frame import form_specs

    forms = store.forms.all()
    data = overview.overview(store, forms, answers_frame(store), form_specs(store), None, "ru", 3)
    ev = data["events"][0]
    # ratings of ws_budget's evaluation: useful 5 4 2, trainer 4 4 5 -> 24 / 6 = 4.0; 4 or 5: 5 of 6
    assert (ev["event_id"], ev["rating"], ev["top_share"], ev["rank"]) == ("ws_budget", 4.0, round(5 / 6, 3), 1)
    assert ev["respondents"] == 5 and ev["gain"] is None and ev["gain_n"] == 2  # 2 gains < 3: not shown
    # the roster: Osh 3, Naryn 2 -> Naryn hidden, and Osh with it (the club's total would give Naryn away)
    rows = {r["group"]: r for r in data["oblasts"]["rows"]}
    assert rows["naryn"]["suppressed"] and rows["osh"]["suppressed"] and rows["osh"]["rate"] is None
    # not answered (no form open: the last event's forms): p4 and p5, both in Naryn -> one small oblast,
    # so neither its count nor the total of people is shown
    na = data["not_answered"]
    assert na["by_oblast"] == [{"group": "naryn", "count": None, "suppressed": True}] and na["people"] is None
    assert {f["form_key"]: f["not_answered"] for f in na["forms"]} == {
        "ws_budget.post_test.pre": 2, "ws_budget.post_test": 0, "ws_budget.event_feedback": 1}
    # weakest items of the post-test: q2 right for p1 p3 p4 (3 of 5), q1 for p1-p3 (3 of 5): both 60% -> none under 60%
    assert data["weakest_items"] == []
    assert overview.covered("Местный бюджет", ["Семинар: местный бюджет на 2023 год"])
    assert not overview.covered("Муниципальная собственность и земельные вопросы", ["Местный бюджет"])
