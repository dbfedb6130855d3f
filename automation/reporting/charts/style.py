"""The one style of every chart, and the helpers every chart module draws with.

- Font: DejaVu Sans (ships with matplotlib), which has the Kyrgyz letters
  ө ү ң and Russian (DOMAIN.md "Conventions").
- Size: 8 in wide at 120 dpi (960 px), 4.5 in high or more for many bars;
  large fonts so that the figure stays readable at phone width.
- Long labels are wrapped (:func:`wrap`); titles sit left-aligned over the whole figure.

The style (:data:`STYLE`) is applied per figure through ``matplotlib.rc_context`` and figures are
made with ``matplotlib.figure.Figure`` (no pyplot, no global state, Agg rendering), so drawing is safe
from the scheduler and from tests.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure


#: Figure width and least height (inches), and resolution (dots per inch): 960 px wide.
WIDTH_IN = 8.0
MIN_HEIGHT_IN = 4.5
DPI = 120
TITLE_WRAP = 50  # characters per title line at 17 pt bold on 8 in


#: The one style of every chart.
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 14,
    "axes.edgecolor": "#555555",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#dddddd",
    "xtick.labelsize": 13,
    "ytick.labelsize": 14,
    "legend.fontsize": 13,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.fonttype": "path",
}


#: Colours: bars and this year's dots; correct answers of a quiz question; "other" and the previous
#: year; value labels; the note under a chart.
PRIMARY = "#2a6f97"
ACCENT = "#3f9b2f"  # correct answers of a quiz question
MUTED = "#8d99ae"  # "other"
TEXT_COLOR = "#222222"
NOTE_COLOR = "#555555"


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters (long words too); the text itself when empty."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=True)) or str(text)


def line_count(text: str) -> int:
    """The number of lines of a wrapped text (to size a figure)."""
    return text.count("\n") + 1


def pct(x: float) -> str:
    """A share 0..1 as a whole percentage: ``0.583`` → ``58%``."""
    return f"{x * 100:.0f}%"


def new_figure(height: float) -> Figure:
    """A figure :data:`WIDTH_IN` wide and ``height`` inches high (at least :data:`MIN_HEIGHT_IN`), constrained layout."""
    return Figure(figsize=(WIDTH_IN, max(MIN_HEIGHT_IN, height)), layout="constrained")


def add_title(fig: Figure, title: str) -> int:
    """The chart title, left-aligned over the whole figure (long labels push the axes right);
    returns its number of lines."""
    w = wrap(title, TITLE_WRAP)
    fig.suptitle(w, x=0.01, ha="left", fontsize=STYLE["axes.titlesize"], fontweight="bold", color=TEXT_COLOR)
    return line_count(w)


def add_note(fig: Figure, note: str) -> None:
    """The note under the chart (wrapped at 80 characters), if there is one."""
    if note:
        fig.supxlabel(wrap(note, 80), x=0.01, ha="left", fontsize=12, color=NOTE_COLOR)


def share_axis(ax: Any, names: list[str], right: float, xlabel: str) -> None:
    """A 0-100 % x axis (room up to ``right`` for the value labels) with one row per name, first at the top."""
    ax.set_xlim(-0.02, right)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1, decimals=0))
    ax.set_yticks(range(len(names)), names, fontsize=12)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.xaxis.grid(True)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)


def save(fig: Figure, path: Path, svg: bool) -> Path:
    """Write ``fig`` to ``path`` as PNG (folders made as needed) and, with ``svg``, beside it as
    ``.svg``; return the PNG path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    if svg:
        fig.savefig(path.with_suffix(".svg"), format="svg")
    return path
