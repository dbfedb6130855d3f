"""The bad-input corpus (tests/data/bad/): every broken file is rejected by the real command line
with a clear message, exit code 2, no traceback, and the store left exactly as it was.

DESIGN.md principle 6: "Bad input gets a clear error and changes nothing … the message names the
file, the line or field, what was found and what is expected. A failed import leaves the store as
it was."

The corpus is described by ``tests/data/bad/cases.yaml``; each case names a file, the kind of
input (which decides the command it goes through), the substrings the message on stderr must
contain (``expect``) and may not contain (``reject``: programmer's words an admin cannot act on),
and, where today's message falls short, ``xfail`` with the reason (strict: a fix makes it pass and
the marker must then be removed).

Commands by kind (``--config`` is a ``club.yaml`` in ``tmp_path`` whose state is a prepared store):

=========  ===================================================================
template   ``forms build FILE --json``
plan       ``run --once --now …`` with ``plan: FILE`` in the configuration
roster     ``roster import FILE``
export     ``responses import FILE --template event_feedback --event ws`` (or the case's ``args``)
config     ``--config FILE run --once --now …`` (the file is the configuration itself)
cli        ``run --once`` followed by the file's lines as arguments (e.g. ``--now`` and a bad moment)
=========  ===================================================================

Every file is copied into ``tmp_path`` first (``@ROOT@`` in its text becomes the repository root),
so the message must name the copied path.
"""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from automation.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
DATA = Path(__file__).resolve().parent / "data"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))
NOW = "2022-09-20T12:00"

#: Words of a programmer, never of a message to the admin (checked on every case).
ALWAYS_REJECT = ["Traceback", "NoneType"]


def _config_text(plan: Path | str) -> str:
    return f"plan: {plan}\nstate: state.sqlite\nout: out\nsheets: sheets\n"


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    """A folder with club.yaml, a state store holding the example roster, an imported export, a
    synced workbook, a ledger with done actions and a Maildir outbox: the state bad input must not touch."""
    d = tmp_path_factory.mktemp("prepared")
    cfg = d / "club.yaml"
    cfg.write_text(_config_text(ROOT / "examples" / "club2022" / "plan.yaml"), encoding="utf-8")
    c = str(cfg)
    assert main(["--config", c, "roster", "import", str(ROOT / "examples" / "club2022" / "roster.csv")]) == 0
    assert main(["--config", c, "responses", "import", str(DATA / "feedback_sheet.csv"), "--template",
                 "event_feedback", "--event", "ws"]) == 0
    assert main(["--config", c, "run", "--once", "--now", "2022-05-14T10:00"]) == 0  # the needs survey opens
    assert main(["--config", c, "responses", "sync", "ws.event_feedback", "--now", "2022-05-14T11:00"]) == 0
    gc.collect()
    _checkpoint(d / "state.sqlite")
    assert list((d / "sheets").glob("*.xlsx")) and list((d / "out" / "outbox" / "new").iterdir())
    return d


def _checkpoint(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _snapshot(d: Path) -> dict[str, str]:
    """sha256 of the store (after folding its WAL in), its logical dump, and every file under sheets/ and out/."""
    gc.collect()  # close connections the command left to the garbage collector
    db = d / "state.sqlite"
    _checkpoint(db)
    con = sqlite3.connect(db)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    snap = {"state.sqlite": hashlib.sha256(db.read_bytes()).hexdigest(),
            "dump": hashlib.sha256(dump.encode()).hexdigest()}
    for sub in ("sheets", "out"):
        for p in sorted((d / sub).rglob("*")):
            if p.is_file():
                snap[str(p.relative_to(d))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return snap


def _copy_input(case: dict, d: Path) -> Path:
    src = BAD / case["file"]
    dst = d / "input" / src.name
    dst.parent.mkdir(exist_ok=True)
    raw = src.read_bytes()
    if b"@ROOT@" in raw:
        raw = raw.replace(b"@ROOT@", str(ROOT).encode())
    dst.write_bytes(raw)
    return dst


def _argv(case: dict, f: Path, d: Path) -> list[str]:
    cfg = d / "club.yaml"
    kind = case["kind"]
    if kind == "template":
        return ["--config", str(cfg), "forms", "build", str(f), "--json"]
    if kind == "plan":
        cfg = d / "club_bad_plan.yaml"
        cfg.write_text(_config_text(f), encoding="utf-8")
        return ["--config", str(cfg), "run", "--once", "--now", NOW]
    if kind == "roster":
        return ["--config", str(cfg), "roster", "import", str(f)]
    if kind == "export":
        return ["--config", str(cfg), "responses", "import", str(f)] + case.get(
            "args", ["--template", "event_feedback", "--event", "ws"])
    if kind == "config":
        shutil.move(str(f), str(d / f.name))  # beside the prepared store: its relative paths point there
        return ["--config", str(d / f.name), "run", "--once", "--now", NOW]
    if kind == "cli":
        return ["--config", str(cfg), "run", "--once"] + f.read_text(encoding="utf-8").splitlines()
    raise AssertionError(f"unknown kind {kind!r} in cases.yaml")


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        yield pytest.param(case, id=Path(case["file"]).stem, marks=marks)


def test_the_corpus_is_complete():
    """At least 30 broken files; every file in the corpus has a case and every case a file."""
    files = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file() and p.name != "cases.yaml"}
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed)), "a file is listed twice in cases.yaml"
    assert files == set(listed)
    assert len(files) >= 30
    assert {c["kind"] for c in CASES} == {"template", "plan", "roster", "export", "config", "cli"}


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input_is_rejected_clearly_and_changes_nothing(case, prepared, tmp_path, capsys, monkeypatch):
    d = tmp_path / "club"
    shutil.copytree(prepared, d)
    monkeypatch.chdir(d)
    for k in list(os.environ):
        if k.startswith("CLUB_TEST_"):
            monkeypatch.delenv(k)
    before = _snapshot(d)
    f = _copy_input(case, d)
    argv = _argv(case, f, d)
    name = case.get("names", Path(case["file"]).name)
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse
        rc = e.code
    except Exception as e:  # noqa: BLE001 - an uncaught exception is a traceback for the admin
        pytest.fail(f"{name}: traceback instead of a message: {type(e).__name__}: {e}")
    err = capsys.readouterr().err
    assert rc == 2, f"{name}: exit code {rc}, stderr:\n{err}"
    assert name in err, f"the message does not name the file {name}:\n{err}"
    for s in case["expect"]:
        assert s in err, f"{name}: {s!r} not in the message:\n{err}"
    for s in ALWAYS_REJECT + case.get("reject", []):
        assert s not in err, f"{name}: {s!r} should not be in the message:\n{err}"
    assert _snapshot(d) == before, f"{name}: the store, sheets/ or out/ changed"
