"""``mail preview`` (what a mail action would send, to whom) and ``mail send`` (send it now, exactly once)."""

from __future__ import annotations

import argparse

from automation.cli.common import context_from, now_from


def cmd_mail_preview(args: argparse.Namespace) -> int:
    """``mail preview ACTION [--now ISO] [--all]``: headers, envelope and text of the first (or every) message."""
    from automation.jobs import JobResult
    from automation.jobs.mailings import preview
    from automation.plan.actions import mail_action

    ctx = context_from(args, quiet=True)
    action = mail_action(ctx.plan, args.action)
    out = preview(ctx, action, now_from(args))
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
    """``mail send ACTION``: send now and record it in the ledger; exit 1 when the mailing failed."""
    from automation.plan.actions import mail_action
    from automation.scheduler import run_action

    ctx = context_from(args, quiet=True)
    action = mail_action(ctx.plan, args.action)
    res = run_action(ctx, action, now_from(args))
    print(f"{action.key}: {res.status}: {res.detail}")
    return 0 if res.status in ("done", "skipped", "deferred") else 1
