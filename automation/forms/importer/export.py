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
column per row, ``Question [Row]``.  The service's own workbooks (``sheets/``)
use the same layout, with «Область» and «Роль» columns that are skipped.

With a template (or when the form already exists in the store) each column is
mapped to a question by its title — Kyrgyz, Russian, or both as the service's
Google forms show them ("ky / ru") — ignoring case and runs of spaces; option
labels are matched the same way, and a checkbox cell is split by recognising
the option labels in it (a label may itself contain a comma); what is left is
the "other" text.  Without a template each column's kind is inferred from the
data (:func:`infer_question`): a linear scale (whole numbers 0..10), a date, a
checkbox question (its answers split into parts that recur across rows — a
free-text answer with a comma is not a checkbox), a single choice (few values
that repeat), or text.

Nothing is half-imported: every problem of the file is collected, each with its
line and the reason, and :class:`automation.errors.ResponsesImportError` is raised
before the store is touched; the form and its responses are then written in
one transaction.  Respondents are matched to the roster by e-mail; an unknown or
missing address leaves the response anonymous (``participant_id`` NULL).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from automation.errors import ResponsesImportError
from automation.model import BISHKEK, CHOICE_KINDS, FormSpec, I18n, Option, Question, Scale, Section, iso, to_utc, utc_now
from automation.store import Store

TIMESTAMP_HEADERS = {"timestamp", "отметка времени", "метка времени", "дата и время"}
EMAIL_HEADERS = {"email address", "email", "e-mail", "адрес электронной почты", "электронная почта",
                 "username", "имя пользователя"}
SCORE_HEADERS = {"score", "total score", "баллы", "итоговый балл"}
#: Columns the service's own workbooks add (automation.jobs.responses.worksheet_rows); not questions.
SKIPPED_HEADERS = {"область", "роль"}
#: ``Question [Score]`` / ``[Feedback]`` columns of a quiz export: not answers.
_PER_QUESTION_META = {"score", "баллы", "feedback", "отзыв", "points"}
_GRID_RE = re.compile(r"^(.*\S)\s*\[([^\[\]]+)\]$")
MAX_PROBLEMS = 40
BOTH_SEP = " / "


def norm(text: str) -> str:
    """Match key of a title or label: spaces collapsed, case folded, ``ё`` as ``е``."""
    return " ".join(str(text).split()).casefold().replace("ё", "е")


def _keys(text: I18n) -> set[str]:
    return {norm(text.ky), norm(text.ru), norm(text.both(BOTH_SEP)), norm(f"{text.ru}{BOTH_SEP}{text.ky}")}


# --- timestamps and dates -----------------------------------------------------------

_TS_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM|ДП|ПП)?"
                     r"(?:\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?)?$", re.IGNORECASE)
_TS_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_TS_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$", re.IGNORECASE)
_TS_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$")
TIMESTAMP_EXAMPLES = "2022/05/14 10:03:12 AM GMT+6, 14.05.2022 10:03:12, 5/14/2022 10:03:12 or 2022-05-14 10:03:12"


def _hour(h: int, ampm: str | None) -> int:
    if not ampm:
        return h
    pm = ampm.upper() in ("PM", "ПП")
    if not 1 <= h <= 12:
        raise ValueError("hour out of range for a 12-hour clock")
    return (h % 12) + (12 if pm else 0)


def slash_order(values: list[str]) -> str:
    """``"mdy"`` or ``"dmy"`` for ``a/b/yyyy`` dates of one file: day first if any first number
    exceeds 12; month first otherwise (Google Sheets' en-US default)."""
    firsts = [int(m.group(1)) for v in values if (m := re.match(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}", v))]
    return "dmy" if any(f > 12 for f in firsts) else "mdy"


def parse_timestamp(text: str, order: str = "mdy", tz: Any = BISHKEK) -> datetime:
    """A Google Forms/Sheets timestamp → aware UTC datetime; without an offset it is ``tz`` time.

    Raises ``ValueError`` naming the accepted formats.
    """
    s = " ".join(text.split())
    try:
        if m := _TS_YMD.match(s):
            y, mo, d, h, mi, se, ampm, sign, oh, om = m.groups()
            dt = datetime(int(y), int(mo), int(d), _hour(int(h), ampm), int(mi), int(se or 0))
            if sign:
                off = timedelta(hours=int(oh), minutes=int(om or 0))
                return dt.replace(tzinfo=timezone(off if sign == "+" else -off)).astimezone(timezone.utc)
            return dt.replace(tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_DMY.match(s):
            d, mo, y, h, mi, se = m.groups()
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(se or 0), tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_SLASH.match(s):
            a, b, y, h, mi, se, ampm = m.groups()
            mo, d = (a, b) if order == "mdy" else (b, a)
            return datetime(int(y), int(mo), int(d), _hour(int(h), ampm), int(mi), int(se or 0),
                            tzinfo=tz).astimezone(timezone.utc)
        if m := _TS_ISO.match(s):
            dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T", 1))
            return to_utc(dt) if dt.tzinfo else dt.replace(tzinfo=tz).astimezone(timezone.utc)
    except ValueError as e:
        raise ValueError(f"{text!r} is not a valid date and time ({e})") from None
    raise ValueError(f"{text!r} is not a date and time (expected e.g. {TIMESTAMP_EXAMPLES})")


_D_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_D_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_D_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, order: str = "mdy") -> str:
    """A date answer (``1980-05-14``, ``14.05.1980``, ``5/14/1980``) → ``YYYY-MM-DD``.  Raises ``ValueError``."""
    s = text.strip()
    try:
        if m := _D_ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := _D_DMY.match(s):
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if m := _D_SLASH.match(s):
            a, b = (m[1], m[2]) if order == "mdy" else (m[2], m[1])
            return date(int(m[3]), int(a), int(b)).isoformat()
    except ValueError as e:
        raise ValueError(f"{text!r} is not a valid date ({e})") from None
    raise ValueError(f"{text!r} is not a date (expected 1980-05-14, 14.05.1980 or 5/14/1980)")


def _is_date(s: str) -> bool:
    return bool(_D_ISO.match(s) or _D_DMY.match(s) or _D_SLASH.match(s))


# --- splitting checkbox cells -------------------------------------------------------


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` outside brackets and quotes («», "", (), []); parts stripped, empties dropped."""
    parts, depth, cur, i = [], 0, [], 0
    opening, closing = "(«[“", ")»]”"
    while i < len(text):
        ch = text[i]
        if ch in opening:
            depth += 1
        elif ch in closing:
            depth = max(0, depth - 1)
        if depth == 0 and text.startswith(sep, i):
            parts.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def split_choices(text: str, labels: dict[str, str], sep: str | None = None) -> tuple[list[str], str | None]:
    """Split a checkbox cell into option ids and an "other" text.

    ``labels``: match key (:func:`norm`) → option id.  Google writes the chosen
    options in form order, then the "other" text, joined by ``;`` (form export)
    or ``, `` (sheet).  Options are recognised greedily as the longest label at
    each position followed by a separator or the end, so a label containing a
    comma stays whole; whatever cannot be matched is the "other" text (as typed).
    Returns (option ids in the order found, other text or None).
    """
    seps = [sep] if sep else [";", ","]
    s = text.strip()
    ids: list[str] = []
    rest: list[str] = []
    pos = 0
    by_len = sorted(labels, key=len, reverse=True)
    low = norm(s)
    # work on the normalised text; the "other" text is cut from the normalised positions of the original
    # (normalising only collapses spaces and folds case, so map positions through a compacted original)
    compact = " ".join(s.split())
    while pos < len(low):
        while pos < len(low) and (low[pos] in " " or any(low.startswith(x, pos) for x in seps)):
            pos += 1
        if pos >= len(low):
            break
        hit = None
        for key in by_len:
            if low.startswith(key, pos):
                end = pos + len(key)
                tail = low[end:].lstrip(" ")
                if not tail or any(tail.startswith(x) for x in seps):
                    hit = key
                    break
        if hit is None:
            rest.append((compact if len(compact) == len(low) else low)[pos:].strip())
            break
        if labels[hit] not in ids:
            ids.append(labels[hit])
        pos += len(hit)
    other = rest[0] if rest and rest[0] else None
    return ids, other


# --- inference of question kinds ----------------------------------------------------


@dataclass
class Inferred:
    """What :func:`infer_question` decided for one column (or grid)."""

    kind: str
    options: list[str] = field(default_factory=list)  # labels in first-appearance order
    low: int = 1
    high: int = 5
    sep: str | None = None  # checkbox separator found in the data


def _checkbox(values: list[str], sep: str) -> Inferred | None:
    """A checkbox question if its cells split at ``sep`` into parts that recur across rows.

    Evidence: some part turns up in two *different* answers (a free-text answer
    with a comma, or a single choice whose label has one, gives parts that never
    recur, or recur only as the same whole answer).  Options: the parts up to the
    last recurring one of each answer (an option chosen once sits between
    options); the parts after it are the "other" text, which Google writes last.
    """
    split = [split_top(v, sep) for v in values]
    if not any(len(parts) >= 2 for parts in split):
        return None
    freq = Counter(p for parts in split for p in dict.fromkeys(parts))
    recurring = {p for p, n in freq.items() if n >= 2}
    combos: dict[str, set[str]] = {}
    for v, parts in zip(values, split):
        for p in parts:
            if p in recurring:
                combos.setdefault(p, set()).add(v)
    if not any(len(c) >= 2 for c in combos.values()):
        return None
    options: list[str] = []
    for parts in split:
        last = max((i for i, p in enumerate(parts) if p in recurring), default=-1)
        for p in parts[:last + 1]:
            if p not in options:
                options.append(p)
    if len(options) > 40:
        return None
    return Inferred("multiple_choice", options, sep=sep)


def infer_question(values: list[str]) -> Inferred:
    """The kind of one column from its non-empty cells (see the module docstring)."""
    vals = [v.strip() for v in values if v.strip()]
    if not vals:
        return Inferred("short_text")
    if all(re.fullmatch(r"\d{1,2}", v) for v in vals):
        nums = [int(v) for v in vals]
        if max(nums) <= 10:
            return Inferred("scale", low=0 if min(nums) == 0 else 1, high=max(2, max(nums)))
    if all(_is_date(v) for v in vals):
        return Inferred("date")
    for sep in ((";", ",") if any(";" in v for v in vals) else (",",)):
        found = _checkbox(vals, sep)
        if found:
            return found
    distinct = list(dict.fromkeys(vals))
    if len(vals) >= 2 and len(distinct) < len(vals) and len(distinct) <= 12 and all(len(v) <= 100 for v in vals) \
            and not any("\n" in v for v in vals):
        return Inferred("single_choice", distinct)
    if any("\n" in v or len(v) > 120 for v in vals):
        return Inferred("long_text")
    return Inferred("short_text")


# --- reading the file ---------------------------------------------------------------


@dataclass
class Column:
    """One column of the export and what it became."""

    index: int
    header: str
    role: str  # timestamp | email | score | skipped | question
    question_id: str | None = None
    row_id: str | None = None


@dataclass
class ParsedResponse:
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


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
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


def _title_of(source: str) -> str:
    stem = Path(source).name
    stem = re.sub(r"\.(csv|zip)$", "", stem, flags=re.IGNORECASE)
    stem = re.sub(r"\s*\((responses|ответы|ответы на форму|жооптор)\)\s*$", "", stem, flags=re.IGNORECASE)
    return stem.strip() or "Imported form"


def _classify(headers: list[str]) -> list[Column]:
    cols = []
    plain = {norm(h) for h in headers if not _GRID_RE.match(h)}
    for i, h in enumerate(headers):
        n = norm(h)
        m = _GRID_RE.match(h)
        if n in TIMESTAMP_HEADERS:
            role = "timestamp"
        elif n in EMAIL_HEADERS:
            role = "email"
        elif n in SCORE_HEADERS:
            role = "score"
        elif n in SKIPPED_HEADERS:
            role = "skipped"
        elif m and norm(m.group(2)) in _PER_QUESTION_META and norm(m.group(1)) in plain:
            role = "skipped"
        else:
            role = "question"
        cols.append(Column(i, h, role))
    return cols


def _map_to_spec(cols: list[Column], spec: FormSpec, problems: list[str]) -> list[str]:
    """Assign question ids (and grid rows) to the question columns; returns the ids of questions not in the file."""
    by_title: dict[str, list[Question]] = {}
    for q in spec.questions:
        for k in _keys(q.title):
            by_title.setdefault(k, [])
            if q not in by_title[k]:
                by_title[k].append(q)
    used: set[tuple[str, str | None]] = set()
    for c in cols:
        if c.role != "question":
            continue
        n = norm(c.header)
        cands = [q for q in by_title.get(n, []) if q.kind != "grid" and (q.id, None) not in used]
        if cands:
            c.question_id = cands[0].id
            used.add((cands[0].id, None))
            continue
        m = _GRID_RE.match(c.header)
        if m:
            for q in by_title.get(norm(m.group(1)), []):
                if q.kind != "grid":
                    continue
                row = next((r for r in q.rows if norm(m.group(2)) in _keys(r.label)), None)
                if row is not None and (q.id, row.id) not in used:
                    c.question_id, c.row_id = q.id, row.id
                    used.add((q.id, row.id))
                    break
            if c.question_id:
                continue
        problems.append(f"line 1, column {c.index + 1} «{c.header}»: no question of form {spec.id!r} has this "
                        "title (in Kyrgyz or Russian); check that this is the right template")
    return [q.id for q in spec.questions if not any(c.question_id == q.id for c in cols)]


def _infer_spec(cols: list[Column], data: list[tuple[int, list[str]]], title: str) -> FormSpec:
    questions: list[Question] = []
    grids: dict[str, list[Column]] = {}
    order: list[tuple[str, Any]] = []
    for c in cols:
        if c.role != "question":
            continue
        m = _GRID_RE.match(c.header)
        if m:
            key = m.group(1).strip()
            if key not in grids:
                grids[key] = []
                order.append(("grid", key))
            grids[key].append(c)
        else:
            order.append(("col", c))
    t = I18n(title, title)
    n = 0
    for what, item in order:
        n += 1
        qid = f"q{n:02d}"
        if what == "grid":
            gcols = grids[item]
            rows = tuple(Option(f"r{i + 1}", I18n(_GRID_RE.match(c.header).group(2).strip(),
                                                    _GRID_RE.match(c.header).group(2).strip()))
                         for i, c in enumerate(gcols))
            labels: list[str] = []
            for c in gcols:
                for _, rec in data:
                    v = rec[c.index].strip() if c.index < len(rec) else ""
                    if v and v not in labels:
                        labels.append(v)
            if all(re.fullmatch(r"\d{1,2}", x) for x in labels):
                labels.sort(key=int)
            opts = tuple(Option(f"o{i + 1}", I18n(x, x)) for i, x in enumerate(labels))
            for i, c in enumerate(gcols):
                c.question_id, c.row_id = qid, f"r{i + 1}"
            questions.append(Question(qid, "grid", I18n(item, item), "s1", rows=rows, options=opts))
            continue
        c = item
        c.question_id = qid
        vals = [rec[c.index] if c.index < len(rec) else "" for _, rec in data]
        inf = infer_question(vals)
        title_i = I18n(c.header.strip(), c.header.strip())
        if inf.kind in CHOICE_KINDS:
            opts = tuple(Option(f"o{i + 1}", I18n(x, x)) for i, x in enumerate(inf.options))
            questions.append(Question(qid, inf.kind, title_i, "s1", options=opts, other=inf.kind == "multiple_choice"))
        elif inf.kind == "scale":
            questions.append(Question(qid, "scale", title_i, "s1", scale=Scale(inf.low, inf.high)))
        else:
            questions.append(Question(qid, inf.kind, title_i, "s1"))
    return FormSpec(id="imported", version=1, kind="imported", title=t, description=None, quiz=False,
                    anonymous_allowed=True, collect_email=any(c.role == "email" for c in cols),
                    sections=(Section("s1", t),), questions=tuple(questions), source="import")


def _label_map(q: Question) -> dict[str, str]:
    out = {}
    for o in q.options:
        for k in _keys(o.label):
            out.setdefault(k, o.id)
    return out


def _answer(q: Question, cell: str, sep: str | None, date_order: str) -> Any:
    """One cell → the answer convention of automation.forms.answers.  Raises ValueError with the reason."""
    v = cell.strip()
    if q.kind in ("single_choice", "dropdown"):
        oid = _label_map(q).get(norm(v))
        if oid is not None:
            return oid
        if q.kind == "single_choice" and q.other:
            return v
        raise ValueError(f"«{v}» is not one of the options ({', '.join(o.label.ru for o in q.options)})")
    if q.kind == "multiple_choice":
        ids, other = split_choices(v, _label_map(q), sep)
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
    h = hashlib.sha256(json.dumps([iso(submitted), email or "", answers], ensure_ascii=False, sort_keys=True).encode())
    return "csv-" + h.hexdigest()[:20]


def read_export(data: bytes | str | Path, spec: FormSpec | None = None, source: str | None = None,
                tz: Any = BISHKEK) -> ParsedExport:
    """Read one export — a path (``str`` or ``Path``) or the file's bytes — into responses for
    ``spec`` (inferred from the data when None).  ``source`` names it in messages.

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
    cols = _classify(headers)
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
    inferred = spec is None
    missing: list[str] = []
    if spec is None:
        spec = _infer_spec(cols, data_rows, _title_of(source))
    else:
        missing = _map_to_spec(cols, spec, problems)
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
    for ln, rec in data_rows:
        try:
            submitted = parse_timestamp(rec[ts_col.index], order, tz)
        except ValueError as e:
            problems.append(f"line {ln}, column «{ts_col.header}»: {e}")
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
                oid = _label_map(q).get(norm(cell))
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
            notes.append(f"line {ln} repeats line {seen[rid]} exactly; imported once")
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
    flavour = "forms" if any(re.search(r"GMT|UTC", v) or re.match(r"^\d{4}/", v.strip()) for v in raw_ts) else "sheet"
    if flavour == "sheet" and not any(_TS_ISO.match(v.strip()) for v in raw_ts) and \
            any(_TS_SLASH.match(" ".join(v.split())) for v in raw_ts):
        notes.append(f"a/b/yyyy timestamps read as {'month/day' if order == 'mdy' else 'day/month'}")
    return ParsedExport(source, spec, cols, responses, flavour, inferred, notes, missing)


# --- writing to the store -----------------------------------------------------------


@dataclass
class ImportResult:
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
        out = [f"Imported {self.responses} response(s) from {e.source} into form {self.form_key!r}"
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
    return text if len(text) <= n else text[:n - 1] + "…"


def _slug(text: str) -> str:
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
            form_key = "import_" + _slug(_title_of(source))
    existing = store.form(form_key)
    if existing is not None:
        from automation.model import form_spec_from_json

        stored = form_spec_from_json(json.loads(existing["spec_json"]))
        if spec is not None and spec.id != stored.id:
            raise ResponsesImportError(source, [f"form {form_key!r} is already in the store, made from template "
                                        f"{stored.id!r}, not {spec.id!r}; give another --event or --form-key"])
        spec = stored
    parsed = read_export(Path(path), spec, source, tz)
    spec = parsed.spec
    by_email = {p.email.lower(): p.id for p in store.participants(active_only=False)}
    matched = unknown = anonymous = new = 0
    now_s = iso(now or utc_now())
    times = [r.submitted_at for r in parsed.responses]
    with store.transaction() as db:
        if existing is None:
            db.execute(
                "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
                " external_id, url, spec_json, status, opens, deadline, created_at, last_synced_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,'closed',?,?,?,?)",
                (form_key, spec.id, spec.version, spec.kind, event_id or form_key, int(pre_test),
                 "roster" if any(r.email for r in parsed.responses) else "public", "import", Path(source).name, "",
                 json.dumps(spec.to_json(), ensure_ascii=False), iso(min(times)), iso(max(times)), now_s, now_s))
        for r in parsed.responses:
            pid = by_email.get(r.email) if r.email else None
            matched += pid is not None
            unknown += bool(r.email) and pid is None
            anonymous += not r.email
            old = db.execute("SELECT 1 FROM responses WHERE form_key = ? AND response_id = ?",
                             (form_key, r.response_id)).fetchone()
            new += old is None
            db.execute(
                "INSERT INTO responses VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(form_key, response_id) DO UPDATE SET"
                " participant_id=excluded.participant_id, submitted_at=excluded.submitted_at,"
                " answers_json=excluded.answers_json, raw_json=excluded.raw_json",
                (form_key, r.response_id, pid, r.email, iso(r.submitted_at),
                 json.dumps(r.answers, ensure_ascii=False, sort_keys=True),
                 json.dumps({"line": r.line, "cells": r.raw}, ensure_ascii=False, sort_keys=True), "import"))
    return ImportResult(form_key, existing is None, len(parsed.responses), new, matched, unknown, anonymous, parsed)
