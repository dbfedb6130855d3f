"""Respondent text is data everywhere it goes: the web page, the mentor's report, the workbook (issue 7)."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from automation.jobs import reports
from automation.jobs.responses import sync_form
from automation.model import form_spec_from_json
from automation.plan.actions import actions
from automation.scheduler import run_due

EVIL = '<script>alert("x")</script><b>bold</b> =HYPERLINK("http://evil.example","click")'


def test_script_in_a_text_answer_stays_text_in_report_and_workbook(season):
    acts = [a for a in actions(season.plan) if a.payload.get("form_key") == "ws_law_budget.event_feedback"]
    create = next(a for a in acts if a.kind == "form.create")
    run_due(season, create.due, [create, next(a for a in acts if a.kind == "mail.form_invitation")])
    tokens = [r[0] for r in season.store.db.execute(
        "SELECT token FROM form_links WHERE form_key = 'ws_law_budget.event_feedback' ORDER BY token LIMIT 3")]
    base = {"usefulness": 5, "relevance": 4, "format": 4, "duration": 4, "trainer": 5, "materials": 4,
            "organisation": 5, "apply": "yes", "recommend": "yes"}
    for t in tokens:  # three respondents, so no group is suppressed
        season.backend.forms.submit(t, {**base, "what_to_change": EVIL}, now=create.due)
    sync_form(season, "ws_law_budget.event_feedback", create.due)
    # the workbook keeps the exact text, as a string cell, not a formula
    ws = load_workbook(season.out_dir / "sheets" / "ws_law_budget.event_feedback.xlsx").active
    header = [c.value for c in ws[1]]
    spec = form_spec_from_json(json.loads(season.store.forms.get("ws_law_budget.event_feedback").spec_json))
    col = header.index(spec.question("what_to_change").title.ru)
    cell = ws.cell(row=2, column=col + 1)
    assert cell.value == EVIL and cell.data_type == "s"
    # the report lists the open text escaped
    assert reports.refresh(season, None, create.due, force=True).status == "done"
    html = (season.out_dir / "form_ws_law_budget.event_feedback.html").read_text(encoding="utf-8")  # open texts: the form's page
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<script>alert("x")' not in html and "<b>bold</b>" not in html
    for page in season.out_dir.glob("*.html"):  # and no other page of the report carries it raw
        assert '<script>alert("x")' not in page.read_text(encoding="utf-8"), page.name
