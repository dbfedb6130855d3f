"""What every command handler shares: the moment it acts for, and the assembled service.

The configuration (``--config``, default ``club.yaml`` here) is read once per command, in
:func:`service_from`; every part of the service comes from :mod:`automation.app`.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from automation.model import parse_iso, utc_now


def now_from(args: argparse.Namespace) -> datetime:
    """``--now`` (ISO 8601; Asia/Bishkek time unless it carries an offset) as UTC, or the current time."""
    return parse_iso(args.now) if getattr(args, "now", None) else utc_now()


def service_from(args: argparse.Namespace, quiet: bool = False):
    """The service of ``--config`` (:class:`automation.app.Service`): its plan, store, ledger and context are
    built on first use.  The scheduler's lines are printed unless ``quiet``.

    Raises :class:`automation.errors.AutomationError` (configuration problems) with a message for the admin.
    """
    from automation.app import Service
    from automation.config import load_config

    return Service(load_config(args.config), log=(lambda m: None) if quiet else (lambda m: print(m)))


def context_from(args: argparse.Namespace, quiet: bool = False):
    """The service assembled from ``--config`` (store, plan, backend); progress lines are printed unless ``quiet``.

    Raises :class:`automation.errors.AutomationError` (config, plan or store problems) with a message for the admin.
    """
    return service_from(args, quiet).context
