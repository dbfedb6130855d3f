"""The plan's actions with their status in the ledger (``python main.py plan show``).

An action the ledger has recorded has the ledger's status (``done``, ``skipped``,
``failed``, ``deferred``) and its detail line; one it has not is ``due`` when its
moment has passed and ``planned`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from automation.model import Action
from automation.plan.actions import actions
from automation.plan.model import Plan
from automation.store import LedgerEntry

#: Every status an action can show: the two of an unrecorded action, then the ledger's.
STATUSES = ("planned", "due", "done", "skipped", "failed", "deferred")


@dataclass(frozen=True)
class ActionStatus:
    """One action of the plan and where it stands: ``status`` (one of :data:`STATUSES`) and ``detail``
    (the ledger's line for the admin; empty for an action the ledger has not recorded)."""

    action: Action
    status: str
    detail: str


def plan_status(plan: Plan, ledger: Mapping[str, LedgerEntry], now: datetime, status: str | None = None) -> list[ActionStatus]:
    """The plan's actions in due order (:func:`automation.plan.actions.actions`), each with its status at ``now`` (UTC).

    ``ledger`` maps action keys to their ledger entries, as ``store.ledger.all()`` returns them
    (an empty mapping when there is no state file yet).  With ``status``, only the actions in that status.
    Pure: reads nothing but its arguments.
    """
    out = []
    for a in actions(plan):
        r = ledger.get(a.key)
        st = r.status if r else ("due" if a.due <= now else "planned")
        if status and st != status:
            continue
        out.append(ActionStatus(a, st, r.detail if r else ""))
    return out
