"""``plan show``: the dated actions of the plan and their status in the ledger."""

from __future__ import annotations

import argparse
import json

from automation.cli.common import now_from, service_from, warn_plan
from automation.model import BISHKEK


def cmd_plan_show(args: argparse.Namespace) -> int:
    """``plan show [--now ISO] [--status S] [--json]``: a table (or JSON rows due, kind, key, status, detail).

    Reads the ledger only when the state file exists (creates nothing).
    """
    from automation.plan.status import plan_status

    service = service_from(args)
    plan = service.plan
    warn_plan(plan)
    rows = [{"due": s.action.due.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M"), "kind": s.action.kind,
             "key": s.action.key, "status": s.status, "detail": s.detail}
            for s in plan_status(plan, service.ledger(), now_from(args), args.status)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{'due (Asia/Bishkek)':17}  {'status':8}  {'kind':22}  key")
    for r in rows:
        print(f"{r['due']:17}  {r['status']:8}  {r['kind']:22}  {r['key']}" + (f"  — {r['detail']}" if r["detail"] else ""))
    print(f"{len(rows)} action(s)")
    return 0
