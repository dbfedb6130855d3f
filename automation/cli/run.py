"""The service as a whole: ``demo``, ``run`` (the scheduler), ``serve`` (the web app and the scheduler in one
process), ``backup``/``restore`` (cli/backup.py) and ``auth`` (Google sign-in)."""

from __future__ import annotations

import argparse
from pathlib import Path

from automation.cli.common import now_from, service_from, warn_plan
from automation.model import BISHKEK, utc_now


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo [--out DIR] [--seed N] [--school] [-v]``: the simulated season (:func:`automation.demo.season.run_demo`)."""
    from automation.demo.season import run_demo

    run_demo(Path(args.out), seed=args.seed, school=args.school, log=print if args.verbose else None)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """``run [--once] [--now ISO] [--interval S]``: one tick (exit 1 if an action failed), or tick until Ctrl+C
    or SIGTERM (:func:`automation.web.runner.run_scheduler`: the running action finishes and is recorded,
    exit 0).  Refused (exit 2) while ``serve`` or another ``run`` works on the same state file."""
    from automation.scheduler import run_due
    from automation.store.lock import hold

    service = service_from(args)
    ctx = service.context
    warn_plan(ctx.plan)
    if not args.once:
        from automation.web import runner

        fixed = now_from(args) if getattr(args, "now", None) else None
        return runner.run_scheduler(service, interval=args.interval, clock=(lambda: fixed) if fixed else utc_now)
    with hold(service.config.state, "run --once"):
        now = now_from(args)
        ran = run_due(ctx, now)
        print(f"{len(ran)} action(s) ran at {now.astimezone(BISHKEK):%Y-%m-%d %H:%M} (Asia/Bishkek)")
        return 1 if any(r.status == "failed" for r in ran) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """``serve [--host H] [--port P] [--no-scheduler] [--interval S]``: the web app (the participants' forms
    and the admin console at /admin/, :func:`automation.web.admin.install_console`) on waitress and the
    scheduler, in one process, until SIGTERM or Ctrl+C (:func:`automation.web.runner.run_service`);
    ``club.yaml``'s ``web.behind_proxy`` says whether an HTTPS proxy's headers are trusted."""
    from automation.web import runner

    from automation.web.admin import install_console

    service = service_from(args)
    if not args.no_scheduler:
        warn_plan(service.plan)
    fixed = now_from(args) if getattr(args, "now", None) else None
    return runner.run_service(service, host=args.host, port=args.port, scheduler=not args.no_scheduler,
                              interval=args.interval, clock=(lambda: fixed) if fixed else utc_now,
                              install=lambda app: install_console(app, service.store, console_context(service.config)))


def console_context(config):
    """The admin console's context factory: the plan read again at each page (the admin edits it), the
    backend of ``config`` on the request's store (:func:`automation.app.make_context`)."""
    from automation.app import make_context
    from automation.plan.load import load_plan

    return lambda store: make_context(config, store=store, plan=load_plan(config.plan, config.templates))


def cmd_auth(args: argparse.Namespace) -> int:
    """Sign in to Google (browser, once) or check a service account key; print the permissions and their use."""
    from automation.workspace.google.auth import describe, load_credentials, sign_in

    auth = service_from(args).google_sign_in(read_mail=args.read_mail)
    if args.check:
        loaded = load_credentials(auth.credentials, auth.scopes, token_path=auth.token,
                                  delegated_user=auth.delegated_user)
    else:
        loaded = sign_in(auth.credentials, auth.scopes, token_path=auth.token)
    print(describe(loaded, auth.token if loaded.kind == "oauth" else None))
    if auth.groups == "roster":
        print("Mailing list: the roster (a gmail.com account has no groups API); mail goes out in Bcc batches.")
    return 0
