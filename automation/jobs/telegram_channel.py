"""The Telegram channel in the scheduler: the mail jobs with their announcements, and the channel's tick.

:func:`with_telegram` wraps a mail job: what it composes for the group (and for linked participants)
is noted while it runs (:func:`automation.jobs.announcements.collecting`), recorded, and posted after
the mail (:func:`automation.jobs.announcements.flush`), whatever became of the mail: the two channels
go on without each other.  :func:`tick` runs at every scheduler tick: the bot's new messages
(/start, /stop), corrections of moved events, then the pending posts; while the bot's username is not
known it first asks Telegram once (:func:`learn_username`).  :func:`preview_text` gives the
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


def learn_username(ctx: Context, now: datetime) -> str | None:
    """The bot's username (:func:`automation.jobs.announcements.bot_username`), asking Telegram (one getMe)
    only when it is neither configured nor stored yet, and the channel has a port and is not stopped.

    What getMe gives is stored (meta ``telegram.bot_username``), so it is asked once: a bot's username
    changes only through @BotFather (``telegram check`` asks again each time it runs).  Returns None while
    it is not known: personal mails then go without the «link Telegram» line.  Never raises a channel
    fault: a revoked token stops the channel (as :func:`automation.jobs.telegram_links.poll` would); any
    other fault is logged and the next tick (or mail action run by hand) asks again.
    """
    from automation.errors import TelegramError, TelegramUnauthorized

    known = announcements.bot_username(ctx)
    tg = ctx.telegram
    if known or tg is None or tg.port is None or announcements.stopped(ctx):
        return known
    try:
        me = tg.port.get_me()
    except TelegramUnauthorized as e:
        announcements.stop(ctx, e, now)
        return None
    except TelegramError as e:
        ctx.log(f"telegram: could not ask Telegram for the bot's username now ({e}); personal mails go without "
                "the «link Telegram» line until it is known")
        return None
    return _remember(ctx, me.username)


def _remember(ctx: Context, username: str) -> str | None:
    """Store the username getMe gave (None, nothing stored, when it gave none)."""
    name = username.lstrip("@")
    if not name:
        ctx.log("telegram: Telegram gave no username for the bot; personal mails go without the «link Telegram» line")
        return None
    if ctx.store.meta.get(announcements.USERNAME) != name:
        ctx.store.meta.set(announcements.USERNAME, name)
        ctx.log(f"telegram: the bot is @{name}; personal mails now offer to link Telegram (t.me/{name})")
    return name


def tick(ctx: Context, now: datetime) -> announcements.Flushed | None:
    """The channel's share of a scheduler tick: the bot's username while unknown (:func:`learn_username`, at
    most one getMe), /start and /stop, moved events, pending posts.  None without a ``telegram:`` section.
    Never raises a channel fault (it stops the channel and tells the admin)."""
    if ctx.telegram is None:
        return None
    learn_username(ctx, now)
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

    getMe + getChat + getChatMember of the bot.  The username getMe gives is stored for the «link Telegram»
    line of personal mail; when club.yaml's ``telegram.bot_username`` (which wins) names another bot, a
    line warns (Kyrgyz, Russian) without changing ``ok``.  When it can post, a stopped channel runs again
    (its pending posts go at the next tick); when it cannot, the lines say why and what to do (Kyrgyz, Russian).
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
    _remember(ctx, m.bot_username)
    lines += mismatch(tg.bot_username, m.bot_username)
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


def mismatch(configured: str | None, actual: str) -> list[str]:
    """The admin's warning (Kyrgyz, then Russian) when club.yaml's ``telegram.bot_username`` is not the
    username getMe gave (Telegram usernames ignore case); [] when they agree or nothing is configured."""
    if not configured or not actual or configured.lower() == actual.lstrip("@").lower():
        return []
    actual = actual.lstrip("@")
    return [f"Көңүл буруңуз: club.yaml файлында бот @{configured} деп жазылган (telegram.bot_username), бирок бул "
            f"токен @{actual} ботуна таандык. Каттардагы «Telegram'ды туташтыруу» шилтемеси @{configured} ботуна "
            "алып барат, ошондуктан катышуучулар туташа албай калышы мүмкүн. club.yaml файлынан bot_username "
            "сабын өчүрүңүз (боттун аты өзү аныкталат) же аны оңдоңуз.",
            f"Внимание: в club.yaml указан бот @{configured} (telegram.bot_username), но этот токен принадлежит "
            f"боту @{actual}. Ссылка «подключить Telegram» в письмах ведёт к @{configured}, и участницы могут не "
            "подключиться. Удалите строку bot_username из club.yaml (имя бота определяется само) или исправьте её."]


#: The statuses of a post, in the order ``telegram status`` lists them.
POST_STATUSES = ("pending", "posted", "unknown", "failed", "cancelled")


@dataclass(frozen=True)
class ChannelState:
    """The Telegram channel's state (``telegram status``, the console's Today page).

    ``configured``: club.yaml has a ``telegram:`` section (nothing else is filled otherwise); ``chat_id`` the
    group's id; ``stopped``: why the channel is stopped, Kyrgyz and Russian (None while it runs; the Kyrgyz
    line is the Russian one when no open alert has it); ``counts`` of posts by status (:data:`POST_STATUSES`);
    ``unknown`` the posts of unknown fate (each posted again only by ``telegram repost KEY`` after checking the
    chat), ``failed`` those Telegram refused; ``linked`` participants the bot writes to, ``codes`` handed out;
    ``bot_username`` the one the «link Telegram» line of personal mail uses (None while not known: those
    mails then go without the line).
    """

    configured: bool
    chat_id: int | None = None
    stopped: I18n | None = None
    counts: dict[str, int] = field(default_factory=dict)
    unknown: list[TelegramPost] = field(default_factory=list)
    failed: list[TelegramPost] = field(default_factory=list)
    linked: int = 0
    codes: int = 0
    bot_username: str | None = None


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
                        posts["failed"], sum(1 for x in links if x.active), len(links), announcements.bot_username(ctx))
