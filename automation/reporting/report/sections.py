"""The season's sections of the report: post-tests, needs assessments, event feedback, response rates.

Each function returns the data its template block shows (strings already formatted, charts drawn
through :class:`~automation.reporting.report.section_charts.SectionCharts`), or None / ``[]`` when
the forms in scope have nothing for that section.  Every breakdown by oblast or role hides groups
smaller than ``min_group_size`` (DESIGN.md principle 8).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from automation.analysis import feedback, needs, posttest, rates, summary
from automation.analysis.frame import answers_frame
from automation.model import CHOICE_KINDS, OBLASTS, FormSpec, parse_iso
from automation.reporting.charts import text as chart_text
from automation.reporting.charts.chart import Chart
from automation.reporting.report.scope import event_when, plan_event_title, scope_title
from automation.reporting.report.section_charts import LazyChart, SectionCharts
from automation.reporting.report.svg_trend import trend_svg
from automation.reporting.report.text import fmt_ci, fmt_num, fmt_pct, ui
from automation.store import Store

change_chart = LazyChart("automation.reporting.charts.needs", "change_chart")
heatmap_chart = LazyChart("automation.reporting.charts.needs", "heatmap_chart")
gain_chart = LazyChart("automation.reporting.charts.posttest", "gain_chart")
item_chart = LazyChart("automation.reporting.charts.posttest", "item_chart")
response_curve_chart = LazyChart("automation.reporting.charts.trends", "response_curve_chart")
trend_chart = LazyChart("automation.reporting.charts.trends", "trend_chart")


def posttest_section(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any, lang: str,
                     min_group_size: int, draw: SectionCharts) -> dict[str, Any] | None:
    """The gains per event and per oblast, and the item analysis of each post-test (None without post-tests).

    Returns ``{"events": [row], "oblasts": [row], "overall": row | None, "charts": [Chart],
    "items": [{"title", "form_key", "has_pre", "n_pre", "n_post", "chart", "rows"}]}``; a gain
    ``row`` is ``{"label", "group", "participants", "paired", "perfect_pre", "post_only", "pre_only",
    "mean", "ci", "suppressed", "mean_suppressed"}`` with counts and the mean normalized gain as
    text (:func:`automation.analysis.posttest.gain_table`); an item row ``{"title", "pre", "post",
    "ci", "discrimination", "flags"}`` (:func:`automation.analysis.posttest.item_analysis`).
    ``frame``: the tidy frame of the forms in scope; ``specs``: form key → spec.
    """
    graded = {k: s for k, s in specs.items() if s.max_score > 0}
    if not graded:
        return None
    scores = posttest.quiz_scores(frame, graded)
    gain_rows = posttest.gains(scores, graded)
    rows_by_key = {f.form_key: f for f in forms}
    hidden = summary.suppressed_label(min_group_size, lang)

    def table(by: str | None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        t = posttest.gain_table(gain_rows, by, min_group_size)
        out = []
        for r in t.itertuples(index=False):
            if by == "event_id":
                label = plan_event_title(plan, r.group, lang)
            elif by is None:
                label = ""
            else:
                label = summary.group_label(by, r.group, lang)
            cnt = (lambda v: hidden if r.suppressed else str(int(v)))
            out.append({"label": label, "group": r.group, "participants": cnt(r.participants),
                        "paired": cnt(r.paired), "perfect_pre": cnt(r.perfect_pre), "post_only": cnt(r.post_only),
                        "pre_only": cnt(r.pre_only), "suppressed": bool(r.suppressed),
                        "mean": hidden if r.mean_suppressed else fmt_num(r.mean_gain),
                        "ci": "" if r.mean_suppressed else fmt_ci(r.ci_low, r.ci_high),
                        "mean_suppressed": bool(r.mean_suppressed)})
        return t, out

    section: dict[str, Any] = {"events": [], "oblasts": [], "charts": [], "items": [], "overall": None}
    if len(gain_rows):
        ev_t, section["events"] = table("event_id")
        ob_t, section["oblasts"] = table("oblast")
        _, overall = table(None)
        section["overall"] = overall[0] if overall else None
        labels = {g: plan_event_title(plan, g, lang) for g in ev_t["group"]}
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
        if rows["response_id"].nunique() < min_group_size:
            continue  # one or two people's answers, item by item, are theirs
        post = posttest.item_analysis(spec, rows, lang)
        pre_key = f"{key}.pre"
        pre_rows = frame[frame["form_key"] == pre_key]
        pre = posttest.item_analysis(graded[pre_key], pre_rows, lang) \
            if pre_key in graded and pre_rows["response_id"].nunique() >= min_group_size else None
        pre_d = pre.set_index("question_id")["difficulty"] if pre is not None else None
        title = scope_title(plan, rows_by_key[key], spec, lang) if key in rows_by_key else spec.title.get(lang)
        p = draw.cached(item_chart, post, draw.path(f"items-{key}"), lang, pre, draw.svg,
                                  f"{chart_text.t('items_title', lang)}: {title}")
        section["items"].append({
            "title": title, "form_key": key, "has_pre": pre is not None,
            "n_post": int(post["responses"].max()) if len(post) else 0,
            "n_pre": int(pre["responses"].max()) if pre is not None and len(pre) else 0,
            "chart": draw.chart(p, title, "items"),
            "rows": [{"title": r.title, "pre": fmt_pct(pre_d.get(r.question_id)) if pre_d is not None else None,
                      "post": fmt_pct(r.difficulty), "ci": fmt_ci(r.difficulty_low, r.difficulty_high, pct=True),
                      "discrimination": fmt_num(r.discrimination),
                      "flags": ", ".join(flag_names[f] for f in r.flags)} for r in post.itertuples(index=False)]})
    if not section["events"] and not section["items"]:
        return None
    return section


def needs_section(store: Store, forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], lang: str,
                  min_group_size: int, draw: SectionCharts) -> list[dict[str, Any]]:
    """Per needs assessment: demand with Wilson intervals, breakdowns by oblast and role, change from last year.

    One block per needs assessment with answers, in ``forms`` order: ``{"title", "form_key", "year",
    "prev_year", "questions": [{"title", "answered", "rows": [{"label", "count", "share", "ci"}],
    "charts": [Chart], "change": Chart | None}], "scale_groups": {"groups", "rows"} | None,
    "scale_change": [{"title", "prev", "now", "diff", "ci"}]}``.  The previous year's assessment
    (:func:`automation.analysis.needs.previous_assessment`) is read from the store.
    """
    out = []
    all_forms = store.forms.all()
    hidden = summary.suppressed_label(min_group_size, lang)
    for f in forms:
        if f.kind != "needs_assessment":
            continue
        key = f.form_key
        spec = specs[key]
        rows = frame[frame["form_key"] == key]
        if rows.empty:
            continue
        prev = needs.previous_assessment(all_forms, key)
        prev_spec = prev.spec() if prev else None
        prev_rows = answers_frame(store, [prev.form_key]) if prev else None
        block: dict[str, Any] = {"title": spec.title.get(lang), "form_key": key, "year": needs.form_year(f),
                                 "prev_year": needs.form_year(prev) if prev else None, "questions": [],
                                 "scale_groups": None, "scale_change": []}
        for q in spec.questions:
            if q.kind != "multiple_choice" or summary.is_personal(q):
                continue
            d = needs.choice_demand(q, rows, lang, sort=True)
            if not len(d) or int(d["answered"].iloc[0]) < min_group_size:
                continue
            qb: dict[str, Any] = {"title": q.title.get(lang), "answered": int(d["answered"].iloc[0]),
                                  "rows": [{"label": r.label, "count": int(r.count), "share": fmt_pct(r.share),
                                            "width": 0 if pd.isna(r.share) else round(100 * float(r.share)),
                                            "ci": fmt_ci(r.ci_low, r.ci_high, pct=True)}
                                           for r in d.itertuples(index=False)], "charts": [], "change": None,
                                  "change_rows": []}
            qb["groups"] = []
            for by in ("oblast", "role"):
                gd = needs.group_demand(q, rows, by, min_group_size, lang)
                qb["groups"].append(_demand_table(gd, by, lang, hidden))
                p = draw.cached(heatmap_chart, gd, draw.path(f"{key}-{q.id}-by-{by}"), lang, by, q.title.get(lang),
                                             min_group_size, draw.svg)
                c = draw.chart(p, f"{q.title.get(lang)} — {chart_text.t('by_' + by, lang)}", "heatmap")
                if c:
                    qb["charts"].append(c)
            if prev_spec is not None:
                pq = next((x for x in prev_spec.questions if x.id == q.id and x.kind in CHOICE_KINDS), None)
                if pq is not None:
                    ch = needs.demand_change(pq, prev_rows, q, rows, lang)
                    qb["change_rows"] = [{"label": r.label, "prev": fmt_pct(r.prev_share), "now": fmt_pct(r.share),
                                          "diff": fmt_num(r.diff), "ci": fmt_ci(r.diff_low, r.diff_high)}
                                         for r in ch.itertuples(index=False)]
                    p = draw.cached(change_chart, ch, draw.path(f"{key}-{q.id}-change"), lang, q.title.get(lang),
                                                block["prev_year"], block["year"], draw.svg)
                    qb["change"] = draw.chart(p, q.title.get(lang), "change")
            block["questions"].append(qb)
        sg = needs.scale_by_group(spec, rows, "oblast", min_group_size, lang)
        if len(sg):
            groups = list(dict.fromkeys(sg["group"]))
            items = list(dict.fromkeys(sg["question_id"]))
            cell = {(r.group, r.question_id): (hidden if r.suppressed else fmt_num(r.mean, 1))
                    for r in sg.itertuples(index=False)}
            block["scale_groups"] = {
                "groups": [summary.group_label("oblast", g, lang) for g in groups],
                "rows": [{"title": spec.question(q).title.get(lang),
                          "cells": [cell.get((g, q), "—") for g in groups]} for q in items]}
        if prev_spec is not None:
            sc = needs.scale_change(prev_spec, prev_rows, spec, rows, lang)
            block["scale_change"] = [{"title": r.title, "prev": fmt_num(r.prev_mean, 1), "now": fmt_num(r.mean, 1),
                                      "diff": fmt_num(r.diff), "ci": fmt_ci(r.diff_low, r.diff_high)}
                                     for r in sc.itertuples(index=False)
                                     if r.n >= min_group_size and r.prev_n >= min_group_size]
        out.append(block)
    return out


def _demand_table(gd: pd.DataFrame, by: str, lang: str, hidden: str) -> dict[str, Any]:
    """A :func:`automation.analysis.needs.group_demand` frame as a table: ``{"by", "groups": [label],
    "rows": [{"label", "cells": [share text or the suppression label]}]}``."""
    groups = list(dict.fromkeys(gd["group"])) if len(gd) else []
    cell = {(r.group, r.option_id): hidden if r.suppressed else fmt_pct(r.share) for r in gd.itertuples(index=False)}
    options = list(dict.fromkeys(zip(gd["option_id"], gd["label"]))) if len(gd) else []
    return {"by": by, "groups": [summary.group_label(by, g, lang) for g in groups],
            "rows": [{"label": lab, "cells": [cell.get((g, o), "—") for g in groups]} for o, lab in options]}


def feedback_section(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any, lang: str,
                     min_group_size: int, draw: SectionCharts) -> dict[str, Any] | None:
    """The Likert trend across the events (or the one event's item summary); None without feedback forms.

    Returns ``{"items": [{"n", "title"}], "events": [{"title", "date", "responses", "cells"}],
    "chart": Chart | None (when ``draw`` allows "feedback-trend"), "svg": :func:`.svg_trend.trend_svg`
    | None, "summary": [{"title", "n", "mean", "ci", "top"}]}``: one cell per item
    (mean as text, or the suppression label), events by date (:func:`~automation.reporting.report.scope.event_when`); the trend
    chart needs two events or more, the summary is given for a single event instead.
    """
    fbs = [feedback.FeedbackForm(f.form_key, f.event_id, scope_title(plan, f, specs[f.form_key], lang),
                                 event_when(plan, f), specs[f.form_key], frame[frame["form_key"] == f.form_key])
           for f in forms if f.kind == "event_feedback"]
    fbs = [x for x in fbs if len(x.frame)]
    if not fbs:
        return None
    hidden = summary.suppressed_label(min_group_size, lang)
    tr = feedback.feedback_trend(fbs, min_group_size, lang)
    items = list(dict.fromkeys(tr["question_id"]))
    titles = {q: str(tr.loc[tr["question_id"] == q, "title"].iloc[-1]) for q in items}
    scale = next((q.scale for x in fbs for q in x.spec.questions if q.kind == "scale" and q.scale), None)
    section: dict[str, Any] = {"items": [{"n": i + 1, "title": titles[q]} for i, q in enumerate(items)],
                               "events": [], "chart": None, "svg": None, "summary": []}
    for x in sorted(fbs, key=lambda x: x.when):
        part = tr[tr["form_key"] == x.form_key].set_index("question_id")
        small = bool(part["suppressed"].any()) if len(part) else False
        section["events"].append({
            "title": x.event_title, "date": x.when, "responses": int(x.frame["response_id"].nunique()),
            "cells": [(hidden if small else fmt_num(part.at[q, "mean"], 1)) if q in part.index else "—" for q in items]})
    if len(fbs) >= 2:
        if draw.allowed("feedback-trend"):
            p = draw.cached(trend_chart, tr, draw.path("feedback-trend"), lang, scale.low if scale else 1,
                            scale.high if scale else 5, min_group_size, draw.svg)
            section["chart"] = draw.chart(p, chart_text.t("trend_title", lang), "trend")
        section["svg"] = trend_svg(tr, scale.low if scale else 1, scale.high if scale else 5,
                                   chart_text.t("trend_title", lang))
    else:
        x = fbs[0]
        if x.frame["response_id"].nunique() >= min_group_size:
            li = feedback.likert_items(x.spec, x.frame, lang)
            section["summary"] = [{"title": r.title, "n": int(r.n), "mean": fmt_num(r.mean, 1),
                                   "ci": fmt_ci(r.ci_low, r.ci_high, 1), "top": fmt_pct(r.top_share)}
                                  for r in li.itertuples(index=False) if r.n]
    return section


def rates_section(store: Store, forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], plan: Any,
                  lang: str, min_group_size: int, draw: SectionCharts, roster: dict[str, Any],
                  now: datetime, by_oblast: bool = False) -> dict[str, Any] | None:
    """Response rate per form and oblast, and the cumulative curves by day since the invitation
    (``by_oblast``: also one chart per form with a curve per oblast, for an event's report).

    Returns ``{"chart": Chart | None, "rows": [{"title", "invited", "responded", "rate", "cells",
    "pairs": [(oblast label, cell)] (the non-empty cells)}],
    "oblast_charts": [Chart], "oblasts": [label]}`` with one cell per oblast, or None when no form in
    scope was sent to invited participants (public forms have no rate).  ``roster``: participant
    id → participant; ``now`` (UTC) ends the curve of a form still open.
    """
    hidden = summary.suppressed_label(min_group_size, lang)
    curves, rows, oblasts = [], [], []
    per_form = []
    oblast_charts: list[Chart] = []
    for f in forms:
        inv = rates.invited_ids(store, f)
        if inv is None:
            continue
        invited = {pid: (roster[pid].oblast if pid in roster else "") or "" for pid in inv}
        part = frame[frame["form_key"] == f.form_key]
        spec = specs[f.form_key]
        title = spec.title.get(lang) + (f" ({ui('pre_short', lang)})" if f.pre_test else "")
        scope = scope_title(plan, f, spec, lang)
        label = title if scope == spec.title.get(lang) else f"{title} — {scope}"
        end = min(parse_iso(f.deadline), now) if f.status == "open" else parse_iso(f.deadline)
        start = rates.invitation_time(store, f)
        if draw.allowed("response-curves"):
            curves.append((label, f.kind, rates.response_curve(part, invited, start, end)))
        if by_oblast and draw.allowed(f"curves-{f.form_key}"):
            oc = rates.response_curve(part, invited, start, end, by_oblast=True, min_group_size=min_group_size)
            shown = [(summary.group_label("oblast", g, lang), f.kind, oc[oc["group"] == g])
                     for g in dict.fromkeys(oc.loc[~oc["suppressed"], "group"])]
            hidden_groups = [summary.group_label("oblast", g, lang) for g in oc.loc[oc["suppressed"], "group"]]
            p = draw.cached(response_curve_chart, shown, draw.path(f"curves-{f.form_key}"), lang, draw.svg, label)
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
        cells = [("" if g not in by.index else (hidden if by.at[g, "suppressed"] else fmt_pct(by.at[g, "rate"])))
                 for g in oblasts]
        rows.append({"title": label, "invited": total, "responded": responded,
                     "rate": fmt_pct(responded / total) if total else "—", "cells": cells,
                     "pairs": [(summary.group_label("oblast", g, lang), c) for g, c in zip(oblasts, cells) if c]})
    p = draw.cached(response_curve_chart, curves, draw.path("response-curves"), lang, draw.svg) if curves else None
    note = chart_text.t("curve_note", lang) if len(curves) > 6 else ""
    return {"chart": draw.chart(p, chart_text.t("curve_title", lang), "curves", note), "rows": rows,
            "oblast_charts": oblast_charts,
            "oblasts": [summary.group_label("oblast", g, lang) for g in oblasts]}
