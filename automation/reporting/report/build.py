"""Build the mentor's report: a first screen with her four questions, and drill-down pages a click away.

:func:`build_report` reads the store and writes, rendered with Jinja2 (autoescape on: respondent
text is data, never markup) from ``automation/reporting/templates/``:

- the season (``event_id`` None): ``report.html`` — the first screen (:mod:`.overview`);
  ``report_details.html`` — every section of the season (what changed, post-tests, needs,
  feedback, response rates); ``report_<event>.html`` for every event with forms and
  ``form_<form key>.html`` for every form;
- one event: ``report_<event>.html`` and its forms' pages.

Pages whose data did not change since the last build are not written again (:mod:`.pages`), and
the only images are the season's two trend charts, cached by the data they show
(:class:`~automation.reporting.report.section_charts.SectionCharts`); every other figure is a
table or a bar the page draws itself.  :func:`summary_json` gives the machine-readable summary of
issue 4 (``summary.json``; the first screen's answers go to ``overview.json`` beside it);
:func:`data_hash` tells the reports job whether a report needs rebuilding.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from automation.analysis import overview as overview_data
from automation.analysis import summary
from automation.analysis.frame import answers_frame, form_specs
from automation.errors import AutomationError
from automation.model import BISHKEK, LANGS, I18n, utc_now
from automation.reporting.charts.chart import slug
from automation.reporting.report.changes import diff_snapshots, snapshot, snapshot_path
from automation.reporting.report.event_changes import TEXT, compare_events, new_responses, previous_event
from automation.reporting.report.form_report import FormReport, form_report, pre_post_pairs
from automation.analysis.rates import invited_ids
from automation.reporting.report.overview import DETAILS_PAGE, event_page, form_page, overview_view
from automation.reporting.report.overview_text import OVERVIEW, ot
from automation.reporting.report.pages import Memo, PageWriter
from automation.reporting.report.scope import plan_event_title, pre_tests_first, select_forms, spec_of_row
from automation.reporting.report.section_charts import SectionCharts
from automation.reporting.report.sections import feedback_section, needs_section, posttest_section, rates_section
from automation.reporting.report.text import UI, ui
from automation.store import Store


#: The Jinja2 templates of the report.
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
#: The club's name when the plan gives none.
DEFAULT_CLUB = I18n(ky="Жергиликтүү кеңештердин аял депутаттар клубу", ru="Клуб женщин-депутатов местных кенешей")
#: The only image files of the season's pages (names of :meth:`SectionCharts.path`): the gain by event
#: (two events with pre- and post-tests or more); the evaluations' trend is an SVG in the page.
SEASON_CHARTS = ("gain-event_id",)


def _code_digest() -> str:
    """A SHA-256 of the templates and of the code that fills them: a page written by another version of
    the report is written again (the page cache would otherwise keep it)."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for p in sorted([*TEMPLATES_DIR.glob("*.j2"), *here.glob("*.py"), here.parents[1] / "analysis" / "overview.py"]):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    """The templates' environment, made once a process; compiled templates are also kept between
    processes in Jinja2's cache under the temporary directory (compiling takes about a second)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             bytecode_cache=jinja2.FileSystemBytecodeCache())
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.0f}%"
    env.filters["local_date"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y")
    env.filters["local_dt"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")
    return env


class _Build:
    """What every page of one build shares: the forms, the tidy frame, the specs, the roster, the caches."""

    def __init__(self, store: Store, out: Path, lang: str, event_id: str | None, k: int, now: datetime,
                 plan: Any, svg: bool):
        self.store, self.out, self.lang, self.k, self.now, self.plan, self.svg = \
            store, out, lang, k, now, plan, svg
        self.forms = pre_tests_first(select_forms(store, event_id))
        keys = [f.form_key for f in self.forms]
        self.frame = answers_frame(store, keys)
        self.by_form = dict(tuple(self.frame.groupby("form_key", sort=False))) if len(self.frame) else {}
        self.specs = form_specs(store, keys)
        self.roster = {p.id: p for p in store.roster.participants(active_only=False)}
        self._reports: dict[str, FormReport] = {}
        club = getattr(getattr(plan, "club", None), "name", None) or DEFAULT_CLUB
        self.env = _env()
        self.pages = PageWriter(out)
        self.memo = Memo(out)
        self.common = {
            "T": UI[lang], "O": OVERVIEW[lang], "lang": lang, "club": club.get(lang),
            "generated": ui("generated", lang, when=now.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")),
            "hidden": summary.suppressed_label(k, lang), "min_group_size": k,
            "gloss_hidden": ot("gloss_hidden", lang, label=summary.suppressed_label(k, lang), n=k),
            "charts_rel": lambda p: f"charts/{Path(p).name}", "event_page": event_page, "form_page": form_page,
            "details_page": DETAILS_PAGE,
        }
        h = hashlib.sha256(json.dumps([_code_digest(), lang, k, svg, sorted((p.id, p.oblast, p.active) for p in self.roster.values()),
                                       [(e.id, e.title.get(lang)) for e in getattr(plan, "events", ()) or ()],
                                       sorted((str(d), t.get(lang)) for d, t in
                                              (getattr(getattr(plan, "tea_talk", None), "topics", None) or {}).items())],
                                      default=str).encode())
        self.base_digest = h.hexdigest()
        self._digests: dict[str, str] = {}
        self._light: dict[str, dict[str, Any]] = {}

    def add(self, forms: list[Any]) -> None:
        """Also read the answers and specs of ``forms`` outside the build's scope (an event page compares
        itself with the previous comparable event, which a one-event build does not cover)."""
        keys = [f.form_key for f in forms if f.form_key not in self.specs]
        if not keys:
            return
        more = answers_frame(self.store, keys)
        self.specs.update(form_specs(self.store, keys))
        self.frame = pd.concat([self.frame, more], ignore_index=True) if len(more) else self.frame
        self.by_form.update(dict(tuple(more.groupby("form_key", sort=False))) if len(more) else {})

    def rows(self, key: str) -> pd.DataFrame:
        """The tidy frame's rows of one form."""
        return self.by_form.get(key, self.frame.iloc[:0])

    def form_digest(self, f: Any) -> str:
        """A SHA-256 of one form's row, links and responses (with the build's language, threshold, roster, plan)."""
        if f.form_key not in self._digests:
            h = hashlib.sha256(self.base_digest.encode())
            h.update(json.dumps([f.form_key, f.spec_json, f.status, f.opens, f.deadline, f.audience, f.pre_test,
                                 sorted(self.store.forms.links(f.form_key))]).encode())
            for r in self.store.responses.list(f.form_key):
                h.update(json.dumps([r.response_id, r.participant_id, r.submitted_at, r.answers_json]).encode())
            self._digests[f.form_key] = h.hexdigest()
        return self._digests[f.form_key]

    def digest(self, forms: list[Any]) -> str:
        """A SHA-256 of everything a page or section of these forms shows."""
        return hashlib.sha256("|".join(self.form_digest(f) for f in forms).encode()).hexdigest()

    def report(self, key: str) -> FormReport:
        """One form's :class:`FormReport`, computed once (only for the pages written again)."""
        if key not in self._reports:
            f = next(x for x in self.forms if x.form_key == key)
            self._reports[key] = form_report(self.store, f, self.frame, self.lang, self.k, self.plan, self.roster)
            if not f.pre_test and f"{key}.pre" in {x.form_key for x in self.forms}:
                pre_post_pairs([self.report(f"{key}.pre"), self._reports[key]])
        return self._reports[key]

    def light(self, f: Any) -> dict[str, Any]:
        """What a list of forms shows of one: title, event, responses, rate (cheap: no answers counted)."""
        if f.form_key not in self._light:
            self._light[f.form_key] = self._light_of(f)
        return self._light[f.form_key]

    def _light_of(self, f: Any) -> dict[str, Any]:
        spec = self.specs[f.form_key]
        rows = self.rows(f.form_key)
        rate = summary.response_rate(rows, invited_ids(self.store, f))
        return {"form_key": f.form_key, "title": spec.title.get(self.lang), "pre_test": bool(f.pre_test),
                "event_title": "" if f.event_id == f.form_key else plan_event_title(self.plan, f.event_id, self.lang),
                "responses": len(self.store.responses.list(f.form_key)), "invited": rate["invited"],
                "responded": rate["responded"], "rate": rate["rate"]}

    def counts(self) -> dict[str, list[dict[str, Any]] | None]:
        """Form key → its question counts (:func:`~automation.analysis.summary.question_counts`), each
        computed again only when the form's data changed."""
        def compute(key: str) -> Callable[[], Any]:
            return lambda: summary.question_counts(self.specs[key], self.rows(key), self.lang)

        return {f.form_key: self.memo.get(f"counts:{f.form_key}:{self.lang}", self.form_digest(f),
                                          compute(f.form_key)) for f in self.forms}

    def render(self, template: str, **kw: Any) -> str:
        """A page from ``template`` with the build's common values and ``kw``."""
        return self.env.get_template(template).render(**self.common, **kw)


def _events(b: _Build | None, forms: list[Any] | None = None) -> dict[str, list[Any]]:
    """Event id → its forms (surveys and School applications are not events), of the build or of ``forms``."""
    out: dict[str, list[Any]] = {}
    for f in (forms if forms is not None else b.forms if b is not None else []):
        if f.event_id != f.form_key and f.kind not in overview_data.NOT_EVENT_KINDS:
            out.setdefault(f.event_id, []).append(f)
    return out


def _event_changes(b: _Build, event_id: str, forms: list[Any], prev_id: str | None, prev_forms: list[Any],
                   data: dict[str, Any]) -> tuple[dict[str, Any], Callable[[], None]]:
    """The event page's "what changed" (:mod:`.event_changes`): against ``prev_id`` and since the page's
    last report; and the function that keeps this build's snapshot for the next (call it once written)."""
    keys = [f.form_key for f in forms]
    frame = b.frame[b.frame["form_key"].isin(keys)]
    cur = next((e for e in data["events"] if e["event_id"] == event_id),
               {"respondents": 0, "rating": None, "gain": None, "rating_n": 0, "gain_n": 0})
    prev = None
    if prev_id is not None:
        pkeys = [f.form_key for f in prev_forms]
        pframe = b.frame[b.frame["form_key"].isin(pkeys)]
        pspecs = {k: b.specs[k] for k in pkeys}
        prev = next(iter(overview_data.event_ranking(prev_forms, pframe, pspecs,
                                                     overview_data.gain_rows_of(pframe, pspecs), b.k)), None)
    vs = compare_events(cur, prev, plan_event_title(b.plan, prev_id or "", b.lang),
                        [b.light(f) for f in forms], [b.light(f) for f in prev_forms], b.lang)
    snap = snapshot(forms, frame, {k: b.specs[k] for k in keys}, b.lang, b.now, b.k, None)
    snap_path = snapshot_path(b.out, event_id, b.lang)
    try:
        previous = json.loads(snap_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    since = diff_snapshots(previous, snap, b.lang, b.k)

    def keep() -> None:
        snap_path.write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    return {"vs": vs, "since": since, "new": new_responses(previous, snap), "E": TEXT[b.lang]}, keep


def _event_page(b: _Build, event_id: str, forms: list[Any], events: dict[str, list[Any]] | None = None) -> Path:
    """Write one event's page (its four answers, what changed, its sections, its forms), unless unchanged.
    ``events``: the season's events (event id → forms, in order) to find the previous comparable one."""
    prev_id = previous_event(events or {}, event_id)
    prev_forms = (events or {}).get(prev_id, []) if prev_id else []
    b.add(prev_forms)

    def html() -> str:
        keys = [f.form_key for f in forms]
        frame = b.frame[b.frame["form_key"].isin(keys)]
        specs = {k: b.specs[k] for k in keys}
        draw = SectionCharts(b.out / "charts", f"{slug(event_id)}-report", b.lang, b.svg, b.k, allow=())
        data = overview_data.overview(b.store, forms, frame, specs, b.plan, b.lang, b.k, needs=False)
        changes, keep = _event_changes(b, event_id, forms, prev_id, prev_forms, data)
        page = b.render(
            "event.html.j2", heading=ui("report_event", b.lang, event=plan_event_title(b.plan, event_id, b.lang)),
            view=overview_view(data, forms, b.plan, b.lang, b.k, event_id), changes=changes,
            posttests=posttest_section(forms, frame, specs, b.plan, b.lang, b.k, draw),
            feedback=feedback_section(forms, frame, specs, b.plan, b.lang, b.k, draw),
            rates=rates_section(b.store, forms, frame, specs, b.plan, b.lang, b.k, draw, b.roster, b.now),
            forms=[b.light(f) for f in forms], back=True)
        keep()
        return page

    return b.pages.write(event_page(event_id), b.digest([*forms, *prev_forms]), html)


def _form_pages(b: _Build, forms: list[Any]) -> None:
    for f in forms:
        group = [x for x in b.forms if x.event_id == f.event_id] if f.event_id != f.form_key else [f]

        def html(key: str = f.form_key) -> str:
            r = b.report(key)
            return b.render("form.html.j2", heading=r.title, f=r, back=True,
                            event_href=event_page(r.event_id) if r.event_title else None)

        b.pages.write(form_page(f.form_key), b.digest(group), html)


def build_report(store: Store, out_dir: str | Path, lang: str = "ru", event_id: str | None = None,
                 min_group_size: int = summary.MIN_GROUP_SIZE, now: datetime | None = None,
                 write_json: bool = False, plan: Any = None, svg: bool = False) -> Path:
    """Write the mentor's report pages; return the path of its first page.

    - The season (``event_id`` None): ``out_dir/report.html`` (returned), ``report_details.html``,
      ``report_<event>.html`` per event and ``form_<form key>.html`` per form; one event:
      ``report_<event_id>.html`` (returned) and its forms' pages.
    - ``lang``: ``ru`` or ``ky`` for every heading, title and label.
    - ``now``: the generation time (UTC; default the clock), shown in Asia/Bishkek.
    - ``plan``: an :class:`automation.plan.model.Plan` (optional) for the club's name, event
      titles and the needs it covers; without it the event id is shown.
    - ``write_json``: also write ``out_dir/summary.json`` (:func:`summary_json`) and, for the
      season, ``out_dir/overview.json`` (:func:`automation.analysis.overview.overview`).
    - ``svg``: also write each chart as SVG.  The season's charts:
      ``charts/season-report.<name>.<lang>.png``.
    - The state compared by the next build ("what changed") is written to
      ``out_dir/.last-report.season.<lang>.json``.
    - Pages, sections and charts whose data did not change since the last build into ``out_dir``
      are reused (``.pages-cache.json``, ``.charts-cache.json``).

    Raises :class:`AutomationError` for an unknown language or an event without forms.
    """
    if lang not in LANGS:
        raise AutomationError(f"report: unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
    out = Path(out_dir)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    now = now or utc_now()
    b = _Build(store, out, lang, event_id, min_group_size, now, plan, svg)
    events = _events(b)
    if event_id is not None:
        path = _event_page(b, event_id, b.forms, _events(None, pre_tests_first(select_forms(store, None))))
        _form_pages(b, b.forms)
        if write_json:
            (out / "summary.json").write_text(json.dumps(summary_json(store, lang, event_id, b.frame, min_group_size,
                                                                      b.counts()), ensure_ascii=False, indent=2),
                                              encoding="utf-8")
        return path
    graded = [f for f in b.forms if b.specs[f.form_key].max_score > 0]
    needs_forms = [f for f in store.forms.all() if f.kind == "needs_assessment"]
    part_digest = {"weakest_items": b.digest(graded), "needs": b.digest(needs_forms)}
    data = overview_data.overview(
        store, b.forms, b.frame, b.specs, plan, lang, min_group_size,
        memo=lambda part, compute: b.memo.get(f"overview:{part}:{lang}", part_digest[part], compute))
    view = overview_view(data, b.forms, plan, lang, min_group_size)
    light = [b.light(f) for f in b.forms]
    rates = [x["rate"] for x in light if x["rate"] is not None]
    key_figures = {"forms": len(light), "responses": sum(x["responses"] for x in light),
                   "mean_rate": sum(rates) / len(rates) if rates else None}
    path = out / "report.html"
    path.write_text(b.render("overview.html.j2", heading=ui("report", lang), view=view, key=key_figures,
                             events=[(event_page(e), plan_event_title(plan, e, lang)) for e in events],
                             forms=light, back=False), encoding="utf-8")
    _details_page(b, graded, needs_forms)
    for ev, forms in events.items():
        _event_page(b, ev, forms, events)
    _form_pages(b, b.forms)
    b.pages.remove_stale(keep={path.name, DETAILS_PAGE})
    if write_json:
        (out / "summary.json").write_text(
            json.dumps(summary_json(store, lang, None, b.frame, min_group_size, b.counts()), ensure_ascii=False,
                       indent=2), encoding="utf-8")
        (out / "overview.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _details_page(b: _Build, graded: list[Any], needs_forms: list[Any]) -> Path:
    """The season's sections, with the trend charts (the only images) and what changed; each section
    is computed again only when its forms changed (:class:`~.pages.Memo`)."""
    draw = SectionCharts(b.out / "charts", "season-report", b.lang, b.svg, b.k, allow=SEASON_CHARTS)
    lang, k = b.lang, b.k
    feedback = [f for f in b.forms if f.kind == "event_feedback"]

    def post() -> dict[str, Any]:
        section = posttest_section(graded, b.frame, b.specs, b.plan, lang, k, draw)
        reports = [b.report(f.form_key) for f in graded]
        shares = [x for r in reports if r.score is not None and not r.pre_test for x in r.score_shares]
        return {"section": section, "pairs": [r.pre_post for r in reports if r.pre_post],
                "mean_post": sum(shares) / len(shares) if shares else None}

    p = b.memo.get(f"section:posttests:{lang}", b.digest(graded), post)
    post_s = p["section"]
    needs_s = b.memo.get(f"section:needs:{lang}", b.digest(needs_forms),
                         lambda: needs_section(b.store, b.forms, b.frame, b.specs, lang, k, draw))
    fb_s = b.memo.get(f"section:feedback:{lang}", b.digest(feedback),
                      lambda: feedback_section(b.forms, b.frame, b.specs, b.plan, lang, k, draw))
    rates_s = rates_section(b.store, b.forms, b.frame, b.specs, b.plan, lang, k, draw, b.roster, b.now)
    for c in [*(post_s or {}).get("charts", []), (fb_s or {}).get("chart")]:
        if c is not None:
            draw.drawn.add(c.path)
    snap = snapshot(b.forms, b.frame, b.specs, lang, b.now, k, post_s["overall"] if post_s else None)
    snap_path = snapshot_path(b.out, None, lang)
    try:
        previous = json.loads(snap_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    changes = diff_snapshots(previous, snap, lang, k)
    key = {"mean_post": p["mean_post"], "pre_post": p["pairs"], "gain": post_s["overall"] if post_s else None}
    path = b.out / DETAILS_PAGE
    path.write_text(b.render("details.html.j2", heading=ot("details_page", lang), key=key, posttests=post_s,
                             needs=needs_s, feedback=fb_s, rates=rates_s, changes=changes,
                             forms=[b.light(f) for f in b.forms], back=True), encoding="utf-8")
    snap_path.write_text(json.dumps(snap, ensure_ascii=False), encoding="utf-8")
    draw.remove_stale()
    return path


def summary_json(store: Store, lang: str = "ru", event_id: str | None = None,
                 frame: pd.DataFrame | None = None, min_group_size: int = summary.MIN_GROUP_SIZE,
                 counts: dict[str, list[dict[str, Any]] | None] | None = None) -> list[dict[str, Any]]:
    """The machine-readable summary (issue 4's ``summary.json``): for each form, in store order,
    ``{"form": title, "form_key", "event_id", "kind", "responses": N, "suppressed": bool, "questions":
    [{"question_id", "title", "kind", "answered", "counts": {label: n}}]}`` — counts for choice, scale
    and grid questions (grid keys ``"Row: Column"``), ``{}`` for text and date questions.  A form with
    1..``min_group_size``−1 responses is ``"suppressed": true``: its questions keep their ids, titles
    and kinds, with ``"answered": null`` and ``"counts": {}`` (:mod:`automation.analysis.suppression`).
    ``frame``: the tidy frame of these forms, and ``counts`` (form key → its
    :func:`~automation.analysis.summary.question_counts`), when the caller has them already
    (:func:`build_report` does)."""
    forms = select_forms(store, event_id)
    if frame is None:
        frame = answers_frame(store, [f.form_key for f in forms])
    out = []
    for f in forms:
        spec = spec_of_row(f)
        rows = frame[frame["form_key"] == f.form_key]
        n = len(store.responses.list(f.form_key))
        small = 0 < n < min_group_size
        known = (counts or {}).get(f.form_key)
        qs = [{k: c[k] for k in ("question_id", "title", "kind", "answered", "counts")}
              for c in (known if known is not None else summary.question_counts(spec, rows, lang))]
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
