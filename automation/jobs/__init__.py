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
    return JobResult("done", detail)


def skipped(detail: str) -> JobResult:
    return JobResult("skipped", detail)


def failed(detail: str) -> JobResult:
    return JobResult("failed", detail)


def deferred(detail: str) -> JobResult:
    return JobResult("deferred", detail)
