"""Issue 12, beyond the corpus of tests/data/bad/ (which tests/test_bad_inputs.py runs): the checks that are
not "one broken file, exit 2" — overlapping events (a warning, exit 0), the workbooks' temporary files
(mode 0600, removed at start when a crash left them), a bad ``--now`` refused before the state file is
made, and the YAML limits of :func:`automation.checker.read_yaml` on cases too large to keep as files.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from automation.checker import MAX_PROBLEM_CHARS, MAX_YAML_NODES, Checker, read_yaml
from automation.cli.main import main
from automation.errors import PlanError, TemplateError
from automation.forms.templates import MAX_OPTIONS, parse_template
from automation.workspace import xlsx
from automation.workspace.local.sheets import XlsxSheets
from conftest import write_club

ROOT = Path(__file__).resolve().parent.parent

_PLAN = """club:
  name: {ky: Клуб, ru: Клуб}
  group_email: club@example.org
  admin_email: admin@example.org
events:
  - id: ws
    title: {ky: Семинар, ru: Семинар}
    format: online_workshop
    start: 2022-09-15 14:00
    end: 2022-09-15 16:00
  - id: rt
    title: {ky: Стол, ru: Стол}
    format: round_table
    start: 2022-09-15 15:30
    end: 2022-09-15 17:00
  - id: later
    title: {ky: Кийин, ru: Позже}
    format: lecture
    start: 2022-09-15 17:00
    end: 2022-09-15 18:00
"""


@pytest.mark.parametrize("command", [["plan", "show", "--now", "2022-09-01T10:00"],
                                     ["run", "--once", "--now", "2022-09-01T10:00"]])
def test_overlapping_events_are_a_warning_not_an_error(tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    cfg = write_club(tmp_path, _PLAN)
    assert main(["--config", str(cfg)] + command) == 0
    err = capsys.readouterr().err
    assert ("Warning: " in err and "plan.yaml: events[0] (id ws, 2022-09-15 14:00–16:00) overlaps events[1] "
            "(id rt, 2022-09-15 15:30–17:00)") in err, err
    assert "(id later" not in err  # starts when rt ends: no overlap
    assert err.count("overlaps") == 1


def test_the_example_plans_have_no_overlap_warning():
    from automation.plan.load import load_plan

    for name in ("club2022", "school2021"):
        assert load_plan(ROOT / "examples" / name / "plan.yaml").warnings == ()


def test_a_bad_now_is_refused_before_the_state_file_is_made(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = write_club(tmp_path, _PLAN)
    for bad in ("14.03.2023", "2023-02-30T10:00", "2023-03-14T25:00", "yesterday"):
        for command in (["plan", "show"], ["run", "--once"], ["responses", "sync", "ws.event_feedback"]):
            assert main(["--config", str(cfg)] + command + ["--now", bad]) == 2
            err = capsys.readouterr().err
            assert f"--now {bad!r}" in err and "ISO 8601" in err and "Asia/Bishkek" in err, err
            assert "Traceback" not in err
    assert not (tmp_path / "state.sqlite").exists()
    assert not (tmp_path / "out").exists()


def test_workbook_temp_file_is_private_while_it_is_written(tmp_path, monkeypatch):
    modes = []
    real_save = Workbook.save

    def spy(self, filename):
        modes.append(stat.S_IMODE(os.stat(filename).st_mode))
        return real_save(self, filename)

    monkeypatch.setattr(Workbook, "save", spy)
    old = os.umask(0)  # the widest umask: the mode must not depend on it
    try:
        target = xlsx.save_workbook(Workbook(), tmp_path / "sheets" / "f.xlsx")
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_opening_the_sheets_removes_temp_files_a_crash_left(tmp_path):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    stale = sheets / ".ws.event_feedback.k2j4h6g8.xlsx"
    fresh = sheets / ".ws.post_test.a1b2c3d4.xlsx"  # a save under way in another process
    kept = sheets / "ws.event_feedback.xlsx"
    for p in (stale, fresh, kept):
        p.write_bytes(b"PK e-mails and answers")
    long_ago = time.time() - xlsx.STALE_TEMP_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    os.utime(kept, (long_ago, long_ago))
    XlsxSheets(sheets)
    assert not stale.exists()
    assert fresh.exists() and kept.exists()
    XlsxSheets(tmp_path / "missing")  # no folder yet: nothing to do
    assert not (tmp_path / "missing").exists()


def test_ten_thousand_options_are_refused():
    opts = [{"id": f"o{i}", "label": {"ky": str(i), "ru": str(i)}} for i in range(10_000)]
    data = {"id": "t", "version": 1, "kind": "event_feedback", "title": {"ky": "Т", "ru": "Т"},
            "sections": [{"id": "s", "title": {"ky": "Б", "ru": "Р"},
                          "questions": [{"id": "q", "kind": "dropdown", "title": {"ky": "Т", "ru": "В"},
                                         "options": opts}]}]}
    with pytest.raises(TemplateError) as e:
        parse_template(data, "t.yaml")
    assert f"options: 10,000 entries; at most {MAX_OPTIONS} are allowed" in str(e.value)
    data["sections"][0]["questions"][0]["options"] = opts[:MAX_OPTIONS]
    assert len(parse_template(data, "t.yaml").questions[0].options) == MAX_OPTIONS


@pytest.mark.parametrize("levels", [7, 8, 9])
def test_alias_bombs_are_refused_whatever_their_depth(tmp_path, levels):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    lines.append(f"title: *a{levels - 1}")
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        read_yaml(f, TemplateError, "(a template)")
    assert f"expands to more than {MAX_YAML_NODES:,} values" in str(e.value)
    assert len(str(e.value)) < 1000


def test_recursive_aliases_and_deep_nesting_are_refused(tmp_path):
    f = tmp_path / "plan.yaml"
    for text, expect in (("a: &a [1, *a]\n", "refers to the value that contains it"),
                         ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply")):
        f.write_text(text, encoding="utf-8")
        with pytest.raises(PlanError) as e:
            read_yaml(f, PlanError, "(a plan)")
        assert expect in str(e.value) and str(f) in str(e.value)


def test_shipped_aliases_and_merge_keys_still_work(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("base: &b {a: 1, b: 2}\nuse: *b\nmerged:\n  <<: *b\n  b: 3\n", encoding="utf-8")
    assert read_yaml(f, PlanError, "") == {"base": {"a": 1, "b": 2}, "use": {"a": 1, "b": 2},
                                           "merged": {"a": 1, "b": 3}}


def test_a_problem_line_is_capped():
    c = Checker("x.yaml")
    c.err("title", f"expected text, found {['lol'] * 100_000!r}")
    assert len(c.problems[0]) == MAX_PROBLEM_CHARS and c.problems[0].endswith("…")


def test_a_bad_deadline_of_forms_build_is_a_message(capsys):
    assert main(["forms", "build", "post_test", "--json", "--deadline", "2023-02-30T10:00"]) == 2
    err = capsys.readouterr().err
    assert "--deadline '2023-02-30T10:00': not a real date and time" in err and "Traceback" not in err


def test_the_commission_file_is_read_like_every_yaml_file_the_admin_writes(tmp_path):
    """Duplicate keys (and alias bombs) are refused in commission.yaml too (automation.checker.read_yaml)."""
    from automation.errors import ValidationError
    from automation.programmes.school.commission import load_commission

    p = tmp_path / "commission.yaml"
    p.write_text("members: [A, B, C]\nmembers: [D]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="'members' is written twice"):
        load_commission(p)
