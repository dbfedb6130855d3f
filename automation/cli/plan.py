"""``plan show`` (the dated actions of the plan and their status in the ledger) and ``plan check`` (problems that
will make an action fail, found weeks ahead)."""

from __future__ import annotations

import argparse
import json
import sys

from automation.cli.common import now_from, service_from, warn_plan
from automation.errors import AutomationError
from automation.model import BISHKEK


def plan_problems(service, now, days=None):
    """The plan's problems ahead of ``now`` (:func:`automation.plan.ahead.problems_ahead`), with the roster and
    the ledger of the state file when it exists (none is created)."""
    from automation.plan.ahead import HORIZON_DAYS, problems_ahead

    exists = service.config.state.exists()
    ledger = service.ledger()
    return problems_ahead(service.plan, service.store.roster.get if exists else (lambda email: None), now,
                          service.config.templates, days=HORIZON_DAYS if days is None else days,
                          done=lambda k: k in ledger and ledger[k].status in ("done", "skipped"))


def cmd_plan_show(args: argparse.Namespace) -> int:
    """``plan show [--now ISO] [--status S] [--json]``: a table (or JSON rows due, kind, key, status, detail).

    Reads the ledger only when the state file exists (creates nothing).
    """
    from automation.plan.status import plan_status

    from automation.plan.overrides import with_deadlines

    service = service_from(args)
    plan = service.plan
    warn_plan(plan)
    if service.config.state.exists():  # deadlines extended in the console win over the plan's
        plan = with_deadlines(plan, service.store.console.deadlines())
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
    for p in plan_problems(service, now_from(args)):
        print(f"Warning: {p.key} (due {p.due.astimezone(BISHKEK):%Y-%m-%d %H:%M}): {p.what}", file=sys.stderr)
    return 0


def cmd_plan_check(args: argparse.Namespace) -> int:
    """``plan check [--now ISO] [--days N]``: each problem found ahead with its action and due time (and in plain
    Kyrgyz and Russian when :mod:`automation.reasons` knows it); exit 1 if any."""
    from automation.plan.ahead import HORIZON_DAYS
    from automation.reasons import plain_reason

    service = service_from(args)
    warn_plan(service.plan)
    now = now_from(args)
    days = args.days if args.days is not None else HORIZON_DAYS
    if days < 0:
        raise AutomationError(f"--days {days}: give a number of days ahead, 0 or more")
    found = plan_problems(service, now, days)
    for p in found:
        print(f"{p.due.astimezone(BISHKEK):%Y-%m-%d %H:%M}  {p.key}: {p.what}")
        for lang in ("ky", "ru"):  # in plain words for the admin, Kyrgyz first, when a pattern knows the line
            if said := plain_reason(p.what, lang):
                print(f"    {lang}: {said}")
    print(f"{len(found)} problem(s) in the actions due in the next {days} day(s)"
          + ("" if found else ": nothing to fix"))
    return 1 if found else 0


def cmd_plan_hold(args: argparse.Namespace) -> int:
    """``plan hold KEY [--reason TEXT]`` / ``plan release KEY`` / ``plan done KEY --note TEXT``: the Today page's
    buttons on the command line (:mod:`automation.manual`), recorded in the audit log as ``cli``."""
    from automation.cli.common import context_from
    from automation.manual import hold, mark_done, release

    ctx = context_from(args, quiet=True)
    now = now_from(args)
    if args.sub == "hold":
        hold(ctx, args.key, "cli", now, args.reason or "")
        print(f"{args.key} is on hold: the scheduler will not run it until `plan release {args.key}`.")
    elif args.sub == "release":
        release(ctx, args.key, "cli", now)
        print(f"{args.key} is released: the scheduler runs it at its next check if it is due and still useful.")
    else:
        mark_done(ctx, args.key, "cli", now, args.note or "")
        print(f"{args.key} is recorded as done by hand; it will not run.")
    return 0
