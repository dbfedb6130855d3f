"""Wall time of ``python main.py report`` on the demo season, first on the demo's own output (every
chart cached) and then after one new response, as the admin runs it: a child process, cold start included.

Run: .venv/bin/python bench/report_time.py [DEMO_OUT] [--repeat N] [--root DIR]

DEMO_OUT is the folder of an earlier ``main.py demo --out DEMO_OUT`` (bench/demo_time.py leaves
one in /tmp); without it the demo is run first.  The demo folder is copied, so it is left as it was.
Each figure is the best of ``--repeat`` runs (default 2): other work on the machine only adds time.
CPU time (user + system of the child) is printed beside wall time: compare by it when the load differs.
``--root DIR`` times another checkout (e.g. main) on a demo folder it made.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else \
    Path(__file__).resolve().parent.parent


def _config(work: Path) -> Path:
    cfg = work / "club.yaml"
    cfg.write_text(f"plan: {ROOT / 'examples/club2022/plan.yaml'}\nstate: state.sqlite\nout: .\nsheets: sheets\n"
                   "backend: local\nmin_group_size: 3\nreport_lang: ru\n", encoding="utf-8")
    return cfg


def _add_response(work: Path, i: int) -> str:
    """One new response to the season's last event feedback form, straight into the store."""
    sys.path.insert(0, str(ROOT))
    from automation.store import Store

    store = Store(str(work / "state.sqlite"))
    form = [f for f in store.forms.all() if f.kind == "event_feedback"][-1]
    store.responses.add(form.form_key, [{
        "response_id": f"bench-{i}-{time.time_ns()}", "participant_id": None, "respondent_email": None,
        "submitted_at": datetime(2022, 12, 30, 12, 0, tzinfo=timezone.utc),
        "answers": {"usefulness": 5, "relevance": 4, "trainer": 5}, "raw": {}}], "bench")
    store.db.close()
    return form.form_key


def _report(cfg: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), "report", "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[-300:]}"


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 2
    args, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
        elif a in ("--repeat", "--root"):
            skip = True
        else:
            args.append(a)
    if args:
        demo = Path(args[0])
    else:
        demo = Path(tempfile.mkdtemp(prefix="demo_"))
        subprocess.run([sys.executable, str(ROOT / "main.py"), "demo", "--out", str(demo)], check=True,
                       capture_output=True, cwd=ROOT)
    cached, fresh, cached_cpu, fresh_cpu = [], [], [], []
    for i in range(repeat):
        work = Path(tempfile.mkdtemp(prefix="report_bench_"))
        shutil.copytree(demo, work, dirs_exist_ok=True)
        cfg = _config(work)
        load = os.getloadavg()[0]
        wall, cpu, status = _report(cfg)  # the demo's output: nothing changed but the clock
        cached.append(wall)
        cached_cpu.append(cpu)
        key = _add_response(work, i)
        wall2, cpu2, status2 = _report(cfg)
        fresh.append(wall2)
        fresh_cpu.append(cpu2)
        charts = len(list((work / "charts").glob("*.png")))
        print(f"run {i + 1} of {ROOT} (load {load:.1f}): report, nothing new: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({status}); after one new response to {key}: {wall2:.2f} s wall, {cpu2:.2f} s CPU ({status2}); "
              f"{charts} PNG charts in the folder")
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"report_unchanged_best_s": round(min(cached), 2), "report_unchanged_best_cpu_s":
                      round(min(cached_cpu), 2), "report_after_one_response_best_s": round(min(fresh), 2),
                      "report_after_one_response_best_cpu_s": round(min(fresh_cpu), 2), "runs": repeat}))


if __name__ == "__main__":
    main()
