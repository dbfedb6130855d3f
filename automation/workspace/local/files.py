"""Files on the local backend: the report and charts stay where they were written."""

from __future__ import annotations

from pathlib import Path


class LocalFiles:
    """FilesPort on the local disk: a published file is its own ``file://`` URI (``root``: the output folder)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def publish(self, path: Path) -> str:
        """The absolute ``file://`` URI of ``path``; nothing is copied."""
        return Path(path).resolve().as_uri()
