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
    .venv/bin/python bench/smtp_crash_trials.py --no-imap          # SMTP alone: unknown → alert + resend
    .venv/bin/python bench/smtp_crash_trials.py --no-imap --repo DIR   # the code of another checkout

``--repo`` runs ``main.py`` of another checkout (e.g. an older commit, unpacked with ``git archive``);
it must accept the club.yaml written here (without ``--no-imap``, the ``imap:`` setting).
"""

from __future__ import annotations

import argparse
import email
import random
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
        self.kill_at: set[int] = set()
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        """Keep and file the message; schedule the kill when it is the K-th."""
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.imap.file("Sent", envelope.content)
        self.received.append((str(msg["Message-ID"]), len(envelope.rcpt_tos), str(msg["X-Club-Action"] or "")))
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
    import os

    env = {**os.environ, PASSWORD_ENV: "secret", "PYTHONPATH": str(repo)}
    proc = subprocess.Popen([sys.executable, str(repo / "main.py"), "--config", str(cfg), *args], cwd=cfg.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    handler.proc = proc
    rc = proc.wait()
    handler.proc = None
    return rc


def trial(repo: Path, ticks: list[str], smtp_port: int, handler: KillingHandler, imap: FakeImap,
          use_imap: bool, kill_at: set[int]) -> dict[str, Any]:
    """One season part with kills at the messages numbered in ``kill_at``; what was received and the final state."""
    folder = Path(tempfile.mkdtemp(prefix="smtp_trial_"))
    cfg = _config(folder, smtp_port, imap if use_imap else None)
    handler.received, handler.kill_at, handler.kills = [], set(kill_at), 0
    imap.folders["Sent"] = []
    if _run(repo, cfg, ["roster", "import", str(ROOT / "examples/club2022/roster.csv")], handler) != 0:
        raise SystemExit("roster import failed")
    restarts = 0
    for t in ticks:
        while True:
            rc = _run(repo, cfg, ["run", "--once", "--now", t], handler)
            if rc != -signal.SIGKILL:
                break
            restarts += 1
            if restarts > 50:
                raise SystemExit("too many restarts")
    with sqlite3.connect(folder / "state.sqlite") as db:
        unknown = [r[0] for r in db.execute("SELECT message_id FROM deliveries WHERE status = 'unknown'")]
    return {"received": list(handler.received), "unknown": unknown, "kills": handler.kills}


def count(reference: list[tuple[str, int, str]], got: dict[str, Any]) -> dict[str, int]:
    """lost (messages, recipients), duplicated, unknown, unknown that arrived, alerts."""
    seen: dict[str, int] = {}
    for mid, _, _ in got["received"]:
        seen[mid] = seen.get(mid, 0) + 1
    lost = [(mid, n) for mid, n, _ in reference if mid not in seen]
    return {"kills": got["kills"], "lost": len(lost), "lost_recipients": sum(n for _, n in lost),
            "duplicated": sum(c - 1 for c in seen.values() if c > 1), "unknown": len(got["unknown"]),
            "unknown_arrived": sum(1 for m in got["unknown"] if m in seen),
            "alerts": sum(1 for _, _, a in got["received"] if a.endswith("#unknown-alert"))}


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
            c = count(reference, trial(a.repo, ticks, port, handler, imap, not a.no_imap, ks))
            print(f"trial {i + 1:2}: kill after messages {sorted(ks)}: " + ", ".join(f"{k} {v}" for k, v in c.items()))
            for k, v in c.items():
                totals[k] = totals.get(k, 0) + v
        print(f"TOTAL over {a.trials} trials ({a.trials * a.kills} kills asked, {totals.get('kills', 0)} landed): "
              f"lost {totals.get('lost', 0)} messages ({totals.get('lost_recipients', 0)} recipients), "
              f"duplicated {totals.get('duplicated', 0)}, unknown {totals.get('unknown', 0)} "
              f"(of which arrived {totals.get('unknown_arrived', 0)}), alert mails {totals.get('alerts', 0)}; "
              f"{time.perf_counter() - started:.0f} s, {datetime.now():%Y-%m-%d}")
    finally:
        ctl.stop()
        imap.stop()


if __name__ == "__main__":
    main()
