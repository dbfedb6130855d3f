"""Plumbing shared by the Google adapters: how to reach Google, retries, and errors.

:class:`Connection` is the one seam between the adapters and the network.  In
production it holds only the credentials and every service is built from the
discovery documents shipped in google-api-python-client (no discovery fetch).
Tests pass the fake server's transport instead (``http_factory``,
``api_endpoint``, ``batch_uri``, ``mount``) — see tests/fake_google/README.md
for why each is needed (media uploads keep https; batch requests ignore
``api_endpoint``; gspread is reached through its requests session).

Retries (:class:`RetryPolicy`): googleapiclient's own ``execute(num_retries=n)``
retries 429, 5xx and 403 rate-limit answers with exponential backoff
(``rand() * 2**k`` seconds); we only choose ``n`` and the sleep function, so
tests can retry instantly.  What still fails is translated into
:class:`automation.errors.BackendError` with a message an admin can act on
(:func:`translate`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from automation.errors import AutomationError, BackendError

#: googleapiclient ``build(name, version)`` of each API the adapters use.
APIS = {
    "forms": ("forms", "v1"),
    "sheets": ("sheets", "v4"),
    "drive": ("drive", "v3"),
    "gmail": ("gmail", "v1"),
    "directory": ("admin", "directory_v1"),
}

_PRODUCT = {"forms": "Google Forms", "sheets": "Google Sheets", "drive": "Google Drive", "gmail": "Gmail",
            "directory": "the Google Groups directory (Admin SDK)"}


class GoogleAuthError(BackendError):
    """Google does not accept the credentials (revoked, expired, or missing a permission)."""

    refused_before_processing = True  # a 401/403 answer: Google did nothing with the request


@dataclass
class RetryPolicy:
    """How often and how patiently transient failures (429, 5xx) are retried.

    ``num_retries``: extra attempts after the first (googleapiclient waits
    ``rand() * 2**k`` s before the k-th), so at most about ``2**(n+1)`` seconds in
    all — bounded.  ``sleep`` is ``time.sleep``; tests pass a no-op.
    """

    num_retries: int = 5
    sleep: Callable[[float], None] = time.sleep

    def call(self, request: Any, what: str, api: str = "") -> Any:
        """``request.execute()`` with retries; HttpError -> BackendError naming ``what`` failed."""
        from googleapiclient.errors import HttpError

        request._sleep = self.sleep  # googleapiclient's documented-in-code hook for its retry sleep
        try:
            return request.execute(num_retries=self.num_retries)
        except HttpError as e:
            raise translate(e, what, api) from None
        except AutomationError:
            raise
        except Exception as e:  # google-auth's RefreshError; OSError, httplib2 and google-auth transport errors
            if lost_connection(e, what):
                raise BackendError(f"Could not reach {_PRODUCT.get(api, 'Google')} to {what} ({e}). Check the "
                                   "internet connection and run again; nothing was recorded as done.") from None
            raise


def is_connection_error(e: BaseException) -> bool:
    """A lost connection, DNS failure or timeout (the request may or may not have reached Google)."""
    import httplib2
    from google.auth.exceptions import TransportError

    return isinstance(e, (OSError, httplib2.HttpLib2Error, TransportError))


def lost_connection(e: BaseException, what: str) -> bool:
    """For an exception of a request other than an HttpError: True when the connection was lost (the caller
    decides whether to retry or report it), False for anything else (the caller re-raises it).

    Raises :class:`GoogleAuthError` for a sign-in Google no longer accepts (:func:`auth_error`): that is never
    a lost connection to retry.
    """
    problem = auth_error(e, what)
    if problem is not None:
        raise problem from None
    return is_connection_error(e)


def auth_error(e: BaseException, what: str) -> GoogleAuthError | None:
    """The GoogleAuthError for a google-auth RefreshError (revoked or expired sign-in), else None."""
    from google.auth.exceptions import RefreshError

    if isinstance(e, RefreshError):
        return GoogleAuthError(f"Google no longer accepts the saved sign-in ({e}); could not {what}. "
                               "Run `python main.py auth` to sign in again.")
    return None


def error_details(e: Any) -> tuple[int, str, str]:
    """``(status, reason, message)`` of a googleapiclient HttpError or a gspread APIError."""
    status = int(getattr(getattr(e, "resp", None), "status", 0) or getattr(e, "code", 0) or 0)
    content = getattr(e, "content", None)
    payload: Any = None
    if content is not None:
        try:
            payload = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        except (ValueError, UnicodeDecodeError):
            payload = None
    elif isinstance(getattr(e, "error", None), dict):  # gspread.APIError
        payload = {"error": e.error}
    err = payload.get("error", {}) if isinstance(payload, dict) else {}
    if not isinstance(err, dict):
        err = {"message": str(err)}
    reason = ""
    if err.get("errors"):
        reason = str(err["errors"][0].get("reason", ""))
    else:  # the newer APIs (Forms, Sheets) send no legacy errors[]: the reason is in an ErrorInfo detail
        for d in err.get("details") or []:
            if isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.ErrorInfo") and d.get("reason"):
                reason = str(d["reason"])
                break
    message = str(err.get("message") or getattr(e, "reason", "") or e)
    return status, reason, message


def translate(e: Any, what: str, api: str = "") -> BackendError:
    """A BackendError whose message says what failed, why, and what to do."""
    status, reason, message = error_details(e)
    product = _PRODUCT.get(api, "Google")
    if status == 401:
        return GoogleAuthError(f"{product} refused the sign-in while trying to {what} ({message}). "
                               "The access was revoked or has expired: run `python main.py auth` again.")
    if status == 403 and reason in ("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT") or \
            "insufficient authentication scopes" in message:
        return GoogleAuthError(f"{product} refused to {what}: the sign-in lacks a permission it needs ({message}). "
                               "Run `python main.py auth` again and tick every box Google asks about.")
    if status == 403:
        return BackendError(f"{product} refused to {what} ({message}). Check that the signed-in account owns the "
                            "form, sheet, file or group (a file made by hand is invisible to this app's "
                            "'drive.file' permission), and that the API is enabled in the Google Cloud project.")
    if status == 404:
        return BackendError(f"{product} could not {what}: not found ({message}). It was probably deleted or "
                            "belongs to another account.")
    if status == 429 or status >= 500:
        return BackendError(f"{product} is busy or failing ({status}: {message}); gave up trying to {what} after "
                            "several retries. Nothing was recorded as done: the next run tries again.")
    return BackendError(f"{product} rejected the request to {what} ({status}: {message}).")


@dataclass
class Connection:
    """Everything an adapter needs to reach Google.

    Production: ``Connection(credentials)``.  Tests: give the fake server's
    ``http_factory`` (an authorized httplib2 transport), ``api_endpoint``
    (api name -> endpoint), ``batch_uri`` (api name -> batch URL) and ``mount``
    (routes a requests session, for gspread: see
    :func:`automation.workspace.google.sheets.gspread_client`).
    """

    credentials: Any
    http_factory: Callable[[], Any] | None = None
    api_endpoint: Callable[[str], str] | None = None
    batch_uri: Callable[[str], str] | None = None
    mount: Callable[[Any], Any] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    _services: dict[str, Any] = field(default_factory=dict, repr=False)

    def service(self, api: str) -> Any:
        """A googleapiclient Resource for ``api`` (forms, sheets, drive, gmail, directory), built once."""
        if api not in self._services:
            from googleapiclient.discovery import build

            name, version = APIS[api]
            if self.http_factory is None and self.api_endpoint is None:
                self._services[api] = build(name, version, credentials=self.credentials, cache_discovery=False,
                                            static_discovery=True)
            else:
                options = {"api_endpoint": self.api_endpoint(api)} if self.api_endpoint else None
                http = self.http_factory() if self.http_factory else None
                kwargs: dict[str, Any] = {"http": http} if http is not None else {"credentials": self.credentials}
                self._services[api] = build(name, version, client_options=options, static_discovery=True, **kwargs)
        return self._services[api]

    def new_batch(self, api: str, callback: Callable[[str, Any, Any], None]) -> Any:
        """A BatchHttpRequest for ``api``: Google's batch URL in production, ``batch_uri(api)`` in tests."""
        if self.batch_uri is None:
            return self.service(api).new_batch_http_request(callback=callback)
        from googleapiclient.http import BatchHttpRequest

        return BatchHttpRequest(callback=callback, batch_uri=self.batch_uri(api))
