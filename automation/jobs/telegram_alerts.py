"""The admin's alerts about the Telegram channel: the channel stopped, or a post's fate is unknown or refused.

They are problems of the same ``alerts`` table as a failed action (:mod:`automation.jobs.alerts`, under the
action key :data:`automation.jobs.alerts.TELEGRAM`): raised once per problem, mailed at the end of the
scheduler's tick in the one alert mail (Kyrgyz first, then Russian), shown on the console's Today page until
handled.  A channel that runs again (``telegram check``) handles its stop; a post posted again handles its
unknown fate.  Raising one never stops the channel or the mail.
"""

from __future__ import annotations

from datetime import datetime

from automation.context import Context
from automation.errors import TelegramChatNotFound, TelegramError, TelegramForbidden, TelegramUnauthorized
from automation.jobs.alerts import CHECK, REPOST, STOPPED_PREFIX, TELEGRAM
from automation.store.telegram import TelegramPost

__all__ = ["CHECK", "REPOST", "stop_reason", "alert_stopped", "alert_posts", "stop_handled", "repost_handled"]


def stop_reason(ctx: Context, error: TelegramError | None) -> tuple[str, str]:
    """(Kyrgyz, Russian) lines on why the channel stopped and what the admin does about it.
    ``error`` None: the token's environment variable is not set."""
    tg = ctx.telegram
    chat = tg.chat_id if tg else "?"
    env = "TELEGRAM_BOT_TOKEN"
    if error is None:
        why = tg.problem if tg else ""
        return (f"боттун токени берилген эмес ({why}). Кызматты иштетүүдөн мурун токенди ошол өзгөрмөгө жазыңыз.",
                f"токен бота не задан ({why}). Задайте эту переменную окружения перед запуском службы.")
    if isinstance(error, TelegramUnauthorized):
        return ("Telegram боттун токенин кабыл алган жок (401 Unauthorized): токен жокко чыгарылган же туура эмес. "
                f"@BotFather'ден жаңы токен алып, аны токендин өзгөрмөсүнө ({env} же club.yaml'дагы token_env) "
                "жазыңыз.",
                "Telegram отклонил токен бота (401 Unauthorized): токен отозван или неверен. Получите новый токен у "
                f"@BotFather и запишите его в переменную окружения ({env} или та, что указана в token_env в club.yaml).")
    if isinstance(error, TelegramForbidden):
        return (f"бот клубдун тобунан чыгарылды же ага жазууга уруксаты жок ({error.description}). Ботту топко "
                "кайра кошуңуз.",
                f"бота удалили из группы клуба или ему запрещено в ней писать ({error.description}). Добавьте бота "
                "в группу снова.")
    if isinstance(error, TelegramChatNotFound):
        return (f"id'си {chat} болгон топ табылган жок: club.yaml'дагы telegram.chat_id туура эмес же бот ал топко "
                f"эч качан кошулган эмес ({error.description}). chat_id'ни текшерип, ботту топко кошуңуз.",
                f"группа с id {chat} не найдена: неверный telegram.chat_id в club.yaml, или бот никогда не был в "
                f"этой группе ({error.description}). Проверьте chat_id и добавьте бота в группу.")
    return (f"Telegram: {error.description}", f"Telegram: {error.description}")


def alert_stopped(ctx: Context, reason: tuple[str, str], now: datetime, again: bool = False) -> None:
    """Raise the problem "the channel stopped" for this ``(Kyrgyz, Russian)`` reason (once per reason while it
    stays stopped).  ``again``: the channel ran in between (it stopped anew), so the problem is raised again
    even if the admin handled it the last time."""
    ky, ru = reason
    subject, detail, alerts = f"telegram.stopped:{ru}", f"{ky}\n{ru}", ctx.store.alerts
    if alerts.raise_problem("failed", subject, TELEGRAM, detail, now) or (
            again and alerts.reopen("failed", subject, detail, now)):
        ctx.log(f"telegram: the admin will be told: the channel stopped ({ru})")


def alert_posts(ctx: Context, unknown: list[TelegramPost], failed: list[TelegramPost], now: datetime) -> None:
    """Raise a problem for each post whose fate is unknown (not posted again) or that Telegram refused."""
    for kind, posts in (("unknown", unknown), ("failed", failed)):
        for p in posts:
            ctx.store.alerts.raise_problem(kind, f"telegram:{p.post_key}", TELEGRAM, p.error or "", now)


def stop_handled(ctx: Context, now: datetime) -> None:
    """The channel runs again: its open "stopped" problems are handled."""
    for a in ctx.store.alerts.open():
        if a.problem.startswith(STOPPED_PREFIX):
            ctx.store.alerts.handle(a.problem, now)


def repost_handled(ctx: Context, post_key: str, now: datetime) -> None:
    """The post of unknown fate was posted again: its problem is handled."""
    ctx.store.alerts.handle(f"unknown:telegram:{post_key}", now)
