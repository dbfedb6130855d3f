"""Jobs: one module per kind of work.  Each job takes (ctx, action, now) and returns a JobResult.

Jobs are idempotent: they look in the store for what they already did before
doing anything (DESIGN.md principle 1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobResult:
    """``status``: done | skipped | failed | deferred; ``detail``: one line for the admin."""

    status: str
    detail: str


def done(detail: str) -> JobResult:
    """The action did its work (or found it already done); it will not run again."""
    return JobResult("done", detail)


def skipped(detail: str) -> JobResult:
    """The action no longer makes sense (e.g. its form was never made); recorded with the reason, not retried."""
    return JobResult("skipped", detail)


def failed(detail: str) -> JobResult:
    """The action failed; the next tick retries it, and the admin's summary names it."""
    return JobResult("failed", detail)


def deferred(detail: str) -> JobResult:
    """The action did part of its work and stopped at the daily sending limit; the next day goes on."""
    return JobResult("deferred", detail)
