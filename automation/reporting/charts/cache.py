"""Charts drawn by an earlier build, reused when the data behind them did not change.

Drawing is the slow part of a report (0.1-0.2 s a chart) and most of a season's data is settled:
the reports job rebuilds the season's report and an event's report whenever their data changed,
but most forms are closed and unchanged.  One mechanism (:class:`ChartCache`) serves both kinds of
chart a report draws:

- a form's charts (:func:`automation.reporting.charts.forms.form_charts`), keyed by form key and
  language, the digest covering the spec, the form's rows of the tidy frame and the drawing
  options (:func:`form_digest`);
- one chart of a season or event section, keyed by its file, the digest covering the chart
  function's name and every argument of the call (:func:`call_digest`; DataFrames are compared
  by their values as text, as a form's rows are: a pickle of the same frame may differ between
  two builds, which made the feedback trend redraw every time);
- since issue 14 also the data of the report's sections and a form's answer counts (keys
  ``data:...``, no files; :class:`automation.reporting.report.pages.Memo`), so that a report after
  one new response recomputes only what that response changed.

The entries live in one JSON file beside the charts folder, ``out_dir/.charts-cache.json``:
``{key: {"hash": sha256 hex digest, "files": [PNG path, ...], "value": JSON}}``.  An entry is
reused when its digest matches and every file it lists still exists (a chart deleted by hand, or
removed as stale, is drawn again).  A missing or unreadable file is an empty cache.  The cache
only decides whether to draw: what a chart looks like depends on its data alone, so the PNG files
are the same with or without it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from automation.model import FormSpec

_T = TypeVar("_T")


class ChartCache:
    """The charts drawn into one report folder by earlier builds (``<out_dir>/.charts-cache.json``).

    Several instances may use the same folder in one build (one per form, one per section scope):
    each write re-reads the file and changes only its own key.
    """

    FILE_NAME = ".charts-cache.json"

    def __init__(self, out_dir: Path) -> None:
        """Read the cache of ``out_dir`` (the folder that holds ``charts/``)."""
        self.path = Path(out_dir) / self.FILE_NAME
        self._entries = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        # entries without "files" come from the two caches this one replaced: drawn again once
        return {k: v for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("files"), list)} \
            if isinstance(data, dict) else {}

    def lookup(self, key: str, digest: str) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` was drawn from data with this ``digest`` and all its files
        still exist; ``(False, None)`` otherwise."""
        entry = self._entries.get(key)
        if entry is None or entry.get("hash") != digest or not all(Path(f).exists() for f in entry["files"]):
            return False, None
        return True, entry.get("value")

    def store(self, key: str, digest: str, files: list[Path], value: Any) -> None:
        """Record that ``key`` drew ``files`` from data with this ``digest``; ``value`` (JSON) is
        what :meth:`lookup` gives back.  Writes the cache file at once."""
        entries = self._read()
        entries[key] = {"hash": digest, "files": [str(f) for f in files], "value": value}
        self._entries = entries
        self.path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")

    def draw(self, key: str, digest: str, draw: Callable[[], _T], files: Callable[[_T], list[Path]],
             dump: Callable[[_T], Any], load: Callable[[Any], _T]) -> _T:
        """``draw()``, unless ``key`` was drawn from the same data by an earlier build.

        ``files(result)``: the files that must still exist for the result to be reused;
        ``dump(result)`` turns it into JSON for the cache file and ``load`` back.
        """
        hit, value = self.lookup(key, digest)
        if hit:
            return load(value)
        result = draw()
        self.store(key, digest, files(result), dump(result))
        return result


def form_digest(spec: FormSpec, rows: pd.DataFrame, lang: str, min_group_size: int, svg: bool) -> str:
    """SHA-256 (hex) of what a form's charts depend on: the spec, the drawing options and the form's
    rows of the tidy frame (answers and the roster columns joined to them; compared as text)."""
    h = hashlib.sha256(json.dumps([spec.to_json(), lang, min_group_size, svg], sort_keys=True).encode())
    h.update(pd.util.hash_pandas_object(rows.astype(str), index=False).values.tobytes())
    return h.hexdigest()


def call_digest(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """SHA-256 (hex) of a chart function's name and every argument of one call (DataFrames, also
    inside lists and tuples, by their columns, dtypes, index and values compared as text, as in
    :func:`form_digest`; everything else as JSON, paths and other objects by their ``repr``)."""
    h = hashlib.sha256(fn.__name__.encode())
    for value in (*args, *(x for kv in sorted(kwargs.items()) for x in kv)):
        _digest_value(h, value)
    return h.hexdigest()


def _digest_value(h: Any, value: Any) -> None:
    if isinstance(value, pd.DataFrame):
        h.update(b"\x00frame" + json.dumps([[str(c) for c in value.columns], [str(d) for d in value.dtypes]]).encode())
        h.update(pd.util.hash_pandas_object(value.astype(str), index=True).values.tobytes())
    elif isinstance(value, (list, tuple)):
        h.update(f"\x00seq{len(value)}".encode())
        for item in value:
            _digest_value(h, item)
    else:
        h.update(b"\x00json" + json.dumps(value, sort_keys=True, default=repr).encode())
