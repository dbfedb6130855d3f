"""The contract suite (issue 3): one small season, run end to end on the local and the Google backend.

The same plan, roster and respondents are played on both backends by walking a
simulated clock through every moment an action is due (``run_due`` at each
distinct due time) and submitting answers in between, the way each backend
receives them:

* local — :meth:`LocalForms.submit` with her personal token (``form_links``);
* google — ``fake.forms.add_response`` on the fake Google server, with her
  personal code pre-filled from the link of her invitation (and her e-mail), so
  the adapter maps the response back to her.

Every assertion of a parametrised test is the same on both backends and compares
with a backend-independent expectation (the plan, the answer schedule below, or
a literal).  The ``test_backends_agree_*`` tests compare the two seasons directly.
Google-only tests assert the call budgets of DESIGN.md.

The season (times Asia/Bishkek)
===============================
Survey ``needs_2022`` (needs_assessment): opens Mon 1 Aug 10:00, reminder 8 Aug 18:00,
deadline 10 Aug 18:00.  Event ``ws1`` (online workshop, Thu 15 Sep 14:00–16:00, two
presenters): draft programme 16 Aug 10:00, final 8 Sep 10:00, prepare notice 13 Sep
10:00; pre-test ``ws1.post_test.pre`` 13 Sep 10:00 → 15 Sep 14:00 (reminder halfway,
14 Sep 12:00); post-test, feedback and vote 15 Sep 16:00 → 22 Sep 18:00 (reminder 20
Sep 18:00); the admin's summary every Monday 09:00 from 1 Aug to 26 Sep.

Documented differences between the backends (allowed, not asserted equal)
===========================================================================
* Where the worksheet lives: locally one ``.xlsx`` per form (sheet ``Responses``);
  on Google one spreadsheet per season, one worksheet per form titled by its key.
* Empty cells: ``None`` in the .xlsx, ``""`` in Google Sheets (``cell_value`` writes
  ``""`` so that a shorter rewrite clears old cells); compared after mapping both to "".
* The timestamp column is the same text on both (``dd.mm.YYYY HH:MM:SS``, Asia/Bishkek):
  no difference there.
* Response ids: ``lr_<hash>`` locally, Google's own ids on Google (never compared).
* ``responses.sync`` says ``(0 new)`` locally (local responses land in the store when
  submitted) and ``(k new)`` on Google; the ``where`` of its detail is a path or a URL.
  Only the status of non-mail actions is compared; mail actions compare their detail.
* Personal links: a token link locally, a pre-filled Google Forms link on Google;
  personal mails are compared with their links masked.
* Group mail envelope: locally the Maildir copy has no Bcc (the envelope goes to the
  SMTP server / is recorded as ``n_recipients``); on Google (gmail.com, the roster is
  the list) Gmail delivers by headers, so the members are in ``Bcc``.

Not walked: ``report.refresh`` (see :data:`WALKED_KINDS`).
"""

from __future__ import annotations

import contextlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from openpyxl import load_workbook

from automation.analysis.frame import answers_frame, scores_frame
from automation.forms.answers import check_answers, score
from automation.forms.known import known_answers
from automation.context import Context
from automation.jobs.responses import sync_form
from automation.model import BISHKEK, Action, FormSpec, Participant, form_spec_from_json
from automation.plan.actions import ACTION_KINDS, actions
from automation.plan.load import parse_plan
from automation.roster import read_roster
from automation.scheduler import Ran, run_due
from automation.store import Store
from automation.forms.templates import DEFAULT_DIR
from automation.workspace.google import GoogleBackend
from automation.workspace.google.sheets import sheet_title
from automation.workspace.local import LocalBackend
from conftest import Clock, google_answers, google_connection
from conftest import local as L  # noqa: N812
from fake_google import FakeGoogle

BACKENDS = ["local", "google"]
GROUP = "club@example.org"
ADMIN = "admin@example.org"

# --- the season: roster, plan, programme ------------------------------------------------------

ROSTER = """name,email,phone,oblast,municipality,role,language
Айгүл Токтосунова,aigul@example.org,,naryn,Ат-Башы,deputy,ky
Бермет Осмонова,bermet@example.org,,osh,Кара-Суу,deputy,ru
Чынара Исакова,chynara@example.org,,issyk-kul,Каракол,activist,ky
Елена Ким,elena@example.org,,jalal-abad,Токтогул,candidate,ru
Жибек Өмүрбекова,zhibek@example.org,,naryn,Кочкор,deputy,ky
Гульнара Садыкова,gulnara@example.org,,chui,Сокулук,municipal_servant,ru
Нургүл Асанова,nurgul@example.org,,talas,Манас,deputy,ky
Ольга Петренко,olga@example.org,,bishkek,Бишкек,activist,ru
"""
#: Participants by index in the answer schedule (roster order).
EMAILS = [line.split(",")[1] for line in ROSTER.strip().splitlines()[1:]]
PRESENTERS = ["aigul@example.org", "bermet@example.org"]


def plan_data() -> dict[str, Any]:
    return {
        "club": {"name": {"ky": "Аял депутаттардын клубу", "ru": "Клуб женщин-депутатов"},
                 "group_email": GROUP, "admin_email": ADMIN},
        "events": [{
            "id": "ws1",
            "title": {"ky": "Жергиликтүү бюджет", "ru": "Местный бюджет"},
            "format": "online_workshop",
            "start": "2022-09-15 14:00",
            "end": "2022-09-15 16:00",
            "link": "https://meet.example.org/ws1",
            "programme": "programme.md",
            "presenters": PRESENTERS,
            "forms": [{"template": "post_test", "pre_test": True},
                      {"template": "event_feedback"},
                      {"template": "best_practice_vote"}],
        }],
        "surveys": [{"id": "needs_2022", "template": "needs_assessment",
                     "opens": "2022-08-01 10:00", "deadline": "2022-08-10 18:00"}],
    }


NEEDS, PRE, POST, FEEDBACK, VOTE = ("needs_2022", "ws1.post_test.pre", "ws1.post_test", "ws1.event_feedback",
                                    "ws1.best_practice_vote")
FORM_KEYS = [NEEDS, PRE, POST, FEEDBACK, VOTE]

#: Who answers what, when: (form key, participant index, moment).  Some answer before the
#: form's reminder, some after it (and before the deadline); the vote gets nothing after its
#: reminder, so its scheduled sync finds nothing new.
SCHEDULE: list[tuple[str, int, datetime]] = (
    [(NEEDS, i, L(2022, 8, 2, 9 + i, 15)) for i in range(4)] + [(NEEDS, 4, L(2022, 8, 9, 12, 30))]
    + [(PRE, i, L(2022, 9, 13, 11 + i, 5)) for i in range(5)] + [(PRE, 5, L(2022, 9, 15, 9, 40))]
    + [(POST, i, L(2022, 9, 16, 10 + i, 20)) for i in range(6)] + [(POST, 6, L(2022, 9, 21, 10, 10))]
    + [(FEEDBACK, i, L(2022, 9, 16, 17 + i % 3, 7 * i)) for i in range(4)]
    + [(FEEDBACK, 7, L(2022, 9, 21, 11, 45))]
    + [(VOTE, i, L(2022, 9, 17, 10 + i, 50)) for i in range(1, 6)]
)
REMINDER_AT = {NEEDS: L(2022, 8, 8, 18), PRE: L(2022, 9, 14, 12), POST: L(2022, 9, 20, 18),
               FEEDBACK: L(2022, 9, 20, 18), VOTE: L(2022, 9, 20, 18)}

# --- answers: valid, varied, deterministic ------------------------------------------------------

TEXTS = ["=1+2 — бул формула эмес", "+996 700 123 456", "Больше практики, меньше теории", "@all: спасибо",
         "-бюджеттик угуулар", "Ачык бюджет; ашар"]
OTHER = ["Гендердик бюджет", "Другое: цифровые услуги"]


def make_answers(spec: FormSpec, who: int, form_key: str) -> dict[str, Any]:
    """A valid response of participant ``who`` (every required question, some optional ones)."""
    rnd = random.Random(f"{form_key}|{who}")
    out: dict[str, Any] = {}
    for q in spec.questions:
        if not q.required and rnd.random() < 0.3:
            continue
        ids = [o.id for o in q.options]
        if q.kind in ("single_choice", "dropdown"):
            if q.other and q.kind == "single_choice" and rnd.random() < 0.25:
                out[q.id] = rnd.choice(OTHER)
            elif q.correct and rnd.random() < 0.6:
                out[q.id] = q.correct[0]
            else:
                out[q.id] = rnd.choice(ids)
        elif q.kind == "multiple_choice":
            if q.correct and rnd.random() < 0.5:
                chosen = set(q.correct)
            else:
                chosen = set(rnd.sample(ids, rnd.randint(1, min(3, len(ids)))))
            value = [i for i in ids if i in chosen]
            if q.other and rnd.random() < 0.3:
                value.append(rnd.choice(OTHER))
            out[q.id] = value
        elif q.kind == "scale":
            out[q.id] = rnd.randint(q.scale.low, q.scale.high)
        elif q.kind in ("short_text", "long_text"):
            out[q.id] = rnd.choice(TEXTS)
        elif q.kind == "date":
            out[q.id] = f"19{rnd.randint(60, 99)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}"
        elif q.kind == "grid":
            out[q.id] = {r.id: rnd.choice(ids) for r in q.rows}
    assert check_answers(spec, out) == {}, (form_key, who, check_answers(spec, out))
    # she answers the roster's questions truthfully (her personal link on the local backend does not even ask
    # them: automation/forms/known.py), so both backends store the roster's values
    rows = ROSTER.strip().splitlines()[1:]
    if 0 <= who < len(rows):
        person = rows[who].split(",")
        out.update(known_answers(spec, Participant("x", person[0], person[1], oblast=person[3], role=person[5],
                                                   language=person[6])))
    return out


def spec_of(ctx: Context, form_key: str) -> FormSpec:
    return form_spec_from_json(json.loads(ctx.store.forms.get(form_key).spec_json))


_FAKES: dict[int, FakeGoogle] = {}  # id(Context) -> the fake Google server it talks to


def answer(ctx: Context, form_key: str, participant: Participant, answers: dict[str, Any], at: datetime) -> None:
    """Submit ``answers`` as ``participant`` at ``at``, the way the context's backend receives a response."""
    link = ctx.store.db.execute("SELECT token FROM form_links WHERE form_key = ? AND participant_id = ?",
                                (form_key, participant.id)).fetchone()
    assert link is not None, f"{participant.email} was not invited to {form_key}"
    if ctx.backend.name == "local":
        ctx.backend.forms.submit(link[0], answers, now=at)
        return
    # her link pre-fills her personal code and the roster's answers; what she submits is on top of those
    given = google_answers(spec_of(ctx, form_key), answers)
    _FAKES[id(ctx)].forms.submit_prefilled(link[0], given, respondent_email=participant.email, submitted_at=at)


# --- building and walking a season -----------------------------------------------------------

#: When the season's simulated clock starts.
START = L(2022, 7, 1)


def write_files(tmp: Path) -> None:
    (tmp / "programme.md").write_text("# Программа / Программа\n14:00 — ачылыш / открытие\n", encoding="utf-8")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")


@contextlib.contextmanager
def open_backend(kind: str, tmp: Path) -> Iterator[Context]:
    """A Context for the season's plan and roster on ``kind``; for google, with the fake server running."""
    write_files(tmp)
    known = {p.stem for p in DEFAULT_DIR.glob("*.yaml")}
    plan = parse_plan(plan_data(), "contract plan", tmp, known)
    store = Store(tmp / "state.sqlite")
    store.roster.upsert(read_roster(tmp / "roster.csv").participants, source="test", now=L(2022, 7, 1))
    out = tmp / "out"
    if kind == "local":
        backend = LocalBackend.create(store, out, plan.club.group_email, plan.club.form_base_url,
                                      sheets_dir=out / "sheets")
        try:
            yield Context(store=store, plan=plan, backend=backend, out_dir=out)
        finally:
            store.close()
        return
    clock = Clock(START)
    # "google-pessimistic": the fake behaving as Google is documented or reported to (tests/fake_google/README.md)
    with FakeGoogle(clock=clock, pessimistic=kind == "google-pessimistic") as fake:
        scopes = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/gmail.compose"]
        fake.grant("tok", scopes)  # the least scopes of a gmail.com account
        conn = google_connection(fake, scopes=scopes)
        backend = GoogleBackend.connect(conn, store, plan.club.group_email, groups="roster",
                                        spreadsheet_title="Клуб женщин-депутатов — 2022")
        ctx = Context(store=store, plan=plan, backend=backend, out_dir=out)
        _FAKES[id(ctx)] = fake
        try:
            yield ctx
        finally:
            del _FAKES[id(ctx)]
            store.close()
        assert not fake.internal_errors, "fake_google crashed:\n" + "\n".join(fake.internal_errors)


@dataclass
class Season:
    """A walked season: the context, what ran at each tick, and (google) the calls made by each action."""

    ctx: Context
    ticks: list[tuple[datetime, list[Ran]]] = field(default_factory=list)
    calls: dict[str, Counter] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.ctx.backend.name

    @property
    def fake(self) -> FakeGoogle | None:
        return _FAKES.get(id(self.ctx))

    @property
    def final(self) -> datetime:
        return max(a.due for a in walked_actions(self.ctx))


#: Action kinds the walk runs: all but ``report.refresh``.  The report job talks to no port (it reads
#: the store and writes ``out_dir`` on either backend, so the answers tests cover what it reads), and
#: drawing its ~60 charts costs about 6.5 s a season — twice that would break the suite's time budget.
WALKED_KINDS = frozenset(k for k in ACTION_KINDS if k != "report.refresh")


def walked_actions(ctx: Context) -> list[Action]:
    return [a for a in actions(ctx.plan) if a.kind in WALKED_KINDS]


class CallRecorder:
    """Attributes the fake's calls to the action that made them (``ctx.log`` runs after each action)."""

    def __init__(self, fake: FakeGoogle | None, calls: dict[str, Counter]):
        self.fake, self.calls = fake, calls
        self.mark()

    def mark(self) -> None:
        self.seen = Counter(self.fake.calls) if self.fake else Counter()

    def __call__(self, msg: str) -> None:
        key = msg.split()[3].rstrip(":")  # "<date> <time>  <status> <key>: <detail>"
        now = Counter(self.fake.calls) if self.fake else Counter()
        self.calls.setdefault(key, Counter()).update(now - self.seen)
        self.seen = now


def walk(ctx: Context) -> Season:
    """Run the season: ``run_due`` at every distinct due time, the respondents answering in between."""
    season = Season(ctx)
    recorder = CallRecorder(season.fake, season.calls)
    ctx.log = recorder
    acts = walked_actions(ctx)
    dues = {a.due for a in acts}
    assert not dues & {at for _, _, at in SCHEDULE}, "answer times must differ from due times"
    moments = sorted(dues | {at for _, _, at in SCHEDULE})
    for t in moments:
        if season.fake is not None:
            season.fake.clock.now = t  # the fake's clock stamps Gmail's and Drive's times
        for key, who, at in SCHEDULE:
            if at == t:
                p = ctx.store.roster.get(EMAILS[who])
                answer(ctx, key, p, make_answers(spec_of(ctx, key), who, key), at)
        if t in dues:
            recorder.mark()
            season.ticks.append((t, run_due(ctx, t, acts)))
    ctx.log = lambda m: None
    return season


class Seasons:
    """One Context per backend (made on first use) and its walked season (walked once), for the module."""

    def __init__(self, factory: pytest.TempPathFactory, stack: contextlib.ExitStack):
        self.factory, self.stack = factory, stack
        self._ctx: dict[str, Context] = {}
        self._walked: dict[str, Season] = {}

    def context(self, kind: str) -> Context:
        if kind not in self._ctx:
            self._ctx[kind] = self.stack.enter_context(open_backend(kind, self.factory.mktemp(kind)))
        return self._ctx[kind]

    def walked(self, kind: str) -> Season:
        if kind not in self._walked:
            self._walked[kind] = walk(self.context(kind))
        return self._walked[kind]


@pytest.fixture(scope="module")
def seasons(tmp_path_factory) -> Iterator[Seasons]:
    with contextlib.ExitStack() as stack:
        yield Seasons(tmp_path_factory, stack)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, seasons) -> Context:
    """A Context for the season's plan on the local or the (fake) Google backend."""
    return seasons.context(request.param)


@pytest.fixture(scope="module")
def season(backend, seasons) -> Season:
    """The backend's season, walked through every due moment (once per module)."""
    return seasons.walked(backend.backend.name)


# --- reading back what each backend holds --------------------------------------------------------


def sent_mail(ctx: Context) -> list[Any]:
    """Every message the backend sent (Maildir outbox / the fake's Gmail), in Message-ID order."""
    if ctx.backend.name == "local":
        msgs = ctx.backend.mail.messages()
    else:
        msgs = _FAKES[id(ctx)].gmail.sent()
    return sorted(msgs, key=lambda m: str(m["Message-ID"]))


def mail_by_action(ctx: Context) -> dict[str, list[str]]:
    """``{action key: sorted To addresses}`` of the sent mail."""
    out: dict[str, list[str]] = {}
    for m in sent_mail(ctx):
        out.setdefault(str(m["X-Club-Action"]), []).append(str(m["To"]))
    return {k: sorted(v) for k, v in sorted(out.items())}


def deliveries(ctx: Context) -> list[tuple]:
    return sorted(tuple(r) for r in ctx.store.db.execute(
        "SELECT action_key, recipient, language, n_recipients, status, subject FROM deliveries"))


def answers_table(ctx: Context) -> list[tuple]:
    """The store's answers: (form key, participant, question, grid row, value) sorted; JSON for lists/dicts."""
    df = answers_frame(ctx.store)
    df = df[df["value"].notna()]
    rows = [(fk, pid, qid, rid, json.dumps(v, ensure_ascii=False, sort_keys=True))
            for fk, pid, qid, rid, v in zip(df["form_key"], df["participant_id"], df["question_id"], df["row_id"],
                                            df["value"])]
    return sorted(rows)


def expected_answers_table(ctx: Context) -> list[tuple]:
    """What the schedule submitted, in :func:`answers_table`'s shape (the oracle for both backends)."""
    rows = []
    for key, who, _ in SCHEDULE:
        spec = spec_of(ctx, key)
        pid = ctx.store.roster.get(EMAILS[who]).id
        for qid, v in make_answers(spec, who, key).items():
            if spec.question(qid).kind == "grid":
                rows += [(key, pid, qid, r, json.dumps(c, ensure_ascii=False)) for r, c in v.items()]
            else:
                rows.append((key, pid, qid, "", json.dumps(v, ensure_ascii=False, sort_keys=True)))
    return sorted(rows)


def cell_text(v: Any) -> Any:
    """A worksheet cell with the documented difference removed: empty is "" (xlsx None, Sheets "")."""
    return "" if v is None else v


def worksheet(ctx: Context, form_key: str) -> list[list[Any]]:
    """The form's worksheet as rows of values (header first), empty cells as "" and trailing ones dropped."""
    if ctx.backend.name == "local":
        wb = load_workbook(ctx.backend.sheets.path(form_key))
        rows = [list(r) for r in wb["Responses"].iter_rows(values_only=True)]
    else:
        fake = _FAKES[id(ctx)]
        (book,) = fake.sheets.spreadsheets
        rows = fake.sheets.values(book, "'" + sheet_title(form_key) + "'")
    out = []
    for r in rows:
        r = [cell_text(v) for v in r]
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


def is_text_not_formula(ctx: Context, form_key: str, row: int, col: int) -> bool:
    if ctx.backend.name == "local":
        c = load_workbook(ctx.backend.sheets.path(form_key))["Responses"].cell(row=row, column=col)
        return c.data_type == "s"
    fake = _FAKES[id(ctx)]
    (book,) = fake.sheets.spreadsheets
    from openpyxl.utils import get_column_letter

    c = fake.sheets.cell(book, f"'{sheet_title(form_key)}'!{get_column_letter(col)}{row}")
    return c is not None and not c.is_formula


def mask_links(text: str) -> str:
    return re.sub(r"https?://\S+", "<link>", text)


def plain(msg: Any) -> str:
    return msg.get_body(("plain",)).get_content()


def respondents_before(key: str, moment: datetime) -> set[str]:
    return {EMAILS[who] for k, who, at in SCHEDULE if k == key and at < moment}


# --- the contract: the same season, the same outcome ---------------------------------------------

#: Every action key of the plan (report.refresh excluded, see :data:`WALKED_KINDS`) and how it ends.
EXPECTED_LEDGER = {
    **{f"admin_summary.2022-{d}": "done" for d in ("08-01", "08-08", "08-15", "08-22", "08-29", "09-05", "09-12",
                                                   "09-19", "09-26")},
    "ws1.programme_draft": "done", "ws1.programme_final": "done", "ws1.prepare_notice": "done",
    **{f"{NEEDS}.{k}": "done" for k in ("create", "invitation", "reminder", "close", "sync", "results")},
    **{f"{PRE}.{k}": "done" for k in ("create", "invitation", "reminder", "close", "sync")},  # no results mail
    **{f"{f}.{k}": "done" for f in (POST, FEEDBACK, VOTE)
       for k in ("create", "invitation", "reminder", "close", "sync", "results")},
    f"{POST}.scores": "done",  # her own score, to each who took the pre-test or the post-test
}
#: The post-test, the feedback and the vote open, are reminded and close at the same moments: one mail per
#: person (results: one group mail) carries them all (automation/jobs/form_mails.py).  The vote's action runs
#: first (keys in order) and sends; the others find the messages sent.  Its header names the forms it carries.
BUNDLE = (POST, FEEDBACK, VOTE)
BUNDLE_KEY = "ws1.post_test+event_feedback+best_practice_vote"
#: The detail of every mail action: (messages it sent, messages it found already sent).
EXPECTED_SENT = {
    **{k: (1, 0) for k in EXPECTED_LEDGER if k.startswith("admin_summary.")},
    "ws1.programme_draft": (1, 0), "ws1.programme_final": (1, 0), "ws1.prepare_notice": (1, 0),
    f"{NEEDS}.results": (1, 0), f"{VOTE}.results": (1, 0), f"{FEEDBACK}.results": (0, 1), f"{POST}.results": (0, 1),
    f"{NEEDS}.invitation": (8, 0), f"{PRE}.invitation": (8, 0),
    f"{VOTE}.invitation": (8, 0), f"{FEEDBACK}.invitation": (0, 8), f"{POST}.invitation": (0, 8),
    f"{NEEDS}.reminder": (4, 0), f"{PRE}.reminder": (3, 0),
    f"{VOTE}.reminder": (5, 0), f"{FEEDBACK}.reminder": (0, 4), f"{POST}.reminder": (0, 2),
    f"{POST}.scores": (7, 0),  # participants 0-5 took the pre-test, 0-6 the post-test (SCHEDULE)
}
#: Reminders go to those who had not answered by then (the schedule above), in their own language.
EXPECTED_REMINDED = {
    f"{NEEDS}.reminder": ["gulnara@example.org", "nurgul@example.org", "olga@example.org", "zhibek@example.org"],
    f"{PRE}.reminder": ["gulnara@example.org", "nurgul@example.org", "olga@example.org"],
    f"{POST}.reminder": ["nurgul@example.org", "olga@example.org"],
    f"{FEEDBACK}.reminder": ["gulnara@example.org", "nurgul@example.org", "olga@example.org", "zhibek@example.org"],
    f"{VOTE}.reminder": ["aigul@example.org", "nurgul@example.org", "olga@example.org"],
}
#: The reminders as sent: one per person, naming the forms she had not answered (the header names them).
EXPECTED_REMINDER_MAILS = {
    f"{NEEDS}.reminder": EXPECTED_REMINDED[f"{NEEDS}.reminder"], f"{PRE}.reminder": EXPECTED_REMINDED[f"{PRE}.reminder"],
    f"{BUNDLE_KEY}.reminder": ["nurgul@example.org", "olga@example.org"],
    f"{FEEDBACK}.reminder": ["gulnara@example.org", "zhibek@example.org"], f"{VOTE}.reminder": ["aigul@example.org"],
}
#: Group mails by the header X-Club-Action (what they carry) and by the action that sent them.
GROUP_MAILS = ["ws1.programme_draft", "ws1.programme_final", "ws1.prepare_notice", f"{NEEDS}.results",
               f"{BUNDLE_KEY}.results"]
GROUP_ACTIONS = ["ws1.programme_draft", "ws1.programme_final", "ws1.prepare_notice", f"{NEEDS}.results",
                 f"{VOTE}.results"]


def forms_of(header: str) -> list[str]:
    """The form keys a form mail carries, from its X-Club-Action header (a form's action key or a bundle's)."""
    stem = header.rsplit(".", 1)[0]
    if stem == BUNDLE_KEY:
        return list(BUNDLE)
    return [stem]


def test_walking_the_clock_every_action_ends_done(season):
    ledger = season.ctx.store.ledger.all()
    assert {k: r.status for k, r in ledger.items()} == EXPECTED_LEDGER
    # each ran exactly once, at its due moment: nothing failed, was deferred or retried on the way
    assert {k for k, r in ledger.items() if r.attempts != 1} == set()
    dues = {a.key: a.due for a in walked_actions(season.ctx)}
    assert all(t == dues[r.action.key] for t, ran in season.ticks for r in ran)
    assert sorted(r.action.key for _, ran in season.ticks for r in ran) == sorted(EXPECTED_LEDGER)
    # the mail actions say the same on both backends
    assert {k: ledger[k].detail for k in EXPECTED_SENT} == {
        k: f"{n} sent, {a} already sent, 0 failed, 0 unknown" for k, (n, a) in EXPECTED_SENT.items()}
    # every form was made, then closed at its deadline
    assert {f.form_key: (f.status, f.backend) for f in season.ctx.store.forms.all()} == {
        k: ("closed", season.kind) for k in FORM_KEYS}


def test_mail_same_messages_to_the_same_recipients(season):
    ctx = season.ctx
    by_action = mail_by_action(ctx)
    expected = {
        **{k: [GROUP] for k in GROUP_MAILS},
        **{k: [ADMIN] for k in EXPECTED_LEDGER if k.startswith("admin_summary.")},
        **{f"{f}.invitation": sorted(EMAILS) for f in (NEEDS, PRE, BUNDLE_KEY)},
        **EXPECTED_REMINDER_MAILS,
        f"{POST}.scores": sorted(EMAILS[:7]),  # who took either test; Ольга took none
    }
    assert by_action == dict(sorted(expected.items()))
    # reminders only to non-respondents: those who had not answered before the reminder time
    for key, at in REMINDER_AT.items():
        reminded = sorted(to for header, tos in by_action.items() if header.endswith(".reminder")
                          and key in forms_of(header) for to in tos)
        assert reminded == sorted(set(EMAILS) - respondents_before(key, at)) == EXPECTED_REMINDED[f"{key}.reminder"]
    # the delivery ledger: one row per message, all sent; a group mail reaches the whole roster
    rows = deliveries(ctx)
    assert len(rows) == sum(n for n, _ in EXPECTED_SENT.values()) == len(sent_mail(ctx))
    assert {r[4] for r in rows} == {"sent"}
    lang = {p.email: p.language for p in ctx.store.roster.participants()}
    for action_key, recipient, language, n, _, _ in rows:
        if action_key in GROUP_ACTIONS:
            assert (recipient, language, n) == (f"group:{GROUP}", "ky+ru", 8)
        elif action_key.startswith("admin_summary."):
            assert (recipient, language, n) == (ADMIN, "ru", 1)
        else:
            assert (language, n) == (lang[recipient], 1)
    # personal mail carries her own link to each form it names, which leads to her (form_links)
    for m in sent_mail(ctx):
        action = str(m["X-Club-Action"])
        if action.endswith((".invitation", ".reminder")):
            pid = ctx.store.roster.get(str(m["To"])).id
            for form_key in forms_of(action):
                token = ctx.store.db.execute("SELECT token FROM form_links WHERE form_key = ? AND participant_id = ?",
                                             (form_key, pid)).fetchone()[0]
                assert token in plain(m)
            assert m["Content-Language"] == lang[str(m["To"])]


def test_subjects_arrive_as_composed(season):
    """The Subject a participant reads is the one composed and recorded in the delivery ledger.

    Regression: Gmail used to receive messages serialised with ``email.policy.SMTP`` (78-character
    lines), and Python 3.11's folding of a long Cyrillic subject lost the spaces between encoded
    words ('Тест:местное самоуправление иместный бюджет'); fixed in google/gmail.py ``_send_one``.
    """
    ctx = season.ctx
    recorded = dict(ctx.store.db.execute("SELECT message_id, subject FROM deliveries").fetchall())
    assert {str(m["Message-ID"]): str(m["Subject"]) for m in sent_mail(ctx)} == recorded


def test_responses_the_store_holds_what_each_participant_answered(season):
    ctx = season.ctx
    assert answers_table(ctx) == expected_answers_table(ctx)
    # one response per respondent and form, linked to her roster entry and e-mail
    got = sorted((r.form_key, r.participant_id, r.respondent_email) for r in ctx.store.responses.list())
    want = sorted((k, ctx.store.roster.get(EMAILS[w]).id, EMAILS[w]) for k, w, _ in SCHEDULE)
    assert got == want
    # submission times are kept to the second, in UTC
    times = sorted((r.form_key, r.respondent_email, r.submitted_at) for r in ctx.store.responses.list())
    assert times == sorted((k, EMAILS[w], at.strftime("%Y-%m-%dT%H:%M:%SZ")) for k, w, at in SCHEDULE)


def test_quiz_scores_are_the_same(season):
    ctx = season.ctx
    scores = scores_frame(answers_frame(ctx.store, [PRE, POST]))
    got = sorted(zip(scores["form_key"], scores["participant_id"], scores["score"]))
    want = sorted((k, ctx.store.roster.get(EMAILS[w]).id, score(spec_of(ctx, k), make_answers(spec_of(ctx, k), w, k)))
                  for k, w, _ in SCHEDULE if k in (PRE, POST))
    assert got == want
    assert len({s for *_, s in got}) > 2  # the answers are varied enough to tell scores apart


def test_idempotence_a_second_tick_at_the_final_moment_does_nothing(season):
    ctx = season.ctx
    ledger = ctx.store.ledger.all()
    mail, rows = len(sent_mail(ctx)), deliveries(ctx)
    answers = answers_table(ctx)
    before = Counter(season.fake.calls) if season.fake else Counter()
    assert run_due(ctx, season.final, walked_actions(ctx)) == []
    assert run_due(ctx, season.final + timedelta(days=7), walked_actions(ctx)) == []
    assert ctx.store.ledger.all() == ledger
    assert (len(sent_mail(ctx)), deliveries(ctx), answers_table(ctx)) == (mail, rows, answers)
    if season.fake:
        assert Counter(season.fake.calls) == before  # not a single call to Google


def test_a_closed_form_takes_no_more_answers(season):
    ctx = season.ctx
    p = ctx.store.roster.get(EMAILS[7])  # she never answered the post-test
    from automation.workspace.local.forms import FormClosed

    with pytest.raises((FormClosed, ValueError), match="(?i)closed|not accepting"):
        answer(ctx, POST, p, make_answers(spec_of(ctx, POST), 7, POST), season.final)
    assert p.id not in {r.participant_id for r in ctx.store.responses.list(POST)}


def test_worksheets_have_the_header_and_one_row_per_response(season):
    ctx = season.ctx
    risky = 0
    for key in FORM_KEYS:
        spec = spec_of(ctx, key)
        sheet = worksheet(ctx, key)
        header, rows = sheet[0], sheet[1:]
        assert header[:4] == ["Отметка времени", "Адрес электронной почты", "Область", "Роль"]
        titles = [f"{q.title.ru} [{r.label.ru}]" for q in spec.questions if q.kind == "grid" for r in q.rows]
        assert set(titles) <= set(header)
        assert (header[-1] == "Баллы") is spec.quiz
        assert len(header) == 4 + sum(len(q.rows) if q.kind == "grid" else 1 for q in spec.questions) + spec.quiz
        # one row per response, in submission order, time shown in Asia/Bishkek
        order = sorted((at, EMAILS[w]) for k, w, at in SCHEDULE if k == key)
        assert [r[:2] for r in rows] == [[at.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M:%S"), e] for at, e in order]
        oblast = {"naryn": "Нарынская", "bishkek": "г. Бишкек"}
        for r in rows:
            p = ctx.store.roster.get(r[1])
            if p.oblast in oblast:
                assert r[2] == oblast[p.oblast]
        if spec.quiz:
            assert all(re.fullmatch(r"\d+ / 17", str(r[-1])) for r in rows)
        # respondent text is text, never a formula (DESIGN.md principle 5)
        for i, r in enumerate(rows, start=2):
            for j, v in enumerate(r, start=1):
                if isinstance(v, str) and v.startswith(("=", "+", "-", "@")):
                    assert is_text_not_formula(ctx, key, i, j), (key, i, j, v)
                    risky += 1
    assert risky >= 5  # answers such as "=1+2 — бул формула эмес" were written and read back


# --- the two backends side by side -------------------------------------------------------------------


def test_backends_agree_on_the_ledger_and_what_ran_when(seasons):
    local, google = seasons.walked("local"), seasons.walked("google")
    assert [(t, [(r.action.key, r.status) for r in ran]) for t, ran in local.ticks] == \
           [(t, [(r.action.key, r.status) for r in ran]) for t, ran in google.ticks]
    lg, gg = local.ctx.store.ledger.all(), google.ctx.store.ledger.all()
    assert {k: r.status for k, r in lg.items()} == {k: r.status for k, r in gg.items()}
    assert {k: lg[k].detail for k in EXPECTED_SENT} == {k: gg[k].detail for k in EXPECTED_SENT}


def test_backends_agree_on_the_mail(seasons):
    local, google = seasons.walked("local").ctx, seasons.walked("google").ctx
    lm, gm = sent_mail(local), sent_mail(google)
    # the same deterministic Message-IDs, recipients, subjects and languages
    head = lambda ms: [(str(m["Message-ID"]), str(m["X-Club-Action"]), str(m["To"]), str(m["Subject"]),  # noqa: E731
                        str(m["Content-Language"])) for m in ms]
    assert head(lm) == head(gm)
    assert deliveries(local) == deliveries(google)
    # the same text; only the personal links differ (a token link locally, a pre-filled form link on Google)
    assert [mask_links(plain(m)) for m in lm] == [mask_links(plain(m)) for m in gm]
    group = [(a, b) for a, b in zip(lm, gm) if str(a["X-Club-Action"]) in GROUP_MAILS]
    assert len(group) == len(GROUP_MAILS) and all(plain(a) == plain(b) for a, b in group)


def test_backends_agree_on_the_answers(seasons):
    local, google = seasons.walked("local").ctx, seasons.walked("google").ctx
    cols = ["participant_id", "question_id", "row_id", "value"]

    def frame(ctx):
        df = answers_frame(ctx.store)
        df = df[["form_key"] + cols].copy()
        df["value"] = df["value"].map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
        return df.sort_values(["form_key"] + cols).reset_index(drop=True)

    assert frame(local).equals(frame(google))
    sl = scores_frame(answers_frame(local.store))[["form_key", "participant_id", "score"]]
    sg = scores_frame(answers_frame(google.store))[["form_key", "participant_id", "score"]]
    assert sl.sort_values(["form_key", "participant_id"]).reset_index(drop=True).equals(
        sg.sort_values(["form_key", "participant_id"]).reset_index(drop=True))


def test_backends_agree_on_the_worksheets(seasons):
    """Same header and rows; the only differences allowed are the documented ones (module docstring):
    where the worksheet lives, and empty cells (None in .xlsx, "" in Sheets) — removed by :func:`worksheet`."""
    local, google = seasons.walked("local").ctx, seasons.walked("google").ctx
    for key in FORM_KEYS:
        assert worksheet(local, key) == worksheet(google, key), key


def test_the_season_on_a_pessimistic_google_ends_as_on_the_local_backend(seasons):
    """The whole season with the fake's pessimistic modes on (Message-IDs replaced, the first forms.create
    answered 503 after making the form, e-mail collection VERIFIED by default, responses in no particular
    order, errors without legacy reasons, …): the same ledger, deliveries, answers and worksheets."""
    local, strict = seasons.walked("local"), seasons.walked("google-pessimistic")
    assert [(t, [(r.action.key, r.status) for r in ran]) for t, ran in local.ticks] == \
           [(t, [(r.action.key, r.status) for r in ran]) for t, ran in strict.ticks]
    assert deliveries(local.ctx) == deliveries(strict.ctx)
    for key in FORM_KEYS:
        assert worksheet(local.ctx, key) == worksheet(strict.ctx, key), key
    fake = _FAKES[id(strict.ctx)]
    assert len(fake.forms.records) == len(FORM_KEYS)  # no duplicate form from the lost create answer
    assert all(m["Message-ID"].endswith("@mail.gmail.com>") for m in fake.gmail.sent())


# --- Google only: the call budgets of DESIGN.md ------------------------------------------------------

def sends(k: int) -> Counter:
    """K messages through Gmail drafts: a drafts.create and a drafts.send each."""
    return Counter({"gmail.users.drafts.create": k, "gmail.users.drafts.send": k})


CREATE = Counter({"forms.create": 1, "forms.batchUpdate": 1, "forms.setPublishSettings": 1,
                  "drive.permissions.create": 1})
SYNC = Counter({"forms.responses.list": 1, "sheets.values.update": 1})


def expected_calls() -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for key in EXPECTED_LEDGER:
        kind = key.rsplit(".", 1)[-1]
        if key.startswith("admin_summary.") or key in GROUP_ACTIONS:
            out[key] = sends(1)  # the roster is the list: 8 addresses in Bcc of one message
        elif kind == "create":
            out[key] = CREATE
        elif key in {f"{f}.{k}" for f in (FEEDBACK, POST) for k in ("invitation", "reminder", "results")}:
            out[key] = Counter()  # the vote's action sent the bundle's mail (and synced its forms)
        elif kind == "scores":
            out[key] = sends(7)  # the post-test was synced at this moment: K sends, nothing else
        elif kind == "invitation":
            out[key] = sends(8)  # K sends, nothing else: links cost no call
        elif kind == "reminder":
            # the sync that finds who answered (its first write adds the form's worksheet), then K sends
            forms = len(BUNDLE) if key == f"{VOTE}.reminder" else 1
            out[key] = Counter({k: v * forms for k, v in (SYNC + Counter({"sheets.batchUpdate": 1})).items()}) \
                + sends(EXPECTED_SENT[key][0])
        elif kind == "close":
            out[key] = Counter({"forms.setPublishSettings": 1})
        elif kind == "sync":
            out[key] = SYNC
    out[f"{NEEDS}.reminder"] += Counter({"drive.files.create": 1})  # the season's spreadsheet, made once
    return out


def test_google_call_budgets_per_action(seasons):
    season = seasons.walked("google")
    assert {k: +c for k, c in season.calls.items()} == expected_calls()
    # making a form of any size is 4 calls (post_test has 15 questions, needs_assessment 20)
    sizes = {k: len(spec_of(season.ctx, k).questions) for k in FORM_KEYS}
    assert sizes[NEEDS] == 20 and all(season.calls[f"{k}.create"] == CREATE for k in FORM_KEYS)
    # the vote's scheduled sync found nothing new since its reminder: still 1 list + 1 write
    assert season.ctx.store.ledger.get(f"{VOTE}.sync").detail.startswith("5 responses (0 new)")
    assert season.calls[f"{VOTE}.sync"] == SYNC
    # nothing went through a path the fake does not know
    assert not season.fake.unmatched
    # one message per group mail: the club's address in To, the whole roster in Bcc (gmail.com: roster = list)
    for m in sent_mail(season.ctx):
        if str(m["X-Club-Action"]) in GROUP_MAILS:
            assert sorted(a.strip() for a in str(m["Bcc"]).split(",")) == sorted(EMAILS)


def test_google_a_sync_with_nothing_new_is_one_list_and_one_write(seasons):
    season = seasons.walked("google")
    ctx, fake = season.ctx, season.fake
    for key in FORM_KEYS:
        n = len(ctx.store.responses.list(key))
        fake.reset_calls()
        result = sync_form(ctx, key, season.final)
        assert result.status == "done" and result.detail.startswith(f"{n} responses (0 new)"), result.detail
        assert fake.calls == SYNC, key
        assert len(ctx.store.responses.list(key)) == n


def test_google_holds_no_answer_key_of_a_test_whose_answers_wait(seasons):
    """The season's tests show answers after the deadline, so their key stays off Google (Google would show it
    right after each submission: form_requests.answer_key_on_google) and the service grades alone; where the key
    is on Google (after_submit), tests/test_google_forms.py checks that Google grades as we do."""
    ctx = seasons.walked("google").ctx
    for key in (PRE, POST):
        spec = spec_of(ctx, key)
        assert spec.quiz and spec.show_answers == "after_deadline"
        rows = ctx.store.responses.list(key)
        assert rows
        for r in rows:
            raw = json.loads(r.raw_json)
            assert "totalScore" not in raw and '"grade"' not in r.raw_json
            assert 0 <= score(spec, json.loads(r.answers_json)) <= spec.max_score

