"""The Telegram channel in the scheduler: the mail jobs with their announcements, and the channel's tick.

:func:`with_telegram` wraps a mail job: what it composes for the group (and for linked participants)
is noted while it runs (:func:`automation.jobs.announcements.collecting`), recorded, and posted after
the mail (:func:`automation.jobs.announcements.flush`), whatever became of the mail: the two channels
go on without each other.  :func:`tick` runs at every scheduler tick: the bot's new messages
(/start, /stop), corrections of moved events, then the pending posts.  :func:`preview_text` gives the
Telegram text of a mail action for ``mail preview``.  :func:`status` is the channel's state, for
``telegram status`` and the console's Today page alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from automation.context import Context
from automation.jobs import JobResult, announcements, mailings, telegram_links
from automation.model import Action
from automation.model import I18n
from automation.plan.actions import actions as plan_actions
from automation.store.telegram import TelegramPost

Job = Callable[[Context, Action, datetime], JobResult]
logger = logging.getLogger(__name__)


def with_telegram(job: Job) -> Job:
    """``job`` (a mail job) that also records and posts its Telegram announcements (see the module docstring)."""

    def run(ctx: Context, action: Action, now: datetime) -> JobResult:
        if ctx.telegram is None:
            return job(ctx, action, now)
        with announcements.collecting() as notes:
            try:
                return job(ctx, action, now)
            finally:
                try:
                    announcements.enqueue(ctx, notes, now)
                    announcements.flush(ctx, now)
                except Exception as e:  # a fault of the channel never changes what the mail job did
                    logger.exception("telegram: posting %s failed", action.key)
                    ctx.log(f"telegram: posting {action.key} failed ({type(e).__name__}: {e}); the next tick retries")

    run.__doc__ = job.__doc__
    return run


def rerender(ctx: Context, now: datetime) -> Callable[[Action], list[announcements.Note]]:
    """The announcements ``action`` would note if it were composed now (a preview: nothing sent or stored)."""

    def notes_of(action: Action) -> list[announcements.Note]:
        with announcements.collecting() as notes:
            mailings.preview(ctx, action, now)
        return notes

    return notes_of


def tick(ctx: Context, now: datetime) -> announcements.Flushed | None:
    """The channel's share of a scheduler tick: /start and /stop, moved events, pending posts.  None without
    a ``telegram:`` section.  Never raises a channel fault (it stops the channel and tells the admin)."""
    if ctx.telegram is None:
        return None
    telegram_links.poll(ctx, now)
    acts = {a.key: a for a in plan_actions(ctx.plan) if a.kind.startswith("mail.")}
    announcements.follow_moves(ctx, now, acts, rerender(ctx, now))
    return announcements.flush(ctx, now)


def preview_text(ctx: Context, action: Action, now: datetime) -> list[announcements.Note]:
    """What the bot would post for ``action`` at ``now`` (nothing sent or stored); [] without a channel."""
    if ctx.telegram is None:
        return []
    return rerender(ctx, now)(action)


def check(ctx: Context) -> tuple[bool, list[str]]:
    """``python main.py telegram check``: can the bot post to the group?  (ok, lines for the admin).

    getMe + getChat + getChatMember of the bot.  When it can post, a stopped channel runs again (its
    pending posts go at the next tick); when it cannot, the lines say why and what to do (Kyrgyz, Russian).
    """
    from automation.errors import TelegramError
    from automation.jobs.telegram_alerts import stop_reason

    tg = ctx.telegram
    if tg is None:
        return False, ["club.yaml has no telegram: section (docs/TELEGRAM.md): the service only mails."]
    if tg.port is None:
        return False, list(stop_reason(ctx, None))
    try:
        m = tg.port.check(tg.chat_id)
    except TelegramError as e:
        return False, list(stop_reason(ctx, e))
    lines = [f"bot @{m.bot_username} (id {m.bot_id}); chat «{m.chat_title}» ({m.chat_type}, id {m.chat_id}); "
             f"the bot's status there: {m.status}"]
    if not m.can_post:
        return False, lines + ["Бот бул топко жаза албайт: аны топко мүчө же администратор катары кошуңуз. / Бот не может "
                               "писать в эту группу: добавьте его в группу участником или администратором."]
    was = announcements.stopped(ctx)
    announcements.resume(ctx)
    pending = len(ctx.store.telegram.with_status("pending"))
    lines.append("OK: the bot can post to the group." + (f" The channel was stopped ({was}); it runs again." if was
                                                          else ""))
    if pending:
        lines.append(f"{pending} pending post(s) go out at the next tick (`python main.py run --once`).")
    unknown = ctx.store.telegram.with_status("unknown")
    if unknown:
        lines.append(f"{len(unknown)} post(s) of unknown fate, not posted again: " +
                     ", ".join(p.post_key for p in unknown[:5]) + (" ..." if len(unknown) > 5 else "") +
                     " (`python main.py telegram repost KEY` after checking the chat)")
    return True, lines


#: The statuses of a post, in the order ``telegram status`` lists them.
POST_STATUSES = ("pending", "posted", "unknown", "failed", "cancelled")


@dataclass(frozen=True)
class ChannelState:
    """The Telegram channel's state (``telegram status``, the console's Today page).

    ``configured``: club.yaml has a ``telegram:`` section (nothing else is filled otherwise); ``chat_id`` the
    group's id; ``stopped``: why the channel is stopped, Kyrgyz and Russian (None while it runs; the Kyrgyz
    line is the Russian one when no open alert has it); ``counts`` of posts by status (:data:`POST_STATUSES`);
    ``unknown`` the posts of unknown fate (each posted again only by ``telegram repost KEY`` after checking the
    chat), ``failed`` those Telegram refused; ``linked`` participants the bot writes to, ``codes`` handed out.
    """

    configured: bool
    chat_id: int | None = None
    stopped: I18n | None = None
    counts: dict[str, int] = field(default_factory=dict)
    unknown: list[TelegramPost] = field(default_factory=list)
    failed: list[TelegramPost] = field(default_factory=list)
    linked: int = 0
    codes: int = 0


def status(ctx: Context) -> ChannelState:
    """The channel's state now (reads only; see :class:`ChannelState`)."""
    from automation.jobs.alerts import STOPPED_PREFIX

    if ctx.telegram is None:
        return ChannelState(False)
    ru = announcements.stopped(ctx)
    words = None
    if ru is not None:
        alert = ctx.store.alerts.get(f"{STOPPED_PREFIX}{ru}")
        ky = alert.detail.partition("\n")[0] if alert is not None and "\n" in alert.detail else ru
        words = I18n(ky, ru)
    repo = ctx.store.telegram
    posts = {s: repo.with_status(s) for s in POST_STATUSES}
    links = repo.links()
    return ChannelState(True, ctx.telegram.chat_id, words, {s: len(p) for s, p in posts.items()}, posts["unknown"],
                        posts["failed"], sum(1 for x in links if x.active), len(links))
