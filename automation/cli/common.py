"""What every command handler shares: the moment it acts for, and the assembled service."""

from __future__ import annotations

import argparse
from datetime import datetime

from automation.model import parse_iso, utc_now


def now_from(args: argparse.Namespace) -> datetime:
    """``--now`` (ISO 8601; Asia/Bishkek time unless it carries an offset) as UTC, or the current time."""
    return parse_iso(args.now) if getattr(args, "now", None) else utc_now()


def context_from(args: argparse.Namespace, quiet: bool = False):
    """The service assembled from ``--config`` (store, plan, backend); progress lines are printed unless ``quiet``.

    Raises :class:`automation.errors.AutomationError` (config, plan or store problems) with a message for the admin.
    """
    from automation.config import load_config, make_context

    cfg = load_config(args.config)
    return make_context(cfg, log=(lambda m: None) if quiet else (lambda m: print(m)))
