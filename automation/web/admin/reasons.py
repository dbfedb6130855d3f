"""The ledger's reasons in plain Russian or Kyrgyz for the console: :mod:`automation.reasons` (shared with the
command line's ``plan check``), imported here under its old name."""

from __future__ import annotations

from automation.reasons import plain_reason

__all__ = ["plain_reason"]
