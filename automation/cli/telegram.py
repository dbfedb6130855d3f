"""``telegram check`` (can the bot post to the group?), ``telegram status`` (the channel's posts and
links) and ``telegram repost`` (post again a post whose fate is unknown).  docs/TELEGRAM.md."""

from __future__ import annotations

import argparse

from automation.cli.common import context_from, now_from


def cmd_telegram_check(args: argparse.Namespace) -> int:
    """``telegram check``: getMe + getChat + the bot's membership; exit 1 when it cannot post to the group.
    When it can, a stopped channel runs again."""
    from automation.jobs.telegram_channel import check

    ok, lines = check(context_from(args, quiet=True))
    for line in lines:
        print(line)
    return 0 if ok else 1


def cmd_telegram_status(args: argparse.Namespace) -> int:
    """``telegram status``: whether the channel runs, its posts by status, linked participants
    (:func:`automation.jobs.telegram_channel.status`, as the console's Today page shows it)."""
    from automation.jobs.telegram_channel import status

    st = status(context_from(args, quiet=True))
    if not st.configured:
        print("club.yaml has no telegram: section: the service only mails.")
        return 0
    print(f"channel: {'STOPPED: ' + st.stopped.ru if st.stopped else 'running'} (group chat id {st.chat_id})")
    for name, n in st.counts.items():
        print(f"{name}: {n}")
        for p in {"unknown": st.unknown, "failed": st.failed}.get(name, []):
            print(f"  {p.post_key}: {p.error or ''}")
    if st.unknown:
        print("Check the chat; post one that is not there with `python main.py telegram repost KEY`.")
    print(f"participants linked: {st.linked} (codes handed out: {st.codes})")
    print(f"bot: @{st.bot_username} (personal mails offer t.me/{st.bot_username})" if st.bot_username else
          "bot: its username is not known yet, so personal mails go without the «link Telegram» line "
          "(`python main.py telegram check` asks Telegram)")
    return 0


def cmd_telegram_repost(args: argparse.Namespace) -> int:
    """``telegram repost KEY ... | --all-unknown``: one line per post; exit 1 unless every one was posted."""
    from automation.errors import AutomationError
    from automation.jobs.announcements import repost

    if bool(args.key) == bool(args.all_unknown):
        raise AutomationError("telegram repost: give the post key(s) from the alert mail, or --all-unknown (not both)")
    ctx = context_from(args, quiet=True)
    keys = args.key or [p.post_key for p in ctx.store.telegram.with_status("unknown")]
    if not keys:
        print("No post has an unknown fate: nothing to post again.")
        return 0
    results = repost(ctx, keys, now_from(args))
    for key, what in results:
        print(f"{key}: {what}")
    return 0 if all(what.startswith("posted") for _, what in results) else 1
