"""Time to serve each console page (Flask test client, no network) on the 2022 example club run by the scheduler
up to 14 July 2022 (50 participants, the state of tests/test_web_admin.py).  Prints the median of 5 requests.

    .venv/bin/python bench/console_pages.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_web_admin as T  # noqa: E402  (the test module builds the state)

PAGES = ["today", "roster", "forms", "mail", "mail/ws_communication.programme_final", "reports", "school", "users"]


def main() -> None:
    """Build the state, sign in as the admin, and time each page."""
    cfg, store = T._build(Path(tempfile.mkdtemp()))
    client = T._app(cfg, store).test_client()
    T._login(client, "admin")
    for page in PAGES:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            status = client.get("/admin/" + page).status_code
            times.append(time.perf_counter() - t)
            assert status == 200, (page, status)
        print(f"/admin/{page:42} median {sorted(times)[2] * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
