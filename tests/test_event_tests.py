"""A test per training: the plan's ``test:`` on an event, its bank, the forms made from it, and the analysis
per event on the different questions (issue 15, docs/TEMPLATES.md "Tests per training")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from automation.analysis import posttest
from automation.analysis.frame import answers_frame, form_specs
from automation.app import make_context
from automation.config import load_config
from automation.context import Context
from automation.errors import PlanError
from automation.forms.templates import DEFAULT_DIR
from automation.forms.testfile import load_test
from automation.plan.actions import actions
from automation.plan.load import load_plan
from automation.scheduler import run_due
from conftest import club_context, write_club
from conftest import local as L  # noqa: N812

ROOT = Path(__file__).resolve().parent.parent
ROSTER = "name,email,phone,oblast,municipality,role,language\n" + "".join(
    f"Участница {i},p{i}@example.org,,naryn,Ат-Башы,deputy,{'ky' if i % 2 else 'ru'}\n" for i in range(6))
PLAN = """club:
  name: {ky: Клуб, ru: Клуб}
  group_email: club@example.org
  admin_email: admin@example.org
events:
  - id: ws_a
    title: {ky: Бюджет, ru: Бюджет}
    format: online_workshop
    start: 2022-09-15 14:00
    end: 2022-09-15 16:00
    test: tests/law_budget.yaml
    forms:
      - template: post_test
        pre_test: true
  - id: ws_b
    title: {ky: СЭӨП, ru: ПСЭР}
    format: lecture
    start: 2022-09-22 14:00
    end: 2022-09-22 16:00
    test: tests/sed_programmes.yaml
    forms:
      - template: post_test
        pre_test: true
"""


def _setup(tmp_path: Path, plan: str = PLAN) -> Path:
    return write_club(tmp_path, plan, ROSTER)


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return club_context(tmp_path, PLAN, ROSTER)


def test_the_demo_plan_gives_two_events_different_tests():
    plan = load_plan(ROOT / "examples" / "club2022" / "plan.yaml")
    tests = {f.key: f.test for f in plan.forms if f.template == "post_test"}
    assert tests["ws_law_budget.post_test"] == tests["ws_law_budget.post_test.pre"]
    assert tests["lecture_sed_programmes.post_test"] == tests["lecture_sed_programmes.post_test.pre"]
    a, b = load_test(tests["ws_law_budget.post_test"]), load_test(tests["lecture_sed_programmes.post_test"])
    assert a.id == "law_budget" and b.id == "sed_programmes"
    assert {q.id for q in a.questions} != {q.id for q in b.questions}
    acts = {x.key: x for x in actions(plan)}
    assert acts["lecture_sed_programmes.post_test.pre.create"].payload["test"] == tests["lecture_sed_programmes.post_test"]


def _answer_all(ctx: Context, key: str, now: datetime) -> None:
    """Every invited participant answers: all wrong on a pre-test, all right on a post-test."""
    spec = ctx.store.forms.get(key).spec()
    wrong = key.endswith(".pre")
    ans = {}
    for q in spec.questions:
        if q.correct:
            pick = [o.id for o in q.options if o.id not in q.correct][:1] if wrong else list(q.correct)
            ans[q.id] = pick if q.kind == "multiple_choice" else pick[0]
    for tok in ctx.store.forms.links(key).values():
        ctx.backend.forms.submit(tok, ans, now=now)


def test_each_event_gets_its_own_questions_and_the_analysis_is_per_event(ctx):
    for when, key in ((L(2022, 9, 13, 12), "ws_a.post_test.pre"), (L(2022, 9, 15, 17), "ws_a.post_test"),
                      (L(2022, 9, 20, 12), "ws_b.post_test.pre"), (L(2022, 9, 22, 17), "ws_b.post_test")):
        run_due(ctx, when)
        _answer_all(ctx, key, when)
    specs = {f.form_key: f.spec() for f in ctx.store.forms.all()}
    assert specs["ws_a.post_test"].id == "law_budget" and specs["ws_b.post_test"].id == "sed_programmes"
    assert specs["ws_a.post_test.pre"].questions == specs["ws_a.post_test"].questions
    assert "q_sed_programme_approves" in {q.id for q in specs["ws_b.post_test"].questions}
    assert "q_sed_programme_approves" not in {q.id for q in specs["ws_a.post_test"].questions}
    frame = answers_frame(ctx.store)
    graded = form_specs(ctx.store)
    scores = posttest.quiz_scores(frame, graded)
    g = posttest.gains(scores, graded)
    assert set(g["event_id"]) == {"ws_a", "ws_b"} and (g["gain"] == 1.0).all() and len(g) == 12
    assert sorted(posttest.quiz_pairs(graded)) == [("ws_a.post_test", "ws_a.post_test.pre"),
                                                   ("ws_b.post_test", "ws_b.post_test.pre")]
    for key in ("ws_a.post_test", "ws_b.post_test"):
        items = posttest.item_analysis(graded[key], frame[frame["form_key"] == key])
        assert list(items["question_id"]) == [q.id for q in graded[key].questions if q.correct]
        assert (items["difficulty"] == 1.0).all() and (items["responses"] == 6).all()


def test_a_bad_test_file_stops_the_plan_with_the_file_and_field_and_stores_nothing(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "mine.yaml").write_text(
        'id: mine\nversion: 1\ntitle: {ky: "Т", ru: "Т"}\nbank: ../../nowhere.yaml\nquestions:\n  - bank: q_x\n',
        encoding="utf-8")
    plan = PLAN.replace("tests/law_budget.yaml", "tests/mine.yaml")
    cfg = _setup(tmp_path, plan)
    with pytest.raises(PlanError) as e:
        load_plan(tmp_path / "plan.yaml")
    text = str(e.value)
    assert "events[0] (id ws_a).test (mine.yaml)" in text and "file not found" in text and "q_x" in text
    with pytest.raises(PlanError):
        make_context(load_config(cfg))
    assert not (tmp_path / "state.sqlite").exists()  # refused before the store is opened


def test_a_missing_test_file_and_a_test_without_a_post_test_form_are_named(tmp_path):
    # a missing test file is a problem of its forms, not of the plan (tests/test_plan_files.py): the plan loads
    _setup(tmp_path, PLAN.replace("tests/law_budget.yaml", "tests/nope.yaml"))
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.form("ws_a.post_test").test == str((tmp_path / "tests" / "nope.yaml").resolve())
    _setup(tmp_path, PLAN.replace("      - template: post_test\n        pre_test: true\n  - id: ws_b",
                                  "      - template: event_feedback\n  - id: ws_b"))
    with pytest.raises(PlanError, match="no `- template: post_test` form"):
        load_plan(tmp_path / "plan.yaml")


def test_a_test_in_the_plans_folder_wins_over_the_shipped_one(tmp_path):
    (tmp_path / "tests").mkdir()
    src = (DEFAULT_DIR / "tests" / "sed_programmes.yaml").read_text(encoding="utf-8")
    (tmp_path / "tests" / "law_budget.yaml").write_text(
        src.replace("id: sed_programmes", "id: law_budget"), encoding="utf-8")
    (tmp_path / "tests" / "bank.yaml").write_text((DEFAULT_DIR / "tests" / "bank.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    _setup(tmp_path)
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.form("ws_a.post_test").test == str((tmp_path / "tests" / "law_budget.yaml").resolve())


def test_a_pre_test_never_shows_its_key_right_after_sending(tmp_path):
    """A test set to show answers right after sending (``after_submit``) still keeps the pre-test's key until its
    post-test closes: the pre-test is stored ``after_deadline`` (its results wait for the post-test, see
    automation/web/result.py), the post-test as written."""
    (tmp_path / "tests").mkdir()
    for name in ("law_budget.yaml", "bank.yaml"):
        src = (DEFAULT_DIR / "tests" / name).read_text(encoding="utf-8")
        (tmp_path / "tests" / name).write_text(src.replace("show_answers: after_deadline", "show_answers: after_submit"),
                                               encoding="utf-8")
    c = club_context(tmp_path, PLAN.split("  - id: ws_b")[0], ROSTER)
    run_due(c, L(2022, 9, 13, 12))  # the pre-test, before the workshop
    run_due(c, L(2022, 9, 15, 17))  # the post-test, after it
    pre, post = c.store.forms.get("ws_a.post_test.pre").spec(), c.store.forms.get("ws_a.post_test").spec()
    assert (pre.show_answers, post.show_answers) == ("after_deadline", "after_submit")
    assert pre.questions == post.questions
