"""The charts of the season's (or an event's) report sections: file names, reuse, clean-up (:class:`SectionCharts`)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from automation.reporting.charts.cache import ChartCache, call_digest
from automation.reporting.charts.chart import Chart, slug


class LazyChart:
    """A chart function imported when first called (``module``, ``name``): a report whose charts are
    all cached, or not drawn, never imports matplotlib (about a second of a build's start)."""

    def __init__(self, module: str, name: str) -> None:
        """The function ``name`` of ``module`` (a module of :mod:`automation.reporting.charts`)."""
        self.module, self.__name__ = module, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Import the function and call it."""
        import importlib

        return getattr(importlib.import_module(self.module), self.__name__)(*args, **kwargs)


class SectionCharts:
    """Draws the season (or event) charts under ``charts/<scope>.<name>.<lang>.png``; collects them.

    ``scope``: ``season-report`` or ``<event id>-report`` (a hyphen no form key has, so these files
    never clash with a form's charts).  The section builders (:mod:`automation.reporting.report.sections`)
    draw through :meth:`cached`, name files with :meth:`path` and list the result with :meth:`chart`;
    :meth:`remove_stale` then deletes what an earlier build of the same scope drew and this one did not.
    """

    def __init__(self, charts_dir: Path, scope: str, lang: str, svg: bool, min_group_size: int,
                 allow: Collection[str] | None = None):
        """Charts go to ``charts_dir`` in language ``lang`` (``svg``: also as SVG); ``min_group_size``
        is the small-cell threshold the sections pass on.  ``allow``: the names (as given to
        :meth:`path`) of the only charts to draw — the others are shown by the page as tables and
        bars (issue 14: few images a page); None draws every chart."""
        self.dir, self.scope, self.lang, self.svg, self.min = charts_dir, scope, lang, svg, min_group_size
        self.drawn: set[Path] = set()
        self._cache = ChartCache(charts_dir.parent)
        self._allow = None if allow is None else {self.path(n) for n in allow}

    def allowed(self, name: str) -> bool:
        """Whether the chart ``name`` is drawn at all (see ``allow``)."""
        return self._allow is None or self.path(name) in self._allow

    def cached(self, fn: Any, *args: Any, **kwargs: Any) -> Path | None:
        """``fn(*args, **kwargs)`` (a chart function of :mod:`automation.reporting.charts` whose arguments
        include the target path), unless the same call drew that file in an earlier build and it is still
        there (:class:`ChartCache`, keyed by the file; :func:`call_digest`).  Returns what ``fn`` returns:
        the PNG path, or None when there was nothing to draw (remembered too)."""
        target = next((a for a in (*args, *kwargs.values()) if isinstance(a, Path)), None)
        if self._allow is not None and target not in self._allow:
            return None
        return self._cache.draw(
            f"chart:{target}", call_digest(fn, args, kwargs), lambda: fn(*args, **kwargs),
            files=lambda path: [] if path is None else [path], dump=lambda path: None if path is None else str(path),
            load=lambda data: None if data is None else Path(data))

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
