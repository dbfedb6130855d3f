"""Correcting a form after the invitations went out (issue 15): texts, new options and a later deadline are
taken, every response keeps the version it answered, and a change that would alter the meaning of stored
answers is refused with nothing changed; on Google the same edit is one batchUpdate."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automation.context import Context
from automation.forms.edit import EditRefused, edit_form
from automation.forms.templates import get_template
from automation.model import I18n, Option, parse_iso
from automation.scheduler import run_due
from automation.workspace.google.form_requests import FormBuildError
from automation.workspace.google.forms import update_requests
from conftest import club_context
from conftest import local as L  # noqa: N812

ROSTER = "name,email,phone,oblast,municipality,role,language\n" + "".join(
    f"Участница {i},p{i}@example.org,,naryn,Ат-Башы,deputy,ru\n" for i in range(4))
PLAN = """club:
  name: {ky: Клуб, ru: Клуб}
  group_email: club@example.org
  admin_email: admin@example.org
events:
  - id: ws1
    title: {ky: Бюджет, ru: Бюджет}
    format: online_workshop
    start: 2022-09-15 14:00
    end: 2022-09-15 16:00
    forms:
      - template: post_test
      - template: event_feedback
"""


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    c = club_context(tmp_path, PLAN, ROSTER)
    run_due(c, L(2022, 9, 15, 17))
    return c


def _answer(ctx: Context, key: str, who: int, answers: dict, at: datetime) -> None:
    pid = ctx.store.roster.get(f"p{who}@example.org").id
    ctx.backend.forms.submit(ctx.store.forms.links(key)[pid], answers, now=at)


def _full(spec, **given) -> dict:
    """Every required question answered (the first option, the top of a scale, a text), ``given`` on top."""
    out = {}
    for q in spec.questions:
        if not q.required:
            continue
        if q.kind == "multiple_choice":
            out[q.id] = [q.options[0].id]
        elif q.kind in ("single_choice", "dropdown"):
            out[q.id] = q.options[0].id
        elif q.kind == "scale":
            out[q.id] = q.scale.high
        elif q.kind == "grid":
            out[q.id] = {r.id: q.options[0].id for r in q.rows}
        else:
            out[q.id] = "текст"
    return {**out, **given}


FEEDBACK = _full(get_template("event_feedback"), usefulness=5, apply="yes")


def _typo_and_new_option(spec):
    apply = spec.question("apply")
    fixed = dataclasses.replace(apply, title=I18n(apply.title.ky + "!", apply.title.ru + "!"),
                                options=apply.options + (Option("later", I18n("Кийинчерээк", "Позже")),))
    return dataclasses.replace(spec, questions=tuple(fixed if q.id == "apply" else q for q in spec.questions))


def test_a_typo_and_a_new_option_are_taken_and_responses_keep_their_version(ctx):
    key = "ws1.event_feedback"
    _answer(ctx, key, 0, FEEDBACK, L(2022, 9, 16, 10))
    before = ctx.store.forms.get(key)
    res = edit_form(ctx.store, ctx.backend.forms, key, L(2022, 9, 17, 9), _typo_and_new_option(before.spec()),
                    note="typo")
    assert (res.old_version, res.new_version) == (before.template_version, before.template_version + 1)
    assert any("new option(s) later" in c for c in res.changes)
    after = ctx.store.forms.get(key)
    assert after.template_version == res.new_version and after.spec().question("apply").title.ru.endswith("!")
    assert [v.version for v in ctx.store.forms.versions(key)] == [before.template_version]
    assert ctx.store.forms.versions(key)[0].spec_json == before.spec_json
    _answer(ctx, key, 1, {**FEEDBACK, "apply": "later"}, L(2022, 9, 17, 10))
    versions = {r.participant_id: r.template_version for r in ctx.store.responses.list(key)}
    assert sorted(versions.values()) == [before.template_version, res.new_version]
    assert len(ctx.store.responses.list(key)) == 2


def test_removing_an_answered_option_or_rekeying_a_test_is_refused_and_nothing_changes(ctx):
    fb, pt = "ws1.event_feedback", "ws1.post_test"
    _answer(ctx, fb, 0, FEEDBACK, L(2022, 9, 16, 10))
    spec = ctx.store.forms.get(fb).spec()
    apply = spec.question("apply")
    no_yes = dataclasses.replace(apply, options=tuple(o for o in apply.options if o.id != "yes"))
    before = ctx.store.forms.get(fb)
    with pytest.raises(EditRefused, match="option yes .* was chosen 1 time"):
        edit_form(ctx.store, ctx.backend.forms, fb, L(2022, 9, 17, 9),
                  dataclasses.replace(spec, questions=tuple(no_yes if q.id == "apply" else q for q in spec.questions)))
    assert ctx.store.forms.get(fb) == before and ctx.store.forms.versions(fb) == []
    test = ctx.store.forms.get(pt).spec()
    right = {q.id: (list(q.correct) if q.kind == "multiple_choice" else q.correct[0]) for q in test.questions
             if q.correct}
    _answer(ctx, pt, 0, right, L(2022, 9, 16, 10))
    q = test.question("q_budget_year")
    rekeyed = dataclasses.replace(test, questions=tuple(
        dataclasses.replace(x, correct=("b",)) if x.id == q.id else x for x in test.questions))
    with pytest.raises(EditRefused, match="q_budget_year: changing its correct answer"):
        edit_form(ctx.store, ctx.backend.forms, pt, L(2022, 9, 17, 9), rekeyed)
    removed = dataclasses.replace(test, questions=tuple(x for x in test.questions if x.id != q.id))
    with pytest.raises(EditRefused, match="removing it would lose their answers"):
        edit_form(ctx.store, ctx.backend.forms, pt, L(2022, 9, 17, 9), removed)


def test_an_extended_deadline_keeps_the_form_open_and_its_deadline_actions_wait(ctx):
    key = "ws1.event_feedback"
    old = parse_iso(ctx.store.forms.get(key).deadline)
    with pytest.raises(EditRefused, match="earlier than the current one"):
        edit_form(ctx.store, ctx.backend.forms, key, L(2022, 9, 17, 9), deadline=old - timedelta(days=1))
    with pytest.raises(EditRefused, match="nothing to change"):
        edit_form(ctx.store, ctx.backend.forms, key, L(2022, 9, 17, 9))
    new = old + timedelta(days=3)
    edit_form(ctx.store, ctx.backend.forms, key, L(2022, 9, 17, 9), deadline=new)
    assert parse_iso(ctx.store.console.deadlines()[key]) == new  # the plan's deadline actions move, as after `forms extend`
    ran = {r.action.key: r.status for r in run_due(ctx, old + timedelta(hours=1))}
    assert ran.get(f"{key}.close") in (None, "deferred") and ran.get(f"{key}.results") in (None, "deferred")
    assert ran["ws1.post_test.close"] == "done"  # the other form closes as planned
    _answer(ctx, key, 2, FEEDBACK, old + timedelta(days=1))  # after the old deadline: still taken
    assert ctx.store.forms.get(key).status == "open"
    ran = {r.action.key: r.status for r in run_due(ctx, new + timedelta(minutes=5))}
    assert ran[f"{key}.close"] == "done" and ctx.store.forms.get(key).status == "closed"
    with pytest.raises(EditRefused, match="has closed"):
        edit_form(ctx.store, ctx.backend.forms, key, new + timedelta(hours=1), deadline=new + timedelta(days=9))


def test_the_google_edit_is_one_batch_update_that_keeps_item_ids():
    old = get_template("event_feedback")
    new = _typo_and_new_option(old)
    extra = dataclasses.replace(old.questions[-1], id="q_extra", title=I18n("Кошумча", "Дополнительно"))
    new = dataclasses.replace(new, questions=new.questions + (extra,))
    body = update_requests(old, new, L(2022, 9, 20, 18))
    kinds = [next(iter(r)) for r in body["requests"]]
    assert kinds[0] == "updateFormInfo" and kinds.count("updateItem") == 1 and kinds.count("createItem") == 1
    upd = next(r["updateItem"] for r in body["requests"] if "updateItem" in r)
    assert upd["updateMask"] == "title,description,questionItem" and "location" in upd
    assert "Позже" in json.dumps(upd, ensure_ascii=False)
    created = next(r["createItem"] for r in body["requests"] if "createItem" in r)
    assert created["location"]["index"] == len(old.sections) + len(old.questions)  # before the code item
    swapped = dataclasses.replace(old, questions=(old.questions[1], old.questions[0]) + old.questions[2:])
    swapped = dataclasses.replace(swapped, questions=tuple(dataclasses.replace(q, section=old.questions[0].section)
                                                           if q.id in (old.questions[0].id, old.questions[1].id)
                                                           else q for q in swapped.questions))
    if [q.id for q in swapped.questions] != [q.id for q in old.questions]:
        with pytest.raises(FormBuildError, match="order"):
            update_requests(old, swapped, L(2022, 9, 20, 18))


def test_forms_edit_command_refuses_with_the_reason(ctx, tmp_path, capsys):
    from automation.cli.main import main

    _answer(ctx, "ws1.event_feedback", 0, FEEDBACK, L(2022, 9, 16, 10))
    src = get_template("event_feedback").source
    text = Path(src).read_text(encoding="utf-8").replace('          - {id: partly, label: {ky: "Жарым-жартылай", '
                                                         'ru: "Частично"}}\n', "")
    bad = tmp_path / "event_feedback.yaml"
    bad.write_text(text, encoding="utf-8")
    rc = main(["--config", str(tmp_path / "club.yaml"), "forms", "edit", "ws1.event_feedback", "--from", str(bad),
               "--now", "2022-09-17 09:00"])
    out = capsys.readouterr().out
    if "partly" in text:  # the option line was not found: the template changed; nothing to test here
        pytest.skip("event_feedback.yaml has no 'partly' line in the expected form")
    assert rc == 0 and "Форма исправлена" in out  # 'partly' was never chosen: removing it is safe
    text2 = Path(src).read_text(encoding="utf-8").replace('{id: "yes", label:', '{id: "yes_", label:')
    bad.write_text(text2, encoding="utf-8")
    rc = main(["--config", str(tmp_path / "club.yaml"), "forms", "edit", "ws1.event_feedback", "--from", str(bad),
               "--now", "2022-09-17 09:00"])
    out = capsys.readouterr().out
    assert rc == 1 and "Форма не изменена" in out and "option yes" in out


def test_the_google_edit_is_accepted_by_the_fake_forms_api_in_one_call_and_keeps_question_ids():
    """The fake (tests/fake_google, pessimistic about masks, locations and ids) applies the batch atomically."""
    import datetime as dt

    from conftest import Clock, google_connection
    from fake_google import FakeGoogle
    from automation.workspace.google import GoogleForms

    old = get_template("event_feedback")
    new = _typo_and_new_option(old)
    with FakeGoogle(clock=Clock(dt.datetime(2022, 6, 1, 9, 0, tzinfo=dt.timezone.utc))) as fake:
        conn = google_connection(fake)
        forms = GoogleForms(conn)
        created = forms.create_form("ev.fb", old, L(2022, 6, 20, 18))
        before = fake.forms.question_ids(created.external_id)
        calls = dict(fake.calls)
        forms.update_form(created.external_id, old, new, L(2022, 6, 23, 18))
        assert fake.calls["forms.batchUpdate"] == calls["forms.batchUpdate"] + 1
        assert sum(fake.calls.values()) == sum(calls.values()) + 1
        form = fake.forms.form(created.external_id)
        assert sorted(fake.forms.question_ids(created.external_id).values()) == sorted(before.values())
        text = json.dumps(form, ensure_ascii=False)
        assert "Позже" in text and "23.06.2022 18:00" in text
        assert not fake.internal_errors
