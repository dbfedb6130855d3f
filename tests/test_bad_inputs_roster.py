"""Roster files with bad cells (issue 12): control characters anywhere in the file, cells far too long, a
field given by two columns.  Every bad row is listed with its line and column; nothing is imported
unless ``--skip-invalid``, which imports the good rows only.  The single-file cases are also in the
bad-input corpus (``tests/data/bad/rosters/roster_*.csv``, see ``tests/test_bad_inputs.py``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from automation.cli.main import main
from automation.errors import RosterError
from automation.jobs.roster import new_participant
from automation.roster import MAX_LENGTH, read_group_export, read_roster

ROOT = Path(__file__).resolve().parent.parent
HEAD = "name,email,phone,oblast,municipality,role,language\n"


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {ROOT / 'examples' / 'club2022' / 'plan.yaml'}\nstate: state.sqlite\nout: out\n"
                   "sheets: sheets\n", encoding="utf-8")
    return cfg


def _emails(tmp_path: Path) -> list[str]:
    db = tmp_path / "state.sqlite"
    if not db.exists():
        return []
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT email FROM participants ORDER BY email")]
    except sqlite3.OperationalError:  # no table yet: nothing imported
        return []
    finally:
        con.close()


def _bad_file(tmp_path: Path) -> Path:
    # 60 good rows (more than 4 KB), then: line 62 a NUL in a name, line 63 good, line 64 a name of 100,000
    # characters, line 65 a bell character in the municipality and a 300-character e-mail
    good = "".join(f"Участница {i:03d},p{i:03d}@example.org,,naryn,Ат-Башы,deputy,ky\n" for i in range(1, 61))
    text = (HEAD + good + "Айгүл\x00 Токтосунова,aigul@example.org,,naryn,Ат-Башы,deputy,ky\n"
            "Бермет Осмонова,bermet@example.org,,osh,Кара-Суу,deputy,ky\n"
            + "Ж" * 100_000 + ",zhibek@example.org,,osh,Кара-Суу,deputy,ky\n"
            + "Чынара Исакова," + "c" * 288 + "@example.org,,osh,Кара\x07-Суу,deputy,ky\n")
    p = tmp_path / "roster.csv"
    p.write_bytes(text.encode())
    assert len(text.encode()[:text.encode().index(b"\x00")]) > 4096
    return p


def test_every_bad_cell_is_listed_with_line_and_column(tmp_path: Path) -> None:
    read = read_roster(_bad_file(tmp_path))
    assert read.rows == 64 and len(read.participants) == 61
    assert [p.split(",")[0] for p in read.problems] == ["line 62", "line 64", "line 65"]
    assert read.problems[0].startswith("line 62, column 1 «name»: control character U+0000 at character 6")
    assert read.problems[1].startswith("line 64, column 1 «name»: the name has 100000 characters, at most 200")
    assert "line 65, column 2 «email»: the email has 300 characters, at most 254" in read.problems[2]
    assert "line 65, column 5 «municipality»: control character U+0007 at character 5" in read.problems[2]
    assert all("ЖЖЖЖ" not in p and "\x00" not in p for p in read.problems)
    assert not any("\x00" in p.name or len(p.name) > MAX_LENGTH["name"] for p in read.participants)


def test_nothing_imported_unless_skip_invalid(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cfg, f = str(_config(tmp_path)), str(_bad_file(tmp_path))
    assert main(["--config", cfg, "roster", "import", f]) == 2
    err = capsys.readouterr().err
    assert "3 of 64 row(s) have problems" in err and "Nothing was imported" in err
    assert _emails(tmp_path) == []
    assert main(["--config", cfg, "roster", "import", f, "--skip-invalid"]) == 0
    assert "3 invalid row(s) skipped" in capsys.readouterr().out
    emails = _emails(tmp_path)
    assert len(emails) == 61 and "bermet@example.org" in emails and "aigul@example.org" not in emails


@pytest.mark.parametrize("header, expect", [
    ("name,email,phone,oblast,municipality,role,language,E-mail",
     "line 1: columns 2 «email» and 8 «E-mail» both hold the email"),
    ("ФИО,email,область,язык,Имя", "line 1: columns 1 «ФИО» and 5 «Имя» both hold the name"),
    ("name,email,oblast,language,Регион", "line 1: columns 3 «oblast» and 5 «Регион» both hold the oblast"),
])
def test_a_field_in_two_columns_is_refused(tmp_path: Path, header: str, expect: str) -> None:
    n = header.count(",") + 1
    p = tmp_path / "two.csv"
    p.write_text(header + "\n" + ",".join(["Айгүл", "aigul@example.org", "naryn", "ky"] + ["x@example.org"] * (n - 4))
                 + "\n", encoding="utf-8")
    with pytest.raises(RosterError) as e:
        read_roster(p)
    assert expect in str(e.value) and "delete or rename the other" in str(e.value)


def test_roster_add_refuses_control_characters_and_long_fields(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as e:
        new_participant("Айгүл\x00", "aigul@example.org", "naryn", "ky", municipality="М" * 201)
    msg = str(e.value)
    assert "--name: control character U+0000" in msg and "--municipality: the municipality has 201 characters" in msg


def test_a_google_groups_export_is_checked_the_same_way(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    p = tmp_path / "members.csv"
    p.write_bytes(("Group name,Email address,Nickname,Group role\n"
                   "club,aigul@example.org,Айгүл\x00,MEMBER\n"
                   "club,bermet@example.org," + "Б" * 300 + ",MEMBER\n"
                   "club,chynara@example.org,Чынара,MEMBER\n").encode())
    assert main(["--config", str(_config(tmp_path)), "roster", "import", str(p)]) == 2
    err = capsys.readouterr().err
    assert "line 2, column 3 «Nickname»: control character U+0000" in err
    assert "line 3, column 3 «Nickname»: the name has 300 characters, at most 200" in err
    assert _emails(tmp_path) == []
    two = tmp_path / "two.csv"
    two.write_text("Email address,Member Email\naigul@example.org,bermet@example.org\n", encoding="utf-8")
    with pytest.raises(RosterError, match="columns 1 «Email address» and 2 «Member Email» all hold the e-mail"):
        read_group_export(two)
