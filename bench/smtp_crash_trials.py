"""Crash trials of mail over SMTP: kill ``python main.py run`` just after the K-th message, restart, count.

Each trial runs the first part of the club's 2022 season (examples/club2022, 50 participants) tick by
tick (``run --once --now T`` at each due time of the plan up to ``--until``) in a child process, against
a local aiosmtpd server that files every message it accepts in the Sent folder of a fake IMAP server
(tests/fake_imap.py), as a provider does.  The SMTP server kills the child (SIGKILL) right after it has
accepted the K-th message, after a random delay of 0 to ``--jitter`` ms (so the kill lands anywhere:
before the reply reaches the client, while the next message is queued, ...); the driver restarts the
same tick.  ``--kills`` kills a trial, at random K's.

At the end of each trial, against a reference run without kills (the Message-IDs are deterministic):
**lost** = messages of the reference never received (and their recipients), **duplicated** =
messages received more than once, **unknown** = deliveries whose status is ``unknown`` in the state
(and how many of them had in fact arrived), **alerts** = alert mails to the admin.

Run (from the repository root, with the project's interpreter)::

    .venv/bin/python bench/smtp_crash_trials.py                    # with imap: (the Sent folder)
    .venv/bin/python bench/smtp_crash_trials.py --no-imap --resend # SMTP alone: unknown → alert, then the admin resends
    .venv/bin/python bench/smtp_crash_trials.py --no-imap --repo DIR   # the code of another checkout

``--repo`` runs ``main.py`` of another checkout (e.g. an older commit, unpacked with ``git archive``);
it must accept the club.yaml written here (without ``--no-imap``, the ``imap:`` setting).
"""

from __future__ import annotations

import argparse
import email
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from email import policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from aiosmtpd.controller import Controller  # noqa: E402

from fake_imap import FakeImap  # noqa: E402

PASSWORD_ENV = "BENCH_IMAP_PASSWORD"


class KillingHandler:
    """Accepts every message, files it in the Sent folder; kills ``proc`` after the message numbered in ``kill_at``."""

    def __init__(self, imap: FakeImap, jitter_ms: float, rng: random.Random) -> None:
        self.imap, self.jitter, self.rng = imap, jitter_ms, rng
        self.received: list[tuple[str, int, str]] = []  # (Message-ID, recipients, X-Club-Action)
        self.alert_text = ""  # the text of every alert mail received
        self.kill_at: set[int] = set()
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        """Keep and file the message; schedule the kill when it is the K-th."""
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.imap.file("Sent", envelope.content)
        self.received.append((str(msg["Message-ID"]), len(envelope.rcpt_tos), str(msg["X-Club-Action"] or "")))
        if str(msg["X-Club-Action"] or "").endswith("#unknown-alert"):
            self.alert_text += msg.get_body(("plain",)).get_content()
        if len(self.received) in self.kill_at and self.proc is not None:
            proc = self.proc
            threading.Timer(self.rng.uniform(0, self.jitter) / 1000, self._kill, (proc,)).start()
        return "250 OK"

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            self.kills += 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ticks(until: str) -> list[str]:
    from automation.model import parse_iso
    from automation.plan.actions import actions
    from automation.plan.load import load_plan

    plan = load_plan(ROOT / "examples/club2022/plan.yaml", ROOT / "forms_templates")
    end = parse_iso(until)
    return [d.isoformat() for d in sorted({a.due for a in actions(plan)}) if d <= end]


def _config(folder: Path, smtp_port: int, imap: FakeImap | None) -> Path:
    lines = [f"plan: {ROOT / 'examples/club2022/plan.yaml'}", "state: state.sqlite", "out: out", "sheets: sheets",
             "smtp:", "  host: 127.0.0.1", f"  port: {smtp_port}", "  security: none"]
    if imap is not None:
        lines += ["imap:", "  host: 127.0.0.1", f"  port: {imap.port}", "  username: club@example.org",
                  f"  password_env: {PASSWORD_ENV}", "  folder: Sent", "  security: none", "  timeout: 10"]
    p = folder / "club.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _run(repo: Path, cfg: Path, args: list[str], handler: KillingHandler) -> int:
    env = {**os.environ, PASSWORD_ENV: "secret", "PYTHONPATH": str(repo)}
    proc = subprocess.Popen([sys.executable, str(repo / "main.py"), "--config", str(cfg), *args], cwd=cfg.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    handler.proc = proc
    rc = proc.wait()
    handler.proc = None
    return rc


def trial(repo: Path, ticks: list[str], smtp_port: int, handler: KillingHandler, imap: FakeImap,
          use_imap: bool, kill_at: set[int], resend: bool = False) -> dict[str, Any]:
    """One season part with kills at the messages numbered in ``kill_at``; what was received and the final state.

    ``resend``: right after each tick that left messages unknown, the admin runs ``mail resend --all-unknown``.
    """
    folder = Path(tempfile.mkdtemp(prefix="smtp_trial_"))
    cfg = _config(folder, smtp_port, imap if use_imap else None)
    handler.received, handler.kill_at, handler.kills, handler.alert_text = [], set(kill_at), 0, ""
    imap.folders["Sent"] = []
    if _run(repo, cfg, ["roster", "import", str(ROOT / "examples/club2022/roster.csv")], handler) != 0:
        raise SystemExit("roster import failed")
    restarts, unknown, arrived = 0, [], set()
    for t in ticks:
        killed = False
        while True:
            rc = _run(repo, cfg, ["run", "--once", "--now", t], handler)
            if rc != -signal.SIGKILL:
                break
            restarts, killed = restarts + 1, True
            if restarts > 50:
                raise SystemExit("too many restarts")
        if killed:
            with sqlite3.connect(folder / "state.sqlite") as db:
                now_unknown = [r[0] for r in db.execute("SELECT message_id FROM deliveries WHERE status = 'unknown'")]
            received = {r[0] for r in handler.received}
            for m in now_unknown:
                if m not in unknown:
                    unknown.append(m)
                    if m in received:
                        arrived.add(m)
            if resend and now_unknown:  # the admin acts on the alert right after this tick
                _run(repo, cfg, ["mail", "resend", "--all-unknown", "--now", t], handler)
    shutil.rmtree(folder, ignore_errors=True)
    return {"received": list(handler.received), "unknown": unknown, "arrived": arrived, "kills": handler.kills,
            "alert_text": handler.alert_text}


def count(reference: list[tuple[str, int, str]], got: dict[str, Any]) -> dict[str, int]:
    """lost (messages, recipients), duplicated (the club's messages), alert mails received twice (a kill while
    the alert went out: sent again rather than lost), unknown, unknown that had arrived, alerts, unknown no
    alert named."""
    seen: dict[str, int] = {}
    for mid, _, _ in got["received"]:
        seen[mid] = seen.get(mid, 0) + 1
    lost = [(mid, n) for mid, n, _ in reference if mid not in seen]
    alerts = {mid for mid, _, a in got["received"] if a.endswith("#unknown-alert")}
    return {"kills": got["kills"], "lost": len(lost), "lost_recipients": sum(n for _, n in lost),
            "duplicated": sum(c - 1 for m, c in seen.items() if c > 1 and m not in alerts),
            "alert_repeated": sum(c - 1 for m, c in seen.items() if c > 1 and m in alerts),
            "unknown": len(got["unknown"]),
            "unknown_arrived": len(got["arrived"]),
            "alerts": sum(1 for _, _, a in got["received"] if a.endswith("#unknown-alert")),
            "unknown_not_in_an_alert": sum(1 for m in got["unknown"] if m.strip("<>") not in got["alert_text"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--kills", type=int, default=3, help="kills per trial (default 3)")
    ap.add_argument("--until", default="2022-06-14T10:00", help="last tick (Asia/Bishkek; default 2022-06-14T10:00)")
    ap.add_argument("--jitter", type=float, default=30.0, help="the kill lands 0..JITTER ms after the message")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--no-imap", action="store_true", help="SMTP without the Sent folder (no imap: setting)")
    ap.add_argument("--refuse-search", action="store_true", help="the IMAP server answers NO to SEARCH HEADER")
    ap.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose main.py runs (default: this one)")
    ap.add_argument("--resend", action="store_true", help="at the end of each trial the admin runs "
                    "`mail resend --all-unknown`; count again")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    imap = FakeImap().start()
    imap.refuse_search_header = a.refuse_search
    handler = KillingHandler(imap, a.jitter, rng)
    port = _free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    started = time.perf_counter()
    try:
        ticks = _ticks(a.until)
        ref = trial(a.repo, ticks, port, handler, imap, not a.no_imap, set())["received"]
        reference = [r for r in ref if not r[2].endswith("#unknown-alert")]
        print(f"reference run: {len(ticks)} ticks, {len(reference)} messages, "
              f"{sum(n for _, n, _ in reference)} recipients; repo {a.repo}; "
              f"{'SMTP alone' if a.no_imap else 'SMTP + Sent folder over IMAP'}"
              + ("; IMAP refuses SEARCH HEADER" if a.refuse_search else ""))
        totals: dict[str, int] = {}
        for i in range(a.trials):
            ks = set(rng.sample(range(1, len(reference) + 1), a.kills))
            c = count(reference, trial(a.repo, ticks, port, handler, imap, not a.no_imap, ks, a.resend))
            print(f"trial {i + 1:2}: kill after messages {sorted(ks)}: " + ", ".join(f"{k} {v}" for k, v in c.items()))
            for k, v in c.items():
                totals[k] = totals.get(k, 0) + v
        print(f"TOTAL over {a.trials} trials ({a.trials * a.kills} kills asked, {totals.get('kills', 0)} landed): "
              f"lost {totals.get('lost', 0)} messages ({totals.get('lost_recipients', 0)} recipients), "
              f"duplicated {totals.get('duplicated', 0)}, unknown {totals.get('unknown', 0)} "
              f"(of which arrived {totals.get('unknown_arrived', 0)}), alert mails {totals.get('alerts', 0)} "
              f"(an alert received twice: {totals.get('alert_repeated', 0)}), "
              f"unknown named in no alert {totals.get('unknown_not_in_an_alert', 0)}"
              + ("; the admin ran `mail resend --all-unknown` after each such tick" if a.resend else "") + "; "
              f"{time.perf_counter() - started:.0f} s, {datetime.now():%Y-%m-%d}")
    finally:
        ctl.stop()
        imap.stop()


if __name__ == "__main__":
    main()
