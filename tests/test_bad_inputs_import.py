"""Google Forms CSV exports that were accepted or changed silently (issue 12): a file with no question
column, responses dated in the future, identical rows merged without a word, and real questions titled
«Область» or «Роль» dropped because the service's own workbooks add columns of those titles.  The
single-file cases are also in the bad-input corpus (``tests/data/bad/exports/export_*.csv``).
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pytest

from automation.cli.main import main
from automation.errors import ResponsesImportError
from automation.forms.importer.importing import import_export
from automation.forms.templates import get_template
from automation.model import Participant
from automation.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
BAD = DATA / "bad" / "exports"
JULY_20 = datetime(2022, 7, 20, 6, 0, tzinfo=timezone.utc)


def _store() -> Store:
    s = Store(":memory:")
    s.roster.upsert([Participant("p1", "Айгүл", "aigul@example.org", "", "naryn", "", "deputy", "ky"),
                     Participant("p2", "Бермет", "bermet@example.org", "", "osh", "", "candidate", "ru")], "test")
    return s


def _write(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    p = tmp_path / name
    with p.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return p


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("header", [["Отметка времени"], ["Timestamp", "Email Address"],
                                    ["Timestamp", "Email Address", "Score"]])
def test_a_file_without_question_columns_is_refused(tmp_path: Path, header: list[str]) -> None:
    p = _write(tmp_path, "only_time.csv", [header, ["14.07.2022 16:10:05"] + ["a@example.org", "3 / 5"][:len(header) - 1]])
    s = _store()
    for spec in (None, get_template("event_feedback")):
        with pytest.raises(ResponsesImportError) as e:
            import_export(s, p, spec, event_id="ws", now=JULY_20)
        assert "line 1: no question columns, only «" + header[0] + "»" in str(e.value)
    assert s.forms.all() == []


def test_future_timestamps_are_refused_with_their_line(tmp_path: Path) -> None:
    rows = _rows(DATA / "feedback_sheet.csv")
    rows[2][0] = "20.07.2022 21:00:00"  # line 3: 9 h after the import (Bishkek 12:00): a zone ahead, accepted
    rows[4][0] = "21.07.2022 10:00:00"  # line 6 (the record before spans lines 4-5): the next day
    rows[5][0] = "14.07.2032 16:10:05"  # line 7: a wrong year
    p = _write(tmp_path, "future.csv", rows)
    s = _store()
    with pytest.raises(ResponsesImportError) as e:
        import_export(s, p, get_template("event_feedback"), event_id="ws", now=JULY_20)
    assert [x.split(",")[0] for x in e.value.problems] == ["line 6", "line 7"]
    assert "line 7, column «Отметка времени»: '14.07.2032 16:10:05' is in the future" in e.value.problems[1]
    assert s.forms.all() == [] and s.responses.list("ws.event_feedback") == []
    rows[4][0], rows[5][0] = "14.07.2022 17:00:00", "14.07.2022 17:05:00"
    res = import_export(s, _write(tmp_path, "fixed.csv", rows), get_template("event_feedback"), event_id="ws",
                        now=JULY_20)
    assert res.responses == 5


def test_identical_rows_are_merged_with_a_count(tmp_path: Path) -> None:
    rows = _rows(DATA / "feedback_sheet.csv")
    rows += [rows[1], rows[2], rows[1]]  # lines 8, 9, 10 repeat lines 2, 3, 2 (a record spans lines 4-5)
    res = import_export(_store(), _write(tmp_path, "dup.csv", rows), get_template("event_feedback"), event_id="ws",
                        now=JULY_20)
    out = "\n".join(res.lines())
    assert res.responses == 5 and res.export.merged == [(8, 2), (9, 3), (10, 2)]
    assert out.startswith("Imported 5 response(s) (8 rows, 3 identical row(s) merged) from ")
    assert "note: 3 identical row(s) merged (same time, e-mail and answers; imported once): line 8 = line 2, " \
           "line 9 = line 3, line 10 = line 2" in out


def test_oblast_and_role_questions_of_a_google_export_are_imported(tmp_path: Path) -> None:
    # Google's "Download responses" in Russian: the headings of the service's own workbook, but Google's times
    res = import_export(_store(), BAD / "export_oblast_question.csv", None, event_id="ws", now=JULY_20)
    by_header = {c.header: c for c in res.export.columns}
    assert by_header["Область"].role == by_header["Роль"].role == "question"
    oblast, role = by_header["Область"].question_id, by_header["Роль"].question_id
    first = res.export.responses[0].answers
    q = res.export.spec.question(oblast)
    assert q.option_label(first[oblast]) == "Нарынская"
    assert res.export.spec.question(role).option_label(first[role]) == "депутат местного кенеша"
    # a linked Sheet whose first questions are «Область» and «Роль», answered in the respondents' own words
    rows = _rows(DATA / "feedback_sheet.csv")
    rows = [r[:2] + x + r[2:] for r, x in zip(rows, [["Область", "Роль"]] + [["Нарын", "председатель"]] * 5)]
    res = import_export(_store(), _write(tmp_path, "sheet.csv", rows), None, event_id="ws2", now=JULY_20)
    assert [c.role for c in res.export.columns[2:4]] == ["question", "question"]
    assert not any("service's own" in n for n in res.export.notes)


def test_the_services_own_workbook_skips_only_its_roster_columns(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {ROOT / 'examples' / 'club2022' / 'plan.yaml'}\nstate: state.sqlite\nout: out\n"
                   "sheets: sheets\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,oblast,role,language\nАйгүл,aigul@example.org,naryn,deputy,ky\n"
                      "Бермет,bermet@example.org,osh,candidate,ru\n", encoding="utf-8")
    c = ["--config", str(cfg)]
    assert main(c + ["roster", "import", str(roster)]) == 0
    assert main(c + ["responses", "import", str(DATA / "feedback_sheet.csv"), "--template", "event_feedback",
                     "--event", "ws"]) == 0
    assert main(c + ["responses", "sync", "ws.event_feedback", "--now", "2022-07-20T10:00"]) == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "sheets" / "ws.event_feedback.xlsx").active
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    assert rows[1][2:4] == ["Нарынская", "депутат местного кенеша"]
    own = _write(tmp_path, "own.csv", rows)  # the workbook saved as CSV
    capsys.readouterr()
    assert main(c + ["responses", "import", str(own), "--template", "event_feedback", "--event", "ws2"]) == 0
    out = capsys.readouterr().out
    assert "«Область» → skipped" in out and "«Роль» → skipped" in out
    assert "note: columns 3 «Область» and 4 «Роль» are the service's own workbook columns" in out
    assert "Imported 5 response(s)" in out and "not in the file" not in out
