"""Stars from the best-practice votes (automation/analysis/stars.py), on a hand-made store.

Three events; presenters are the options (option id = participant id):

- e1 (p1, p2): p3→p1, p4→p2, p1→p1 (her own: rejected) → tie 1–1: p1 and p2 win;
- e2 (p1, p3): p2→p3, p4→p3, p3→p3 (rejected), p5→p1 then later p5→p3 (only the
  latest counts) → p3 wins 3–0;
- e3 (p2, p3): p1→p2, p4→p2, p5→p3, and an anonymous response → p2 wins 2–1.

share: p2 2 stars (e1, e3), p1 1, p3 1.  split: p2 ½ + 1 = 1.5, p3 1, p1 ½.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import automation.analysis.stars as stars
import automation.reporting.charts.stars as stars_chart
import automation.reporting.stars as stars_files
from automation.model import I18n, Option, Participant
from automation.analysis.stars import StarRules, leaderboard
from automation.reporting.charts.stars import votes_word
from automation.store import Store
from automation.forms.templates import get_template

PNG = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2022, 9, 1, 8, 0, tzinfo=timezone.utc)
PEOPLE = [Participant(f"p{i}", n, f"p{i}@example.org", oblast="osh", sex="f")
          for i, n in enumerate(["Айгүл", "Бермет", "Чолпон", "Динара", "Элмира"], start=1)]


def _vote_form(store: Store, event: str, presenters: list[str]) -> str:
    spec = get_template("best_practice_vote").with_options(
        "presenters", [Option(p, I18n(p, p)) for p in presenters])
    key = f"{event}.best_practice_vote"
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,0,'roster','local',?,?,?,"
        "'closed',?,?,?)",
        (key, spec.id, spec.version, spec.kind, event, key, f"http://x/f/{key}",
         json.dumps(spec.to_json(), ensure_ascii=False), "2022-09-01T08:00:00Z", "2022-09-08T12:00:00Z",
         "2022-09-01T08:00:00Z"))
    return key


def _votes(store: Store, key: str, votes: list[tuple[str | None, str]]) -> None:
    store.responses.add(key, [{"response_id": f"{key}-{i}", "participant_id": voter,
                               "respondent_email": f"{voter}@example.org" if voter else None,
                               "submitted_at": T0 + timedelta(minutes=i), "answers": {"best_practice": choice}}
                              for i, (voter, choice) in enumerate(votes)], "test")


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    _votes(s, _vote_form(s, "e1", ["p1", "p2"]), [("p3", "p1"), ("p4", "p2"), ("p1", "p1")])
    _votes(s, _vote_form(s, "e2", ["p1", "p3"]), [("p2", "p3"), ("p5", "p1"), ("p4", "p3"), ("p3", "p3"),
                                                  ("p5", "p3")])
    _votes(s, _vote_form(s, "e3", ["p2", "p3"]), [("p1", "p2"), ("p4", "p2"), ("p5", "p3"), (None, "p3")])
    return s


def test_votes_self_vote_rejected_latest_counts(store: Store) -> None:
    v = stars.votes_frame(store)
    status = {(r.event_id, r.voter, r.choice): r.status for r in v.itertuples()}
    assert status[("e1", "p1", "p1")] == "self_vote"
    assert status[("e2", "p3", "p3")] == "self_vote"
    assert status[("e2", "p5", "p1")] == "superseded" and status[("e2", "p5", "p3")] == "valid"
    assert v[v["voter"].isna()]["status"].tolist() == ["anonymous"]
    ev = stars.event_results(v).set_index("event_id")
    assert ev.loc["e1", "winners"] == ["p1", "p2"] and ev.loc["e1", "winner_votes"] == 1  # tie after the rejection
    assert ev.loc["e2", "winners"] == ["p3"] and ev.loc["e2", "winner_votes"] == 3
    assert ev["self_votes"].tolist() == [1, 1, 0] and ev["superseded"].tolist() == [0, 1, 0]
    assert ev["rejected_other"].tolist() == [0, 0, 1]


def test_ties_share_each_winner_gets_a_star(store: Store) -> None:
    st = leaderboard(store, StarRules(top_n=1))
    b = st.board.set_index("participant_id")
    assert b["stars"].to_dict() == {"p2": 2.0, "p3": 1.0, "p1": 1.0}
    assert b["wins"].to_dict() == {"p2": 2, "p3": 1, "p1": 1}
    assert b["votes"].to_dict() == {"p2": 3, "p3": 4, "p1": 1}
    assert st.board["participant_id"].tolist() == ["p2", "p3", "p1"]  # stars, then votes received
    assert st.board["rank"].tolist() == [1, 2, 2]
    assert st.speakers["participant_id"].tolist() == ["p2"]
    assert st.prize["name"].tolist() == ["Бермет"]
    assert st.notes == ["2 vote(s) for oneself rejected"]


def test_ties_split_and_speakers_tied_at_the_cut(store: Store) -> None:
    st = leaderboard(store, StarRules(ties="split", top_n=2))
    assert st.board.set_index("participant_id")["stars"].to_dict() == {"p2": 1.5, "p3": 1.0, "p1": 0.5}
    assert st.speakers["participant_id"].tolist() == ["p2", "p3"]
    st2 = leaderboard(store, StarRules(top_n=2))  # share: p3 and p1 tie for the 2nd place → both proposed
    assert st2.speakers["participant_id"].tolist() == ["p2", "p3", "p1"]
    assert st2.notes[0] == "3 speakers proposed for 2 places: the last places are tied on stars"
    with pytest.raises(ValueError):
        StarRules(ties="coin")


def test_chart_and_workbook(store: Store, tmp_path: Path) -> None:
    files = stars_files.write_stars(store, tmp_path, StarRules(top_n=1), lang="ky")
    assert files.chart == tmp_path / "charts" / "stars.leaderboard.ky.png"
    assert files.chart.read_bytes()[:8] == PNG
    from openpyxl import load_workbook

    wb = load_workbook(files.workbook)
    rows = list(wb["Жылдызчалар"].values)
    assert rows[1][:4] == (1, "Бермет", "Ошская", 2) and rows[1][-1] == "✓"
    ev = list(wb["Добуштар"].values)
    assert ev[1][0] == "e1" and ev[1][3] == 1 and ev[1][6] == "Айгүл, Бермет"
    assert votes_word(1) == "голос" and votes_word(3) == "голоса" and votes_word(11) == "голосов"


def test_no_votes_yet(tmp_path: Path) -> None:
    s = Store(":memory:")
    st = leaderboard(s)
    assert st.board.empty and st.events.empty
    assert stars_chart.leaderboard_chart(st, tmp_path / "x.png") is None
