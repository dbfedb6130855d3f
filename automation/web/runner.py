"""Everything in one process (``python main.py serve``): the web app on waitress and the scheduler beside it.

- The web app (:func:`automation.web.app.create_app`: the participants' forms, and what else the app
  serves) runs on waitress, a production WSGI server (a pool of ``threads`` request threads; no access
  log, so no personal link reaches a log; the ``Server`` header names no versions; request bodies over
  :data:`MAX_BODY_BYTES` refused by waitress before the app reads them).  Behind an HTTPS proxy
  (``web.behind_proxy``) waitress passes the proxy's ``X-Forwarded-*`` headers to the app, which trusts
  one proxy hop; otherwise waitress removes them.
- The scheduler runs in its own thread with its own connection to the state file: a tick
  (:func:`automation.scheduler.run_due`) every ``interval`` seconds, and the daily backup
  (:func:`automation.jobs.backup.daily_backup`, ``backup:`` in ``club.yaml``).
- SIGTERM (``systemctl stop``, ``docker stop``) or Ctrl+C stops it cleanly: waitress stops taking
  requests and finishes those under way (up to 5 seconds, waitress's own limit); the scheduler finishes
  the action it is running, records it and ticks no more (the rest run at the next start, as after any
  downtime).  No tick is lost.
- The state file's lock (:mod:`automation.store.lock`) is held throughout: a second ``serve`` or ``run``
  on the same state is refused, and so is ``restore``.

``python main.py run`` (the scheduler alone, :func:`run_scheduler`) is the same scheduler thread without the
web app, and stops on SIGTERM or Ctrl+C in the same way.
"""

from __future__ import annotations

import _thread
import logging
import signal
import threading
from datetime import datetime
from types import FrameType
from typing import Any, Callable

from automation.app import Service, make_context
from automation.errors import AutomationError
from automation.jobs.backup import daily_backup
from automation.model import utc_now
from automation.scheduler import run_due
from automation.store import Store
from automation.store.lock import hold
from automation.web.app import MAX_REQUEST_BYTES, create_app
from automation.web.secret import load_secret_key
from automation.web.serve import SERVER_NAME

logger = logging.getLogger(__name__)

#: The largest request body waitress accepts (bytes); the app itself refuses more than MAX_REQUEST_BYTES.
MAX_BODY_BYTES = 2 * MAX_REQUEST_BYTES


class SchedulerThread(threading.Thread):
    """The scheduler's thread: one tick at once, then one every ``interval`` seconds until :meth:`stop`.

    It opens its own store on ``service.config.state`` (a SQLite connection belongs to its thread) and
    uses the plan already loaded; after each tick it makes the daily backup when one is due.  A tick that raises (the state file locked too long, say) is logged
    and the next tick comes as usual.
    """

    def __init__(self, service: Service, interval: float, clock: Callable[[], datetime]):
        super().__init__(name="scheduler", daemon=False)
        self.service, self.interval, self.clock = service, interval, clock
        self._stop_event = threading.Event()
        #: Ticks completed (for tests and the shutdown line).
        self.ticks = 0
        #: Why the scheduler could not start (the service then stops and says so), or None.
        self.error: Exception | None = None

    def stop(self) -> None:
        """Ask the thread to stop after the action it is running."""
        self._stop_event.set()

    def run(self) -> None:
        """Tick until stopped (see the class docstring)."""
        store = Store(self.service.config.state)
        try:
            try:
                ctx = make_context(self.service.config, self.service.log, store=store, plan=self.service.plan)
            except Exception as e:  # noqa: BLE001 - e.g. Google credentials: the whole service stops, saying why
                self.error = e
                _thread.interrupt_main()
                return
            cfg = self.service.config
            while not self._stop_event.is_set():
                try:
                    now = self.clock()
                    run_due(ctx, now, should_stop=self._stop_event.is_set)
                    if not self._stop_event.is_set():
                        daily_backup(ctx, cfg.backups, cfg.backup_keep_days, cfg.backup_hour, now)
                    self.ticks += 1
                except Exception:  # noqa: BLE001 - the service goes on; the next tick tries again
                    logger.exception("a scheduler tick failed")
                self._stop_event.wait(self.interval)
        finally:
            store.close()


def make_server(service: Service, host: str, port: int, threads: int = 4,
                install: Callable[[Any], Any] | None = None) -> Any:
    """The waitress server of the web app on ``host:port`` (not yet running; ``.run()`` serves).
    ``install(app)`` adds more to the app first (the admin console).

    Raises :class:`AutomationError` when the port cannot be listened on.
    """
    from waitress import create_server

    behind_proxy = bool(service.config.web.get("behind_proxy"))
    app = create_app(service.store, secret_key=load_secret_key(service.web_key_path), behind_proxy=behind_proxy)
    if install is not None:
        install(app)
    try:
        return create_server(app, host=host, port=port, threads=threads, ident=SERVER_NAME,
                             max_request_body_size=MAX_BODY_BYTES,
                             clear_untrusted_proxy_headers=not behind_proxy)
    except OSError as e:
        raise AutomationError(f"cannot listen on {host}:{port} ({e}); choose another --port") from None


def run_service(service: Service, host: str = "127.0.0.1", port: int = 8080, scheduler: bool = True,
                interval: float = 60, clock: Callable[[], datetime] = utc_now,
                log: Callable[[str], None] = print, install: Callable[[Any], Any] | None = None) -> int:
    """Serve the web app and, with ``scheduler``, run the plan, until SIGTERM or Ctrl+C; returns 0 then.

    The plan is loaded (and checked) before anything listens.  Raises :class:`AutomationError` for a bad
    plan, an in-memory state, a port in use, another process already running on the state file, or a
    scheduler that could not start (its backend, e.g. the Google sign-in, failed: the web app stops too,
    so that systemd or Docker shows the failure instead of a service that silently runs no plan).
    """
    if str(service.config.state) == ":memory:":
        raise AutomationError("serve needs a state file, not an in-memory store")
    plan = service.plan if scheduler else None
    with hold(service.config.state, "serve"):
        server = make_server(service, host, port, install=install)
        ticker = SchedulerThread(service, interval, clock) if scheduler else None

        def on_term(signum: int, frame: FrameType | None) -> None:
            if ticker is not None:
                ticker.stop()
            raise KeyboardInterrupt  # waitress stops its loop on it and finishes the requests under way

        previous = signal.signal(signal.SIGTERM, on_term)
        address = f"http://{host}:{server.effective_port}/"
        if host not in ("127.0.0.1", "localhost", "::1") and not service.config.web.get("behind_proxy"):
            log(f"Note: listening on {host}, reachable from other machines; put it behind HTTPS before sharing links.")
        log(f"Serving on {address} (waitress)" + (f"; running the plan {plan.source if plan else ''} every "
                                                   f"{interval:g} s" if ticker else "; the scheduler is off")
            + ". Stop with Ctrl+C or SIGTERM.")
        try:
            try:
                if ticker is not None:
                    ticker.start()
                server.run()
            except KeyboardInterrupt:  # before waitress ran, or a second signal while it was closing
                pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the shutdown itself is not interrupted
            if ticker is not None:
                ticker.stop()
                ticker.join()
            server.close()
            signal.signal(signal.SIGTERM, previous)
        if ticker is not None and ticker.error is not None:
            raise AutomationError(f"the scheduler could not start, so the service stopped: {ticker.error}")
        log("Stopped cleanly" + (f" after {ticker.ticks} tick(s)." if ticker is not None else "."))
    return 0


def run_scheduler(service: Service, interval: float = 60, clock: Callable[[], datetime] = utc_now,
                  log: Callable[[str], None] = print) -> int:
    """Run the plan (``python main.py run``): the :class:`SchedulerThread` of :func:`run_service` without the
    web app, until SIGTERM or Ctrl+C; returns 0 then.  The action running when the signal comes finishes and
    is recorded; the tick ends there (the rest run at the next start).

    Raises :class:`AutomationError` for an in-memory state, another process already running on the state file,
    or a scheduler that could not start (its backend failed)."""
    if str(service.config.state) == ":memory:":
        raise AutomationError("run needs a state file, not an in-memory store")
    with hold(service.config.state, "run"):
        ticker = SchedulerThread(service, interval, clock)

        def on_term(signum: int, frame: FrameType | None) -> None:
            ticker.stop()

        previous = signal.signal(signal.SIGTERM, on_term)
        log(f"Running; checking the plan every {interval:g} s. Stop with Ctrl+C or SIGTERM.")
        try:
            ticker.start()
            while ticker.is_alive():
                try:
                    ticker.join(0.5)
                except KeyboardInterrupt:  # Ctrl+C (or the thread saying it could not start)
                    ticker.stop()
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the shutdown itself is not interrupted
            ticker.stop()
            if ticker.ident is not None:
                ticker.join()
            signal.signal(signal.SIGTERM, previous)
        if ticker.error is not None:
            raise AutomationError(f"the scheduler could not start, so the service stopped: {ticker.error}")
        log(f"Stopped cleanly after {ticker.ticks} tick(s).")
    return 0
