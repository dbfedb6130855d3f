"""The report's drill-down pages, written again only when the data they show changed (:class:`PageWriter`).

A season has a page per event and per form; after one new response only the pages of that form's
event change.  ``out_dir/.pages-cache.json`` keeps ``{file name: SHA-256 of the page's data}``; a
page whose digest is unchanged and whose file still exists is left as it is (its "generated" line
then tells when its data last changed).  A missing or unreadable cache file is an empty cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.model import iso, parse_iso
from automation.reporting.charts.cache import ChartCache
from automation.reporting.charts.chart import Chart


class PageWriter:
    """Writes the pages of one build into ``out_dir``, skipping those whose data did not change."""

    FILE_NAME = ".pages-cache.json"

    def __init__(self, out_dir: Path) -> None:
        """Read the cache of ``out_dir``."""
        self.dir = Path(out_dir)
        self.path = self.dir / self.FILE_NAME
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._digests: dict[str, str] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self._digests = {}
        self.touched: set[str] = set()
        self.written: list[str] = []

    def write(self, name: str, digest: str, html: Callable[[], str]) -> Path:
        """``out_dir/name`` with the text ``html()`` — called only when ``digest`` (of the page's
        data) differs from the last build's or the file is gone.  Returns the page's path."""
        path = self.dir / name
        self.touched.add(name)
        if self._digests.get(name) == digest and path.exists():
            return path
        path.write_text(html(), encoding="utf-8")
        self._digests[name] = digest
        self.written.append(name)
        self.path.write_text(json.dumps(self._digests, ensure_ascii=False), encoding="utf-8")
        return path

    def remove_stale(self, keep: Collection[str] = ()) -> None:
        """Delete the event and form pages (``report_*.html``, ``form_*.html``) of earlier builds that
        this one did not write or keep (an event or form that is gone)."""
        for p in [*self.dir.glob("report_*.html"), *self.dir.glob("form_*.html")]:
            if p.name not in self.touched and p.name not in keep:
                p.unlink(missing_ok=True)
                self._digests.pop(p.name, None)
        self.path.write_text(json.dumps(self._digests, ensure_ascii=False), encoding="utf-8")


def _dump(v: Any) -> Any:
    """A section's data as JSON: datetimes and charts tagged, tuples as lists."""
    if isinstance(v, datetime):
        return {"__dt__": iso(v)}
    if isinstance(v, Chart):
        return {"__chart__": v.to_json()}
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_dump(x) for x in v]
    return v


def _load(v: Any) -> Any:
    """What :func:`_dump` wrote, back (tuples come back as lists)."""
    if isinstance(v, dict):
        if set(v) == {"__dt__"}:
            return parse_iso(v["__dt__"])
        if set(v) == {"__chart__"}:
            return Chart.from_json(v["__chart__"])
        return {k: _load(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_load(x) for x in v]
    return v


class Memo:
    """Results computed by an earlier build from the same data, kept in the charts' cache file
    (:class:`~automation.reporting.charts.cache.ChartCache`, keys ``data:<name>``): a section of the
    season's pages is computed again only when the forms it reads changed.  A result that names
    a chart is reused only while the chart's file exists."""

    def __init__(self, out_dir: Path) -> None:
        """The cache of the report folder ``out_dir``."""
        self._cache = ChartCache(out_dir)

    def get(self, name: str, digest: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, or its result of an earlier build whose ``digest`` (of its data) was the same.
        The result must be JSON data, datetimes and :class:`Chart` objects."""
        def files(value: Any) -> list[Path]:
            found: list[Path] = []

            def walk(x: Any) -> None:
                if isinstance(x, Chart):
                    found.append(x.path)
                elif isinstance(x, dict):
                    for y in x.values():
                        walk(y)
                elif isinstance(x, (list, tuple)):
                    for y in x:
                        walk(y)
            walk(value)
            return found

        return self._cache.draw(f"data:{name}", digest, compute, files=files, dump=_dump, load=_load)
