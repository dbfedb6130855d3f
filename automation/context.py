"""What every job needs: the store, the plan, the backend's ports, where to write, and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from automation.plan.model import Plan
from automation.store import Store
from automation.forms.templates import DEFAULT_DIR


@dataclass
class Context:
    """``backend`` has the ports ``forms``, ``sheets``, ``mail``, ``group``, ``files`` (see workspace.ports).

    ``daily_cap``: recipients per day the sending account may reach (a gmail.com
    account sends to at most 500 recipients a day, a Workspace account 2,000 —
    Gmail's sending limits page); ``max_attachment_bytes``: larger materials go
    as links (Gmail: 25 MB per message).
    """

    store: Store
    plan: Plan
    backend: Any
    out_dir: Path
    templates_dir: Path = DEFAULT_DIR
    daily_cap: int = 500
    max_attachment_bytes: int = 25 * 1024 * 1024
    min_group_size: int = 3
    report_lang: str = "ru"
    log: Callable[[str], None] = field(default=lambda msg: None)
