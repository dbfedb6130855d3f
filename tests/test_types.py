"""The type checker over automation/ (configuration: mypy.ini; strict on the ports, the jobs and the store)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_type_errors(monkeypatch):
    api = pytest.importorskip("mypy.api", reason="mypy is in requirements.txt; install it to type-check")
    monkeypatch.chdir(ROOT)
    out, err, status = api.run(["--config-file", str(ROOT / "mypy.ini"), "--cache-dir",
                                os.environ.get("MYPY_CACHE_DIR", str(ROOT / ".mypy_cache"))])
    assert status == 0, out + err
