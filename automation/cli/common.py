"""What every command handler shares: the moment it acts for, and the assembled service.

The configuration (``--config``, default ``club.yaml`` here) is read once per command, in
:func:`service_from`; every part of the service comes from :mod:`automation.app`.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime

from automation.errors import AutomationError
from automation.model import parse_iso, utc_now
from automation.plan.model import Plan

_ISO_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def now_from(args: argparse.Namespace) -> datetime:
    """``--now`` (ISO 8601; Asia/Bishkek time unless it carries an offset) as UTC, or the current time.

    Raises :class:`AutomationError` (exit code 2) saying which format is expected when ``--now`` is not
    an ISO 8601 date and time, or names a day or hour that does not exist (``2023-02-30T10:00``).
    """
    text = getattr(args, "now", None)
    return moment_from(text, "--now") if text else utc_now()


def moment_from(text: str, option: str) -> datetime:
    """The moment an option such as ``--now`` or ``--deadline`` names (ISO 8601; Asia/Bishkek time unless it
    carries an offset), as UTC.  Raises :class:`AutomationError` saying which format is expected."""
    try:
        return parse_iso(text)
    except (ValueError, OverflowError) as e:
        found = f"not a real date and time ({e})" if _ISO_SHAPE.match(text.strip()) else "not in ISO 8601 format"
        raise AutomationError(
            f"{option} {text[:60]!r}: {found}. Expected an ISO 8601 date and time, year first, such as "
            "2023-03-14T10:00 (Asia/Bishkek time) or 2023-03-14T10:00+06:00 (with an offset); nothing was changed"
        ) from None


def warn_plan(plan: Plan) -> None:
    """Print the plan's warnings (valid, but probably a mistake, e.g. overlapping events) to stderr."""
    for w in getattr(plan, "warnings", ()):
        print(f"Warning: {plan.source}: {w}", file=sys.stderr)


def service_from(args: argparse.Namespace, quiet: bool = False):
    """The service of ``--config`` (:class:`automation.app.Service`): its plan, store, ledger and context are
    built on first use.  The scheduler's lines are printed unless ``quiet``.

    Raises :class:`automation.errors.AutomationError` (configuration problems) with a message for the admin.
    """
    from automation.app import Service
    from automation.config import load_config

    now_from(args)  # a bad --now is refused before anything is opened
    return Service(load_config(args.config), log=(lambda m: None) if quiet else (lambda m: print(m)))


def context_from(args: argparse.Namespace, quiet: bool = False):
    """The service assembled from ``--config`` (store, plan, backend); progress lines are printed unless ``quiet``.

    Raises :class:`automation.errors.AutomationError` (config, plan or store problems) with a message for the admin.
    """
    return service_from(args, quiet).context
