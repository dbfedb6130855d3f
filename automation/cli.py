"""The command line: ``python main.py COMMAND ...`` (a thin layer over the library).

Errors a person can fix are printed to stderr as plain messages, exit code 2;
no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from .errors import AutomationError
from .model import BISHKEK, parse_iso, utc_now


def _now(args: argparse.Namespace) -> datetime:
    return parse_iso(args.now) if getattr(args, "now", None) else utc_now()


def _ctx(args: argparse.Namespace, quiet: bool = False):
    from .config import load_config, make_context

    cfg = load_config(args.config)
    return make_context(cfg, log=(lambda m: None) if quiet else (lambda m: print(m)))


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(Path(args.out), seed=args.seed, school=args.school, log=print if args.verbose else None)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .scheduler import Ticker, run_due

    ctx = _ctx(args)
    if args.once:
        ran = run_due(ctx, _now(args))
        print(f"{len(ran)} action(s) ran at {_now(args).astimezone(BISHKEK):%Y-%m-%d %H:%M} (Asia/Bishkek)")
        return 1 if any(r.status == "failed" for r in ran) else 0
    print(f"Running; checking the plan every {args.interval} s. Stop with Ctrl+C.")
    try:
        Ticker(ctx, interval=args.interval).run_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_plan_show(args: argparse.Namespace) -> int:
    from .config import load_config
    from .plan import actions, load_plan
    from .store import Store

    cfg = load_config(args.config)
    plan = load_plan(cfg.plan, cfg.templates)
    ledger = Store(cfg.state).ledger() if cfg.state.exists() else {}
    now = _now(args)
    rows = []
    for a in actions(plan):
        r = ledger.get(a.key)
        status = r["status"] if r else ("due" if a.due <= now else "planned")
        if args.status and status != args.status:
            continue
        rows.append({"due": a.due.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M"), "kind": a.kind, "key": a.key,
                     "status": status, "detail": r["detail"] if r else ""})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{'due (Asia/Bishkek)':17}  {'status':8}  {'kind':22}  key")
    for r in rows:
        print(f"{r['due']:17}  {r['status']:8}  {r['kind']:22}  {r['key']}" + (f"  — {r['detail']}" if r["detail"] else ""))
    print(f"{len(rows)} action(s)")
    return 0


def cmd_roster_import(args: argparse.Namespace) -> int:
    from .config import load_config
    from .roster import read_roster
    from .store import Store

    cfg = load_config(args.config)
    read = read_roster(args.csv)
    if read.problems:
        print(f"{args.csv}: {len(read.problems)} of {read.rows} row(s) have problems:", file=sys.stderr)
        for p in read.problems:
            print(f"  - {p}", file=sys.stderr)
        if not args.skip_invalid:
            print("Nothing was imported. Fix the rows above, or import the valid rows only with --skip-invalid.",
                  file=sys.stderr)
            return 2
    added, updated = Store(cfg.state).upsert_participants(read.participants, source=str(args.csv))
    skipped = f", {len(read.problems)} invalid row(s) skipped" if read.problems else ""
    print(f"Imported {len(read.participants)} participant(s): {added} new, {updated} updated{skipped}.")
    return 0


def cmd_roster_list(args: argparse.Namespace) -> int:
    from .config import load_config
    from .model import OBLASTS
    from .store import Store

    cfg = load_config(args.config)
    people = Store(cfg.state).participants(active_only=not args.all)
    for p in people:
        print(f"{p.name:32} {p.email:38} {OBLASTS.get(p.oblast, {}).get('ru', p.oblast):18} {p.role:18} {p.language}"
              + ("" if p.active else "  (left)"))
    print(f"{len(people)} participant(s)")
    return 0


def cmd_roster_remove(args: argparse.Namespace) -> int:
    from .config import load_config
    from .store import Store

    cfg = load_config(args.config)
    if not Store(cfg.state).set_active(args.email, False):
        raise AutomationError(f"{args.email} is not in the roster (see `roster list --all`)")
    print(f"{args.email} has left the club: no further mailings; her past responses are kept.")
    return 0


def cmd_responses_sync(args: argparse.Namespace) -> int:
    from .jobs.responses import sync_form

    ctx = _ctx(args, quiet=True)
    keys = [args.form] if args.form else [f["form_key"] for f in ctx.store.forms()]
    for k in keys:
        if ctx.store.form(k) is None:
            raise AutomationError(f"no form {k!r} (see `forms list`)")
        print(f"{k}: {sync_form(ctx, k, _now(args)).detail}")
    return 0


def cmd_forms_list(args: argparse.Namespace) -> int:
    from .config import load_config
    from .store import Store

    cfg = load_config(args.config)
    store = Store(cfg.state)
    for f in store.forms():
        n = len(store.responses(f["form_key"]))
        print(f"{f['form_key']:42} {f['status']:6} deadline {parse_iso(f['deadline']).astimezone(BISHKEK):%Y-%m-%d %H:%M}"
              f"  {n:4} response(s)  {f['url']}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import build_report

    ctx = _ctx(args, quiet=True)
    out = Path(args.out) if args.out else ctx.out_dir
    path = build_report(ctx.store, out, lang=args.lang or ctx.report_lang, event_id=args.event,
                        min_group_size=ctx.min_group_size, now=utc_now(), write_json=args.json, plan=ctx.plan)
    print(f"Report written: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python main.py", description="Automation of the club's forms, data and mailings.")
    ap.add_argument("--config", help="configuration file (default: club.yaml here)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run the 2022 season on the local backend with a simulated clock and respondents")
    p.add_argument("--out", default="demo_out", help="directory to write everything to (default demo_out)")
    p.add_argument("--seed", type=int, default=2022, help="random seed of the simulated respondents")
    p.add_argument("--school", action="store_true", help="also run the 2020–21 School of future deputies plan")
    p.add_argument("--verbose", "-v", action="store_true", help="print every action as it runs")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="the scheduler: run due actions, forever or once")
    p.add_argument("--once", action="store_true", help="run what is due now and exit")
    p.add_argument("--now", help="pretend it is this moment (ISO 8601; without an offset: Asia/Bishkek)")
    p.add_argument("--interval", type=int, default=60, help="seconds between checks (default 60)")
    p.set_defaults(func=cmd_run)

    plan = sub.add_parser("plan", help="the plan of events").add_subparsers(dest="sub", required=True)
    p = plan.add_parser("show", help="the dated actions of the plan and their status in the ledger")
    p.add_argument("--now", help="the moment that decides 'due' vs 'planned' (default: now)")
    p.add_argument("--status", choices=["planned", "due", "done", "skipped", "failed", "deferred"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan_show)

    roster = sub.add_parser("roster", help="the mailing list").add_subparsers(dest="sub", required=True)
    p = roster.add_parser("import", help="import the roster CSV (name,email,phone,oblast,municipality,role,language)")
    p.add_argument("csv", type=Path)
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows even if some rows are bad")
    p.set_defaults(func=cmd_roster_import)
    p = roster.add_parser("list", help="list the roster")
    p.add_argument("--all", action="store_true", help="include people who left")
    p.set_defaults(func=cmd_roster_list)
    p = roster.add_parser("remove", help="a participant leaves the club (her past responses are kept)")
    p.add_argument("email")
    p.set_defaults(func=cmd_roster_remove)

    forms = sub.add_parser("forms", help="forms made from templates").add_subparsers(dest="sub", required=True)
    p = forms.add_parser("list", help="forms made so far, with their status and number of responses")
    p.set_defaults(func=cmd_forms_list)

    resp = sub.add_parser("responses", help="responses").add_subparsers(dest="sub", required=True)
    p = resp.add_parser("sync", help="pull responses and rewrite the workbooks now")
    p.add_argument("form", nargs="?", help="form key (default: every form)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_responses_sync)

    p = sub.add_parser("report", help="charts and the mentor's report")
    p.add_argument("--out", help="directory (default: out/ from the configuration)")
    p.add_argument("--event", help="only this event")
    p.add_argument("--lang", choices=["ru", "ky"])
    p.add_argument("--json", action="store_true", help="also write summary.json")
    p.set_defaults(func=cmd_report)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AutomationError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
