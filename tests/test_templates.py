"""Form templates: every shipped template loads; every validation error names the file and the field.

Each broken template is a real YAML file in ``tmp_path``; the assertions are on the
exact problem strings of :class:`automation.errors.TemplateError` (DESIGN.md principle 6).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.errors import AutomationError, TemplateError, ValidationError
from automation.model import GRADABLE_KINDS, I18n, Option
from automation.forms.templates import DEFAULT_DIR, get_template, load_template, load_templates

Q1 = "sections[0].questions[0] (id q1)"
Q2 = "sections[0].questions[1] (id q2)"


def _t(ky: str, ru: str) -> dict[str, str]:
    return {"ky": ky, "ru": ru}


BASE: dict[str, Any] = {
    "id": "t1",
    "version": 1,
    "kind": "post_test",
    "title": _t("Тест", "Тест"),
    "quiz": True,
    "sections": [{
        "id": "s1",
        "title": _t("Бөлүм", "Раздел"),
        "questions": [
            {"id": "q1", "kind": "single_choice", "title": _t("Суроо", "Вопрос"), "required": True,
             "options": [{"id": "a", "label": _t("Ооба", "Да")}, {"id": "b", "label": _t("Жок", "Нет")}],
             "correct": ["a"]},
            {"id": "q2", "kind": "scale", "title": _t("Баалаңыз", "Оцените"),
             "scale": {"low": 1, "high": 5}},
        ],
    }],
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def write(tmp_path: Path, data: Any, name: str = "t1") -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def problems_of(path: Path) -> list[str]:
    with pytest.raises(TemplateError) as ei:
        load_template(path)
    err = ei.value
    # the error names the file, in its attribute and in its message
    assert err.source == str(path)
    assert str(path) in str(err)
    assert "nothing was changed" in str(err)
    for p in err.problems:
        assert p in str(err)
    return err.problems


def q1(d: dict) -> dict:
    return d["sections"][0]["questions"][0]


def q2(d: dict) -> dict:
    return d["sections"][0]["questions"][1]


# --- the shipped templates ---------------------------------------------------------


def test_every_shipped_template_loads():
    specs = load_templates()
    assert sorted(specs) == sorted(p.stem for p in DEFAULT_DIR.glob("*.yaml"))
    assert {"needs_assessment", "post_test", "event_feedback", "school_application",
            "best_practice_vote"} <= set(specs)
    for tid, spec in specs.items():
        assert spec.id == tid
        assert spec.title.ky and spec.title.ru and spec.title.ky != ""
        assert spec.questions, tid
        ids = [q.id for q in spec.questions]
        assert len(ids) == len(set(ids)), tid
        for q in spec.questions:
            assert q.title.ky.strip() and q.title.ru.strip(), (tid, q.id)
            for o in q.options + q.rows:
                assert o.label.ky.strip() and o.label.ru.strip(), (tid, q.id, o.id)


def test_post_test_is_a_graded_quiz_with_at_least_8_questions():
    spec = get_template("post_test")
    graded = [q for q in spec.questions if q.correct]
    assert spec.quiz is True
    assert len(graded) >= 8
    for q in graded:
        assert q.kind in GRADABLE_KINDS
        if q.options:
            assert set(q.correct) <= {o.id for o in q.options}, q.id
    assert spec.max_score == sum(q.points for q in graded)
    assert spec.max_score >= len(graded)


def test_school_application_essay_is_limited_to_1000_words():
    spec = get_template("school_application")
    essays = [q for q in spec.questions if q.kind == "long_text" and q.max_words]
    assert [q.max_words for q in essays] == [1000]


def test_the_base_template_of_these_tests_is_valid(tmp_path):
    spec = load_template(write(tmp_path, base()))
    assert spec.id == "t1"
    assert [q.id for q in spec.questions] == ["q1", "q2"]
    assert spec.question("q1").correct == ("a",)
    assert spec.max_score == 1


# --- each validation error, with its file and field -------------------------------


def test_unknown_key_top_level_and_in_a_question(tmp_path):
    d = base()
    d["colour"] = "red"
    q1(d)["hint"] = _t("а", "б")
    probs = problems_of(write(tmp_path, d))
    assert len(probs) == 2
    assert probs[0].startswith("colour: unknown key (allowed: ")
    assert "sections" in probs[0] and "title" in probs[0]
    assert probs[1].startswith("sections[0].questions[0].hint: unknown key (allowed: ")


def test_missing_ky_translation(tmp_path):
    d = base()
    del q1(d)["title"]["ky"]
    assert problems_of(write(tmp_path, d)) == [f"{Q1}.title.ky: missing translation"]


def test_missing_ru_translation_of_an_option_and_empty_ru_title(tmp_path):
    d = base()
    del q1(d)["options"][1]["label"]["ru"]
    d["title"]["ru"] = "   "
    assert problems_of(write(tmp_path, d)) == [
        "title.ru: missing translation",
        f"{Q1}.options[1].label.ru: missing translation",
    ]


def test_quiz_question_without_a_correct_answer(tmp_path):
    d = base()
    del q1(d)["correct"]
    assert problems_of(write(tmp_path, d)) == [
        f"{Q1}.correct: quiz question without a correct answer (add `correct:` or mark it `graded: false`)"]


def test_ungraded_quiz_question_needs_no_correct_answer(tmp_path):
    d = base()
    q = copy.deepcopy(q1(d))
    q.update(id="q3", graded=False)
    del q["correct"]
    d["sections"][0]["questions"].append(q)
    spec = load_template(write(tmp_path, d))
    assert spec.question("q3").correct == ()


def test_correct_answer_that_is_not_an_option(tmp_path):
    d = base()
    q1(d)["correct"] = ["z"]
    assert problems_of(write(tmp_path, d)) == [
        f"{Q1}.correct: correct answer 'z' is not one of the options (a, b)"]


def test_duplicate_question_id(tmp_path):
    d = base()
    q2(d)["id"] = "q1"
    assert problems_of(write(tmp_path, d)) == [
        "sections[0].questions[1] (id q1).id: duplicate question id 'q1' "
        "(first used at sections[0].questions[0] (id q1))"]


def test_duplicate_question_id_across_sections(tmp_path):
    d = base()
    d["sections"].append({"id": "s2", "title": _t("Экинчи", "Второй"),
                          "questions": [copy.deepcopy(q2(d))]})
    probs = problems_of(write(tmp_path, d))
    assert probs == [f"sections[1].questions[0] (id q2).id: duplicate question id 'q2' (first used at {Q2})"]


def test_duplicate_option_id(tmp_path):
    d = base()
    q1(d)["options"][1]["id"] = "a"
    assert problems_of(write(tmp_path, d)) == [f"{Q1}.options[1].id: duplicate option id 'a'"]


def test_bad_scale_bounds(tmp_path):
    d = base()
    q2(d)["scale"] = {"low": 2, "high": 11}
    assert problems_of(write(tmp_path, d)) == [
        f"{Q2}.scale.low: must be 0 or 1 (Google Forms), found 2",
        f"{Q2}.scale.high: must be a whole number from 2 to 10 (Google Forms), found 11",
    ]


def test_scale_high_of_one_is_rejected(tmp_path):
    d = base()
    q2(d)["scale"] = {"low": 0, "high": 1}
    assert problems_of(write(tmp_path, d)) == [
        f"{Q2}.scale.high: must be a whole number from 2 to 10 (Google Forms), found 1"]


def test_correct_on_a_non_quiz(tmp_path):
    d = base()
    d["quiz"] = False
    d["kind"] = "event_feedback"
    assert problems_of(write(tmp_path, d)) == [f"{Q1}.correct: only a quiz (quiz: true) has correct answers"]


def test_id_must_equal_the_file_name(tmp_path):
    d = base()
    d["id"] = "other_name"
    assert problems_of(write(tmp_path, d, name="t1")) == ["id: 'other_name' must equal the file name 't1'"]


def test_invalid_yaml_reports_the_line(tmp_path):
    p = tmp_path / "t1.yaml"
    p.write_text('id: t1\nversion: 1\nkind: post_test\ntitle: {ky: "Тест", ru: "Тест"\nsections: []\n',
                 encoding="utf-8")
    probs = problems_of(p)
    assert len(probs) == 1
    assert probs[0].startswith("line 5, column 1: not valid YAML (")

    p.write_text("id: t1\nversion: 1\nkind: x\n  title: bad\n", encoding="utf-8")
    assert problems_of(p) == ["line 4, column 8: not valid YAML (mapping values are not allowed here)"]


def test_many_problems_are_all_reported_at_once(tmp_path):
    d = base()
    d["colour"] = "red"
    del q1(d)["title"]["ru"]
    q1(d)["correct"] = ["z"]
    q2(d)["scale"]["high"] = 20
    probs = problems_of(write(tmp_path, d))
    assert [p.split(":")[0] for p in probs] == [
        "colour", f"{Q1}.title.ru", f"{Q1}.correct", f"{Q2}.scale.high"]


def test_load_templates_prefixes_each_problem_with_the_file_name(tmp_path):
    write(tmp_path, base(), name="t1")
    bad = base()
    bad["id"] = "t2"
    q1(bad)["correct"] = ["z"]
    write(tmp_path, bad, name="t2")
    (tmp_path / "t3.yaml").write_text("id: [\n", encoding="utf-8")
    with pytest.raises(TemplateError) as ei:
        load_templates(tmp_path)
    probs = ei.value.problems
    assert len(probs) == 2
    assert probs[0] == f"t2.yaml: {Q1}.correct: correct answer 'z' is not one of the options (a, b)"
    assert probs[1].startswith("t3.yaml: line ")
    assert ei.value.source == str(tmp_path)


def test_missing_template_names_the_known_ones(tmp_path):
    write(tmp_path, base(), name="t1")
    with pytest.raises(TemplateError) as ei:
        get_template("nope", tmp_path)
    assert ei.value.problems == ["no template 'nope' (known: t1)"]


def test_template_error_is_in_the_package_hierarchy():
    assert issubclass(TemplateError, ValidationError)
    assert issubclass(TemplateError, AutomationError)


# --- options_from: the vote's options are the event's presenters ---------------------


def test_best_practice_vote_options_filled_by_with_options():
    spec = get_template("best_practice_vote")
    vote = spec.question("best_practice")
    assert vote.options_from == "presenters"
    assert vote.options == ()
    presenters = [Option("p_1", I18n("Гүлнара Абдыкалыкова", "Гүлнара Абдыкалыкова")),
                  Option("p_2", I18n("Бермет Осмонова", "Бермет Осмонова"))]
    filled = spec.with_options("presenters", presenters)
    fv = filled.question("best_practice")
    assert fv.options == tuple(presenters)
    assert fv.options_from is None
    assert fv.option_label("p_2", "ky") == "Бермет Осмонова"
    # the other questions and the template itself are unchanged
    assert filled.question("why") == spec.question("why")
    assert spec.question("best_practice").options == ()
    assert [q.id for q in filled.questions] == [q.id for q in spec.questions]
    # a spec round-trips through the store's JSON with its filled options
    from automation.model import form_spec_from_json

    assert form_spec_from_json(filled.to_json()) == filled


def test_options_from_and_options_together_is_an_error(tmp_path):
    d = base()
    d["quiz"] = False
    d["kind"] = "best_practice_vote"
    del q1(d)["correct"]
    q1(d)["options_from"] = "presenters"
    assert problems_of(write(tmp_path, d)) == [f"{Q1}.options: give either options or options_from, not both"]


def test_unknown_options_from(tmp_path):
    d = base()
    d["quiz"] = False
    d["kind"] = "best_practice_vote"
    del q1(d)["correct"]
    del q1(d)["options"]
    q1(d)["options_from"] = "speakers"
    assert problems_of(write(tmp_path, d)) == [f"{Q1}.options_from: unknown source 'speakers' (allowed: presenters)"]


def test_unquoted_yes_no_option_ids_get_an_actionable_message(tmp_path):
    d = base()
    d["quiz"] = False
    d["kind"] = "event_feedback"
    del q1(d)["correct"]
    q1(d)["options"][0]["id"] = True  # what YAML makes of `id: yes`
    q1(d)["options"][1]["id"] = False  # ... and of `id: no`
    assert problems_of(write(tmp_path, d)) == [
        f'{Q1}.options[0].id: found True: YAML reads an unquoted yes/no/on/off as true/false; '
        'put the id in quotes, e.g. id: "yes"',
        f'{Q1}.options[1].id: found False: YAML reads an unquoted yes/no/on/off as true/false; '
        'put the id in quotes, e.g. id: "yes"',
    ]


# --- docs/TEMPLATES.md -------------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "TEMPLATES.md"


def _doc_examples() -> list[str]:
    """The ```yaml blocks of docs/TEMPLATES.md (each a complete template)."""
    import re

    return re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def test_the_examples_of_the_template_doc_load_and_are_copies_of_the_shipped_templates(tmp_path):
    """Each example in docs/TEMPLATES.md loads with the real loader (so the doc cannot drift from the
    format), and each of its questions is the shipped template's question of that id, word for word
    (so it stays a real excerpt: when a shipped template changes, copy the change into the doc)."""
    import dataclasses

    examples = _doc_examples()
    assert examples, "docs/TEMPLATES.md has no ```yaml example"
    for text in examples:
        tid = yaml.safe_load(text)["id"]
        path = tmp_path / f"{tid}.yaml"
        path.write_text(text, encoding="utf-8")
        spec = load_template(path)
        real = get_template(tid)
        assert (spec.kind, spec.title, spec.quiz) == (real.kind, real.title, real.quiz)
        assert spec.questions and {s.id for s in spec.sections} <= {s.id for s in real.sections}
        for q in spec.questions:
            assert dataclasses.replace(q, section="") == dataclasses.replace(real.question(q.id), section=""), q.id


# --- tests per training (automation/forms/testfile.py) ------------------------------------------

def _doc_block(kind: str) -> str:
    import re

    found = re.findall(rf"^```yaml {kind}\n(.*?)^```$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    assert len(found) == 1, kind
    return found[0]


def test_the_test_example_of_the_doc_loads_with_its_bank_and_matches_the_shipped_bank(tmp_path):
    from automation.forms.testfile import load_bank, load_test

    (tmp_path / "bank.yaml").write_text(_doc_block("bank"), encoding="utf-8")
    (tmp_path / "sed_example.yaml").write_text(_doc_block("test"), encoding="utf-8")
    spec = load_test(tmp_path / "sed_example.yaml")
    assert spec.kind == "post_test" and spec.quiz and spec.show_answers == "after_deadline"
    assert [q.id for q in spec.questions] == ["q_sed_programme_approves", "q_budget_approves", "q_deputy_role_sed"]
    shipped = load_bank(DEFAULT_DIR / "tests" / "bank.yaml")
    for qid, q in load_bank(tmp_path / "bank.yaml").items():
        assert q == shipped[qid], qid


def test_the_shipped_tests_differ_and_do_not_ask_before_or_after():
    from automation.forms.testfile import load_test

    a = load_test(DEFAULT_DIR / "tests" / "law_budget.yaml")
    b = load_test(DEFAULT_DIR / "tests" / "sed_programmes.yaml")
    assert {q.id for q in a.questions} != {q.id for q in b.questions}
    assert a.max_score > 0 and b.max_score > 0
    for spec in (a, b, get_template("post_test")):
        assert "test_stage" not in {q.id for q in spec.questions}


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


_BANK = """questions:
  - id: q_one
    kind: single_choice
    title: {ky: "Бир", ru: "Один"}
    options:
      - {id: a, label: {ky: "А", ru: "А"}}
      - {id: b, label: {ky: "Б", ru: "Б"}}
    correct: [a]
"""


def test_a_test_names_unknown_bank_questions_and_wrong_keys_with_their_line(tmp_path):
    from automation.forms.check import check_file

    _write(tmp_path, "bank.yaml", _BANK)
    p = _write(tmp_path, "t1.yaml", """id: t1
version: 1
title: {ky: "Т", ru: "Т"}
bank: bank.yaml
questions:
  - bank: q_one
  - bank: q_missing
  - id: q_own
    kind: single_choice
    title: {ky: "а", ru: "б"}
    options:
      - {id: a, label: {ky: "1", ru: "1"}}
    correct: [z]
""")
    res = check_file(p)
    assert not res.ok and res.what == "test"
    assert any(x.startswith("line 7: questions[1].bank") and "q_missing" in x for x in res.problems), res.problems
    assert any(x.startswith("line 13: ") and "'z' is not one of the options" in x for x in res.problems), res.problems


def test_a_bank_question_used_twice_and_a_test_without_keys_are_refused(tmp_path):
    from automation.forms.testfile import load_test

    _write(tmp_path, "bank.yaml", _BANK)
    p = _write(tmp_path, "t2.yaml", 'id: t2\nversion: 1\ntitle: {ky: "Т", ru: "Т"}\nbank: bank.yaml\n'
                                    'questions:\n  - bank: q_one\n  - bank: q_one\n')
    with pytest.raises(TemplateError, match="already in the test"):
        load_test(p)
    p = _write(tmp_path, "t3.yaml", 'id: t3\nversion: 1\ntitle: {ky: "Т", ru: "Т"}\nquestions:\n'
                                    '  - id: q\n    kind: long_text\n    title: {ky: "а", ru: "б"}\n')
    with pytest.raises(TemplateError, match="no question of the test has a correct answer"):
        load_test(p)


def test_forms_check_previews_a_valid_test_as_the_participant_sees_it(tmp_path, capsys):
    from automation.cli.main import main

    _write(tmp_path, "bank.yaml", _BANK)
    p = _write(tmp_path, "t4.yaml", 'id: t4\nversion: 1\ntitle: {ky: "Тест", ru: "Тест ру"}\nbank: bank.yaml\n'
                                    'questions:\n  - bank: q_one\n')
    assert main(["forms", "check", str(p), "--lang", "ru", "--answers"]) == 0
    out = capsys.readouterr().out
    assert "== Тест ру ==" in out and "1. Один" in out and "( ) А ✓" in out and "( ) Б\n" in out
    assert main(["forms", "check", str(tmp_path / "bank.yaml")]) == 0
    bad = _write(tmp_path, "t5.yaml", 'id: t5\nversion: 1\ntitle: {ky: "Т", ru: "Т"}\nquestions: [}\n')
    assert main(["forms", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ката бар / В файле ошибок" in out and "line 4" in out and "ошибка записи YAML" in out
