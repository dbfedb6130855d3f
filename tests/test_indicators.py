"""Donor indicators (automation/analysis/indicators.py) and the draft plan from the needs assessment
(automation/plan/draft.py), on hand-made stores; expected numbers are computed in the comments."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml

import automation.analysis.indicators as indicators
import automation.reporting.indicators as indicator_files
import automation.plan.draft as plan_draft
import automation.programmes.school.selection as selection
from automation.errors import ValidationError
from automation.model import Participant
from automation.plan.load import load_plan, parse_plan
from automation.programmes.school.codes import assign_codes
from automation.programmes.school.scores import ScoreRow
from automation.programmes.school.scoring import score_applications
from automation.store import Store
from automation.forms.templates import get_template

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2022, 9, 1, 8, 0, tzinfo=timezone.utc)

PEOPLE = [
    Participant("p1", "Айгүл", "p1@example.org", oblast="osh", role="deputy", sex="f"),
    Participant("p2", "Бермет", "p2@example.org", oblast="osh", role="deputy", sex="f"),
    Participant("p3", "Чолпон", "p3@example.org", oblast="osh", role="deputy", sex="f"),
    Participant("p4", "Азамат", "p4@example.org", oblast="naryn", role="municipal_servant", sex="m"),
    Participant("p5", "Динара", "p5@example.org", oblast="naryn", role="activist", sex="f"),
]


def _form(store: Store, key: str, template: str, event: str, opens: str = "2022-09-01T08:00:00Z") -> None:
    spec = get_template(template)
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,0,'roster','local',?,?,?,"
        "'closed',?,?,?)",
        (key, spec.id, spec.version, spec.kind, event, key, f"http://x/f/{key}",
         json.dumps(spec.to_json(), ensure_ascii=False), opens, opens, opens))


def _answer(store: Store, key: str, answers: dict[str | None, dict]) -> None:
    store.responses.add(key, [{"response_id": f"{key}-{i}", "participant_id": pid, "respondent_email": None,
                               "submitted_at": T0, "answers": a} for i, (pid, a) in enumerate(answers.items())], "t")


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    # e1: p1, p2, p4 (a man) answered the feedback; p1 also the vote → 3 people, 2 women
    _form(s, "e1.event_feedback", "event_feedback", "e1")
    _form(s, "e1.best_practice_vote", "best_practice_vote", "e1")
    _answer(s, "e1.event_feedback", {"p1": {}, "p2": {}, "p4": {}})
    _answer(s, "e1.best_practice_vote", {"p1": {}})
    # e2 (2023): p3, p5 and an anonymous response → 2 people, both women
    _form(s, "e2.event_feedback", "event_feedback", "e2", "2023-02-01T08:00:00Z")
    _answer(s, "e2.event_feedback", {"p3": {}, "p5": {}, None: {}})
    # a needs assessment is not an event
    _form(s, "needs", "needs_assessment", "needs")
    _answer(s, "needs", {"p4": {}})
    return s


def test_participants_by_oblast_and_role(store: Store) -> None:
    long = indicators.participants_by_oblast_role(store)
    assert long.values.tolist() == [["naryn", "activist", 1], ["naryn", "municipal_servant", 1],
                                    ["osh", "deputy", 3]]
    shown = indicators.oblast_role_table(long)
    assert shown.loc["Нарынская", "активистка"] == "менее 3"  # small-cell suppression
    assert shown.loc["Всего", "Всего"] == "5"
    # complementary suppression: with Naryn's two cells of 1 hidden, the deputies' 3 would give
    # them back through the total of 5 — so it is hidden too
    assert shown.loc["Ошская", "депутат местного кенеша"] == "менее 3"
    assert indicators.oblast_role_table(long, suppress=False).loc["Нарынская", "активистка"] == "1"


def test_exactly_one_small_oblast_cannot_be_worked_out_from_the_total(tmp_path: Path) -> None:
    # the case: Чуйская 7, Нарынская 2, Всего 9 must not reveal Naryn's 2
    s = Store(":memory:")
    s.roster.upsert([Participant(f"c{i}", "x", f"c{i}@example.org", oblast="chui", role="deputy", sex="f")
                     for i in range(7)] +
                    [Participant(f"n{i}", "x", f"n{i}@example.org", oblast="naryn", role="deputy", sex="f")
                     for i in range(2)], "test")
    shown = indicators.oblast_role_table(indicators.participants_by_oblast_role(s))
    col = shown["депутат местного кенеша"]
    assert col["Нарынская"] == "менее 3"
    assert not (col["Чуйская"] != "менее 3" and col["Всего"] != "менее 3"), shown  # 9 − 7 would be Naryn
    data = indicators.indicators_json(s)
    cells = {r["oblast"]: r["n"] for r in data["participants_by_oblast_role"]}
    assert cells == {"chui": None, "naryn": None}
    paths = indicator_files.write_indicators(s, tmp_path)
    from openpyxl import load_workbook

    ws = load_workbook(paths[1])["Облус-роль"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row]
    assert "2" not in flat and 2 not in flat, values
    assert "7" not in flat or "9" not in flat, values


def test_share_of_women_among_participants_of_events(store: Store) -> None:
    ws = indicators.women_share(store)
    ev = ws[ws["scope"] == "event"].set_index("event_id")
    assert ev.loc["e1", ["participants", "women", "men"]].tolist() == [3, 2, 1]
    assert ev.loc["e1", "share_women"] == pytest.approx(2 / 3)
    assert ev.loc["e2", "share_women"] == 1.0
    years = ws[ws["scope"] == "year"].set_index("year")
    assert years.loc[2022, "share_women"] == pytest.approx(2 / 3) and years.loc[2023, "participants"] == 2
    overall = ws[ws["scope"] == "all"].iloc[0]
    assert (overall["participants"], overall["women"]) == (5, 4)  # the needs assessment does not count
    # shown (JSON, workbook): e1's one man is a small cell, and the women (2 = 3 − 1) and the share go with him
    e1 = next(r for r in indicators.indicators_json(store)["women_share"] if r["event_id"] == "e1")
    assert (e1["participants"], e1["women"], e1["men"], e1["share_women"]) == (3, None, None, None)


def _school(store: Store) -> None:
    spec = get_template("school_application")
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES ('apps',?,?,?,'apps',0,'public',"
        "'local','a','http://x',?,'closed','2020-11-09T03:00:00Z','2020-12-11T11:00:00Z','2020-11-09T03:00:00Z')",
        (spec.id, spec.version, spec.kind, json.dumps(spec.to_json(), ensure_ascii=False)))
    store.responses.add("apps", [{"response_id": f"r{i}", "participant_id": None, "respondent_email": None,
                                  "submitted_at": datetime(2020, 11, 10 + i, tzinfo=timezone.utc),
                                  "answers": {"full_name": f"Applicant {i}", "birth_date": "1990-01-01",
                                              "email": f"a{i}@example.org"}} for i in range(1, 6)], "t")


def test_school_funnel_with_outcomes(store: Store, tmp_path: Path) -> None:
    _school(store)
    f = indicators.funnel(store)
    assert f["n"].tolist()[:1] == [5] and f["n"].isna().tolist() == [False, True, True, True, True]
    apps = assign_codes(store)
    # A-001..A-004 score 5, 4, 3, 2 (selected: the top 4 with older=4); A-005 scores 1 (reserve)
    rows = [ScoreRow(a.code, m, k, s) for a, s in zip(apps, (5, 4, 3, 2, 1)) for m in "XYZ" for k in range(1, 8)]
    sel = selection.select(score_applications(rows).ranking, apps, selection.Targets(older=4, reserve=1))
    selection.finalize(store, sel, "d")
    assert selection.accept(store).added == 4
    csv_path = tmp_path / "results.csv"
    csv_path.write_text("email,graduated,elected,election\n"
                        "a1@example.org,yes,ооба,2021-04-11\n"
                        "a2@example.org,да,нет,2021-04-11\n"
                        "A-003,1,0,\n"  # a code instead of an e-mail
                        "a4@example.org,no,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,graduated,elected\nA-003,yes,maybe\nA-005,yes,no\nA-042,yes,no\nA-001,yes,yes\n"
                   "A-001,no,no\n", encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        indicators.import_outcomes(store, bad)
    assert e.value.problems == [
        "line 2: elected 'maybe': write yes or no (or leave empty)",
        "line 3: a5@example.org is not in the roster (a School applicant joins it with `school accept`)",
        "line 4: code A-042 is not a School application with an e-mail",
        "line 6: a1@example.org is already on line 5"]
    assert store.db.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 0  # nothing stored
    assert indicators.import_outcomes(store, csv_path) == 4
    csv_path.write_text("email,code,graduated,elected\n,,yes,no\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="line 2: email \\(or code\\) is empty"):
        indicators.import_outcomes(store, csv_path)
    f = indicators.funnel(store).set_index("stage")
    # applicants 5 → selected 4 → roster 4 → graduates 3 (a1, a2, A-003) → elected 1 (a1): 1/3 ≥ 20%
    assert f["n"].tolist() == [5, 4, 4, 3, 1]
    assert f.loc["elected", "share_of_previous"] == pytest.approx(1 / 3)
    assert f.loc["elected", "target"] == 0.2
    out = indicator_files.write_indicators(store, tmp_path / "ind")
    data = json.loads(out[0].read_text(encoding="utf-8"))
    assert [r["n"] for r in data["school_funnel"]] == [5, 4, 4, 3, 1]
    assert data["outcomes_all"] == {"graduated": 3, "elected": 1}


# --- the draft plan from the needs assessment ---------------------------------------------------------

NEEDS = {
    "p1": {"topics": ["topic_budget", "topic_law"], "soft_topics": ["soft_conflict"], "tea_weekday": "wed",
           "tea_hour": "h17", "topic_priority": {"law": "p5", "budget": "p5", "conflict": "p3", "partnership": "p1"}},
    "p2": {"topics": ["topic_budget"], "soft_topics": ["soft_conflict", "soft_media"], "tea_weekday": "wed",
           "tea_hour": "h18", "topic_priority": {"law": "p3", "budget": "p4", "conflict": "p5", "partnership": "p1"}},
    "p3": {"topics": ["topic_budget", "topic_investment"], "soft_topics": ["soft_media"], "tea_weekday": "thu",
           "tea_hour": "h17", "topic_priority": {"law": "p1", "budget": "p3", "conflict": "p4", "partnership": "p2"}},
    "p5": {"topics": ["topic_law"], "soft_topics": ["soft_conflict"], "tea_weekday": "wed", "tea_hour": "h17",
           "topic_priority": {"law": "p3", "budget": "p4", "conflict": "p3", "partnership": "p2"}},
}


def test_topic_ranking_by_hand(store: Store) -> None:
    store.db.execute("DELETE FROM responses WHERE form_key = 'needs'")
    _answer(store, "needs", NEEDS)
    r = plan_draft.topic_ranking(store)
    t = r.table.set_index("topic_id")
    # budget: chosen 3/4 = .75; priority (5+4+3+4)/4 = 4 → (4−1)/4 = .75; score .75
    assert t.loc["topic_budget", ["share", "priority_mean", "score"]].tolist() == [0.75, 4.0, 0.75]
    # conflict: 3/4 = .75; (3+5+4+3)/4 = 3.75 → .6875; score .71875
    assert t.loc["soft_conflict", "score"] == pytest.approx(0.71875)
    # partnership is a grid row only: (1+1+2+2)/4 = 1.5 → .125
    assert t.loc["partnership", "score"] == pytest.approx(0.125) and t.loc["partnership", "direction"] == "other"
    # law .5/.5 and media .5 (no grid row) tie at .5: share, then id → soft_media before topic_law
    assert r.table["topic_id"].tolist()[:6] == ["topic_budget", "soft_conflict", "soft_media", "topic_law",
                                                "topic_investment", "partnership"]
    assert r.tea_weekday == {"wed": 3, "thu": 1} and r.tea_hour == {"h17": 3, "h18": 1}


def test_draft_plan_loads_and_uses_the_vote(store: Store, tmp_path: Path) -> None:
    store.db.execute("DELETE FROM responses WHERE form_key = 'needs'")
    _answer(store, "needs", NEEDS)
    plan = load_plan(ROOT / "examples" / "club2022" / "plan.yaml")
    path, _ = plan_draft.write_plan_draft(store, plan, tmp_path / "draft.yaml", date(2022, 12, 1))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT plan for 2023 Q1") and "TODO mentor" in text
    p = parse_plan(yaml.safe_load(text), str(path), tmp_path, {x.stem for x in (ROOT / "forms_templates").glob("*.yaml")})
    tt = p.tea_talk
    assert (tt.weekday, tt.at.strftime("%H:%M")) == (2, "17:00")  # Wednesday 17:00, the most voted
    assert (tt.start_date, tt.until) == (date(2023, 1, 1), date(2023, 3, 31))
    assert date(2023, 3, 8) in tt.skip  # Women's Day is a Wednesday in 2023
    assert tt.topics[date(2023, 1, 4)].ru == "Местный бюджет"
    assert tt.topics[date(2023, 1, 11)].ky == "Чыр-чатактарды башкаруу"
    assert [e.id for e in p.events] == ["ws_2023q1_topic_budget", "ws_2023q1_soft_conflict", "ws_2023q1_soft_media"]
    assert [e.start.date().isoformat() for e in p.events] == ["2023-01-12", "2023-02-09", "2023-03-09"]  # 2nd Thu
    assert p.club == plan.club
    assert plan_draft.parse_quarter("2023-q4") == (2023, 4) and plan_draft.next_quarter(date(2022, 11, 5)) == (2023, 1)
