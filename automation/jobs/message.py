"""The headers and last touches every club mail gets: the deterministic Message-ID, From/To/Reply-To,
Date in Asia/Bishkek, ``X-Club-Action``, Content-Language and deterministic MIME boundaries."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from automation.context import Context
from automation.model import BISHKEK


def message_id(action_key: str, recipient: str, domain: str) -> str:
    """Deterministic Message-ID: the same action and recipient always give the same id."""
    h = hashlib.sha256(f"{action_key}|{recipient}".encode()).hexdigest()[:24]
    return f"<{h}@{domain}>"


def new_message(ctx: Context, action_key: str, recipient: str, from_name: str, to: list[str], subject: str,
                now: datetime) -> EmailMessage:
    """A message with the headers every club mail carries: From (``from_name`` and the club's admin address),
    To, Reply-To, Subject, Date (``now`` in Asia/Bishkek), the deterministic Message-ID and X-Club-Action.
    Add the content, then pass it to :func:`finish_message`."""
    club = ctx.plan.club
    msg = EmailMessage()
    msg["From"] = Address(from_name, addr_spec=club.admin_email)
    msg["To"] = ", ".join(to)
    msg["Reply-To"] = club.admin_email
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now.astimezone(BISHKEK))
    msg["Message-ID"] = message_id(action_key, recipient, club.admin_email.split("@", 1)[1])
    msg["X-Club-Action"] = action_key
    return msg


def finish_message(msg: EmailMessage, langs: tuple[str, ...]) -> EmailMessage:
    """The last touches every club mail gets once its content is in: Content-Language, headers that
    keep their spaces, deterministic MIME boundaries.  Returns ``msg``."""
    # last: set_content and add_attachment move or drop the top-level Content-* headers
    msg["Content-Language"] = ", ".join(langs)
    # Python 3.11's header folding drops the space between encoded words where it wraps a long
    # subject; with lines allowed up to RFC 5322's 998 characters it does not wrap them.
    msg.policy = msg.policy.clone(max_line_length=998)
    # deterministic MIME boundaries (from the Message-ID): the same message is the same bytes every time
    stem = str(msg["Message-ID"]).strip("<>").split("@")[0]
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_{stem}_{i}")
    return msg
