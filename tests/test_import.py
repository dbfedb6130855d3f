"""Import of Google Forms' CSV exports: both flavours of the same data give the same frame.

Fixtures in tests/data/ (written as Google writes them):

- feedback_download.csv / feedback_sheet.csv — the same five evaluations of an
  event (template event_feedback, Russian titles): the form's "Download
  responses" (English headings, ``2022/07/14 4:10:05 PM GMT+6``, every field
  quoted) and the linked Sheet's CSV (Russian headings, ``14.07.2022 16:10:05``);
- survey_download.csv / survey_sheet.csv — six answers to a survey with no
  template (kinds inferred): checkbox answers joined by ``;`` and by ``, ``,
  a label with a comma in brackets, an "other" text with a comma, a free text
  with a comma, a grid, a date, a scale; US dates in the sheet;
- post_test_pre_sheet.csv / post_test_post_download.csv — a pre-test and a
  post-test of one event from a form the service made on Google ("ky / ru"
  titles), whose checkbox labels contain commas.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from automation.forms.importer.cells import norm, parse_timestamp, slash_order, split_choices
from automation.forms.importer.importing import ImportResult, import_export
from automation.forms.importer.infer import infer_question
from automation.analysis import posttest, stats
from automation.analysis.frame import answers_frame, form_specs
from automation.cli.main import main
from automation.errors import ResponsesImportError
from automation.model import Participant
from automation.store import Store
from automation.forms.templates import get_template

DATA = Path(__file__).parent / "data"
PEOPLE = [Participant(f"p{i}", f"Name {i}", f"{e}@example.org", "", ob, "", "deputy", "ru")
          for i, e, ob in [(1, "aigul", "osh"), (2, "bermet", "osh"), (3, "cholpon", "osh"),
                           (4, "dinara", "naryn"), (5, "elmira", "naryn")]]


def new_store() -> Store:
    s = Store(":memory:")
    s.roster.upsert(PEOPLE, "test")
    return s


def imported_frame(path: Path, template: str | None = None, event: str | None = "ws_law_budget",
                   pre_test: bool = False) -> tuple[Store, ImportResult, pd.DataFrame]:
    s = new_store()
    spec = get_template(template) if template else None
    res = import_export(s, path, spec, event_id=event, pre_test=pre_test)
    return s, res, answers_frame(s)


def test_feedback_export_flavours_give_the_same_frame():
    s1, r1, f1 = imported_frame(DATA / "feedback_download.csv", "event_feedback")
    s2, r2, f2 = imported_frame(DATA / "feedback_sheet.csv", "event_feedback")
    assert r1.export.flavour == "forms" and r2.export.flavour == "sheet"
    assert r1.form_key == r2.form_key == "ws_law_budget.event_feedback"
    pd.testing.assert_frame_equal(f1, f2)
    assert (r1.responses, r1.new, r1.matched, r1.unknown_emails, r1.anonymous) == (5, 5, 3, 1, 1)
    ans = {r.participant_id: json.loads(r.answers_json) for r in s1.responses.list("ws_law_budget.event_feedback")}
    # 16:10:05 in Bishkek (GMT+6) is 10:10:05 UTC; "BERMET@" matched case-insensitively
    assert ans["p1"] == {"usefulness": 5, "relevance": 5, "format": 4, "duration": 4, "duration_fit": "just_right",
                         "trainer": 5, "materials": 4, "organisation": 5,
                         "knowledge_change": {"before": "k2", "after": "k4"}, "apply": "yes", "recommend": "yes",
                         "most_useful": "Практические примеры, разбор бюджета", "next_topics": "Гендерный бюджет"}
    assert "p2" in ans and ans["p3"]["next_topics"] == "Конфликты; коалиции"  # a ";" in a text is just text
    times = sorted(r.submitted_at for r in s1.responses.list("ws_law_budget.event_feedback"))
    assert times[0] == "2022-07-14T10:10:05Z" and times[-1] == "2022-07-15T18:00:01Z"  # 00:00:01 on the 16th
    anon = [json.loads(r.answers_json) for r in s1.responses.list("ws_law_budget.event_feedback")
            if r.participant_id is None]
    assert any(a.get("what_to_change") == "Отправлять материалы заранее,\nпожалуйста" for a in anon)
    form = s1.forms.get("ws_law_budget.event_feedback")
    assert (form.backend, form.status, form.template_id, form.kind) == \
        ("import", "closed", "event_feedback", "event_feedback")
    assert form.opens == "2022-07-14T10:10:05Z" and form.deadline == "2022-07-15T18:00:01Z"


def test_zip_from_download_responses_is_read(tmp_path):
    z = tmp_path / "Оценка мероприятия.csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(DATA / "feedback_download.csv", "Оценка мероприятия.csv")
    _, _, f1 = imported_frame(z, "event_feedback")
    _, _, f2 = imported_frame(DATA / "feedback_sheet.csv", "event_feedback")
    pd.testing.assert_frame_equal(f1, f2)


def test_inferred_kinds_and_the_same_frame_from_both_flavours():
    s1, r1, f1 = imported_frame(DATA / "survey_download.csv", None, "needs_2022")
    s2, r2, f2 = imported_frame(DATA / "survey_sheet.csv", None, "needs_2022")
    pd.testing.assert_frame_equal(f1, f2)
    spec = r1.export.spec
    assert spec.to_json()["questions"] == r2.export.spec.to_json()["questions"]  # titles: the file names
    kinds = [(q.title.ru, q.kind) for q in spec.questions]
    assert kinds == [("Из какой вы области?", "single_choice"), ("Какие темы вам интересны?", "multiple_choice"),
                     ("Насколько вы уверены в себе?", "scale"),
                     ("Когда вы последний раз проходили обучение?", "date"), ("Оцените сессии", "grid"),
                     ("Ваши предложения", "short_text")]  # free text with commas is not a checkbox
    topics = spec.questions[1]
    assert [o.label.ru for o in topics.options] == ["Местный бюджет", "Законы о МСУ",
                                                    "Партнёрство (коалиции, союзы)", "Конфликты"]
    assert spec.questions[2].scale.low == 1 and spec.questions[2].scale.high == 5
    assert [r.label.ru for r in spec.questions[4].rows] == ["Сессия 1", "Сессия 2"]
    ans = {r.participant_id: json.loads(r.answers_json) for r in s1.responses.list("needs_2022")}
    assert ans["p3"]["q02"] == ["o2", "o3", "Гендер, семья"]  # the "other" text keeps its comma
    assert ans["p1"]["q04"] == "2021-09-01" and ans["p4"]["q04"] == "2020-12-20"  # 12/20/2020 read as m/d
    assert ans["p4"]["q05"] == {"r1": "o3"}
    assert s1.forms.get("needs_2022").kind == "imported" and s1.forms.get("needs_2022").event_id == "needs_2022"


def test_imported_pre_and_post_tests_give_the_gain():
    s = new_store()
    spec = get_template("post_test")
    pre = import_export(s, DATA / "post_test_pre_sheet.csv", spec, event_id="ws", pre_test=True)
    post = import_export(s, DATA / "post_test_post_download.csv", spec, event_id="ws")
    assert (pre.form_key, post.form_key) == ("ws.post_test.pre", "ws.post_test")
    assert s.forms.get("ws.post_test.pre").pre_test == 1
    assert post.export.notes == []  # the Score column agrees with the template's key
    assert "q_budget_year" in post.export.missing_questions
    ans = {r.participant_id: json.loads(r.answers_json) for r in s.responses.list("ws.post_test")}
    # labels with commas ("…, заслушивание его отчётов") recognised whole in "a;c;e" and in "a, c, e"
    assert ans["p1"]["q_kenesh_powers"] == ["a", "c", "e"]
    pre_ans = {r.participant_id: json.loads(r.answers_json) for r in s.responses.list("ws.post_test.pre")}
    assert pre_ans["p1"]["q_kenesh_powers"] == ["a", "e"]
    specs = form_specs(s)
    g = posttest.gains(posttest.quiz_scores(answers_frame(s), specs), specs).set_index("participant_id")
    # of 5 points (q1 1, two checkbox questions 2 each; the full template's other questions unanswered count 0,
    # so shares are of the template's maximum, 17): pre p1 3, p2 2, p3 5, p4 0; post 5, 3, 3, 3, p5 5
    m = spec.max_score
    assert m == 17
    exp = {"p1": (5 - 3) / (m - 3), "p2": (3 - 2) / (m - 2), "p3": (3 - 5) / (m - 5), "p4": 3 / m}
    for pid, v in exp.items():
        assert g.loc[pid, "gain"] == pytest.approx(v), pid
    assert g.loc["p5", "status"] == "post_only" and math.isnan(g.loc["p5", "gain"])
    t = posttest.gain_table(g.reset_index(), "event_id").iloc[0]
    ci = stats.t_interval(list(exp.values()))
    assert t["paired"] == 4 and t["mean_gain"] == pytest.approx(ci["mean"]) and t["ci_low"] == pytest.approx(ci["low"])


def test_importing_again_changes_nothing():
    s = new_store()
    spec = get_template("event_feedback")
    first = import_export(s, DATA / "feedback_sheet.csv", spec, event_id="ws")
    again = import_export(s, DATA / "feedback_download.csv", spec, event_id="ws")  # same data
    assert first.created and not again.created
    assert (again.responses, again.new) == (5, 0)
    assert len(s.responses.list("ws.event_feedback")) == 5


def _rejected(tmp_path, text: str, template: str | None = "event_feedback", name: str = "x.csv") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8") if isinstance(text, str) else p.write_bytes(text)
    s = new_store()
    with pytest.raises(ResponsesImportError) as e:
        import_export(s, p, get_template(template) if template else None, event_id="ws")
    assert s.forms.all() == [] and s.responses.list() == []  # nothing imported
    return str(e.value)


def test_bad_files_are_rejected_with_the_line_and_nothing_is_imported(tmp_path):
    lines = (DATA / "feedback_sheet.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # the 3rd response spans lines 4-5 (a text with a line break): the 4th response starts on line 6
    bad_time = lines[:5] + [lines[5].replace("15.07.2022 9:15:30", "32.07.2022 9:15:30")] + lines[6:]
    msg = _rejected(tmp_path, "".join(bad_time))
    assert "line 6" in msg and "32.07.2022" in msg and "nothing was changed" in msg
    bad_option = [lines[0], lines[1].replace("В самый раз", "Нормально")]
    msg = _rejected(tmp_path, "".join(bad_option))
    assert "line 2" in msg and "«Нормально» is not one of the options" in msg
    bad_scale = [lines[0], lines[1].replace(",5,5,4,4,", ",7,5,4,4,", 1)]
    assert "«7» is not a whole number from 1 to 5" in _rejected(tmp_path, "".join(bad_scale))
    short = [lines[0], ",".join(lines[1].split(",")[:5]) + "\n"]
    assert "line 2: 5 cells, but the header has 18" in _rejected(tmp_path, "".join(short))
    wrong_template = _rejected(tmp_path, (DATA / "survey_sheet.csv").read_text(encoding="utf-8"))
    assert "column 3 «Из какой вы области?»" in wrong_template and "right template" in wrong_template
    assert "no «Timestamp»" in _rejected(tmp_path, "Имя,Область\nАйгүл,Ош\n", None)
    assert "empty" in _rejected(tmp_path, "", None)
    assert "binary" in _rejected(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00", None)
    assert "no responses" in _rejected(tmp_path, lines[0], None)


def test_helpers():
    assert parse_timestamp("2022/05/14 12:03:12 AM GMT+6").isoformat() == "2022-05-13T18:03:12+00:00"
    assert parse_timestamp("14.05.2022 10:03:12") == parse_timestamp("5/14/2022 10:03:12")
    assert parse_timestamp("14/5/2022 10:03:12", "dmy") == parse_timestamp("14.05.2022 10:03:12")
    assert slash_order(["5/14/2022 1:00:00", "6/1/2022 1:00:00"]) == "mdy"
    assert slash_order(["14/5/2022 1:00:00"]) == "dmy"
    with pytest.raises(ValueError, match="not a date and time"):
        parse_timestamp("вчера")
    labels = {norm(x): x for x in ["A, B", "C"]}
    assert split_choices("A, B, C, что-то, ещё", labels) == (["A, B", "C"], "что-то, ещё")
    assert infer_question(["Да, конечно", "Да, конечно", "Нет"]).kind == "single_choice"
    assert infer_question(["1", "0", "10"]).low == 0


def test_cli_import(tmp_path, capsys):
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"state: {tmp_path / 'state.sqlite'}\nout: {tmp_path / 'out'}\n", encoding="utf-8")
    Store(tmp_path / "state.sqlite").roster.upsert(PEOPLE, "test")
    rc = main(["--config", str(cfg), "responses", "import", str(DATA / "feedback_sheet.csv"),
               "--template", "event_feedback", "--event", "ws_law_budget"])
    out = capsys.readouterr().out
    assert rc == 0 and "Imported 5 response(s)" in out and "ws_law_budget.event_feedback" in out
    assert "@" not in out  # counts, never addresses
    rc = main(["--config", str(cfg), "responses", "import", str(DATA / "survey_sheet.csv"), "--template",
               "event_feedback"])
    err = capsys.readouterr().err
    assert rc == 2 and "Из какой вы области?" in err and "nothing was changed" in err
