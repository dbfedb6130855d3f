"""Service configuration (``club.yaml``): reading and validating it.

The service is assembled from a :class:`Config` in :mod:`automation.app`.

Keys (all optional; paths are relative to the config file)::

    plan: examples/club2022/plan.yaml
    state: state.sqlite              # the SQLite store (ledger, forms, responses, deliveries)
    out: out                         # report, charts and the Maildir outbox (out/outbox)
    sheets: sheets                   # the local backend's workbooks
    backend: local                   # local | google
    smtp:                            # optional: send through an SMTP server instead of the Maildir outbox
      host: smtp.example.org
      port: 587
      username: club@example.org
      password_env: CLUB_SMTP_PASSWORD   # the password is read from this environment variable
      security: starttls             # starttls | ssl | none
    imap:                            # optional, with smtp: the account's Sent folder, to settle after a crash
      host: imap.example.org         # whether a message went out (the provider must file sent mail there)
      port: 993
      username: club@example.org
      password_env: CLUB_IMAP_PASSWORD   # the password is read from this environment variable
      folder: Sent                   # the Sent folder's IMAP name (Gmail: "[Gmail]/Sent Mail")
      security: ssl                  # ssl | starttls | none
    daily_cap: 500                   # recipients a day (Gmail: 500 for gmail.com, 2000 for Workspace)
    min_group_size: 3                # small-cell suppression in reports
    report_lang: ru                  # ru | ky
    credentials: credentials.json    # backend google: OAuth client or service account key (docs/GOOGLE.md)
    google:                          # backend google, all optional (automation/workspace/google/__init__.py)
      token: token.json              # the saved sign-in (python main.py auth), 0600
      groups: directory              # directory (Workspace group) | roster (gmail.com: the roster is the list)
      folder_id: ...                 # Drive folder (a Shared Drive's for a service account)
      read_mail: true                # also ask gmail.readonly (only useful with an older gmail.send sign-in)
      responders: anyone             # who may answer the forms: anyone (with the link) | a domain, e.g. amuca.kg
    telegram:                        # optional: the club's Telegram group (docs/TELEGRAM.md)
      token_env: TELEGRAM_BOT_TOKEN  # the bot's token is read from this environment variable, never a file
      chat_id: -1001234567890        # the group's id
      api_url: https://api.telegram.org  # optional: the Bot API server (the tests use a fake on 127.0.0.1)
      bot_username: club_bot         # optional, rarely needed: the bot's username for the «link Telegram» line
                                     # (t.me/<bot>?start=<code>) of personal mail; without it the service asks
                                     # Telegram (getMe) once and remembers; when set it wins (telegram check
                                     # warns if the token belongs to another bot)
    web:                             # python main.py serve (automation/web/)
      behind_proxy: false            # true: reached through an HTTPS proxy; trust its X-Forwarded-For/-Proto
                                     # and send the cookie Secure
    backup:                          # python main.py backup, and the daily backup of serve (docs/HOSTING.md)
      dir: backups                   # where backups go (default: backups/ beside the state file)
      keep_days: 14                  # the daily backups older than this are deleted (the newest is always kept)
      hour: 3                        # the daily backup is made at the first check after this hour (Asia/Bishkek)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.checker import read_yaml
from automation.errors import AutomationError, ValidationError
from automation.forms.templates import DEFAULT_DIR

_KEYS = {"plan", "state", "out", "sheets", "backend", "smtp", "imap", "daily_cap", "min_group_size", "report_lang",
         "templates", "credentials", "google", "web", "telegram", "backup"}
_BACKUP_KEYS = {"dir", "keep_days", "hour"}


@dataclass
class Config:
    """The settings of ``club.yaml`` (see the module docstring); paths are absolute once loaded.

    ``google`` holds the ``google:`` options, with ``token`` made absolute; ``extra`` is not read by
    anything (no setting fills it).
    """

    plan: Path
    state: Path
    out: Path
    sheets: Path
    templates: Path = DEFAULT_DIR
    backend: str = "local"
    smtp: dict[str, Any] | None = None
    imap: dict[str, Any] | None = None
    daily_cap: int = 500
    min_group_size: int = 3
    report_lang: str = "ru"
    extra: dict[str, Any] = field(default_factory=dict)
    credentials: Path | None = None
    google: dict[str, Any] = field(default_factory=dict)
    web: dict[str, Any] = field(default_factory=dict)
    telegram: dict[str, Any] | None = None
    backup_dir: Path | None = None
    backup_keep_days: int = 14
    backup_hour: int = 3

    @property
    def backups(self) -> Path:
        """Where backups go: ``backup.dir``, else ``backups/`` beside the state file."""
        return self.backup_dir or self.state.parent / "backups"


def load_config(path: str | Path | None) -> Config:
    """Read ``club.yaml`` (or defaults when ``path`` is None and no ``club.yaml`` exists here).

    Raises :class:`ValidationError` listing every unknown setting and bad value, and
    :class:`AutomationError` when ``path`` is given but missing, or when ``smtp.password_env`` or
    ``imap.password_env`` names an environment variable that is not set.
    """
    p = Path(path) if path else Path("club.yaml")
    data: dict[str, Any] = {}
    if p.exists():
        data = read_yaml(p, ValidationError, "of settings (plan:, state:, out:, ...)")
        problems = [f"{k}: unknown setting (allowed: {', '.join(sorted(_KEYS))})" for k in data if k not in _KEYS]
        problems += _check_values(data)
        if problems:
            raise ValidationError(str(p), problems)
    elif path:
        raise AutomationError(f"{p}: configuration file not found")
    base = p.resolve().parent

    def rel(key: str, default: str) -> Path:
        v = Path(str(data.get(key, default)))
        return v if v.is_absolute() else base / v

    smtp, imap = _with_password(p, "smtp", data.get("smtp")), _with_password(p, "imap", data.get("imap"))
    backend = data.get("backend", "local")
    if backend not in ("local", "google"):
        raise ValidationError(str(p), [f"backend: expected local or google, found {backend!r}"])
    return Config(plan=rel("plan", "examples/club2022/plan.yaml"), state=rel("state", "state.sqlite"),
                  out=rel("out", "out"), sheets=rel("sheets", "sheets"),
                  templates=rel("templates", str(DEFAULT_DIR)), backend=backend, smtp=smtp, imap=imap,
                  daily_cap=int(data.get("daily_cap", 500)), min_group_size=int(data.get("min_group_size", 3)),
                  report_lang=str(data.get("report_lang", "ru")),
                  credentials=rel("credentials", "credentials.json"), google=_google_options(data, base, p),
                  web=dict(data.get("web") or {}), telegram=_telegram(data.get("telegram")),
                  **_backup_options(data.get("backup") or {}, base))


def _backup_options(section: dict[str, Any], base: Path) -> dict[str, Any]:
    """The ``backup:`` settings as :class:`Config` fields (``dir`` made absolute, relative to ``base``)."""
    out: dict[str, Any] = {}
    if section.get("dir"):
        d = Path(str(section["dir"]))
        out["backup_dir"] = d if d.is_absolute() else base / d
    if "keep_days" in section:
        out["backup_keep_days"] = int(section["keep_days"])
    if "hour" in section:
        out["backup_hour"] = int(section["hour"])
    return out


_SMTP_KEYS = {"host", "port", "username", "password_env", "security", "timeout"}
_IMAP_KEYS = {"host", "port", "username", "password_env", "folder", "security", "timeout"}


def _with_password(source: Path, key: str, section: Any) -> dict[str, Any] | None:
    """A copy of the ``smtp:``/``imap:`` section with ``password`` read from the variable ``password_env`` names."""
    if not section:
        return None
    out = dict(section)
    env = out.pop("password_env", None)
    if env:
        out["password"] = os.environ.get(env)
        if out["password"] is None:
            raise AutomationError(f"{source}: {key}.password_env names {env}, but that environment variable is not set")
    return out


def _check_values(data: dict[str, Any]) -> list[str]:
    """Problems with the values of known settings (types, ranges), each naming its key."""
    out = []
    for key, low in (("daily_cap", 1), ("min_group_size", 1)):
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < low):
            out.append(f"{key}: expected a whole number >= {low}, found {v!r}")
    lang = data.get("report_lang")
    if lang is not None and lang not in ("ru", "ky"):
        out.append(f"report_lang: expected ru or ky, found {lang!r}")
    smtp = data.get("smtp")
    if smtp is not None:
        if not isinstance(smtp, dict):
            out.append(f"smtp: expected a mapping (host:, port:, username:, password_env:, security:), found {smtp!r}")
        else:
            out += [f"smtp.{k}: unknown setting (allowed: {', '.join(sorted(_SMTP_KEYS))})"
                    for k in smtp if k not in _SMTP_KEYS]
            if "host" not in smtp:
                out.append("smtp.host: required (the SMTP server's name)")
            if "port" in smtp and (not isinstance(smtp["port"], int) or not 0 < smtp["port"] < 65536):
                out.append(f"smtp.port: expected a port number such as 587, found {smtp['port']!r}")
            if smtp.get("security", "starttls") not in ("starttls", "ssl", "none"):
                out.append(f"smtp.security: expected starttls, ssl or none, found {smtp['security']!r}")
    web = data.get("web")
    if web is not None:
        if not isinstance(web, dict):
            out.append(f"web: expected a mapping (behind_proxy: true or false), found {web!r}")
        else:
            out += [f"web.{k}: unknown setting (allowed: behind_proxy)" for k in web if k != "behind_proxy"]
            if "behind_proxy" in web and not isinstance(web["behind_proxy"], bool):
                out.append(f"web.behind_proxy: expected true or false, found {web['behind_proxy']!r}")
    return out + _check_imap(data) + _check_telegram(data) + _check_backup(data)


def _check_backup(data: dict[str, Any]) -> list[str]:
    """Problems with the ``backup:`` section, each naming its key."""
    b = data.get("backup")
    if b is None:
        return []
    if not isinstance(b, dict):
        return [f"backup: expected a mapping (dir:, keep_days:, hour:), found {b!r}"]
    out = [f"backup.{k}: unknown setting (allowed: {', '.join(sorted(_BACKUP_KEYS))})" for k in b if k not in _BACKUP_KEYS]
    for key, low, high in (("keep_days", 1, 3650), ("hour", 0, 23)):
        v = b.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high):
            out.append(f"backup.{key}: expected a whole number from {low} to {high}, found {v!r}")
    if "dir" in b and (not isinstance(b["dir"], str) or not b["dir"].strip()):
        out.append(f"backup.dir: expected a folder such as backups, found {b['dir']!r}")
    return out


def _check_imap(data: dict[str, Any]) -> list[str]:
    """Problems with the ``imap:`` section, each naming its key."""
    imap = data.get("imap")
    if imap is None:
        return []
    if not isinstance(imap, dict):
        return [f"imap: expected a mapping (host:, port:, username:, password_env:, folder:, security:), found {imap!r}"]
    out = [f"imap.{k}: unknown setting (allowed: {', '.join(sorted(_IMAP_KEYS))})" for k in imap if k not in _IMAP_KEYS]
    if not data.get("smtp"):
        out.append("imap: only used with smtp: (it is where the SMTP account's sent mail is looked up); "
                   "add smtp: or remove imap:")
    if "host" not in imap:
        out.append("imap.host: required (the IMAP server's name)")
    if "port" in imap and (isinstance(imap["port"], bool) or not isinstance(imap["port"], int)
                           or not 0 < imap["port"] < 65536):
        out.append(f"imap.port: expected a port number such as 993, found {imap['port']!r}")
    if imap.get("security", "ssl") not in ("starttls", "ssl", "none"):
        out.append(f"imap.security: expected ssl, starttls or none, found {imap['security']!r}")
    if "folder" in imap and (not isinstance(imap["folder"], str) or not imap["folder"].strip()):
        out.append(f"imap.folder: expected the Sent folder's name such as Sent, found {imap['folder']!r}")
    return out


def _google_options(data: dict[str, Any], base: Path, source: Path) -> dict[str, Any]:
    """The ``google:`` options, with a relative ``token`` path made relative to the config file's folder."""
    opts = data.get("google") or {}
    if not isinstance(opts, dict):
        raise ValidationError(str(source), ["google: expected a mapping of settings"])
    opts = dict(opts)
    if opts.get("token") and not Path(str(opts["token"])).is_absolute():
        opts["token"] = base / str(opts["token"])
    return opts


_TELEGRAM_KEYS = {"token_env", "chat_id", "api_url", "bot_username"}


def _check_telegram(data: dict[str, Any]) -> list[str]:
    """Problems with the ``telegram:`` section, each naming its key."""
    tg = data.get("telegram")
    if tg is None:
        return []
    if not isinstance(tg, dict):
        return [f"telegram: expected a mapping (token_env:, chat_id:, api_url:), found {tg!r}"]
    out = [f"telegram.{k}: unknown setting (allowed: {', '.join(sorted(_TELEGRAM_KEYS))})" for k in tg
           if k not in _TELEGRAM_KEYS]
    if not isinstance(tg.get("token_env"), str) or not tg.get("token_env"):
        out.append("telegram.token_env: required, the name of the environment variable holding the bot's token "
                   "(such as TELEGRAM_BOT_TOKEN); the token itself never goes in this file")
    chat = tg.get("chat_id")
    if isinstance(chat, bool) or not (isinstance(chat, int) or (isinstance(chat, str) and chat.lstrip("-").isdigit())):
        out.append(f"telegram.chat_id: expected the group's numeric id such as -1001234567890, found {chat!r}")
    url = tg.get("api_url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        out.append(f"telegram.api_url: expected a URL such as https://api.telegram.org, found {url!r}")
    name = tg.get("bot_username")
    if name is not None and (not isinstance(name, str) or not name.strip("@").replace("_", "").isalnum()):
        out.append(f"telegram.bot_username: expected the bot's username such as club_bot, found {name!r}")
    return out


def _telegram(section: Any) -> dict[str, Any] | None:
    """The checked ``telegram:`` section with ``chat_id`` an int and ``token`` read from ``token_env``
    (None when that variable is not set: the channel then stops with that message, and mail goes on)."""
    if not section:
        return None
    out = dict(section)
    out["chat_id"] = int(out["chat_id"])
    out["token"] = os.environ.get(str(out["token_env"])) or None
    if out.get("bot_username"):
        out["bot_username"] = str(out["bot_username"]).lstrip("@")
    return out
