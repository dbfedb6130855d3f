"""Serving the web forms on Werkzeug's threaded server (``python main.py serve``)."""

from __future__ import annotations

import re
from typing import Callable

from automation.errors import AutomationError
from automation.store import Store
from automation.web.app import create_app


def serve(store: Store, host: str = "127.0.0.1", port: int = 8080, secret_key: bytes | str | None = None,
          base_url: str = "", log: Callable[[str], None] = print) -> None:
    """Serve the web forms until interrupted (Werkzeug's threaded server).

    Request lines are logged with personal tokens shortened, so a log does not
    hand out working links.  Raises :class:`AutomationError` for an in-memory
    store (it cannot be shared between threads) or a port already in use.
    """
    from werkzeug.serving import WSGIRequestHandler, run_simple

    if store.path == ":memory:":
        raise AutomationError("serve needs a state file, not an in-memory store")

    class _Handler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = re.sub(r"/([tf])/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*", r"/\1/\2…", self.path)
            self.log("info", '"%s %s" %s', self.command, path, code)

    app = create_app(store, secret_key=secret_key, base_url=base_url)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"Note: listening on {host}, reachable from other machines; put it behind HTTPS before sharing links.")
    log(f"Serving the forms on http://{host}:{port}/ — stop with Ctrl+C.")
    try:
        run_simple(host, port, app, threaded=True, request_handler=_Handler)
    except OSError as e:
        raise AutomationError(f"cannot listen on {host}:{port} ({e}); choose another --port") from None
