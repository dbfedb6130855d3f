"""Shared fixtures: a season Context on the local backend in a temporary folder, and the demo's
season run once per test session."""

from __future__ import annotations

import dataclasses
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from automation.app import make_context  # noqa: E402
from automation.config import Config  # noqa: E402
from automation.context import Context  # noqa: E402
from automation.model import BISHKEK, to_utc  # noqa: E402
from automation.roster import read_roster  # noqa: E402

if TYPE_CHECKING:
    from automation.demo.season import DemoSummary

CLUB_PLAN = ROOT / "examples" / "club2022" / "plan.yaml"
CLUB_ROSTER = ROOT / "examples" / "club2022" / "roster.csv"


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An Asia/Bishkek wall-clock time as an aware UTC datetime."""
    return to_utc(datetime(y, mo, d, h, mi, tzinfo=BISHKEK))


def make_season(tmp: Path, plan_path: Path = CLUB_PLAN, roster_path: Path = CLUB_ROSTER, **ctx_kw) -> Context:
    """A Context on the local backend under ``tmp`` (state.sqlite, outbox/, sheets/) with the roster imported,
    assembled by :func:`automation.app.make_context`; ``ctx_kw`` replace :class:`Context` fields (``daily_cap`` ...)."""
    ctx = make_context(Config(plan=plan_path, state=tmp / "state.sqlite", out=tmp, sheets=tmp / "sheets"))
    ctx.store.roster.upsert(read_roster(roster_path).participants, source="test")
    return dataclasses.replace(ctx, **ctx_kw)


@pytest.fixture
def season(tmp_path: Path) -> Context:
    """The 2022 club season (plan and roster of examples/club2022) in this test's temporary folder."""
    return make_season(tmp_path)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The demo's 2022 season with seed 1 (``run_demo(out, seed=1, quiet=True)``), run once per test session.

    Returns (the folder it wrote: state.sqlite, outbox/, sheets/, charts/, report.html ...; its summary).
    The demo takes about a minute: every test that needs its output shares this run, and reads it only.
    """
    from automation.demo.season import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, seed=1, quiet=True)
