"""The local backend's web forms: the pages participants fill on their phones.

``create_app(store)`` (:mod:`automation.web.app`) returns a Flask app;
``python main.py serve`` (:mod:`automation.web.serve`) runs it on
127.0.0.1:8080 unless told otherwise.  Every response goes through
:meth:`automation.workspace.local.forms.LocalForms.submit`, so it lands in the same ``responses`` table as
Google responses (``source='local'``) and flows through sync, analysis and
reports unchanged.

Routes
======
``GET/POST /t/<token>``      personal link (``form_links.token``): one response per
                             token, pre-filled with her previous answers and
                             editable until the deadline.
``GET /t/<token>/done``      thank-you page.
``GET/POST /f/<external_id>`` the form's public link, only where the plan says
                             ``audience: public`` (a form sent to the roster answers
                             403 with a page saying to open her personal link);
                             each page the server renders makes at most one
                             anonymous response.
``GET /f/<external_id>/done`` thank-you page.
``GET /``                    a neutral page (no list of forms: links are the only
                             way in).

Language: ``?lang=ky|ru`` (or the form field ``lang``), else the participant's
roster language, else Kyrgyz.  A form page carries itself in the other language
too (a ``<template data-lang>``): with JavaScript the switch swaps the page at
once, without a request, keeping the answers typed so far; without JavaScript it
posts the page and the server re-renders it in the other language (nothing is saved).

A village connection (``static/form.js``, docs/OFFLINE_FORMS.md): her answers are
kept on the phone (``localStorage``, per link) as she types and put back after a
reload or a crash; Send posts the page with ``fetch``; a submission that fails for
lack of connection stays on the phone and is sent again when the connection returns
or the link is opened again.  Each submission carries a submission key (a UUID the
phone makes, hidden field ``submission``; the server renders one for pages without
JavaScript): a key already stored (``store.submissions``) is answered as the same
response and stores nothing, so a retry after a lost answer lands once.

What the pages say about the form (:mod:`automation.web.result`): the event's name and date on the
form page and its closed and thank-you pages; the closed page in Kyrgyz and Russian (Kyrgyz first) with
the admin's e-mail; on her personal link, her score and the correct answers of a quiz when its
``show_answers`` allows (default: after the deadline).  Her personal link does not show the questions
her roster row answers (``oblast``, ``role``, ``language``: :mod:`automation.forms.known`).

Pages: every section of the template is a ``<section class="page">``; with
JavaScript the participant sees one at a time with Next/Back (answers stay in
the one HTML form, nothing is lost between pages); without JavaScript the form
is one long page.  The server validates the whole response with
:func:`automation.forms.answers.check_answers` and re-renders it with a message in
her language next to each problem (and opens the first page with a problem).

Safety
======
- CSRF: the session cookie (signed by Flask, ``SameSite=Lax``, ``HttpOnly``)
  holds a random nonce; each rendered form carries an itsdangerous-signed token
  of (nonce, link) valid :data:`automation.web.app.CSRF_MAX_AGE` seconds.  A POST whose token is
  missing, forged, expired, for another link, or whose cookie lacks the nonce,
  saves nothing and gets her answers back with a message (HTTP 400).
- Stuffing a public link: each rendered page carries a submission id signed by
  the server (itsdangerous, bound to the link); the response id is derived from it,
  so sending the page again replaces its response, and a POST with a forged,
  foreign or absent id saves nothing (HTTP 400, her answers back with a new id).
  Stored anonymous submissions are rate-limited per client IP and form and per
  form (Flask-Limiter, :mod:`automation.web.guard`); over a limit she gets her
  answers back with a note to wait and send again (HTTP 429).
- Limits: ``MAX_CONTENT_LENGTH`` (also for a chunked body, which Werkzeug would cut silently) (:data:`automation.web.app.MAX_REQUEST_BYTES`), Werkzeug's
  per-field and field-count limits, text answers by their template limits
  (``max_chars``/``max_words``, else 1000/20000 characters — answers.py), an
  "other" text by :data:`automation.web.values.OTHER_MAX_CHARS`; control characters are removed
  (they would break the .xlsx workbooks).
- Output: Jinja2 autoescaping; a strict Content-Security-Policy (the page's CSS and
  JS are written into it, to cost one request on a slow link, and allowed by their
  SHA-256 only: no other inline script or style runs), ``Referrer-Policy: no-referrer``
  (links carry tokens), ``Cache-Control: no-store``; pages gzip-compressed where the
  browser asks (Flask-Compress; the error pages 4xx/5xx are not compressed).
- ``serve`` binds to 127.0.0.1 unless ``--host`` says otherwise; ``club.yaml``
  ``web: {behind_proxy: true}`` trusts one HTTPS proxy's ``X-Forwarded-For``/``-Proto``
  (Werkzeug's ProxyFix) and sends the cookie ``Secure``; without it those headers are ignored.
- Logs: link tokens are cut to 4 characters in every request and error line
  (:func:`automation.web.guard.mask_tokens`); the ``Server`` header names no versions;
  a page number is read strictly (1–3 ASCII digits); a malformed request line is answered, not a crash.

Threads: a :class:`Store` connection belongs to the thread that opened it, so
a request served on another thread opens its own connection to the same file
(an in-memory store can only be served on its own thread, e.g. by Flask's
test client).

Modules
=======
``app``     :func:`create_app`: the routes and pages, CSRF, security headers.
``values``  answers ↔ page fields (:func:`values_from_form`, :func:`answers_from_values`, …).
``texts``   everything the pages say, in Kyrgyz and Russian.
``links``   a resolved link (:class:`Link`) and her previous response.
``secret``  the signing key kept in a file.
``guard``   body limit for chunked requests, rate limits, proxy trust, token masking, page numbers.
``once``    a submission stored once: its submission key (:func:`automation.web.once.store_once`).
``assets``  the CSS and JS written into each page, with their CSP sources.
``serve``   the threaded server with token-shortening request logs.
"""
