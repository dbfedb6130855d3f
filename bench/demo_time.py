"""Wall time of the demo (``python main.py demo``), as a user runs it: a child process, cold start included.

Run: .venv/bin/python bench/demo_time.py [--school]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for extra in ([], ["--school"]) if "--school" in sys.argv else ([],):
        out = tempfile.mkdtemp(prefix="demo_")
        t = time.perf_counter()
        p = subprocess.run([sys.executable, str(ROOT / "main.py"), "demo", "--out", out, *extra],
                           capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        status = "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
        print(f"demo {' '.join(extra) or '(club 2022)'}: {wall:.1f} s wall, peak RSS {rss:.0f} MB, {status}")


if __name__ == "__main__":
    main()
