"""The one place the service is assembled: configuration → plan → store → backend → :class:`Context`.

Every command, the scheduler and the tests get their parts from here:

- :func:`make_context` builds the whole :class:`automation.context.Context` from a
  :class:`automation.config.Config` (the plan is loaded and validated first, so a bad
  plan creates no state file; then the store; then the backend the configuration names).
- :class:`Service` holds one configuration and builds each part on first use, once:
  a command that only lists the roster opens the store and nothing else.

Nothing here reads ``club.yaml`` (that is :mod:`automation.config`) or talks to a
provider (that is :mod:`automation.workspace`).
"""

from __future__ import annotations

import random

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from automation.config import Config
from automation.context import Context, TelegramChannel
from automation.errors import AutomationError
from automation.plan.load import load_plan
from automation.plan.model import Plan
from automation.store import LedgerEntry, Store


def _quiet(message: str) -> None:
    """A log function that drops every line."""


def build_backend(cfg: Config, store: Store, plan: Plan, rng: random.Random | None = None) -> Any:
    """The backend ``cfg.backend`` names, on ``store``, for ``plan``'s club.

    ``google``: :meth:`automation.workspace.google.GoogleBackend.create` with the credentials and
    ``google:`` options of the configuration (signs in; raises the Google package's credential errors);
    its spreadsheet is titled «<club name (ru)> — <first year>–<last year of the events>».
    ``local``: :meth:`automation.workspace.local.LocalBackend.create` writing under ``cfg.out``
    (``outbox/``), the workbooks under ``cfg.sheets``, mail through ``cfg.smtp`` when configured (its
    sent mail looked up in ``cfg.imap``'s Sent folder after a crash, when that is configured); link
    tokens drawn from ``rng`` when given (a seeded run, such as the demo, writes the same links every time).
    """
    if cfg.backend == "google":
        from automation.workspace.google import GoogleBackend

        years = sorted({e.start.year for e in plan.events})
        season = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
        return GoogleBackend.create(store, cfg.credentials or Path("credentials.json"), plan.club.group_email,
                                    options=cfg.google, mentor_email=plan.club.mentor_email,
                                    spreadsheet_title=f"{plan.club.name.ru} — {season}".strip(" —"))
    from automation.workspace.local import LocalBackend

    return LocalBackend.create(store, cfg.out, plan.club.group_email, plan.club.form_base_url, smtp=cfg.smtp,
                               sheets_dir=cfg.sheets, rng=rng, imap=cfg.imap)


def make_context(cfg: Config, log: Callable[[str], None] = _quiet, store: Store | None = None,
                 plan: Plan | None = None, rng: random.Random | None = None) -> Context:
    """Load the plan (unless given), open the store (unless given) and build the backend named in ``cfg``.

    ``log`` receives one line per action the scheduler runs; ``rng`` seeds the local backend's link
    tokens (see :func:`build_backend`).  Raises :class:`automation.errors.PlanError`
    for a bad plan (before any state file is created) and the backend's errors (e.g. Google credentials).
    """
    plan = plan or load_plan(cfg.plan, cfg.templates)
    store = store or Store(cfg.state)
    return Context(store=store, plan=plan, backend=build_backend(cfg, store, plan, rng), out_dir=cfg.out,
                   templates_dir=cfg.templates, daily_cap=cfg.daily_cap, min_group_size=cfg.min_group_size,
                   report_lang=cfg.report_lang, log=log, telegram=build_telegram(cfg))


def build_telegram(cfg: Config) -> TelegramChannel | None:
    """The Telegram channel of ``cfg.telegram`` (None without that section): the Bot API adapter
    (:class:`automation.workspace.telegram.BotApiTelegram`) when the token's variable is set, else a channel
    with no port whose ``problem`` names the variable.  Makes no call to Telegram."""
    tg = cfg.telegram
    if not tg:
        return None
    if not tg.get("token"):
        return TelegramChannel(tg["chat_id"], None, f"the environment variable {tg['token_env']} (the bot's token) is "
                               "not set", tg.get("bot_username"))
    from automation.workspace.telegram import BotApiTelegram

    return TelegramChannel(tg["chat_id"], BotApiTelegram(tg["token"], tg.get("api_url")), "", tg.get("bot_username"))


@dataclass(frozen=True)
class GoogleSignIn:
    """What ``python main.py auth`` signs in with: the OAuth client or service account key file, where the
    sign-in is saved (``token``), the scopes to ask, the group mode (``directory``: a Workspace group;
    ``roster``: a gmail.com account, the roster is the mailing list) and the Workspace user a service
    account acts for (``delegated_user``, or None)."""

    credentials: Path
    token: Path
    scopes: list[str]
    groups: str
    delegated_user: str | None


class Service:
    """The service of one configuration, assembled on demand: each part is built at its first use, once.

    ``log`` receives the scheduler's lines (see :func:`make_context`).  Building a part raises what
    building it raises: :class:`automation.errors.PlanError` for the plan, the store's and the backend's
    errors for the others.
    """

    def __init__(self, config: Config, log: Callable[[str], None] = _quiet):
        self.config = config
        self.log = log

    @cached_property
    def plan(self) -> Plan:
        """The plan of ``config.plan``, validated against the templates of ``config.templates``."""
        return load_plan(self.config.plan, self.config.templates)

    @cached_property
    def store(self) -> Store:
        """The state file ``config.state``, opened (and created, 0600, if it does not exist yet)."""
        return Store(self.config.state)

    @cached_property
    def context(self) -> Context:
        """Plan, store and backend together (the plan first: a bad plan creates no state file)."""
        plan = self.plan
        return make_context(self.config, self.log, store=self.store, plan=plan)

    def ledger(self) -> Mapping[str, LedgerEntry]:
        """The ledger's entries by action key (``store.ledger.all()``); empty, and no state file created,
        when there is no state file yet."""
        return self.store.ledger.all() if self.config.state.exists() else {}

    def existing_store(self, what: str = "") -> Store:
        """The state file, which must already exist (commands that only read what the season made).

        Raises :class:`AutomationError` saying so, with ``what`` it would have held.
        """
        if not self.config.state.exists():
            raise AutomationError(f"{self.config.state}: no state file yet{' (' + what + ')' if what else ''}")
        return self.store

    def plan_if_valid(self) -> Plan | None:
        """The plan, or None when it is missing or broken (reports that can do without the plan's titles)."""
        try:
            return self.plan
        except AutomationError:
            return None

    @property
    def web_key_path(self) -> Path:
        """The file of the web forms' secret key: ``<state file>.web-key`` beside the state file."""
        return self.config.state.parent / (self.config.state.name + ".web-key")

    def google_groups(self) -> str:
        """``directory`` or ``roster``: the ``google.groups`` setting, else ``roster`` for a gmail.com group
        address (no groups API) and ``directory`` for another; ``roster`` when the plan cannot be read."""
        groups = (self.config.google or {}).get("groups")
        if groups is None:
            from automation.workspace.google import consumer_address

            try:
                groups = "roster" if consumer_address(self.plan.club.group_email) else "directory"
            except AutomationError:
                groups = "roster"
        return groups

    def google_sign_in(self, read_mail: bool = False) -> GoogleSignIn:
        """The sign-in settings of the configuration (``credentials:`` and ``google:``; docs/GOOGLE.md).

        The scopes are those of :func:`automation.workspace.google.auth.required_scopes` for the group mode,
        plus reading the sent mail with ``read_mail`` or the ``google.read_mail`` setting.  The token defaults
        to :func:`automation.workspace.google.auth.default_token_path` of the credentials file.
        """
        from automation.workspace.google.auth import default_token_path, required_scopes

        opts = self.config.google or {}
        groups = self.google_groups()
        scopes = required_scopes(groups=groups == "directory", read_mail=bool(read_mail or opts.get("read_mail")))
        path = self.config.credentials or Path("credentials.json")
        token = Path(opts["token"]) if opts.get("token") else default_token_path(path)
        return GoogleSignIn(path, token, scopes, groups, opts.get("delegated_user"))
