"""The admin's mail about the Telegram channel (Kyrgyz first, then Russian): the channel stopped, or a
post's fate is unknown or refused.  Each alert goes once (a deterministic Message-ID from what it says,
recorded in ``deliveries`` like any mail), and its failure to go never stops the channel or the mail.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from automation.context import Context
from automation.errors import (BackendError, TelegramChatNotFound, TelegramError, TelegramForbidden,
                               TelegramUnauthorized)
from automation.jobs.delivery import finish_message, new_message
from automation.model import BISHKEK
from automation.store.telegram import TelegramPost

REPOST = "python main.py telegram repost"
CHECK = "python main.py telegram check"


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


def alert_stopped(ctx: Context, reason: tuple[str, str], now: datetime) -> None:
    """Tell the admin the channel stopped, and why (once per reason)."""
    ky, ru = reason
    lines = [f"Telegram каналы токтотулду: {ky}", "",
             "Каттар почта аркылуу жөнөтүлө берет. Оңдогондон кийин бул буйрукту аткарыңыз: " + CHECK,
             "— бот топко жаза алса, канал кайра иштейт жана жөнөтүлбөй калган билдирүүлөр (мөөнөтү өтпөгөндөрү) кетет.",
             "", "-" * 40, "",
             f"Канал Telegram остановлен: {ru}", "",
             "Письма по почте продолжают уходить. Исправив это, выполните: " + CHECK,
             "— если бот может писать в группу, канал снова заработает, и неотправленные объявления (кроме "
             "устаревших) уйдут."]
    _send(ctx, f"telegram.stopped#{ru}", "Telegram токтотулду / Канал Telegram остановлен", lines, now)


def alert_posts(ctx: Context, unknown: list[TelegramPost], failed: list[TelegramPost], now: datetime) -> None:
    """Tell the admin about posts whose fate is unknown (not posted again) or that Telegram refused."""
    if not unknown and not failed:
        return
    lines = []
    if unknown:
        lines += ["Бул билдирүүлөр Telegram'га жөнөтүлүп жатканда кызмат токтоп калды же жооп келген жок: алар топто "
                  "бар болушу мүмкүн, ошондуктан кайра жөнөтүлгөн ЖОК. / Служба остановилась (или ответ не пришёл) во "
                  "время отправки этих сообщений в Telegram: они могут уже быть в чате, поэтому повторно НЕ "
                  "отправлены.", ""]
        for p in unknown:
            lines += [f"- {p.post_key} ({_where(p)}): {p.body[:80]!r}",
                      f"  Топтон/чаттан текшериңиз; жок болсо / Проверьте чат; если его нет: {REPOST} '{p.post_key}'", ""]
    if failed:
        lines += ["Telegram бул билдирүүлөрдү кабыл алган жок / Telegram отклонил эти сообщения:", ""]
        for p in failed:
            lines += [f"- {p.post_key} ({_where(p)}): {p.error}", ""]
    keys = ",".join(sorted(p.post_key + p.status for p in unknown + failed))
    _send(ctx, f"telegram.posts#{keys}", f"Telegram: текшериңиз / проверьте ({len(unknown) + len(failed)})", lines, now)


def _where(p: TelegramPost) -> str:
    return "топ / группа" if p.audience == "group" else "жеке чат / личный чат"


def _send(ctx: Context, key: str, subject: str, lines: list[str], now: datetime) -> None:
    """Mail ``lines`` to the admin once for ``key`` (recorded in ``deliveries``; a failure is recorded, not raised)."""
    admin = ctx.plan.club.admin_email
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    msg = new_message(ctx, f"telegram#{digest}", admin, ctx.plan.club.name.ru, [admin], subject, now)
    msg.set_content("\n".join(lines))
    finish_message(msg, ("ky", "ru"))
    mid = str(msg["Message-ID"])
    deliveries = ctx.store.deliveries
    status = deliveries.status(mid)
    if status not in (None, "queued"):
        return
    if status is None:
        deliveries.add(mid, f"telegram#{digest}", admin, "ky+ru", subject, "queued", now,
                       now.astimezone(BISHKEK).date().isoformat(), 1)
    try:
        deliveries.mark_sent(mid, ctx.backend.mail.send(msg, [admin]), now)
    except BackendError as e:
        deliveries.mark_failed(mid, f"the alert could not be sent ({e})")
    ctx.log(f"telegram: the admin was told: {subject}")
