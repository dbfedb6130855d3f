"""Post-tests, needs assessments, event feedback and response rates against hand-computed values.

The store is filled directly (no plan, no jobs); every expected number below is
worked out in the comments from the fixture.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from automation.analysis import feedback, needs, posttest, rates, stats
from automation.analysis.frame import answers_frame, fill_groups_from_answers, form_specs
from automation.model import Participant
from automation.store import Store
from automation.forms.templates import parse_template

TI = lambda ky, ru: {"ky": ky, "ru": ru}  # noqa: E731


def opt(i, ky, ru=None):
    return {"id": i, "label": TI(ky, ru or ky)}


QUIZ = {
    "id": "quiz", "version": 1, "kind": "post_test", "quiz": True, "title": TI("Тест", "Тест"),
    "sections": [{"id": "s", "title": TI("С", "С"), "questions": [
        {"id": "stage", "kind": "single_choice", "title": TI("Качан?", "Когда?"), "graded": False,
         "options": [opt("before", "Чейин", "До"), opt("after", "Кийин", "После")]},
        {"id": "q1", "kind": "single_choice", "title": TI("Суроо 1", "Вопрос 1"),
         "options": [opt("a", "A"), opt("b", "B")], "correct": ["a"]},
        {"id": "q2", "kind": "multiple_choice", "title": TI("Суроо 2", "Вопрос 2"),
         "options": [opt("tax", "Салык", "Налоги"), opt("fee", "Жыйым", "Сборы"), opt("loan", "Насыя", "Кредиты")],
         "correct": ["tax", "fee"], "points": 2},
        {"id": "q3", "kind": "single_choice", "title": TI("Суроо 3", "Вопрос 3"),
         "options": [opt("a", "A"), opt("b", "B"), opt("c", "C")], "correct": ["c"]},
    ]}],
}  # max_score 1 + 2 + 1 = 4

NEEDS = {
    "id": "needs", "version": 1, "kind": "needs_assessment", "title": TI("Муктаждыктар", "Потребности"),
    "sections": [{"id": "s", "title": TI("С", "С"), "questions": [
        {"id": "topics", "kind": "multiple_choice", "other": True, "title": TI("Темалар", "Темы"),
         "options": [opt("law", "Мыйзам", "Законы"), opt("budget", "Бюджет"), opt("conflict", "Чыр-чатак",
                                                                                 "Конфликты")]},
        {"id": "conf", "kind": "scale", "title": TI("Ишеним", "Уверенность"), "scale": {"low": 1, "high": 5}},
    ]}],
}

FEEDBACK = {
    "id": "fb", "version": 1, "kind": "event_feedback", "title": TI("Баалоо", "Оценка"),
    "sections": [{"id": "s", "title": TI("С", "С"), "questions": [
        {"id": "useful", "kind": "scale", "title": TI("Пайдалуу", "Полезно"), "scale": {"low": 1, "high": 5}},
        {"id": "trainer", "kind": "scale", "title": TI("Тренер", "Тренер"), "scale": {"low": 1, "high": 5}},
        {"id": "comment", "kind": "long_text", "title": TI("Пикир", "Комментарий")},
    ]}],
}

PEOPLE = [Participant(f"p{i}", f"Name {i}", f"p{i}@example.org", "", ob, "", role, "ru")
          for i, ob, role in [(1, "osh", "deputy"), (2, "osh", "deputy"), (3, "osh", "activist"),
                              (4, "naryn", "deputy"), (5, "naryn", "candidate"), (6, "naryn", "deputy"),
                              (7, "osh", "deputy")]]
T0 = datetime(2022, 7, 14, 8, 0, tzinfo=timezone.utc)


def add_form(store, key, spec_data, event_id, opens, pre_test=False, audience="roster"):
    spec = parse_template(spec_data, spec_data["id"])
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, spec.id, 1, spec.kind, event_id, int(pre_test), audience, "local", key, "http://x/" + key,
         json.dumps(spec.to_json(), ensure_ascii=False), "closed", opens.strftime("%Y-%m-%dT%H:%M:%SZ"),
         (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"), opens.strftime("%Y-%m-%dT%H:%M:%SZ")))


def add_responses(store, key, answers, start, hours=None):
    rows = [{"response_id": f"{key}-{pid}-{i}", "participant_id": pid,
             "submitted_at": start + timedelta(hours=(hours[i] if hours else i + 1)), "answers": a}
            for i, (pid, a) in enumerate(answers)]
    store.responses.add(key, rows, "test")


@pytest.fixture
def store():
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    add_form(s, "ws.quiz.pre", QUIZ, "ws", T0 - timedelta(days=2), pre_test=True)
    add_form(s, "ws.quiz", QUIZ, "ws", T0)
    # pre-test scores (of 4): p1 1 (q1), p2 3 (q2 + q3), p3 4 (perfect), p4 empty, p6 2, p7 0
    add_responses(s, "ws.quiz.pre", [
        ("p1", {"stage": "before", "q1": "a", "q2": ["tax"], "q3": "a"}),
        ("p2", {"stage": "before", "q1": "b", "q2": ["tax", "fee"], "q3": "c"}),
        ("p3", {"stage": "before", "q1": "a", "q2": ["fee", "tax"], "q3": "c"}),
        ("p4", {"stage": "before", "q2": [], "q3": ""}),  # answered only the ungraded question: empty
        ("p6", {"q2": ["tax", "fee"]}),
        ("p7", {"q1": "b"}),
    ], T0 - timedelta(days=2))
    # post-test: p1 4, p2 3, p3 3, p4 2, p5 1, p7 2
    add_responses(s, "ws.quiz", [
        ("p1", {"q1": "a", "q2": ["tax", "fee"], "q3": "c"}),
        ("p2", {"q1": "a", "q2": ["tax", "fee"], "q3": "b"}),
        ("p3", {"q1": "b", "q2": ["tax", "fee"], "q3": "c"}),
        ("p4", {"q1": "a", "q2": ["fee"], "q3": "c"}),
        ("p5", {"q1": "a", "q3": "b"}),
        ("p7", {"q1": "b", "q2": ["tax", "fee"], "q3": "a"}),
    ], T0)
    return s


def frame_of(store, key=None):
    f = answers_frame(store)
    return f if key is None else f[f["form_key"] == key]


# --- statistics ---------------------------------------------------------------------


def test_wilson_interval_published_values():
    # Newcombe (1998), Stat. Med. 17:857, table II, method 3 (Wilson score)
    for (k, n), (lo, hi) in {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605),
                             (0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718)}.items():
        got = stats.wilson_interval(k, n)
        assert got == pytest.approx((lo, hi), abs=5e-5), (k, n)
    assert stats.wilson_interval(0, 20)[0] == 0.0 and stats.wilson_interval(20, 20)[1] == 1.0
    # by hand, 3 of 4: p = .75, z² = 3.8415: centre (.75 + .4802) / 1.9604 = .6275,
    # half 1.95996 / 1.9604 * sqrt(.046875 + .060018) = .3268
    assert stats.wilson_interval(3, 4) == pytest.approx((0.3006, 0.9544), abs=1e-4)
    assert all(math.isnan(x) for x in stats.wilson_interval(0, 0))
    # Newcombe (1998b), Stat. Med. 17:873: 56/70 − 48/80, method 10
    assert stats.newcombe_interval(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_t_quantiles_and_interval():
    for df, q in {1: 12.7062, 2: 4.3027, 4: 2.7764, 10: 2.2281, 30: 2.0423}.items():
        assert stats.t_quantile(0.975, df) == pytest.approx(q, abs=1e-4)
    assert stats.t_quantile(0.025, 5) == pytest.approx(-stats.t_quantile(0.975, 5))
    ci = stats.t_interval([1.0, 0.0, 0.5])  # mean .5, sd .5, se .5/√3, t(2) 4.3027
    assert ci["mean"] == pytest.approx(0.5) and ci["sd"] == pytest.approx(0.5)
    assert (ci["low"], ci["high"]) == pytest.approx((0.5 - 4.302653 * 0.5 / 3 ** 0.5, 0.5 + 4.302653 * 0.5 / 3 ** 0.5))
    one = stats.t_interval([0.7])
    assert one["mean"] == 0.7 and math.isnan(one["low"])
    assert stats.t_interval([])["n"] == 0
    assert math.isnan(stats.point_biserial([1, 1, 1], [1, 2, 3]))  # everyone right: undefined


# --- post-tests ---------------------------------------------------------------------


def test_scores_and_empty_response(store):
    specs = form_specs(store)
    s = posttest.quiz_scores(frame_of(store), specs).set_index(["form_key", "participant_id"])
    assert s.loc[("ws.quiz.pre", "p2"), "score"] == 3 and s.loc[("ws.quiz.pre", "p2"), "share"] == 0.75
    assert s.loc[("ws.quiz.pre", "p3"), "share"] == 1.0
    # p4's pre-test answered no graded question: counted, but no score
    p4 = s.loc[("ws.quiz.pre", "p4")]
    assert bool(p4["empty"]) and p4["answered"] == 0 and math.isnan(p4["score"])
    # p7 answered one question wrong: a real score of 0
    assert s.loc[("ws.quiz.pre", "p7"), "score"] == 0 and not s.loc[("ws.quiz.pre", "p7"), "empty"]
    assert s.loc[("ws.quiz", "p5"), "score"] == 1  # q2 unanswered counts as wrong
    assert len(s) == 12 and s["max_score"].eq(4).all()


def test_normalized_gain(store):
    g = posttest.gains(posttest.quiz_scores(frame_of(store), form_specs(store)), form_specs(store))
    g = g.set_index("participant_id")
    # p1: pre 1/4, post 4/4 -> (1 - .25) / (1 - .25) = 1
    assert g.loc["p1", "status"] == "paired" and g.loc["p1", "gain"] == pytest.approx(1.0)
    # p2: pre 3/4, post 3/4 -> 0
    assert g.loc["p2", "gain"] == pytest.approx(0.0)
    # p7: pre 0/4, post 2/4 -> .5
    assert g.loc["p7", "gain"] == pytest.approx(0.5)
    # p3: perfect pre-test -> undefined, counted as such
    assert g.loc["p3", "status"] == "perfect_pre" and math.isnan(g.loc["p3", "gain"])
    assert g.loc["p3", "post_share"] == 0.75
    # p4: empty pre-test = did not take it; p5: no pre-test -> post only, no gain
    assert g.loc["p4", "status"] == "post_only" and math.isnan(g.loc["p4", "gain"])
    assert g.loc["p5", "status"] == "post_only" and g.loc["p5", "post_share"] == 0.25
    # p6: pre-test only
    assert g.loc["p6", "status"] == "pre_only" and math.isnan(g.loc["p6", "post_share"])
    assert sorted(g.index) == ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]


def test_gain_table_with_interval_and_suppression(store):
    specs = form_specs(store)
    g = posttest.gains(posttest.quiz_scores(frame_of(store), specs), specs)
    ev = posttest.gain_table(g, "event_id").set_index("group").loc["ws"]
    assert (ev["participants"], ev["paired"], ev["perfect_pre"], ev["post_only"], ev["pre_only"]) == (7, 3, 1, 2, 1)
    # gains 1, 0, .5: mean .5, sd .5, t(.975, 2) = 4.302653
    half = 4.302653 * 0.5 / math.sqrt(3)
    assert ev["mean_gain"] == pytest.approx(0.5)
    assert (ev["ci_low"], ev["ci_high"]) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-6)
    ob = posttest.gain_table(g, "oblast", min_group_size=3).set_index("group")
    # Osh: p1, p2, p3, p7 (3 gains); Naryn: p4, p5 (post only), p6 (pre only) -> 3 people, 0 gains
    assert ob.loc["osh", "paired"] == 3 and ob.loc["osh", "mean_gain"] == pytest.approx(0.5)
    assert not ob.loc["naryn", "suppressed"] and ob.loc["naryn", "participants"] == 3
    assert ob.loc["naryn", "mean_suppressed"] and math.isnan(ob.loc["naryn", "mean_gain"])
    ob4 = posttest.gain_table(g, "oblast", min_group_size=4).set_index("group")
    assert ob4.loc["naryn", "suppressed"] and pd.isna(ob4.loc["naryn", "participants"])
    assert pd.isna(ob4.loc["naryn", "post_only"])  # removed, not just flagged
    # complementary suppression: Osh alone would give Naryn away through the overall row
    assert ob4.loc["osh", "suppressed"] and ob4.loc["osh", "mean_suppressed"] and pd.isna(ob4.loc["osh", "paired"])
    assert list(posttest.gain_table(g.iloc[:0]).columns) == posttest.GAIN_TABLE_COLUMNS


def test_item_difficulty_and_discrimination(store):
    spec = form_specs(store)["ws.quiz"]
    items = posttest.item_analysis(spec, frame_of(store, "ws.quiz")).set_index("question_id")
    assert list(items.index) == ["q1", "q2", "q3"]  # the ungraded question is not an item
    # correct of 6: q1 p1 p2 p4 p5; q2 p1 p2 p3 p7; q3 p1 p3 p4
    assert items["correct"].tolist() == [4, 4, 3] and items["responses"].eq(6).all()
    assert items.loc["q1", "difficulty"] == pytest.approx(4 / 6) and items.loc["q3", "difficulty"] == 0.5
    assert (items.loc["q3", "difficulty_low"], items.loc["q3", "difficulty_high"]) == stats.wilson_interval(3, 6)
    assert items.loc["q2", "answered"] == 5  # p5 left q2 empty: counted wrong
    # q1 item (p1 p2 p3 p4 p5 p7) = 1 1 0 1 1 0; rest score (q2 + q3) = 3 2 3 1 0 2:
    # sxy = -4/3, sxx = 4/3, syy = 41/6  ->  r = -4 / sqrt(82)
    assert items.loc["q1", "discrimination"] == pytest.approx(-4 / math.sqrt(82))
    assert "negative_discrimination" in items.loc["q1", "flags"]
    # q3: item 1 0 1 1 0 0 against rest 3 3 2 1 1 2 -> r = 0
    assert items.loc["q3", "discrimination"] == pytest.approx(0.0, abs=1e-12)
    assert "low_discrimination" in items.loc["q3", "flags"]


# --- needs assessments --------------------------------------------------------------


@pytest.fixture
def needs_store():
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    add_form(s, "needs_2021", NEEDS, "needs_2021", datetime(2021, 5, 14, 3, tzinfo=timezone.utc))
    add_form(s, "needs_2022", NEEDS, "needs_2022", datetime(2022, 5, 14, 3, tzinfo=timezone.utc))
    add_responses(s, "needs_2021", [("p1", {"topics": ["law"]}), ("p2", {"topics": ["law"]}),
                                    ("p3", {"topics": ["budget"]}), ("p4", {"topics": ["law"]})],
                  datetime(2021, 5, 14, 3, tzinfo=timezone.utc))
    # 2022: five answered (p6 sent the form empty): law 2, budget 3, conflict 1, other 1 of 5
    add_responses(s, "needs_2022", [
        ("p1", {"topics": ["law", "budget"], "conf": 5}), ("p2", {"topics": ["budget"], "conf": 4}),
        ("p3", {"topics": ["budget", "Гендер"], "conf": 2}), ("p4", {"topics": ["law"], "conf": 4}),
        ("p5", {"topics": ["conflict"], "conf": 3}), ("p6", {"topics": []})],
        datetime(2022, 5, 14, 3, tzinfo=timezone.utc))
    return s


def test_topic_demand_with_wilson_intervals(needs_store):
    spec = form_specs(needs_store)["needs_2022"]
    d = needs.choice_demand(spec.question("topics"), frame_of(needs_store, "needs_2022")).set_index("option_id")
    assert d["answered"].eq(5).all()  # the empty response is not a respondent of the question
    assert d["count"].to_dict() == {"law": 2, "budget": 3, "conflict": 1, needs.OTHER_ID: 1}
    assert d.loc["budget", "share"] == 0.6 and d.loc[needs.OTHER_ID, "label"] == "Другое"
    assert (d.loc["budget", "ci_low"], d.loc["budget", "ci_high"]) == stats.wilson_interval(3, 5)
    ordered = needs.choice_demand(spec.question("topics"), frame_of(needs_store, "needs_2022"), sort=True)
    assert ordered["option_id"].tolist() == ["budget", "law", "conflict", needs.OTHER_ID]


def test_group_demand_suppression_two_against_three(needs_store):
    q = form_specs(needs_store)["needs_2022"].question("topics")
    rows = frame_of(needs_store, "needs_2022")
    g = needs.group_demand(q, rows, "oblast", 3)
    osh = g[g["group"] == "osh"].set_index("option_id")  # p1 p2 p3: 3 answered
    # Osh (3) is hidden with Naryn (2 < 3): the overall demand minus Osh would be Naryn's
    assert osh["suppressed"].all() and osh["count"].isna().all()
    naryn = g[g["group"] == "naryn"]  # p4 p5 answered (p6 empty): 2 < 3
    assert naryn["suppressed"].all() and naryn["count"].isna().all() and naryn["share"].isna().all()
    g2 = needs.group_demand(q, rows, "oblast", 2)
    n2 = g2[g2["group"] == "naryn"].set_index("option_id")
    assert not n2["suppressed"].any() and n2.loc["law", "share"] == 0.5 and n2.loc["law", "answered"] == 2
    roles = needs.group_demand(q, rows, "role", 3)
    # activist p3 and candidate p5 (1 each) hidden; two hidden cells of 1 each would still say "1 each"
    # against the total, so deputies p1 p2 p4 (3) are hidden too
    assert roles["suppressed"].all()
    means = needs.scale_by_group(form_specs(needs_store)["needs_2022"], rows, "oblast", 3).set_index("group")
    assert means.loc["naryn", "suppressed"].all() and means.loc["osh", "suppressed"].all()
    means2 = needs.scale_by_group(form_specs(needs_store)["needs_2022"], rows, "oblast", 2).set_index("group")
    assert means2.loc["osh", "mean"] == pytest.approx((5 + 4 + 2) / 3)


def test_groups_from_the_form_itself_for_anonymous_responses():
    f = pd.DataFrame({"form_key": ["f"] * 4, "response_id": ["r1", "r1", "r2", "r2"],
                      "question_id": ["oblast", "topics", "oblast", "topics"],
                      "value": ["jalal_abad", ["law"], "osh", ["law"]],
                      "oblast": pd.array(["", "", "naryn", "naryn"], dtype="string"),
                      "role": pd.array([""] * 4, dtype="string")})
    out = fill_groups_from_answers(f)
    assert out["oblast"].tolist() == ["jalal-abad", "jalal-abad", "naryn", "naryn"]  # the roster wins


def test_change_from_previous_year(needs_store):
    forms = needs_store.forms.all()
    assert needs.previous_assessment(forms, "needs_2022").form_key == "needs_2021"
    assert needs.previous_assessment(forms, "needs_2021") is None
    specs = form_specs(needs_store)
    q = specs["needs_2022"].question("topics")
    ch = needs.demand_change(q, frame_of(needs_store, "needs_2021"), q, frame_of(needs_store, "needs_2022"))
    ch = ch.set_index("option_id")
    # law: 3/4 in 2021, 2/5 in 2022 -> -.35; budget 1/4 -> 3/5: +.35
    assert ch.loc["law", "prev_share"] == 0.75 and ch.loc["law", "share"] == 0.4
    assert ch.loc["law", "diff"] == pytest.approx(-0.35) and ch.loc["budget", "diff"] == pytest.approx(0.35)
    assert (ch.loc["law", "diff_low"], ch.loc["law", "diff_high"]) == pytest.approx(
        stats.newcombe_interval(2, 5, 3, 4))
    assert ch.loc["conflict", "prev_count"] == 0


# --- event feedback -----------------------------------------------------------------


def test_likert_summary_and_trend():
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    add_form(s, "ev1.fb", FEEDBACK, "ev1", T0)
    add_form(s, "ev2.fb", FEEDBACK, "ev2", T0 + timedelta(days=30))
    add_responses(s, "ev1.fb", [("p1", {"useful": 5, "trainer": 4}), ("p2", {"useful": 4, "trainer": 4}),
                                ("p3", {"useful": 3, "comment": "ok"})], T0)
    add_responses(s, "ev2.fb", [("p1", {"useful": 5}), ("p2", {"useful": 5})], T0 + timedelta(days=30))
    specs = form_specs(s)
    f = answers_frame(s)
    li = feedback.likert_items(specs["ev1.fb"], f[f["form_key"] == "ev1.fb"]).set_index("question_id")
    # useful 5 4 3: mean 4, sd 1, t(2) 4.302653 -> 4 ± 2.4841; top-2 box (4-5) 2 of 3
    assert li.loc["useful", "mean"] == 4 and li.loc["useful", "sd"] == 1
    assert li.loc["useful", "ci_high"] == pytest.approx(4 + 4.302653 / math.sqrt(3), abs=1e-5)
    assert li.loc["useful", "top_share"] == pytest.approx(2 / 3)
    assert li.loc["trainer", "n"] == 2 and li.loc["trainer", "ci_low"] == 4  # no spread: the mean itself
    forms = [feedback.FeedbackForm(k, k.split(".")[0], k, T0 + timedelta(days=30 * i), specs[k],
                                   f[f["form_key"] == k]) for i, k in enumerate(["ev1.fb", "ev2.fb"])]
    tr = feedback.feedback_trend(forms, min_group_size=3)
    assert tr["form_key"].tolist() == ["ev1.fb", "ev1.fb", "ev2.fb"]  # ev2: nobody rated the trainer
    assert tr.iloc[0]["mean"] == 4 and not tr.iloc[0]["suppressed"]
    assert tr.iloc[2]["suppressed"] and math.isnan(tr.iloc[2]["mean"])  # 2 responses < 3
    tr2 = feedback.feedback_trend(forms, min_group_size=2)
    assert tr2.iloc[2]["mean"] == 5 and tr2.iloc[2]["n"] == 2


# --- response rates -----------------------------------------------------------------


def test_response_curve_and_non_respondents(store):
    row = store.forms.get("ws.quiz")
    invited = rates.invited_oblasts(store, row)  # no links: the active roster, 7 people
    assert len(invited) == 7
    rows = frame_of(store, "ws.quiz")  # answers at +1 h .. +6 h: all within day 1
    start = rates.invitation_time(store, row)
    assert start == T0
    c = rates.response_curve(rows, invited, start, T0 + timedelta(days=2))
    assert c["day"].tolist() == [0, 1, 2] and c["responded"].tolist() == [0, 6, 6]
    assert c["rate"].iloc[-1] == pytest.approx(6 / 7)
    by = rates.response_curve(rows, invited, start, T0 + timedelta(days=1), by_oblast=True, min_group_size=4)
    # Naryn p4 p5 p6 (3 < 4) suppressed, and Osh with it (the total curve would give Naryn away)
    assert by.loc[by["group"] == "osh", "suppressed"].all()
    by3 = rates.response_curve(rows, invited, start, T0 + timedelta(days=1), by_oblast=True, min_group_size=3)
    assert by3.loc[by3["group"] == "osh", "responded"].tolist() == [0, 4]
    nar = by[by["group"] == "naryn"]
    assert len(nar) == 1 and nar["suppressed"].all() and nar["responded"].isna().all()
    assert rates.non_respondents(invited, rows) == ["p6"]
    assert rates.pending_participants(store, "ws.quiz") == ["p6"]
    store.roster.set_active("p6@example.org", False)
    assert rates.pending_participants(store, "ws.quiz") == []
    r = rates.rate_by_oblast(invited, rows, 3).set_index("group")
    assert r.loc["osh", "rate"] == 1.0 and r.loc["naryn", "responded"] == 2 and r.loc["naryn", "invited"] == 3
    r4 = rates.rate_by_oblast(invited, rows, 4).set_index("group")
    assert r4.loc["naryn", "suppressed"] and pd.isna(r4.loc["naryn", "rate"])


def test_public_form_curve_counts_responses_only(store):
    rows = frame_of(store, "ws.quiz")
    c = rates.response_curve(rows, None, T0, T0 + timedelta(days=1))
    assert c["responded"].tolist() == [0, 6] and c["rate"].isna().all() and c["invited"].isna().all()
