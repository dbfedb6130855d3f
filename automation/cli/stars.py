"""The ``stars`` command: the season's stars from the best-practice votes and the #ЧоңОй speakers; writes
the chart and the workbook (:mod:`automation.reporting.stars`) and prints the leaderboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from automation.analysis.stars import StarRules, stars_json
from automation.cli.common import service_from
from automation.reporting.charts.stars import fmt_stars
from automation.reporting.stars import write_stars


def cli_stars(args: Any) -> int:
    """``stars [--top N] [--ties share|split] [--year Y] [--lang ru|ky] [--out DIR] [--json]``."""
    service = service_from(args)
    cfg = service.config
    store = service.existing_store("no votes")
    plan = service.plan_if_valid()
    rules = StarRules(ties=args.ties, top_n=args.top, year=args.year)
    out = Path(args.out) if args.out else cfg.out
    files = write_stars(store, out, rules, args.lang or cfg.report_lang, cfg.sheets if not args.out else None, plan)
    st = files.stars
    if args.json:
        print(json.dumps(stars_json(st), ensure_ascii=False, indent=1))
        return 0
    print(f"{'rank':>4}  {'stars':>5}  {'votes':>5}  name")
    for r in st.board.itertuples():
        print(f"{r.rank:>4}  {fmt_stars(r.stars):>5}  {r.votes:>5}  {r.name}" + ("  ← #ЧоңОй" if r.speaker else ""))
    print(f"Proposed #ЧоңОй speakers (top {rules.top_n}): {', '.join(st.speakers['name']) or 'none yet'}")
    print(f"Prize (most stars): {', '.join(st.prize['name']) or 'none yet'}")
    ev = st.events
    print(f"{len(ev)} vote(s): {int(ev['valid'].sum())} valid votes, {int(ev['self_votes'].sum())} for oneself "
          f"rejected, {int(ev['superseded'].sum())} superseded by a later vote, {int(ev['rejected_other'].sum())} "
          f"other rejected. Ties: {rules.ties}.")
    for n in st.notes:
        print(f"  ! {n}")
    print(f"Chart: {files.chart or '(no stars yet)'}\nWorkbook: {files.workbook}")
    return 0
