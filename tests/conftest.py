"""Shared fixtures: a season Context on the local backend in a temporary folder, the demo's season run once
per test session, the fake Telegram Bot API with ports pointed at it, the fake Google with connections to it,
SMTP servers on 127.0.0.1 (one filing into a fake IMAP Sent folder), headless Chromium, and a WSGI app served on
127.0.0.1 in a thread."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import socket
import sys
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from automation.app import make_context  # noqa: E402
from automation.config import Config, load_config  # noqa: E402
from automation.context import Context, TelegramChannel  # noqa: E402
from automation.model import BISHKEK, to_utc  # noqa: E402
from automation.roster import read_roster  # noqa: E402

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials
    from werkzeug.serving import BaseWSGIServer

    from automation.demo.season import DemoSummary
    from automation.model import FormSpec
    from automation.workspace.google import Connection
    from automation.workspace.telegram import BotApiTelegram
    from fake_google import FakeGoogle
    from fake_imap import FakeImap, FilingSmtpHandler
    from fake_telegram import FakeTelegram

CLUB_PLAN = ROOT / "examples" / "club2022" / "plan.yaml"
CLUB_ROSTER = ROOT / "examples" / "club2022" / "roster.csv"


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An Asia/Bishkek wall-clock time as an aware UTC datetime."""
    return to_utc(datetime(y, mo, d, h, mi, tzinfo=BISHKEK))


def make_season(tmp: Path, plan_path: Path = CLUB_PLAN, roster_path: Path = CLUB_ROSTER, **ctx_kw) -> Context:
    """A Context on the local backend under ``tmp`` (state.sqlite, outbox/, sheets/) with the roster imported,
    assembled by :func:`automation.app.make_context`; ``ctx_kw`` replace :class:`Context` fields (``daily_cap`` ...)."""
    ctx = make_context(Config(plan=plan_path, state=tmp / "state.sqlite", out=tmp, sheets=tmp / "sheets"))
    ctx.store.roster.upsert(read_roster(roster_path).participants, source="test")
    return dataclasses.replace(ctx, **ctx_kw)


#: A club.yaml beside its plan.yaml: the state file, the outbox and the sheets in the same folder.
CLUB_YAML = "plan: plan.yaml\nstate: state.sqlite\nout: out\nsheets: sheets\n"


def write_club(tmp: Path, plan: str, roster: str | None = None) -> Path:
    """Writes the texts ``plan`` to plan.yaml, ``roster`` (when given) to roster.csv and :data:`CLUB_YAML` to
    club.yaml in ``tmp``; returns club.yaml's path."""
    (tmp / "plan.yaml").write_text(plan, encoding="utf-8")
    if roster is not None:
        (tmp / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp / "club.yaml").write_text(CLUB_YAML, encoding="utf-8")
    return tmp / "club.yaml"


def club_context(tmp: Path, plan: str, roster: str) -> Context:
    """The Context the command line assembles from :func:`write_club`'s club.yaml (``load_config`` then
    ``make_context``), with the roster imported."""
    ctx = make_context(load_config(write_club(tmp, plan, roster)))
    ctx.store.roster.upsert(read_roster(tmp / "roster.csv").participants, source="test")
    return ctx


@pytest.fixture
def season(tmp_path: Path) -> Context:
    """The 2022 club season (plan and roster of examples/club2022) in this test's temporary folder."""
    return make_season(tmp_path)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The demo's 2022 season with seed 1 (``run_demo(out, seed=1, quiet=True)``), run once per test session.

    Returns (the folder it wrote: state.sqlite, outbox/, sheets/, charts/, report.html ...; its summary).
    The demo takes about a minute: every test that needs its output shares this run, and reads it only.
    """
    from automation.demo.season import run_demo

    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, seed=1, quiet=True)


# --- the fake Telegram Bot API (tests/fake_telegram/) ----------------------------------------------------

#: The club's group in the fake Bot API (a supergroup id, as Telegram gives them).
TG_GROUP = -1001234567890


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API on 127.0.0.1 with the club's group :data:`TG_GROUP` ("Клуб депутаток") in it.

    After the test, fails it if the fake itself raised (``FakeTelegram.errors``: a bug of the fake, not of the
    code under test)."""
    from fake_telegram import FakeTelegram

    with FakeTelegram() as f:
        f.add_group(TG_GROUP, "Клуб депутаток")
        yield f
        assert not f.errors, f.errors


@pytest.fixture
def slept() -> list[float]:
    """The seconds a port was told to sleep: pass ``sleep=slept.append`` and the test does not wait."""
    return []


@pytest.fixture
def telegram_port(fake_telegram: FakeTelegram) -> Iterator[Callable[..., BotApiTelegram]]:
    """A factory of :class:`BotApiTelegram` ports pointed at :func:`fake_telegram`:
    ``telegram_port(timeout=3.0, sleep=slept.append)`` takes BotApiTelegram's keyword arguments (timeout in
    seconds, the sleep hook). Every port it made is closed after the test, before the fake stops."""
    from automation.workspace.telegram import BotApiTelegram

    made: list[BotApiTelegram] = []

    def make(**kw: Any) -> BotApiTelegram:
        made.append(BotApiTelegram(fake_telegram.token, api_url=fake_telegram.url, **kw))
        return made[-1]

    yield make
    for port in made:
        port.close()


def telegram_season(tmp: Path, port: BotApiTelegram) -> Context:
    """The club season of :func:`make_season` under ``tmp`` with its Telegram channel: the group
    :data:`TG_GROUP` through ``port``, the bot @club_bot."""
    return make_season(tmp, telegram=TelegramChannel(TG_GROUP, port, "", "club_bot"))


# --- the fake Google (tests/fake_google/) ------------------------------------------------------------------


class Clock:
    """A UTC clock the test moves, for the fakes: ``clock()`` is ``clock.now`` (an aware datetime), which the test
    may set; ``advance(**kw)`` adds ``timedelta(**kw)``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        """Moves the clock on by ``timedelta(**kw)`` (``hours=2`` ...)."""
        self.now += timedelta(**kw)


@pytest.fixture
def fake_google() -> Iterator[Callable[..., FakeGoogle]]:
    """A factory of fake Google servers on 127.0.0.1: ``fake_google(clock=..., user_email=..., pessimistic=...)``
    takes FakeGoogle's keyword arguments and starts one. After the test each fails it if the fake itself raised
    (``internal_errors``: a bug of the fake, not of the code under test), then stops."""
    from fake_google import FakeGoogle

    with contextlib.ExitStack() as stack:
        started: list[FakeGoogle] = []

        def start(**kw: Any) -> FakeGoogle:
            started.append(stack.enter_context(FakeGoogle(**kw)))
            return started[-1]

        yield start
        for server in started:
            assert not server.internal_errors, "\n".join(server.internal_errors)


def google_connection(fake: FakeGoogle, creds: Credentials | None = None, *, token: str = "tok",
                      scopes: list[str] | None = None, sleep: Callable[[float], None] | None = None) -> Connection:
    """A :class:`Connection` to ``fake`` (its client seams) signed in with ``creds``, by default
    ``Credentials(token=token, scopes=scopes)``; retries call ``sleep`` with the seconds to wait (default: no wait).
    Granting the scopes on the fake's side (``fake.grant``) is the caller's."""
    from google.oauth2.credentials import Credentials

    from automation.workspace.google import Connection, RetryPolicy

    if creds is None:
        creds = Credentials(token=token, scopes=scopes)
    retry = RetryPolicy(sleep=(lambda s: None) if sleep is None else sleep)
    return Connection(creds, retry=retry, **fake.client_seams(creds))


def google_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """A respondent's answers (``{question id: value}`` as the store keeps them) as Google Forms records a
    submission of the form built from ``spec``: option labels, keyed by Google question id."""
    from automation.workspace.google.form_requests import form_ids, label

    ids = form_ids(spec)
    out: dict[str, Any] = {}
    for q in spec.questions:
        v = answers.get(q.id)
        if v is None:
            continue
        lab = {o.id: label(o.label) for o in q.options}
        if q.kind == "grid":
            for row, col in v.items():
                out[ids.questions[(q.id, row)]] = lab[col]
        elif q.kind == "multiple_choice":
            out[ids.questions[(q.id, None)]] = [lab.get(x, x) for x in v]
        elif q.kind in ("single_choice", "dropdown"):
            out[ids.questions[(q.id, None)]] = lab.get(v, v)
        else:
            out[ids.questions[(q.id, None)]] = str(v)
    return out


# --- SMTP on 127.0.0.1 (aiosmtpd) --------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (aiosmtpd's readiness check cannot use port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_smtp(handler: Any) -> Iterator[int]:
    """aiosmtpd on 127.0.0.1:<a free port> giving what it receives to ``handler`` (an aiosmtpd handler:
    ``handle_RCPT``, ``handle_DATA`` ...); yields the port, stops on leaving."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def filing_smtp() -> Iterator[tuple[FilingSmtpHandler, int, FakeImap]]:
    """aiosmtpd on 127.0.0.1 filing into a fake IMAP Sent folder (tests/fake_imap.py):
    ``(handler, smtp port, imap server)``."""
    from fake_imap import FakeImap, FilingSmtpHandler

    imap = FakeImap().start()
    handler = FilingSmtpHandler(imap)
    try:
        with running_smtp(handler) as port:
            yield handler, port, imap
    finally:
        imap.stop()


# --- headless Chromium (Debian's, driven by Playwright) --------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
#: Chromium's switches in the browser tests: no sandbox (CI runs as root), no GPU, nothing fetched on the side.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run")

try:
    import playwright.sync_api as _pw
except ImportError:  # pragma: no cover - depends on the machine
    _pw = None

#: Skips a browser test, saying why, where Playwright or Debian's Chromium is missing.
needs_browser = pytest.mark.skipif(
    _pw is None or not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None,
    reason=f"needs the playwright package and Debian's chromium at {CHROMIUM} (installed by .ci/run)")


@contextmanager
def chromium(args: Sequence[str] = CHROMIUM_ARGS) -> Iterator[Any]:
    """Headless Chromium at :data:`CHROMIUM` launched with ``args`` (a Playwright ``Browser``), closed on leaving."""
    with _pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(args))
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (:func:`chromium`) for all the tests of a module; each module launches its own."""
    with chromium() as b:
        yield b


# --- a WSGI app on 127.0.0.1 -------------------------------------------------------------------------------


@contextmanager
def serving(app: Any, **kw: Any) -> Iterator[BaseWSGIServer]:
    """``app`` served by werkzeug on 127.0.0.1:<a free port> (``.server_port``), a thread per request, from a
    daemon thread; ``kw`` go to ``make_server`` (``request_handler`` ...). Shut down on leaving."""
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True, **kw)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        t.join(5)
