"""What the Google adapters remember between runs: a few ids and sizes, in the store's ``meta`` table.

Keys start with ``google.`` (the ``meta`` table is the store's generic
key/value table; the schema is unchanged).  Values are JSON.  Remembered:
the season's spreadsheet id, each worksheet's sheet id and grid size (so a sync
writes without first reading the spreadsheet's metadata), the question-id map
of a form if Google ever replaced the ids we asked for, and published Drive files.
Without a store (``forms build``, some tests) the memo lives in memory.
"""

from __future__ import annotations

import json
from typing import Any


class Memo:
    """A small JSON key/value memory for the Google adapters: the store's ``meta`` table, or a dict without a store.

    Keys are given without the ``google.`` prefix, which :attr:`PREFIX` adds.
    """

    PREFIX = "google."

    def __init__(self, store: Any = None):
        self.store = store
        self._mem: dict[str, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """The JSON value remembered under ``key``, or ``default``."""
        k = self.PREFIX + key
        if self.store is None:
            raw = self._mem.get(k)
        else:
            raw = self.store.meta.get(k)
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON-serialisable) under ``key``, replacing what was there."""
        k, raw = self.PREFIX + key, json.dumps(value, ensure_ascii=False, sort_keys=True)
        if self.store is None:
            self._mem[k] = raw
        else:
            self.store.meta.set(k, raw)

    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not remembered)."""
        k = self.PREFIX + key
        if self.store is None:
            self._mem.pop(k, None)
        else:
            self.store.meta.delete(k)
