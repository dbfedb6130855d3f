"""Telegram announcements: what the mail jobs send to the group is also posted in the club's Telegram
group, once; personal reminders go to the private chat of a participant who linked her Telegram.

How a post gets there (docs/TELEGRAM.md):

1. While a mail action composes (:mod:`automation.jobs.mailings`), :func:`note_group` and
   :func:`personal_values` note what the bot should post (:func:`collecting`); personal links only ever
   go to her private chat, never to the group.
2. :func:`enqueue` records each message (text parts, then the attachments as documents) in the store as
   ``pending``, keyed by action, chat and part: noting the same action again adds nothing.
3. :func:`flush` posts the pending messages in order.  **Exactly once:** the intent (``posting``) is
   committed before each Bot API call and Telegram's ``message_id`` after.  Telegram has no way to look
   a sent message up, so a post found still ``posting`` (the service stopped between the call and the
   record) or whose answer was lost becomes ``unknown``: it is never posted again on its own; the admin is
   mailed at once with the command to post it again if it is not in the chat
   (``python main.py telegram repost KEY``).  A post may therefore be missing until she acts, but never
   appears twice.  Answers that certainly posted nothing (429, 401, 403, 400, no connection) leave it
   ``pending`` or ``failed``, never ``unknown``.
4. A revoked token, a bot removed from the group or a wrong chat id stop the channel (the admin is told
   what to do, in Kyrgyz and Russian); mail goes on, and the pending posts wait until
   ``python main.py telegram check`` finds the bot can post again.  A 429 leaves the rest for the next
   tick.  A post whose action's moment passed (``expires``) is cancelled instead of posted late.
5. A moved event (:func:`follow_moves`): its earlier posts are edited (editMessageText) to the new text;
   when that cannot be done, a follow-up answering the first post says what changed.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from automation.context import Context
from automation.errors import (AutomationError, TelegramChatNotFound, TelegramError, TelegramForbidden, TelegramOutcomeUnknown,
                               TelegramRateLimited, TelegramRefused, TelegramUnauthorized, TelegramUnavailable)
from automation.jobs import telegram_text as tt
from automation.mail.documents import attachment, is_markdown
from automation.jobs.telegram_alerts import alert_posts, alert_stopped, repost_handled, stop_handled, stop_reason
from automation.model import Action, Participant, iso, utc_now
from automation.store.telegram import TelegramPost

#: Mail kinds whose text says when and where the event is: their posts follow a moved event.
TIMED_KINDS = ("programme_draft", "programme_final", "prepare_notice")
#: Action key of the bot's answers to /start and /stop (not an action of the plan).
BOT_REPLY = "bot.reply"
#: meta key holding why the channel is stopped (absent while it runs).
STOPPED = "telegram.stopped"
#: meta key holding the bot's username as getMe last gave it (:func:`automation.jobs.telegram_channel.learn_username`).
USERNAME = "telegram.bot_username"


@dataclass
class Note:
    """What one action asks the bot to post to one chat: ``texts`` (already split to Telegram's limit)
    then ``documents``; ``audience`` ``group`` or ``private``; ``expires`` (UTC) when it is no longer useful."""

    action_key: str
    event_id: str
    audience: str
    chat_id: int
    texts: list[str]
    documents: list[Path] = field(default_factory=list)
    fingerprint: str = ""
    expires: datetime | None = None


_NOTES: ContextVar["list[Note] | None"] = ContextVar("telegram_notes", default=None)


@contextmanager
def collecting() -> Iterator[list[Note]]:
    """Collect the notes made while composing inside the ``with`` block (none are made outside one)."""
    notes: list[Note] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note_group(ctx: Context, action: Action, kind: str, values: dict[str, Any], attachments: Sequence[Path]) -> None:
    """The hook of a group mailing: note the same announcement for the group (both languages, Kyrgyz first)."""
    notes = _NOTES.get()
    if notes is None or ctx.telegram is None:
        return
    try:
        text = tt.render(kind, ("ky", "ru"), {"club": ctx.plan.club, **values})
    except AutomationError as e:  # the mail goes on whatever becomes of its post
        ctx.log(f"telegram: {action.key} not posted: {e}")
        return
    event = ctx.plan.event(action.event_id) if kind in TIMED_KINDS else None
    notes.append(Note(action.key, action.event_id, "group", ctx.telegram.chat_id, tt.split(text), list(attachments),
                      tt.fingerprint(event) if event else "", action.expires))


def bot_username(ctx: Context) -> str | None:
    """The bot's username for ``t.me/<bot>?start=<code>`` links, without the ``@``: ``telegram.bot_username``
    of club.yaml when set (it wins), else the one getMe gave (stored by ``telegram check`` or a tick); None
    when neither is known yet or there is no channel.  Reads the store only: never calls Telegram."""
    if ctx.telegram is None:
        return None
    return ctx.telegram.bot_username or ctx.store.meta.get(USERNAME) or None


def personal_values(ctx: Context, action: Action, kind: str, values: dict[str, Any], p: Participant) -> dict[str, Any]:
    """The hook of a personal mail: her mail's ``values``, with the «link Telegram» line when she has not
    linked and the bot's username is known (:func:`bot_username`; without it the mail goes without the line);
    when she has linked, the same text is noted for her private chat."""
    tg = ctx.telegram
    if tg is None:
        return values
    link = ctx.store.telegram.link_of(p.id)
    if link is not None and link.active and link.chat_id is not None:
        notes = _NOTES.get()
        try:
            text = tt.render(kind, (p.language,), {"club": ctx.plan.club, **values}) if notes is not None else ""
        except AutomationError as e:  # the mail goes on whatever becomes of its post
            ctx.log(f"telegram: {action.key} not posted to {p.id}: {e}")
            notes = None
        if notes is not None:
            notes.append(Note(action.key, action.event_id, "private", link.chat_id, tt.split(text), [], "",
                              action.expires))
        return values
    username = bot_username(ctx)
    if username:
        ctx.store.telegram.add_code(p.id, secrets.token_urlsafe(12))
        code = ctx.store.telegram.link_of(p.id).code  # type: ignore[union-attr]
        return {**values, "telegram_link": f"https://t.me/{username}?start={code}"}
    return values


def enqueue(ctx: Context, notes: Sequence[Note], now: datetime) -> int:
    """Record the notes' messages as ``pending`` (those already recorded are left as they are); returns how
    many were added."""
    repo, added = ctx.store.telegram, 0
    for n in notes:
        base = f"{n.action_key}|{n.chat_id}"
        for i, text in enumerate(n.texts):
            added += repo.add(f"{base}|{i}", n.action_key, n.event_id, n.chat_id, n.audience, i, "text", text, now,
                              fingerprint=n.fingerprint, expires=n.expires)
        cap = tt.caption(n.texts[0]) if n.texts else ""
        for j, path in enumerate(n.documents, start=len(n.texts)):
            added += repo.add(f"{base}|{j}", n.action_key, n.event_id, n.chat_id, n.audience, j, "document", cap, now,
                              path=str(_as_sent(ctx, Path(path))), expires=n.expires)
    return added


def _as_sent(ctx: Context, path: Path) -> Path:
    """The file a document post sends: a Markdown programme or handout rendered to PDF, as the mail attaches
    it (:func:`automation.mail.documents.attachment`; phones do not open ``.md``), kept under
    ``<out>/telegram/``; any other file as it is."""
    if not is_markdown(path) or not path.is_file():
        return path
    a = attachment(path)  # the Markdown as it is (``.md``) when its PDF cannot be made
    target = ctx.out_dir / "telegram" / a.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(a.data)
    return target


def stopped(ctx: Context) -> str | None:
    """Why the channel is stopped (Russian), or None while it runs."""
    return ctx.store.meta.get(STOPPED)


def stop(ctx: Context, error: TelegramError | None, now: datetime) -> None:
    """Stop the channel (pending posts wait) and tell the admin why, once per reason."""
    reason = stop_reason(ctx, error)
    anew = ctx.store.meta.get(STOPPED) != reason[1]
    if anew:
        ctx.store.meta.set(STOPPED, reason[1])
        ctx.log(f"telegram: the channel stopped: {reason[1]}")
    alert_stopped(ctx, reason, now, again=anew)


def resume(ctx: Context, now: datetime | None = None) -> None:
    """The channel runs again (``telegram check`` found the bot can post at ``now``, UTC; default: the
    clock's): its "stopped" alerts are handled."""
    ctx.store.meta.delete(STOPPED)
    stop_handled(ctx, now or utc_now())


@dataclass
class Flushed:
    """What one :func:`flush` did: counts by outcome, and whether the channel is stopped."""

    posted: int = 0
    unknown: int = 0
    failed: int = 0
    cancelled: int = 0
    left: int = 0
    stopped: str | None = None


def flush(ctx: Context, now: datetime) -> Flushed:
    """Post the pending messages, exactly once each (see the module docstring).  Never raises a
    :class:`TelegramError`: the channel's faults are recorded and told, and the caller's mail goes on."""
    out = Flushed()
    tg = ctx.telegram
    if tg is None:
        return out
    repo = ctx.store.telegram
    unknown: list[TelegramPost] = []
    failed: list[TelegramPost] = []
    for p in repo.with_status("posting"):  # a crash came between a call and its record
        repo.mark(p.post_key, "unknown", now, error="the service stopped between the call to Telegram and recording "
                  "its answer: it may be in the chat, so it is not posted again")
        unknown.append(repo.get(p.post_key) or p)
    for p in repo.with_status("pending"):
        if p.expires and p.expires < iso(now):
            repo.mark(p.post_key, "cancelled", now, error=f"not posted: no longer useful after {p.expires}")
            out.cancelled += 1
    if tg.port is None:
        stop(ctx, None, now)
    port = tg.port
    out.stopped = stopped(ctx)
    if ctx.store.in_transaction():  # an intent written now would not be durable before the call: wait
        ctx.log("telegram: not posting inside a transaction; the next tick posts")
        port = None
    if port is not None and out.stopped is None:
        for p in repo.with_status("pending"):
            if p.audience == "private" and p.action_key != BOT_REPLY and not _linked(ctx, p.chat_id):
                repo.mark(p.post_key, "cancelled", now, error="she unlinked her Telegram")
                out.cancelled += 1
                continue
            reply_to = repo.get(p.reply_to_key) if p.reply_to_key else None
            if not repo.claim(p.post_key, now):  # the intent, committed before the call
                continue  # another process is posting it
            try:
                if p.kind == "document":
                    mid = port.send_document(p.chat_id, Path(p.path or ""), p.body)
                else:
                    mid = port.send_message(p.chat_id, p.body, reply_to.message_id if reply_to else None)
            except (TelegramRateLimited, TelegramUnavailable) as e:
                repo.mark(p.post_key, "pending", now, error=str(e))
                ctx.log(f"telegram: {e}; the rest waits for the next tick")
                break
            except TelegramUnauthorized as e:
                repo.mark(p.post_key, "pending", now, error=str(e))
                stop(ctx, e, now)
                break
            except (TelegramForbidden, TelegramChatNotFound) as e:
                repo.mark(p.post_key, "pending", now, error=str(e))
                if p.audience == "group":
                    stop(ctx, e, now)
                    break
                _unlink(ctx, p.chat_id, now, f"Telegram refused her chat ({e.description})")
                out.cancelled += 1
                continue
            except TelegramRefused as e:
                repo.mark(p.post_key, "failed", now, error=str(e))
                failed.append(repo.get(p.post_key) or p)
                continue
            except TelegramOutcomeUnknown as e:
                repo.mark(p.post_key, "unknown", now, error=str(e))
                unknown.append(repo.get(p.post_key) or p)
                continue
            repo.mark(p.post_key, "posted", now, message_id=mid)
            out.posted += 1
    out.unknown, out.failed = len(unknown), len(failed)
    out.left = len(repo.with_status("pending"))
    out.stopped = stopped(ctx)
    alert_posts(ctx, unknown, failed, now)
    return out


def _linked(ctx: Context, chat_id: int) -> bool:
    return any(link.active and link.chat_id == chat_id for link in ctx.store.telegram.links())


def _unlink(ctx: Context, chat_id: int, now: datetime, why: str) -> None:
    ctx.store.telegram.stop(chat_id, now)
    n = ctx.store.telegram.cancel_pending_for_chat(chat_id, why)
    ctx.log(f"telegram: a private chat was unlinked ({why}); {n} pending message(s) to it cancelled")


def follow_moves(ctx: Context, now: datetime, actions: dict[str, Action],
                 rerender: Callable[[Action], list[Note]]) -> int:
    """Correct the group's earlier posts about events that moved since (their fingerprint changed).

    For each posted announcement whose event's time or place changed, the action is composed again as it
    would be now (``rerender``, a preview: nothing is sent); each posted text part is edited to the new
    text.  When the new text has another number of parts, or Telegram refuses the edit, a follow-up
    answering the first post is queued instead («Өзгөртүү / Изменение» and the new text).  Returns how
    many announcements were corrected.  A channel fault stops the channel, as in :func:`flush`.
    """
    tg = ctx.telegram
    if tg is None or tg.port is None or stopped(ctx):
        return 0
    repo = ctx.store.telegram
    by_action: dict[str, list[TelegramPost]] = {}
    for p in repo.group_posts_with_fingerprint():
        by_action.setdefault(p.action_key, []).append(p)
    fixed = 0
    for key, rows in by_action.items():
        event = ctx.plan.event(rows[0].event_id)
        action = actions.get(key)
        if event is None or action is None:
            continue
        fp = tt.fingerprint(event)
        if all(r.fingerprint == fp for r in rows):
            continue
        notes = [n for n in rerender(action) if n.audience == "group"]
        if not notes:
            continue
        texts = notes[0].texts
        try:
            if len(texts) == len(rows) and all(r.message_id for r in rows):
                for r, text in zip(rows, texts):
                    if r.body != text:
                        tg.port.edit_message_text(r.chat_id, int(r.message_id or 0), text)
                    repo.edited(r.post_key, text, fp, now)
            else:
                _follow_up(ctx, rows, texts, fp, action, now)
        except TelegramRefused:
            _follow_up(ctx, rows, texts, fp, action, now)
        except (TelegramUnauthorized, TelegramForbidden, TelegramChatNotFound) as e:
            stop(ctx, e, now)
            break
        except TelegramError as e:  # 429, unreachable, no answer: an edit is safe to repeat at the next tick
            ctx.log(f"telegram: could not correct {key} now ({e})")
            break
        fixed += 1
    return fixed


def _follow_up(ctx: Context, rows: list[TelegramPost], texts: list[str], fp: str, action: Action,
               now: datetime) -> None:
    """Queue a follow-up to the first post of ``rows`` with the new text, and mark the old posts as answered."""
    repo = ctx.store.telegram
    first = rows[0]
    head = "Өзгөртүү — жогорудагы билдирүүнүн ордуна / Изменение — вместо сообщения выше"
    parts = tt.split(f"{head}\n\n" + "\n\n".join(texts))
    for i, text in enumerate(parts):
        repo.add(f"{action.key}|moved-{fp}|{first.chat_id}|{i}", action.key, action.event_id, first.chat_id, "group",
                 i, "text", text, now, fingerprint="", reply_to_key=first.post_key, expires=action.expires)
    for r in rows:
        repo.refingerprint(r.post_key, fp)


def repost(ctx: Context, keys: Sequence[str], now: datetime) -> list[tuple[str, str]]:
    """Post again each ``unknown`` post named (``python main.py telegram repost``), exactly once more:
    it becomes ``pending`` and :func:`flush` posts it with the same intent-first record.  Returns
    ``(key, what happened)`` for each key."""
    repo, out = ctx.store.telegram, []
    for key in keys:
        p = repo.get(key)
        if p is None:
            out.append((key, "refused: no such post (the admin's alert names them)"))
        elif p.status != "unknown":
            out.append((key, f"refused: its status is {p.status!r}; only a post whose fate is unknown is posted again"))
        else:
            repo.mark(key, "pending", now)
            out.append((key, "queued"))
    if any(what == "queued" for _, what in out):
        flush(ctx, now)
        out = [(k, (f"posted (message_id {p.message_id})" if (p := repo.get(k)) and p.status == "posted"
                    else f"{p.status if p else '?'}: {p.error if p else ''}") if what == "queued" else what)
               for k, what in out]
        for k, what in out:
            if what.startswith("posted"):
                repost_handled(ctx, k, now)
    return out
