"""Signing in to Google: an OAuth client for a gmail.com account, or a service account for Workspace.

The credentials file (``credentials: credentials.json`` in club.yaml) is one of:

* an **OAuth client of type "Desktop app"** (``{"installed": {...}}``), for a
  gmail.com account (and any account that signs in in a browser).  ``python
  main.py auth`` opens the browser once; the resulting token is saved next to
  it as ``token.json`` with permissions 0600 (only this user can read it) and
  is refreshed automatically afterwards;
* a **service account key** (``{"type": "service_account", ...}``), for Google
  Workspace, with domain-wide delegation to a user of the domain
  (``"delegated_user": "admin@club.kg"`` in the file, or ``google:
  delegated_user:`` in club.yaml) — it then acts as that user.  A service
  account without delegation has no mailbox and no Drive of its own and is
  refused at start (:func:`no_delegation_message`);
* an ``authorized_user`` token (what ``gcloud auth application-default login`` writes).

Every problem — missing, malformed, expired, revoked, or lacking a scope — is a
:class:`CredentialsError` (an AutomationError) that says what to do.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from automation.errors import AutomationError

SCOPE = {
    "drive.file": "https://www.googleapis.com/auth/drive.file",
    "gmail.compose": "https://www.googleapis.com/auth/gmail.compose",
    "gmail.send": "https://www.googleapis.com/auth/gmail.send",
    "gmail.readonly": "https://www.googleapis.com/auth/gmail.readonly",
    "groups": "https://www.googleapis.com/auth/admin.directory.group.member",
}

#: What each scope is for (shown by ``python main.py auth`` and in docs/GOOGLE.md).
SCOPE_PURPOSE = {
    SCOPE["drive.file"]: "create the forms, the season's spreadsheet and the report files, and only those "
                         "(the app cannot see any other file in the Drive)",
    SCOPE["gmail.compose"]: "send the club's mailings from this account, each first as a draft, so that after a "
                            "crash the program can tell whether a message went out (it cannot read your mail)",
    SCOPE["gmail.send"]: "send the club's mailings from this account (an older sign-in: after a crash an "
                         "uncertain message is reported to the admin instead of being checked)",
    SCOPE["gmail.readonly"]: "optional: after a crash, look in the sent mail whether a message already went out, "
                             "so nobody gets it twice (without it such a message is reported to the admin)",
    SCOPE["groups"]: "Workspace only: add and remove members of the club's Google Group",
}


class CredentialsError(AutomationError):
    """The Google credentials are missing, malformed, expired, revoked or lack a permission."""


def required_scopes(groups: bool = False, read_mail: bool = False) -> list[str]:
    """The least scopes that work: Drive files made by the app, Gmail drafts and sending (+read, +groups if asked).

    ``gmail.compose`` ("Manage drafts and send emails") is the least Gmail scope whose methods include
    drafts.create, drafts.get and drafts.send (their ``scopes`` in the Gmail v1 discovery document);
    drafts are how a message is sent exactly once although Gmail replaces its Message-ID
    (automation/workspace/google/gmail_drafts.py).  A sign-in that still carries ``gmail.send`` instead
    is accepted (:func:`_check_scopes`) and works without drafts.
    """
    scopes = [SCOPE["drive.file"], SCOPE["gmail.compose"]]
    if read_mail:
        scopes.append(SCOPE["gmail.readonly"])
    if groups:
        scopes.append(SCOPE["groups"])
    return scopes


@dataclass
class LoadedCredentials:
    """``kind``: ``oauth`` (token from the browser sign-in), ``service_account`` or ``authorized_user``.

    ``declined``: optional scopes the admin unticked on Google's consent page (the sign-in works
    without them; :data:`DECLINED_MEANS` says what each one's absence means)."""

    credentials: Any
    kind: str
    scopes: list[str] = field(default_factory=list)
    subject: str | None = None  # the user a service account acts as
    declined: list[str] = field(default_factory=list)


#: Scopes the program works without, and what their absence means, in plain words.
OPTIONAL = {SCOPE["gmail.readonly"]}
DECLINED_MEANS = {
    SCOPE["gmail.readonly"]: "the program will not read the sent mail. Nothing is lost: mail is sent through "
                             "drafts, which tell after a crash whether a message went out. (With an older "
                             "sign-in that still uses gmail.send, a message whose sending was cut off is "
                             "reported to you instead of being checked.)",
}
#: What the consent page calls each scope's box (so the admin knows which one to tick).
BOX = {
    SCOPE["drive.file"]: "See, edit, create and delete only the specific Google Drive files you use with this app",
    SCOPE["gmail.compose"]: "Manage drafts and send emails",
    SCOPE["gmail.send"]: "Send email on your behalf",
    SCOPE["gmail.readonly"]: "View your email messages and settings",
    SCOPE["groups"]: "View and manage group subscriptions on your domain",
}


def _read_json(path: Path, what: str, fix: str) -> dict[str, Any]:
    if not path.exists():
        raise CredentialsError(f"{path}: the Google {what} file is not there. {fix}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CredentialsError(f"{path}: the Google {what} file is damaged (not valid JSON: {e}). {fix}") from None
    except OSError as e:
        raise CredentialsError(f"{path}: cannot read the Google {what} file ({e.strerror}). {fix}") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path}: the Google {what} file is not a JSON object. {fix}")
    return data


GET_CREDENTIALS = ("Download it as described in docs/GOOGLE.md (Google Cloud console > APIs & Services > "
                   "Credentials), save it at that path, or set `backend: local` in club.yaml.")


def credentials_kind(data: dict[str, Any]) -> str:
    """What a credentials file holds: ``oauth_client``, ``service_account``, ``authorized_user`` or ``unknown``."""
    if "installed" in data or "web" in data:
        return "oauth_client"
    t = data.get("type")
    if t in ("service_account", "authorized_user"):
        return str(t)
    return "unknown"


def default_token_path(credentials_path: Path) -> Path:
    """Where the OAuth sign-in is saved by default: ``token.json`` next to the credentials file."""
    return Path(credentials_path).with_name("token.json")


def write_token(creds: Any, token_path: Path) -> None:
    """Save an OAuth token readable by this user only (mode 0600), replacing any older one."""
    token_path = Path(token_path)
    token_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = token_path.with_name(token_path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(creds.to_json())
    os.chmod(tmp, 0o600)
    os.replace(tmp, token_path)


def _check_scopes(have: list[str] | None, need: list[str], where: str) -> None:
    if have is None:
        return
    granted = _equivalent(list(have))  # gmail.send: an older sign-in, which sends without drafts
    missing = [s for s in need if s not in granted and s not in OPTIONAL]  # an unticked optional box is fine
    if missing:
        names = ", ".join(m.rsplit("/", 1)[-1] for m in missing)
        raise CredentialsError(f"{where}: the Google sign-in does not allow {names}. Run `python main.py auth` "
                               "again and tick every box Google asks about.")


def _refresh(creds: Any, where: str, request: Any) -> None:
    from google.auth.exceptions import RefreshError, TransportError

    try:
        creds.refresh(request)
    except RefreshError as e:
        raise CredentialsError(
            f"{where}: Google no longer accepts the saved sign-in ({e}). It was revoked, the password changed, "
            "or it expired (an app left in 'Testing' mode in the Google Cloud console loses its sign-in after "
            "7 days — publish it, see docs/GOOGLE.md). Run `python main.py auth` to sign in again.") from None
    except TransportError as e:
        raise CredentialsError(f"{where}: could not reach Google to renew the sign-in ({e}). "
                               "Check the internet connection and run again.") from None


def _user_token(info: dict[str, Any], scopes: list[str], where: str, request: Any, save_to: Path | None) -> Any:
    from google.oauth2.credentials import Credentials

    try:
        creds = Credentials.from_authorized_user_info(info)
    except (ValueError, KeyError) as e:
        raise CredentialsError(f"{where}: the saved sign-in is incomplete ({e}). "
                               "Run `python main.py auth` to sign in again.") from None
    _check_scopes(list(creds.scopes) if creds.scopes else None, scopes, where)
    if not creds.valid:
        if not creds.refresh_token:
            raise CredentialsError(f"{where}: the saved sign-in has expired and cannot be renewed (no refresh token). "
                                   "Run `python main.py auth` to sign in again.")
        _refresh(creds, where, request)
        if save_to is not None:
            write_token(creds, save_to)
    return creds


def load_credentials(path: str | Path, scopes: list[str], token_path: str | Path | None = None,
                     delegated_user: str | None = None, request: Any = None) -> LoadedCredentials:
    """Credentials ready for the adapters, without any browser interaction.

    ``request``: a ``google.auth.transport.Request`` used to renew an expired
    token (default: requests-based).  Raises :class:`CredentialsError`.
    """
    path = Path(path)
    data = _read_json(path, "credentials", GET_CREDENTIALS)
    kind = credentials_kind(data)
    if request is None:
        from google.auth.transport.requests import Request

        request = Request()
    if kind == "oauth_client":
        token = Path(token_path) if token_path else default_token_path(path)
        if not token.exists():
            raise CredentialsError(f"{token}: not signed in to Google yet. Run `python main.py auth` once "
                                   "(it opens the browser) to sign in with the club's account.")
        info = _read_json(token, "sign-in (token)", "Delete it and run `python main.py auth` to sign in again.")
        creds = _user_token(info, scopes, str(token), request, save_to=token)
        return LoadedCredentials(creds, "oauth", list(creds.scopes or scopes))
    if kind == "authorized_user":
        creds = _user_token(data, scopes, str(path), request, save_to=None)
        return LoadedCredentials(creds, "authorized_user", list(creds.scopes or scopes))
    if kind == "service_account":
        from google.oauth2 import service_account

        subject = delegated_user or data.get("delegated_user")
        try:
            creds = service_account.Credentials.from_service_account_info(data, scopes=scopes)
        except (ValueError, KeyError) as e:
            raise CredentialsError(f"{path}: the service account key is incomplete or damaged ({e}). Create a new "
                                   "key in the Google Cloud console (IAM > Service accounts > Keys) and save it "
                                   "here.") from None
        if not subject:  # refused at start: it could neither send mail nor make usable forms
            raise CredentialsError(no_delegation_message(path, creds, scopes))
        creds = creds.with_subject(subject)
        return LoadedCredentials(creds, "service_account", list(scopes), subject)
    raise CredentialsError(
        f"{path}: this is not a Google credentials file this program knows (expected an OAuth client of type "
        "'Desktop app' with an \"installed\" key, or a service account key with \"type\": \"service_account\"). "
        + GET_CREDENTIALS)


def no_delegation_message(credentials_path: Path, credentials: Any, scopes: list[str]) -> str:
    """What to do when the credentials are a service account acting as nobody (no domain-wide delegation).

    Such an account has no mailbox and no Drive of its own: Gmail answers 400 "Precondition check
    failed." (failedPrecondition; e.g. googleapis/google-api-python-client#984,
    googleapis/google-api-nodejs-client#2322), and ``forms.create`` takes no parent folder, so a form
    would land in the service account's own Drive, which the club cannot use.  So it is refused at start.
    """
    client_id = getattr(credentials, "client_id", None) or getattr(credentials, "_client_id", None) or "(see the key)"
    who = getattr(credentials, "service_account_email", "the service account")
    return (f"{credentials_path}: {who} is a service account without domain-wide delegation. It has no mailbox "
            "and no Drive of its own, so it cannot send the club's mail (Gmail refuses with \"Precondition check "
            "failed\") or make forms the club can use (a form cannot be put in a folder when it is made). "
            "Do one of these: (1) in Google Workspace, let it act for a user: Admin console > Security > "
            f"Access and data control > API controls > Domain-wide delegation > Add new, client ID {client_id}, "
            f"scopes {','.join(scopes)}; then put google: delegated_user: <that user's address> in club.yaml; "
            "or (2) use an OAuth client of type \"Desktop app\" instead and sign in once with "
            "`python main.py auth` (docs/GOOGLE.md, Part 2).")


def sign_in(path: str | Path, scopes: list[str], token_path: str | Path | None = None,
            run_flow: Callable[[Any], Any] | None = None) -> LoadedCredentials:
    """The browser sign-in for an OAuth client (``python main.py auth``); saves the token (0600).

    ``run_flow(flow)`` returns credentials (default: ``flow.run_local_server(port=0)``,
    which opens the browser and listens on localhost for Google's answer).
    For a service account there is nothing to sign in: its key is checked instead.
    """
    path = Path(path)
    data = _read_json(path, "credentials", GET_CREDENTIALS)
    kind = credentials_kind(data)
    if kind != "oauth_client":
        return load_credentials(path, scopes, token_path)
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_config(data, scopes=scopes)
    except ValueError as e:
        raise CredentialsError(f"{path}: the OAuth client file is damaged ({e}). " + GET_CREDENTIALS) from None
    runner = run_flow or (lambda f: f.run_local_server(port=0, open_browser=True,
                                                        authorization_prompt_message="Open this link to sign in: {url}"))
    # Google's consent page lets the admin untick boxes; oauthlib then raises "Scope has changed" unless
    # OAUTHLIB_RELAX_TOKEN_SCOPE is set (oauthlib/oauth2/rfc6749/parameters.py, validate_token_parameters).
    # The grant is accepted here and checked against what the program needs just below.
    relaxed = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        creds = runner(flow)
    except Exception as e:  # oauthlib raises its own errors (access_denied, mismatching state, ...)
        raise CredentialsError(f"The Google sign-in did not finish ({e}). Run `python main.py auth` again and "
                               "allow access.") from None
    finally:
        if relaxed is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = relaxed
    granted = _scope_list(getattr(creds, "granted_scopes", None)) or list(creds.scopes or scopes)
    token = Path(token_path) if token_path else default_token_path(path)
    needed = [s for s in scopes if s not in OPTIONAL]
    missing = [s for s in needed if s not in _equivalent(granted)]
    if missing:
        boxes = "; ".join(f"«{BOX.get(m, m)}» ({m.rsplit('/', 1)[-1]})" for m in missing)
        raise CredentialsError(f"The Google sign-in was made without a permission the program needs: {boxes}. "
                               "Nothing was saved. Run `python main.py auth` again and tick that box on Google's "
                               "page.")
    if sorted(granted) != sorted(creds.scopes or []):  # save the scopes actually granted, not those asked for
        from google.oauth2.credentials import Credentials

        info = json.loads(creds.to_json())
        info["scopes"] = granted
        creds = Credentials.from_authorized_user_info(info)
    write_token(creds, token)
    declined = [s for s in scopes if s in OPTIONAL and s not in granted]
    return LoadedCredentials(creds, "oauth", granted, declined=declined)


def _scope_list(value: Any) -> list[str]:
    """Granted scopes as a list (oauthlib gives a list or a space-separated string)."""
    if not value:
        return []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _equivalent(granted: list[str]) -> set[str]:
    """The granted scopes, with gmail.send standing in for gmail.compose (see :func:`required_scopes`)."""
    out = set(granted)
    if SCOPE["gmail.send"] in out:
        out.add(SCOPE["gmail.compose"])
    return out


def describe(loaded: LoadedCredentials, token_path: Path | None = None) -> str:
    """What ``python main.py auth`` prints: who signs in, and what each permission is for."""
    lines = []
    if loaded.kind == "service_account":
        who = getattr(loaded.credentials, "service_account_email", "?")
        lines.append(f"Service account {who}, acting as {loaded.subject}")
    else:
        lines.append("Signed in with a Google account" + (f"; the sign-in is saved in {token_path} (only you can "
                                                          "read it)" if token_path else ""))
    lines.append("Permissions:")
    for s in loaded.scopes:
        lines.append(f"  - {s.rsplit('/', 1)[-1] or s}: {SCOPE_PURPOSE.get(s, '')}")
    for s in loaded.declined:
        lines.append(f"Not allowed (the box was unticked): {s.rsplit('/', 1)[-1]}. This means: "
                     f"{DECLINED_MEANS.get(s, 'the program works without it')}")
    return "\n".join(lines)
