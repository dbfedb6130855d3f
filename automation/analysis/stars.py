"""Stars (звёздочки): the votes for the best practice after each event, the season's leaderboard,
and the #ЧоңОй speakers proposed from it.

DOMAIN.md "The club" (seed 000): every event includes a vote for the best / most
useful experience; the winners get stars; at year end the participant with the most
stars wins a prize and the speakers of the #ЧоңОй conference are chosen from those
with the most stars.

Rules (:class:`StarRules`, configurable):

- the votes are the responses of ``best_practice_vote`` forms; the options are the
  event's presenters, **option id = the presenter's participant id** (``-`` written
  as ``_``, automation/jobs/forms.py);
- **one vote per participant per event**: when she answered more than once (several
  responses, or several vote forms of one event), her **latest** response counts and
  the earlier ones are ``superseded``;
- **no vote for herself**: a vote for her own option is rejected (``self_vote``) and
  counted in the event's summary; an anonymous response (no roster participant) or an
  answer that is not one of the options is rejected too;
- the option(s) with the most valid votes win (at least ``min_votes``); **ties**:
  by default (``share``) every tied winner gets a whole star — a star is recognition
  for a practice the members found most useful, and halving it would tell two equally
  chosen women that each did half as well; ``split`` gives 1/k star to each of k tied
  winners (the season total of stars then equals the number of events decided);
- the leaderboard ranks by stars (competition ranking, "1, 2, 2, 4"); the top
  ``top_n`` ranks with at least one star are proposed as #ЧоңОй speakers (everyone tied
  with the last place is included, so there may be more than ``top_n``).

The leaderboard's chart is drawn by :mod:`automation.reporting.charts.stars`, its chart
and workbook files are written by :mod:`automation.reporting.stars`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from automation.analysis.stats import competition_rank
from automation.model import BISHKEK, parse_iso
from automation.store import FormRecord, Store

#: How tied winners are starred: each gets a whole star (share) or 1/k each (split).
TIES = ("share", "split")


@dataclass(frozen=True)
class StarRules:
    """``ties``: ``share`` (every tied winner gets a star; default) or ``split`` (1/k each);
    ``top_n``: #ЧоңОй speakers proposed; ``min_votes``: valid votes a winner needs;
    ``year``: only vote forms opened in this year (Asia/Bishkek), None for all."""

    ties: str = "share"
    top_n: int = 5
    min_votes: int = 1
    year: int | None = None

    def __post_init__(self) -> None:
        if self.ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, not {self.ties!r}")


#: The status of a vote (a response of a vote form): see :func:`votes_frame`.
VOTE_STATUSES = ("valid", "self_vote", "superseded", "anonymous", "not_an_option", "no_choice")


def _norm_id(pid: str) -> str:
    return pid.replace("-", "_")


def votes_frame(store: Store, rules: StarRules = StarRules()) -> pd.DataFrame:
    """Every response of every ``best_practice_vote`` form, with its status.

    Columns: ``event_id``, ``form_key``, ``response_id``, ``voter`` (participant id,
    NA if anonymous), ``choice`` (option id, NA if none), ``candidate`` (participant
    id of the chosen presenter, NA if not an option), ``submitted_at`` (UTC), ``status``
    (one of :data:`VOTE_STATUSES`).  Rows in event, then submission order.
    """
    roster = {_norm_id(p.id): p.id for p in store.roster.participants(active_only=False)}
    recs = []
    for f in vote_forms(store, rules):
        spec = f.spec()
        qs = [q for q in spec.questions if q.kind in ("single_choice", "dropdown")]
        q = next((x for x in qs if x.id == "best_practice"), qs[0] if qs else None)
        options = {o.id for o in q.options} if q else set()
        for r in store.responses.list(f.form_key):
            choice = r.answers.get(q.id) if q else None
            recs.append({"event_id": f.event_id, "form_key": f.form_key, "response_id": r.response_id,
                         "voter": r.participant_id, "choice": choice if isinstance(choice, str) else None,
                         "candidate": roster.get(choice, choice) if choice in options else None,
                         "submitted_at": r.submitted_at, "opts": options})
    cols = ["event_id", "form_key", "response_id", "voter", "choice", "candidate", "submitted_at", "status"]
    if not recs:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})
    df = pd.DataFrame.from_records(recs).sort_values(["event_id", "submitted_at", "response_id"], kind="stable")
    status = []
    latest = df[df["voter"].notna()].groupby(["event_id", "voter"])["response_id"].last()
    for r in df.itertuples():
        if r.voter is None or pd.isna(r.voter):
            status.append("anonymous")
        elif latest[(r.event_id, r.voter)] != r.response_id:
            status.append("superseded")
        elif r.choice is None:
            status.append("no_choice")
        elif r.choice not in r.opts:
            status.append("not_an_option")
        elif _norm_id(r.voter) == r.choice:
            status.append("self_vote")
        else:
            status.append("valid")
    df["status"] = status
    df = df.drop(columns="opts")
    for c in ("event_id", "form_key", "response_id", "voter", "choice", "candidate", "status"):
        df[c] = df[c].astype("string")
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True)
    return df[cols].reset_index(drop=True)


def event_results(votes: pd.DataFrame, rules: StarRules = StarRules(),
                  presenters: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One row per event: ``event_id``, ``responses``, ``valid``, ``self_votes``, ``superseded``,
    ``rejected_other`` (anonymous, not an option, no choice) (int64), ``winners`` (list of
    participant ids), ``winner_votes`` (int64), ``star_each`` (float64: 1, or 1/k when split).
    ``presenters`` (event → participant ids) lists events nobody voted in, too."""
    events = sorted(set(votes["event_id"].dropna()) | set(presenters or {}))
    rows = []
    for ev in events:
        v = votes[votes["event_id"] == ev]
        valid = v[v["status"] == "valid"]
        counts = valid["candidate"].value_counts()
        top = int(counts.max()) if len(counts) else 0
        winners = sorted(counts[counts == top].index.tolist()) if top >= max(rules.min_votes, 1) else []
        each = (1.0 / len(winners) if rules.ties == "split" else 1.0) if winners else 0.0
        rows.append({"event_id": ev, "responses": len(v), "valid": len(valid),
                     "self_votes": int((v["status"] == "self_vote").sum()),
                     "superseded": int((v["status"] == "superseded").sum()),
                     "rejected_other": int(v["status"].isin(["anonymous", "not_an_option", "no_choice"]).sum()),
                     "winners": winners, "winner_votes": top if winners else 0, "star_each": each})
    df = pd.DataFrame.from_records(rows, columns=["event_id", "responses", "valid", "self_votes", "superseded",
                                                  "rejected_other", "winners", "winner_votes", "star_each"])
    for c in ("responses", "valid", "self_votes", "superseded", "rejected_other", "winner_votes"):
        df[c] = df[c].astype("int64")
    df["star_each"] = df["star_each"].astype("float64")
    return df


def vote_forms(store: Store, rules: StarRules) -> list[FormRecord]:
    """The season's best-practice vote forms: kind ``best_practice_vote``, opened in ``rules.year``
    (Asia/Bishkek) when a year is set; in the store's order (opening time, then key)."""
    return [f for f in store.forms.all() if f.kind == "best_practice_vote"
            and (rules.year is None or parse_iso(f.opens).astimezone(BISHKEK).year == rules.year)]


def _presenters(store: Store, rules: StarRules) -> dict[str, list[str]]:
    """Event → participant ids of the options of its vote form(s) (the presenters)."""
    roster = {_norm_id(p.id): p.id for p in store.roster.participants(active_only=False)}
    out: dict[str, list[str]] = {}
    for f in vote_forms(store, rules):
        spec = f.spec()
        for q in spec.questions:
            if q.kind in ("single_choice", "dropdown"):
                out.setdefault(f.event_id, [])
                out[f.event_id] += [roster.get(o.id, o.id) for o in q.options if roster.get(o.id, o.id)
                                       not in out[f.event_id]]
                break
    return out


@dataclass
class Stars:
    """``board``: one row per presenter, best first, columns ``participant_id``, ``name``,
    ``oblast`` (string), ``stars`` (float64), ``wins`` (int64, events won, shared or not),
    ``votes`` (int64, valid votes received), ``events`` (int64, events she presented at),
    ``rank`` (int64), ``speaker`` (bool, proposed for #ЧоңОй).  ``events``: see
    :func:`event_results`; ``votes``: see :func:`votes_frame`."""

    board: pd.DataFrame
    events: pd.DataFrame
    votes: pd.DataFrame
    rules: StarRules
    notes: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> pd.DataFrame:
        """The rows of :attr:`board` proposed as #ЧоңОй speakers (``speaker`` true), best first."""
        return self.board[self.board["speaker"]]

    @property
    def prize(self) -> pd.DataFrame:
        """The participant(s) with the most stars (the year-end prize); empty if nobody has a star."""
        return self.board[(self.board["rank"] == 1) & (self.board["stars"] > 0)]


def leaderboard(store: Store, rules: StarRules = StarRules()) -> Stars:
    """The season's stars from the votes in ``store`` (see the module docstring for the rules)."""
    votes = votes_frame(store, rules)
    presenters = _presenters(store, rules)
    events = event_results(votes, rules, presenters)
    people = {p.id: p for p in store.roster.participants(active_only=False)}
    stars: dict[str, float] = {}
    wins: dict[str, int] = {}
    for r in events.itertuples():
        for w in r.winners:
            stars[w] = stars.get(w, 0.0) + r.star_each
            wins[w] = wins.get(w, 0) + 1
    got = votes[votes["status"] == "valid"]["candidate"].value_counts().to_dict()
    ids = sorted({pid for ps in presenters.values() for pid in ps} | set(stars))
    recs = []
    for pid in ids:
        p = people.get(pid)
        recs.append({"participant_id": pid, "name": p.name if p else pid, "oblast": p.oblast if p else "",
                     "stars": round(stars.get(pid, 0.0), 4), "wins": wins.get(pid, 0), "votes": int(got.get(pid, 0)),
                     "events": sum(pid in ps for ps in presenters.values())})
    board = pd.DataFrame.from_records(recs, columns=["participant_id", "name", "oblast", "stars", "wins", "votes",
                                                     "events"])
    board = board.sort_values(["stars", "votes", "name"], ascending=[False, False, True], kind="stable")
    board["rank"] = competition_rank(board["stars"].tolist())
    board["speaker"] = (board["rank"] <= rules.top_n) & (board["stars"] > 0)
    for c in ("participant_id", "name", "oblast"):
        board[c] = board[c].astype("string")
    board["stars"] = board["stars"].astype("float64")
    for c in ("wins", "votes", "events", "rank"):
        board[c] = board[c].astype("int64")
    board["speaker"] = board["speaker"].astype(bool)
    board = board.reset_index(drop=True)
    notes = []
    n_sp = int(board["speaker"].sum())
    if n_sp > rules.top_n:
        notes.append(f"{n_sp} speakers proposed for {rules.top_n} places: the last places are tied on stars")
    self_votes = int(events["self_votes"].sum()) if len(events) else 0
    if self_votes:
        notes.append(f"{self_votes} vote(s) for oneself rejected")
    return Stars(board, events, votes, rules, notes)


def stars_json(stars: Stars) -> dict[str, Any]:
    """The leaderboard, speakers and per-event results as JSON-ready data."""
    return {
        "rules": {"ties": stars.rules.ties, "top_n": stars.rules.top_n, "min_votes": stars.rules.min_votes,
                  "year": stars.rules.year},
        "leaderboard": [{"rank": int(r.rank), "participant_id": r.participant_id, "name": r.name,
                         "stars": float(r.stars), "wins": int(r.wins), "votes": int(r.votes),
                         "speaker": bool(r.speaker)} for r in stars.board.itertuples()],
        "events": [{"event_id": r.event_id, "responses": int(r.responses), "valid": int(r.valid),
                    "self_votes": int(r.self_votes), "superseded": int(r.superseded),
                    "rejected_other": int(r.rejected_other), "winners": list(r.winners),
                    "star_each": float(r.star_each)} for r in stars.events.itertuples()],
        "notes": stars.notes,
    }
