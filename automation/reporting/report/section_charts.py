"""The charts of the season's (or an event's) report sections: file names, reuse, clean-up (:class:`SectionCharts`)."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

from automation.reporting.charts.chart import Chart, slug


class SectionCharts:
    """Draws the season (or event) charts under ``charts/<scope>.<name>.<lang>.png``; collects them.

    ``scope``: ``season-report`` or ``<event id>-report`` (a hyphen no form key has, so these files
    never clash with a form's charts).  The section builders (:mod:`automation.reporting.report.sections`)
    draw through :meth:`cached`, name files with :meth:`path` and list the result with :meth:`chart`;
    :meth:`remove_stale` then deletes what an earlier build of the same scope drew and this one did not.
    """

    def __init__(self, charts_dir: Path, scope: str, lang: str, svg: bool, min_group_size: int):
        """Charts go to ``charts_dir`` in language ``lang`` (``svg``: also as SVG); ``min_group_size``
        is the small-cell threshold the sections pass on."""
        self.dir, self.scope, self.lang, self.svg, self.min = charts_dir, scope, lang, svg, min_group_size
        self.drawn: set[Path] = set()
        self._cache_path = charts_dir.parent / f".section-charts-cache.{scope}.{lang}.json"
        try:
            self._cache: dict[str, str] = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._cache = {}

    def cached(self, fn: Any, *args: Any, **kwargs: Any) -> Path | None:
        """``fn(*args, **kwargs)`` (a chart function of :mod:`automation.reporting.charts.drawing` whose arguments include
        the target path), unless the same call drew that file in an earlier build and it is still there.
        Drawing is the slow part of a report (0.1-0.2 s a chart) and most of a season's data is settled."""
        target = next((a for a in (*args, *kwargs.values()) if isinstance(a, Path)), None)
        digest = hashlib.sha256(fn.__name__.encode() + pickle.dumps((args, sorted(kwargs.items())))).hexdigest()
        key = str(target)
        hit = self._cache.get(key)
        if hit is not None and hit.startswith(digest):
            if hit.endswith("|none"):
                return None
            if target is not None and target.exists():
                return target
        out = fn(*args, **kwargs)
        self._cache[key] = digest + ("|none" if out is None else "")
        self._cache_path.write_text(json.dumps(self._cache), encoding="utf-8")
        return out

    def path(self, name: str) -> Path:
        """The file of the section chart ``name``: ``<charts_dir>/<scope>.<slug of name>.<lang>.png``."""
        return self.dir / f"{self.scope}.{slug(name)}.{self.lang}.png"

    def chart(self, path: Path | None, title: str, kind: str, note: str = "") -> Chart | None:
        """The :class:`Chart` the report lists for a drawn ``path`` (kept by :meth:`remove_stale`), or
        None when nothing was drawn (``path`` None)."""
        if path is None:
            return None
        self.drawn.add(path)
        return Chart(path, title, "", kind, note, path.with_suffix(".svg") if self.svg else None)

    def remove_stale(self) -> None:
        """Delete this scope's charts of an earlier build that this build did not draw (a test that
        is gone, a group now too small to show)."""
        for p in self.dir.glob(f"{self.scope}.*.{self.lang}.png"):
            if p not in self.drawn:
                p.unlink(missing_ok=True)
                p.with_suffix(".svg").unlink(missing_ok=True)
