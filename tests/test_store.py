"""The store (automation/store/): migrations, permissions, and each repository on a real SQLite file."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from automation.errors import StoreError
from automation.model import Participant
from automation.store import FormRecord, Store
from automation.store.migrations import MIGRATIONS, SCHEMA_VERSION

DATA = Path(__file__).parent / "data"
T0 = datetime(2022, 9, 1, 8, 0, tzinfo=timezone.utc)
T1 = datetime(2022, 9, 2, 8, 0, tzinfo=timezone.utc)


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    con.close()
    return out


def _form(key: str = "ev.event_feedback", **kw) -> FormRecord:
    base = dict(form_key=key, template_id="event_feedback", template_version=1, kind="event_feedback", event_id="ev",
                pre_test=False, audience="roster", backend="local", external_id="pub" + key[-3:], url="http://x/f/1",
                spec_json="{}", status="open", opens="2022-09-01T08:00:00Z", deadline="2022-09-08T08:00:00Z",
                created_at="2022-09-01T08:00:00Z")
    base.update(kw)
    return FormRecord(**base)


def test_a_state_file_of_schema_1_is_migrated_and_keeps_every_row(tmp_path):
    """tests/data/state_schema1.sqlite was written by the program before the store had migrations
    (schema_version 1, the School's and outcomes' tables made on first use outside the store)."""
    p = tmp_path / "state.sqlite"
    shutil.copy(DATA / "state_schema1.sqlite", p)
    before = _counts(p)
    assert sqlite3.connect(p).execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "1"
    store = Store(p)
    assert store.meta.get("schema_version") == str(SCHEMA_VERSION) == str(MIGRATIONS[-1][0])
    assert store.db.backup == tmp_path / "state.sqlite.schema1.bak"
    assert _counts(store.db.backup) == before and oct(os.stat(store.db.backup).st_mode & 0o777) == "0o600"
    store.close()
    after = _counts(p)
    # the tables it had keep every row; the migrations add none it already had (and new tables start empty)
    assert {k: v for k, v in after.items() if k in before} == before
    assert all(after[k] == 0 for k in set(after) - set(before))
    store = Store(p)  # opening again applies nothing and copies nothing
    assert store.meta.get("schema_version") == str(SCHEMA_VERSION) and store.db.backup is None
    forms = store.forms.all()
    assert [f.form_key for f in forms] == ["school_applications_2020", "school_2021.post_test.pre"]
    assert forms[1].pre_test is True and forms[1].spec().kind == "post_test"
    assert len(store.responses.list("school_applications_2020")) == before["responses"] // 2
    assert len(store.school.codes()) == before["school_codes"]
    assert store.school.is_final()
    assert store.outcomes.totals()[0] == before["outcomes"]
    assert len(store.roster.participants(active_only=False)) == before["participants"]
    assert store.ledger.all() and all(e.status in ("done", "skipped", "failed", "deferred")
                                      for e in store.ledger.all().values())


def test_a_new_file_gets_every_migration_and_is_private(tmp_path):
    p = tmp_path / "sub" / "state.sqlite"
    store = Store(p)
    store.roster.upsert([Participant("p1", "Айгүл", "a@example.org")], source="t", now=T0)
    assert store.meta.get("schema_version") == str(MIGRATIONS[-1][0])
    for f in [p, Path(str(p) + "-wal"), Path(str(p) + "-shm")]:
        assert f.exists(), f
        assert oct(os.stat(f).st_mode & 0o777) == "0o600", f
    tables = set(_counts(p))
    assert {"participants", "ledger", "forms", "form_links", "responses", "deliveries", "reports", "school_codes",
            "school_results", "school_meta", "outcomes", "alerts"} <= tables


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    import automation.store.db as db

    p = tmp_path / "state.sqlite"
    shutil.copy(DATA / "state_schema1.sqlite", p)
    n = SCHEMA_VERSION + 1
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, (n, "broken", "CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1)")])
    monkeypatch.setattr(db, "SCHEMA_VERSION", n)
    with pytest.raises(StoreError, match=f"schema {n}"):
        db.Database(p)
    con = sqlite3.connect(p)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'extra'").fetchone() is None


def test_responses_upsert_keeps_what_a_later_copy_lacks_and_takes_new_matches():
    store = Store(":memory:")
    row = {"response_id": "r1", "participant_id": None, "respondent_email": "a@example.org", "submitted_at": T0,
           "answers": {"q": 1}}
    assert store.responses.add("f", [row], source="import") == 1
    # a re-import after she joined the roster: the new match is taken, the e-mail kept
    assert store.responses.add("f", [{**row, "participant_id": "p1", "respondent_email": None,
                                      "answers": {"q": 2}}], source="google") == 0
    r = store.responses.list("f")[0]
    assert (r.participant_id, r.respondent_email, r.answers, r.source) == ("p1", "a@example.org", {"q": 2}, "import")
    # a later fetch without the participant loses nothing
    store.responses.add("f", [{**row, "participant_id": None}], source="google")
    assert store.responses.list("f")[0].participant_id == "p1"
    assert store.responses.respondents("f") == {"p1"}
    assert store.responses.latest_of("f", "p1").response_id == "r1"
    assert store.responses.count() == store.responses.count("f") == 1


def test_forms_and_links():
    store = Store(":memory:")
    store.forms.add(_form("ev.a", opens="2022-09-02T08:00:00Z"))
    store.forms.add(_form("ev.b", external_id="PUB"))
    with pytest.raises(sqlite3.IntegrityError):
        store.forms.add(_form("ev.b"))
    assert [f.form_key for f in store.forms.all()] == ["ev.b", "ev.a"]
    assert store.forms.by_public_id("PUB").form_key == "ev.b"
    assert store.forms.any_for_event("ev") and not store.forms.any_for_event("other")
    store.forms.add_links("ev.a", {"p2": "t2", "p1": "t1"})
    store.forms.add_links("ev.a", {"p1": "other"})  # she keeps her link
    assert store.forms.links("ev.a") == {"p1": "t1", "p2": "t2"}
    assert store.forms.invited_count("ev.a") == 2
    assert store.forms.link("t2").participant_id == "p2" and store.forms.link("nope") is None
    store.forms.close("ev.a", T1)
    store.forms.set_sync_cursor("ev.a", T0)
    store.forms.set_synced("ev.a", T1)
    f = store.forms.get("ev.a")
    assert (f.status, f.closed_at, f.sync_cursor, f.last_synced_at) == (
        "closed", "2022-09-02T08:00:00Z", "2022-09-01T08:00:00Z", "2022-09-02T08:00:00Z")


def test_ledger_records_attempts_and_what_is_unresolved():
    store = Store(":memory:")
    store.ledger.record("a.mail", "mail.x", "a", T0, "failed", "smtp down", T0)
    store.ledger.record("a.mail", "mail.x", "a", T0, "done", "sent", T1)
    store.ledger.record("b.sum", "mail.admin_summary", "", T0, "done", "", T0)
    store.ledger.record("c.x", "forms.create", "c", T1, "deferred", "cap", T1)
    e = store.ledger.get("a.mail")
    assert (e.status, e.attempts, e.finished_at) == ("done", 2, "2022-09-02T08:00:00Z")
    assert [x.key for x in store.ledger.unresolved()] == ["c.x"]
    assert store.ledger.last_finished("mail.admin_summary", "done") == "2022-09-01T08:00:00Z"
    assert store.ledger.last_finished("mail.admin_summary", "done", exclude_key="b.sum") is None
    assert store.ledger.status_counts_since("0000", exclude_kind="mail.admin_summary") == [("deferred", 1), ("done", 1)]


def test_deliveries_count_against_the_day_and_report_problems():
    store = Store(":memory:")
    d = store.deliveries
    d.add("<1@x>", "a", "g@x", "ky", "S", "queued", T0, "2022-09-01", 50)
    d.add("<2@x>", "a", "p@x", "ru", "S", "failed", T0, "2022-09-01", 3, error="too big")
    assert d.recipients_on("2022-09-01") == 50
    d.mark_sent("<1@x>", "prov1", T1)
    assert d.status("<1@x>") == "sent" and d.status("<3@x>") is None
    d.add("<3@x>", "b", "q@x", "ru", "S", "queued", T1, "2022-09-02", 1)
    d.forget_queued("<3@x>")
    assert d.status("<3@x>") is None
    d.add("<4@x>", "b", "q@x", "ru", "S", "queued", T1, "2022-09-02", 1)
    d.mark_unknown("<4@x>", "could not check")
    assert [(x.message_id, x.status) for x in d.problems_since("0000")] == [("<2@x>", "failed"), ("<4@x>", "unknown")]
    assert d.first_sent_at("a") == "2022-09-02T08:00:00Z"
    assert d.sent_totals() == (1, 50)


def test_a_transaction_across_repositories_is_all_or_nothing():
    store = Store(":memory:")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.forms.add(_form())
            store.ledger.record("k", "forms.create", "ev", T0, "done", "", T0)
            raise RuntimeError("crash")
    assert store.forms.all() == [] and store.ledger.all() == {}


def test_no_sql_outside_the_store():
    """Only automation/store/ runs SQL (DESIGN.md: the store alone writes SQL)."""
    root = Path(__file__).resolve().parents[1] / "automation"
    offenders = []
    for p in root.rglob("*.py"):
        if p.relative_to(root).parts[0] == "store":
            continue
        text = p.read_text(encoding="utf-8")
        for needle in ("store.db", ".executescript(", "read_sql", "sqlite3.connect", "SELECT ", "INSERT ", "UPDATE "):
            if needle in text:
                offenders.append(f"{p.relative_to(root)}: {needle}")
    assert offenders == []


def test_submission_keys_keep_their_first_response():
    store = Store(":memory:")
    assert store.submissions.get("f", "k1") is None
    store.submissions.record("f", "k1", "r1", "p1", T0)
    store.submissions.record("f", "k1", "r2", "p2", T0)  # a key seen before keeps its first record
    got = store.submissions.get("f", "k1")
    assert got is not None and (got.response_id, got.participant_id) == ("r1", "p1")
    assert store.submissions.get("g", "k1") is None  # keys are per form
