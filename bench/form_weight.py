"""Weight and speed of a 20-question form page on an emulated slow village link, in Chromium.

Run (from the repository root, with the project's interpreter)::

    .venv/bin/python bench/form_weight.py                 # this checkout
    .venv/bin/python bench/form_weight.py --repo DIR      # the code of another checkout (e.g. main before)
    .venv/bin/python bench/form_weight.py --latency 2000 --kbps 50 --runs 5

The form is the real ``needs_assessment`` template (20 questions), opened through a personal
link of a Kyrgyz-speaking participant, served by the app on 127.0.0.1 in a thread (Werkzeug's
threaded server, as ``python main.py serve``).  Chromium (``/usr/bin/chromium``, Playwright) gets
a 360 px phone viewport and the link is throttled with the DevTools protocol's
``Network.emulateNetworkConditions``: ``--latency`` ms added to every request, ``--kbps``
kilobytes (1,000 bytes) a second down and up.

Printed, as medians of ``--runs`` fresh browser contexts (empty cache):

- bytes: the body of the HTML, the CSS and the JS as served with ``Accept-Encoding: gzip``
  (the figure the issue limits to 30 KB) and without compression (a page that carries its CSS and
  JS inline has only the HTML);
- first load: navigation start to the ``load`` event (Navigation Timing), empty cache;
- second load: the same page opened again in the same context (static files cached);
- language switch: click on the other language until ``<html lang>`` says it and the typed
  answer is still there (the page before the offline work reloaded the whole page for this).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent,
                help="checkout whose code is measured (default: this one)")
ap.add_argument("--latency", type=float, default=2000, help="added latency per request, ms (default 2000)")
ap.add_argument("--kbps", type=float, default=50, help="throughput down and up, kB/s (default 50)")
ap.add_argument("--runs", type=int, default=3, help="fresh contexts to measure (default 3)")
args = ap.parse_args()

ROOT = args.repo.resolve()
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import logging  # noqa: E402

from werkzeug.serving import make_server  # noqa: E402

from automation.store import Store  # noqa: E402
from automation.web.app import create_app  # noqa: E402
from test_web import CHROMIUM, NOW, _fill, tok  # noqa: E402

FORM = "needs_assessment"
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request lines


def body_sizes(client, url: str) -> dict[str, tuple[int, int]]:
    """{part: (bytes as served with gzip asked, bytes uncompressed)} of the page, its CSS and its JS."""
    import re

    plain = client.get(url)
    html = plain.get_data()
    out = {}
    parts = {"html": url}
    for m in re.finditer(rb'(?:href|src)="(/static/[^"]+)"', html):
        parts["css" if b".css" in m.group(1) else "js"] = m.group(1).decode().replace("&amp;", "&")
    for name, u in parts.items():
        raw = client.get(u).get_data() if name != "html" else html
        z = client.get(u, headers={"Accept-Encoding": "gzip"})
        served = z.get_data()
        compressed = len(served) if z.headers.get("Content-Encoding") == "gzip" else None
        out[name] = (compressed, len(raw), len(gzip.compress(raw, 6)))
    return out


def main() -> None:
    import playwright.sync_api as pw

    tmp = Path(tempfile.mkdtemp(prefix="form-weight-"))
    store = _fill(Store(tmp / "state.sqlite"))
    app = create_app(store, clock=lambda: NOW, secret_key="bench-" + "k" * 40)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    path = f"/t/{tok(FORM, 'p1')}"
    rate = args.kbps * 1000

    sizes = body_sizes(app.test_client(), path)
    first, second, switch = [], [], []
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(args.runs):
            ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
            page = ctx.new_page()
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": args.latency, "downloadThroughput": rate, "uploadThroughput": rate})
            nav = "performance.getEntriesByType('navigation')[0].loadEventEnd"
            page.goto(base + path, wait_until="load", timeout=120_000)
            first.append(page.evaluate(nav) / 1000)
            page.goto(base + path + "?again=1", wait_until="load", timeout=120_000)
            second.append(page.evaluate(nav) / 1000)
            # a typed answer the switch must keep (the textarea may be on a later page: set it as typing would)
            page.locator("textarea").first.evaluate(
                "e => { e.value = 'Сыноо'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
            t0 = time.perf_counter()
            page.click("button.lang")
            page.wait_for_selector("html[lang=ru]", timeout=120_000)
            while True:  # polled from here: the page's CSP forbids wait_for_function's string evaluation
                try:
                    if page.evaluate("() => (document.querySelector('textarea') || {}).value") == "Сыноо":
                        break
                except pw.Error:  # the page is being replaced
                    pass
                time.sleep(0.02)
            switch.append(time.perf_counter() - t0)
            ctx.close()
        browser.close()
    srv.shutdown()

    med = statistics.median
    print(f"code: {ROOT}")
    print(f"link: latency {args.latency:.0f} ms, {args.kbps:g} kB/s down and up; {args.runs} runs (median)")
    print("bytes of the 20-question form (needs_assessment):")
    total_served = total_raw = total_gz = 0
    if set(sizes) == {"html"}:
        print("  (the CSS and the JS are written into the HTML: no other request)")
    for name, (served, raw, gz) in sizes.items():
        shown = f"{served:,}" if served is not None else "not compressed by the server"
        print(f"  {name:5s} served with gzip asked: {shown}; uncompressed {raw:,}; gzip -6 of it {gz:,}")
        total_served += served if served is not None else raw
        total_raw += raw
        total_gz += gz
    print(f"  total served {total_served:,} B ({total_served / 1024:.1f} KiB); uncompressed {total_raw:,} B;"
          f" gzip -6 {total_gz:,} B ({total_gz / 1024:.1f} KiB)")
    print(f"first load (empty cache):  {med(first):.2f} s   runs: {', '.join(f'{x:.2f}' for x in first)}")
    print(f"second load (cached):      {med(second):.2f} s   runs: {', '.join(f'{x:.2f}' for x in second)}")
    print(f"language switch:           {med(switch):.2f} s   runs: {', '.join(f'{x:.2f}' for x in switch)}")


if __name__ == "__main__":
    main()
