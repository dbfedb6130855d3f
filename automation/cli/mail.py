"""``mail preview`` (what a mail action would send, to whom), ``mail send`` (send it now, exactly once) and
``mail resend`` (send again a message whose outcome is unknown)."""

from __future__ import annotations

import argparse

from datetime import datetime

from automation.cli.common import context_from, now_from
from automation.context import Context
from automation.model import Action


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
    _telegram_preview(ctx, action, now_from(args), args.all)
    return 0


def _telegram_preview(ctx: Context, action: Action, now: datetime, show_all: bool) -> None:
    """What the bot would post beside the mail (when club.yaml has a telegram: section)."""
    from automation.jobs.telegram_channel import preview_text

    notes = preview_text(ctx, action, now)
    if ctx.telegram is None:
        return
    if not notes:
        print("=" * 72 + "\nTelegram: nothing would be posted (personal messages go only to linked private chats).")
        return
    for i, n in enumerate(notes):
        if i >= (len(notes) if show_all else 1):
            print(f"... and {len(notes) - i} more Telegram message(s) (--all shows every one)")
            break
        where = "the group" if n.audience == "group" else f"a private chat ({n.chat_id})"
        print("=" * 72)
        print(f"Telegram, to {where}: {len(n.texts)} message(s)" +
              (f" + document(s) {', '.join(p.name for p in n.documents)}" if n.documents else ""))
        for j, text in enumerate(n.texts):
            print(f"--- message {j + 1} ({len(text)} characters) ---")
            print(text)


def cmd_mail_send(args: argparse.Namespace) -> int:
    """``mail send ACTION``: send now and record it in the ledger; exit 1 when the mailing failed."""
    from automation.plan.actions import mail_action
    from automation.scheduler import run_action

    ctx = context_from(args, quiet=True)
    action = mail_action(ctx.plan, args.action)
    res = run_action(ctx, action, now_from(args))
    print(f"{action.key}: {res.status}: {res.detail}")
    return 0 if res.status in ("done", "skipped", "deferred") else 1


def cmd_mail_resend(args: argparse.Namespace) -> int:
    """``mail resend MESSAGE-ID ... | --all-unknown``: one line per message; exit 1 unless every one was sent or found."""
    from automation.errors import AutomationError
    from automation.jobs.delivery import resend
    from automation.jobs.mailings import COMPOSERS
    from automation.manual import mailing_of

    if bool(args.message_id) == bool(args.all_unknown):
        raise AutomationError("mail resend: give the Message-ID(s) from the alert mail, or --all-unknown (not both)")
    ctx = context_from(args, quiet=True)
    ids = args.message_id or [d.message_id for d in ctx.store.deliveries.unknown()]
    if not ids:
        print("No message has an unknown outcome: nothing to resend.")
        return 0
    results = resend(ctx, ids, now_from(args), COMPOSERS, lambda key: mailing_of(ctx, key))
    for r in results:
        print(f"{r.message_id}: {r.status}: {r.detail}")
    return 0 if all(r.status in ("sent", "already") for r in results) else 1
