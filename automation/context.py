"""What every job needs: the store, the plan, the backend's ports, where to write, and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from automation.plan.model import Plan
from automation.store import Store
from automation.forms.templates import DEFAULT_DIR
from automation.workspace.ports import Backend, TelegramPort


@dataclass
class TelegramChannel:
    """The club's Telegram channel as configured (``telegram:`` in club.yaml, docs/TELEGRAM.md).

    ``port`` is None when it cannot work at all (``problem`` says why, e.g. the token's environment
    variable is not set); ``chat_id`` is the group's id; ``bot_username`` is club.yaml's optional
    ``telegram.bot_username``, which wins over the username learned from getMe for the «link Telegram» line
    of personal mail (:func:`automation.jobs.announcements.bot_username`).
    """

    chat_id: int
    port: TelegramPort | None = None
    problem: str = ""
    bot_username: str | None = None


@dataclass
class Context:
    """The service assembled for one run: every job takes it as its first argument.

    ``backend`` has the ports ``forms``, ``sheets``, ``mail``, ``group``, ``files`` and the capability
    flags of :class:`~automation.workspace.ports.Backend` (a LocalBackend or a GoogleBackend);
    ``out_dir``: where reports, charts and the local outbox go; ``templates_dir``: the form templates.

    ``daily_cap``: recipients per day the sending account may reach (a gmail.com
    account sends to at most 500 recipients a day, a Workspace account 2,000 —
    Gmail's sending limits page); ``max_attachment_bytes``: larger materials go
    as links (Gmail: 25 MB per message); ``min_group_size``: smallest group a
    breakdown shows (small-cell suppression, DESIGN.md principle 8);
    ``report_lang``: ``ru`` or ``ky``; ``log``: where progress lines go; ``telegram``: the Telegram
    channel, or None when club.yaml has no ``telegram:`` section.
    """

    store: Store
    plan: Plan
    backend: Backend
    out_dir: Path
    templates_dir: Path = DEFAULT_DIR
    daily_cap: int = 500
    max_attachment_bytes: int = 25 * 1024 * 1024
    min_group_size: int = 3
    report_lang: str = "ru"
    log: Callable[[str], None] = field(default=lambda msg: None)
    telegram: TelegramChannel | None = None
