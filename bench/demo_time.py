"""Wall time of the demo (``python main.py demo``), as a user runs it: a child process, cold start included.

Also its CPU time (user + system of the child): on a machine other work shares, wall time grows with the
load, CPU time far less — compare runs by CPU time when the load differs (``uptime`` is printed).

Run: .venv/bin/python bench/demo_time.py [--school] [--root DIR]   (DIR: another checkout to time, e.g. main)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else \
    Path(__file__).resolve().parent.parent


def main() -> None:
    for extra in ([], ["--school"]) if "--school" in sys.argv else ([],):
        out = tempfile.mkdtemp(prefix="demo_")
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([sys.executable, str(ROOT / "main.py"), "demo", "--out", out, *extra],
                           capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss = after.ru_maxrss / 1024
        status = "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
        charts = len(list(Path(out, "charts").glob("*.png")))
        print(f"demo {' '.join(extra) or '(club 2022)'} of {ROOT}: {wall:.1f} s wall, {cpu:.1f} s CPU, load "
              f"{load:.1f} at the start, peak RSS {rss:.0f} MB, {charts} PNG charts, {status}; output in {out}")


if __name__ == "__main__":
    main()
