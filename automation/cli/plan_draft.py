"""The ``plan draft`` command: a draft plan for the next quarter from the latest needs assessment
(:mod:`automation.plan.draft`), written to a file for the mentor to edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from automation.cli.common import service_from
from automation.model import BISHKEK, utc_now
from automation.plan.draft import next_quarter, parse_quarter, write_plan_draft


def cli_plan_draft(args: Any) -> int:
    """``plan draft [--quarter 2023Q1] [--today YYYY-MM-DD] [--workshops N] [--out FILE]``."""
    service = service_from(args)
    cfg = service.config
    store = service.existing_store("no needs assessment")
    plan = service.plan
    today = date.fromisoformat(args.today) if args.today else utc_now().astimezone(BISHKEK).date()
    quarter = parse_quarter(args.quarter) if args.quarter else next_quarter(today)
    out = Path(args.out) if args.out else cfg.out / f"plan_draft_{quarter[0]}Q{quarter[1]}.yaml"
    path, ranking = write_plan_draft(store, plan, out, today, quarter, args.workshops, args.form)
    print(f"Draft plan for {quarter[0]} Q{quarter[1]} from {ranking.form_key!r} ({ranking.respondents} respondents) "
          f"written to {path}")
    for r in ranking.table.head(5).itertuples():
        print(f"  {r.rank}. {r.label_ru} (score {r.score:.2f})")
    return 0
