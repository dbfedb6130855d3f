"""Wall time of one backup of a state file with SQLite's online backup API (automation.store.backup.back_up).

Usage: ``.venv/bin/python bench/backup_time.py STATE [RUNS]`` (e.g. the demo's ``demo_out/state.sqlite``);
the copies go to a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.model import utc_now  # noqa: E402
from automation.store.backup import back_up  # noqa: E402


def main() -> None:
    """Print the state file's size and the wall time of each backup."""
    state, runs = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(runs):
            start = time.perf_counter()
            back_up(state, out, utc_now() + timedelta(seconds=i))
            times.append(time.perf_counter() - start)
    print(f"{state}: {state.stat().st_size:,} bytes; {runs} backups: "
          + ", ".join(f"{t * 1000:.0f} ms" for t in times))


if __name__ == "__main__":
    main()
