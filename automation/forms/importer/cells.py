"""One cell of an export: match keys of titles and labels, timestamps, dates, checkbox cells.

Pure functions on strings; :mod:`automation.forms.importer.read` applies them to
every cell of a file.  Timestamps without an offset are Asia/Bishkek time (the
club's zone, DOMAIN.md "Conventions").
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from automation.model import BISHKEK, I18n, Question, to_utc

#: How the service's Google forms join the two languages of a title ("ky / ru").
BOTH_SEP = " / "


def norm(text: str) -> str:
    """Match key of a title or label: spaces collapsed, case folded, ``ё`` as ``е``."""
    return " ".join(str(text).split()).casefold().replace("ё", "е")


def keys(text: I18n) -> set[str]:
    """Every match key (:func:`norm`) a column may show for ``text``: Kyrgyz, Russian, "ky / ru" and "ru / ky"."""
    return {norm(text.ky), norm(text.ru), norm(text.both(BOTH_SEP)), norm(f"{text.ru}{BOTH_SEP}{text.ky}")}


def label_map(q: Question) -> dict[str, str]:
    """Match key (:func:`keys` of each option label) → option id of ``q``; the first option wins a shared key."""
    out: dict[str, str] = {}
    for o in q.options:
        for k in keys(o.label):
            out.setdefault(k, o.id)
    return out


# --- timestamps and dates -----------------------------------------------------------

_TS_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM|ДП|ПП)?"
                     r"(?:\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?)?$", re.IGNORECASE)
_TS_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_TS_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$", re.IGNORECASE)
_TS_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")
TIMESTAMP_EXAMPLES = "2022/05/14 10:03:12 AM GMT+6, 14.05.2022 10:03:12, 5/14/2022 10:03:12 or 2022-05-14 10:03:12"


def _hour(h: int, ampm: str | None) -> int:
    if not ampm:
        return h
    pm = ampm.upper() in ("PM", "ПП")
    if not 1 <= h <= 12:
        raise ValueError("hour out of range for a 12-hour clock")
    return (h % 12) + (12 if pm else 0)


def slash_order(values: list[str]) -> str:
    """``"mdy"`` or ``"dmy"`` for ``a/b/yyyy`` dates of one file: day first if any first number
    exceeds 12; month first otherwise (Google Sheets' en-US default)."""
    firsts = [int(m.group(1)) for v in values if (m := re.match(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}", v))]
    return "dmy" if any(f > 12 for f in firsts) else "mdy"


def parse_timestamp(text: str, order: str = "mdy", tz: Any = BISHKEK) -> datetime:
    """A Google Forms/Sheets timestamp → aware UTC datetime; without an offset it is ``tz`` time.

    Raises ``ValueError`` naming the accepted formats.
    """
    s = " ".join(text.split())
    try:
        if m := _TS_YMD.match(s):
            y, mo, d, h, mi, se, ampm, sign, oh, om = m.groups()
            dt = datetime(int(y), int(mo), int(d), _hour(int(h), ampm), int(mi), int(se or 0))
            if sign:
                off = timedelta(hours=int(oh), minutes=int(om or 0))
                return dt.replace(tzinfo=timezone(off if sign == "+" else -off)).astimezone(timezone.utc)
            return dt.replace(tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_DMY.match(s):
            d, mo, y, h, mi, se = m.groups()
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(se or 0), tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_SLASH.match(s):
            a, b, y, h, mi, se, ampm = m.groups()
            mo, d = (a, b) if order == "mdy" else (b, a)
            return datetime(int(y), int(mo), int(d), _hour(int(h), ampm), int(mi), int(se or 0),
                            tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_ISO.match(s):
            dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T", 1))
            return to_utc(dt) if dt.tzinfo else dt.replace(tzinfo=tz).astimezone(timezone.utc)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a valid date and time ({e})") from None
    raise ValueError(f"{text!r} is not a date and time (expected e.g. {TIMESTAMP_EXAMPLES})")




def export_flavour(timestamps: list[str]) -> str:
    """Which export the raw timestamp cells come from: ``"forms"`` (Google Forms' "Download responses":
    ``2022/05/14 … GMT+6``) or ``"sheet"`` (the linked Sheet's CSV, in the sheet's locale)."""
    return "forms" if any(re.search(r"GMT|UTC", v) or re.match(r"^\d{4}/", v.strip()) for v in timestamps) \
        else "sheet"


def slash_timestamps(timestamps: list[str]) -> bool:
    """True when the raw timestamp cells hold ``a/b/yyyy`` times and none is ISO 8601, i.e. when the
    month/day order chosen by :func:`slash_order` decided how they were read."""
    return not any(_TS_ISO.match(v.strip()) for v in timestamps) and \
        any(_TS_SLASH.match(" ".join(v.split())) for v in timestamps)


_D_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_D_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_D_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, order: str = "mdy") -> str:
    """A date answer (``1980-05-14``, ``14.05.1980``, ``5/14/1980``) → ``YYYY-MM-DD``.  Raises ``ValueError``."""
    s = text.strip()
    try:
        if m := _D_ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := _D_DMY.match(s):
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if m := _D_SLASH.match(s):
            a, b = (m[1], m[2]) if order == "mdy" else (m[2], m[1])
            return date(int(m[3]), int(a), int(b)).isoformat()
    except ValueError as e:
        raise ValueError(f"{text!r} is not a valid date ({e})") from None
    raise ValueError(f"{text!r} is not a date (expected 1980-05-14, 14.05.1980 or 5/14/1980)")


def is_date(s: str) -> bool:
    """True when ``s`` has the shape of a date :func:`parse_date` reads (``1980-05-14``, ``14.05.1980``,
    ``5/14/1980``); the numbers are not checked."""
    return bool(_D_ISO.match(s) or _D_DMY.match(s) or _D_SLASH.match(s))


# --- splitting checkbox cells -------------------------------------------------------


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` outside brackets and quotes («», "", (), []); parts stripped, empties dropped."""
    parts: list[str] = []
    cur: list[str] = []
    depth, i = 0, 0
    opening, closing = "(«[“", ")»]”"
    while i < len(text):
        ch = text[i]
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth = max(0, depth - 1)
        if depth == 0 and text.startswith(sep, i):
            parts.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def split_choices(text: str, labels: dict[str, str], sep: str | None = None) -> tuple[list[str], str | None]:
    """Split a checkbox cell into option ids and an "other" text.

    ``labels``: match key (:func:`norm`) → option id.  Google writes the chosen
    options in form order, then the "other" text, joined by ``;`` (form export)
    or ``, `` (sheet).  Options are recognised greedily as the longest label at
    each position followed by a separator or the end, so a label containing a
    comma stays whole; whatever cannot be matched is the "other" text (as typed).
    Returns (option ids in the order found, other text or None).
    """
    seps = [sep] if sep else [";", ","]
    s = text.strip()
    ids: list[str] = []
    rest: list[str] = []
    pos = 0
    by_len = sorted(labels, key=len, reverse=True)
    low = norm(s)
    # work on the normalised text; the "other" text is cut from the normalised positions of the original
    # (normalising only collapses spaces and folds case, so map positions through a compacted original)
    compact = " ".join(s.split())
    while pos < len(low):
        while pos < len(low) and (low[pos] in " " or any(low.startswith(x, pos) for x in seps)):
            pos += 1
        if pos >= len(low):
            break
        hit = None
        for key in by_len:
            if low.startswith(key, pos):
                end = pos + len(key)
                tail = low[end:].lstrip(" ")
                if not tail or any(tail.startswith(x) for x in seps):
                    hit = key
                    break
        if hit is None:
            rest.append((compact if len(compact) == len(low) else low)[pos:].strip())
            break
        if labels[hit] not in ids:
            ids.append(labels[hit])
        pos += len(hit)
    other = rest[0] if rest and rest[0] else None
    return ids, other


