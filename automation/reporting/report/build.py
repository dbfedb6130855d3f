"""Build the mentor's report: one HTML page with the charts and key figures of the forms.

:func:`build_report` reads the store, draws every form's charts
(:func:`automation.reporting.charts.forms.form_charts`) under ``out_dir/charts/`` and writes
``out_dir/report.html`` (``report_<event_id>.html`` for one event), rendered
with Jinja2 (autoescape on: respondent text is data, never markup) from
``automation/reporting/templates/report.html.j2``.  :func:`summary_json` gives the
machine-readable summary of issue 4 (``summary.json``); :func:`data_hash` tells the reports job
whether a report needs rebuilding.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from automation.analysis import summary
from automation.analysis.frame import answers_frame, form_specs
from automation.errors import AutomationError
from automation.model import BISHKEK, LANGS, I18n, utc_now
from automation.reporting.charts.chart import slug
from automation.reporting.report.changes import diff_snapshots, snapshot, snapshot_path
from automation.reporting.report.form_report import form_report, pre_post_pairs
from automation.reporting.report.scope import plan_event_title, pre_tests_first, select_forms, spec_of_row
from automation.reporting.report.section_charts import SectionCharts
from automation.reporting.report.sections import feedback_section, needs_section, posttest_section, rates_section
from automation.reporting.report.text import UI, ui
from automation.store import Store


#: The Jinja2 templates of the report (``report.html.j2``).
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
#: The club's name when the plan gives none.
DEFAULT_CLUB = I18n(ky="Жергиликтүү кеңештердин аял депутаттар клубу", ru="Клуб женщин-депутатов местных кенешей")


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.0f}%"
    env.filters["local_date"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y")
    env.filters["local_dt"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")
    return env


def build_report(store: Store, out_dir: str | Path, lang: str = "ru", event_id: str | None = None,
                 min_group_size: int = summary.MIN_GROUP_SIZE, now: datetime | None = None,
                 write_json: bool = False, plan: Any = None, svg: bool = False) -> Path:
    """Write the mentor's report and its charts; return the HTML path.

    - ``out_dir/report.html`` (all forms) or ``out_dir/report_<event_id>.html``
      (the forms of one event); charts as ``out_dir/charts/<form key>.<question>.<lang>.png``,
      linked by relative path.
    - ``lang``: ``ru`` or ``ky`` for every heading, title and label.
    - ``now``: the generation time (UTC; default the clock), shown in Asia/Bishkek.
    - ``plan``: an :class:`automation.plan.model.Plan` (optional) for the club's name
      and event titles; without it the event id is shown.
    - ``write_json``: also write ``out_dir/summary.json`` (:func:`summary_json`).
    - ``svg``: also write each chart as SVG.
    - Season and event charts: ``charts/season-report.<name>.<lang>.png`` and
      ``charts/<event>-report.<name>.<lang>.png`` (a hyphen no form key has).
    - The state compared by the next build ("what changed") is written to
      ``out_dir/.last-report.<season|event>.<lang>.json``.

    Raises :class:`AutomationError` for an unknown language or an event without forms.
    """
    if lang not in LANGS:
        raise AutomationError(f"report: unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
    out = Path(out_dir)
    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    forms = pre_tests_first(select_forms(store, event_id))
    keys = [f.form_key for f in forms]
    frame = answers_frame(store, keys)
    specs = form_specs(store, keys)
    roster = {p.id: p for p in store.roster.participants(active_only=False)}
    reports = [form_report(store, f, frame, charts_dir, lang, min_group_size, plan, svg, roster) for f in forms]
    pairs = pre_post_pairs(reports)
    now = now or utc_now()
    draw = SectionCharts(charts_dir, f"{slug(event_id)}-report" if event_id else "season-report", lang, svg,
                         min_group_size)
    post_s = posttest_section(forms, frame, specs, plan, lang, min_group_size, draw)
    needs_s = needs_section(store, forms, frame, specs, lang, min_group_size, draw)
    fb_s = feedback_section(forms, frame, specs, plan, lang, min_group_size, draw)
    rates_s = rates_section(store, forms, frame, specs, plan, lang, min_group_size, draw, roster, now,
                            by_oblast=event_id is not None)
    snap = snapshot(forms, frame, specs, lang, now, min_group_size, post_s["overall"] if post_s else None)
    snap_path = snapshot_path(out, event_id, lang)
    try:
        previous = json.loads(snap_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    changes = diff_snapshots(previous, snap, lang, min_group_size)
    rates = [r.rate for r in reports if r.rate is not None]
    post_shares = [s for r in reports if r.score is not None and not r.pre_test for s in r.score_shares]
    club = getattr(getattr(plan, "club", None), "name", None) or DEFAULT_CLUB
    event_title = plan_event_title(plan, event_id, lang) if event_id else None
    key_figures = {
        "forms": len(reports),
        "responses": sum(r.responses for r in reports),
        "mean_rate": sum(rates) / len(rates) if rates else None,
        "mean_post": sum(post_shares) / len(post_shares) if post_shares else None,
        "pre_post": pairs,
        "gain": post_s["overall"] if post_s else None,
    }
    html = _env().get_template("report.html.j2").render(
        T=UI[lang], lang=lang, club=club.get(lang),
        heading=ui("report_event", lang, event=event_title) if event_id else ui("report", lang),
        generated=ui("generated", lang, when=now.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")),
        key=key_figures, forms=reports, charts_rel=lambda p: f"charts/{Path(p).name}",
        suppression=ui("suppression", lang, n=min_group_size, label=summary.suppressed_label(min_group_size, lang)),
        posttests=post_s, needs=needs_s, feedback=fb_s, rates=rates_s, changes=changes,
        hidden=summary.suppressed_label(min_group_size, lang), min_group_size=min_group_size,
    )
    path = out / (f"report_{slug(event_id)}.html" if event_id else "report.html")
    path.write_text(html, encoding="utf-8")
    snap_path.write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    draw.remove_stale()
    if write_json:
        (out / "summary.json").write_text(
            json.dumps(summary_json(store, lang, event_id, frame, min_group_size), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def summary_json(store: Store, lang: str = "ru", event_id: str | None = None,
                 frame: pd.DataFrame | None = None,
                 min_group_size: int = summary.MIN_GROUP_SIZE) -> list[dict[str, Any]]:
    """The machine-readable summary (issue 4's ``summary.json``): for each form, in store order,
    ``{"form": title, "form_key", "event_id", "kind", "responses": N, "suppressed": bool, "questions":
    [{"question_id", "title", "kind", "answered", "counts": {label: n}}]}`` — counts for choice, scale
    and grid questions (grid keys ``"Row: Column"``), ``{}`` for text and date questions.  A form with
    1..``min_group_size``−1 responses is ``"suppressed": true``: its questions keep their ids, titles
    and kinds, with ``"answered": null`` and ``"counts": {}`` (:mod:`automation.analysis.suppression`).
    ``frame``: the tidy frame of these forms when the caller has it already (:func:`build_report` does)."""
    forms = select_forms(store, event_id)
    if frame is None:
        frame = answers_frame(store, [f.form_key for f in forms])
    out = []
    for f in forms:
        spec = spec_of_row(f)
        rows = frame[frame["form_key"] == f.form_key]
        n = len(store.responses.list(f.form_key))
        small = 0 < n < min_group_size
        qs = [{k: c[k] for k in ("question_id", "title", "kind", "answered", "counts")}
              for c in summary.question_counts(spec, rows, lang)]
        if small:
            qs = [{**q, "answered": None, "counts": {}} for q in qs]
        out.append({"form": spec.title.get(lang), "form_key": f.form_key, "event_id": f.event_id,
                    "kind": spec.kind, "responses": n, "suppressed": small, "questions": qs})
    return out


def data_hash(store: Store, event_id: str | None = None) -> str:
    """A SHA-256 of everything a report shows (forms, responses, links, roster oblasts):
    a report whose hash has not changed need not be rebuilt (the ``reports`` table)."""
    h = hashlib.sha256()
    for f in select_forms(store, event_id) if store.forms.all() else []:
        h.update(json.dumps([f.form_key, f.spec_json, f.status, f.opens, f.deadline,
                             f.audience]).encode())
        for r in store.responses.list(f.form_key):
            h.update(json.dumps([r.response_id, r.participant_id, r.submitted_at,
                                 r.answers_json]).encode())
        for pid in store.forms.links(f.form_key):
            h.update(pid.encode())
    for p in store.roster.participants(active_only=False):
        h.update(json.dumps([p.id, p.oblast, p.active]).encode())
    return h.hexdigest()
