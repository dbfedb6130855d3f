"""Serving the web forms on Werkzeug's threaded server (``python main.py serve``)."""

from __future__ import annotations

from typing import Any, Callable

from werkzeug.serving import WSGIRequestHandler

from automation.errors import AutomationError
from automation.store import Store
from automation.web.app import create_app
from automation.web.guard import mask_tokens

#: What the ``Server`` header says (no Werkzeug or Python version).
SERVER_NAME = "club-forms"


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, hardened for the forms.

    Everything it logs has link tokens shortened (:func:`automation.web.guard.mask_tokens`),
    including the request line of a malformed request; a request line it could not
    parse is logged, not a crash; the ``Server`` header names no versions.
    """

    def version_string(self) -> str:
        """The ``Server`` header: the service's name only."""
        return SERVER_NAME

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request: method, path with tokens shortened, status."""
        if getattr(self, "command", None) and getattr(self, "path", None):
            self.log("info", '"%s %s" %s', self.command, self.path, code)
        else:  # the request line could not be parsed: log it as it came (escaped)
            self.log("info", "%r %s", getattr(self, "requestline", ""), code)

    def log(self, type: str, message: str, *args: Any) -> None:
        """Log ``message % args`` with link tokens shortened."""
        text = message % args if args else message
        super().log(type, "%s", mask_tokens(text))


def serve(store: Store, host: str = "127.0.0.1", port: int = 8080, secret_key: bytes | str | None = None,
          base_url: str = "", log: Callable[[str], None] = print, behind_proxy: bool = False,
          install: Callable[[Any], Any] | None = None) -> None:
    """Serve the web forms until interrupted (Werkzeug's threaded server).

    Request lines are logged with personal tokens shortened, so a log does not
    hand out working links.  ``behind_proxy``: the service is reached through an
    HTTPS proxy whose ``X-Forwarded-For``/``-Proto`` are trusted (``club.yaml``
    ``web: {behind_proxy: true}``).  Raises :class:`AutomationError` for an
    in-memory store (it cannot be shared between threads) or a port already in use.  ``install(app)``
    adds more to the app before it is served (the admin console: :func:`automation.web.admin.install_console`).
    """
    from werkzeug.serving import run_simple

    if store.path == ":memory:":
        raise AutomationError("serve needs a state file, not an in-memory store")
    app = create_app(store, secret_key=secret_key, base_url=base_url, behind_proxy=behind_proxy)
    if install is not None:
        install(app)
    if host not in ("127.0.0.1", "localhost", "::1") and not behind_proxy:
        log(f"Note: listening on {host}, reachable from other machines; put it behind HTTPS before sharing links.")
    log(f"Serving the forms on http://{host}:{port}/" + (f" and the console on http://{host}:{port}/admin/"
                                                          if install is not None else "") + " — stop with Ctrl+C.")
    try:
        run_simple(host, port, app, threaded=True, request_handler=RequestHandler)
    except OSError as e:
        raise AutomationError(f"cannot listen on {host}:{port} ({e}); choose another --port") from None
