"""Helpers of the contract suites: their clock's start, a Connection to the fake Google, an SMTP sink."""

from __future__ import annotations

import datetime as dt
from typing import Any

from automation.workspace.google import Connection
from conftest import google_connection
from fake_google import FakeGoogle

#: The least scopes of a gmail.com account (Gmail through drafts: automation/workspace/google/gmail_drafts.py).
COMPOSE = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/gmail.compose"]
#: An older sign-in: gmail.send alone, and the same with the optional read scope.
SEND_ONLY = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/gmail.send"]
READ_MAIL = SEND_ONLY + ["https://www.googleapis.com/auth/gmail.readonly"]


#: When the contract suites' clock starts (conftest.Clock: the fake Google's response times, Gmail's internalDate).
START = dt.datetime(2022, 8, 1, 4, 0, tzinfo=dt.timezone.utc)


def connect(fake: FakeGoogle, scopes: list[str] = COMPOSE, token: str = "tok") -> Connection:
    """A Connection to the fake whose sign-in carries ``scopes`` (retries without sleeping)."""
    fake.grant(token, scopes)
    return google_connection(fake, token=token, scopes=scopes)


class SmtpSink:
    """An aiosmtpd handler keeping ``(envelope recipients, message bytes)`` of every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"
