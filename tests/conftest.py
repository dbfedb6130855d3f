"""Shared fixtures: a season Context on the local backend in a temporary folder."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from automation.context import Context  # noqa: E402
from automation.model import BISHKEK, to_utc  # noqa: E402
from automation.plan.load import load_plan  # noqa: E402
from automation.roster import read_roster  # noqa: E402
from automation.store import Store  # noqa: E402
from automation.workspace.local import LocalBackend  # noqa: E402

CLUB_PLAN = ROOT / "examples" / "club2022" / "plan.yaml"
CLUB_ROSTER = ROOT / "examples" / "club2022" / "roster.csv"


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An Asia/Bishkek wall-clock time as an aware UTC datetime."""
    return to_utc(datetime(y, mo, d, h, mi, tzinfo=BISHKEK))


def make_season(tmp: Path, plan_path: Path = CLUB_PLAN, roster_path: Path = CLUB_ROSTER, **ctx_kw) -> Context:
    plan = load_plan(plan_path)
    store = Store(tmp / "state.sqlite")
    store.upsert_participants(read_roster(roster_path).participants, source="test")
    backend = LocalBackend.create(store, tmp, plan.club.group_email, plan.club.form_base_url, sheets_dir=tmp / "sheets")
    return Context(store=store, plan=plan, backend=backend, out_dir=tmp, **ctx_kw)


@pytest.fixture
def season(tmp_path: Path) -> Context:
    return make_season(tmp_path)
