"""The ``indicators`` commands (``python main.py indicators [outcomes CSV]``): parse, call
:mod:`automation.analysis.indicators` (and :mod:`automation.reporting.indicators` for the files), print."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from automation.analysis.indicators import (
    funnel,
    import_outcomes,
    indicators_json,
    oblast_role_table,
    participants_by_oblast_role,
    women_share,
)
from automation.cli.common import service_from
from automation.reporting.indicators import write_indicators


def cli_indicators(args: Any) -> int:
    """``indicators [--json] [--lang ru|ky] [--out DIR]``: the three indicators (files too with --out)."""
    service = service_from(args)
    cfg = service.config
    store = service.existing_store()
    plan = service.plan_if_valid()
    lang = args.lang or cfg.report_lang
    if args.out:
        for p in write_indicators(store, args.out, plan, lang, cfg.min_group_size):
            print(p)
    if args.json:
        print(json.dumps(indicators_json(store, plan, lang, cfg.min_group_size), ensure_ascii=False, indent=1))
        return 0
    print("Participants by oblast and role (roster, active):")
    print(oblast_role_table(participants_by_oblast_role(store), lang, cfg.min_group_size).to_string())
    print("\nShare of women among participants of events (people who answered the event's forms):")
    for r in women_share(store, plan, lang).itertuples():
        share = "—" if r.share_women != r.share_women else f"{r.share_women:.0%}"
        print(f"  {r.title[:60]:60} {r.women:>4} of {r.participants:<4} {share:>5}")
    print("\nSchool of future deputies: applicants → selected → roster → graduates → elected:")
    for r in funnel(store).itertuples():
        n = "not known yet" if r.n is pd.NA else str(r.n)
        share = "" if r.share_of_previous != r.share_of_previous else f" ({r.share_of_previous:.0%} of previous)"
        target = "" if r.target != r.target else f"; target ≥ {r.target:.0%} of graduates (seed 002)"
        print(f"  {r.stage:14} {n}{share}{target}")
    return 0


def cli_outcomes(args: Any) -> int:
    """``indicators outcomes RESULTS.csv``: enter graduation and election results."""
    n = import_outcomes(service_from(args).store, args.csv)
    print(f"{n} outcome(s) entered.")
    return 0
