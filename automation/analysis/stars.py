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
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from automation.model import BISHKEK, form_spec_from_json, parse_iso
from automation.store import Store

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
    roster = {_norm_id(p.id): p.id for p in store.participants(active_only=False)}
    recs = []
    for f in store.forms():
        if f["kind"] != "best_practice_vote":
            continue
        if rules.year is not None and parse_iso(f["opens"]).astimezone(BISHKEK).year != rules.year:
            continue
        spec = form_spec_from_json(json.loads(f["spec_json"]))
        qs = [q for q in spec.questions if q.kind in ("single_choice", "dropdown")]
        q = next((x for x in qs if x.id == "best_practice"), qs[0] if qs else None)
        options = {o.id for o in q.options} if q else set()
        for r in store.responses(f["form_key"]):
            choice = json.loads(r["answers_json"]).get(q.id) if q else None
            recs.append({"event_id": f["event_id"], "form_key": f["form_key"], "response_id": r["response_id"],
                         "voter": r["participant_id"], "choice": choice if isinstance(choice, str) else None,
                         "candidate": roster.get(choice, choice) if choice in options else None,
                         "submitted_at": r["submitted_at"], "opts": options})
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


def _presenters(store: Store, rules: StarRules) -> dict[str, list[str]]:
    """Event → participant ids of the options of its vote form(s) (the presenters)."""
    roster = {_norm_id(p.id): p.id for p in store.participants(active_only=False)}
    out: dict[str, list[str]] = {}
    for f in store.forms():
        if f["kind"] != "best_practice_vote":
            continue
        if rules.year is not None and parse_iso(f["opens"]).astimezone(BISHKEK).year != rules.year:
            continue
        spec = form_spec_from_json(json.loads(f["spec_json"]))
        for q in spec.questions:
            if q.kind in ("single_choice", "dropdown"):
                out.setdefault(f["event_id"], [])
                out[f["event_id"]] += [roster.get(o.id, o.id) for o in q.options if roster.get(o.id, o.id)
                                       not in out[f["event_id"]]]
                break
    return out


def competition_rank(values: list[float]) -> list[int]:
    return [1 + sum(1 for w in values if w > v) for v in values]


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
    people = {p.id: p for p in store.participants(active_only=False)}
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


# --- chart and worksheet ----------------------------------------------------------------

STRINGS = {
    "ru": {"title": "Звёздочки сезона: лучшие практики", "axis": "Звёздочки",
           "speakers": "Зелёным — предлагаемые спикеры #ЧоңОй (топ-{n} по звёздочкам).",
           "share": "При ничьей звёздочку получает каждая победительница.",
           "split": "При ничьей звёздочка делится между победительницами.",
           "none": "Пока нет звёздочек."},
    "ky": {"title": "Сезондун жылдызчалары: мыкты тажрыйбалар", "axis": "Жылдызчалар",
           "speakers": "Жашыл түс — #ЧоңОй конференциясына сунушталган спикерлер (жылдызчалар боюнча топ-{n}).",
           "share": "Добуштар тең болсо, ар бир жеңүүчү жылдызча алат.",
           "split": "Добуштар тең болсо, жылдызча жеңүүчүлөрдүн ортосунда бөлүнөт.",
           "none": "Азырынча жылдызчалар жок."},
}


_VOTES_RU = {"one": "голос", "few": "голоса", "many": "голосов", "other": "голоса"}


def votes_word(n: int, lang: str = "ru") -> str:
    """"голос/голоса/голосов" by Russian plural rules (Babel's CLDR data); Kyrgyz "добуш" does not change."""
    if lang == "ky":
        return "добуш"
    from babel import Locale

    return _VOTES_RU[Locale("ru").plural_form(n)]


def _fmt_stars(x: float, lang: str = "") -> str:
    """``2``, ``1.5`` (``1,5`` in Russian and Kyrgyz charts: a decimal comma)."""
    s = f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0")
    return s.replace(".", ",") if lang in ("ru", "ky") else s


def leaderboard_chart(stars: Stars, path: str | Path, lang: str = "ru", max_bars: int = 25,
                      svg: bool = False) -> Path | None:
    """Horizontal bars of stars per participant (those with at least one star, at most
    ``max_bars``), the proposed #ЧоңОй speakers in green; the style of :mod:`automation.reporting.charts.bars`.
    Returns None (and writes nothing) when nobody has a star yet."""
    from automation.reporting.charts import bars as charts

    s = STRINGS.get(lang, STRINGS["ru"])
    shown = stars.board[stars.board["stars"] > 0].head(max_bars)
    if shown.empty:
        return None
    labels = shown["name"].tolist()
    values = shown["stars"].tolist()
    ann = [f"{_fmt_stars(v, lang)} ({n} {votes_word(int(n), lang)})" for v, n in zip(values, shown["votes"])]
    colors = [charts.ACCENT if sp else charts.PRIMARY for sp in shown["speaker"]]
    note = s["speakers"].format(n=stars.rules.top_n) + " " + s[stars.rules.ties]
    return charts.hbar(labels, values, ann, s["title"], s["axis"], note, Path(path), svg, colors)


def write_leaderboard_xlsx(stars: Stars, path: str | Path, titles: dict[str, str] | None = None) -> Path:
    """A workbook with the sheets «Жылдызчалар» (the leaderboard) and «Добуштар» (per event:
    responses, valid votes, self-votes rejected, superseded, winners).  Names are written as
    text, never as formulas.  ``titles``: event id → title for the second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from automation.model import OBLASTS

    names = dict(zip(stars.board["participant_id"], stars.board["name"]))
    wb = Workbook()
    ws = wb.active
    ws.title = "Жылдызчалар"
    ws.append(["Орун / Место", "Аты-жөнү / ФИО", "Облус / Область", "Жылдызчалар / Звёздочки",
               "Жеңиштер / Победы", "Добуштар / Голоса", "Иш-чаралар / Мероприятия", "#ЧоңОй спикер"])
    for r in stars.board.itertuples():
        ws.append([int(r.rank), r.name, OBLASTS.get(r.oblast, {}).get("ru", r.oblast or ""), float(r.stars),
                   int(r.wins), int(r.votes), int(r.events), "✓" if r.speaker else ""])
    we = wb.create_sheet("Добуштар")
    we.append(["Иш-чара / Мероприятие", "Жооптор / Ответы", "Жарактуу / Действительные",
               "Өзүнө добуш (четке кагылды) / За себя (отклонено)", "Алмаштырылган / Заменённые",
               "Башка четке кагылгандар / Прочие отклонённые", "Жеңүүчүлөр / Победительницы", "Добуш / Голоса",
               "Жылдызча / Звёздочка"])
    for r in stars.events.itertuples():
        we.append([(titles or {}).get(r.event_id, r.event_id), int(r.responses), int(r.valid), int(r.self_votes),
                   int(r.superseded), int(r.rejected_other), ", ".join(names.get(w, w) for w in r.winners),
                   int(r.winner_votes), float(r.star_each)])
    for sheet in (ws, we):
        for c in sheet[1]:
            c.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str):
                    c.data_type = "s"
        for j in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(j)].width = 34 if j in (2, 7) or sheet is we and j == 1 else 16
        sheet.freeze_panes = "A2"
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return p


@dataclass
class StarsFiles:
    stars: Stars
    chart: Path | None
    workbook: Path


def write_stars(store: Store, out_dir: str | Path, rules: StarRules = StarRules(), lang: str = "ru",
                sheets_dir: str | Path | None = None, plan: Any = None) -> StarsFiles:
    """The leaderboard, its chart ``<out_dir>/charts/stars.leaderboard.<lang>.png`` and the workbook
    ``<sheets_dir or out_dir/sheets>/stars.xlsx``.  ``plan`` (optional) gives event titles."""
    st = leaderboard(store, rules)
    out = Path(out_dir)
    chart = leaderboard_chart(st, out / "charts" / f"stars.leaderboard.{lang}.png", lang)
    titles = {e.id: e.title.get(lang) for e in plan.events} if plan is not None else None
    wbk = write_leaderboard_xlsx(st, Path(sheets_dir or out / "sheets") / "stars.xlsx", titles)
    return StarsFiles(st, chart, wbk)


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


def cli_stars(args: Any) -> int:
    """``stars [--top N] [--ties share|split] [--year Y] [--lang ru|ky] [--out DIR] [--json]``."""
    from automation.config import load_config
    from automation.errors import AutomationError
    from automation.plan.load import load_plan

    cfg = load_config(args.config)
    store = cfg.existing_store("no votes")
    try:
        plan = load_plan(cfg.plan, cfg.templates)
    except AutomationError:
        plan = None
    rules = StarRules(ties=args.ties, top_n=args.top, year=args.year)
    out = Path(args.out) if args.out else cfg.out
    files = write_stars(store, out, rules, args.lang or cfg.report_lang, cfg.sheets if not args.out else None, plan)
    st = files.stars
    if args.json:
        print(json.dumps(stars_json(st), ensure_ascii=False, indent=1))
        return 0
    print(f"{'rank':>4}  {'stars':>5}  {'votes':>5}  name")
    for r in st.board.itertuples():
        print(f"{r.rank:>4}  {_fmt_stars(r.stars):>5}  {r.votes:>5}  {r.name}" + ("  ← #ЧоңОй" if r.speaker else ""))
    print(f"Proposed #ЧоңОй speakers (top {rules.top_n}): {', '.join(st.speakers['name']) or 'none yet'}")
    print(f"Prize (most stars): {', '.join(st.prize['name']) or 'none yet'}")
    ev = st.events
    print(f"{len(ev)} vote(s): {int(ev['valid'].sum())} valid votes, {int(ev['self_votes'].sum())} for oneself "
          f"rejected, {int(ev['superseded'].sum())} superseded by a later vote, {int(ev['rejected_other'].sum())} "
          f"other rejected. Ties: {rules.ties}.")
    for n in st.notes:
        print(f"  ! {n}")
    print(f"Chart: {files.chart or '(no stars yet)'}\nWorkbook: {files.workbook}")
    return 0
