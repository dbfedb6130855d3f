"""FakeTelegram: a stateful fake of the Telegram Bot API, served on 127.0.0.1 (a free port).

python-telegram-bot talks to it through its ordinary HTTP transport with ``base_url=<fake.url>/bot``::

    with FakeTelegram() as fake:
        group = fake.add_group(-1001, "Клуб")
        port = BotApiTelegram(fake.token, api_url=fake.url)

Methods: getMe, getChat, getChatMember, sendMessage, sendDocument, editMessageText, getUpdates.
Requests are ``POST /bot<token>/<method>`` with form-encoded or multipart parameters (what the library
sends) or a JSON body.  Answers have the Bot API's shape (``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}`` with HTTP status N;
core.telegram.org/bots/api "Making requests", "ResponseParameters").

The error descriptions are the ones Telegram returns (the literal strings client libraries match on,
e.g. tucnak/telebot ``errors.go``; aiogram PR #445 for the supergroup variant; the 429 shape
``{"error_code":429,"description":"Too Many Requests: retry after 15","parameters":{"retry_after":15}}``
as logged by pyTelegramBotAPI users):

* 401 ``Unauthorized`` — unknown or revoked token;
* 403 ``Forbidden: bot was kicked from the group chat`` (``... supergroup chat``) — the bot was removed;
* 403 ``Forbidden: bot was blocked by the user`` / ``Forbidden: bot can't initiate conversation with a user``;
* 400 ``Bad Request: chat not found``; ``Bad Request: message is too long`` (over 4,096 characters,
  counted in UTF-16 code units as Telegram counts entity offsets); ``Bad Request: message caption is too
  long`` (over 1,024); ``Bad Request: message text is empty``; ``Bad Request: message to edit not found``;
  ``Bad Request: message is not modified: ...``;
* 429 ``Too Many Requests: retry after N`` with ``parameters.retry_after`` (injected: :meth:`FakeTelegram.flood`).

State lives in the instance: ``fake.chats[chat_id].messages`` (message_id → dict), the update queue,
``fake.calls`` (a Counter by method).  One lock serialises requests.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None):
        self.code, self.description, self.retry_after = code, description, retry_after


def units(text: str) -> int:
    """Length in UTF-16 code units (what Telegram's limits count)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Chat:
    id: int
    type: str  # group | supergroup | private
    title: str = ""
    bot_status: str = "member"  # member | administrator | kicked | left
    started: bool = True  # private: the user pressed Start
    blocked: bool = False  # private: the user blocked the bot
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1

    def texts(self) -> list[str]:
        """The text (or caption) of each message, oldest first."""
        return [m.get("text") or m.get("caption") or "" for _, m in sorted(self.messages.items())]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class FakeTelegram:
    """The fake Bot API (see the module docstring).  ``token`` is a valid token of the bot ``club_bot``
    (``bot``: what getMe answers; a test may change its ``username``, as @BotFather can)."""

    def __init__(self) -> None:
        self.token = "123456:FAKE-token-for-tests"
        self.bot = {"id": 123456, "is_bot": True, "first_name": "Club", "username": "club_bot"}
        self.revoked: set[str] = set()
        self.chats: dict[int, Chat] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update = 1000
        self.calls: Counter[str] = Counter()
        self.faults: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self.url = ""

    # --- setting the scene -------------------------------------------------------------------------

    def add_group(self, chat_id: int, title: str = "Клуб", supergroup: bool = True) -> Chat:
        """A group the bot is a member of."""
        chat = Chat(chat_id, "supergroup" if supergroup else "group", title)
        self.chats[chat_id] = chat
        return chat

    def kick_bot(self, chat_id: int) -> None:
        """The group's admin removes the bot."""
        self.chats[chat_id].bot_status = "kicked"

    def revoke(self) -> None:
        """@BotFather revokes the token."""
        self.revoked.add(self.token)

    def user_says(self, user_id: int, text: str, chat_id: int | None = None, first_name: str = "Айгүл") -> int:
        """A person writes ``text`` to the bot (a private chat unless ``chat_id`` names a group); the update
        is queued for getUpdates.  Returns its update_id."""
        cid = user_id if chat_id is None else chat_id
        chat = self.chats.get(cid)
        if chat is None:
            chat = self.chats[cid] = Chat(cid, "private", first_name)
        chat.started, chat.blocked = True, False
        uid = self.next_update
        self.next_update += 1
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat_json = {"id": cid, "type": chat.type, **({"title": chat.title} if chat.type != "private" else
                                                      {"first_name": first_name})}
        msg_id = chat.next_id
        chat.next_id += 1
        message = {"message_id": msg_id, "date": int(time.time()), "chat": chat_json, "from": user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        chat.messages[msg_id] = {"text": text, "from_user": user_id}
        self.updates.append({"update_id": uid, "message": message})
        return uid

    def block(self, user_id: int) -> None:
        """The person blocks the bot."""
        self.chats[user_id].blocked = True

    def flood(self, method: str, retry_after: int, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get 429 with ``parameters.retry_after``."""
        self.faults.append({"method": method, "times": times, "code": 429, "retry_after": retry_after,
                            "description": f"Too Many Requests: retry after {retry_after}"})

    def hang_after(self, method: str, seconds: float) -> None:
        """The next call of ``method`` is carried out, then the answer is held ``seconds`` (a lost answer)."""
        self.faults.append({"method": method, "times": 1, "hang": seconds})

    def group_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages in a chat sent by the bot, oldest first."""
        return [m for _, m in sorted(self.chats[chat_id].messages.items()) if "from_user" not in m]

    # --- serving ---------------------------------------------------------------------------------

    def __enter__(self) -> "FakeTelegram":
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._thread.join(5)

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        hang = 0.0
        try:
            with self._lock:
                status, body, hang = self._handle(request)
        except Exception as e:  # a bug of the fake: the test sees it in fake.errors
            self.errors.append(repr(e))
            status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if hang:
            time.sleep(hang)
        return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")(environ,
                                                                                                    start_response)

    def _handle(self, request: Request) -> tuple[int, dict[str, Any], float]:
        parts = request.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, 0.0
        token, method = parts[0][3:], parts[1]
        self.calls[method] += 1
        params = self._params(request)
        hang = 0.0
        for f in self.faults:
            if f["method"] == method and f["times"] > 0:
                f["times"] -= 1
                if "hang" in f:
                    hang = f["hang"]
                    break
                return f["code"], _error(ApiError(f["code"], f["description"], f.get("retry_after"))), 0.0
        try:
            if token != self.token or token in self.revoked:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            return 200, {"ok": True, "result": handler(params, request)}, hang
        except ApiError as e:
            return e.code, _error(e), 0.0

    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        if request.mimetype == "application/json":
            return dict(request.get_json(silent=True) or {})
        out: dict[str, Any] = {}
        for k, v in request.values.items():
            try:
                out[k] = json.loads(v) if v[:1] in "[{" else v
            except ValueError:
                out[k] = v
        return out

    # --- methods ---------------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any], writing: bool = False) -> Chat:
        try:
            cid = int(params["chat_id"])
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self.chats.get(cid)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.type != "private" and chat.bot_status in ("kicked", "left"):
            kind = "supergroup" if chat.type == "supergroup" else "group"
            if chat.bot_status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if chat.type == "private" and writing:
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _chat_json(self, chat: Chat) -> dict[str, Any]:
        if chat.type == "private":
            return {"id": chat.id, "type": "private", "first_name": chat.title}
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def _post(self, chat: Chat, fields: dict[str, Any]) -> dict[str, Any]:
        mid = chat.next_id
        chat.next_id += 1
        now = int(time.time())
        chat.messages[mid] = {**fields, "date": now}
        return {"message_id": mid, "date": now, "chat": self._chat_json(chat), "from": self.bot,
                **{k: v for k, v in fields.items() if k in ("text", "caption", "document")}}

    def _m_getMe(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        # getMe "Returns basic information about the bot in form of a User object" (core.telegram.org/bots/api
        # #getme): id, is_bot, first_name, username (optional in User, always set for a bot) and the fields
        # "Returned only in getMe" (can_join_groups, can_read_all_group_messages, supports_inline_queries,
        # can_connect_to_business, has_main_web_app)
        return {**self.bot, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _m_getChat(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params)
        return {**self._chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                        "premium_subscription": False, "gifts_from_channels": False}}

    def _m_getChatMember(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params)
        if int(params.get("user_id", 0)) != self.bot["id"]:
            raise ApiError(400, "Bad Request: user not found")
        out: dict[str, Any] = {"status": chat.bot_status, "user": self.bot}
        if chat.bot_status == "kicked":
            out["until_date"] = 0
        return out

    def _m_sendMessage(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, writing=True)
        text = str(params.get("text", "")).strip()
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if units(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        fields: dict[str, Any] = {"text": text}
        if params.get("reply_to_message_id"):
            fields["reply_to"] = int(params["reply_to_message_id"])
        if params.get("reply_parameters"):
            fields["reply_to"] = int(params["reply_parameters"]["message_id"])
        return self._post(chat, fields)

    def _m_sendDocument(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, writing=True)
        upload = request.files.get("document")
        if upload is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        data = upload.read()
        upload.close()
        caption = str(params.get("caption", "")).strip()
        if units(caption) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        doc = {"file_id": f"doc{len(data)}-{chat.next_id}", "file_unique_id": f"u{chat.next_id}",
               "file_name": upload.filename, "file_size": len(data)}
        return self._post(chat, {"caption": caption, "document": doc, "data": data})

    def _m_editMessageText(self, params: dict[str, Any], request: Request) -> dict[str, Any]:
        chat = self._chat(params, writing=True)
        msg = chat.messages.get(int(params.get("message_id", 0)))
        if msg is None or "from_user" in msg:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(params.get("text", "")).strip()
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if units(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        if msg.get("text") == text:
            raise ApiError(400, NOT_MODIFIED)
        msg["text"] = text
        msg["edit_date"] = int(time.time())
        msg["edits"] = msg.get("edits", 0) + 1
        return {"message_id": int(params["message_id"]), "date": msg["date"], "edit_date": msg["edit_date"],
                "chat": self._chat_json(chat), "from": self.bot, "text": text}

    def _m_getUpdates(self, params: dict[str, Any], request: Request) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if offset not in (None, ""):
            # "An update is considered confirmed as soon as getUpdates is called with an offset higher than its
            # update_id" (Bot API getUpdates)
            self.updates = [u for u in self.updates if u["update_id"] >= int(offset)]
        limit = int(params.get("limit") or 100)
        return self.updates[:limit]


def _error(e: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": e.code, "description": e.description}
    if e.retry_after is not None:
        body["parameters"] = {"retry_after": e.retry_after}
    return body
