"""The report's pages fit the screen in real Chromium: no horizontal scrolling on a 360 px phone or a
1280 px laptop (issue 14), tables turning into cards on the phone."""

from __future__ import annotations

import pytest

import automation.reporting.report.build as report
from tests.test_charts_report import NOW, _insert_form, _responses, FEEDBACK, QUIZ, PEOPLE  # noqa: F401
from tests.test_charts_report import store  # noqa: F401  (the fixture)
from conftest import chromium, needs_browser

pytestmark = needs_browser
#: The switches this file has always launched Chromium with (two of conftest.CHROMIUM_ARGS).
ARGS = ("--no-sandbox", "--disable-gpu")

LONG = "Оченьдлинноесловобезпробелов" * 10  # an open answer that could push a page wider


@pytest.fixture
def pages(store, tmp_path):  # noqa: F811
    # a second event (so the season has a trend chart) and an open answer with a very long word
    _insert_form(store, "ws_law.event_feedback", FEEDBACK, "ws_law")
    _responses(store, "ws_law.event_feedback", {p: {"useful": 4, "trainer": 5, "comment": LONG}
                                                 for p in ("p1", "p2", "p3")})
    report.build_report(store, tmp_path, now=NOW, write_json=True)
    names = sorted(p.name for p in tmp_path.glob("*.html"))
    assert {"report.html", "report_details.html", "report_ws_budget.html", "form_ws_law.event_feedback.html"} <= \
        set(names)
    return tmp_path, names


@pytest.mark.parametrize("width", [360, 1280])
def test_no_page_scrolls_sideways(pages, width):
    out, names = pages
    with chromium(ARGS) as b:
        ctx = b.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 500)
        page = ctx.new_page()
        for name in names:
            page.goto((out / name).as_uri())
            sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert sw <= iw, f"{name} is {sw} px wide in a {iw} px window"
            if width == 360 and name == "report.html":
                # tables became cards: the header row is hidden and each cell carries its column's name
                assert page.evaluate("getComputedStyle(document.querySelector('table.reflow thead')).display") \
                    == "none"
                assert page.evaluate("getComputedStyle(document.querySelector('table.reflow td[data-label]'),"
                                     " '::before').content").startswith('"')


def test_the_season_report_prints(pages, tmp_path):
    out, _ = pages
    with chromium(ARGS) as b:
        page = b.new_page()
        page.goto((out / "report.html").as_uri())
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('#more')).display") == "none"
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
