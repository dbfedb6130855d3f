"""Files on the local backend: the report and charts stay where they were written."""

from __future__ import annotations

from pathlib import Path


class LocalFiles:
    def __init__(self, root: Path):
        self.root = Path(root)

    def publish(self, path: Path) -> str:
        return Path(path).resolve().as_uri()
