"""The command line: ``python main.py COMMAND ...`` (a thin layer over the library).

Errors a person can fix are printed to stderr as plain messages, exit code 2;
no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from automation.errors import AutomationError
from automation.cli.common import context_from as _ctx, now_from as _now
from automation.model import BISHKEK, parse_iso, utc_now


def cmd_demo(args: argparse.Namespace) -> int:
    from automation.demo.season import run_demo

    run_demo(Path(args.out), seed=args.seed, school=args.school, log=print if args.verbose else None)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from automation.scheduler import Ticker, run_due

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
    from automation.config import load_config
    from automation.plan.actions import actions
    from automation.plan.load import load_plan
    from automation.store import Store

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
    from automation.config import load_config
    from automation.roster import is_group_export, read_group_export, read_roster
    from automation.store import Store

    cfg = load_config(args.config)
    group = is_group_export(args.csv)
    read = read_group_export(args.csv) if group else read_roster(args.csv)
    if read.problems:
        print(f"{args.csv}: {len(read.problems)} of {read.rows} row(s) have problems:", file=sys.stderr)
        for p in read.problems:
            print(f"  - {p}", file=sys.stderr)
        if not args.skip_invalid:
            print("Nothing was imported. Fix the rows above, or import the valid rows only with --skip-invalid.",
                  file=sys.stderr)
            return 2
    added, updated = Store(cfg.state).upsert_participants(read.participants, source=str(args.csv),
                                                          update_existing=not group)
    skipped = f", {len(read.problems)} invalid row(s) skipped" if read.problems else ""
    if group:
        print(f"Google Groups export: {added} new member(s) added, {len(read.participants) - added} already in the "
              f"roster{skipped}. The export has no oblast or language: new members get language ky and no oblast; "
              "complete them in the roster CSV and import it again.")
    else:
        print(f"Imported {len(read.participants)} participant(s): {added} new, {updated} updated{skipped}.")
    return 0


def cmd_roster_add(args: argparse.Namespace) -> int:
    from automation.config import load_config
    from automation.errors import RosterError
    from automation.model import Participant
    from automation.roster import participant_id, validate_person
    from automation.store import Store

    cfg = load_config(args.config)
    clean, problems = validate_person(args.name, args.email, args.oblast, args.role or "", args.language,
                                      args.phone or "", args.sex or "")
    if problems:
        raise RosterError("roster add", problems)
    store = Store(cfg.state)
    added, _ = store.upsert_participants(
        [Participant(id=participant_id(clean["email"]), municipality=args.municipality or "", **clean)], source="cli")
    print(f"{clean['email']} {'added to' if added else 'updated in'} the roster.")
    return 0


def cmd_roster_sync_group(args: argparse.Namespace) -> int:
    ctx = _ctx(args, quiet=True)
    group = ctx.backend.group
    roster = {p.email for p in ctx.store.participants(active_only=True)}
    members = group.members()
    add, remove = sorted(roster - members), sorted(members - roster)
    if ctx.backend.name == "local":
        print(f"Local backend: the group {group.address} is the roster itself ({len(roster)} active member(s)); "
              "mail to the group goes to every active participant. Nothing to synchronise.")
        return 0
    if getattr(group, "note", ""):
        print(group.note)
        return 0
    print(f"Group {group.address}: {len(members)} member(s), roster: {len(roster)} active participant(s).")
    for e in add:
        print(f"  + {e}")
    for e in remove:
        print(f"  - {e}")
    if not add and not remove:
        print("Nothing differs.")
        return 0
    if args.dry_run:
        print(f"Dry run: {len(add)} to add, {len(remove)} to remove; nothing was changed.")
        return 0
    group.apply(add, remove)
    print(f"Done: {len(add)} added, {len(remove)} removed.")
    return 0


def _find_action(ctx, key: str):
    from automation.plan.actions import actions

    acts = {a.key: a for a in actions(ctx.plan)}
    if key not in acts:
        mail = sorted(k for k, a in acts.items() if a.kind.startswith("mail."))
        hint = ", ".join(mail[:8]) + (" ..." if len(mail) > 8 else "")
        raise AutomationError(f"no action {key!r} in the plan (see `plan show`; mail actions: {hint})")
    a = acts[key]
    if not a.kind.startswith("mail."):
        raise AutomationError(f"{key} is a {a.kind} action, not a mailing")
    return a


def cmd_mail_preview(args: argparse.Namespace) -> int:
    from automation.jobs import JobResult
    from automation.jobs.mailings import preview

    ctx = _ctx(args, quiet=True)
    action = _find_action(ctx, args.action)
    out = preview(ctx, action, _now(args))
    if isinstance(out, JobResult):
        print(f"Nothing would be sent: {out.detail}")
        return 0
    print(f"{action.key}: {len(out)} message(s), {sum(len(o.envelope_to) for o in out)} recipient(s)")
    for i, o in enumerate(out):
        if i >= (len(out) if args.all else 1):
            print(f"... and {len(out) - i} more personal message(s) like this one (--all shows every one)")
            break
        m = o.msg
        print("-" * 72)
        for h in ("Message-ID", "From", "To", "Reply-To", "Subject", "Date"):
            print(f"{h}: {m[h]}")
        print(f"Envelope: {len(o.envelope_to)} recipient(s): {', '.join(o.envelope_to[:5])}"
              + (" ..." if len(o.envelope_to) > 5 else ""))
        files = [part.get_filename() for part in m.iter_attachments()]
        if files:
            print(f"Attachments: {', '.join(files)}")
        print()
        print(m.get_body(("plain",)).get_content())
    return 0


def cmd_mail_send(args: argparse.Namespace) -> int:
    from automation.jobs.mailings import run

    ctx = _ctx(args, quiet=True)
    action = _find_action(ctx, args.action)
    now = _now(args)
    res = run(ctx, action, now)
    ctx.store.record(action.key, action.kind, action.event_id, action.due, res.status, res.detail, now)
    print(f"{action.key}: {res.status}: {res.detail}")
    return 0 if res.status in ("done", "skipped", "deferred") else 1


def cmd_roster_list(args: argparse.Namespace) -> int:
    from automation.config import load_config
    from automation.model import OBLASTS
    from automation.store import Store

    cfg = load_config(args.config)
    people = Store(cfg.state).participants(active_only=not args.all)
    for p in people:
        print(f"{p.name:32} {p.email:38} {OBLASTS.get(p.oblast, {}).get('ru', p.oblast):18} {p.role:18} {p.language}"
              + ("" if p.active else "  (left)"))
    print(f"{len(people)} participant(s)")
    return 0


def cmd_roster_remove(args: argparse.Namespace) -> int:
    from automation.config import load_config
    from automation.store import Store

    cfg = load_config(args.config)
    if not Store(cfg.state).set_active(args.email, False):
        raise AutomationError(f"{args.email} is not in the roster (see `roster list --all`)")
    print(f"{args.email} has left the club: no further mailings; her past responses are kept.")
    return 0


def cmd_responses_sync(args: argparse.Namespace) -> int:
    from automation.jobs.responses import sync_form

    ctx = _ctx(args, quiet=True)
    keys = [args.form] if args.form else [f["form_key"] for f in ctx.store.forms()]
    for k in keys:
        if ctx.store.form(k) is None:
            raise AutomationError(f"no form {k!r} (see `forms list`)")
        print(f"{k}: {sync_form(ctx, k, _now(args)).detail}")
    return 0


def cmd_responses_import(args: argparse.Namespace) -> int:
    """Import a Google Forms CSV export (automation/importer.py); all or nothing."""
    from automation.config import load_config
    from automation.forms.importer.export import import_export
    from automation.store import Store
    from automation.forms.templates import get_template

    cfg = load_config(args.config)
    spec = get_template(args.template, cfg.templates) if args.template else None
    result = import_export(Store(cfg.state), args.csv, spec, event_id=args.event, form_key=args.form_key,
                           pre_test=args.pre_test)
    print("\n".join(result.lines()))
    return 0


def cmd_forms_list(args: argparse.Namespace) -> int:
    from automation.config import load_config
    from automation.store import Store

    cfg = load_config(args.config)
    store = Store(cfg.state)
    for f in store.forms():
        n = len(store.responses(f["form_key"]))
        print(f"{f['form_key']:42} {f['status']:6} deadline {parse_iso(f['deadline']).astimezone(BISHKEK):%Y-%m-%d %H:%M}"
              f"  {n:4} response(s)  {f['url']}")
    return 0


def cmd_forms_build(args: argparse.Namespace) -> int:
    """The Google Forms requests a template becomes (no network): see automation/workspace/google/forms.py."""
    from automation.config import load_config
    from automation.model import I18n, Option
    from automation.forms.templates import get_template, load_template
    from automation.workspace.google.forms import build_form_requests, document_title

    if args.template.endswith((".yaml", ".yml")):
        spec = load_template(args.template)
    else:
        spec = get_template(args.template, load_config(args.config).templates)
    if any(q.options_from == "presenters" for q in spec.questions):
        names = [n.strip() for n in (args.presenters or "").split(",") if n.strip()]
        if not names:
            names = ["Presenter 1", "Presenter 2", "Presenter 3"]
            print("note: the presenters come from the event; example names are used (give --presenters)",
                  file=sys.stderr)
        spec = spec.with_options("presenters", [Option(f"p{i}", I18n(n, n)) for i, n in enumerate(names, 1)])
    deadline = parse_iso(args.deadline) if args.deadline else None
    bodies = build_form_requests(spec, deadline, document_title=document_title(spec, args.key) if args.key else None)
    if args.json:
        print(json.dumps(bodies, ensure_ascii=False, indent=2))
        return 0
    items = sum(1 for r in bodies["batchUpdate"]["requests"] if "createItem" in r)
    print(f"{spec.id} v{spec.version}: {bodies['create']['info']['title']}")
    print(f"3 calls: forms.create (title only, unpublished), forms.batchUpdate "
          f"({len(bodies['batchUpdate']['requests'])} requests, {items} items), forms.setPublishSettings. "
          "Add --json to see the request bodies.")
    return 0


def cmd_auth(args: argparse.Namespace) -> int:
    """Sign in to Google (browser, once) or check a service account key; print the permissions and their use."""
    from automation.config import load_config
    from automation.workspace.google import consumer_address
    from automation.workspace.google.auth import default_token_path, describe, load_credentials, required_scopes, sign_in

    cfg = load_config(args.config)
    opts = cfg.google or {}
    groups = opts.get("groups")
    if groups is None:
        try:
            from automation.plan.load import load_plan

            groups = "roster" if consumer_address(load_plan(cfg.plan, cfg.templates).club.group_email) else "directory"
        except AutomationError:
            groups = "roster"
    scopes = required_scopes(groups=groups == "directory", read_mail=bool(args.read_mail or opts.get("read_mail")))
    path = cfg.credentials or Path("credentials.json")
    token = Path(opts["token"]) if opts.get("token") else default_token_path(path)
    if args.check:
        loaded = load_credentials(path, scopes, token_path=token, delegated_user=opts.get("delegated_user"))
    else:
        loaded = sign_in(path, scopes, token_path=token)
    print(describe(loaded, token if loaded.kind == "oauth" else None))
    if groups == "roster":
        print("Mailing list: the roster (a gmail.com account has no groups API); mail goes out in Bcc batches.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from automation.reporting.report.build import build_report

    ctx = _ctx(args, quiet=True)
    out = Path(args.out) if args.out else ctx.out_dir
    path = build_report(ctx.store, out, lang=args.lang or ctx.report_lang, event_id=args.event,
                        min_group_size=ctx.min_group_size, now=utc_now(), write_json=args.json, plan=ctx.plan)
    print(f"Report written: {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from automation.config import load_config
    from automation.store import Store
    from automation.web.forms import load_secret_key, serve

    cfg = load_config(args.config)
    store = Store(cfg.state)
    key = load_secret_key(cfg.state.parent / (cfg.state.name + ".web-key"))
    serve(store, host=args.host, port=args.port, secret_key=key)
    return 0


def _lazy(module: str, name: str):
    """A command handler that imports ``automation.<module>`` only when the command runs (pandas is slow to load)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(f"automation.{module}"), name)(args)

    return run


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
    p = plan.add_parser("draft", help="a draft plan for the next quarter from the latest needs assessment")
    p.add_argument("--quarter", help="e.g. 2023Q1 (default: the quarter after --today)")
    p.add_argument("--today", help="YYYY-MM-DD (default: today in Asia/Bishkek)")
    p.add_argument("--workshops", type=int, default=3, help="online workshops to propose, one a month (default 3)")
    p.add_argument("--form", help="form key of the needs assessment (default: the latest)")
    p.add_argument("--out", help="file to write (default: <out>/plan_draft_<YYYY>Q<n>.yaml)")
    p.set_defaults(func=_lazy("plan.draft", "cli_plan_draft"))

    roster = sub.add_parser("roster", help="the mailing list").add_subparsers(dest="sub", required=True)
    p = roster.add_parser("import", help="import the roster CSV (name,email,phone,oblast,municipality,role,language) "
                          "or a Google Groups member export")
    p.add_argument("csv", type=Path)
    p.add_argument("--skip-invalid", action="store_true", help="import the valid rows even if some rows are bad")
    p.set_defaults(func=cmd_roster_import)
    p = roster.add_parser("add", help="add one participant (validated like an import)")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--oblast", required=True, help="code (naryn) or name (Нарынская)")
    p.add_argument("--language", required=True, choices=["ky", "ru"])
    p.add_argument("--role", help="deputy, candidate, activist, municipal_servant, mentor, other")
    p.add_argument("--phone")
    p.add_argument("--municipality")
    p.add_argument("--sex", choices=["f", "m"])
    p.set_defaults(func=cmd_roster_add)
    p = roster.add_parser("sync-group", help="bring the Google Group's members in line with the roster")
    p.add_argument("--dry-run", action="store_true", help="show the differences, change nothing")
    p.set_defaults(func=cmd_roster_sync_group)
    p = roster.add_parser("list", help="list the roster")
    p.add_argument("--all", action="store_true", help="include people who left")
    p.set_defaults(func=cmd_roster_list)
    p = roster.add_parser("remove", help="a participant leaves the club (her past responses are kept)")
    p.add_argument("email")
    p.set_defaults(func=cmd_roster_remove)

    forms = sub.add_parser("forms", help="forms made from templates").add_subparsers(dest="sub", required=True)
    p = forms.add_parser("list", help="forms made so far, with their status and number of responses")
    p.set_defaults(func=cmd_forms_list)
    p = forms.add_parser("build", help="the exact Google Forms requests a template becomes (sends nothing)",
                         description="Print the bodies of forms.create (sent with ?unpublished=true), the one "
                                     "forms.batchUpdate and forms.setPublishSettings that make TEMPLATE a form.")
    p.add_argument("template", help="template id (a file in forms_templates/) or a path to a .yaml template")
    p.add_argument("--json", action="store_true", help='print {"create", "batchUpdate", "setPublishSettings"}')
    p.add_argument("--deadline", help="closing time shown on the form (ISO 8601; without offset: Asia/Bishkek)")
    p.add_argument("--key", help="form key of the plan (names the form's file in Drive, as the scheduler does)")
    p.add_argument("--presenters", help="comma-separated names for a vote whose options are the presenters")
    p.set_defaults(func=cmd_forms_build)

    p = sub.add_parser("auth", help="sign in to Google (gmail.com: browser; Workspace: service account) and "
                                    "show the permissions",
                       description="With an OAuth client file (Desktop app): opens the browser once and saves the "
                                   "sign-in in token.json (readable only by you). With a service account key: "
                                   "checks it. See docs/GOOGLE.md.")
    p.add_argument("--check", action="store_true", help="only check the saved sign-in or key (no browser)")
    p.add_argument("--read-mail", action="store_true",
                   help="also allow reading the sent mail (gmail.readonly), to check after a crash what went out")
    p.set_defaults(func=cmd_auth)

    resp = sub.add_parser("responses", help="responses").add_subparsers(dest="sub", required=True)
    p = resp.add_parser("sync", help="pull responses and rewrite the workbooks now")
    p.add_argument("form", nargs="?", help="form key (default: every form)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_responses_sync)
    p = resp.add_parser("import", help="import a Google Forms CSV export ('Download responses' or the linked Sheet)",
                        description="Reads the CSV (or the .zip) of Google Forms' 'Download responses', or the CSV "
                                    "of the linked Sheet, with English or Russian headings. With --template the "
                                    "columns are mapped to the template's questions by title; without one each "
                                    "column's kind is inferred from the data. Respondents are matched to the roster "
                                    "by e-mail. A file with any problem is rejected whole: nothing is imported.")
    p.add_argument("csv", type=Path, help="the exported .csv (or .zip)")
    p.add_argument("--template", help="template id the form was made from (forms_templates/), e.g. event_feedback")
    p.add_argument("--event", help="event (or survey) id the responses belong to, e.g. ws_law_budget")
    p.add_argument("--pre-test", action="store_true", help="the export is the pre-test of the event")
    p.add_argument("--form-key", help="store the form under this key (default: <event>.<template>[.pre])")
    p.set_defaults(func=cmd_responses_import)

    mail = sub.add_parser("mail", help="mailings from templates").add_subparsers(dest="sub", required=True)
    p = mail.add_parser("preview", help="show exactly what a mail action would send, to whom, without sending")
    p.add_argument("action", help="the action key, e.g. ws_law_budget.programme_draft (see `plan show`)")
    p.add_argument("--now", help="as of this moment (default: now)")
    p.add_argument("--all", action="store_true", help="show every personal message, not just the first")
    p.set_defaults(func=cmd_mail_preview)
    p = mail.add_parser("send", help="send a mail action now (exactly once: what was sent is not sent again)")
    p.add_argument("action")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_mail_send)

    p = sub.add_parser("report", help="charts and the mentor's report")
    p.add_argument("--out", help="directory (default: out/ from the configuration)")
    p.add_argument("--event", help="only this event")
    p.add_argument("--lang", choices=["ru", "ky"])
    p.add_argument("--json", action="store_true", help="also write summary.json")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("serve", help="serve the local web forms (personal links /t/TOKEN, public links /f/ID)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.set_defaults(func=cmd_serve)

    # The club's own programmes (issue 6): automation/school.py, stars.py, indicators.py, plan_draft.py.
    school = sub.add_parser("school", help="School of future deputies: codes, scoring, ranking, selection"
                            ).add_subparsers(dest="sub", required=True)

    def scores_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("scores", nargs="+", type=Path, help="code,member,criterion,score CSV(s) or members' .xlsx")
        p.add_argument("--commission", type=Path, help="commission.yaml (members, targets, flag settings)")
        p.add_argument("--members", help='the commission, comma-separated: "A,B,C" (default: those in the file)')
        p.add_argument("--expect-members", type=int, default=3, help="members the commission has (default 3)")
        p.add_argument("--flag-top", type=int, help="flag the K largest spreads for discussion (default 3)")
        p.add_argument("--flag-spread", type=float, help="also flag every spread ≥ this (points of 100)")

    p = school.add_parser("score", help="check the scores and print the ranking (problems: exit 2)")
    scores_args(p)
    p.add_argument("--json", action="store_true", help='print [{"code","total","rank","spread","flagged"}]')
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_score"))
    p = school.add_parser("finalize", help="record the checked ranking and the selected list as final")
    scores_args(p)
    p.add_argument("--force", action="store_true", help="replace a final ranking made from other scores")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_finalize"))
    p = school.add_parser("codes", help="code the applications and list them (no names)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_codes"))
    p = school.add_parser("sheets", help="one scoring .xlsx per commission member with the coded applications")
    p.add_argument("--out", type=Path, required=True, help="directory for the workbooks")
    p.add_argument("--commission", type=Path)
    p.add_argument("--members")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_sheets"))
    p = school.add_parser("collect", help="read the filled scoring sheets into one scores CSV")
    scores_args(p)
    p.add_argument("--out", type=Path, required=True, help="the CSV to write")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_collect"))
    p = school.add_parser("selected", help="the final list (names and contacts only with --names)")
    p.add_argument("--names", action="store_true", help="reveal names and contacts (only once the ranking is final)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_selected"))
    p = school.add_parser("accept", help="the selected applicants join the roster (source 'school')")
    p.add_argument("--language", choices=["ky", "ru"], default="ky", help="their mail language (default ky)")
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_accept"))
    p = school.add_parser("notify", help="mail every applicant her result (exactly once)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=_lazy("programmes.school.selection", "cli_notify"))

    p = sub.add_parser("stars", help="the season's stars from the best-practice votes, and the #ЧоңОй speakers")
    p.add_argument("--top", type=int, default=5, help="#ЧоңОй speakers to propose (default 5)")
    p.add_argument("--ties", choices=["share", "split"], default="share",
                   help="tied winners: each gets a star (share, default) or 1/k each (split)")
    p.add_argument("--year", type=int, help="only the votes of this year")
    p.add_argument("--lang", choices=["ru", "ky"])
    p.add_argument("--out", help="directory for the chart and workbook (default: out/ and sheets/)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("analysis.stars", "cli_stars"))

    ind = sub.add_parser("indicators", help="donor indicators: by oblast and role, women's share, School funnel")
    ind.add_argument("--json", action="store_true")
    ind.add_argument("--lang", choices=["ru", "ky"])
    ind.add_argument("--out", help="also write indicators.json and indicators.xlsx here")
    ind.set_defaults(func=_lazy("analysis.indicators", "cli_indicators"))
    p = ind.add_subparsers(dest="sub").add_parser("outcomes", help="enter graduation and election results "
                                                  "(CSV email|code,graduated,elected[,election])")
    p.add_argument("csv", type=Path)
    p.set_defaults(func=_lazy("analysis.indicators", "cli_outcomes"))
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AutomationError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
