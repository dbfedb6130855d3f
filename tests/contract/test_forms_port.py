"""The forms port's contract, run against the local web forms and Google Forms (the fake Google).

What every FormsPort promises (automation/workspace/ports.py), seen through the jobs that use it:

* ``create_form`` returns the backend's id and a public URL, different for two forms;
* ``personal_links`` gives one link per participant, a different one each, the same ones when
  asked again (for all or some of them), and records who was invited (the reminder job's
  non-respondents);
* what a participant answers through her personal link comes back — through ``fetch_responses``
  and the sync job, or straight into the store — keyed by the template's question ids, exactly as
  given, and attributed to her; syncing again stores nothing twice;
* a closed form takes no more answers.

Each implementation gives the backend (fixture ``ctx``) and the respondent's side (``respond``):
the local web forms' own ``LocalForms.submit``, or a submission to the fake Google Forms with the
personal code her link pre-fills.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest

from automation.context import Context
from automation.forms.answers import check_answers
from automation.forms.known import known_answers
from automation.forms.templates import get_template
from automation.jobs import forms as form_jobs
from automation.jobs.mailings import non_respondents
from automation.jobs.responses import sync_form
from automation.model import Action, FormSpec, Participant, form_spec_from_json, iso
from automation.plan.load import load_plan
from automation.roster import read_roster
from automation.store import Store
from automation.workspace.google import GoogleBackend
from automation.workspace.google.form_requests import form_ids, label
from automation.workspace.local.forms import FormClosed, LocalForms
from conftest import CLUB_PLAN, CLUB_ROSTER, local, make_season
from contract.support import connect

OPENS = local(2022, 8, 1, 10)
DEADLINE = local(2022, 8, 10, 18)
TEXT = "=1+2 — бюджет / бюджет"


def create_action(form_key: str, template: str) -> Action:
    """The scheduler's ``form.create`` action for a roster form open from OPENS to DEADLINE."""
    return Action(key=f"{form_key}.create", kind="form.create", due=OPENS, event_id="contract",
                  payload={"form_key": form_key, "template": template, "deadline": iso(DEADLINE),
                           "audience": "roster"})


def answers_for(spec: FormSpec, i: int) -> dict[str, Any]:
    """A valid response (every question answered) that differs with ``i``."""
    out: dict[str, Any] = {}
    for q in spec.questions:
        ids = [o.id for o in q.options]
        if q.kind in ("single_choice", "dropdown"):
            out[q.id] = ids[i % len(ids)]
        elif q.kind == "multiple_choice":
            out[q.id] = [x for x in ids if x in {ids[i % len(ids)], ids[-1]}]
        elif q.kind == "scale":
            assert q.scale is not None
            out[q.id] = q.scale.low + i % (q.scale.high - q.scale.low + 1)
        elif q.kind == "grid":
            out[q.id] = {r.id: ids[(i + n) % len(ids)] for n, r in enumerate(q.rows)}
        elif q.kind == "date":
            out[q.id] = f"198{i % 10}-05-17"
        else:
            out[q.id] = TEXT
    assert check_answers(spec, out) == {}
    return out


def stored(ctx: Context, form_key: str) -> list[tuple[str | None, dict[str, Any]]]:
    """``(participant id, answers)`` of every response the store holds for the form."""
    return [(r.participant_id, json.loads(r.answers_json)) for r in ctx.store.responses.list(form_key)]


class FormsPortContract:
    """The shared tests; a subclass gives the backend (fixture ``ctx``) and the respondent's side."""

    #: What answering a closed form raises on this backend.
    closed_errors: tuple[type[Exception], ...] = ()

    @pytest.fixture
    def ctx(self, *args: Any) -> Context:
        raise NotImplementedError

    def respond(self, ctx: Context, form_key: str, link: str, p: Participant, answers: dict[str, Any]) -> None:
        """Answer the form as ``p`` would through her personal ``link``."""
        raise NotImplementedError

    # --- helpers -------------------------------------------------------------------------------
    def create(self, ctx: Context, form_key: str = "needs_2022", template: str = "needs_assessment") -> Any:
        assert form_jobs.create(ctx, create_action(form_key, template), OPENS).status == "done"
        return ctx.store.forms.get(form_key)

    def people(self, ctx: Context, n: int) -> list[Participant]:
        return ctx.store.roster.participants(active_only=True)[:n]

    def links(self, ctx: Context, form: Any, people: list[Participant]) -> dict[str, str]:
        return ctx.backend.forms.personal_links(form.form_key, form.external_id, form.url, people)

    def spec(self, form: Any) -> FormSpec:
        return form_spec_from_json(json.loads(form.spec_json))

    # --- the contract ----------------------------------------------------------------------------
    def test_create_form_returns_an_id_and_a_public_url(self, ctx):
        spec = get_template("needs_assessment")
        a = ctx.backend.forms.create_form("needs_2022", spec, DEADLINE)
        b = ctx.backend.forms.create_form("needs_2023", spec, DEADLINE)
        for created in (a, b):
            assert isinstance(created.external_id, str) and created.external_id
            assert created.url.startswith(("http://", "https://"))
        assert a.external_id != b.external_id and a.url != b.url

    def test_personal_links_one_per_participant_each_different(self, ctx):
        form = self.create(ctx)
        people = self.people(ctx, 6)
        links = self.links(ctx, form, people)
        assert set(links) == {p.id for p in people}
        assert len(set(links.values())) == 6
        assert all(link.startswith(("http://", "https://")) for link in links.values())

    def test_personal_links_are_the_same_when_asked_again(self, ctx):
        form = self.create(ctx)
        people = self.people(ctx, 6)
        first = self.links(ctx, form, people)
        assert self.links(ctx, form, people) == first
        assert self.links(ctx, form, people[2:4]) == {p.id: first[p.id] for p in people[2:4]}

    def test_who_was_invited_is_recorded_for_the_reminders(self, ctx):
        form = self.create(ctx)
        people = self.people(ctx, 5)
        self.links(ctx, form, people)
        assert {p.id for p in non_respondents(ctx, form.form_key)} == {p.id for p in people}

    def test_an_answer_comes_back_as_given_and_attributed_to_her(self, ctx):
        form = self.create(ctx)
        people = self.people(ctx, 3)
        links = self.links(ctx, form, people)
        # she answers the roster's questions (oblast, role, language) as the roster has them: her personal link on
        # the local backend does not ask them and stores the roster's values (automation/forms/known.py)
        given = {p.id: {**answers_for(self.spec(form), i), **known_answers(self.spec(form), p)}
                 for i, p in enumerate(people[:2])}
        for p in people[:2]:
            self.respond(ctx, form.form_key, links[p.id], p, given[p.id])
        assert sync_form(ctx, form.form_key, OPENS + timedelta(days=1)).status == "done"
        assert sorted(stored(ctx, form.form_key), key=lambda r: r[0] or "") == sorted(given.items())
        assert [p.id for p in non_respondents(ctx, form.form_key)] == [people[2].id]

    def test_syncing_again_stores_nothing_twice(self, ctx):
        form = self.create(ctx)
        (p,) = self.people(ctx, 1)
        link = self.links(ctx, form, [p])[p.id]
        self.respond(ctx, form.form_key, link, p, answers_for(self.spec(form), 0))
        for hours in (1, 2, 3):
            sync_form(ctx, form.form_key, OPENS + timedelta(hours=hours))
        assert [pid for pid, _ in stored(ctx, form.form_key)] == [p.id]

    def test_a_closed_form_takes_no_more_answers(self, ctx):
        form = self.create(ctx)
        (p,) = self.people(ctx, 1)
        link = self.links(ctx, form, [p])[p.id]
        close = Action(key="needs_2022.close", kind="form.close", due=DEADLINE, event_id="contract",
                       payload={"form_key": "needs_2022"})
        assert form_jobs.close(ctx, close, DEADLINE).status == "done"
        with pytest.raises(self.closed_errors):
            self.respond(ctx, form.form_key, link, p, answers_for(self.spec(form), 0))


class TestLocalForms(FormsPortContract):
    """The local backend: the store is the form service; she answers through the web forms' submit."""

    closed_errors = (FormClosed,)

    @pytest.fixture
    def ctx(self, tmp_path: Path) -> Iterator[Context]:
        ctx = make_season(tmp_path)
        self.forms: LocalForms = ctx.backend.forms  # the concrete local forms: make_season builds a LocalBackend
        yield ctx
        ctx.store.close()

    def respond(self, ctx: Context, form_key: str, link: str, p: Participant, answers: dict[str, Any]) -> None:
        token = urllib.parse.urlsplit(link).path.rsplit("/t/", 1)[1]
        self.forms.submit(token, answers, now=OPENS + timedelta(hours=1))  # LocalForms' own method, not the port's


class TestGoogleForms(FormsPortContract):
    """Google Forms through the fake Google: she submits the form her pre-filled link opens."""

    closed_errors = (ValueError,)  # the fake refuses a submission to a form not accepting responses

    @pytest.fixture
    def ctx(self, tmp_path: Path, fake) -> Iterator[Context]:
        self.fake = fake
        plan = load_plan(CLUB_PLAN)
        store = Store(tmp_path / "state.sqlite")
        store.roster.upsert(read_roster(CLUB_ROSTER).participants, source="test")
        backend = GoogleBackend.connect(connect(fake), store, plan.club.group_email, groups="roster")
        yield Context(store=store, plan=plan, backend=backend, out_dir=tmp_path)
        store.close()

    def respond(self, ctx: Context, form_key: str, link: str, p: Participant, answers: dict[str, Any]) -> None:
        form = ctx.store.forms.get(form_key)
        spec = self.spec(form)
        ids = form_ids(spec)
        given: dict[str, Any] = {}
        known = known_answers(spec, p)  # her pre-filled link answers these already: she leaves them as they are
        for q in spec.questions:  # what the Forms web page submits: option labels, keyed by question id
            if q.id in known and answers.get(q.id) == known[q.id]:
                continue
            v, names = answers[q.id], {o.id: label(o.label) for o in q.options}
            if q.kind == "grid":
                given.update({ids.questions[(q.id, row)]: names[col] for row, col in v.items()})
            elif q.kind == "multiple_choice":
                given[ids.questions[(q.id, None)]] = [names[x] for x in v]
            elif q.kind in ("single_choice", "dropdown"):
                given[ids.questions[(q.id, None)]] = names[v]
            else:
                given[ids.questions[(q.id, None)]] = str(v)
        # the code and the roster's answers come from the entries her link pre-fills (tests/fake_google/forms.py)
        self.fake.forms.submit_prefilled(link, given, respondent_email=p.email,
                                         submitted_at=OPENS + timedelta(hours=1))


class TestGoogleFormsPessimistic(TestGoogleForms):
    """The same contract with the fake behaving as Google is documented or reported to (pessimistic=True:
    the first forms.create answers 503 after making the form, e-mail collection defaults to VERIFIED,
    Forms errors carry no legacy reason, sharing needs an account, Message-IDs are replaced)."""

    @pytest.fixture
    def fake(self, clock):
        from fake_google import FakeGoogle

        with FakeGoogle(clock=clock, user_email="club@gmail.com", pessimistic=True) as server:
            yield server
            assert not server.internal_errors, "\n".join(server.internal_errors)
