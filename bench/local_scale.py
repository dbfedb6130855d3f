"""Wall time and peak memory of sync + analysis + report on the local backend at N responses of one form.

Run: .venv/bin/python bench/local_scale.py [N ...]      (default 1000 10000 100000)

Each N runs in its own child process, so the peak resident memory (``resource.getrusage``
``ru_maxrss``) is that N's alone.  The responses (event_feedback, N participants in the roster,
answers from tests/test_contract.make_answers) are written straight into a Store; then timed:
sync (the form's .xlsx workbook), analysis (answers frame), report (charts + the mentor's HTML).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def one(n: int) -> dict:
    from conftest import CLUB_PLAN
    from automation.analysis.frame import answers_frame
    from automation.context import Context
    from automation.jobs import forms
    from automation.jobs.responses import sync_form
    from automation.model import Action, Participant
    from automation.plan.load import load_plan
    from automation.reporting.report.build import build_report
    from automation.store import Store
    from automation.workspace.local import LocalBackend
    from test_contract import L, make_answers

    tmp = Path(tempfile.mkdtemp(prefix=f"bench{n}_"))
    plan = load_plan(CLUB_PLAN)
    store = Store(tmp / "state.sqlite")
    oblasts = ["naryn", "osh", "chui", "talas", "issyk-kul", "jalal-abad", "batken", "bishkek"]
    people = [Participant(id=f"p{i}", name=f"Участница {i}", email=f"p{i}@example.org", oblast=oblasts[i % 8],
                          role="deputy", language="ky" if i % 2 else "ru") for i in range(n)]
    store.roster.upsert(people, source="bench")
    backend = LocalBackend.create(store, tmp / "out", plan.club.group_email, plan.club.form_base_url,
                                  sheets_dir=tmp / "sheets")
    ctx = Context(store=store, plan=plan, backend=backend, out_dir=tmp / "out")
    key = "bench.event_feedback"
    act = Action(key=f"{key}.create", kind="form.create", event_id="ws_law_budget", due=L(2022, 9, 15, 16),
                 payload={"form_key": key, "template": "event_feedback", "deadline": "2022-09-22T12:00:00Z"})
    assert forms.create(ctx, act, L(2022, 9, 15, 16)).status == "done"
    spec = store.forms.get(key).spec()
    t = time.perf_counter()
    rows = [{"response_id": f"r{i}", "participant_id": f"p{i}", "respondent_email": f"p{i}@example.org",
             "submitted_at": L(2022, 9, 16, 10), "answers": make_answers(spec, i % 1000, key), "raw": {}}
            for i in range(n)]
    store.responses.add(key, rows, source="bench")
    del rows
    gen = time.perf_counter() - t
    out = {"n": n, "generate_s": gen}
    t = time.perf_counter()
    sync_form(ctx, key, L(2022, 9, 23))
    out["sync_s"] = time.perf_counter() - t
    t = time.perf_counter()
    frame = answers_frame(store)
    out["analysis_s"] = time.perf_counter() - t
    out["frame_rows"] = len(frame)
    del frame
    t = time.perf_counter()
    build_report(store, tmp / "out", lang="ru", now=L(2022, 9, 23), plan=plan)
    out["report_s"] = time.perf_counter() - t
    out["total_s"] = out["sync_s"] + out["analysis_s"] + out["report_s"]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["xlsx_mb"] = (tmp / "sheets" / f"{key}.xlsx").stat().st_size / 1e6
    return out


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(int(argv[1]))))
        return
    ns = [int(a) for a in argv] or [1_000, 10_000, 100_000]
    print("| responses | sync (xlsx) s | analysis s | report s | sync+analysis+report s | peak RSS MB | "
          "(generating into the store s) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in ns:
        p = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, timeout=3000)
        if p.returncode:
            print(f"| {n:,} | failed: {p.stderr.strip().splitlines()[-1] if p.stderr else p.returncode} |")
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        print(f"| {n:,} | {r['sync_s']:.2f} | {r['analysis_s']:.2f} | {r['report_s']:.2f} | {r['total_s']:.2f} | "
              f"{r['peak_rss_mb']:.0f} | {r['generate_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
