"""``report``: the charts and the mentor's report (:func:`automation.reporting.report.build.build_report`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from automation.cli.common import context_from
from automation.model import utc_now


def cmd_report(args: argparse.Namespace) -> int:
    """``report [--out DIR] [--event ID] [--lang ru|ky] [--json]``: writes the report's pages (docs/REPORT.md);
    prints the first one's path."""
    from automation.reporting.report.build import build_report

    ctx = context_from(args, quiet=True)
    out = Path(args.out) if args.out else ctx.out_dir
    path = build_report(ctx.store, out, lang=args.lang or ctx.report_lang, event_id=args.event,
                        min_group_size=ctx.min_group_size, now=utc_now(), write_json=args.json, plan=ctx.plan)
    print(f"Report written: {path}")
    return 0
