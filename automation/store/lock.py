"""Who is running on a state file: an exclusive lock held by the long-running service.

``serve`` and ``run`` hold ``<state file>.lock`` (an advisory ``flock``, released by the
operating system when the process ends, even killed) for as long as they run, so that a
second scheduler on the same state is refused, and ``restore`` is refused while the service
runs.  The file holds the holder's process id and what it is, for the message.  Linux and
other POSIX systems (``fcntl``); the service is hosted there (docs/HOSTING.md).
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from automation.errors import StoreError


def lock_path(state: str | Path) -> Path:
    """The lock file of a state file: ``<state>.lock`` beside it."""
    return Path(f"{state}.lock")


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def hold(state: str | Path, what: str) -> Iterator[None]:
    """Hold the state file's lock while the block runs (``what`` names the holder, e.g. ``serve``).

    Raises :class:`StoreError` naming the holder (process id and command) when another process
    holds it; nothing is changed then.
    """
    path = lock_path(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"{state}: the service is already running on this state file ({_holder(path)}); "
                             "stop it first (systemctl stop, docker compose stop, or Ctrl+C)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}: {what}\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def holder(state: str | Path) -> str | None:
    """Who holds the state file's lock now (``process N: serve``), or None when nobody does."""
    path = lock_path(state)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
