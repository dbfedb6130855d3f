"""The first screen of a report: the four answers (:mod:`automation.analysis.overview`) as text, bars and
links (:func:`overview_view`), and the pages' file names (:func:`event_page`, :func:`form_page`)."""

from __future__ import annotations

from typing import Any

from automation.analysis import summary
from automation.reporting.charts.chart import slug
from automation.reporting.report.overview_text import ot
from automation.reporting.report.scope import plan_event_title
from automation.reporting.report.text import fmt_num, fmt_pct, ui

#: The season's drill-down page of every section (post-tests, needs, feedback, response rates, changes).
DETAILS_PAGE = "report_details.html"


def event_page(event_id: str) -> str:
    """The file name of an event's page: ``report_<event>.html``."""
    return f"report_{slug(event_id)}.html"


def form_page(form_key: str) -> str:
    """The file name of a form's page: ``form_<form key>.html``."""
    return f"form_{slug(form_key)}.html"


def _width(v: float | None, top: float) -> int:
    """A bar's length in percent of the widest."""
    return 0 if v is None or top <= 0 else max(2, round(100 * v / top))


def overview_view(data: dict[str, Any], forms: list[Any], plan: Any, lang: str, min_group_size: int,
                  event_id: str | None = None) -> dict[str, Any]:
    """The template's view of :func:`automation.analysis.overview.overview` ``data``: rows with
    their texts (numbers formatted, hidden cells as "менее 3"), bar widths and page links.
    ``forms``: the stored forms in scope (for titles); ``event_id``: the event of an event page."""
    hidden = summary.suppressed_label(min_group_size, lang)
    titles = {f.form_key: f.spec().title.get(lang) + (f" ({ui('pre_short', lang)})" if f.pre_test else "")
              for f in forms}
    events = []
    top_rating = max([e["rating"] for e in data["events"] if e["rating"] is not None], default=0)
    for e in data["events"]:
        events.append({
            "rank": e["rank"] or "—", "title": plan_event_title(plan, e["event_id"], lang),
            "href": event_page(e["event_id"]), "respondents": e["respondents"],
            "rating": fmt_num(e["rating"], 1) if e["rating"] is not None else ot("small_rating", lang),
            "rating_hidden": e["rating"] is None, "width": _width(e["rating"], top_rating),
            "top": fmt_pct(e["top_share"]) if e["top_share"] is not None else "—",
            "gain": fmt_num(e["gain"]) if e["gain"] is not None else "—",
            "gain_n": e["gain_n"]})
    ob = data["oblasts"]
    oblasts = [{"label": summary.group_label("oblast", r["group"], lang),
                "members": hidden if r["suppressed"] else r["members"],
                "rate": hidden if r["suppressed"] else fmt_pct(r["rate"]),
                "answered": "" if r["suppressed"] else f"{r['answered']} / {r['invited']}",
                "gain": hidden if r["suppressed"] else (fmt_num(r["gain"]) if r["gain"] is not None else "—"),
                "width": _width(r["rate"], 1.0), "behind": r["behind"], "suppressed": r["suppressed"]}
               for r in ob["rows"]]
    o = ob["overall"]
    overall = {"members": hidden if o["members"] is None else o["members"], "rate": fmt_pct(o["rate"]),
               "answered": f"{o['answered']} / {o['invited']}" if o["invited"] else "",
               "gain": fmt_num(o["gain"]) if o["gain"] is not None else "—", "width": _width(o["rate"], 1.0)}
    na = data["not_answered"]
    top_na = max([r["count"] or 0 for r in na["by_oblast"]], default=0)
    not_answered = {
        "explain": ot("q3_explain_event" if event_id else "q3_explain_open" if na["open"] else "q3_explain_last", lang),
        "people": hidden if na["people"] is None else na["people"],
        "forms": [{"title": titles.get(r["form_key"], r["form_key"]), "href": form_page(r["form_key"]),
                   "event": plan_event_title(plan, next((f.event_id for f in forms if f.form_key == r["form_key"]), ""),
                                             lang),
                   "not_answered": r["not_answered"], "invited": r["invited"]} for r in na["forms"]],
        "by_oblast": [{"label": summary.group_label("oblast", r["group"], lang),
                       "count": hidden if r["suppressed"] else r["count"], "suppressed": r["suppressed"],
                       "width": _width(r["count"], top_na)} for r in na["by_oblast"]]}
    flag = {k: ui(f"flag_{k}", lang) for k in ("too_hard", "too_easy", "low_discrimination",
                                                "negative_discrimination")}
    weak = [{"title": w["title"], "event": plan_event_title(plan, w["event_id"], lang),
             "href": form_page(w["form_key"]), "share": fmt_pct(w["share"]), "width": _width(w["share"], 1.0),
             "n": w["responses"], "discrimination": fmt_num(w["discrimination"]),
             "flags": ", ".join(flag[f] for f in w["flags"])} for w in data["weakest_items"]]
    needs = None
    if data["needs"] is not None:
        n = data["needs"]
        needs = {"respondents": n["respondents"], "href": form_page(n["form_key"]),
                 "topics": [{"label": t["label"], "share": fmt_pct(t["share"]) if t["share"] is not None else "—",
                             "priority": fmt_num(t["priority"], 1) if t["priority"] is not None else "",
                             "width": _width(t["share"], 1.0), "rank": t["rank"]} for t in n["topics"]]}
    return {"events": events, "oblasts": oblasts, "overall": overall, "not_answered": not_answered,
            "weak": weak, "needs": needs, "event_id": event_id}
