"""Issue 15 on Google Forms, against the fake Google: personal links pre-fill what the roster knows, and the
form's description names the event and its date (Kyrgyz first)."""
from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from automation.context import Context
from automation.model import BISHKEK, Participant
from automation.plan.load import load_plan
from automation.store import Store
from automation.workspace.google import GoogleBackend
from automation.workspace.google.form_requests import build_form_requests, form_ids, label
from automation.workspace.google.forms import update_requests
from conftest import google_connection
from test_google_forms import (DEADLINE, ROOT, clock, conn, creds, fake, google_context,  # noqa: F401  (fixtures)
                               register_form, small_spec, templates)



# --- don't ask what is known: pre-filled roster answers (issue 15) --------------------------------


def test_a_personal_link_pre_fills_what_the_roster_knows_and_the_synced_response_keeps_it(fake, conn):
    ctx = google_context(fake, conn)
    spec = templates()["needs_assessment"]
    created = ctx.backend.forms.create_form("needs", spec, DEADLINE)
    register_form(ctx, "needs", spec, created.external_id, created.url)
    she = Participant(id="p_0123456789ab", name="Айгүл", email="aigul@example.org", oblast="jalal-abad",
                      role="deputy", language="ky")
    fake.reset_calls()
    link = ctx.backend.forms.personal_links("needs", created.external_id, created.url, [she])[she.id]
    assert sum(fake.calls.values()) == 0
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    ids = form_ids(spec)
    entry = {qid: f"entry.{int(ids.questions[(qid, None)], 16)}" for qid in ("oblast", "role")}
    # the roster's code jalal-abad is the option jalal_abad; the value is the label exactly as the form shows it
    assert query[entry["oblast"]] == ["Жалал-Абад облусу / Джалал-Абадская область"]
    assert query[entry["role"]] == ["Жергиликтүү кеңештин депутаты / Депутат местного кенеша"]
    assert query[f"entry.{int(ids.code_question, 16)}"] == [she.id]
    # a roster value the question has no option for is not pre-filled (she is asked as usual)
    other = Participant(id="p_0123456789ac", name="Бермет", email="b@example.org", oblast="", role="deputy")
    query2 = urllib.parse.parse_qs(urllib.parse.urlsplit(
        ctx.backend.forms.personal_links("needs", created.external_id, created.url, [other])[other.id]).query)
    assert entry["oblast"] not in query2 and entry["role"] in query2

    # she leaves the pre-filled answers and answers one more question; the sync maps them back to option ids
    fake.forms.submit_prefilled(link, {ids.questions[("deputy_years", None)]: label(
        spec.question("deputy_years").options[0].label)})
    (r,) = ctx.backend.forms.fetch_responses("needs", created.external_id, spec, None)
    assert r.participant_id == she.id
    assert {k: r.answers[k] for k in ("oblast", "role")} == {"oblast": "jalal_abad", "role": "deputy"}
    assert r.answers["deputy_years"] == spec.question("deputy_years").options[0].id


# --- forms that say what they are: the event's name and date in the description (issue 15) ------------


def test_the_form_job_names_the_event_and_its_date_in_the_description_kyrgyz_first(fake, conn):
    from automation.jobs import forms as form_jobs
    from automation.plan.actions import actions

    ctx = google_context(fake, conn)
    plan = ctx.plan
    create = next(a for a in actions(plan) if a.kind == "form.create" and plan.event(a.event_id) is not None)
    event = plan.event(create.event_id)
    assert form_jobs.create(ctx, create, create.due).status == "done"
    record = ctx.store.forms.get(create.payload["form_key"])
    description = fake.forms.form(record.external_id)["info"]["description"]
    date = event.start.astimezone(BISHKEK).strftime("%d.%m.%Y")
    ky, ru = description.split("\n\n")
    assert ky.startswith(f"Иш-чара: {event.title.ky}, {date}\n") and ky.rstrip().endswith("(Бишкек убактысы).")
    assert ru.startswith(f"Мероприятие: {event.title.ru}, {date}\n") and ru.rstrip().endswith("(время Бишкека).")
    # a correction sent later keeps the event line (one batchUpdate with updateFormInfo)
    spec = record.spec()
    body = update_requests(spec, spec, DEADLINE, record.context())
    assert body["requests"][0]["updateFormInfo"]["info"]["description"].startswith(f"Иш-чара: {event.title.ky}")


def test_a_form_without_an_event_has_no_event_line():
    body = build_form_requests(small_spec(), DEADLINE, context={"contact": "admin@example.org"})
    (info,) = [r["updateFormInfo"]["info"] for r in body["batchUpdate"]["requests"] if "updateFormInfo" in r]
    assert "Иш-чара" not in info["description"] and "Мероприятие" not in info["description"]
    assert info["description"].startswith("Жооп берүү мөөнөтү:")


def test_the_invitation_mail_carries_her_whole_pre_filled_link(fake, clock):
    from automation.jobs import forms as form_jobs
    from automation.jobs import mailings
    from automation.plan.actions import actions
    from automation.roster import read_roster

    scopes = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/gmail.compose"]
    fake.grant("tok", scopes)
    conn = google_connection(fake, scopes=scopes)
    store = Store(":memory:")
    store.roster.upsert(read_roster(ROOT / "examples/club2022/roster.csv").participants, source="test")
    plan = load_plan(ROOT / "examples/club2022/plan.yaml")
    backend = GoogleBackend.connect(conn, store, plan.club.group_email, groups="roster", spreadsheet_title="S")
    ctx = Context(store=store, plan=plan, backend=backend, out_dir=Path("/nonexistent"), daily_cap=10_000)
    needs = next(f for f in plan.forms if f.template == "needs_assessment")
    by_key = {a.key: a for a in actions(plan)}
    create, invite = by_key[f"{needs.key}.create"], by_key[f"{needs.key}.invitation"]
    assert form_jobs.create(ctx, create, create.due).status == "done"
    assert mailings.run(ctx, invite, invite.due).status == "done"
    spec = store.forms.get(needs.key).spec()
    oblast_entry = f"entry.{int(form_ids(spec).questions[('oblast', None)], 16)}"
    links = store.forms.links(needs.key)
    people = {p.email: p for p in store.roster.participants()}
    for msg in fake.gmail.sent()[:5]:
        body = msg.get_body(("plain",)).get_content()
        link = re.search(r"https://docs\.google\.com/forms/\S+", body).group(0)
        she = people[msg["To"].addresses[0].addr_spec.lower()]
        assert link == links[she.id]  # whole, not wrapped or cut
        option = next(o for o in spec.question("oblast").options if o.id == she.oblast.replace("-", "_"))
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)[oblast_entry] == [label(option.label)]
