"""Hosting (issue 16): ``serve`` runs the web forms on waitress and the scheduler in one process, stops cleanly
on SIGTERM without losing a tick, and holds the state file so a second scheduler or a restore is refused.

The season is tests/test_scheduler.py's (workshop ``ws1`` on 15 Sep 2022 14:00 with two forms); at
15 Sep 16:00 both forms are created, ``ws1.best_practice_vote.create`` first.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from test_scheduler import write_season

from automation.cli.main import main
from automation.store import Store

ROOT = Path(__file__).resolve().parent.parent

#: A ``python main.py`` whose form.create job notes when it starts and ends (in the file argv[1]) and, once
#: started, waits until the test creates ``<argv[1]>.go`` (so SIGTERM surely comes while it runs).
SLOW_MAIN = """
import sys, time, pathlib
sys.path.insert(0, {root!r})
import automation.scheduler as scheduler
marker = pathlib.Path(sys.argv[1])
real = scheduler.JOBS["form.create"]

def slow(ctx, action, now):
    with marker.open("a") as f:
        f.write(f"start {{action.key}}\\n")
    go = marker.with_suffix(".go")
    for _ in range(1200):
        if go.exists():
            break
        time.sleep(0.05)
    result = real(ctx, action, now)
    with marker.open("a") as f:
        f.write(f"end {{action.key}}\\n")
    return result

scheduler.JOBS["form.create"] = slow
from automation.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float = 60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def _terminate_mid_action(proc: subprocess.Popen, marker: Path) -> str:
    """SIGTERM while the slow action runs: the process waits for it (still alive after 0.5 s, the action only
    started), then, the action let go, ends; returns what it printed."""
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # SIGTERM is handled; the action is still running
    assert proc.poll() is None and marker.read_text() == "start ws1.best_practice_vote.create\n"
    marker.with_suffix(".go").touch()
    out, _ = proc.communicate(timeout=60)
    return out


def test_sigterm_lets_the_running_action_finish_and_loses_no_tick(tmp_path, capsys):
    cfg = write_season(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(tmp_path / "roster.csv")]) == 0
    script, marker, port = tmp_path / "slow_main.py", tmp_path / "marker.txt", free_port()
    script.write_text(SLOW_MAIN.format(root=str(ROOT)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(marker), "--config", str(cfg), "serve", "--port",
                             str(port), "--now", "2022-09-15T16:00", "--interval", "3600"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: marker.exists() and "start" in marker.read_text())
        # the web forms answer while the scheduler works, from waitress, naming no versions
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and r.headers["Server"] == "club-forms"
        # a second scheduler on the same state is refused while this one runs
        capsys.readouterr()
        assert main(["--config", str(cfg), "run", "--once", "--now", "2022-09-15T16:00"]) == 2
        assert "already running on this state file (process" in capsys.readouterr().err
        out = _terminate_mid_action(proc, marker)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "Serving on http://127.0.0.1:" in out and "(waitress)" in out and "Stopped cleanly" in out
    assert "Traceback" not in out
    # the action running when SIGTERM came finished and was recorded; the rest of the tick did not start
    assert marker.read_text().splitlines() == ["start ws1.best_practice_vote.create",
                                               "end ws1.best_practice_vote.create"]
    store = Store(tmp_path / "state.sqlite")
    ledger = store.ledger.all()
    assert ledger["ws1.best_practice_vote.create"].status == "done"
    assert "ws1.event_feedback.create" not in ledger and "ws1.event_feedback.invitation" not in ledger
    store.close()
    # the next start runs the rest of that tick
    assert main(["--config", str(cfg), "run", "--once", "--now", "2022-09-15T16:00"]) == 0
    store = Store(tmp_path / "state.sqlite")
    ledger = store.ledger.all()
    assert ledger["ws1.event_feedback.create"].status == "done"
    assert ledger["ws1.event_feedback.invitation"].status == "done"
    assert ledger["ws1.best_practice_vote.create"].attempts == 1  # not run twice


def test_run_stops_on_sigterm_after_the_running_action_like_serve(tmp_path):
    cfg = write_season(tmp_path)
    assert main(["--config", str(cfg), "roster", "import", str(tmp_path / "roster.csv")]) == 0
    script, marker = tmp_path / "slow_main.py", tmp_path / "marker.txt"
    script.write_text(SLOW_MAIN.format(root=str(ROOT)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(marker), "--config", str(cfg), "run",
                             "--now", "2022-09-15T16:00", "--interval", "3600"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: marker.exists() and "start" in marker.read_text())
        out = _terminate_mid_action(proc, marker)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "Stopped cleanly after 1 tick(s)" in out and "Traceback" not in out
    assert marker.read_text().splitlines() == ["start ws1.best_practice_vote.create",
                                               "end ws1.best_practice_vote.create"]
    store = Store(tmp_path / "state.sqlite")
    ledger = store.ledger.all()
    assert ledger["ws1.best_practice_vote.create"].status == "done"
    assert "ws1.event_feedback.create" not in ledger  # the rest of the tick did not start
    store.close()
    assert main(["--config", str(cfg), "run", "--once", "--now", "2022-09-15T16:00"]) == 0  # the lock was let go


def test_serve_passes_its_options_and_behind_proxy(tmp_path, monkeypatch):
    from automation.web import runner

    seen: dict = {}
    monkeypatch.setattr(runner, "run_service", lambda service, **kw: seen.update(kw, service=service) or 0)
    cfg = tmp_path / "club.yaml"
    cfg.write_text("state: s.sqlite\nweb:\n  behind_proxy: true\n")
    assert main(["--config", str(cfg), "serve", "--port", "9001", "--no-scheduler"]) == 0
    assert seen["port"] == 9001 and seen["scheduler"] is False
    assert seen["service"].config.web["behind_proxy"] is True


def test_a_port_in_use_is_a_clear_message(tmp_path, capsys):
    cfg = tmp_path / "club.yaml"
    cfg.write_text("state: s.sqlite\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["--config", str(cfg), "serve", "--port", str(port), "--no-scheduler"]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_a_scheduler_that_cannot_start_stops_the_service_and_says_why(tmp_path, monkeypatch, capsys):
    from automation.web import runner

    cfg = write_season(tmp_path)

    def broken(*a, **kw):
        raise RuntimeError("the Google sign-in was refused")

    monkeypatch.setattr(runner, "make_context", broken)
    assert main(["--config", str(cfg), "serve", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "the scheduler could not start, so the service stopped: the Google sign-in was refused" in err
    # and the state file is free again
    assert main(["--config", str(cfg), "run", "--once", "--now", "2022-08-16T09:00"]) == 0
