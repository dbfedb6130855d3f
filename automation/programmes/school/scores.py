"""The scores the commission hands in: one score per application, member and criterion, read from a CSV
(or, through :mod:`.sheets`, from the members' workbooks), checked for every problem with its line, and
written back as one CSV.

A scores CSV has the columns ``code,member,criterion,score`` (comma or semicolon;
Russian and Kyrgyz header names are understood); scores are whole numbers 1–5
(:data:`.criteria.SCALE`), criteria 1–7 (:data:`.criteria.CRITERIA`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.csvtext import decode_csv, sniff_delimiter
from automation.errors import ValidationError
from automation.programmes.school.codes import code_key
from automation.programmes.school.criteria import CODE_RE, CRITERIA, DEFAULT_MEMBERS, SCALE


#: Cyrillic letters that look like Latin ones, as typed into a code by hand (``А-001`` is ``A-001``).
_LOOKALIKE = str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")
#: What a code given by hand may look like: letters, digits and ``-_./``, with a number, at most 20 characters.
_HAND_CODE_RE = re.compile(r"^(?=.*\d)[\w./-]{1,20}$")


class ScoresError(ValidationError):
    """A scores file cannot be read at all (missing, not text, no header)."""


@dataclass(frozen=True)
class ScoreRow:
    """One score: ``where`` says where it came from (``line 5``, ``Member.xlsx row 7``)."""

    code: str
    member: str
    criterion: int
    score: int
    where: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Problem:
    """One problem of a scores file.  ``kind``: header, bad_code, unknown_code, code_form, bad_member,
    unknown_member, bad_criterion, bad_score, out_of_range, empty_score, duplicate, missing, members."""

    kind: str
    message: str
    line: int | None = None
    where: str = ""
    code: str | None = None
    member: str | None = None
    criterion: int | None = None

    def __str__(self) -> str:
        """``<where>: <message>`` (the message alone when there is no place)."""
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_json(self) -> dict[str, Any]:
        """``{"line", "where", "kind", "code", "member", "criterion", "message"}`` (None where unknown)."""
        return {"line": self.line, "where": self.where, "kind": self.kind, "code": self.code, "member": self.member,
                "criterion": self.criterion, "message": self.message}


@dataclass
class ScoresRead:
    """What was read from one or more scores files: the good ``rows``, a ``problems`` entry per bad
    line or cell, the ``source`` (file names) and ``digest`` (SHA-256 of what was read, hex: the same
    scores give the same digest, which :func:`.selection.finalize` compares)."""

    rows: list[ScoreRow]
    problems: list[Problem]
    source: str = ""
    digest: str = ""


_SCORE_HEADERS = {
    "code": ("code", "код", "шифр"),
    "member": ("member", "член комиссии", "комиссия", "мүчө", "комиссиянын мүчөсү", "эксперт", "rater"),
    "criterion": ("criterion", "критерий", "criterion no", "№"),
    "score": ("score", "балл", "баа", "оценка"),
}


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", str(s).strip().lower())


def member_key(name: str) -> str:
    """Members are matched case- and space-insensitively (``Роза  алиева`` = ``Роза Алиева``)."""
    return _norm(name).casefold()


def _parse_criterion(raw: Any) -> int | None:
    s = str(raw).strip().upper().removeprefix("K").removeprefix("К").strip()  # K1 / К1 (Cyrillic)
    try:
        f = float(s.replace(",", "."))
    except ValueError:
        return None
    return int(f) if f.is_integer() and 1 <= f <= len(CRITERIA) else None


def _parse_score(raw: Any) -> tuple[int | None, str | None]:
    """(score, problem kind) for a cell: empty_score, bad_score (not a whole number), out_of_range."""
    if raw is None or str(raw).strip() == "":
        return None, "empty_score"
    if isinstance(raw, bool):
        return None, "bad_score"
    try:
        f = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return None, "bad_score"
    if not f.is_integer():
        return None, "bad_score"
    if not SCALE[0] <= f <= SCALE[1]:
        return None, "out_of_range"
    return int(f), None


def _criteria_hint() -> str:
    return "; ".join(f"{c.number} = {c.title.ru} ({c.weight}%)" for c in CRITERIA)


def cell_problems(code: str, member: str, crit_raw: Any, score_raw: Any, where: str,
                  line: int | None) -> tuple[ScoreRow | None, list[Problem]]:
    """One score from its raw cells (code, member, criterion, score as typed): the :class:`ScoreRow`
    and no problems, or None and every problem of the cells.  ``where``/``line`` name the place.
    A Cyrillic «А» typed in a code is read as a Latin A; ``K1``/``К1`` as criterion 1.  A code is the
    service's (``A-001``) or one the secretariat gave by hand (``A01``: letters, digits and ``-_./``
    with a number); :func:`check_scores` decides which form is expected."""
    probs: list[Problem] = []
    typed = code.strip().upper()
    code = typed.translate(_LOOKALIKE)  # a Cyrillic А typed by hand
    crit = _parse_criterion(crit_raw)
    mk = member.strip()
    if not code:
        probs.append(Problem("bad_code", "the code is empty", line, where))
    elif not CODE_RE.match(code) and not _HAND_CODE_RE.match(code):
        code = typed[:40]
        probs.append(Problem("bad_code", f"code {code!r} is not an application code: expected a code with a "
                             "number, like A-001 (the service's) or A01", line, where, code))
    if not mk:
        probs.append(Problem("bad_member", "the member is empty", line, where, code or None))
    if crit is None:
        probs.append(Problem("bad_criterion", f"criterion {str(crit_raw).strip()!r} must be a number 1–7 "
                                              f"({_criteria_hint()})", line, where, code or None, mk or None))
    score, kind = _parse_score(score_raw)
    if kind:
        text = {"empty_score": "the score is empty",
                "bad_score": f"score {str(score_raw).strip()!r} is not a whole number 1–5",
                "out_of_range": f"score {str(score_raw).strip()} is out of range: the scale is 1–5"}[kind]
        probs.append(Problem(kind, f"{code or '?'}, {mk or '?'}, criterion {crit or '?'}: {text}", line, where,
                             code or None, mk or None, crit))
    if probs:
        return None, probs
    return ScoreRow(code, mk, crit, score, where, line), []  # type: ignore[arg-type]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScoresError(str(path), [f"cannot read the file ({e.strerror})"]) from None
    return decode_csv(raw, path, ScoresError)


def read_scores_csv(path: str | Path) -> ScoresRead:
    """Parse a scores CSV with the columns ``code,member,criterion,score`` (comma or semicolon; a
    header row; Russian/Kyrgyz header names also understood).  Returns the good rows and a
    problem per bad line, each with its line number.  Raises :class:`ScoresError` only when
    the file as a whole cannot be read."""
    p = Path(path)
    text = _read_text(p)
    if not text.strip():
        raise ScoresError(str(p), ["the file is empty: it needs the header code,member,criterion,score"])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.splitlines()[0]))
    header = next(reader)
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        for f, names in _SCORE_HEADERS.items():
            if _norm(h) in names and f not in cols:
                cols[f] = i
    missing = [f for f in _SCORE_HEADERS if f not in cols]
    if missing:
        raise ScoresError(str(p), [f"line 1: missing column(s) {', '.join(missing)}; found {', '.join(header)}. "
                                   "Expected header: code,member,criterion,score"])
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    for rec in reader:
        line = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        get = lambda f: rec[cols[f]] if cols[f] < len(rec) else ""  # noqa: E731
        where = f"line {line}"
        if len(rec) > len(header):
            problems.append(Problem("bad_score", f"{len(rec)} fields but the header has {len(header)}", line, where))
            continue
        row, probs = cell_problems(get("code"), get("member"), get("criterion"), get("score"), where, line)
        if row:
            rows.append(row)
        problems.extend(probs)
    return ScoresRead(rows, problems, str(p), hashlib.sha256(text.encode()).hexdigest())


def check_scores(read: ScoresRead, known_codes: Iterable[str] | None = None, members: Sequence[str] | None = None,
                 expected_members: int | None = DEFAULT_MEMBERS) -> list[Problem]:
    """Every problem of a set of scores: the reader's, plus unknown codes or members, a member who
    scored the same application on the same criterion twice (both lines named), and missing
    scores (which code, member and criterion).

    ``known_codes``: the applications that must all be scored, coded by the service (``A-001``): a code of
    another form is refused once, at its first line.  None: the codes found, which may be the secretariat's
    own (``A01``) but must all be written one way (:func:`code_form_problems`).
    ``members``: the commission (None: the members found, who must number ``expected_members``).
    Problems come in file order; missing scores (no line) at the end.
    """
    problems = list(read.problems)
    if known_codes is None:
        problems += code_form_problems(read.rows)
    known = [c for c in known_codes] if known_codes is not None else None
    known_set = set(known) if known is not None else None
    if members is not None:
        names = {member_key(m): m for m in members}
    else:
        names = {}
        for r in read.rows:
            names.setdefault(member_key(r.member), r.member)
        for pr in read.problems:
            if pr.member:
                names.setdefault(member_key(pr.member), pr.member)
    seen: dict[tuple[str, str, int], ScoreRow] = {}
    good: list[ScoreRow] = []
    hand_seen: set[str] = set()
    for r in read.rows:
        mk = member_key(r.member)
        if known_set is not None and not CODE_RE.match(r.code):
            if r.code not in hand_seen:
                hand_seen.add(r.code)
                problems.append(Problem("bad_code", f"code {r.code!r} is not one of the service's codes: the "
                                        f"applications in the state file were coded by the service "
                                        f"({_code_range(known or [])}, see `school codes`); use those codes",
                                        r.line, r.where, r.code, r.member, r.criterion))
            continue
        if known_set is not None and r.code not in known_set:
            problems.append(Problem("unknown_code", f"{r.code} is not an application code (known: "
                                    f"{_code_range(known or [])})", r.line, r.where, r.code, r.member, r.criterion))
            continue
        if mk not in names:
            problems.append(Problem("unknown_member", f"{r.member!r} is not a member of the commission "
                                    f"({', '.join(names.values())})", r.line, r.where, r.code, r.member, r.criterion))
            continue
        key = (r.code, mk, r.criterion)
        if key in seen:
            first = seen[key]
            problems.append(Problem("duplicate", f"{names[mk]} scored {r.code} on criterion {r.criterion} twice "
                                    f"({first.where}: {first.score}, {r.where}: {r.score}); keep one",
                                    r.line, r.where, r.code, names[mk], r.criterion))
            continue
        seen[key] = r
        good.append(r)
    problems.sort(key=lambda p: (p.line if p.line is not None else 10 ** 9, p.where))
    if members is None and expected_members and len(names) != expected_members:
        problems.append(Problem("members", f"scores from {len(names)} member(s) ({', '.join(names.values()) or 'none'});"
                                f" the commission has {expected_members}: add the missing member's scores, "
                                "or name the members with --members"))
    # missing: every (code, member, criterion) must be scored once
    flagged = {(p.code, member_key(p.member), p.criterion) for p in problems if p.code and p.member and p.criterion}
    flagged_any = {(p.code, member_key(p.member)) for p in problems if p.code and p.member}
    flagged_member = {member_key(p.member) for p in problems if p.member and not p.code}
    codes = known if known is not None else sorted({r.code for r in read.rows} | {p.code for p in read.problems
                                                                                  if p.code and _is_code(p.code)},
                                                   key=code_key)
    by_cm: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in good:
        by_cm[(r.code, member_key(r.member))].add(r.criterion)
    for code in codes:
        for mk, display in names.items():
            if mk in flagged_member:
                continue
            have = by_cm.get((code, mk), set())
            if not have and (code, mk) not in flagged_any:
                problems.append(Problem("missing", f"{code}: no scores from {display} (all 7 criteria missing)",
                                        code=code, member=display))
                continue
            for c in CRITERIA:
                if c.number not in have and (code, mk, c.number) not in flagged:
                    problems.append(Problem("missing", f"{code}: {display} has no score for criterion {c.number} "
                                            f"({c.title.ru})", code=code, member=display, criterion=c.number))
    return problems


def _is_code(code: str) -> bool:
    return bool(CODE_RE.match(code) or _HAND_CODE_RE.match(code))


def _code_shape(code: str) -> str:
    """The form of a code: its numbers replaced by ``#`` (``A-001`` → ``A-#``, ``A01`` → ``A#``)."""
    return re.sub(r"\d+", "#", code)


def code_form_problems(rows: Sequence[ScoreRow]) -> list[Problem]:
    """Codes given by hand must be written one way: a problem for each form of code other than the most used
    one (at its first line), and for two spellings of the same number (``A1`` and ``A01``)."""
    first: dict[str, ScoreRow] = {}
    count: dict[str, int] = defaultdict(int)
    by_number: dict[tuple[str, tuple[int, ...]], ScoreRow] = {}
    out: list[Problem] = []
    for r in rows:
        shape = _code_shape(r.code)
        first.setdefault(shape, r)
        count[shape] += 1
        key = (shape, tuple(int(n) for n in re.findall(r"\d+", r.code)))
        other = by_number.setdefault(key, r)
        if other.code != r.code and not any(p.code == r.code and p.kind == "code_form" for p in out):
            out.append(Problem("code_form", f"code {r.code!r} and code {other.code!r} ({other.where}) look like the "
                               "same application written two ways; write it one way", r.line, r.where, r.code))
    if len(count) > 1:
        main = max(count, key=lambda sh: (count[sh], -rows.index(first[sh])))
        for shape, r in first.items():
            if shape != main:
                out.append(Problem("code_form", f"code {r.code!r} is written differently from the other codes "
                                   f"(like {first[main].code!r}, {count[main]} score(s)); {count[shape]} score(s) "
                                   f"use this form: write every code one way", r.line, r.where, r.code))
    return out


def hand_code_note(rows: Sequence[ScoreRow]) -> str | None:
    """A note when the codes are not the service's (``A-001``) but the secretariat's own: they are taken as
    they are, one application per code, and not checked against the state file.  None otherwise."""
    codes = sorted({r.code for r in rows}, key=code_key)
    if not codes or all(CODE_RE.match(c) for c in codes):
        return None
    return (f"the codes are the secretariat's own ({_code_range(codes)}; {len(codes)} application(s)), not the "
            "service's (A-001): each code is taken as one application, and they are not checked against the "
            "state file, which has no coded applications")


def _code_range(codes: Sequence[str]) -> str:
    s = sorted(codes, key=code_key)
    return f"{s[0]}…{s[-1]}" if len(s) > 1 else (s[0] if s else "none yet")


def write_scores_csv(rows: Sequence[ScoreRow], path: str | Path) -> Path:
    """Write scores as ``code,member,criterion,score`` (UTF-8), sorted by code, member, criterion."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "member", "criterion", "score"])
        for r in sorted(rows, key=lambda r: (code_key(r.code), r.member, r.criterion)):
            w.writerow([r.code, r.member, r.criterion, r.score])
    return p
