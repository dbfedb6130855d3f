"""Storing an export (:func:`import_export`): the form (backend ``import``) and its responses, in one transaction.

Respondents are matched to the roster by e-mail; an unknown or missing address
leaves the response anonymous (``participant_id`` NULL).  The file is read whole
first (:func:`automation.forms.importer.read.read_export`), so a bad file changes
nothing in the store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.errors import ResponsesImportError
from automation.forms.importer.columns import title_of
from automation.forms.importer.read import ParsedExport, read_export
from automation.model import BISHKEK, FormSpec, iso, utc_now
from automation.store import FormRecord, Store
from automation.store.forms import IMPORTED


@dataclass
class ImportResult:
    """What :func:`import_export` did: the form's key, whether it was created, and counts of responses
    (all, new, matched to the roster, with an e-mail not in the roster, without e-mail)."""

    form_key: str
    created: bool
    responses: int
    new: int
    matched: int
    unknown_emails: int
    anonymous: int
    export: ParsedExport

    def lines(self) -> list[str]:
        """What the command prints (no e-mail addresses: counts only)."""
        e = self.export
        merged = f" ({e.rows} rows, {len(e.merged)} identical row(s) merged)" if e.merged else ""
        out = [f"Imported {self.responses} response(s){merged} from {e.source} into form {self.form_key!r}"
               f" ({'new form, backend import' if self.created else 'existing form'}):",
               f"  {self.new} new, {self.responses - self.new} already there (updated);"
               f" {self.matched} matched to the roster, {self.unknown_emails} e-mail(s) not in the roster,"
               f" {self.anonymous} without e-mail",
               f"  layout: {'Google Forms “Download responses”' if e.flavour == 'forms' else 'linked Google Sheet'}"
               f"; {'question kinds inferred from the data' if e.inferred else f'mapped to form {e.spec.id!r}'}"]
        for c in e.columns:
            if c.question_id:
                q = e.spec.question(c.question_id)
                out.append(f"  «{_short(c.header)}» → {q.id}{'.' + c.row_id if c.row_id else ''} ({q.kind})")
            elif c.role != "question":
                out.append(f"  «{_short(c.header)}» → {c.role}")
        if e.missing_questions:
            out.append(f"  not in the file: {', '.join(e.missing_questions)}")
        out += [f"  note: {n}" for n in e.notes]
        return out


def _short(text: str, n: int = 60) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    return text if len(text) <= n else text[:n - 1] + "…"


def _slug(text: str) -> str:
    """Lower-case latin letters, digits and ``_`` of ``text`` (``form`` when none is left)."""
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s or "form"


def import_export(store: Store, path: str | Path, spec: FormSpec | None = None, event_id: str | None = None,
                  form_key: str | None = None, pre_test: bool = False, now: datetime | None = None,
                  tz: Any = BISHKEK) -> ImportResult:
    """Read an export and store it as a form (backend ``import``) with its responses, in one transaction.

    The form key: ``form_key``; else ``<event>.<template>[.pre]`` with an event and
    a template (the plan's convention, so imported pre- and post-tests pair up);
    else the event id; else ``import_<file name>``.  When that form is already in
    the store its stored spec maps the columns (``spec`` must then be the same
    template) and the responses are added to it; importing the same file again
    changes nothing (response ids derive from time, e-mail and answers).

    Raises :class:`ResponsesImportError` (nothing written) when the file cannot be read,
    or names a form of another template.
    """
    source = str(path)
    if form_key is None:
        if event_id and spec is not None:
            form_key = f"{event_id}.{spec.id}" + (".pre" if pre_test else "")
        elif event_id:
            form_key = event_id + (".pre" if pre_test else "")
        else:
            form_key = "import_" + _slug(title_of(source))
    existing = store.forms.get(form_key)
    if existing is not None:
        stored = existing.spec()
        if spec is not None and spec.id != stored.id:
            raise ResponsesImportError(source, [f"form {form_key!r} is already in the store, made from template "
                                        f"{stored.id!r}, not {spec.id!r}; give another --event or --form-key"])
        spec = stored
    parsed = read_export(Path(path), spec, source, tz, now)
    spec = parsed.spec
    matched, unknown, anonymous, new = _write_import(store, form_key, spec, parsed, existing, event_id, pre_test,
                                                     source, now)
    return ImportResult(form_key, existing is None, len(parsed.responses), new, matched, unknown, anonymous, parsed)


def _write_import(store: Store, form_key: str, spec: FormSpec, parsed: ParsedExport, existing: FormRecord | None,
                  event_id: str | None, pre_test: bool, source: str, now: datetime | None) -> tuple[int, int, int, int]:
    """Write the form (when ``existing``, the stored form, is None) and the parsed responses in one transaction.

    Returns (matched to the roster, e-mail not in the roster, without e-mail, new) counts of the responses.
    A response already in the store (same form key and response id) is updated (see
    :meth:`automation.store.responses.ResponsesRepository.add`).
    """
    by_email = {p.email.lower(): p.id for p in store.roster.participants(active_only=False)}
    matched = unknown = anonymous = 0
    now_s = iso(now or utc_now())
    times = [r.submitted_at for r in parsed.responses]
    rows = []
    for r in parsed.responses:
        pid = by_email.get(r.email) if r.email else None
        matched += pid is not None
        unknown += bool(r.email) and pid is None
        anonymous += not r.email
        rows.append({"response_id": r.response_id, "participant_id": pid, "respondent_email": r.email,
                     "submitted_at": r.submitted_at, "answers": r.answers, "raw": {"line": r.line, "cells": r.raw}})
    with store.transaction():
        if existing is None:
            store.forms.add(FormRecord(
                form_key=form_key, template_id=spec.id, template_version=spec.version, kind=spec.kind,
                event_id=event_id or form_key, pre_test=pre_test,
                audience="roster" if any(r.email for r in parsed.responses) else "public", backend=IMPORTED,
                external_id=Path(source).name, url="", spec_json=json.dumps(spec.to_json(), ensure_ascii=False),
                status="closed", opens=iso(min(times)), deadline=iso(max(times)), created_at=now_s,
                last_synced_at=now_s))
        new = store.responses.add(form_key, rows, source="import")
    return matched, unknown, anonymous, new
