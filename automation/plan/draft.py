"""A draft plan for the next quarter from the latest needs assessment, for the mentor to edit.

DOMAIN.md "The club" (seed 000): the Чай-суйлөшуу topics come from the needs
assessment and from proposals the mentor collects every quarter; the talk is held
once a week on the same weekday and hour, chosen by the participants' vote; the
annual plan is revised from the results.

:func:`topic_ranking` ranks the topics of the latest ``needs_assessment`` form from
three questions of ``forms_templates/needs_assessment.yaml``:

- ``topics`` and ``soft_topics`` (multiple choice): ``share`` = respondents who
  chose the topic ÷ respondents who answered the question;
- ``topic_priority`` (grid, columns 1–5): ``priority`` = mean priority of the row,
  rescaled to 0–1 as (mean − 1) ÷ 4.  Grid rows are matched to the options of the
  two lists (:data:`GRID_TO_OPTION`); a row with no option is a topic of its own.

``score`` = the mean of the components a topic has (share and/or priority); topics
are ranked by score, then share.  :func:`draft_plan_text` turns the ranking into a
plan file (the format of automation/plan/load.py): the weekly tea talk of the quarter on the
most voted ``tea_weekday`` and ``tea_hour`` with one ranked topic per talk, and one
online workshop a month on the top topics, at proposed dates, with comments for the
mentor.  The file loads with :func:`automation.plan.load.parse_plan` as written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from automation.analysis.frame import answers_frame
from automation.analysis.summary import is_answered, mask_contacts
from automation.errors import AutomationError
from automation.model import FormSpec
from automation.plan.load import parse_plan
from automation.plan.model import WEEKDAYS, Plan
from automation.store import Store

#: Rows of the ``topic_priority`` grid → the option of ``topics`` / ``soft_topics`` they rate.
GRID_TO_OPTION = {"law": "topic_law", "programmes": "topic_programmes", "investment": "topic_investment",
                  "budget": "topic_budget", "inclusive": "topic_inclusive", "communication": "soft_communication",
                  "conflict": "soft_conflict"}
#: The multiple-choice questions of topics and the direction each belongs to.
LIST_QUESTIONS = (("topics", "knowledge"), ("soft_topics", "soft_skills"))
#: The grid question of priorities (rows: topics, columns: 1–5).
GRID_QUESTION = "topic_priority"
#: Option ids of the ``tea_weekday`` question → weekday (Monday 0).
WEEKDAY_OPTIONS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

#: Fixed-date public holidays of Kyrgyzstan (month, day): New Year, Orthodox Christmas, Defender of the
#: Fatherland Day, Women's Day, Nooruz, Day of the People's April Revolution, Labour Day, Constitution Day,
#: Victory Day, Independence Day, Days of History and Commemoration of Ancestors.  Orozo Ait and Kurman
#: Ait move every year: the draft's comments ask the mentor to check them.
HOLIDAYS = ((1, 1), (1, 7), (2, 23), (3, 8), (3, 21), (4, 7), (5, 1), (5, 5), (5, 9), (8, 31), (11, 7), (11, 8))


@dataclass
class TopicRanking:
    """``table``: one row per topic, best first: ``topic_id`` (string), ``label_ky``, ``label_ru``,
    ``direction`` (knowledge | soft_skills | other), ``chosen`` (Int64, respondents who chose it;
    NA for a grid-only topic), ``share`` (float64, 0–1, NaN if not in a list), ``priority_mean``
    (float64, 1–5, NaN if not in the grid), ``score`` (float64, 0–1), ``rank`` (int64).
    ``tea_weekday``/``tea_hour``: vote counts per option id; ``proposals``: tea-talk topics
    the respondents wrote (contacts masked)."""

    form_key: str
    respondents: int
    table: pd.DataFrame
    tea_weekday: dict[str, int] = field(default_factory=dict)
    tea_hour: dict[str, int] = field(default_factory=dict)
    proposals: list[str] = field(default_factory=list)


def latest_needs_form(store: Store) -> Any:
    """The ``forms`` row of the most recent needs assessment with responses (by opening date)."""
    rows = [f for f in store.forms.all() if f.kind == "needs_assessment" and store.responses.list(f.form_key)]
    if not rows:
        raise AutomationError("no needs assessment with responses yet: the draft plan is made from its answers")
    return max(rows, key=lambda f: (f.opens, f.form_key))


def _votes(frame: pd.DataFrame, qid: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in frame.loc[frame["question_id"] == qid, "value"]:
        if is_answered(v):
            out[str(v)] = out.get(str(v), 0) + 1
    return out


def topic_ranking(store: Store, form_key: str | None = None) -> TopicRanking:
    """Rank the topics of a needs assessment (default: the latest one); see the module docstring."""
    row = store.forms.get(form_key) if form_key else latest_needs_form(store)
    if row is None:
        raise AutomationError(f"no form {form_key!r} (see `forms list`)")
    spec: FormSpec = row.spec()
    frame = answers_frame(store, [row.form_key])
    n = int(frame["response_id"].nunique())
    topics: dict[str, dict[str, Any]] = {}
    qids = {q.id for q in spec.questions}
    for qid, direction in LIST_QUESTIONS:
        if qid not in qids:
            continue
        q = spec.question(qid)
        vals = [v for v in frame.loc[frame["question_id"] == qid, "value"] if is_answered(v)]
        answered = len(vals)
        for o in q.options:
            chosen = sum(1 for v in vals if o.id in (v if isinstance(v, list) else [v]))
            topics[o.id] = {"topic_id": o.id, "label_ky": o.label.ky, "label_ru": o.label.ru, "direction": direction,
                            "chosen": chosen, "share": chosen / answered if answered else float("nan"),
                            "priority_mean": float("nan")}
    if GRID_QUESTION in qids:
        q = spec.question(GRID_QUESTION)
        colval = {o.id: k + 1 for k, o in enumerate(q.options)}
        top = len(q.options)
        rows = frame[frame["question_id"] == GRID_QUESTION]
        for r in q.rows:
            cells = [colval[str(v)] for v in rows.loc[rows["row_id"] == r.id, "value"] if str(v) in colval]
            mean = sum(cells) / len(cells) if cells else float("nan")
            key = GRID_TO_OPTION.get(r.id) or next((k for k in (f"topic_{r.id}", f"soft_{r.id}") if k in topics), None)
            if key in topics:
                topics[key]["priority_mean"] = mean
            else:
                topics[r.id] = {"topic_id": r.id, "label_ky": r.label.ky, "label_ru": r.label.ru, "direction": "other",
                                "chosen": None, "share": float("nan"), "priority_mean": mean}
        for t in topics.values():
            pm = t["priority_mean"]
            t["_prio"] = (pm - 1) / (top - 1) if pm == pm and top > 1 else float("nan")
    for t in topics.values():
        parts = [x for x in (t["share"], t.get("_prio", float("nan"))) if x == x]
        t["score"] = sum(parts) / len(parts) if parts else 0.0
    df = pd.DataFrame.from_records(list(topics.values()),
                                   columns=["topic_id", "label_ky", "label_ru", "direction", "chosen", "share",
                                            "priority_mean", "score"])
    df = df.sort_values(["score", "share", "topic_id"], ascending=[False, False, True], kind="stable",
                        na_position="last").reset_index(drop=True)
    df["rank"] = pd.Series(range(1, len(df) + 1), dtype="int64")
    for c in ("topic_id", "label_ky", "label_ru", "direction"):
        df[c] = df[c].astype("string")
    df["chosen"] = df["chosen"].astype("Int64")
    for c in ("share", "priority_mean", "score"):
        df[c] = df[c].astype("float64")
    proposals = []
    if "tea_topics" in qids:
        for v in frame.loc[frame["question_id"] == "tea_topics", "value"]:
            if is_answered(v):
                proposals.append(" ".join(mask_contacts(str(v)).split()))
    return TopicRanking(row.form_key, n, df, _votes(frame, "tea_weekday"), _votes(frame, "tea_hour"), proposals)


# --- the draft --------------------------------------------------------------------------


def parse_quarter(text: str) -> tuple[int, int]:
    """``2023Q1`` / ``2023-Q1`` / ``2023q1`` → (2023, 1).  Raises :class:`AutomationError`."""
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not m:
        raise AutomationError(f"quarter {text!r}: write it like 2023Q1")
    return int(m.group(1)), int(m.group(2))


def next_quarter(today: date) -> tuple[int, int]:
    """The quarter after the one ``today`` falls in, as (year, quarter 1–4): 2022-11-05 → (2023, 1)."""
    q = (today.month - 1) // 3 + 1
    return (today.year + 1, 1) if q == 4 else (today.year, q + 1)


def quarter_span(year: int, q: int) -> tuple[date, date]:
    """First and last day of quarter ``q`` (1–4) of ``year``: (2023, 1) → 2023-01-01, 2023-03-31."""
    start = date(year, 3 * (q - 1) + 1, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return start, end


def is_holiday(d: date) -> bool:
    """True on a fixed-date public holiday of Kyrgyzstan (:data:`HOLIDAYS`)."""
    return (d.month, d.day) in HOLIDAYS


def _most_voted(votes: dict[str, int], order: list[str]) -> str | None:
    """The option with most votes; ties go to the earlier option of the form."""
    if not votes:
        return None
    best = max(votes.values())
    return next(o for o in order if votes.get(o) == best)


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    d = date(year, month, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    return d + timedelta(days=7 * (n - 1))


def draft_plan_text(ranking: TopicRanking, plan: Plan, today: date, quarter: tuple[int, int] | None = None,
                    workshops: int = 3, weekday_options: list[str] | None = None,
                    hour_options: list[str] | None = None) -> str:
    """The draft plan file (YAML with comments) for ``quarter`` (default: the one after ``today``).

    Tea talk: the most voted weekday and hour (the plan's current ones if nobody
    voted), every week of the quarter except fixed public holidays, one ranked topic
    per talk in rank order.  Workshops: the top ``workshops`` topics, one a month,
    online_workshop on the second Thursday (Tuesday when the tea talk is on Thursday)
    14:00–16:00, with an event_feedback form.  Every proposed value is marked for the
    mentor.  The club block is copied from ``plan``.
    """
    year, q = quarter or next_quarter(today)
    start, end = quarter_span(year, q)
    wd_order = weekday_options or list(WEEKDAY_OPTIONS)
    wd_id = _most_voted(ranking.tea_weekday, wd_order)
    hr_order = hour_options or sorted(ranking.tea_hour)
    hr_id = _most_voted(ranking.tea_hour, hr_order)
    old = plan.tea_talk
    weekday = WEEKDAY_OPTIONS[wd_id] if wd_id in WEEKDAY_OPTIONS else (old.weekday if old else 2)
    hour = f"{int(hr_id[1:3]):02d}:00" if hr_id and re.fullmatch(r"h\d\d", hr_id) else \
        (old.at.strftime("%H:%M") if old else "17:00")
    link = old.link if old and old.link else None
    d = start + timedelta(days=(weekday - start.weekday()) % 7)
    dates, skipped = [], []
    while d <= end:
        (skipped if is_holiday(d) else dates).append(d)
        d += timedelta(days=7)
    t = ranking.table
    topics = list(t.itertuples())
    c = plan.club
    total_votes = sum(ranking.tea_weekday.values())
    L: list[str] = []
    a = L.append
    a(f"# DRAFT plan for {year} Q{q} ({start:%d.%m.%Y}–{end:%d.%m.%Y}), made {today.isoformat()} from the needs")
    a(f"# assessment {ranking.form_key!r} ({ranking.respondents} respondents) by automation/plan/draft.py.")
    a("# Mentor: edit the dates, titles and topics, then check it with `python main.py plan show`")
    a("# (point club.yaml at this file).  Lines marked PROPOSED are the program's suggestions.")
    a("# Calendar rules (seed 000): the draft programme goes out 30 days before each event, 2 weeks")
    a("# of discussion, the final version 7 days before; check Orozo Ait and Kurman Ait (movable")
    a("# holidays) against the dates below.")
    a("#")
    a("# Ranked topics (score = mean of: share of respondents who chose the topic; priority 1–5")
    a("# from the topic_priority grid rescaled to 0–1):")
    for r in topics:
        share = f"{r.share:.0%} chose it" if r.share == r.share else "not in the lists"
        prio = f"priority {r.priority_mean:.1f}/5" if r.priority_mean == r.priority_mean else "no priority row"
        a(f"#  {r.rank:2d}. {r.label_ru} / {r.label_ky} — score {r.score:.2f} ({share}; {prio})")
    if ranking.proposals:
        a("#")
        a("# Tea-talk topics proposed by respondents (contacts masked; the first 10):")
        for p in ranking.proposals[:10]:
            a(f"#  - {p[:150]}")
    a("")
    a("club:")
    a("  name:")
    a(f"    ky: {_q(c.name.ky)}")
    a(f"    ru: {_q(c.name.ru)}")
    a(f"  group_email: {c.group_email}")
    a(f"  admin_email: {c.admin_email}")
    if c.mentor_email:
        a(f"  mentor_email: {c.mentor_email}")
    a(f"  form_base_url: {_q(c.form_base_url)}")
    a("")
    a("tea_talk:")
    if total_votes:
        wd_votes = ", ".join(f"{k} {v}" for k, v in sorted(ranking.tea_weekday.items(), key=lambda kv: -kv[1]))
        hr_votes = ", ".join(f"{k} {v}" for k, v in sorted(ranking.tea_hour.items(), key=lambda kv: -kv[1])[:4])
        a(f"  # PROPOSED from the vote ({total_votes} answers): weekdays {wd_votes}; hours {hr_votes}")
    else:
        a("  # nobody voted on the weekday and hour: the current plan's are kept")
    a(f"  weekday: {WEEKDAYS[weekday]}")
    a(f"  time: {_q(hour)}           # quoted: unquoted HH:MM is read as a number by YAML 1.1")
    a("  duration_minutes: 60")
    a(f"  from: {start.isoformat()}")
    a(f"  until: {end.isoformat()}")
    if link:
        a(f"  link: {link}")
    else:
        a("  # link: https://...         # TODO mentor: the meeting link")
    if skipped:
        a("  skip:                        # PROPOSED: fixed public holidays")
        for s in skipped:
            a(f"    - {s.isoformat()}")
    if dates and topics:
        a("  topics:                      # PROPOSED: one ranked topic per talk; reorder or replace freely")
        for dd, r in zip(dates, topics):
            a(f"    {dd.isoformat()}:")
            a(f"      ky: {_q(r.label_ky)}")
            a(f"      ru: {_q(r.label_ru)}")
        if len(dates) > len(topics):
            a(f"    # {len(dates) - len(topics)} talk(s) without a topic: open questions, or the proposals above")
    a("")
    a("events:")
    ws_day = 1 if weekday == 3 else 3  # Thursday, or Tuesday when the tea talk is on Thursday
    n = min(workshops, len(topics), 3)
    if n == 0:
        a("  []")
    for k in range(n):
        r = topics[k]
        month = start.month + k
        day = _nth_weekday(year, month, ws_day, 2)
        while is_holiday(day):
            day += timedelta(days=7)
        eid = re.sub(r"[^a-z0-9_]", "_", f"ws_{year}q{q}_{str(r.topic_id).lower()}")
        late = (day - today).days < 30
        a(f"  - id: {eid}")
        a(f"    # PROPOSED: topic no. {r.rank} of the ranking (score {r.score:.2f})")
        if late:
            a(f"    # WARNING: less than 30 days from {today.isoformat()}: the draft programme would be late")
        a("    title:")
        a(f"      ky: {_q('Онлайн семинар: ' + str(r.label_ky))}")
        a(f"      ru: {_q('Онлайн-семинар: ' + str(r.label_ru))}")
        a("    format: online_workshop     # 16–20 people, 1.5–2 h (seed 000)")
        a(f"    start: {day.isoformat()} 14:00   # PROPOSED date and hour")
        a(f"    end: {day.isoformat()} 16:00")
        a("    # link: https://...         # TODO mentor: the meeting link")
        a("    # presenters: [...]         # TODO mentor: roster e-mails; then add a best_practice_vote form")
        a("    # test: tests/<topic>.yaml  # TODO mentor: this training's test (docs/TEMPLATES.md \"Tests per training\")")
        a("    forms:")
        a("      - template: event_feedback")
        a("      # - template: post_test     # with test: above; pre_test: true for the gain")
    return "\n".join(L) + "\n"


def write_plan_draft(store: Store, plan: Plan, path: str | Path, today: date,
                     quarter: tuple[int, int] | None = None, workshops: int = 3,
                     form_key: str | None = None) -> tuple[Path, TopicRanking]:
    """Rank the topics of the latest needs assessment and write the draft plan to ``path``.

    The text is checked with :func:`automation.plan.load.parse_plan` before it is
    written (a failure is a bug here, not the mentor's).  Returns (path, ranking).
    """
    from automation.forms.templates import DEFAULT_DIR

    ranking = topic_ranking(store, form_key)
    row = store.forms.get(ranking.form_key)
    assert row is not None  # topic_ranking found it
    spec = row.spec()
    wd = [o.id for o in spec.question("tea_weekday").options] if "tea_weekday" in {x.id for x in spec.questions} else None
    hr = [o.id for o in spec.question("tea_hour").options] if "tea_hour" in {x.id for x in spec.questions} else None
    text = draft_plan_text(ranking, plan, today, quarter, workshops, wd, hr)
    p = Path(path)
    parse_plan(yaml.safe_load(text), str(p), p.parent, {x.stem for x in DEFAULT_DIR.glob("*.yaml")})
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p, ranking
