"""The web app's signing key (session cookie and CSRF tokens), kept in a file across restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_secret_key(path: str | Path) -> bytes:
    """The app's signing key, kept in ``path`` (made with mode 0600 the first time).

    Kept across restarts so that pages open on phones stay valid.
    """
    p = Path(path)
    if p.exists():
        key = p.read_bytes().strip()
        if len(key) >= 32:
            return key
    p.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key

