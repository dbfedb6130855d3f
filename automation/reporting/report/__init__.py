"""The mentor's report: a first screen with her four questions, and drill-down pages a click away.

Pages (:func:`.build.build_report`; docs/REPORT.md):

1. ``report.html`` — the first screen: which events worked, which oblast is behind, how many have
   not answered, what to change in the plan (:mod:`automation.analysis.overview` computes,
   :mod:`.overview` formats; :mod:`.overview_text` holds the words and explanations);
2. ``report_<event>.html`` — the same four questions for one event, with its sections;
3. ``form_<form key>.html`` — one form (:func:`.form_report.form_report`), its answers as bars the
   page draws (:mod:`.form_bars`);
4. ``report_details.html`` — every section of the season: what changed (:mod:`.changes`),
   post-tests, needs assessments, event feedback, response rates (:mod:`.sections`).

:mod:`.text` holds the section headings and labels in both languages; :mod:`.scope` the choice and
order of the forms; :mod:`.section_charts` names, reuses and cleans up the few charts (the season's
trends); :mod:`.pages` rewrites a page or recomputes a section only when its data changed.

Do no harm (DESIGN.md principle 8): the report shows no names, e-mail addresses or phone numbers —
non-respondents appear as counts per oblast — and every breakdown hides groups smaller than
``min_group_size`` ("менее 3" / "3төн аз") together with a complementary group, so that a hidden
one cannot be worked out from a total (:mod:`automation.analysis.suppression`); a form with fewer
responses shows no per-question results.  Answers to personal-data questions are never listed and
contacts typed into open answers are masked.  Texts of applications to the School (form kind
``school_application``) are not listed: the selection commission scores them under codes.

Times are shown in Asia/Bishkek.
"""
