"""A participant links her Telegram to the club's bot: ``/start <code>`` (the link in her mail,
``t.me/<bot>?start=<code>``) and ``/stop``, read with getUpdates at each scheduler tick.

The offset of the next update is stored (meta ``telegram.offset``) in the same transaction as what an
update changed (the link and the bot's answer, queued as a post), so an update is handled once even
across a crash; asking Telegram with that offset confirms the earlier updates (Bot API getUpdates).
Only private chats count: a command in the group is ignored.
"""

from __future__ import annotations

from datetime import datetime

from automation.context import Context
from automation.errors import TelegramError, TelegramUnauthorized
from automation.jobs.announcements import BOT_REPLY, stop, stopped
from automation.workspace.ports import TelegramUpdate

OFFSET = "telegram.offset"

LINKED = {"ky": "Саламатсызбы, {name}! Эми клубдун эскертмелерин жана жеке шилтемелериңизди бул жерден да аласыз "
                "(каттар да келе берет). Токтотуу үчүн /stop жөнөтүңүз.",
          "ru": "Здравствуйте, {name}! Теперь напоминания клуба и ваши личные ссылки будут приходить и сюда (письма "
                "тоже продолжат приходить). Чтобы прекратить, отправьте /stop."}
UNKNOWN_CODE = ("Бул код табылган жок. Клубдун катындагы шилтемени кайра ачыңыз. / Этот код не найден. Откройте "
                "ссылку из письма клуба ещё раз.")
NO_CODE = ("Бул бот клубдун эскертмелерин жөнөтөт. Туташуу үчүн клубдун катындагы шилтемени ачыңыз. / Этот бот "
           "присылает напоминания клуба. Чтобы подключиться, откройте ссылку из письма клуба.")
STOPPED = {"ky": "Бот сизге мындан ары жазбайт; каттар почта аркылуу келе берет. Кайра туташуу үчүн каттагы "
                 "шилтемени ачыңыз.",
           "ru": "Бот больше не будет вам писать; письма по почте продолжат приходить. Чтобы снова подключиться, "
                 "откройте ссылку из письма."}


def poll(ctx: Context, now: datetime) -> int:
    """Read the bot's new messages and handle /start and /stop; returns how many updates were handled.
    A channel fault stops the channel (see :func:`automation.jobs.announcements.stop`); other faults wait."""
    tg = ctx.telegram
    if tg is None or tg.port is None or stopped(ctx):
        return 0
    raw = ctx.store.meta.get(OFFSET)
    try:
        updates = tg.port.get_updates(int(raw) if raw else None)
    except TelegramUnauthorized as e:
        stop(ctx, e, now)
        return 0
    except TelegramError as e:
        ctx.log(f"telegram: could not read the bot's messages now ({e})")
        return 0
    for u in updates:
        with ctx.store.transaction():
            _handle(ctx, u, now)
            ctx.store.meta.set(OFFSET, str(u.update_id + 1))
    return len(updates)


def _handle(ctx: Context, u: TelegramUpdate, now: datetime) -> None:
    if u.chat_type != "private" or not u.text.startswith("/"):
        return
    words = u.text.split()
    command = words[0].split("@", 1)[0].lower()
    repo = ctx.store.telegram
    if command == "/start":
        if len(words) < 2:
            _reply(ctx, u, NO_CODE, now)
            return
        pid = repo.link(words[1], u.chat_id, now)
        p = ctx.store.roster.get(pid) if pid else None
        if p is None or not p.active:
            _reply(ctx, u, UNKNOWN_CODE, now)
            return
        _reply(ctx, u, LINKED[p.language].format(name=p.name), now)
        ctx.log(f"telegram: {p.id} linked her Telegram")
    elif command == "/stop":
        pid = repo.stop(u.chat_id, now)
        repo.cancel_pending_for_chat(u.chat_id, "she sent /stop")
        p = ctx.store.roster.get(pid) if pid else None
        lang = p.language if p else "ru"
        _reply(ctx, u, STOPPED[lang] if p else f"{STOPPED['ky']} / {STOPPED['ru']}", now)


def _reply(ctx: Context, u: TelegramUpdate, text: str, now: datetime) -> None:
    """Queue the bot's answer (posted by the next flush, exactly once like any post)."""
    ctx.store.telegram.add(f"{BOT_REPLY}|{u.update_id}", BOT_REPLY, "", u.chat_id, "private", 0, "text", text, now)

