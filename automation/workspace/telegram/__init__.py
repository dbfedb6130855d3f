"""The Telegram channel's adapter: :class:`BotApiTelegram`, the Bot API through python-telegram-bot.

Jobs never import it (they talk to :class:`automation.workspace.ports.TelegramPort`); the service is
assembled in :mod:`automation.app`.  See docs/TELEGRAM.md.
"""

from automation.workspace.telegram.bot import DEFAULT_API_URL, BotApiTelegram, base_urls

__all__ = ["BotApiTelegram", "DEFAULT_API_URL", "base_urls"]
