"""What the bot posts: the mail's text rendered for Telegram, split to Telegram's limit (pure: no I/O).

The text is the mail template's own (automation/mail/templates/, with ``channel='telegram'``: no
«reply to this mail», no unsubscribe line), headed by the subject, plain text (no parse mode, so no
markup can break a post).  The Bot API takes at most 4,096 characters of text per message and 1,024
of caption per document (core.telegram.org/bots/api#sendmessage, #senddocument; counted in UTF-16
code units, as Telegram counts entity offsets).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

from automation.mail.render import render_mail
from automation.plan.model import Event

#: Telegram's limit on one message's text (sendMessage).
TEXT_LIMIT = 4096
#: Telegram's limit on a document's caption (sendDocument).
CAPTION_LIMIT = 1024


def units(text: str) -> int:
    """``text``'s length as Telegram counts it: UTF-16 code units (Kyrgyz and Russian letters are 1 each)."""
    return len(text.encode("utf-16-le")) // 2


def render(kind: str, langs: Sequence[str], values: dict[str, Any]) -> str:
    """The post of mail ``kind`` in ``langs`` (Kyrgyz first for both): the subject, a blank line, the text.
    ``values`` are the mail's (``club`` included).  Raises what :func:`render_mail` raises."""
    private = bool(values.get("participant_name"))
    mail = render_mail(kind, langs, {**values, "channel": "telegram", "telegram_stop": private,
                                     "telegram_link": None})
    return f"{mail.subject}\n\n{mail.text}".strip()


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in messages of at most ``limit`` units, cut at paragraph boundaries (blank lines); a
    paragraph longer than ``limit`` is cut at line ends, then at spaces, then anywhere.  No text is lost:
    joining the parts with blank lines gives the paragraphs back."""
    text = text.strip()
    if units(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for para in _pieces(text, limit):
        candidate = f"{current}\n\n{para}" if current else para
        if units(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = para
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs of ``text``, each cut further (lines, words, characters) until it fits ``limit``."""
    out: list[str] = []
    for para in (p.strip("\n") for p in text.split("\n\n")):
        if not para.strip():
            continue
        out.extend(_cut(para, limit, ("\n", " ", "")))
    return out


def _cut(chunk: str, limit: int, seps: tuple[str, ...]) -> list[str]:
    if units(chunk) <= limit:
        return [chunk]
    sep, rest = seps[0], seps[1:]
    if not sep:  # no separator left: cut by characters
        out, cur = [], ""
        for ch in chunk:
            if units(cur + ch) > limit:
                out.append(cur)
                cur = ""
            cur += ch
        return out + ([cur] if cur else [])
    out, cur = [], ""
    for piece in chunk.split(sep):
        for small in _cut(piece, limit, rest):
            candidate = f"{cur}{sep}{small}" if cur else small
            if units(candidate) <= limit:
                cur = candidate
            else:
                out.append(cur)
                cur = small
    return out + ([cur] if cur else [])


def caption(text: str, limit: int = CAPTION_LIMIT) -> str:
    """A document's caption from the post's first line, shortened to ``limit`` units."""
    first = text.strip().split("\n", 1)[0]
    while units(first) > limit:
        first = first[:-2] + "…"
    return first


def fingerprint(event: Event) -> str:
    """What a post says about when and where ``event`` is: a moved event (start, end, place, link)
    gets another fingerprint, so its earlier posts are corrected (:mod:`automation.jobs.announcements`)."""
    loc = event.location
    data = [event.start.isoformat(), event.end.isoformat(), event.link or "",
            [loc.ky, loc.ru] if loc is not None else None]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]
