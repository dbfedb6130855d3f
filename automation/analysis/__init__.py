"""Analysis of responses (pandas; pure functions over the tidy frame unless noted).

- :mod:`.frame` — the tidy frame of answers (one row per response x question), the forms' specs;
- :mod:`.summary` — answer counts, quiz score summaries, breakdowns with small-cell suppression, open texts;
- :mod:`.stats` — Wilson, Newcombe and Student t intervals, point-biserial correlation (no SciPy needed);
- :mod:`.posttest` — scores, item difficulty and discrimination, normalized gain pre → post;
- :mod:`.needs` — needs assessments: demand per option, by oblast / role, change from the previous year;
- :mod:`.feedback` — event feedback: Likert summary per event, trend across the season;
- :mod:`.rates` — response rates, curves by day since the invitation, non-respondents (for reminders; reads the store).
"""
