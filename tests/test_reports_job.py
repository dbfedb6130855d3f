"""The report job rebuilds the season's and the event's report only when their data changed."""

from __future__ import annotations

from automation.jobs import reports
from automation.plan.actions import actions
from automation.scheduler import run_due


def test_reports_are_rebuilt_only_when_their_data_changed(season):
    acts = [a for a in actions(season.plan) if a.payload.get("form_key") == "ws_law_budget.event_feedback"]
    create = next(a for a in acts if a.kind == "form.create")
    report = next(a for a in acts if a.kind == "report.refresh")
    run_due(season, create.due, [create, next(a for a in acts if a.kind == "mail.form_invitation")])
    first = reports.refresh(season, report, report.due).detail
    assert "season report written" in first and "event report written" in first
    assert (season.out_dir / "report_ws_law_budget.html").exists()
    mtime = (season.out_dir / "report.html").stat().st_mtime_ns
    again = reports.refresh(season, report, report.due).detail
    assert again.count("unchanged") == 2
    assert (season.out_dir / "report.html").stat().st_mtime_ns == mtime
    token = season.store.db.execute("SELECT token FROM form_links LIMIT 1").fetchone()[0]
    season.backend.forms.submit(token, {"usefulness": 5, "relevance": 4, "format": 4, "duration": 4, "trainer": 5,
                                        "materials": 4, "organisation": 5, "apply": "yes", "recommend": "yes"},
                                now=create.due)
    third = reports.refresh(season, report, report.due).detail
    assert third.count("written") == 2


def test_an_event_whose_forms_were_never_made_gets_no_event_report_and_no_failure(season):
    report = next(a for a in actions(season.plan) if a.key == "ws_law_budget.post_test.pre.report")
    res = reports.refresh(season, report, report.due)
    assert res.status == "done" and "none of the event's forms was made" in res.detail
    assert (season.out_dir / "report.html").exists() and not (season.out_dir / "report_ws_law_budget.html").exists()
