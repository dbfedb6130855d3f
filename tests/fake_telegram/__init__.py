"""A stateful fake of the Telegram Bot API on 127.0.0.1 (see server.py)."""

from .server import FakeTelegram

__all__ = ["FakeTelegram"]
