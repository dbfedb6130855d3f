"""The demo: a whole season on the local backend with a simulated clock and simulated respondents.

``run_demo(out)`` imports the example roster, then moves the clock from one
due action to the next through the 2022 plan; between ticks, simulated
participants answer the open forms through the same :meth:`LocalForms.submit`
path as the web forms.  Answers are drawn so that the needs assessment
reproduces the 2022 survey's shares (DOMAIN.md "2022 directions": 40%
resistance of the environment, 36% inner fear, 34% emotions under hostility,
25% unexpected reactions, one in five conflict situations, a third an
ineffective team, more than half expect allies in the club): each share is a
quota over the respondents, so it holds within a point or two whatever the
seed.  The same seed gives the same output.
"""

from __future__ import annotations

import math
import random
import shutil
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from automation.app import make_context
from automation.config import Config
from automation.context import Context
from automation.jobs import reports
from automation.model import BISHKEK, FormSpec, Participant, parse_iso
from automation.plan.actions import actions, reminder_time
from automation.roster import read_roster
from automation.scheduler import run_due
from automation.workspace.local.forms import FormClosed, LocalForms

ROOT = Path(__file__).resolve().parents[2]
CLUB_PLAN = ROOT / "examples" / "club2022" / "plan.yaml"
CLUB_ROSTER = ROOT / "examples" / "club2022" / "roster.csv"
SCHOOL_PLAN = ROOT / "examples" / "school2021" / "plan.yaml"
SCHOOL_ROSTER = ROOT / "examples" / "school2021" / "roster.csv"

#: Shares of the 2022 survey (DOMAIN.md, seed 000) that the simulated needs assessment reproduces.
NEEDS_SHARES = {
    "difficulties": {"diff_resistance": 0.40, "diff_fear": 0.36, "diff_emotions": 0.34, "diff_reactions": 0.25,
                     "diff_conflict": 0.20, "diff_team": 0.33},
    "allies": {"yes": 0.56, "unsure": 0.30, "no": 0.14},
}
RESPONSE_PROBABILITY = {"needs_assessment": 0.9, "post_test": 0.85, "event_feedback": 0.75,
                        "best_practice_vote": 0.7, "school_application": 1.0}

_TEXTS = {
    "ky": ["Практикалык мисалдар көбүрөөк болсо жакшы болмок.", "Бюджет боюнча дагы бир семинар керек.",
           "Тренер абдан түшүнүктүү түшүндүрдү.", "Убакыт аздык кылды.", "Айылдагы тажрыйба менен бөлүшкүм келет."],
    "ru": ["Хотелось бы больше практических примеров.", "Нужен ещё один семинар по бюджету.",
           "Тренер объяснял очень понятно.", "Не хватило времени.", "Хочу поделиться опытом нашего айыл окмоту."],
}


@dataclass
class DemoSummary:
    """What the demo made: actions by status, mails sent, forms, responses, charts, and the wall time in seconds."""
    actions: Counter = field(default_factory=Counter)
    mails: int = 0
    forms: int = 0
    responses: int = 0
    charts: int = 0
    seconds: float = 0.0


def _quotas(rng: random.Random, n: int, shares: dict[str, float]) -> dict[str, set[int]]:
    """Respondents (0..n-1) per option so that each option gets exactly round(share * n) of them and, where
    the shares allow, everyone gets at least one (a required multiple-choice question): each option takes
    first from those who have nothing yet, largest shares first."""
    out: dict[str, set[int]] = {}
    covered: set[int] = set()
    for opt, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        k = round(share * n)
        fresh = [i for i in range(n) if i not in covered]
        rng.shuffle(fresh)
        rest = [i for i in range(n) if i in covered]
        rng.shuffle(rest)
        out[opt] = set((fresh + rest)[:k])
        covered |= out[opt]
    return out


class Respondents:
    """Draws who answers each form, when, and what; submits through ``forms``, the local backend's own
    :meth:`LocalForms.submit` (the respondent's side, not a port method)."""

    def __init__(self, ctx: Context, rng: random.Random, forms: LocalForms):
        self.ctx, self.rng, self.forms = ctx, rng, forms
        self.pending: list[tuple[datetime, str, str | None, dict[str, Any]]] = []  # (when, form_key, pid, answers)
        self.ability: dict[str, float] = {}

    def on_form_created(self, form_key: str) -> None:
        """Draw who answers the new form, when (between its opening and its deadline, two thirds before the
        reminder) and what; the answers wait in ``pending`` until the clock reaches them.
        """
        form = self.ctx.store.forms.get(form_key)
        spec = form.spec()
        opens, deadline = parse_iso(form.opens), parse_iso(form.deadline)
        fu = self.ctx.plan.form(form_key)
        remind = reminder_time(fu, self.ctx.plan.settings)
        if form.audience == "public":
            people: list[Participant | None] = [None] * self.rng.randint(38, 52)
        else:
            pr = RESPONSE_PROBABILITY.get(spec.kind, 0.8)
            people = [p for p in self.ctx.store.roster.participants() if self.rng.random() < pr]
        quotas = {q: _quotas(self.rng, len(people), shares)
                  for q, shares in NEEDS_SHARES.items()} if spec.kind == "needs_assessment" else {}
        if "allies" in quotas:  # single choice: the quotas must not overlap
            order = list(range(len(people)))
            self.rng.shuffle(order)
            cut1 = round(NEEDS_SHARES["allies"]["yes"] * len(people))
            cut2 = cut1 + round(NEEDS_SHARES["allies"]["unsure"] * len(people))
            quotas["allies"] = {"yes": set(order[:cut1]), "unsure": set(order[cut1:cut2]), "no": set(order[cut2:])}
        for i, p in enumerate(people):
            # two thirds answer before the reminder, the rest between the reminder and the deadline
            early = self.rng.random() < 0.67 or form.audience == "public"
            lo, hi = (opens, remind) if early else (remind, deadline)
            when = lo + (hi - lo) * self.rng.uniform(0.02, 0.98)
            answers = self.answers(spec, p, i, quotas, form.pre_test, form.event_id)
            self.pending.append((when, form_key, p.id if p else None, answers))
        self.pending.sort(key=lambda x: (x[0], x[1], x[2] or ""))

    def submit_until(self, t: datetime) -> int:
        """Submit every pending answer due by ``t`` through the local forms; returns how many were accepted."""
        n = 0
        while self.pending and self.pending[0][0] <= t:
            when, form_key, pid, answers = self.pending.pop(0)
            if pid is None:
                token = self.ctx.store.forms.get(form_key).external_id
            else:
                found = self.ctx.store.forms.links(form_key).get(pid)
                if found is None:
                    continue
                token = found
            try:
                self.forms.submit(token, answers, now=when)
                n += 1
            except FormClosed:
                pass
        return n

    # --- answers -------------------------------------------------------------
    def answers(self, spec: FormSpec, p: Participant | None, i: int, quotas: dict, pre_test: bool,
                event_id: str) -> dict[str, Any]:
        """One simulated response to ``spec``: test answers follow a logistic model of ability and difficulty (weaker
        before the training), the needs assessment follows the 2022 survey's quotas, the rest is drawn plausibly.
        """
        rng = self.rng
        if spec.kind == "school_application":
            from automation.demo.school import simulate_application

            return simulate_application(spec, rng, i)
        lang = p.language if p else rng.choice(["ky", "ru"])
        ability = self.ability.setdefault(p.id, rng.gauss(0, 1)) if p else rng.gauss(0, 1)
        out: dict[str, Any] = {}
        for q in spec.questions:
            if not q.required and rng.random() < 0.35:
                continue
            ids = [o.id for o in q.options]
            if q.id in quotas:
                chosen = [o for o in ids if i in quotas[q.id].get(o, ())]
                out[q.id] = chosen[0] if q.kind == "single_choice" else chosen
                if q.kind == "multiple_choice" and not chosen and q.required:
                    out[q.id] = [rng.choice(ids)]
                continue
            if q.correct:
                # pre-test weaker, post-test stronger: P(correct) = logistic(ability + gain - difficulty)
                gain = -0.4 if pre_test else 0.9
                difficulty = (zlib.crc32(q.id.encode()) % 7 - 3) / 3
                right = rng.random() < 1 / (1 + math.exp(-(ability + gain - difficulty)))
                if right:
                    out[q.id] = list(q.correct) if q.kind == "multiple_choice" else q.correct[0]
                else:
                    wrong = [o for o in ids if o not in q.correct] or ids
                    out[q.id] = [rng.choice(wrong)] if q.kind == "multiple_choice" else rng.choice(wrong)
                continue
            if q.id == "oblast" and p:
                out[q.id] = p.oblast.replace("-", "_") if p.oblast.replace("-", "_") in ids else rng.choice(ids)
            elif q.id == "role" and p and p.role in ids:
                out[q.id] = p.role
            elif q.id == "email" and p:
                out[q.id] = p.email
            elif q.kind in ("single_choice", "dropdown"):
                if q.options_from is None and spec.kind == "best_practice_vote":
                    own = p.id.replace("-", "_") if p else None
                    choices = [o for o in ids if o != own] or ids
                    weights = [1 + (k % 3) for k in range(len(choices))]
                    out[q.id] = rng.choices(choices, weights)[0]
                else:
                    weights = [len(ids) - k + 2 for k in range(len(ids))] if ids[0] in ("yes", "too_short") else None
                    out[q.id] = rng.choices(ids, weights)[0] if weights else rng.choice(ids)
            elif q.kind == "multiple_choice":
                picked = set(rng.sample(ids, rng.randint(1, min(3, len(ids)))))
                out[q.id] = [o for o in ids if o in picked]
            elif q.kind == "scale":
                lo, hi = q.scale.low, q.scale.high
                out[q.id] = max(lo, min(hi, round(rng.gauss(hi - 0.9 + 0.3 * ability, 0.9))))
            elif q.kind == "grid":
                out[q.id] = {r.id: rng.choice(ids) for r in q.rows}
            elif q.kind == "date":
                out[q.id] = (date(1965, 1, 1) + timedelta(days=rng.randint(0, 365 * 40))).isoformat()
            elif q.kind in ("short_text", "long_text"):
                out[q.id] = rng.choice(_TEXTS[lang])
        return out


def _clean(out: Path) -> None:
    for name in ("outbox", "sheets", "charts", "school2021"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "report.html", "summary.json", "overview.json",
                 "club.yaml",
                 ".pages-cache.json", ".charts-cache.json"):
        (out / name).unlink(missing_ok=True)
    for pattern in ("report_*.html", "form_*.html", ".last-report.*.json"):  # the report's other pages
        for p in out.glob(pattern):
            p.unlink(missing_ok=True)


def _season(out: Path, plan_path: Path, roster_path: Path, rng: random.Random, summary: DemoSummary,
            log: Callable[[str], None] | None, state_name: str = "state.sqlite", sheets: str = "sheets",
            on_tick: Callable[[Context, datetime], Any] | None = None) -> Context:
    cfg = Config(plan=plan_path, state=out / state_name, out=out, sheets=out / sheets)  # the local backend
    # seeded tokens, so that the same seed writes the same mails (real runs use the secrets module)
    ctx = make_context(cfg, log=log or (lambda m: None), rng=rng)
    acts = actions(ctx.plan)
    first = acts[0].due - timedelta(days=1)
    ctx.store.roster.upsert(read_roster(roster_path).participants, source=str(roster_path), now=first)
    forms = ctx.backend.forms
    assert isinstance(forms, LocalForms)  # the demo runs on the local backend (cfg.backend is "local")
    sim = Respondents(ctx, rng, forms)
    ticks = sorted({a.due for a in acts})
    progress = sys.stderr.isatty() and log is None  # a progress line on a terminal (DESIGN.md: long work)
    for i, t in enumerate(ticks, start=1):
        if progress:
            sys.stderr.write(f"\r  {plan_path.parent.name}: {t.astimezone(BISHKEK):%Y-%m-%d}  {i}/{len(ticks)} ticks ")
            sys.stderr.flush()
        sim.submit_until(t)
        if on_tick:
            on_tick(ctx, t)
        for r in run_due(ctx, t, acts):
            summary.actions[r.status] += 1
            if r.action.kind == "form.create" and r.status == "done":
                sim.on_form_created(r.action.payload["form_key"])
    sim.submit_until(acts[-1].due + timedelta(days=365))
    if progress:
        sys.stderr.write("\r" + " " * 60 + "\r")
    return ctx


#: The club.yaml the demo leaves beside its state, so that every command can be tried on the demo season.
DEMO_CONFIG = """# Written by `python main.py demo`: the demo season's state, for trying the commands and the console,
# e.g. python main.py --config {config} report
plan: {plan}
state: state.sqlite
out: .
sheets: sheets
"""


def write_config(out: Path, plan: Path) -> Path:
    """``out/club.yaml`` naming the demo's plan and its state in ``out`` (:data:`DEMO_CONFIG`); returns its path."""
    path = out / "club.yaml"
    path.write_text(DEMO_CONFIG.format(config=path, plan=plan.resolve()), encoding="utf-8")
    return path


def run_demo(out: Path, seed: int = 2022, school: bool = False, log: Callable[[str], None] | None = None,
             quiet: bool = False) -> DemoSummary:
    """Run the 2022 season (and the 2020–21 School with ``school``) under ``out``; print and return a summary.

    Writes ``out/outbox/`` (Maildir), ``out/sheets/*.xlsx``, ``out/charts/*.png``,
    ``out/report.html``, ``out/summary.json``, ``out/state.sqlite``, the stars
    leaderboard, the donors' indicators and a draft plan for the next quarter;
    with ``school``, the School season under ``out/school2021/`` (applications,
    commission scoring, ranking, selection, mails).  Files a previous demo wrote
    there are replaced.
    """
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    rng = random.Random(seed)
    summary = DemoSummary()
    from automation.reporting.indicators import write_indicators
    from automation.plan.draft import write_plan_draft
    from automation.reporting.stars import write_stars

    ctx = _season(out, CLUB_PLAN, CLUB_ROSTER, rng, summary, log)
    last = max(a.due for a in actions(ctx.plan))
    reports.refresh(ctx, None, last, force=True)
    write_stars(ctx.store, out, plan=ctx.plan)
    write_plan_draft(ctx.store, ctx.plan, out / "plan_draft_2023Q1.yaml", date(2022, 12, 1))
    write_indicators(ctx.store, out, ctx.plan)
    school_result = None
    if school:
        from automation.demo.school import school_demo_hook

        hook = school_demo_hook(rng, log=log)
        sctx = _season(out / "school2021", SCHOOL_PLAN, SCHOOL_ROSTER, rng, summary, log, on_tick=hook)
        school_result = hook.state.get("selection")
        write_indicators(sctx.store, out / "school2021", sctx.plan)
    write_config(out, CLUB_PLAN)
    summary.mails, recipients = ctx.store.deliveries.sent_totals()
    summary.forms = len(ctx.store.forms.all())
    summary.responses = ctx.store.responses.count()
    summary.charts = len(list((out / "charts").glob("*.png")))
    summary.seconds = time.perf_counter() - t0
    if not quiet:
        print(f"Demo of the 2022 season written to {out}/ in {summary.seconds:.1f} s")
        print(f"  actions: {sum(summary.actions.values())} ({', '.join(f'{v} {k}' for k, v in sorted(summary.actions.items()))})")
        print(f"  mails:   {summary.mails} messages to {recipients} recipients in {out / 'outbox'}/")
        print(f"  forms:   {summary.forms}, responses: {summary.responses}, workbooks in {out / 'sheets'}/")
        print(f"  charts:  {summary.charts} in {out / 'charts'}/")
        print(f"  report:  {out / 'report.html'}; stars, indicators and a draft plan for 2023 Q1 beside it")
        if school_result is not None:
            print(f"  School 2020–21 in {out / 'school2021'}/: {school_result.applications} applications scored by "
                  f"3 simulated commission members; {len(school_result.accepted.participants)} selected and added to its roster; ranking in "
                  f"{out / 'school2021' / 'school'}/")
        cfg = out / "club.yaml"
        print(f"  try it:  python main.py --config {cfg} plan show   (every command works on this season; the admin "
              f"console: users add YOU --role admin, then serve, then http://127.0.0.1:8080/admin/)")
    return summary
