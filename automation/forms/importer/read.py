"""Reading one export (:func:`read_export`): the CSV (or the zip holding it) into a :class:`ParsedExport`.

Nothing is half-read: every problem of the file is collected, each with its line
and the reason, and :class:`automation.errors.ResponsesImportError` lists them.  The
store is not touched here (see :mod:`automation.forms.importer.importing`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from automation.errors import ResponsesImportError
from automation.forms.importer.cells import (
    export_flavour,
    label_map,
    norm,
    parse_date,
    parse_timestamp,
    slash_order,
    slash_timestamps,
    split_choices,
)
from automation.forms.importer.columns import (
    TIMESTAMP_HEADERS,
    Column,
    classify_columns,
    map_to_spec,
    service_columns,
    title_of,
)
from automation.forms.importer.infer import infer_spec
from automation.model import BISHKEK, FormSpec, Question, iso, utc_now

#: Most problems listed in one :class:`ResponsesImportError` (reading stops there).
MAX_PROBLEMS = 40
#: How far after the moment of the import a submission time may lie (a sheet kept in a time zone ahead of
#: Bishkek's, a computer clock a little off); a later time is refused as a wrong date.
FUTURE_SLACK = timedelta(hours=12)


@dataclass
class ParsedResponse:
    """One data row: ``line`` in the file, a ``response_id`` derived from time, e-mail and answers,
    ``submitted_at`` (aware, UTC), the lower-cased e-mail or None, the answers (automation.forms.answers
    conventions) and the raw cells by heading."""

    line: int
    response_id: str
    submitted_at: datetime
    email: str | None
    answers: dict[str, Any]
    raw: dict[str, str]


@dataclass
class ParsedExport:
    """A readable export: the spec its columns map to and one response per data row."""

    source: str
    spec: FormSpec
    columns: list[Column]
    responses: list[ParsedResponse]
    flavour: str  # "forms" (Download responses) or "sheet" (linked Sheet) — from timestamps and separators
    inferred: bool
    notes: list[str] = field(default_factory=list)
    missing_questions: list[str] = field(default_factory=list)
    #: Identical rows imported once: (line of the repeat, line of the row it repeats).
    merged: list[tuple[int, int]] = field(default_factory=list)
    #: Data rows in the file (responses + merged repeats).
    rows: int = 0


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    """The file's text (UTF-8, else Windows-1251 with a note; a zip's one .csv) and notes.  Raises ResponsesImportError."""
    notes = []
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = [n for n in z.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise ResponsesImportError(source, [f"the zip archive holds {len(names)} .csv files; expected exactly one "
                                                "(Google Forms' 'Download responses' gives one)"])
                data = z.read(names[0])
                notes.append(f"read {names[0]} from the zip archive")
        except zipfile.BadZipFile:
            raise ResponsesImportError(source, ["line 1: looks like a zip archive but cannot be opened"]) from None
    if b"\x00" in data[:4096]:
        raise ResponsesImportError(source, ["line 1: this is not a text CSV file (it contains binary data); "
                                    "export the responses as CSV from Google Forms or Sheets"])
    try:
        return data.decode("utf-8-sig"), notes
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ResponsesImportError(source, [f"line {line}: not UTF-8 text ({e.reason}); save the file as CSV UTF-8"]) from None
        notes.append(f"not UTF-8 (line {line}); read as Windows-1251 — check the Cyrillic text")
        return text, notes


def _records(text: str, source: str) -> tuple[list[tuple[int, list[str]]], str]:
    """The CSV records as (first line of the record, cells), and the delimiter.  Raises ResponsesImportError."""
    # the delimiter whose header has the timestamp column (Sheets in some locales write ";"; a TSV has tabs)
    delim = None
    for d in (",", ";", "\t"):
        try:
            head = next(csv.reader(io.StringIO(text, newline=""), delimiter=d), [])
        except csv.Error:
            continue
        if any(norm(h) in TIMESTAMP_HEADERS for h in head):
            delim = d
            break
    if delim is None:
        try:
            delim = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
        except csv.Error:
            delim = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    out: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            out.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as e:
        raise ResponsesImportError(source, [f"line {start}: not valid CSV ({e}); was the file changed by hand?"]) from None
    return out, delim


def _answer(q: Question, cell: str, sep: str | None, date_order: str) -> Any:
    """One cell → the answer convention of automation.forms.answers.  Raises ValueError with the reason."""
    v = cell.strip()
    if q.kind in ("single_choice", "dropdown"):
        oid = label_map(q).get(norm(v))
        if oid is not None:
            return oid
        if q.kind == "single_choice" and q.other:
            return v
        raise ValueError(f"«{v}» is not one of the options ({', '.join(o.label.ru for o in q.options)})")
    if q.kind == "multiple_choice":
        ids, other = split_choices(v, label_map(q), sep)
        if other is not None:
            if not q.other:
                raise ValueError(f"«{other}» is not one of the options ({', '.join(o.label.ru for o in q.options)})")
            ids.append(other)
        order = {o.id: i for i, o in enumerate(q.options)}
        return sorted(ids, key=lambda x: order.get(x, len(order)))
    if q.kind == "scale":
        assert q.scale is not None
        if not re.fullmatch(r"\d{1,2}", v) or not q.scale.low <= int(v) <= q.scale.high:
            raise ValueError(f"«{v}» is not a whole number from {q.scale.low} to {q.scale.high}")
        return int(v)
    if q.kind == "date":
        return parse_date(v, date_order)
    return v


def _response_id(submitted: datetime, email: str | None, answers: dict[str, Any]) -> str:
    """``csv-`` and a hash of time, e-mail and answers: the same row imported twice is one response."""
    h = hashlib.sha256(json.dumps([iso(submitted), email or "", answers], ensure_ascii=False, sort_keys=True).encode())
    return "csv-" + h.hexdigest()[:20]


def read_export(data: bytes | str | Path, spec: FormSpec | None = None, source: str | None = None,
                tz: Any = BISHKEK, now: datetime | None = None) -> ParsedExport:
    """Read one export — a path (``str`` or ``Path``) or the file's bytes — into responses for
    ``spec`` (inferred from the data when None).  ``source`` names it in messages.  A submission
    time later than ``now`` (default: the current time) by more than :data:`FUTURE_SLACK` is a problem.

    Raises :class:`ResponsesImportError` listing the problems (each with its line) when
    the file cannot be read as a whole; nothing is half-read.
    """
    if isinstance(data, (str, Path)):
        path = Path(data)
        source = source or str(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise ResponsesImportError(str(path), [f"cannot read the file ({e.strerror or e})"]) from None
    else:
        raw = data
        source = source or "<csv>"
    text, notes = _decode(raw, source)
    records, delim = _records(text, source)
    records = [(ln, r) for ln, r in records if any(c.strip() for c in r)]
    if not records:
        raise ResponsesImportError(source, ["line 1: the file is empty (no header row)"])
    header_line, header = records[0]
    data_rows = records[1:]
    headers = [h.strip() for h in header]
    cols = classify_columns(headers)
    problems: list[str] = []
    ts_cols = [c for c in cols if c.role == "timestamp"]
    if not ts_cols:
        raise ResponsesImportError(source, [f"line {header_line}: no «Timestamp» / «Отметка времени» column — is this a "
                                    f"Google Forms export? (found: {', '.join(headers[:6])}…)"])
    if not data_rows:
        raise ResponsesImportError(source, [f"line {header_line}: the file has a header but no responses"])
    for ln, rec in data_rows:
        if len(rec) != len(headers):
            problems.append(f"line {ln}: {len(rec)} cells, but the header has {len(headers)}")
    if problems:
        raise ResponsesImportError(source, problems[:MAX_PROBLEMS])
    own = service_columns(headers, [rec for _, rec in data_rows], spec)
    for i in own:
        cols[i].role = "skipped"
    if own:
        notes.append("columns " + " and ".join(f"{i + 1} «{headers[i]}»" for i in own) + " are the service's own "
                     "workbook columns (joined from the roster), not questions: not imported")
    if not any(c.role == "question" for c in cols):
        raise ResponsesImportError(source, [
            f"line {header_line}: no question columns, only " + ", ".join(f"«{h}»" for h in headers)
            + "; expected a form's responses with one column per question (Google Forms: Responses → "
            "Download responses, or the linked Sheet as CSV)"])
    inferred = spec is None
    missing: list[str] = []
    if spec is None:
        spec = infer_spec(cols, data_rows, title_of(source))
    else:
        missing = map_to_spec(cols, spec, problems)
        if problems:
            raise ResponsesImportError(source, problems[:MAX_PROBLEMS])
    ts_col, email_col = ts_cols[0], next((c for c in cols if c.role == "email"), None)
    order = slash_order([rec[ts_col.index] for _, rec in data_rows])
    date_cols = {c.index for c in cols if c.question_id and spec.question(c.question_id).kind == "date"}
    date_order = slash_order([rec[i] for _, rec in data_rows for i in date_cols])
    # the checkbox separator of the file: ";" in a forms download, ", " in a sheet
    checkbox_cells = [rec[c.index] for c in cols if c.question_id and spec.question(c.question_id).kind ==
                      "multiple_choice" for _, rec in data_rows]
    sep = ";" if any(";" in v for v in checkbox_cells) else None
    responses: list[ParsedResponse] = []
    seen: dict[str, int] = {}
    merged: list[tuple[int, int]] = []
    latest = (now or utc_now()) + FUTURE_SLACK
    for ln, rec in data_rows:
        try:
            submitted = parse_timestamp(rec[ts_col.index], order, tz)
        except ValueError as e:
            problems.append(f"line {ln}, column «{ts_col.header}»: {e}")
            continue
        if submitted > latest:
            problems.append(f"line {ln}, column «{ts_col.header}»: {rec[ts_col.index].strip()!r} is in the future "
                            f"(the import runs on {(latest - FUTURE_SLACK).astimezone(tz):%d.%m.%Y %H:%M}); a response "
                            "cannot be submitted later than now: check the year and the sheet's time zone")
            continue
        email = rec[email_col.index].strip().lower() if email_col is not None else ""
        answers: dict[str, Any] = {}
        for c in cols:
            if not c.question_id:
                continue
            cell = rec[c.index]
            if not cell.strip():
                continue
            q = spec.question(c.question_id)
            if q.kind == "grid":
                oid = label_map(q).get(norm(cell))
                if oid is None:
                    problems.append(f"line {ln}, column «{c.header}»: «{cell.strip()}» is not one of the columns "
                                    f"({', '.join(o.label.ru for o in q.options)})")
                    continue
                answers.setdefault(q.id, {})[c.row_id] = oid
                continue
            try:
                answers[q.id] = _answer(q, cell, sep, date_order)
            except ValueError as e:
                problems.append(f"line {ln}, column «{c.header}»: {e}")
        rid = _response_id(submitted, email, answers)
        if rid in seen:
            merged.append((ln, seen[rid]))
            continue
        seen[rid] = ln
        responses.append(ParsedResponse(ln, rid, submitted, email or None, answers,
                                        {h: rec[i] for i, h in enumerate(headers)}))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"… stopped after {MAX_PROBLEMS} problems")
        raise ResponsesImportError(source, problems)
    score_col = next((c for c in cols if c.role == "score"), None)
    if score_col is not None and spec.max_score > 0:
        from automation.forms.answers import score as quiz_score

        differ = 0
        for r in responses:
            m = re.match(r"^\s*(\d+(?:[.,]\d+)?)\s*/\s*(\d+)", r.raw.get(score_col.header, ""))
            if m and abs(float(m.group(1).replace(",", ".")) - quiz_score(spec, r.answers)) > 1e-9:
                differ += 1
        if differ:
            notes.append(f"the «{score_col.header}» column differs from the template's scoring on {differ} row(s): "
                         "the form's answer key or points may differ from the template's")
    raw_ts = [rec[ts_col.index] for _, rec in data_rows]
    flavour = export_flavour(raw_ts)
    if flavour == "sheet" and slash_timestamps(raw_ts):
        notes.append(f"a/b/yyyy timestamps read as {'month/day' if order == 'mdy' else 'day/month'}")
    if merged:
        shown = ", ".join(f"line {a} = line {b}" for a, b in merged[:10]) + (", …" if len(merged) > 10 else "")
        notes.append(f"{len(merged)} identical row(s) merged (same time, e-mail and answers; imported once): {shown}")
    return ParsedExport(source, spec, cols, responses, flavour, inferred, notes, missing, merged, len(data_rows))


