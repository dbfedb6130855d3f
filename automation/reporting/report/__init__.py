"""The mentor's report: one HTML page with the charts and key figures of the forms.

Sections, in the order the mentor reads them (DOMAIN.md: she revises the
year's plan from post-tests, evaluations and the needs assessment):

1. key figures (forms, responses, response rate, mean post-test score, mean
   normalized gain with its 95 % interval) — :mod:`.build`;
2. what changed since the last report of the same scope and language
   (:func:`.changes.snapshot` kept in ``out_dir/.last-report.<scope>.<lang>.json``,
   compared by :func:`.changes.diff_snapshots`);
3. post-tests: gain per event and per oblast, item difficulty and
   discrimination per test (:func:`.sections.posttest_section`);
4. needs assessments: demand per option with Wilson intervals, by oblast and
   by role, change from the previous year's assessment (:func:`.sections.needs_section`);
5. event feedback: the trend of each Likert item across the season's events
   (:func:`.sections.feedback_section`);
6. response rates per form and oblast, and the cumulative curves by day since
   the invitation (:func:`.sections.rates_section`);
7. one section per form (:func:`.form_report.form_report`).

:func:`.build.build_report` puts them together; :mod:`.text` holds the headings
and labels in both languages; :mod:`.scope` the choice and order of the forms;
:mod:`.section_charts` names, reuses and cleans up the sections' charts.

Do no harm (DESIGN.md principle 8): the report shows no names, e-mail
addresses or phone numbers — non-respondents appear as counts per oblast, and
every breakdown by oblast hides groups smaller than ``min_group_size``
("менее 3" / "3төн аз"); answers to personal-data questions are never listed
and contacts typed into open answers are masked.  Texts of applications to the
School (form kind ``school_application``) are not listed: the selection
commission scores them under codes.

Times are shown in Asia/Bishkek.
"""
