"""The store: the only package that writes SQL.  ``Store`` is its entry point."""

from automation.store.db import Store

__all__ = ["Store"]
