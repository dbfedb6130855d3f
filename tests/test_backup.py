"""Backups (issue 16): ``backup`` with SQLite's online backup API, the daily backup with retention, ``restore``
checked and keeping the current state, and every file holding personal data made readable by its owner only.

The season is tests/test_scheduler.py's (one workshop, five participants, the local backend).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from test_scheduler import L, outbox, text_of, write_season

from automation.app import make_context
from automation.cli.main import main
from automation.config import load_config
from automation.errors import StoreError
from automation.jobs.backup import daily_backup
from automation.store import Store
from automation.store.backup import back_up, backups, prune
from automation.store.lock import hold


def private(p: Path) -> bool:
    return os.stat(p).st_mode & 0o077 == 0


def roster_emails(state: Path) -> list[str]:
    con = sqlite3.connect(state)
    try:
        return [r[0] for r in con.execute("SELECT email FROM participants WHERE active = 1 ORDER BY email")]
    finally:
        con.close()


@pytest.fixture
def club(tmp_path):
    cfg = write_season(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(tmp_path / "roster.csv")]) == 0
    return cfg


def test_backup_then_restore_round_trip(club, tmp_path, capsys):
    cfg, state = str(club), tmp_path / "state.sqlite"
    assert main(["--config", cfg, "run", "--once", "--now", "2022-08-16T10:00"]) == 0
    before = roster_emails(state)
    assert main(["--config", cfg, "backup", "--to", str(tmp_path / "bk"), "--now", "2022-08-16T11:00"]) == 0
    [(when, copy)] = backups(tmp_path / "bk")
    assert copy.name == "state-20220816T050000Z.sqlite" and str(copy) in capsys.readouterr().out
    assert private(copy) and private(tmp_path / "bk") and not list((tmp_path / "bk").glob("*-wal"))
    # the state changes after the backup: one leaves, the ledger grows
    assert main(["--config", cfg, "roster", "remove", "aigul@example.org"]) == 0
    assert main(["--config", cfg, "run", "--once", "--now", "2022-09-08T10:00"]) == 0
    assert roster_emails(state) != before
    capsys.readouterr()
    assert main(["--config", cfg, "restore", str(copy), "--now", "2022-09-09T10:00"]) == 0
    out = capsys.readouterr().out
    kept = tmp_path / "state.sqlite.before-restore-20220909T040000Z"
    assert f"Restored {copy}" in out and str(kept) in out
    assert roster_emails(state) == before
    assert "aigul@example.org" not in roster_emails(kept) and private(kept) and private(state)
    store = Store(state)
    assert set(store.ledger.all()) == {"ws1.programme_draft"}
    store.close()
    # the service runs on from the restored state: the actions after the backup run again
    assert main(["--config", cfg, "run", "--once", "--now", "2022-09-08T10:00"]) == 0


def dump(state: Path) -> list[str]:
    con = sqlite3.connect(state)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_restore_refuses_a_bad_file_and_while_the_service_runs(club, tmp_path, capsys):
    cfg, state = str(club), tmp_path / "state.sqlite"
    before = dump(state)
    for name, data in [("notes.txt", b"not a database"), ("empty.sqlite", b"")]:
        (tmp_path / name).write_bytes(data)
        assert main(["--config", cfg, "restore", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert "nothing was changed" in err and "Traceback" not in err
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert main(["--config", cfg, "restore", str(other)]) == 2
    assert "not a state file of this service" in capsys.readouterr().err
    assert main(["--config", cfg, "restore", str(tmp_path / "missing.sqlite")]) == 2
    assert "no such file" in capsys.readouterr().err
    copy = back_up(state, tmp_path / "bk", L(2022, 8, 1))
    with hold(state, "serve"):
        assert main(["--config", cfg, "restore", str(copy)]) == 2
        assert f"the service is running on it (process {os.getpid()}: serve)" in capsys.readouterr().err
    assert dump(state) == before and not list(tmp_path.glob("*.before-restore-*"))


def test_prune_keeps_n_days_and_the_newest(tmp_path):
    state = tmp_path / "state.sqlite"
    Store(state).close()
    days = [back_up(state, tmp_path / "bk", L(2022, 9, d, 3)) for d in (1, 2, 5, 9, 10)]
    assert [p.name for p in prune(tmp_path / "bk", 7, L(2022, 9, 10, 3))] == [days[0].name, days[1].name]
    (tmp_path / "bk" / "my notes.txt").write_text("kept")
    assert prune(tmp_path / "bk", 1, L(2022, 12, 1)) == days[2:4]  # the newest stays, whatever its age
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == ["my notes.txt", days[4].name]


def test_daily_backup_once_a_day_after_the_hour_and_an_alert_when_it_fails(club, tmp_path):
    cfg = load_config(club)
    ctx = make_context(cfg)
    folder = tmp_path / "daily"
    assert daily_backup(ctx, folder, 2, 3, L(2022, 9, 1, 2, 59)) is None  # before 03:00 Asia/Bishkek
    first = daily_backup(ctx, folder, 2, 3, L(2022, 9, 1, 3, 0))
    assert first is not None and first.exists()
    assert daily_backup(ctx, folder, 2, 3, L(2022, 9, 1, 23, 0)) is None  # once a day
    for d in (2, 3, 4):
        assert daily_backup(ctx, folder, 2, 3, L(2022, 9, d, 3, 30)) is not None
    # kept: those of the last 2 days (the cut-off is 2 days before the newest)
    assert [p.name for _, p in backups(folder)] == ["state-20220901T213000Z.sqlite", "state-20220902T213000Z.sqlite",
                                                    "state-20220903T213000Z.sqlite"]
    # a folder that cannot be written: the admin is told once, and it is tried again at the next check
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    assert daily_backup(ctx, blocked, 2, 3, L(2022, 9, 5, 3, 0)) is None
    assert daily_backup(ctx, blocked, 2, 3, L(2022, 9, 5, 3, 1)) is None
    [alert] = ctx.store.alerts.open()
    assert alert.problem == "failed:backup.2022-09-05" and alert.status == "sent"
    [mail] = [m for m in outbox(tmp_path, alerts=True) if m["X-Club-Action"] == "admin.alert"]
    assert "ежедневная резервная копия (2022-09-05)" in text_of(mail) and "blocked" in text_of(mail)
    assert daily_backup(ctx, folder, 2, 3, L(2022, 9, 5, 3, 2)) is not None
    assert ctx.store.alerts.open() == []


def test_every_file_holding_personal_data_is_the_owners_only(club, tmp_path):
    cfg = str(club)
    old = os.umask(0o022)  # the usual umask: the commands must not depend on it
    try:
        for moment in ("2022-08-16T10:00", "2022-09-15T16:00", "2022-09-23T10:00"):
            main(["--config", cfg, "run", "--once", "--now", moment])
        assert main(["--config", cfg, "backup", "--now", "2022-09-23T11:00"]) == 0
    finally:
        os.umask(old)
    state = tmp_path / "state.sqlite"
    files = [state, Path(f"{state}-wal"), Path(f"{state}-shm"), *backups(tmp_path / "backups")]
    files = [f[1] if isinstance(f, tuple) else f for f in files]
    for folder in ("out/outbox", "out/sheets", "backups"):
        files += [p for p in (tmp_path / folder).rglob("*") if p.is_file()]
    assert len(files) > 10 and any(p.suffix == ".xlsx" for p in files)
    assert [str(p) for p in files if not private(p)] == []
    assert private(tmp_path / "backups")


def test_backup_settings_are_checked(tmp_path):
    from automation.errors import ValidationError

    cfg = tmp_path / "club.yaml"
    cfg.write_text("backup:\n  dir: /srv/club-backups\n  keep_days: 30\n  hour: 2\n")
    c = load_config(cfg)
    assert (c.backups, c.backup_keep_days, c.backup_hour) == (Path("/srv/club-backups"), 30, 2)
    cfg.write_text("state: data/state.sqlite\n")
    assert load_config(cfg).backups == tmp_path / "data" / "backups"
    cfg.write_text("backup:\n  keep_days: 0\n  hour: 24\n  every: 2\n")
    with pytest.raises(ValidationError) as e:
        load_config(cfg)
    msg = str(e.value)
    assert "backup.keep_days: expected a whole number from 1 to 3650, found 0" in msg
    assert "backup.hour: expected a whole number from 0 to 23, found 24" in msg and "backup.every: unknown" in msg


def test_back_up_without_a_state_file_says_so(tmp_path, capsys):
    with pytest.raises(StoreError, match="no state file to back up"):
        back_up(tmp_path / "none.sqlite", tmp_path / "bk", L(2022, 9, 1))
    assert not (tmp_path / "bk").exists() or not any((tmp_path / "bk").iterdir())


def test_restore_refuses_another_clubs_state_unless_forced(club, tmp_path, capsys):
    cfg, state = str(club), tmp_path / "state.sqlite"
    assert main(["--config", cfg, "run", "--once", "--now", "2022-09-15T16:00"]) == 0  # ws1's forms exist
    ours = back_up(state, tmp_path / "bk", L(2022, 9, 15, 17))
    theirs = tmp_path / "school_state.sqlite"
    theirs.write_bytes(ours.read_bytes())
    con = sqlite3.connect(theirs)  # the School's state: its forms belong to its own events
    con.execute("UPDATE forms SET event_id = 'school_2021'")
    con.commit()
    con.close()
    before = dump(state)
    assert main(["--config", cfg, "restore", str(theirs)]) == 2
    err = capsys.readouterr().err
    assert "looks like the state of another club or plan" in err and "school_2021" in err and "--force" in err
    assert dump(state) == before and not list(tmp_path.glob("*.before-restore-*"))
    assert main(["--config", cfg, "restore", str(ours)]) == 0  # our own backup: restored as before
    assert main(["--config", cfg, "restore", str(theirs), "--force"]) == 0
    assert "Restored" in capsys.readouterr().out
