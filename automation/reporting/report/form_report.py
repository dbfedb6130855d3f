"""One form's section of the report: its figures, charts, open answers and non-respondents (:func:`form_report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from automation.analysis import summary
from automation.analysis.rates import invited_ids
from automation.model import FormSpec, parse_iso
from automation.reporting.report.form_bars import question_bars, score_bars
from automation.reporting.report.scope import plan_event_title, spec_of_row
from automation.reporting.report.text import ui
from automation.store import Store


#: Form kinds whose open answers are not listed in the report (scored by the commission under codes).
NO_OPEN_TEXT_KINDS = ("school_application",)


@dataclass
class FormReport:
    """Everything the report shows about one form (built by :func:`form_report`).

    - ``opens``, ``deadline``: aware datetimes (UTC), shown in Asia/Bishkek; ``status`` ``open`` or ``closed``.
    - ``responses``: responses in the store; ``invited``/``responded``/``rate`` (0..1): None for a
      public form, which has no list of invited participants.
    - ``questions``: the form's answers as bars drawn by the page (:func:`~.form_bars.question_bars`);
      ``score_bars``: the quiz scores in five bins (:func:`~.form_bars.score_bars`).
    - ``score``: :func:`automation.analysis.summary.score_summary` of a quiz (shares 0..1), and
      ``score_shares`` one share per scored response; None and ``[]`` otherwise.
    - ``groups``: one row per oblast ``{"label", "respondents", "mean_score", "suppressed"}`` (strings;
      a suppressed group shows "менее N" / "Nтөн аз").
    - ``open_texts``: ``[{"title", "question_id", "texts"}]``, contacts masked; empty and
      ``texts_withheld`` True for applications to the School.
    - ``non_respondents``: ``[{"label", "count"}]`` per oblast (counts only, never names) and
      ``non_respondents_total``; None when nobody was invited by name.
    - ``pre_post``: set by :func:`pre_post_pairs` on a post-test that has a pre-test.
    - ``counts``: :func:`automation.analysis.summary.question_counts` of the form (None when ``small``).
    - ``small``: 1..``min_group_size``−1 responses — the form's question-by-question results
      (charts, score, groups, open answers) are withheld: they would be those people's answers.
    """

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
    questions: list[dict[str, Any]] = field(default_factory=list)
    score_bars: list[dict[str, Any]] = field(default_factory=list)
    score: dict[str, Any] | None = None
    score_shares: list[float] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    open_texts: list[dict[str, Any]] = field(default_factory=list)
    texts_withheld: bool = False
    non_respondents: list[dict[str, Any]] = field(default_factory=list)
    non_respondents_total: int | str | None = None
    pre_post: dict[str, Any] | None = None
    small: bool = False
    counts: list[dict[str, Any]] | None = None


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


def form_report(store: Store, form_row: Any, frame: pd.DataFrame, lang: str = "ru",
                min_group_size: int = summary.MIN_GROUP_SIZE, plan: Any = None,
                roster: dict[str, Any] | None = None) -> FormReport:
    """Compute one form's page: its figures, its answers as bars, open answers and non-respondents.

    ``form_row``: the form's row of the store; ``frame``: the whole tidy frame
    (:func:`automation.analysis.frame.answers_frame`, one row per answer; filtered here);
    ``roster``: participant id → participant, read from the store when not given;
    ``plan``: for the event's title (optional).  Groups smaller than ``min_group_size`` are hidden.
    """
    spec = spec_of_row(form_row)
    key = form_row.form_key
    rows = frame[frame["form_key"] == key]
    invited = invited_ids(store, form_row)
    rate = summary.response_rate(rows, invited)
    fr = FormReport(
        form_key=key, title=spec.title.get(lang), kind=spec.kind, event_id=form_row.event_id,
        # a survey's event id is its own form key: it belongs to no event
        event_title="" if form_row.event_id == key else plan_event_title(plan, form_row.event_id, lang),
        pre_test=bool(form_row.pre_test),
        opens=parse_iso(form_row.opens), deadline=parse_iso(form_row.deadline), status=form_row.status,
        responses=len(store.responses.list(key)), invited=rate["invited"], responded=rate["responded"],
        rate=rate["rate"],
    )
    fr.small = 0 < fr.responses < min_group_size
    graded = spec.max_score > 0
    if fr.small:  # one or two people's answers are theirs: no question-by-question results
        fr.texts_withheld = False
    else:
        _results(fr, spec, rows, lang, min_group_size, graded)
    if invited is not None:
        roster = roster if roster is not None else {p.id: p for p in store.roster.participants(active_only=False)}
        inv = {pid: (roster[pid].oblast if pid in roster else "") for pid in invited}
        nr = summary.non_respondents_by_oblast(inv, rows, min_group_size)
        hidden = summary.suppressed_label(min_group_size, lang)
        fr.non_respondents = [{"label": summary.group_label("oblast", g.group, lang),
                               "count": hidden if g.suppressed else str(int(g.non_respondents))}
                              for g in nr.itertuples(index=False)]
        fr.non_respondents_total = hidden if nr.attrs.get("total_hidden") else len(inv) - (rate["responded"] or 0)
    return fr


def _results(fr: FormReport, spec: FormSpec, rows: pd.DataFrame, lang: str, min_group_size: int,
             graded: bool) -> None:
    """The question-by-question part of a form's page (bars, score, groups, open answers)."""
    fr.counts = summary.question_counts(spec, rows, lang)
    fr.questions = question_bars(spec, rows, lang, fr.counts)
    if graded:
        fr.score = summary.score_summary(spec, rows)
        fr.score_shares = summary.score_shares(spec, rows).tolist()
        fr.score_bars = score_bars(fr.score_shares)
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


def pre_post_pairs(reports: list[FormReport]) -> list[dict[str, Any]]:
    """Pairs ``X.pre`` (pre-test) → ``X`` (post-test) with mean score shares: ``[{"title", "form_key",
    "pre", "post", "n_pre", "n_post"}]`` (shares 0..1); each pair is also set as the post-test's ``pre_post``."""
    by_key = {r.form_key: r for r in reports}
    pairs = []
    for r in reports:
        if r.pre_test or r.score is None:
            continue
        pre = by_key.get(f"{r.form_key}.pre")
        if pre is None or pre.score is None or pre.small or r.small:
            continue
        d = {"title": r.event_title or r.title, "form_key": r.form_key, "pre": pre.score["mean"],
             "post": r.score["mean"], "n_pre": pre.score["n"], "n_post": r.score["n"]}
        r.pre_post = d
        pairs.append(d)
    return pairs
