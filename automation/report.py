"""The mentor's report: one HTML page with the charts and key figures of the forms.

:func:`build_report` reads the store, draws every form's charts
(:func:`automation.charts.form_charts`) under ``out_dir/charts/`` and writes
``out_dir/report.html`` (``report_<event_id>.html`` for one event), rendered
with Jinja2 (autoescape on: respondent text is data, never markup) from
``automation/report_templates/report.html.j2``.  :func:`summary_json` gives the
machine-readable summary of issue 4 (``summary.json``).

Do no harm (DESIGN.md principle 8): the report shows no names, e-mail
addresses or phone numbers — non-respondents appear as counts per oblast, and
every breakdown by oblast hides groups smaller than ``min_group_size``
("менее 3" / "3төн аз"); answers to personal-data questions are never listed
and contacts typed into open answers are masked.  Texts of applications to the
School (form kind ``school_application``) are not listed: the selection
commission scores them under codes.

Times are shown in Asia/Bishkek.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from . import charts as charts_mod
from .analysis import summary
from .analysis.frame import answers_frame
from .errors import AutomationError
from .model import BISHKEK, LANGS, FormSpec, I18n, form_spec_from_json, parse_iso, utc_now
from .store import Store

TEMPLATES_DIR = Path(__file__).resolve().parent / "report_templates"
DEFAULT_CLUB = I18n(ky="Жергиликтүү кеңештердин аял депутаттар клубу", ru="Клуб женщин-депутатов местных кенешей")
#: Form kinds whose open answers are not listed in the report (scored by the commission under codes).
NO_OPEN_TEXT_KINDS = ("school_application",)

#: Headings and labels of the report in both languages.
UI: dict[str, dict[str, str]] = {
    "ru": {
        "report": "Отчёт для ментора",
        "report_event": "Отчёт для ментора: {event}",
        "org": "АМУЦА — Академия местного управления Центральной Азии",
        "generated": "Сформирован {when} (время Бишкека)",
        "key_figures": "Ключевые показатели",
        "forms": "Формы",
        "responses": "Ответы",
        "mean_rate": "Средняя доля ответивших",
        "mean_post": "Средний балл пост-тестов",
        "pre_post": "Пре-тест → пост-тест (средний балл)",
        "event": "Мероприятие",
        "dates": "Сроки",
        "status_open": "открыта",
        "status_closed": "закрыта",
        "responses_invited": "Ответили / приглашены",
        "rate": "Доля ответивших",
        "public_form": "открытая анонимная ссылка — доля ответивших не считается",
        "no_responses": "Ответов пока нет.",
        "charts": "Графики",
        "score": "Результаты теста",
        "n": "Ответов",
        "mean": "Среднее",
        "median": "Медиана",
        "min": "Минимум",
        "max": "Максимум",
        "max_score": "макс. {n} б.",
        "by_oblast": "По областям",
        "oblast": "Область",
        "respondents": "Ответили",
        "mean_score": "Средний балл",
        "open_texts": "Открытые ответы",
        "other_texts": "{title} — «Другое»",
        "no_open_texts": "Открытых ответов нет.",
        "texts_withheld": "Тексты заявок в отчёт не включаются: комиссия оценивает заявки под кодами.",
        "non_respondents": "Не ответили — по областям",
        "non_respondents_total": "Всего не ответили: {n}",
        "everyone_answered": "Ответили все приглашённые.",
        "count": "Число",
        "suppression": ("Группы меньше {n} человек не показываются («{label}»), "
                        "чтобы нельзя было узнать отдельных участниц."),
        "contacts": "Имена и контакты участниц в отчёт не включаются.",
        "dash": "—",
        "pre_short": "пре-тест",
        "post_short": "пост-тест",
        "contact_masked": "[контакт скрыт]",
        "contents": "Содержание",
        "no_forms": "Форм пока нет.",
    },
    "ky": {
        "report": "Ментор үчүн отчёт",
        "report_event": "Ментор үчүн отчёт: {event}",
        "org": "АМУЦА — Борбордук Азиянын жергиликтүү башкаруу академиясы",
        "generated": "Түзүлгөн убактысы: {when} (Бишкек убактысы)",
        "key_figures": "Негизги көрсөткүчтөр",
        "forms": "Формалар",
        "responses": "Жооптор",
        "mean_rate": "Жооп бергендердин орточо үлүшү",
        "mean_post": "Пост-тесттердин орточо баллы",
        "pre_post": "Пре-тест → пост-тест (орточо балл)",
        "event": "Иш-чара",
        "dates": "Мөөнөттөрү",
        "status_open": "ачык",
        "status_closed": "жабык",
        "responses_invited": "Жооп бергендер / чакырылгандар",
        "rate": "Жооп бергендердин үлүшү",
        "public_form": "ачык анонимдүү шилтеме — жооп бергендердин үлүшү эсептелбейт",
        "no_responses": "Азырынча жооп жок.",
        "charts": "Графиктер",
        "score": "Тесттин жыйынтыктары",
        "n": "Жооптор",
        "mean": "Орточо",
        "median": "Медиана",
        "min": "Эң төмөн",
        "max": "Эң жогору",
        "max_score": "макс. {n} балл",
        "by_oblast": "Облустар боюнча",
        "oblast": "Облус",
        "respondents": "Жооп бергендер",
        "mean_score": "Орточо балл",
        "open_texts": "Ачык жооптор",
        "other_texts": "{title} — «Башка»",
        "no_open_texts": "Ачык жооптор жок.",
        "texts_withheld": "Арыздардын тексттери отчётко кирбейт: комиссия арыздарды коддор менен баалайт.",
        "non_respondents": "Жооп бербегендер — облустар боюнча",
        "non_respondents_total": "Бардыгы болуп жооп бербегендер: {n}",
        "everyone_answered": "Чакырылгандардын баары жооп берди.",
        "count": "Саны",
        "suppression": ("{n} адамдан аз топтор көрсөтүлбөйт («{label}»), "
                        "катышуучуларды өзүнчө тааныганга мүмкүн болбошу үчүн."),
        "contacts": "Катышуучулардын аты-жөнү жана байланыш маалыматтары отчётко кирбейт.",
        "dash": "—",
        "pre_short": "пре-тест",
        "post_short": "пост-тест",
        "contact_masked": "[байланыш жашырылды]",
        "contents": "Мазмуну",
        "no_forms": "Азырынча форма жок.",
    },
}


def ui(key: str, lang: str = "ru", **kw: Any) -> str:
    """A report string in ``lang``, formatted with ``kw``."""
    return UI[lang][key].format(**kw)


# --- the data behind one form's section ---------------------------------------------


@dataclass
class FormReport:
    """Everything the report shows about one form (built by :func:`form_report`)."""

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
    charts: list[charts_mod.Chart] = field(default_factory=list)
    score: dict[str, Any] | None = None
    score_shares: list[float] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    open_texts: list[dict[str, Any]] = field(default_factory=list)
    texts_withheld: bool = False
    non_respondents: list[dict[str, Any]] = field(default_factory=list)
    non_respondents_total: int | None = None
    pre_post: dict[str, Any] | None = None


def _spec(row: Any) -> FormSpec:
    return form_spec_from_json(json.loads(row["spec_json"]))


def invited_ids(store: Store, form_row: Any) -> list[str] | None:
    """Participant ids a form was sent to: its personal links (``form_links``), or the
    active roster when it has none; None for a public (anonymous link) form."""
    if (form_row["audience"] or "roster") == "public":
        return None
    links = [r[0] for r in store.db.execute("SELECT participant_id FROM form_links WHERE form_key = ?",
                                            (form_row["form_key"],))]
    return links if links else [p.id for p in store.participants(active_only=True)]


def _event_title(plan: Any, event_id: str, lang: str) -> str:
    for ev in getattr(plan, "events", ()) or ():
        if ev.id == event_id:
            return ev.title.get(lang)
    return event_id


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


def form_report(store: Store, form_row: Any, frame: pd.DataFrame, charts_dir: Path, lang: str = "ru",
                min_group_size: int = summary.MIN_GROUP_SIZE, plan: Any = None, svg: bool = False,
                roster: dict[str, Any] | None = None) -> FormReport:
    """Compute one form's section and draw its charts.  ``frame``: the whole tidy frame (filtered here)."""
    spec = _spec(form_row)
    key = form_row["form_key"]
    rows = frame[frame["form_key"] == key]
    invited = invited_ids(store, form_row)
    rate = summary.response_rate(rows, invited)
    fr = FormReport(
        form_key=key, title=spec.title.get(lang), kind=spec.kind, event_id=form_row["event_id"],
        # a survey's event id is its own form key: it belongs to no event
        event_title="" if form_row["event_id"] == key else _event_title(plan, form_row["event_id"], lang),
        pre_test=bool(form_row["pre_test"]),
        opens=parse_iso(form_row["opens"]), deadline=parse_iso(form_row["deadline"]), status=form_row["status"],
        responses=len(store.responses(key)), invited=rate["invited"], responded=rate["responded"],
        rate=rate["rate"],
    )
    fr.charts = _cached_charts(spec, rows, charts_dir, lang, min_group_size, svg, key)
    graded = spec.max_score > 0
    if graded:
        fr.score = summary.score_summary(spec, rows)
        fr.score_shares = summary.score_shares(spec, rows).tolist()
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
    if invited is not None:
        roster = roster if roster is not None else {p.id: p for p in store.participants(active_only=False)}
        inv = {pid: (roster[pid].oblast if pid in roster else "") for pid in invited}
        nr = summary.non_respondents_by_oblast(inv, rows, min_group_size)
        hidden = summary.suppressed_label(min_group_size, lang)
        fr.non_respondents = [{"label": summary.group_label("oblast", g.group, lang),
                               "count": hidden if g.suppressed else str(int(g.non_respondents))}
                              for g in nr.itertuples(index=False)]
        fr.non_respondents_total = len(inv) - (rate["responded"] or 0)
    return fr


def _cached_charts(spec: FormSpec, rows: pd.DataFrame, charts_dir: Path, lang: str, min_group_size: int,
                   svg: bool, key: str) -> list[charts_mod.Chart]:
    """Draw a form's charts, or reuse the files of the last build when its data did not change.

    The hash covers the spec, the form's rows of the tidy frame (answers and the
    roster columns joined to them) and the drawing options; it is kept in
    ``.charts-cache.json`` beside the charts folder.  Drawing is the slow part of a report
    (about 0.15 s a chart), and most forms are closed and unchanged.
    """
    cache_path = charts_dir.parent / ".charts-cache.json"
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    h = hashlib.sha256(json.dumps([spec.to_json(), lang, min_group_size, svg], sort_keys=True).encode())
    h.update(pd.util.hash_pandas_object(rows.astype(str), index=False).values.tobytes())
    digest = h.hexdigest()
    entry = cache.get(f"{key}|{lang}")
    if entry and entry["hash"] == digest:
        charts = [charts_mod.Chart(**{**c, "path": Path(c["path"]),
                                      "svg_path": Path(c["svg_path"]) if c.get("svg_path") else None})
                  for c in entry["charts"]]
        if all(c.path.exists() for c in charts):
            return charts
    charts = charts_mod.form_charts(spec, rows, charts_dir, lang, min_group_size, svg=svg, prefix=key)
    cache[f"{key}|{lang}"] = {"hash": digest, "charts": [
        {**c.__dict__, "path": str(c.path), "svg_path": str(c.svg_path) if c.svg_path else None} for c in charts]}
    cache_path.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    return charts


# --- the whole report ---------------------------------------------------------------


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.0f}%"
    env.filters["local_date"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y")
    env.filters["local_dt"] = lambda d: d.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")
    return env


def _select_forms(store: Store, event_id: str | None) -> list[Any]:
    forms = store.forms()
    if event_id is None:
        return forms
    chosen = [f for f in forms if f["event_id"] == event_id]
    if not chosen:
        known = ", ".join(sorted({f["event_id"] for f in forms})) or "none yet"
        raise AutomationError(f"report: no forms of event {event_id!r} in the store (events with forms: {known}). "
                              "Check the event id in the plan, or create its forms first.")
    return chosen


def _pre_tests_first(forms: list[Any]) -> list[Any]:
    """Store order (by opening date), except that a pre-test ``X.pre`` comes right before its post-test ``X``."""
    order = {f["form_key"]: i for i, f in enumerate(forms)}

    def key(f: Any) -> tuple[int, int]:
        k = f["form_key"]
        base = k[:-4] if k.endswith(".pre") and k[:-4] in order else k
        return (order[base], 0 if base != k else 1)

    return sorted(forms, key=key)


def _pre_post(reports: list[FormReport]) -> list[dict[str, Any]]:
    """Pairs ``X.pre`` (pre-test) → ``X`` (post-test) with mean score shares."""
    by_key = {r.form_key: r for r in reports}
    pairs = []
    for r in reports:
        if r.pre_test or r.score is None:
            continue
        pre = by_key.get(f"{r.form_key}.pre")
        if pre is None or pre.score is None:
            continue
        d = {"title": r.event_title or r.title, "form_key": r.form_key, "pre": pre.score["mean"],
             "post": r.score["mean"], "n_pre": pre.score["n"], "n_post": r.score["n"]}
        r.pre_post = d
        pairs.append(d)
    return pairs


def build_report(store: Store, out_dir: str | Path, lang: str = "ru", event_id: str | None = None,
                 min_group_size: int = summary.MIN_GROUP_SIZE, now: datetime | None = None,
                 write_json: bool = False, plan: Any = None, svg: bool = False) -> Path:
    """Write the mentor's report and its charts; return the HTML path.

    - ``out_dir/report.html`` (all forms) or ``out_dir/report_<event_id>.html``
      (the forms of one event); charts as ``out_dir/charts/<form key>.<question>.<lang>.png``,
      linked by relative path.
    - ``lang``: ``ru`` or ``ky`` for every heading, title and label.
    - ``now``: the generation time (UTC; default the clock), shown in Asia/Bishkek.
    - ``plan``: an :class:`automation.plan.Plan` (optional) for the club's name
      and event titles; without it the event id is shown.
    - ``write_json``: also write ``out_dir/summary.json`` (:func:`summary_json`).
    - ``svg``: also write each chart as SVG.

    Raises :class:`AutomationError` for an unknown language or an event without forms.
    """
    if lang not in LANGS:
        raise AutomationError(f"report: unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
    out = Path(out_dir)
    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    forms = _pre_tests_first(_select_forms(store, event_id))
    frame = answers_frame(store, [f["form_key"] for f in forms])
    roster = {p.id: p for p in store.participants(active_only=False)}
    reports = [form_report(store, f, frame, charts_dir, lang, min_group_size, plan, svg, roster) for f in forms]
    pairs = _pre_post(reports)
    rates = [r.rate for r in reports if r.rate is not None]
    post_shares = [s for r in reports if r.score is not None and not r.pre_test for s in r.score_shares]
    club = getattr(getattr(plan, "club", None), "name", None) or DEFAULT_CLUB
    event_title = _event_title(plan, event_id, lang) if event_id else None
    key_figures = {
        "forms": len(reports),
        "responses": sum(r.responses for r in reports),
        "mean_rate": sum(rates) / len(rates) if rates else None,
        "mean_post": sum(post_shares) / len(post_shares) if post_shares else None,
        "pre_post": pairs,
    }
    html = _env().get_template("report.html.j2").render(
        T=UI[lang], lang=lang, club=club.get(lang),
        heading=ui("report_event", lang, event=event_title) if event_id else ui("report", lang),
        generated=ui("generated", lang, when=(now or utc_now()).astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")),
        key=key_figures, forms=reports, charts_rel=lambda p: f"charts/{Path(p).name}",
        suppression=ui("suppression", lang, n=min_group_size, label=summary.suppressed_label(min_group_size, lang)),
    )
    path = out / (f"report_{charts_mod._slug(event_id)}.html" if event_id else "report.html")
    path.write_text(html, encoding="utf-8")
    if write_json:
        (out / "summary.json").write_text(
            json.dumps(summary_json(store, lang, event_id), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def summary_json(store: Store, lang: str = "ru", event_id: str | None = None) -> list[dict[str, Any]]:
    """The machine-readable summary (issue 4's ``summary.json``): for each form, in store order,
    ``{"form": title, "form_key", "event_id", "kind", "responses": N, "questions": [{"question_id",
    "title", "kind", "answered", "counts": {label: n}}]}`` — counts for choice, scale and grid
    questions (grid keys ``"Row: Column"``), ``{}`` for text and date questions."""
    forms = _select_forms(store, event_id)
    frame = answers_frame(store, [f["form_key"] for f in forms])
    out = []
    for f in forms:
        spec = _spec(f)
        rows = frame[frame["form_key"] == f["form_key"]]
        qs = [{k: c[k] for k in ("question_id", "title", "kind", "answered", "counts")}
              for c in summary.question_counts(spec, rows, lang)]
        out.append({"form": spec.title.get(lang), "form_key": f["form_key"], "event_id": f["event_id"],
                    "kind": spec.kind, "responses": len(store.responses(f["form_key"])), "questions": qs})
    return out


def data_hash(store: Store, event_id: str | None = None) -> str:
    """A SHA-256 of everything a report shows (forms, responses, links, roster oblasts):
    a report whose hash has not changed need not be rebuilt (the ``reports`` table)."""
    h = hashlib.sha256()
    for f in _select_forms(store, event_id) if store.forms() else []:
        h.update(json.dumps([f["form_key"], f["spec_json"], f["status"], f["opens"], f["deadline"],
                             f["audience"]]).encode())
        for r in store.responses(f["form_key"]):
            h.update(json.dumps([r["response_id"], r["participant_id"], r["submitted_at"],
                                 r["answers_json"]]).encode())
        for r in store.db.execute("SELECT participant_id FROM form_links WHERE form_key = ? ORDER BY 1",
                                  (f["form_key"],)):
            h.update(r[0].encode())
    for p in store.participants(active_only=False):
        h.update(json.dumps([p.id, p.oblast, p.active]).encode())
    return h.hexdigest()
