"""Charts of form results for the mentor's report (matplotlib, one style).

Every chart function draws one figure and writes ``path`` as PNG (and, with
``svg=True``, the same figure next to it as ``.svg``), and returns the PNG
path — or None, writing nothing, when there is nothing to show.

- :mod:`.style`: the one style (font, size, colours) and the drawing helpers;
- :mod:`.text`: the chart texts in Russian and Kyrgyz (:func:`.text.t`);
- :mod:`.chart`: :class:`.chart.Chart`, one chart file as the report lists it;
- :mod:`.bars`: single and multiple choice, one scale item, results by oblast;
- :mod:`.likert`: several Likert items (diverging bars), grid questions;
- :mod:`.posttest`: score histogram, normalized gain, item difficulty;
- :mod:`.needs`: demand per group (heat map), change from the previous year;
- :mod:`.trends`: the feedback trend over the season, response curves;
- :mod:`.forms`: which chart for which question (:func:`.forms.form_charts`).

Results by oblast apply small-cell suppression: a group with fewer than
``min_group_size`` respondents is not plotted and is named in the chart note
as "менее 3" / "3төн аз" (DESIGN.md principle 8).
"""
