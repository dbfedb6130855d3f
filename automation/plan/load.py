"""The plan of events (YAML) and the dated actions it becomes.

Plan file format (times are Asia/Bishkek local time unless they carry an offset)::

    club:
      name: {ky: ..., ru: ...}
      group_email: club@example.org      # the club's Google Group / mailing list address
      admin_email: amuca@example.org     # From: and Reply-To of mailings; gets the admin summary
      mentor_email: mentor@example.org   # gets the report
      form_base_url: http://127.0.0.1:8080   # optional: where the local web forms are served
    settings: {...}                       # optional, see :data:`DEFAULT_SETTINGS`
    tea_talk:                             # optional: the weekly Чай-суйлөшуу
      weekday: wednesday                  # chosen by the participants' vote
      time: "17:00"
      duration_minutes: 60
      from: 2022-07-06
      until: 2022-12-28
      link: https://meet.example.org/chai
      skip: [2022-08-31]                  # dates without a talk (holidays)
      topics: {2022-07-06: {ky: ..., ru: ...}}   # optional, per date
    events:
      - id: ws_law_budget                 # lower_snake_case, unique
        title: {ky: ..., ru: ...}
        format: online_workshop           # see FORMATS
        start: 2022-09-15 14:00
        end: 2022-09-15 16:00
        location: {ky: ..., ru: ...}      # optional (offline) ...
        link: https://...                 # ... or an online meeting link
        presenters: [a@example.org]       # roster e-mails; the options of best_practice_vote
        test: tests/law_budget.yaml       # optional: the questions of its post_test forms (docs/TEMPLATES.md
                                          # "Tests"); relative to the plan's folder, else the templates folder
        forms:
          - template: post_test
            pre_test: true                # also given as a pre-test before the start
            open_days: 7                  # optional: deadline = end + open_days (default settings.form_open_days)
          - template: event_feedback
        materials:
          - {title: {ky: ..., ru: ...}, url: https://...}
          - {title: {ky: ..., ru: ...}, file: materials/budget.pdf}   # relative to the plan file, inside its folder
        programme: programmes/ws_law_budget.md   # the draft programme (a file attached, inside the plan's folder, or a link)
        programme_final: programmes/ws_law_budget_final.md   # optional: the final version (default: programme)
        prepare: {ky: ..., ru: ...}       # optional: what to prepare (online workshops have a default)
        homework:
          title: {ky: ..., ru: ...}
          deadline: 2023-01-15 17:00
    surveys:                              # forms not tied to an event
      - id: needs_2022
        template: needs_assessment
        opens: 2022-06-01 10:00
        deadline: 2022-06-20 18:00
        audience: roster                  # roster (personal links, reminders) | public (one open link, no reminders)

Links (``form_base_url``, ``link``, ``url``, a programme given as a link) start with http:// or https://;
files (materials, programmes) lie inside the plan's folder, because they are attached to mails for the whole
group.  Two events whose times overlap are allowed, with a warning (:attr:`Plan.warnings`).

The dated actions this plan becomes (the calendar rules) are described at the top
of ``automation/plan/actions.py``; the dataclasses are in ``automation/plan/model.py``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from automation.checker import Checker, read_yaml
from automation.errors import PlanError
from automation.model import BISHKEK, to_utc
from automation.plan.model import (DEFAULT_SETTINGS, FORMATS, WEEKDAYS, Club, Event, FormUse, Material, Plan, TeaTalk,
                                   local_moment)

_EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class _P(Checker):
    """The plan's checks on top of :class:`Checker`: date-times, dates and e-mail addresses."""

    #: Where an event's ``test:`` is looked up after the plan's folder (None: the shipped templates).
    templates_dir: Path | None = None

    def when(self, v: Any, path: str) -> datetime | None:
        """A local (Asia/Bishkek) date-time; returns UTC."""
        if isinstance(v, datetime):
            return to_utc(v)
        if isinstance(v, str):
            try:
                return to_utc(datetime.fromisoformat(v.strip().replace("Z", "+00:00")))
            except ValueError:
                pass
        self.err(path, f"expected a date and time like 2022-09-15 14:00 (Asia/Bishkek), found {v!r}")
        return None

    def day(self, v: Any, path: str) -> date | None:
        """A calendar date (``2022-09-15``), or None after recording the problem."""
        if isinstance(v, date) and not isinstance(v, datetime):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                pass
        self.err(path, f"expected a date like 2022-09-15, found {v!r}")
        return None

    def items(self, v: Any, path: str, what: str) -> list:
        """``v`` as a list (None: empty); a problem (and an empty list) when it is something else."""
        if v is None:
            return []
        if isinstance(v, list):
            return v
        self.err(path, f"expected a list of {what} (lines starting with `- `, or [a, b]), found {v!r}")
        return []

    def link(self, v: Any, path: str) -> str | None:
        """A web address starting with http:// or https:// (anything else, e.g. ``javascript:``, is refused)."""
        if isinstance(v, str) and re.match(r"^https?://[^\s/?#]+[^\s]*$", v.strip(), re.IGNORECASE):
            return v.strip()
        self.err(path, f"expected a web address starting with http:// or https://, found {v!r}")
        return None

    def inside(self, v: str, path: str, base_dir: Path | None) -> str | None:
        """The absolute path of the file ``v`` (relative to the plan's folder ``base_dir``), which must lie
        inside that folder: a file the service attaches to mails for the whole group is the plan's own.

        Whether the file is there is not a problem of the plan: a missing file is a problem of the actions
        that need it (:mod:`automation.plan.ahead` shows it weeks before, the action fails alone at its time),
        so one missing file of one event never stops the service."""
        fpath = (base_dir / v) if base_dir else Path(v)
        real = fpath.resolve()
        if base_dir is not None and not real.is_relative_to(base_dir.resolve()):
            self.err(path, f"{v!r} is outside the plan's folder {base_dir.resolve()}; put the file in that "
                           "folder (or a folder inside it) and give its path relative to the plan")
            return None
        return str(real)

    def email(self, v: Any, path: str) -> str | None:
        """An e-mail address, lower-cased, or None after recording the problem."""
        if isinstance(v, str) and _EMAIL_RE.match(v.strip()):
            return v.strip().lower()
        self.err(path, f"expected an e-mail address, found {v!r}")
        return None


def parse_plan(data: Any, source: str = "<plan>", base_dir: Path | None = None,
               known_templates: set[str] | None = None, templates_dir: Path | None = None) -> Plan:
    """Validate a parsed plan mapping.  Raises :class:`PlanError` listing every problem.

    ``known_templates``, when given, is the set of template ids forms may use.
    ``base_dir`` resolves material and programme files (inside it; a missing one is not a plan problem but
    one of its actions, :mod:`automation.plan.ahead`); an event's ``test:`` is looked up there, then in
    ``templates_dir`` (default: the shipped templates), and checked when found (:mod:`automation.forms.testfile`).
    """
    p = _P(source)
    p.templates_dir = templates_dir
    if not p.keys(data, {"club", "settings", "tea_talk", "events", "surveys"}, "", ("club",)):
        raise PlanError(source, p.problems)
    # club
    c = data.get("club")
    club = None
    if "club" in data and p.keys(c, {"name", "group_email", "admin_email", "mentor_email", "form_base_url"}, "club",
              ("name", "group_email", "admin_email")):
        name = p.text(c.get("name"), "club.name")
        ge = p.email(c.get("group_email"), "club.group_email")
        ae = p.email(c.get("admin_email"), "club.admin_email")
        me = p.email(c["mentor_email"], "club.mentor_email") if c.get("mentor_email") else None
        base = p.link(c["form_base_url"], "club.form_base_url") if c.get("form_base_url") is not None else None
        if name and ge and ae and (base or c.get("form_base_url") is None):
            club = Club(name, ge, ae, me, (base or "http://127.0.0.1:8080").rstrip("/"))
    # settings
    settings = dict(DEFAULT_SETTINGS)
    s = data.get("settings") or {}
    if p.keys(s, set(DEFAULT_SETTINGS), "settings"):
        for k, v in s.items():
            if k in DEFAULT_SETTINGS:
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    p.err(f"settings.{k}", f"expected a whole number >= 0, found {v!r}")
                else:
                    settings[k] = v
    for k, hi in (("mail_hour", 23), ("deadline_hour", 23)):
        if settings[k] > hi:
            p.err(f"settings.{k}", f"expected an hour 0-23, found {settings[k]}")
            settings[k] = DEFAULT_SETTINGS[k]
    # tea talk
    tea = None
    t = data.get("tea_talk")
    if t is not None and p.keys(t, {"weekday", "time", "duration_minutes", "from", "until", "link", "skip", "topics"},
                                "tea_talk", ("weekday", "time", "from", "until")):
        wd = str(t.get("weekday", "")).lower()
        if wd not in WEEKDAYS:
            p.err("tea_talk.weekday", f"expected one of {', '.join(WEEKDAYS)}, found {t.get('weekday')!r}")
        at = None
        tv = t.get("time")
        if isinstance(tv, int) and not isinstance(tv, bool):  # YAML 1.1 reads 17:00 unquoted as 1020 (sexagesimal)
            tv = f"{tv // 60:02d}:{tv % 60:02d}"
        try:
            at = time.fromisoformat(str(tv))
        except ValueError:
            p.err("tea_talk.time", f"expected a time like \"17:00\", found {t.get('time')!r}")
        d0, d1 = p.day(t.get("from"), "tea_talk.from"), p.day(t.get("until"), "tea_talk.until")
        if d0 and d1 and d1 < d0:
            p.err("tea_talk.until", f"{d1} is before tea_talk.from {d0}")
        skip = tuple(x for i, v in enumerate(p.items(t.get("skip"), "tea_talk.skip", "dates like 2022-08-31"))
                     if (x := p.day(v, f"tea_talk.skip[{i}]")))
        topics = {}
        raw_topics = t.get("topics") or {}
        if not isinstance(raw_topics, dict):
            p.err("tea_talk.topics", "expected lines of `date: {ky: ..., ru: ...}` (e.g. 2022-07-06: {ky: ..., "
                                     f"ru: ...}}), found {raw_topics!r}")
            raw_topics = {}
        for k, v in raw_topics.items():
            dk, tv2 = p.day(k, f"tea_talk.topics.{k}"), p.text(v, f"tea_talk.topics.{k}")
            if dk and tv2:
                topics[dk] = tv2
        dur = t.get("duration_minutes", 60)
        if t.get("link") is not None:
            p.link(t.get("link"), "tea_talk.link")
        if not isinstance(dur, int) or isinstance(dur, bool) or dur <= 0:
            p.err("tea_talk.duration_minutes", f"expected minutes > 0, found {dur!r}")
        if wd in WEEKDAYS and at and d0 and d1:
            tea = TeaTalk(WEEKDAYS.index(wd), at, dur if isinstance(dur, int) else 60, d0, d1, t.get("link"), skip, topics)
    # events
    events: list[Event] = []
    event_index: dict[str, int] = {}  # id -> position in events: (for the overlap warnings)
    ids: set[str] = set()
    raw_events = data.get("events") or []
    if not isinstance(raw_events, list):
        p.err("events", "expected a list of events")
        raw_events = []
    for i, e in enumerate(raw_events):
        ev = _event(p, e, f"events[{i}]", settings, known_templates, base_dir)
        if ev:
            if ev.id in ids:
                p.err(f"events[{i}].id", f"duplicate id {ev.id!r}")
            ids.add(ev.id)
            event_index.setdefault(ev.id, i)
            events.append(ev)
    surveys: list[FormUse] = []
    raw_surveys = data.get("surveys") or []
    if not isinstance(raw_surveys, list):
        p.err("surveys", "expected a list of surveys")
        raw_surveys = []
    for i, sv in enumerate(raw_surveys):
        path = f"surveys[{i}]"
        if not p.keys(sv, {"id", "template", "opens", "deadline", "audience"}, path, ("id", "template", "opens", "deadline")):
            continue
        sid = sv.get("id")
        if not isinstance(sid, str) or not _ID_RE.match(sid):
            p.err(f"{path}.id", f"id {sid!r} must be lower-case latin letters, digits and _")
            continue
        if sid in ids:
            p.err(f"{path}.id", f"duplicate id {sid!r}")
        ids.add(sid)
        _check_template(p, sv.get("template"), f"{path}.template", known_templates)
        o, d = p.when(sv.get("opens"), f"{path}.opens"), p.when(sv.get("deadline"), f"{path}.deadline")
        aud = sv.get("audience", "roster")
        if aud not in ("roster", "public"):
            p.err(f"{path}.audience", f"expected roster or public, found {aud!r}")
        if o and d and d <= o:
            p.err(f"{path}.deadline", "must be after opens")
        if o and d:
            surveys.append(FormUse(sid, str(sv["template"]), sid, o, d, False, aud))
    if p.problems or club is None:
        if club is None and not p.problems:
            p.err("club", "missing")
        raise PlanError(source, p.problems)
    return Plan(club, settings, tuple(events), tuple(surveys), tea, source, _overlaps(events, event_index))


def _when(e: Event) -> str:
    """``2022-09-15 14:00–16:00`` (Asia/Bishkek) for a warning."""
    return f"{e.start.astimezone(BISHKEK):%Y-%m-%d %H:%M}–{e.end.astimezone(BISHKEK):%H:%M}"


def _overlaps(events: list[Event], index: dict[str, int]) -> tuple[str, ...]:
    """One warning per pair of events whose times overlap (allowed: the admin may mean it, but usually a typo)."""
    out = []
    ordered = sorted(events, key=lambda e: (e.start, index[e.id]))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.start >= a.end:
                break
            first, second = sorted((a, b), key=lambda e: index[e.id])
            out.append(f"events[{index[first.id]}] (id {first.id}, {_when(first)}) overlaps events[{index[second.id]}] "
                       f"(id {second.id}, {_when(second)}); check their start and end if this is not intended")
    return tuple(out)


def _check_template(p: _P, tid: Any, path: str, known: set[str] | None) -> None:
    """Record a problem unless ``tid`` is a template id (one of ``known`` when given)."""
    if not isinstance(tid, str) or not tid:
        p.err(path, f"expected a template id, found {tid!r}")
    elif known is not None and tid not in known:
        p.err(path, f"unknown template {tid!r} (known: {', '.join(sorted(known))})")


def _event(p: _P, e: Any, path: str, settings: dict[str, int], known: set[str] | None,
           base_dir: Path | None) -> Event | None:
    """One event of ``events:`` validated (its forms' keys and dates computed), or None when it is unusable."""
    allowed = {"id", "title", "format", "start", "end", "location", "link", "presenters", "forms", "materials",
               "prepare", "homework", "programme", "programme_final", "test"}
    if not p.keys(e, allowed, path, ("id", "title", "format", "start", "end")):
        return None
    eid = e.get("id")
    if not isinstance(eid, str) or not _ID_RE.match(eid):
        p.err(f"{path}.id", f"id {eid!r} must be lower-case latin letters, digits and _")
        return None
    path = f"{path} (id {eid})"
    title = p.text(e.get("title"), f"{path}.title")
    fmt = e.get("format")
    if fmt not in FORMATS:
        p.err(f"{path}.format", f"unknown format {fmt!r} (allowed: {', '.join(FORMATS)})")
    start, end = p.when(e.get("start"), f"{path}.start"), p.when(e.get("end"), f"{path}.end")
    if start and end and end <= start:
        p.err(f"{path}.end", "must be after start")
    if e.get("link") is not None:
        p.link(e.get("link"), f"{path}.link")
    presenters = tuple(x for i, v in enumerate(p.items(e.get("presenters"), f"{path}.presenters", "e-mail addresses"))
                       if (x := p.email(v, f"{path}.presenters[{i}]")))
    test = _test(p, e, path, base_dir)
    forms: list[FormUse] = []
    seen_t: set[str] = set()
    for i, f in enumerate(p.items(e.get("forms"), f"{path}.forms", "forms (- template: ...)")):
        fp = f"{path}.forms[{i}]"
        if not p.keys(f, {"template", "pre_test", "open_days"}, fp, ("template",)):
            continue
        tid = f.get("template")
        _check_template(p, tid, f"{fp}.template", known)
        if isinstance(tid, str) and tid in seen_t:
            p.err(f"{fp}.template", f"template {tid!r} is used twice at this event")
        seen_t.add(tid)
        if tid == "best_practice_vote" and not e.get("presenters"):
            p.err(f"{fp}.template", "a best_practice_vote needs the event's presenters (add presenters: [...])")
        days = f.get("open_days", settings["form_open_days"])
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            p.err(f"{fp}.open_days", f"expected whole days >= 1, found {days!r}")
            days = settings["form_open_days"]
        if start and end and isinstance(tid, str):
            deadline = local_moment((end.astimezone(BISHKEK) + timedelta(days=days)).date(),
                                    settings["deadline_hour"])
            if f.get("pre_test"):
                opens = local_moment(
                    (start.astimezone(BISHKEK) - timedelta(days=settings["pre_test_open_days_before"])).date(),
                    settings["mail_hour"])
                forms.append(FormUse(f"{eid}.{tid}.pre", tid, eid, min(opens, start), start, True,
                                     test=test if tid == "post_test" else None))
            forms.append(FormUse(f"{eid}.{tid}", tid, eid, end, deadline, test=test if tid == "post_test" else None))
    if test and "post_test" not in seen_t:
        p.err(f"{path}.test", "the event has a test but no `- template: post_test` form to give it (add one under "
                              "forms:, with pre_test: true for a pre-test too)")
    materials: list[Material] = []
    for i, m in enumerate(p.items(e.get("materials"), f"{path}.materials", "materials ({title: ..., url: ...})")):
        mp = f"{path}.materials[{i}]"
        if not p.keys(m, {"title", "url", "file"}, mp, ("title",)):
            continue
        mt = p.text(m.get("title"), f"{mp}.title")
        url, file = m.get("url"), m.get("file")
        if bool(url) == bool(file):
            p.err(mp, "give exactly one of url or file")
            continue
        if file:
            if not isinstance(file, str):
                p.err(f"{mp}.file", f"expected a file path, found {file!r}")
                continue
            file = p.inside(file, f"{mp}.file", base_dir)
            if file is None:
                continue
        elif p.link(url, f"{mp}.url") is None:
            continue
        if mt:
            materials.append(Material(mt, url, file))
    prepare = p.text(e.get("prepare"), f"{path}.prepare", required=False)
    hw_title = hw_deadline = None
    hw = e.get("homework")
    if hw is not None and p.keys(hw, {"title", "deadline"}, f"{path}.homework", ("title", "deadline")):
        hw_title = p.text(hw.get("title"), f"{path}.homework.title")
        hw_deadline = p.when(hw.get("deadline"), f"{path}.homework.deadline")
        if hw_deadline and end and hw_deadline <= end:
            p.err(f"{path}.homework.deadline", "must be after the event's end")
    location = p.text(e.get("location"), f"{path}.location", required=False)
    programmes: dict[str, str] = {}
    for key in ("programme", "programme_final"):
        v = e.get(key)
        if v is None:
            continue
        if not isinstance(v, str) or not v.strip():
            p.err(f"{path}.{key}", f"expected a file path or a link, found {v!r}")
        else:
            is_link = re.match(r"^[a-z][a-z0-9+.-]*:", v.strip(), re.I) and not re.match(r"^[a-z]:[\\/]", v, re.I)
            found = p.link(v, f"{path}.{key}") if is_link else p.inside(v.strip(), f"{path}.{key}", base_dir)
            if found is not None:  # a link (http or https only) or a file inside the plan's folder
                programmes[key] = found
    if not (title and start and end and fmt in FORMATS):
        return None
    return Event(eid, title, fmt, start, end, location, e.get("link"), presenters, tuple(forms), tuple(materials),
                 prepare, hw_title, hw_deadline, programmes.get("programme"), programmes.get("programme_final"), test)


def _test(p: _P, e: dict, path: str, base_dir: Path | None) -> str | None:
    """The absolute path of the event's ``test:`` file, checked; None (and a problem) when it does not load.

    A test file that is in neither folder is not a problem of the plan: its path in the plan's folder is
    returned, :mod:`automation.plan.ahead` names it before its forms are due and ``form.create`` fails then."""
    from automation.errors import TemplateError
    from automation.forms.templates import DEFAULT_DIR
    from automation.forms.testfile import find_test, load_test

    v = e.get("test")
    if v is None:
        return None
    if not isinstance(v, str) or not v.strip():
        p.err(f"{path}.test", f"expected the test's file, e.g. tests/law_budget.yaml, found {v!r}")
        return None
    tdir = Path(p.templates_dir or DEFAULT_DIR)
    found = find_test(v.strip(), base_dir, tdir)
    if found is None:  # a problem of the test's forms, not of the plan (see :meth:`_P.inside`)
        return str(((base_dir or tdir) / v.strip()).resolve())
    try:
        load_test(found)
    except TemplateError as err:
        p.problems.extend(f"{path}.test ({found.name}): {x}" for x in err.problems[:20])
        return None
    return str(found)


def load_plan(path: str | Path, templates_dir: str | Path | None = None) -> Plan:
    """Read and validate a plan file.  Raises :class:`PlanError` naming the file and each field."""
    from automation.forms.templates import DEFAULT_DIR

    pth = Path(path)
    data = read_yaml(pth, PlanError, "(a plan of events: club:, events:, ...)")
    tdir = Path(templates_dir) if templates_dir else DEFAULT_DIR
    known = {x.stem for x in tdir.glob("*.yaml")}
    return parse_plan(data, str(pth), pth.parent, known, tdir)
