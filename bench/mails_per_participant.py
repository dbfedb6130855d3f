"""Mails per participant in one demo season, and mails one person got with the same subject.

Usage: ``.venv/bin/python bench/mails_per_participant.py [DEMO_OUT]`` — DEMO_OUT is a folder written by
``python main.py demo --out DEMO_OUT`` (without it the demo is run, seed 1, into a temporary folder).

A participant receives the personal mails addressed to her and every mail to the group (its envelope holds
every active member); the admin's own mail is left out.  Counts come from the delivery ledger
(``deliveries`` in state.sqlite, sent messages only) and the Maildir outbox (subjects).
"""

from __future__ import annotations

import email
import mailbox
import sqlite3
import sys
import tempfile
from collections import Counter
from email import policy
from pathlib import Path


def figures(out: Path) -> dict[str, float]:
    """Mean / min / max mails per participant, group and personal mails, and same-subject pairs."""
    db = sqlite3.connect(f"file:{out / 'state.sqlite'}?mode=ro", uri=True)
    people = [r[0] for r in db.execute("SELECT email FROM participants")]
    personal = Counter(r[0] for r in db.execute(
        "SELECT recipient FROM deliveries WHERE status = 'sent' AND recipient NOT LIKE 'group:%'"))
    group = db.execute("SELECT count(*) FROM deliveries WHERE status = 'sent' AND recipient LIKE 'group:%'"
                       ).fetchone()[0]
    per = [personal[p] + group for p in people]
    box = mailbox.Maildir(str(out / "outbox"), factory=None, create=False)
    bodies: dict[tuple[str, str], set[str]] = {}
    for key in box.iterkeys():
        with box.get_file(key) as fh:
            m = email.message_from_binary_file(fh, policy=policy.default)
        bodies.setdefault((str(m["To"]), str(m["Subject"])), set()).add(str(m["Message-ID"]))
    clashes = [k for k, ids in bodies.items() if len(ids) > 1]
    return {"participants": len(people), "mean": sum(per) / len(per), "min": min(per), "max": max(per),
            "group_mails": group, "personal_mean": sum(personal[p] for p in people) / len(people),
            "messages": sum(len(v) for v in bodies.values()),
            "same_subject_recipients": len({to for to, _ in clashes})}


def main(argv: list[str]) -> None:
    """Print the figures for ``argv[0]`` (a demo folder) or for a fresh demo run."""
    if argv:
        out = Path(argv[0])
    else:
        from automation.demo.season import run_demo

        out = Path(tempfile.mkdtemp(prefix="demo-"))
        run_demo(out, seed=1, quiet=True)
    f = figures(out)
    print(f"{out}: {f['messages']} messages; per participant ({f['participants']}): mean {f['mean']:.1f}, "
          f"min {f['min']}, max {f['max']} (group mails {f['group_mails']}, personal mean "
          f"{f['personal_mean']:.1f}); people with two different mails of one subject: "
          f"{f['same_subject_recipients']}")


if __name__ == "__main__":
    main(sys.argv[1:])
