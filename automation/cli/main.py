"""The command line: ``python main.py COMMAND ...`` (a thin layer over the library).

This module registers the commands (:func:`build_parser`) and runs one (:func:`main`);
the handlers live beside it, one module per group of commands (``cli/roster.py``,
``cli/plan.py``, ``cli/forms.py``, ``cli/responses.py``, ``cli/mail.py``,
``cli/report.py``, ``cli/run.py``, ``cli/telegram.py``, ``cli/alerts.py``), and take what they need from
:mod:`automation.cli.common`.

Errors a person can fix are printed to stderr as plain messages, exit code 2;
no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from automation.cli.backup import cmd_backup, cmd_restore
from automation.cli.forms import cmd_forms_build, cmd_forms_check, cmd_forms_edit, cmd_forms_extend, cmd_forms_list
from automation.cli.mail import cmd_mail_preview, cmd_mail_resend, cmd_mail_send
from automation.cli.plan import cmd_plan_check, cmd_plan_hold, cmd_plan_show
from automation.cli.report import cmd_report
from automation.cli.responses import cmd_responses_import, cmd_responses_sync
from automation.cli.roster import (cmd_roster_add, cmd_roster_import, cmd_roster_list, cmd_roster_rejoin,
                                   cmd_roster_remove, cmd_roster_sync_group)
from automation.cli.run import cmd_auth, cmd_demo, cmd_run, cmd_serve
from automation.cli.users import cmd_users_add, cmd_users_list, cmd_users_remove
from automation.errors import AutomationError
from automation.plan.status import STATUSES


def _lazy(module: str, name: str):
    """A command handler that imports ``automation.<module>`` only when the command runs (pandas is slow to load)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(f"automation.{module}"), name)(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    """Every command and its options; each sub-parser's ``func`` is its handler (``handler(args) -> exit code``)."""
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
    p.add_argument("--status", choices=list(STATUSES))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan_show)
    p = plan.add_parser("check", help="problems that will make an action fail (missing programme or material file, "
                        "presenter not in the roster, broken form template), found weeks ahead")
    p.add_argument("--now", help="check from this moment (default: now)")
    p.add_argument("--days", type=int, help="days ahead to check (default 35)")
    p.set_defaults(func=cmd_plan_check)
    p = plan.add_parser("hold", help="put an action on hold: the scheduler does not run it until released")
    p.add_argument("key", help="the action key (see `plan show`)")
    p.add_argument("--reason", help="why (kept in the audit log)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_plan_hold)
    p = plan.add_parser("release", help="release a held action")
    p.add_argument("key")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_plan_hold)
    p = plan.add_parser("done", help="record an action as done by hand (it will not run)")
    p.add_argument("key")
    p.add_argument("--note", required=True, help="what was done instead (kept in the ledger)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_plan_hold)
    p = plan.add_parser("draft", help="a draft plan for the next quarter from the latest needs assessment")
    p.add_argument("--quarter", help="e.g. 2023Q1 (default: the quarter after --today)")
    p.add_argument("--today", help="YYYY-MM-DD (default: today in Asia/Bishkek)")
    p.add_argument("--workshops", type=int, default=3, help="online workshops to propose, one a month (default 3)")
    p.add_argument("--form", help="form key of the needs assessment (default: the latest)")
    p.add_argument("--out", help="file to write (default: <out>/plan_draft_<YYYY>Q<n>.yaml)")
    p.set_defaults(func=_lazy("cli.plan_draft", "cli_plan_draft"))

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
    p.add_argument("--update", action="store_true",
                   help="the address is already in the roster: change her details to these (the changes are shown)")
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
    p = roster.add_parser("rejoin", help="someone who left is a member again (a later import never brings her back)")
    p.add_argument("email")
    p.set_defaults(func=cmd_roster_rejoin)

    forms = sub.add_parser("forms", help="forms made from templates").add_subparsers(dest="sub", required=True)
    p = forms.add_parser("list", help="forms made so far, with their status and number of responses")
    p.set_defaults(func=cmd_forms_list)
    p = forms.add_parser("extend", help="move an open form's deadline later (reminder, closing and results follow)")
    p.add_argument("form", help="form key (see `forms list`)")
    p.add_argument("deadline", help="the new deadline (ISO 8601; without an offset: Asia/Bishkek), e.g. 2022-09-25T18:00")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_forms_extend)
    p = forms.add_parser("check", help="validate a template, a test or a question bank and show it as text",
                         description="Check FILE (a form template, an event's test or the question bank): every "
                                     "problem with its line number, or a text preview of the form as the "
                                     "participant sees it. Stores and sends nothing.")
    p.add_argument("file", help="path to the .yaml file")
    p.add_argument("--lang", choices=["ky", "ru"], default="ky", help="language of the preview (default ky)")
    p.add_argument("--answers", action="store_true", help="mark the correct answers and points in the preview")
    p.set_defaults(func=cmd_forms_check)
    p = forms.add_parser("edit", help="correct a form already sent (texts, new options, a later deadline)",
                         description="Correct the form FORM_KEY after the invitations went out: its questions "
                                     "from FILE (the corrected template or test) and/or a later deadline. "
                                     "Responses are kept with the version they answered; a change that would "
                                     "lose answers or change their meaning is refused and nothing changes.")
    p.add_argument("form_key", help="the form's key, e.g. ws_law_budget.post_test (see `forms list`)")
    p.add_argument("--from", dest="source", metavar="FILE", help="the corrected template or test file (.yaml)")
    p.add_argument("--deadline", help='a later deadline, "YYYY-MM-DD HH:MM" Asia/Bishkek')
    p.add_argument("--note", help="why the form was corrected (kept with the earlier version)")
    p.add_argument("--now", help="pretend it is this moment (ISO 8601; without an offset: Asia/Bishkek)")
    p.set_defaults(func=cmd_forms_edit)
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

    google = sub.add_parser("google", help="Google backend checks").add_subparsers(dest="sub", required=True)
    p = google.add_parser("selftest", help="check with the real account what cannot be checked offline (makes a "
                                           "throwaway form, spreadsheet and mail to you, then deletes them)",
                          description="Prints a plain report (ok / different / unchecked per check) and writes the "
                                      "sanitized exchanges in the format of tests/google_recordings/. docs/GOOGLE.md.")
    p.add_argument("--to", help="where the test mail goes (default: the plan's admin_email)")
    p.add_argument("--out", help="folder for the sanitized exchanges (default: <out>/google-selftest)")
    p.set_defaults(func=_lazy("cli.google", "cmd_selftest"))

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
    p = mail.add_parser("resend", help="send again a message whose outcome is unknown (named in the admin's alert "
                        "mail), and record it; one found in the Sent folder is recorded as sent instead")
    p.add_argument("message_id", nargs="*", metavar="MESSAGE-ID", help="its Message-ID, with or without <>")
    p.add_argument("--all-unknown", action="store_true", help="every message whose outcome is unknown")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_mail_resend)

    tg = sub.add_parser("telegram", help="the club's Telegram group (docs/TELEGRAM.md)").add_subparsers(
        dest="sub", required=True)
    p = tg.add_parser("check", help="whether the bot can post to the group (a stopped channel runs again if so)")
    p.set_defaults(func=_lazy("cli.telegram", "cmd_telegram_check"))
    p = tg.add_parser("status", help="the channel: running or stopped, its posts by status, linked participants")
    p.set_defaults(func=_lazy("cli.telegram", "cmd_telegram_status"))
    p = tg.add_parser("repost", help="post again a post whose fate is unknown after a crash (named in the admin's "
                      "alert); check the group first: it may be there")
    p.add_argument("key", nargs="*", metavar="KEY", help="the post key from the alert mail")
    p.add_argument("--all-unknown", action="store_true", help="every post whose fate is unknown")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=_lazy("cli.telegram", "cmd_telegram_repost"))

    al = sub.add_parser("alerts", help="the problems the admin was alerted about and has not marked handled "
                        "(as on the console's Today page), in Kyrgyz and Russian",
                        description="Without a sub-command: lists every open alert, oldest first, in the words of "
                                    "the alert mail, with the key `alerts handle` takes.")
    al.set_defaults(func=_lazy("cli.alerts", "cmd_alerts"))
    p = al.add_subparsers(dest="sub").add_parser(
        "handle", help="mark alerts handled, as the Today page's buttons do (written to the audit log)")
    p.add_argument("problem", nargs="*", metavar="PROBLEM", help="the problem key that `alerts` prints, "
                   "e.g. failed:ws_law_budget.programme_draft")
    p.add_argument("--all-skipped", action="store_true", help="every open alert about a skipped action")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=_lazy("cli.alerts", "cmd_alerts_handle"))

    p = sub.add_parser("report", help="the mentor's report: her four questions first, event and form pages")
    p.add_argument("--out", help="directory (default: out/ from the configuration)")
    p.add_argument("--event", help="only this event")
    p.add_argument("--lang", choices=["ru", "ky"])
    p.add_argument("--json", action="store_true", help="also write summary.json (and overview.json for the season)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("serve", help="run everything in one process: the web forms (personal links /t/TOKEN, public "
                       "links /f/ID) on waitress and the scheduler; stops cleanly on SIGTERM or Ctrl+C",
                       description="The production way to run the service (docs/HOSTING.md): the web app on the "
                                   "waitress WSGI server and the plan's scheduler in one process. SIGTERM lets the "
                                   "scheduler finish the action it is running, then exits 0.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--no-scheduler", action="store_true", help="serve the web forms only (the plan is not run)")
    p.add_argument("--interval", type=float, default=60, help="seconds between the scheduler's checks (default 60)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("backup", help="copy the state file now (safe while the service runs); files readable by "
                       "this user only")
    p.add_argument("--to", type=Path, help="folder (default: backup.dir of club.yaml, else backups/ beside the state)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="put a backup in the state file's place (checked first; the current state is "
                       "kept beside it); stop the service first")
    p.add_argument("file", type=Path, help="the backup, e.g. backups/state-20260130T020000Z.sqlite")
    p.add_argument("--force", action="store_true",
                   help="restore even a state whose forms belong to none of this plan's events (another club's)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_restore)

    users = sub.add_parser("users", help="accounts of the admin console (/admin/ of serve)").add_subparsers(
        dest="sub", required=True)
    p = users.add_parser("add", help="add an account; the password is asked at a prompt (or read from stdin)")
    p.add_argument("email")
    p.add_argument("--role", required=True, choices=["admin", "mentor", "commission"],
                   help="admin: everything; mentor: plan and reports; commission: School scoring only")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="the accounts, their roles and last sign-in")
    p.set_defaults(func=cmd_users_list)
    p = users.add_parser("remove", help="remove an account (not the last admin)")
    p.add_argument("email")
    p.set_defaults(func=cmd_users_remove)

    # The club's own programmes (issue 6): cli/school.py, cli/stars.py, cli/indicators.py, cli/plan_draft.py.
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
    p.set_defaults(func=_lazy("cli.school", "cli_score"))
    p = school.add_parser("finalize", help="record the checked ranking and the selected list as final")
    scores_args(p)
    p.add_argument("--force", action="store_true", help="replace a final ranking made from other scores")
    p.set_defaults(func=_lazy("cli.school", "cli_finalize"))
    p = school.add_parser("codes", help="code the applications and list them (no names)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("cli.school", "cli_codes"))
    p = school.add_parser("sheets", help="one scoring .xlsx per commission member with the coded applications")
    p.add_argument("--out", type=Path, required=True, help="directory for the workbooks")
    p.add_argument("--commission", type=Path)
    p.add_argument("--members")
    p.set_defaults(func=_lazy("cli.school", "cli_sheets"))
    p = school.add_parser("collect", help="read the filled scoring sheets into one scores CSV")
    scores_args(p)
    p.add_argument("--out", type=Path, required=True, help="the CSV to write")
    p.set_defaults(func=_lazy("cli.school", "cli_collect"))
    p = school.add_parser("selected", help="the final list (names and contacts only with --names)")
    p.add_argument("--names", action="store_true", help="reveal names and contacts (only once the ranking is final)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("cli.school", "cli_selected"))
    p = school.add_parser("accept", help="the selected applicants join the roster (source 'school')")
    p.add_argument("--language", choices=["ky", "ru"], default="ky", help="their mail language (default ky)")
    p.set_defaults(func=_lazy("cli.school", "cli_accept"))
    p = school.add_parser("notify", help="mail every applicant her result (exactly once)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.set_defaults(func=_lazy("cli.school", "cli_notify"))

    p = sub.add_parser("stars", help="the season's stars from the best-practice votes, and the #ЧоңОй speakers")
    p.add_argument("--top", type=int, default=5, help="#ЧоңОй speakers to propose (default 5)")
    p.add_argument("--ties", choices=["share", "split"], default="share",
                   help="tied winners: each gets a star (share, default) or 1/k each (split)")
    p.add_argument("--year", type=int, help="only the votes of this year")
    p.add_argument("--lang", choices=["ru", "ky"])
    p.add_argument("--out", help="directory for the chart and workbook (default: out/ and sheets/)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_lazy("cli.stars", "cli_stars"))

    ind = sub.add_parser("indicators", help="donor indicators: by oblast and role, women's share, School funnel")
    ind.add_argument("--json", action="store_true")
    ind.add_argument("--lang", choices=["ru", "ky"])
    ind.add_argument("--out", help="also write indicators.json and indicators.xlsx here")
    ind.set_defaults(func=_lazy("cli.indicators", "cli_indicators"))
    p = ind.add_subparsers(dest="sub").add_parser("outcomes", help="enter graduation and election results "
                                                  "(CSV email|code,graduated,elected[,election])")
    p.add_argument("csv", type=Path)
    p.set_defaults(func=_lazy("cli.indicators", "cli_outcomes"))
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run the command of ``argv`` (default: ``sys.argv[1:]``); returns its exit code.

    An :class:`AutomationError` is printed as ``Error: <message>`` on stderr, exit code 2, no traceback;
    argparse exits with 2 itself on a bad command line.  The command runs with the umask 077: every file
    and folder it creates is its owner's only.
    """
    args = build_parser().parse_args(argv)
    # every file a command makes is its owner's only (the state, its WAL, workbooks, mail, backups, reports
    # hold names, addresses and answers: DOMAIN.md "do no harm")
    umask = os.umask(0o077)
    try:
        return args.func(args)
    except AutomationError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    finally:
        os.umask(umask)
