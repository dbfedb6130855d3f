"""``backup [--to DIR]`` and ``restore FILE``: copies of the state file (:mod:`automation.store.backup`)."""

from __future__ import annotations

import argparse

from automation.cli.common import now_from, service_from
from automation.errors import AutomationError


def cmd_backup(args: argparse.Namespace) -> int:
    """``backup [--to DIR]``: copy the state file now, with SQLite's online backup API (safe while ``serve``
    runs), into DIR (default: ``backup.dir`` of ``club.yaml``, else ``backups/`` beside the state file)."""
    from automation.store.backup import back_up

    cfg = service_from(args, quiet=True).config
    path = back_up(cfg.state, args.to or cfg.backups, now_from(args))
    print(f"Backup written: {path} (readable by this user only). Restore it with: python main.py restore {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """``restore FILE [--force]``: put a backup in the state file's place, after checking it and keeping a copy
    of the current state; refused (exit 2) while the service runs on the state file, and when the backup's forms
    belong to none of the plan's events (another club's state) unless ``--force``."""
    from automation.store.backup import restore

    service = service_from(args, quiet=True)
    cfg = service.config
    try:
        events = {f.event_id for f in service.plan.forms}
    except AutomationError:  # a plan that does not load: nothing to compare with
        events = None
    res = restore(args.file, cfg.state, now_from(args), events, force=args.force)
    kept = f" The state as it was is kept in {res.previous}." if res.previous else ""
    print(f"Restored {res.backup} into {cfg.state}.{kept} Start the service again.")
    return 0
