"""The roster CSV: validation of every row, and the import that changes nothing when a row is bad.

The command-line tests go through ``automation.cli.main.main`` with a ``club.yaml`` in
``tmp_path`` whose state file is in ``tmp_path`` (a real SQLite file).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from automation.cli.main import main
from automation.errors import RosterError
from automation.roster import participant_id, read_roster

ROOT = Path(__file__).resolve().parent.parent
CLUB_ROSTER = ROOT / "examples" / "club2022" / "roster.csv"

GOOD = """name,email,phone,oblast,municipality,role,language
Айгүл Токтосунова,Aigul.T@Example.org,+996 778 395 553,jalal-abad,Базар-Коргон айыл аймагы,deputy,ky
Елена Ким,elena.kim@example.org,,Иссык-Кульская область,Каракол,кандидат в депутаты,русский
Нуржан Осмонов,nurzhan@example.org,0555 123 456,Нарын облусу,Ат-Башы,,кыргызча
"""

# line 1 header; 2 good; 3 bad e-mail; 4 unknown oblast; 5 bad language; 6 duplicate of line 2;
# 7 empty name; 8 good; 9 blank (ignored); 10 two problems at once
BAD = """name,email,phone,oblast,municipality,role,language
Айгүл Токтосунова,aigul@example.org,,naryn,Ат-Башы,deputy,ky
Бермет Осмонова,bermet(at)example.org,,osh,Кара-Суу,deputy,ky
Чынара Исакова,chynara@example.org,,Атлантида,Чолпон-Ата,deputy,ru
Жибек Өмүрбекова,zhibek@example.org,,issyk-kul,Тюп,deputy,en
Айгүл Экинчи,AIGUL@example.org,,osh,Ош,deputy,ky
,nobody@example.org,,naryn,Нарын,deputy,ru
Гүлмира Байзакова,gulmira@example.org,,jalal-abad,Токтогул,activist,ru

Мавлюда Юсупова,mavlyuda@@example.org,,Марс,Өзгөн,deputy,ky
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"plan: {ROOT / 'examples' / 'club2022' / 'plan.yaml'}\nstate: state.sqlite\nout: out\n"
                   "sheets: sheets\n", encoding="utf-8")
    return cfg


def participants_table(tmp_path: Path) -> list[tuple]:
    db = sqlite3.connect(tmp_path / "state.sqlite")
    try:
        return db.execute("SELECT id, name, email, phone, oblast, municipality, role, language, sex, active,"
                          " joined_at, left_at, source FROM participants ORDER BY email").fetchall()
    finally:
        db.close()


# --- reading -------------------------------------------------------------------------


def test_good_csv(tmp_path):
    read = read_roster(write(tmp_path, "r.csv", GOOD))
    assert read.problems == []
    assert read.rows == 3
    a, e, n = read.participants
    assert (a.name, a.email, a.phone, a.oblast, a.municipality, a.role, a.language, a.sex) == (
        "Айгүл Токтосунова", "aigul.t@example.org", "+996 778 395 553", "jalal-abad", "Базар-Коргон айыл аймагы",
        "deputy", "ky", "f")
    assert a.id == participant_id("AIGUL.T@example.org") == participant_id("aigul.t@example.org")
    assert (e.oblast, e.role, e.language, e.phone) == ("issyk-kul", "candidate", "ru", "")
    assert (n.oblast, n.role, n.language) == ("naryn", "other", "ky")


def test_russian_headers_semicolons_and_bom(tmp_path):
    text = ("ФИО;Электронная почта;Телефон;Область;Муниципалитет;Роль;Язык;Пол\n"
            "Айгүл Токтосунова;aigul@example.org;+996 778 395 553;Джалал-Абадская область;Базар-Коргон;депутат;ky;ж\n"
            "Азамат Турдубаев;azamat@example.org;;Ошская;Кара-Суу;муниципальный служащий;русский;м\n")
    p = write(tmp_path, "ru.csv", "\ufeff" + text)
    assert p.read_bytes()[:3] == b"\xef\xbb\xbf"
    read = read_roster(p)
    assert read.problems == []
    assert [(x.name, x.email, x.oblast, x.role, x.language, x.sex) for x in read.participants] == [
        ("Айгүл Токтосунова", "aigul@example.org", "jalal-abad", "deputy", "ky", "f"),
        ("Азамат Турдубаев", "azamat@example.org", "osh", "municipal_servant", "ru", "m"),
    ]


def test_windows_1251_file_is_read(tmp_path):
    text = "ФИО;email;область;язык\nЕлена Ким;elena@example.org;Нарынская;русский\n"
    read = read_roster(write(tmp_path, "cp.csv", text, encoding="cp1251"))
    assert read.problems == []
    assert [(x.name, x.oblast) for x in read.participants] == [("Елена Ким", "naryn")]


def test_excel_unicode_text_utf16_with_tabs_is_read(tmp_path):
    """Excel's "Unicode Text" («Текст Юникод»): UTF-16 LE with a BOM, tab-separated; keeps ө ү ң."""
    text = "ФИО\temail\tобласть\tязык\r\nГүлнур Өмүрбекова\tgulnur@example.org\tНарынская\tкыргызский\r\n"
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    read = read_roster(tmp_path / "u16.txt")
    assert read.problems == []
    assert [(x.name, x.oblast, x.language) for x in read.participants] == [("Гүлнур Өмүрбекова", "naryn", "ky")]


def test_kyrgyz_letters_lost_by_a_windows_1251_save_are_refused_not_imported(tmp_path):
    """Excel in a Russian Windows saves "CSV" in Windows-1251, which has no ө ү ң: it writes «?» instead."""
    text = "ФИО;email;область;язык;айыл өкмөтү\nГүлнур Өмүрбекова;gulnur@example.org;Нарынская;кыргызский;Ат-Башы\n" \
           "Елена Ким;elena@example.org;Нарынская;русский;Кочкор\n"
    (tmp_path / "cp.csv").write_bytes(text.encode("cp1251", errors="replace"))
    read = read_roster(tmp_path / "cp.csv")
    assert [x.name for x in read.participants] == ["Елена Ким"]  # the damaged row is not imported
    [problem] = read.problems
    assert problem.startswith("line 2, column 1") and "«Г?лнур ?м?рбекова» has «?» in place of letters" in problem
    assert "CSV UTF-8" in problem


def test_every_bad_row_is_reported_with_its_line_number(tmp_path):
    read = read_roster(write(tmp_path, "bad.csv", BAD))
    assert read.rows == 8
    assert [p.email for p in read.participants] == ["aigul@example.org", "gulmira@example.org"]
    probs = read.problems
    assert [p.split(":")[0] for p in probs] == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 10"]
    assert probs[0] == "line 3: email 'bermet(at)example.org' is not a valid e-mail address"
    assert probs[1].startswith("line 4: oblast 'Атлантида' is unknown (use one of: Баткенская, Джалал-Абадская,")
    assert probs[2] == "line 5: language 'en' must be ky or ru"
    assert probs[3] == "line 6: email aigul@example.org is already on line 2"
    assert probs[4] == "line 7: name is empty"
    assert probs[5].startswith("line 10: email 'mavlyuda@@example.org' is not a valid e-mail address; "
                               "oblast 'Марс' is unknown")


def test_a_file_without_the_required_columns_is_rejected_as_a_whole(tmp_path):
    p = write(tmp_path, "h.csv", "name,mail,oblast\nА,a@example.org,naryn\n")
    with pytest.raises(RosterError) as ei:
        read_roster(p)
    assert ei.value.source == str(p)
    assert ei.value.problems[0].startswith("line 1: missing column(s) email, language; found name, mail, oblast.")


def test_the_example_roster_is_valid():
    read = read_roster(CLUB_ROSTER)
    assert read.problems == []
    assert len(read.participants) == 50
    assert Counter(p.oblast for p in read.participants) == {"jalal-abad": 13, "issyk-kul": 13, "naryn": 12, "osh": 12}
    assert len({p.email for p in read.participants}) == 50


# --- through the command line -------------------------------------------------------


def test_cli_import_with_errors_imports_nothing(tmp_path, capsys):
    cfg = config(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(write(tmp_path, "good.csv", GOOD))]) == 0
    before = participants_table(tmp_path)
    assert len(before) == 3
    capsys.readouterr()

    bad = write(tmp_path, "bad.csv", BAD)
    assert main(["--config", str(cfg), "roster", "import", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert f"{bad}: 6 of 8 row(s) have problems:" in err
    for line in (3, 4, 5, 6, 7, 10):
        assert f"  - line {line}: " in err
    assert "Nothing was imported" in err
    assert "Imported" not in out
    assert participants_table(tmp_path) == before


def test_cli_import_with_errors_into_a_new_state_creates_nothing(tmp_path, capsys):
    cfg = config(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(write(tmp_path, "bad.csv", BAD))]) == 2
    assert not (tmp_path / "state.sqlite").exists()


def test_cli_import_skip_invalid_imports_the_good_rows(tmp_path, capsys):
    cfg = config(tmp_path)
    bad = write(tmp_path, "bad.csv", BAD)
    assert main(["--config", str(cfg), "roster", "import", "--skip-invalid", str(bad)]) == 0
    out, err = capsys.readouterr()
    assert "line 3: " in err  # the bad rows are still reported
    assert "Imported 2 participant(s): 2 new, 0 updated, 6 invalid row(s) skipped." in out
    rows = participants_table(tmp_path)
    assert [(r[2], r[4], r[7]) for r in rows] == [("aigul@example.org", "naryn", "ky"),
                                                  ("gulmira@example.org", "jalal-abad", "ru")]


def test_cli_imports_the_example_roster(tmp_path, capsys):
    cfg = config(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(CLUB_ROSTER)]) == 0
    assert "Imported 50 participant(s): 50 new, 0 updated." in capsys.readouterr().out
    rows = participants_table(tmp_path)
    assert len(rows) == 50
    assert all(r[9] == 1 for r in rows)
    # importing the same file again updates, adds nobody
    assert main(["--config", str(cfg), "roster", "import", str(CLUB_ROSTER)]) == 0
    assert "Imported 50 participant(s): 0 new, 50 updated." in capsys.readouterr().out
    assert len(participants_table(tmp_path)) == 50


def test_cli_roster_with_english_export_style_headers_keeps_oblast_and_language(tmp_path, capsys):
    """'Email address' and 'Region' are roster headers too: such a file must not be taken for a
    Google Groups export (which would drop the oblast and set every language to ky)."""
    cfg = config(tmp_path)
    csv_ = write(tmp_path, "r.csv", "Name,Email address,Phone,Region,Municipality,Role,Language\n"
                                    "Елена Ким,elena@example.org,,Нарынская,Нарын,deputy,ru\n")
    assert main(["--config", str(cfg), "roster", "import", str(csv_)]) == 0
    assert "Imported 1 participant(s): 1 new, 0 updated." in capsys.readouterr().out
    assert [(r[2], r[4], r[7]) for r in participants_table(tmp_path)] == [("elena@example.org", "naryn", "ru")]


def test_cli_google_groups_export_is_still_recognised(tmp_path, capsys):
    cfg = config(tmp_path)
    export = write(tmp_path, "members.csv", "Email address,Nickname,Group status,Email status\n"
                                            "aigul@example.org,Айгүл,member,\n")
    assert main(["--config", str(cfg), "roster", "import", str(export)]) == 0
    assert "Google Groups export: 1 new member(s) added" in capsys.readouterr().out
    assert [(r[1], r[2], r[7]) for r in participants_table(tmp_path)] == [("Айгүл", "aigul@example.org", "ky")]


# --- the roster job: the group brought in line with the roster (automation/jobs/roster.py) --------------------


class _Group:
    """A GroupPort held in memory: records every apply()."""

    def __init__(self, members: set[str], note: str = ""):
        self.address, self.note, self.current, self.applied = "club@amuca.kg", note, set(members), []

    def members(self) -> set[str]:
        return set(self.current)

    def envelope(self) -> list[str]:
        return [self.address]

    def apply(self, add: list[str], remove: list[str]) -> None:
        self.applied.append((add, remove))
        self.current = (self.current | set(add)) - set(remove)


class _Backend:
    name = "google"
    has_real_group = True

    def __init__(self, group: _Group):
        self.group = group


def _group_season(tmp_path: Path, group: _Group):
    from automation.context import Context
    from automation.store import Store

    store = Store(tmp_path / "state.sqlite")
    store.roster.upsert(read_roster(CLUB_ROSTER).participants, source="test")
    return Context(store=store, plan=None, backend=_Backend(group), out_dir=tmp_path)


def test_sync_group_dry_run_changes_nothing_then_one_apply_brings_the_group_in_line(tmp_path):
    from automation.jobs.roster import sync_group

    roster = {p.email for p in read_roster(CLUB_ROSTER).participants}
    keep = sorted(roster)[:40]
    group = _Group(set(keep) | {"gone@amuca.kg"})
    ctx = _group_season(tmp_path, group)
    res = sync_group(ctx, dry_run=True)
    assert (res.outcome, res.members, res.roster) == ("dry_run", 41, 50)
    assert res.add == sorted(roster - set(keep)) and res.remove == ["gone@amuca.kg"]
    assert group.applied == []
    res = sync_group(ctx)
    assert res.outcome == "applied" and group.applied == [(res.add, ["gone@amuca.kg"])]
    assert group.current == roster
    res = sync_group(ctx)
    assert (res.outcome, res.add, res.remove) == ("in_line", [], [])
    assert len(group.applied) == 1  # nothing differs: nothing is written


def test_sync_group_with_a_note_or_on_the_local_backend_does_nothing(tmp_path, season):
    from automation.jobs.roster import sync_group

    group = _Group({"x@amuca.kg"}, note="gmail.com: the roster is the list.")
    res = sync_group(_group_season(tmp_path, group))
    assert (res.outcome, res.note, group.applied) == ("note", "gmail.com: the roster is the list.", [])
    res = sync_group(season)
    assert (res.outcome, res.add, res.remove) == ("local", [], [])


def test_add_and_remove_a_participant(tmp_path):
    from automation.errors import AutomationError
    from automation.jobs.roster import add_participant, new_participant, remove_participant
    from automation.store import Store

    with pytest.raises(RosterError) as ei:
        new_participant("", "not-an-email", "naryn", "ky")
    assert ei.value.source == "roster add" and len(ei.value.problems) == 2
    store = Store(tmp_path / "state.sqlite")
    person = new_participant("Айгүл", "Aigul@Example.org", "Нарынская", "ky", municipality="Ат-Башы")
    assert (person.email, person.oblast, person.id) == ("aigul@example.org", "naryn", participant_id("aigul@example.org"))
    assert add_participant(store, person).status == "added"
    assert add_participant(store, person).status == "unchanged"
    remove_participant(store, "aigul@example.org")
    assert [p.email for p in store.roster.participants()] == []
    with pytest.raises(AutomationError, match="is not in the roster"):
        remove_participant(store, "nobody@example.org")


# --- leaving is sticky; an existing address is never silently overwritten (issue 16) -------------------


def test_a_later_import_does_not_bring_back_who_left_and_says_so(tmp_path, capsys):
    cfg, csv = config(tmp_path), write(tmp_path, "r.csv", GOOD)
    assert main(["--config", str(cfg), "roster", "import", str(csv)]) == 0
    assert main(["--config", str(cfg), "roster", "remove", "elena.kim@example.org"]) == 0
    capsys.readouterr()
    assert main(["--config", str(cfg), "roster", "import", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "0 new, 2 updated, 1 who left the club not brought back" in out
    assert "Клубдан чыгып кеткен 1 катышуучу кайра кошулган жок: Елена Ким <elena.kim@example.org>" in out
    assert "Покинувшие клуб (1) не возвращены в список: Елена Ким" in out
    assert out.index("Клубдан") < out.index("Покинувшие")  # Kyrgyz first
    row = next(r for r in participants_table(tmp_path) if r[2] == "elena.kim@example.org")
    assert row[9] == 0 and row[11] is not None  # still left
    # only an explicit rejoin brings her back
    assert main(["--config", str(cfg), "roster", "rejoin", "Elena.Kim@example.org"]) == 0
    assert "is a member again" in capsys.readouterr().out
    row = next(r for r in participants_table(tmp_path) if r[2] == "elena.kim@example.org")
    assert (row[9], row[11]) == (1, None)
    assert main(["--config", str(cfg), "roster", "rejoin", "elena.kim@example.org"]) == 2
    assert "is a member already" in capsys.readouterr().err
    assert main(["--config", str(cfg), "roster", "rejoin", "nobody@example.org"]) == 2
    assert "is not in the roster" in capsys.readouterr().err


def test_a_groups_export_does_not_bring_back_who_left_either(tmp_path):
    from automation.jobs.roster import read_roster_file, save_roster_file
    from automation.store import Store

    store = Store(tmp_path / "state.sqlite")
    store.roster.upsert(read_roster(write(tmp_path, "r.csv", GOOD)).participants, source="t")
    store.roster.set_active("nurzhan@example.org", False)
    export = write(tmp_path, "g.csv", "Email address,Nickname\nnurzhan@example.org,N\nnew@example.org,New\n")
    change = save_roster_file(store, read_roster_file(export))
    assert (change.added, [p.email for p in change.kept_left]) == (1, ["nurzhan@example.org"])
    assert store.roster.get("nurzhan@example.org").active is False


def test_roster_add_never_overwrites_another_person_silently(tmp_path, capsys):
    cfg = config(tmp_path)
    base = ["--config", str(cfg), "roster", "add", "--email", "aigul@example.org", "--language", "ky"]
    assert main([*base, "--name", "Айгүл Токтосунова", "--oblast", "naryn"]) == 0
    before = participants_table(tmp_path)
    capsys.readouterr()
    assert main([*base, "--name", "Бермет Осмонова", "--oblast", "osh"]) == 2
    err = capsys.readouterr().err
    assert "already in the roster as «Айгүл Токтосунова»" in err
    assert "name: Айгүл Токтосунова → Бермет Осмонова" in err and "oblast: naryn → osh" in err
    assert "--update" in err and "Traceback" not in err
    assert participants_table(tmp_path) == before
    # the same details again: nothing to change, no error
    assert main([*base, "--name", "Айгүл Токтосунова", "--oblast", "naryn"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    # with --update the change is made and shown
    assert main([*base, "--name", "Айгүл Осмонова", "--oblast", "naryn", "--update"]) == 0
    out = capsys.readouterr().out
    assert "name: Айгүл Токтосунова → Айгүл Осмонова" in out and "oblast" not in out
    assert participants_table(tmp_path)[0][1] == "Айгүл Осмонова"
    # someone who left is not re-added by `roster add`, even with --update
    assert main(["--config", str(cfg), "roster", "remove", "aigul@example.org"]) == 0
    capsys.readouterr()
    assert main([*base, "--name", "Айгүл Осмонова", "--oblast", "naryn", "--update"]) == 2
    assert "roster rejoin aigul@example.org" in capsys.readouterr().err
    assert participants_table(tmp_path)[0][9] == 0
