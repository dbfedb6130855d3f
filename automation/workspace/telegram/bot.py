"""The Bot API through python-telegram-bot (asynchronous), behind the synchronous :class:`TelegramPort`.

python-telegram-bot's ``Bot`` is asyncio-based; this adapter keeps one ``asyncio.Runner`` (one event
loop, so the library's HTTP connection pool is reused) and runs each call to completion on it, so the
jobs stay synchronous.  Its errors are translated into :class:`automation.errors.TelegramError`
(python-telegram-bot maps HTTP 401/404 to ``InvalidToken``, 403 to ``Forbidden``, 400 to
``BadRequest``, a 429 with ``parameters.retry_after`` to ``RetryAfter``: ``telegram/request/_baserequest.py``).

Flood control (Bot API "Making requests": a 429 answer carries ``parameters.retry_after``, the seconds
to wait): the adapter sleeps ``retry_after`` and tries again, up to ``max_wait`` seconds in all for one
call; past that it raises :class:`TelegramRateLimited` and the caller tries at its next tick.  A 429
means the request was not carried out, so trying again cannot post twice.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import httpx
from telegram import Bot, error as tg_error
from telegram.request import HTTPXRequest

from automation.errors import (TelegramChatNotFound, TelegramError, TelegramForbidden, TelegramOutcomeUnknown,
                               TelegramRateLimited, TelegramRefused, TelegramUnauthorized, TelegramUnavailable)
from automation.workspace.ports import BotIdentity, BotMembership, TelegramUpdate

#: Telegram's own Bot API server.
DEFAULT_API_URL = "https://api.telegram.org"

#: Member statuses that may send messages to a group (Bot API ``ChatMember``; ``restricted`` is checked
#: against its ``can_send_messages``).
_POSTING = {"creator", "administrator", "member"}

T = TypeVar("T")


def base_urls(api_url: str | None) -> tuple[str, str]:
    """python-telegram-bot's ``(base_url, base_file_url)`` for a Bot API server root such as
    ``https://api.telegram.org`` or ``http://127.0.0.1:8081``: the library appends the token to each
    (``<root>/bot<token>/<method>``, ``<root>/file/bot<token>/<path>``; ``telegram.Bot`` docs)."""
    root = (api_url or DEFAULT_API_URL).rstrip("/")
    return f"{root}/bot", f"{root}/file/bot"


class BotApiTelegram:
    """:class:`automation.workspace.ports.TelegramPort` over the Bot API.

    ``token``: the bot's token (from the environment, never a file of the project); ``api_url``: the
    server root (default Telegram's; the tests use a fake on 127.0.0.1); ``sleep``: how to wait out a
    429 (seconds; the tests pass one that records); ``max_wait``: seconds of 429 waits per call before
    giving up; ``timeout``: seconds to wait for an answer.
    """

    def __init__(self, token: str, api_url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_wait: float = 60.0, timeout: float = 20.0):
        self._token = token
        self._sleep, self._max_wait = sleep, max_wait
        self._request = HTTPXRequest(connection_pool_size=2, read_timeout=timeout, write_timeout=timeout,
                                     connect_timeout=timeout, media_write_timeout=timeout)
        self._updates_request = HTTPXRequest(connection_pool_size=1, read_timeout=timeout, connect_timeout=timeout)
        base, files = base_urls(api_url)
        self._bot = Bot(token, base_url=base, base_file_url=files, request=self._request,
                        get_updates_request=self._updates_request)
        self._runner: asyncio.Runner | None = None
        #: seconds slept on 429 answers, in order (what the admin's log and the tests read)
        self.waits: list[float] = []

    # --- the port -------------------------------------------------------------------------------

    def send_message(self, chat_id: int, text: str, reply_to: int | None = None) -> int:
        """See :meth:`TelegramPort.send_message`."""
        msg = self._call(lambda: self._bot.send_message(chat_id, text, reply_to_message_id=reply_to,
                                                        disable_web_page_preview=True), sends=True)
        return int(msg.message_id)

    def send_document(self, chat_id: int, path: Path, caption: str = "") -> int:
        """See :meth:`TelegramPort.send_document`.  Raises :class:`TelegramRefused` when the file is gone."""
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise TelegramRefused(f"the file {path} cannot be read ({e.strerror})") from None
        msg = self._call(lambda: self._bot.send_document(chat_id, data, filename=Path(path).name,
                                                         caption=caption or None), sends=True)
        return int(msg.message_id)

    def edit_message_text(self, chat_id: int, message_id: int, text: str) -> None:
        """See :meth:`TelegramPort.edit_message_text`."""
        try:
            self._call(lambda: self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                           disable_web_page_preview=True), sends=True)
        except TelegramRefused as e:
            if "message is not modified" not in e.description.lower():
                raise

    def get_me(self) -> BotIdentity:
        """See :meth:`TelegramPort.get_me`."""
        me = self._call(self._bot.get_me)
        return BotIdentity(int(me.id), str(me.username or ""))

    def check(self, chat_id: int) -> BotMembership:
        """See :meth:`TelegramPort.check`."""
        me = self._call(self._bot.get_me)
        chat = self._call(lambda: self._bot.get_chat(chat_id))
        member = self._call(lambda: self._bot.get_chat_member(chat_id, me.id))
        status = str(member.status)
        can = status in _POSTING or (status == "restricted" and bool(getattr(member, "can_send_messages", False)))
        return BotMembership(int(me.id), str(me.username or ""), int(chat.id), str(chat.title or chat.full_name or ""),
                             str(chat.type), status, can)

    def get_updates(self, offset: int | None) -> list[TelegramUpdate]:
        """See :meth:`TelegramPort.get_updates`.  Only messages (``message``) are returned; other kinds of
        update are confirmed and dropped by the next call's offset (their ids still count)."""
        ups = self._call(lambda: self._bot.get_updates(offset=offset, timeout=0, allowed_updates=["message"]))
        out = []
        for u in ups:
            m = u.message
            if m is None:
                out.append(TelegramUpdate(int(u.update_id), 0, "", None, ""))
                continue
            out.append(TelegramUpdate(int(u.update_id), int(m.chat.id), str(m.chat.type),
                                      int(m.from_user.id) if m.from_user else None, m.text or ""))
        return out

    def close(self) -> None:
        """See :meth:`TelegramPort.close`."""
        if self._runner is not None:
            runner = self._runner
            runner.run(self._request.shutdown())
            runner.run(self._updates_request.shutdown())
            runner.close()
            self._runner = None

    # --- running and translating ------------------------------------------------------------------

    def _call(self, make: Callable[[], Awaitable[T]], sends: bool = False) -> T:
        """Run one Bot API call to completion, waiting out 429s (see the module docstring).

        ``sends``: the call posts or edits, so a timeout after the request went out is an unknown outcome.
        """
        if self._runner is None:
            self._runner = asyncio.Runner()
        waited = 0.0
        while True:
            try:
                with warnings.catch_warnings():
                    # python-telegram-bot 22 warns, while making its RetryAfter, that retry_after becomes a
                    # timedelta in a later major version; _seconds() reads either
                    warnings.filterwarnings("ignore", message=".*retry_after.*")
                    return self._runner.run(make())  # type: ignore[arg-type]
            except tg_error.RetryAfter as e:
                seconds = _seconds(e)
                if waited + seconds > self._max_wait:
                    raise TelegramRateLimited(f"Too Many Requests: retry after {seconds:g}", seconds) from None
                self.waits.append(seconds)
                self._sleep(seconds)
                waited += seconds
            except tg_error.TelegramError as e:
                raise self._translate(e, sends) from None

    def _translate(self, e: Exception, sends: bool) -> TelegramError:
        text = str(e).replace(self._token, "<token>")
        cause = e.__cause__
        if isinstance(e, tg_error.InvalidToken):
            return TelegramUnauthorized(text if "Unauthorized" in text or "Not Found" in text else "Unauthorized", 401)
        if isinstance(e, tg_error.Forbidden):
            return TelegramForbidden(text, 403)
        if isinstance(e, tg_error.BadRequest):
            if "chat not found" in text.lower():
                return TelegramChatNotFound(text, 400)
            return TelegramRefused(text, 400)
        if isinstance(e, tg_error.ChatMigrated):
            return TelegramChatNotFound(f"the group became a supergroup: its new chat id is {e.new_chat_id}; "
                                        "put it in club.yaml (telegram.chat_id)", 400)
        if isinstance(e, tg_error.Conflict):
            return TelegramRefused(f"{text} (another program reads this bot's updates, or a webhook is set)", 409)
        if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)) or not sends:
            return TelegramUnavailable(f"the Bot API server could not be reached ({text})")
        # a timeout, a lost connection or a 5xx answer after the request went out: it may have been carried out
        return TelegramOutcomeUnknown(f"no answer after the request was sent ({text or type(e).__name__})")


def _seconds(e: Any) -> float:
    """``retry_after`` of a ``RetryAfter`` in seconds (an int before python-telegram-bot 22.2, a timedelta after)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ra = e.retry_after
    return ra.total_seconds() if isinstance(ra, timedelta) else float(ra)
