"""Import responses from Google Forms' own CSV exports (``responses import CSV``).

Two flavours of the same data are read, and give the same responses:

- the CSV of the form's **"Download responses"** (a ``.zip`` holding one ``.csv``;
  the zip is read too): timestamps like ``2022/05/14 10:03:12 AM GMT+6``,
  checkbox answers joined by ``;``;
- the CSV of the **linked Sheet** (File → Download → CSV): timestamps in the
  sheet's locale, ``14.05.2022 10:03:12`` or ``5/14/2022 10:03:12`` (taken as
  Asia/Bishkek time, the club's zone), checkbox answers joined by ``, ``.

Headings may be English or Russian ("Timestamp"/«Отметка времени», "Email
Address"/«Адрес электронной почты», "Score"/«Баллы»); a grid question has one
column per row, ``Question [Row]``.  The service's own workbooks (``sheets/``,
saved as CSV) use the same layout, with «Область» and «Роль» columns joined from
the roster: those are skipped only when the file is recognised as such a workbook
by its layout (:func:`automation.forms.importer.columns.service_columns`); in a
Google export a question of that title is a question like any other.

A file with no question column, or with a response dated after the import
(beyond a few hours' slack), is refused; identical rows are imported once and
their number is reported.

With a template (or when the form already exists in the store) each column is
mapped to a question by its title — Kyrgyz, Russian, or both as the service's
Google forms show them ("ky / ru") — ignoring case and runs of spaces; option
labels are matched the same way, and a checkbox cell is split by recognising
the option labels in it (a label may itself contain a comma); what is left is
the "other" text.  Without a template each column's kind is inferred from the
data (:func:`automation.forms.importer.infer.infer_question`): a linear scale (whole numbers 0..10), a date, a
checkbox question (its answers split into parts that recur across rows — a
free-text answer with a comma is not a checkbox), a single choice (few values
that repeat), or text.

Nothing is half-imported: every problem of the file is collected, each with its
line and the reason, and :class:`automation.errors.ResponsesImportError` is raised
before the store is touched; the form and its responses are then written in
one transaction.  Respondents are matched to the roster by e-mail; an unknown or
missing address leaves the response anonymous (``participant_id`` NULL).

Modules: :mod:`~automation.forms.importer.cells` (one cell: match keys, timestamps,
dates, checkbox cells), :mod:`~automation.forms.importer.columns` (what each heading
is), :mod:`~automation.forms.importer.infer` (question kinds without a template),
:mod:`~automation.forms.importer.read` (the file into responses),
:mod:`~automation.forms.importer.importing` (into the store).
"""
