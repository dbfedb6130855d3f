"""Fixtures of the contract suites: a simulated clock, the fake Google server, an SMTP server on 127.0.0.1."""

from __future__ import annotations

from typing import Iterator

import pytest

from conftest import Clock, running_smtp
from contract.support import START, SmtpSink
from fake_google import FakeGoogle


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGoogle]:
    with FakeGoogle(clock=clock, user_email="club@gmail.com") as server:
        yield server
        assert not server.internal_errors, "fake_google crashed:\n" + "\n".join(server.internal_errors)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[SmtpSink, int]]:
    """A real SMTP server on 127.0.0.1: ``(sink, port)``."""
    sink = SmtpSink()
    with running_smtp(sink) as port:
        yield sink, port
