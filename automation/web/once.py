"""A web-form submission stored once: the submission key (idempotency key) each page sends.

The page makes a random key (a UUID) for each set of answers it sends and keeps it on the phone
with them (``static/form.js``); the server renders one for pages without JavaScript.  A submission
whose answer was lost on the way back is sent again with the same key: :func:`store_once` finds
the key in ``store.submissions`` and stores nothing.  The key is checked and recorded in the
transaction that stores the response, so two copies arriving together store one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from automation.store import Store
from automation.web.links import Link
from automation.workspace.local.forms import LocalForms

_KEY_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def submission_key(value: str | None) -> str | None:
    """The submission key a page sent (8–64 letters, digits and dashes: a UUID), or None (absent or
    malformed: the submission is stored as one without a key)."""
    return value if value is not None and _KEY_RE.match(value) else None


def stored_before(store: Store, link: Link, key: str) -> bool:
    """Whether a submission with ``key`` through this link was stored.  A key recorded for another
    participant's link is not hers: it is ignored (her response is stored, the key stays the first one's)."""
    seen = store.submissions.get(link.form.form_key, key)
    return seen is not None and seen.participant_id == link.pid


def store_once(store: Store, forms: LocalForms, link: Link, answers: dict[str, Any], key: str | None,
               response_id: str | None, now: datetime) -> bool:
    """Store ``answers`` through ``link`` as ``response_id`` (None: :meth:`LocalForms.submit` chooses) and
    record ``key`` with it, unless ``key`` was stored before.  Returns True when it was (nothing stored).

    Raises what :meth:`LocalForms.submit` raises (``FormClosed``, ``InvalidResponse``, ``UnknownLink``);
    then nothing is stored or recorded.
    """
    with store.transaction():
        if key and stored_before(store, link, key):
            return True
        if link.pid and response_id is None:  # one response per personal link: her edit replaces it
            prev = store.responses.latest_of(link.form.form_key, link.pid)
            response_id = prev.response_id if prev else None
        stored = forms.submit(link.token, answers, now=now, response_id=response_id)
        if key and store.submissions.get(link.form.form_key, key) is None:
            store.submissions.record(link.form.form_key, key, stored, link.pid, now)
    return False
