"""What stands between the web forms and a hostile client: request bodies, rate limits, proxies, logs.

- :class:`BodyLimit` refuses a body larger than the limit even when it comes
  chunked (no ``Content-Length``: Werkzeug would silently cut it at the limit);
- :func:`rate_limits` counts stored anonymous submissions per client and per form
  (Flask-Limiter, in memory: ``serve`` is one process);
- :func:`trust_proxy` believes ``X-Forwarded-For``/``-Proto`` of one proxy (only
  when ``club.yaml`` says ``web: {behind_proxy: true}``);
- :func:`mask_tokens` shortens link tokens in anything that is logged;
- :func:`parse_page` reads the page number a form posts back, strictly.
"""

from __future__ import annotations

import io
import re
from typing import Any, Callable, Iterable

from flask import Flask, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

#: Submissions stored through one form's public link from one client (IP address), per window
#: (``limits`` notation).  Generous enough for a few women sharing a venue's Wi-Fi.
RATE_PER_CLIENT = "5 per minute; 30 per hour"
#: Submissions stored through one form's public link from everyone together, per hour.
RATE_PER_FORM = "300 per hour"
#: The environ key set when a chunked body went over the limit.
TOO_LARGE = "club_forms.too_large"

_TOKEN_IN_PATH = re.compile(r"/([tf])/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*")
_PAGE = re.compile(r"[0-9]{1,3}")


def mask_tokens(text: str) -> str:
    """``text`` with every link token in a ``/t/…`` or ``/f/…`` path cut to its first 4 characters,
    so a log does not hand out working links."""
    return _TOKEN_IN_PATH.sub(r"/\1/\2…", text)


def parse_page(value: str | None) -> int:
    """The page number a form posts back: 1 to 3 ASCII digits, else 0 (the first page).

    ``str.isdigit`` accepts ``²`` and ``int`` refuses it; a number of thousands of digits is
    costly to convert: neither reaches ``int`` here.
    """
    return int(value) if value is not None and _PAGE.fullmatch(value) else 0


class BodyLimit:
    """WSGI middleware: a request body sent without ``Content-Length`` (chunked) is read here up to
    ``max_bytes``; a longer one is dropped and marked :data:`TOO_LARGE` (the app answers 413).

    Werkzeug limits such a stream to ``MAX_CONTENT_LENGTH`` by cutting it silently, so a
    10 MB body would reach the form as a truncated one.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Buffer a body of unknown length (at most ``max_bytes``) and give the app a sized one."""
        if not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(self.max_bytes + 1)
            if len(body) > self.max_bytes:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def trust_proxy(app: Flask) -> None:
    """Believe one proxy's ``X-Forwarded-For`` and ``X-Forwarded-Proto`` and mark the session cookie
    ``Secure``: the service is reached over HTTPS through that proxy."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.config["SESSION_COOKIE_SECURE"] = True


def rate_limits(app: Flask, per_client: str, per_form: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator for the public-link route: ``per_client`` limits the stored submissions of one client
    (IP address) to one form, ``per_form`` those of everyone to one form (``limits`` notation, e.g.
    ``"5 per minute; 30 per hour"``).

    Only a POST that stores a response (answered with a redirect) counts; a refused or invalid one, the
    language switch, a submission sent again with a key already stored (``g.replayed``) and page loads
    do not.  A client over a limit gets HTTP 429 before anything is read.
    """
    limiter = Limiter(lambda: request.remote_addr or "-", app=app, storage_uri="memory://",
                      strategy="moving-window", headers_enabled=False)

    def form_id() -> str:
        return str((request.view_args or {}).get("external_id", ""))

    def not_a_submission() -> bool:
        return request.method != "POST" or str(request.form.get("action", "submit")).startswith("lang:")

    def stored(resp: Any) -> bool:
        return bool(resp.status_code == 303 and not g.get("replayed"))

    client = limiter.limit(per_client, key_func=lambda: f"{request.remote_addr or '-'}|{form_id()}",
                           exempt_when=not_a_submission, deduct_when=stored, scope="client")
    whole = limiter.limit(per_form, key_func=form_id, exempt_when=not_a_submission, deduct_when=stored,
                          scope="form")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        return client(whole(view))

    return decorate
