"""The School of future deputies: coded applications, the commission's scores, the ranking, the selection.

Rules from seed 002_e910ca3b5de66dcd.txt (in Kyrgyz; DOMAIN.md "The School of
future deputies"), stage II «Өтүнмөлөрдү баалоо жана Мектептин катышуучуларынын
тизмесин түзүү»:

- every application gets a **code** and the commission sees codes, not names
  (DESIGN.md principle 8).  Codes are ``A-001``, ``A-002``, ... in submission
  order and are kept in the table ``school_codes`` of the state file, so an
  application keeps its code whatever arrives or is edited later;
- each commission member scores each application **independently** on a 5-point
  scale per criterion (:data:`CRITERIA`, weights 15/15/10/10/20/10/20);
- the secretariat collects and checks the scores (:func:`read_scores_csv`,
  :func:`read_scoring_sheet`, :func:`check_scores`) and announces the result.

**Total** of an application = Σ over the 7 criteria of weight × (the members'
mean score on that criterion) ÷ 5, so all fives give 100 and all ones 20
(:func:`score_applications`; computed with exact fractions so equal totals are
equal, then rounded to 2 decimals).  **Rank**: competition ranking ("1, 2, 2,
4") by total, ties listed by code.

**Agreement between members**: ``spread`` = max − min of the members' own
totals of an application (points out of 100; each member's total uses the same
weights), ``sd`` = their sample standard deviation (informational).  The
applications with the largest spread are **flagged** for discussion: the top
``flag_top`` by spread (ties at the boundary included; spread 0 is never
flagged) and/or every application whose spread is at least ``flag_spread``.
The inter-rater reliability coefficient is **Krippendorff's alpha** from the
``krippendorff`` package: ordinal, over the raw 1–5 scores with units =
application × criterion (``alpha``); interval over the members' totals per
application (``alpha_totals``).  Krippendorff's guidance: α ≥ 0.800 reliable,
0.667–0.800 tentative, below 0.667 discuss the criteria before ranking.

**Selection** (:func:`select`): target 20 women aged 28 or more and 10–20
under 28 (seed: "20 аял (28 жаштан жогору) жана 10-20 келин (28 жашка толо
электер)"); age in whole years on the School's first day (25 Jan 2021), so a
woman who turns 28 that very day counts as 28+; applicants under 18 are not
eligible (seed: "жашы 18ден жогору болушу керек").  Names are revealed only
once the ranking is **final** (:func:`finalize`); :func:`accept` then adds the
selected applicants to the roster with source ``school``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import pandas as pd
import yaml

from automation.csvtext import decode_csv, sniff_delimiter
from automation.errors import AutomationError, ValidationError
from automation.model import BISHKEK, FormSpec, I18n, Participant, form_spec_from_json, iso, parse_iso, to_utc, utc_now
from automation.store import Store

# --- the seed's rules ------------------------------------------------------------------

#: The School's first day (seed 002, stage III: 25–29 Jan 2021): ages are counted on this day.
SCHOOL_START = date(2021, 1, 25)
#: Age that separates the two target groups (seed 002: "28 жаштан жогору" / "28 жашка толо электер").
AGE_SPLIT = 28
#: Minimum age of an applicant (seed 002: "жашы 18ден жогору болушу керек").
MIN_AGE = 18
#: Members of the commission (seed 002: one representative each of ЖӨБЭММА, the ЖӨБ Union and the Project).
DEFAULT_MEMBERS = 3
SCALE = (1, 5)

GROUP_OLDER = "28+"
GROUP_YOUNG = "<28"
GROUP_MINOR = "<18"
GROUP_UNKNOWN = "?"


@dataclass(frozen=True)
class Criterion:
    number: int
    id: str
    weight: int
    title: I18n


#: The seven selection criteria, in the seed's order, with their weights in %.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(1, "desire_deputy", 15, I18n("Жергиликтүү кеңештин депутаты болуу каалоосу",
                                           "Желание стать депутатом местного кенеша")),
    Criterion(2, "readiness", 15, I18n("Мектептин бардык иш-чараларына катышууга даярдыктын болушу",
                                       "Готовность участвовать во всех мероприятиях Школы")),
    Criterion(3, "lsg_experience", 10, I18n("ЖӨБ органдары менен кызматташуу тажрыйбасы",
                                            "Опыт взаимодействия с органами МСУ")),
    Criterion(4, "community_needs", 10, I18n("Жамааттын муктаждыктарын түшүнүү",
                                             "Понимание потребностей сообщества")),
    Criterion(5, "desire_learn", 20, I18n("Билим алуу каалоосу", "Желание учиться")),
    Criterion(6, "community_cooperation", 10, I18n("Жергиликтүү жамаат менен кызматташтык",
                                                   "Сотрудничество с местным сообществом")),
    Criterion(7, "leadership", 20, I18n("Максатка умтулгандык, демилге көтөрө алуу, лидердик тажрыйба",
                                        "Целеустремлённость, инициативность, лидерский опыт")),
)
WEIGHTS: dict[int, int] = {c.number: c.weight for c in CRITERIA}
assert sum(WEIGHTS.values()) == 100

#: Application questions the commission never sees (name, contacts; the birth date becomes an age).
HIDDEN_QUESTIONS = ("full_name", "phone", "whatsapp", "email", "birth_date")

CODE_RE = re.compile(r"^A-\d{3,}$")


class ScoresError(ValidationError):
    """A scores file cannot be read at all (missing, not text, no header)."""


# --- state tables ---------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS school_codes (
    code TEXT PRIMARY KEY, form_key TEXT NOT NULL, response_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
    UNIQUE (form_key, response_id)
);
CREATE TABLE IF NOT EXISTS school_results (
    code TEXT PRIMARY KEY, total REAL NOT NULL, rank INTEGER NOT NULL, spread REAL NOT NULL,
    flagged INTEGER NOT NULL, age INTEGER, age_group TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS school_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def ensure_tables(store: Store) -> None:
    """Create the School's tables in the state file if they are missing (no other table is touched)."""
    store.db.executescript(_SCHEMA)


# --- applications and codes ---------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """One application with its code.  ``answers`` are keyed by question id (automation.forms.answers)."""

    code: str
    form_key: str
    response_id: str
    submitted_at: datetime
    answers: dict[str, Any]
    spec: FormSpec

    @property
    def name(self) -> str:
        return str(self.answers.get("full_name") or "").strip()

    @property
    def birth_date(self) -> date | None:
        try:
            return date.fromisoformat(str(self.answers.get("birth_date")))
        except ValueError:
            return None

    def age(self, on: date = SCHOOL_START) -> int | None:
        b = self.birth_date
        return None if b is None else age_on(b, on)

    def age_group(self, on: date = SCHOOL_START) -> str:
        return age_group(self.age(on))


def age_on(birth: date, on: date) -> int:
    """Completed years on ``on``: someone born 1993-01-25 is 28 on 2021-01-25, 27 the day before.
    A 29 February birthday counts from 1 March in a non-leap year."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_group(age: int | None) -> str:
    """``"28+"``, ``"<28"``, ``"<18"`` (not eligible) or ``"?"`` (no valid birth date)."""
    if age is None:
        return GROUP_UNKNOWN
    if age < MIN_AGE:
        return GROUP_MINOR
    return GROUP_OLDER if age >= AGE_SPLIT else GROUP_YOUNG


def format_code(n: int) -> str:
    return f"A-{n:03d}"


def assign_codes(store: Store, now: datetime | None = None, form_key: str | None = None) -> list[Application]:
    """Give every application (responses of ``school_application`` forms) a code; return all, in code order.

    New applications get the next numbers in submission order (``submitted_at``,
    then response id); codes already given are never changed.  An application
    whose response has disappeared keeps its code unused.
    """
    ensure_tables(store)
    db = store.db
    forms = [f for f in store.forms() if f["kind"] == "school_application" and (form_key is None or f["form_key"] == form_key)]
    given = {(r["form_key"], r["response_id"]): r["code"] for r in db.execute("SELECT * FROM school_codes")}
    last = max((int(c.split("-")[1]) for c in given.values()), default=0)
    pending: list[tuple[str, str, str]] = []
    specs: dict[str, FormSpec] = {}
    rows: dict[tuple[str, str], Any] = {}
    for f in forms:
        specs[f["form_key"]] = form_spec_from_json(json.loads(f["spec_json"]))
        for r in store.responses(f["form_key"]):
            rows[(f["form_key"], r["response_id"])] = r
            if (f["form_key"], r["response_id"]) not in given:
                pending.append((r["submitted_at"], f["form_key"], r["response_id"]))
    if pending:
        stamp = iso(now or utc_now())
        with store.transaction() as tx:
            for _, fk, rid in sorted(pending):
                last += 1
                code = format_code(last)
                tx.execute("INSERT INTO school_codes VALUES (?,?,?,?)", (code, fk, rid, stamp))
                given[(fk, rid)] = code
    apps = [Application(code, fk, rid, parse_iso(rows[(fk, rid)]["submitted_at"]),
                        json.loads(rows[(fk, rid)]["answers_json"]), specs[fk])
            for (fk, rid), code in given.items() if (fk, rid) in rows]
    return sorted(apps, key=lambda a: code_key(a.code))


def code_key(code: str) -> tuple[int, str]:
    """Sort key of a code: ``A-002`` before ``A-010``."""
    m = re.match(r"^A-(\d+)$", code)
    return (int(m.group(1)), code) if m else (10 ** 9, code)


def coded_view(app: Application, lang: str = "ru", on: date = SCHOOL_START) -> dict[str, Any]:
    """What the commission sees of one application: code, age and age group, and every answer
    except name, contacts and birth date, as display text (choices as labels).  E-mail
    addresses and phone numbers typed into texts, and the applicant's own name words,
    are replaced by "[…]"."""
    from automation.analysis.summary import mask_contacts

    name_words = [w for w in re.split(r"\s+", app.name) if len(w) >= 3]

    def clean(text: str) -> str:
        t = mask_contacts(text)
        for w in name_words:
            t = re.sub(re.escape(w), "[…]", t, flags=re.IGNORECASE)
        return t

    out: dict[str, Any] = {"code": app.code, "age": app.age(on), "age_group": app.age_group(on)}
    for q in app.spec.questions:
        if q.id in HIDDEN_QUESTIONS:
            continue
        v = app.answers.get(q.id)
        if v is None:
            out[q.id] = ""
        elif q.kind in ("single_choice", "dropdown"):
            out[q.id] = q.option_label(v, lang)
        elif q.kind == "multiple_choice":
            out[q.id] = "; ".join(q.option_label(x, lang) for x in v)
        elif q.kind == "grid":
            out[q.id] = "; ".join(f"{k}: {x}" for k, x in v.items())
        else:
            out[q.id] = clean(str(v))
    return out


# --- reading and checking the commission's scores -------------------------------------------


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
    """One problem of a scores file.  ``kind``: header, bad_code, unknown_code, bad_member, unknown_member,
    bad_criterion, bad_score, out_of_range, empty_score, duplicate, missing, members."""

    kind: str
    message: str
    line: int | None = None
    where: str = ""
    code: str | None = None
    member: str | None = None
    criterion: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "where": self.where, "kind": self.kind, "code": self.code, "member": self.member,
                "criterion": self.criterion, "message": self.message}


@dataclass
class ScoresRead:
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


def _cell_problems(code: str, member: str, crit_raw: Any, score_raw: Any, where: str,
                   line: int | None) -> tuple[ScoreRow | None, list[Problem]]:
    probs: list[Problem] = []
    code = code.strip().upper().replace("А-", "A-")  # a Cyrillic А typed by hand
    crit = _parse_criterion(crit_raw)
    mk = member.strip()
    if not code:
        probs.append(Problem("bad_code", "the code is empty", line, where))
    elif not CODE_RE.match(code):
        probs.append(Problem("bad_code", f"code {code!r} is not an application code like A-001", line, where, code))
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
        row, probs = _cell_problems(get("code"), get("member"), get("criterion"), get("score"), where, line)
        if row:
            rows.append(row)
        problems.extend(probs)
    return ScoresRead(rows, problems, str(p), hashlib.sha256(text.encode()).hexdigest())


def check_scores(read: ScoresRead, known_codes: Iterable[str] | None = None, members: Sequence[str] | None = None,
                 expected_members: int | None = DEFAULT_MEMBERS) -> list[Problem]:
    """Every problem of a set of scores: the reader's, plus unknown codes or members, a member who
    scored the same application on the same criterion twice (both lines named), and missing
    scores (which code, member and criterion).

    ``known_codes``: the applications that must all be scored (None: the codes found).
    ``members``: the commission (None: the members found, who must number ``expected_members``).
    Problems come in file order; missing scores (no line) at the end.
    """
    problems = list(read.problems)
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
    for r in read.rows:
        mk = member_key(r.member)
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
                                                                                  if p.code and CODE_RE.match(p.code)},
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


def _code_range(codes: Sequence[str]) -> str:
    s = sorted(codes, key=code_key)
    return f"{s[0]}…{s[-1]}" if len(s) > 1 else (s[0] if s else "none yet")


# --- scoring -----------------------------------------------------------------------------


@dataclass
class Scoring:
    """The result of :func:`score_applications`.

    ``ranking``: one row per application, best first (rank, then code), columns
    ``code`` (string), ``total`` (float64, 0–100, 2 decimals), ``rank`` (int64,
    competition ranking), ``spread`` (float64, max − min of the members' totals),
    ``sd`` (float64, sample SD of the members' totals; NaN with one member),
    ``flagged`` (bool), ``n_members`` (int64), ``c1``..``c7`` (float64, the
    members' mean score per criterion).
    ``member_totals``: code × member (float64, each member's weighted total).
    ``alpha``: Krippendorff's alpha, ordinal, over the 1–5 scores (units =
    application × criterion); ``alpha_totals``: interval, over the members'
    totals (units = applications).  NaN when it cannot be computed (e.g. every
    score equal).
    """

    ranking: pd.DataFrame
    member_totals: pd.DataFrame
    alpha: float
    alpha_totals: float
    members: list[str]
    flag_top: int
    flag_spread: float | None

    def to_json(self) -> list[dict[str, Any]]:
        """The ranking as ``[{"code", "total", "rank", "spread", "flagged"}]``."""
        return [{"code": r.code, "total": float(r.total), "rank": int(r.rank), "spread": float(r.spread),
                 "flagged": bool(r.flagged)} for r in self.ranking.itertuples()]


def weighted_total(scores: dict[int, Fraction | int | float]) -> Fraction:
    """Σ weight × score ÷ 5 over the 7 criteria (``scores``: criterion number → score or mean score)."""
    return sum((Fraction(WEIGHTS[c]) * Fraction(s) / SCALE[1] for c, s in scores.items()), Fraction(0))


def competition_rank(values: Sequence[Any]) -> list[int]:
    """Rank of each value, largest first; equal values share the best rank ("1, 2, 2, 4")."""
    return [1 + sum(1 for w in values if w > v) for v in values]


def _r2(x: Fraction | float) -> float:
    return float(round(Fraction(x), 2)) if isinstance(x, Fraction) else round(float(x), 2)


def krippendorff_alpha(matrix: list[list[float]], level: str, value_domain: Sequence[float] | None = None) -> float:
    """Krippendorff's alpha of a raters × units matrix (NaN = no rating) from the ``krippendorff`` package.
    NaN when it is undefined (fewer than 2 raters or units with pairable ratings, or no variation)."""
    import krippendorff
    import numpy as np

    arr = np.asarray(matrix, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
        return float("nan")
    pairable = (~np.isnan(arr)).sum(axis=0) >= 2
    if pairable.sum() < 1:
        return float("nan")
    vals = arr[~np.isnan(arr)]
    if len(np.unique(vals)) < 2:
        return float("nan")
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw: dict[str, Any] = {"level_of_measurement": level}
            if value_domain is not None:
                kw["value_domain"] = list(value_domain)
            a = float(krippendorff.alpha(reliability_data=arr, **kw))
    except (ValueError, ZeroDivisionError):
        return float("nan")
    return a if math.isfinite(a) else float("nan")


def score_applications(rows: Sequence[ScoreRow], flag_top: int = 3, flag_spread: float | None = None,
                       members: Sequence[str] | None = None) -> Scoring:
    """Totals, ranking, spread, flags and Krippendorff's alpha of clean scores (run :func:`check_scores` first).

    An application's total uses, per criterion, the mean over the members who
    scored it.  See :class:`Scoring` for the columns and the module docstring for the rules.
    """
    if not rows:
        raise AutomationError("no scores to rank")
    if members is None:
        order: dict[str, str] = {}
        for r in rows:
            order.setdefault(member_key(r.member), r.member)
    else:
        order = {member_key(m): m for m in members}
    mkeys = list(order)
    by: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        by[r.code][member_key(r.member)][r.criterion] = r.score
    codes = sorted(by, key=code_key)
    records = []
    totals: dict[str, Fraction] = {}
    mt_rows = []
    for code in codes:
        per_member = by[code]
        means: dict[int, Fraction] = {}
        for c in CRITERIA:
            vals = [per_member[m][c.number] for m in mkeys if c.number in per_member.get(m, {})]
            if vals:
                means[c.number] = Fraction(sum(vals), len(vals))
        total = weighted_total(means)
        totals[code] = total
        mtot = {order[m]: weighted_total(per_member[m]) for m in mkeys if len(per_member.get(m, {})) == len(CRITERIA)}
        vals = list(mtot.values())
        spread = (max(vals) - min(vals)) if vals else Fraction(0)
        sd = statistics.stdev([float(v) for v in vals]) if len(vals) >= 2 else float("nan")
        records.append({"code": code, "total": _r2(total), "spread": _r2(spread), "sd": round(sd, 2),
                        "n_members": len(per_member),
                        **{f"c{c.number}": (_r2(means[c.number]) if c.number in means else float("nan"))
                           for c in CRITERIA}})
        mt_rows.append({"code": code, **{order[m]: (_r2(mtot[order[m]]) if order[m] in mtot else float("nan"))
                                         for m in mkeys}})
    ranks = dict(zip(codes, competition_rank([totals[c] for c in codes])))
    df = pd.DataFrame.from_records(records)
    df["rank"] = [ranks[c] for c in df["code"]]
    df["_k"] = df["code"].map(lambda c: code_key(c)[0])
    df = df.sort_values(["rank", "_k", "code"], kind="stable").drop(columns="_k")
    df["flagged"] = flag_mask(df["spread"].tolist(), flag_top, flag_spread)
    df = df[["code", "total", "rank", "spread", "sd", "flagged", "n_members"] + [f"c{c.number}" for c in CRITERIA]]
    df = df.reset_index(drop=True)
    df["code"] = df["code"].astype("string")
    df["rank"] = df["rank"].astype("int64")
    df["n_members"] = df["n_members"].astype("int64")
    df["flagged"] = df["flagged"].astype(bool)
    member_totals = pd.DataFrame.from_records(mt_rows).set_index("code")
    # Krippendorff's alpha
    units = [(code, c.number) for code in codes for c in CRITERIA]
    matrix = [[float(by[code].get(m, {}).get(cn, float("nan"))) for code, cn in units] for m in mkeys]
    alpha = krippendorff_alpha(matrix, "ordinal", list(range(SCALE[0], SCALE[1] + 1)))
    alpha_totals = krippendorff_alpha(member_totals.T.to_numpy(dtype=float).tolist(), "interval")
    return Scoring(df, member_totals, alpha, alpha_totals, [order[m] for m in mkeys], flag_top, flag_spread)


def flag_mask(spreads: Sequence[float], flag_top: int = 3, flag_spread: float | None = None) -> list[bool]:
    """Which applications to discuss: the ``flag_top`` largest spreads (all tied with the last one
    included) and every spread ≥ ``flag_spread``; a spread of 0 is never flagged."""
    out = [False] * len(spreads)
    if flag_top > 0:
        positive = sorted((s for s in spreads if s > 0), reverse=True)
        if positive:
            cut = positive[min(flag_top, len(positive)) - 1]
            out = [s > 0 and s >= cut for s in spreads]
    if flag_spread is not None:
        out = [o or (s > 0 and s >= flag_spread) for o, s in zip(out, spreads)]
    return out


def alpha_verdict(a: float) -> str:
    """Krippendorff's reading of alpha (α ≥ .800 reliable, ≥ .667 tentative)."""
    if math.isnan(a):
        return "undefined"
    if a >= 0.8:
        return "reliable (α ≥ 0.800)"
    if a >= 0.667:
        return "tentative (0.667 ≤ α < 0.800)"
    return "low (α < 0.667): discuss the criteria and the flagged applications before the ranking is final"


# --- selection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Target sizes (seed 002): ``older`` women aged 28+, ``young_min``–``young_max`` under 28;
    ``reserve`` applicants per group go on the reserve list; ``min_total`` (None: no minimum; not in
    the seed) keeps applicants below that total off the list even when places are left."""

    older: int = 20
    young_min: int = 10
    young_max: int = 20
    reserve: int = 3
    min_total: float | None = None


@dataclass
class Selection:
    """``table``: the ranking with ``age`` (Int64), ``age_group`` (``28+``, ``<28``, ``<18``, ``?``),
    ``group_rank`` (Int64, place within the age group), ``status`` (``selected``, ``reserve``,
    ``not_selected``, ``ineligible``) and ``note``.  ``warnings``: shortfalls and ties at the cut."""

    table: pd.DataFrame
    warnings: list[str]

    def counts(self) -> dict[str, int]:
        sel = self.table[self.table["status"] == "selected"]
        return {GROUP_OLDER: int((sel["age_group"] == GROUP_OLDER).sum()),
                GROUP_YOUNG: int((sel["age_group"] == GROUP_YOUNG).sum())}


def select(ranking: pd.DataFrame, apps: Sequence[Application], targets: Targets = Targets(),
           on: date = SCHOOL_START) -> Selection:
    """The selected list by target sizes, from a final ranking (see :class:`Selection`).

    Within each age group the places go by rank (ties by code); when the last
    place is tied with the next applicant, both are named in ``warnings`` for the
    commission to decide.  Applicants under 18 or without a valid birth date are
    ``ineligible`` (the latter with a note to check the application).
    """
    by_code = {a.code: a for a in apps}
    t = ranking[["code", "total", "rank", "spread", "flagged"]].copy()
    ages = [by_code[c].age(on) if c in by_code else None for c in t["code"]]
    t["age"] = pd.array(ages, dtype="Int64")
    t["age_group"] = [age_group(a) if c in by_code else GROUP_UNKNOWN for c, a in zip(t["code"], ages)]
    t["group_rank"] = pd.array([None] * len(t), dtype="Int64")
    t["status"] = "not_selected"
    t["note"] = ""
    warnings: list[str] = []
    for idx in t.index:
        g = t.at[idx, "age_group"]
        if g == GROUP_MINOR:
            t.at[idx, "status"] = "ineligible"
            t.at[idx, "note"] = f"under {MIN_AGE} on {on.isoformat()}"
        elif g == GROUP_UNKNOWN:
            t.at[idx, "status"] = "ineligible"
            t.at[idx, "note"] = "no valid birth date: check the application"
    for group, size in ((GROUP_OLDER, targets.older), (GROUP_YOUNG, targets.young_max)):
        idxs = [i for i in t.index if t.at[i, "age_group"] == group]  # already in rank order
        if targets.min_total is not None:
            for i in idxs:
                if t.at[i, "total"] < targets.min_total:
                    t.at[i, "note"] = f"below the minimum total {targets.min_total:g}"
            idxs = [i for i in idxs if t.at[i, "total"] >= targets.min_total]
        for k, i in enumerate(idxs, start=1):
            t.at[i, "group_rank"] = k
            if k <= size:
                t.at[i, "status"] = "selected"
            elif k <= size + targets.reserve:
                t.at[i, "status"] = "reserve"
        if len(idxs) > size:
            last, nxt = idxs[size - 1], idxs[size]
            if t.at[last, "rank"] == t.at[nxt, "rank"]:
                tied = [t.at[i, "code"] for i in idxs if t.at[i, "rank"] == t.at[last, "rank"]]
                for i in idxs:
                    if t.at[i, "code"] in tied:
                        t.at[i, "note"] = "tie at the cut"
                warnings.append(f"group {group}: {', '.join(tied)} share rank {t.at[last, 'rank']} at the cut "
                                f"({size} places): the commission decides who takes the last place(s)")
        wanted = targets.older if group == GROUP_OLDER else targets.young_min
        if len(idxs) < wanted:
            warnings.append(f"group {group}: {len(idxs)} eligible applicant(s), target {wanted}"
                            + ("" if group == GROUP_OLDER else f"–{targets.young_max}"))
    return Selection(t.reset_index(drop=True), warnings)


# --- finalising, revealing names, joining the roster ----------------------------------------


def is_final(store: Store) -> bool:
    ensure_tables(store)
    return store.db.execute("SELECT 1 FROM school_meta WHERE key = 'finalized_at'").fetchone() is not None


def finalize(store: Store, selection: Selection, scores_digest: str, now: datetime | None = None,
             force: bool = False) -> None:
    """Record the ranking and the selection as final (then names may be revealed).

    Finalising again with the same scores does nothing; with different scores it
    raises :class:`AutomationError` unless ``force`` (a corrected ranking).
    """
    ensure_tables(store)
    meta = dict(store.db.execute("SELECT key, value FROM school_meta").fetchall())
    if meta.get("finalized_at") and not force:
        if meta.get("scores_sha256") == scores_digest:
            return
        raise AutomationError(f"the ranking was already made final on {meta['finalized_at']} from other scores; "
                              "use --force to replace it with this one")
    with store.transaction() as db:
        db.execute("DELETE FROM school_results")
        for r in selection.table.itertuples():
            db.execute("INSERT INTO school_results VALUES (?,?,?,?,?,?,?,?,?)",
                       (r.code, float(r.total), int(r.rank), float(r.spread), int(bool(r.flagged)),
                        None if pd.isna(r.age) else int(r.age), r.age_group, r.status, r.note))
        db.execute("INSERT OR REPLACE INTO school_meta VALUES ('finalized_at', ?)", (iso(now or utc_now()),))
        db.execute("INSERT OR REPLACE INTO school_meta VALUES ('scores_sha256', ?)", (scores_digest,))


def final_results(store: Store) -> pd.DataFrame:
    """The final ranking (columns of ``school_results``), best first.  Raises if not final yet."""
    if not is_final(store):
        raise AutomationError("the ranking is not final yet: check the scores with `school score SCORES.csv`, then "
                              "run `school finalize SCORES.csv`. Names stay hidden until then (seed 002: "
                              "applications are scored under codes).")
    df = pd.read_sql_query("SELECT * FROM school_results", store.db)
    df["flagged"] = df["flagged"].astype(bool)
    df["_k"] = df["code"].map(lambda c: code_key(c)[0])
    return df.sort_values(["rank", "_k", "code"]).drop(columns="_k").reset_index(drop=True)


def revealed(store: Store, statuses: Sequence[str] = ("selected", "reserve")) -> pd.DataFrame:
    """The final list with names and contacts: code, rank, total, age, age_group, status, name,
    email, phone, residence.  Raises :class:`AutomationError` while the ranking is not final."""
    res = final_results(store)
    apps = {a.code: a for a in assign_codes(store)}
    res = res[res["status"].isin(statuses)].copy()
    for col, qid in (("name", "full_name"), ("email", "email"), ("phone", "phone"), ("residence", "residence")):
        res[col] = [str(apps[c].answers.get(qid) or "") if c in apps else "" for c in res["code"]]
    return res.reset_index(drop=True)


def _oblast_of(residence: str) -> str:
    from automation.roster import oblast_code

    for part in reversed([x for x in re.split(r"[,;]", residence) if x.strip()]):
        code = oblast_code(part)
        if code:
            return code
    return ""


def applicant_participant(app: Application, language: str = "ky") -> Participant | None:
    """The roster row of an accepted applicant (None without a valid e-mail).  Role ``candidate``
    (she is preparing to run), oblast read from the place of residence, municipality = айыл өкмөтү."""
    from automation.roster import EMAIL_RE, participant_id

    email = str(app.answers.get("email") or "").strip().lower()
    if not EMAIL_RE.match(email):
        return None
    return Participant(id=participant_id(email), name=app.name or app.code, email=email,
                       phone=str(app.answers.get("phone") or "").strip(),
                       oblast=_oblast_of(str(app.answers.get("residence") or "")),
                       municipality=str(app.answers.get("aiyl_okmotu") or "").strip(), role="candidate",
                       language=language, sex="f")


@dataclass
class Accepted:
    added: int
    updated: int
    participants: list[Participant]
    skipped: list[str]  # "A-007: no valid e-mail in the application"


def accept(store: Store, now: datetime | None = None, language: str = "ky") -> Accepted:
    """Add the selected applicants of the final ranking to the roster (source ``school``) in one transaction.
    Idempotent: someone already in the roster is updated, not added twice."""
    res = final_results(store)
    apps = {a.code: a for a in assign_codes(store, now)}
    people, skipped = [], []
    for code in res.loc[res["status"] == "selected", "code"]:
        p = applicant_participant(apps[code], language) if code in apps else None
        if p is None:
            skipped.append(f"{code}: no valid e-mail in the application; add her with `roster import`")
        else:
            people.append(p)
    added, updated = store.upsert_participants(people, source="school", now=now)
    return Accepted(added, updated, people, skipped)


# --- scoring sheets (one workbook per commission member) ---------------------------------------

SCORING_SHEET = "Баалоо"
APPS_SHEET = "Өтүнмөлөр"
CRITERIA_SHEET = "Критерийлер"
_HEADER_ROW = 3


def _slug(name: str) -> str:
    tr = str.maketrans({"ө": "o", "ү": "u", "ң": "n", "Ө": "O", "Ү": "U", "Ң": "N"})
    s = re.sub(r"[^\w.-]+", "_", name.translate(tr), flags=re.UNICODE).strip("_")
    return s or "member"


def scoring_sheet_path(out_dir: str | Path, member: str) -> Path:
    return Path(out_dir) / f"scoring_{_slug(member)}.xlsx"


def write_scoring_sheets(apps: Sequence[Application], members: Sequence[str], out_dir: str | Path,
                         on: date = SCHOOL_START) -> list[Path]:
    """One ``.xlsx`` per member: sheet «Баалоо» (member's name in B1; from row 4 a row per code with
    the 7 criteria to fill, whole numbers 1–5 enforced by data validation, and a comment column),
    «Өтүнмөлөр» (the coded applications: no name, contacts or birth date; see :func:`coded_view`)
    and «Критерийлер» (criteria and weights in Kyrgyz and Russian).  Returns the paths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="FFF2CC")
    spec = apps[0].spec if apps else None
    views = [coded_view(a, "ru", on) for a in apps]
    views_ky = [coded_view(a, "ky", on) for a in apps]
    paths = []
    for member in members:
        wb = Workbook()
        ws = wb.active
        ws.title = SCORING_SHEET
        ws["A1"], ws["B1"] = "Комиссиянын мүчөсү / Член комиссии", member
        ws["A1"].font = ws["B1"].font = bold
        ws["A2"] = ("Ар бир критерийге 1ден 5ке чейин бүтүн баа коюңуз / Поставьте по каждому критерию целую "
                    "оценку от 1 до 5. Бааларды өз алдынча коюңуз / Оценивайте независимо.")
        header = ["Код"] + [f"{c.number}. {c.title.ky} / {c.title.ru} ({c.weight}%)" for c in CRITERIA] + \
                 ["Эскертүү / Комментарий"]
        for j, h in enumerate(header, start=1):
            cell = ws.cell(row=_HEADER_ROW, column=j, value=h)
            cell.font, cell.alignment = bold, wrap
            ws.column_dimensions[get_column_letter(j)].width = 10 if j == 1 else (30 if j == len(header) else 18)
        ws.row_dimensions[_HEADER_ROW].height = 90
        for i, a in enumerate(apps):
            r = _HEADER_ROW + 1 + i
            ws.cell(row=r, column=1, value=a.code).font = bold
            for j in range(2, 2 + len(CRITERIA)):
                ws.cell(row=r, column=j).fill = fill
        if apps:
            dv = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True,
                                showErrorMessage=True, error="1–5", errorTitle="1–5")
            dv.add(f"B{_HEADER_ROW + 1}:{get_column_letter(1 + len(CRITERIA))}{_HEADER_ROW + len(apps)}")
            ws.add_data_validation(dv)
        ws.freeze_panes = f"B{_HEADER_ROW + 1}"
        # the coded applications
        wa = wb.create_sheet(APPS_SHEET)
        qs = [q for q in spec.questions if q.id not in HIDDEN_QUESTIONS] if spec else []
        wa.append(["Код", "Жашы", "Топ"] + [q.title.ky for q in qs])
        wa.append(["Код", "Возраст", "Группа"] + [q.title.ru for q in qs])
        for v, vk in zip(views, views_ky):
            row = [v["code"], v["age"], v["age_group"]]
            for q in qs:
                row.append(v[q.id] if q.kind in ("short_text", "long_text", "date") else f"{vk[q.id]} / {v[q.id]}"
                           if vk[q.id] != v[q.id] else v[q.id])
            wa.append(row)
        for row in wa.iter_rows():
            for cell in row:
                cell.alignment = wrap
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # applicants' text is never a formula
        for cell in wa[1] + wa[2]:
            cell.font = bold
        for j in range(1, len(qs) + 4):
            wa.column_dimensions[get_column_letter(j)].width = 10 if j <= 3 else 40
        wa.freeze_panes = "B3"
        wc = wb.create_sheet(CRITERIA_SHEET)
        wc.append(["№", "Критерий (ky)", "Критерий (ru)", "Салмак / Вес, %"])
        for c in CRITERIA:
            wc.append([c.number, c.title.ky, c.title.ru, c.weight])
        wc.append(["", "БААРЫ", "ВСЕГО", 100])
        for j, w in enumerate((5, 60, 60, 14), start=1):
            wc.column_dimensions[get_column_letter(j)].width = w
        wb.properties.title = f"School scoring sheet: {member}"[:255]
        path = scoring_sheet_path(out, member)
        wb.save(path)
        paths.append(path)
    return paths


def read_scoring_sheet(path: str | Path) -> ScoresRead:
    """Read one member's filled scoring sheet back: rows as from a scores CSV, ``where`` =
    ``<file> row N``.  Empty cells are reported as empty scores."""
    from openpyxl import load_workbook

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several kinds for a file that is not a workbook
        raise ScoresError(str(p), [f"not a readable .xlsx workbook ({e})"]) from None
    if SCORING_SHEET not in wb.sheetnames:
        raise ScoresError(str(p), [f"no sheet {SCORING_SHEET!r}: is this a scoring sheet made by `school sheets`?"])
    ws = wb[SCORING_SHEET]
    member = str(ws["B1"].value or "").strip()
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    if not member:
        problems.append(Problem("bad_member", "cell B1 (the member's name) is empty", 1, f"{p.name} row 1"))
    digest = hashlib.sha256()
    empty_rows: list[Problem] = []
    n_rows = 0
    for r, values in enumerate(ws.iter_rows(min_row=_HEADER_ROW + 1, max_col=1 + len(CRITERIA), values_only=True),
                               start=_HEADER_ROW + 1):
        if not values or values[0] is None or str(values[0]).strip() == "":
            continue
        n_rows += 1
        code = str(values[0]).strip()
        cells = list(values[1:1 + len(CRITERIA)]) + [None] * (len(CRITERIA) + 1 - len(values))
        if all(v is None or str(v).strip() == "" for v in cells):
            digest.update(f"{code}|{member}|empty\n".encode())
            empty_rows.append(Problem("empty_score", f"{code}: no scores on this row (all 7 criteria empty)", r,
                                      f"{p.name} row {r}", code, member or None))
            continue
        for c in CRITERIA:
            v = values[c.number] if len(values) > c.number else None
            digest.update(f"{code}|{member}|{c.number}|{v}\n".encode())
            row, probs = _cell_problems(code, member or "?", c.number, v, f"{p.name} row {r}", r)
            if row:
                rows.append(row)
            problems.extend(probs)
    wb.close()
    if n_rows and len(empty_rows) == n_rows:
        problems.append(Problem("empty_score", f"no scores yet: {member or 'the member'} has not filled in the sheet",
                                None, p.name, None, member or None))
    else:
        problems += empty_rows
    return ScoresRead(rows, problems, str(p), digest.hexdigest())


def read_scores(paths: Sequence[str | Path]) -> ScoresRead:
    """Read one or more scores files (``.csv`` or members' ``.xlsx`` sheets) into one set."""
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for path in paths:
        p = Path(path)
        one = read_scoring_sheet(p) if p.suffix.lower() in (".xlsx", ".xlsm") else read_scores_csv(p)
        prefix = f"{p.name} " if len(paths) > 1 and p.suffix.lower() == ".csv" else ""
        rows += [ScoreRow(r.code, r.member, r.criterion, r.score, prefix + r.where, r.line) for r in one.rows]
        problems += [Problem(x.kind, x.message, x.line, prefix + x.where, x.code, x.member, x.criterion)
                     for x in one.problems]
        digest.update(one.digest.encode())
    return ScoresRead(rows, problems, ", ".join(str(p) for p in paths), digest.hexdigest())


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


# --- the commission and its settings (YAML) ---------------------------------------------------


@dataclass
class Commission:
    """``commission.yaml``: the members, the School's start date, target sizes and flag settings::

        school_start: 2021-01-25
        members:
          - {name: ..., email: ..., organisation: {ky: ..., ru: ...}}
        targets: {older: 20, young_min: 10, young_max: 20, reserve: 3}
        flag_top: 3          # the applications with the 3 largest spreads are discussed
        flag_spread: null    # or: every spread ≥ this many points
    """

    members: list[str]
    emails: dict[str, str] = field(default_factory=dict)
    school_start: date = SCHOOL_START
    targets: Targets = Targets()
    flag_top: int = 3
    flag_spread: float | None = None


def load_commission(path: str | Path) -> Commission:
    """Read ``commission.yaml``; raises :class:`ValidationError` naming each bad field."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ValidationError(str(p), ["file not found"]) from None
    except yaml.YAMLError as e:
        raise ValidationError(str(p), [f"not valid YAML ({e})"]) from None
    problems = []
    allowed = {"members", "school_start", "targets", "flag_top", "flag_spread"}
    problems += [f"{k}: unknown key (allowed: {', '.join(sorted(allowed))})" for k in data if k not in allowed]
    members, emails = [], {}
    for i, m in enumerate(data.get("members") or []):
        name = m.get("name") if isinstance(m, dict) else m
        if not isinstance(name, str) or not name.strip():
            problems.append(f"members[{i}]: a name is required")
            continue
        members.append(name.strip())
        if isinstance(m, dict) and m.get("email"):
            emails[name.strip()] = str(m["email"]).strip().lower()
    if len({member_key(m) for m in members}) != len(members):
        problems.append("members: a name is listed twice")
    start = data.get("school_start", SCHOOL_START)
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            problems.append(f"school_start: expected a date like 2021-01-25, found {start!r}")
    t = data.get("targets") or {}
    try:
        targets = Targets(**{k: (None if v is None else (float(v) if k == "min_total" else int(v)))
                             for k, v in t.items()})
    except (TypeError, ValueError) as e:
        problems.append(f"targets: {e} (keys: older, young_min, young_max, reserve, min_total)")
        targets = Targets()
    if problems:
        raise ValidationError(str(p), problems)
    fs = data.get("flag_spread")
    return Commission(members, emails, start, targets, int(data.get("flag_top", 3)),
                      None if fs is None else float(fs))


# --- mail to the applicants -------------------------------------------------------------------

_RESULT_TEXT = {
    "selected": I18n(
        "Сиздин Мектепке берген өтүнмөңүз тандалып алынды. Куттуктайбыз! Мектеп {when} күндөрү өтөт. "
        "Программаны жана уюштуруу маалыматын жакын арада жөнөтөбүз.",
        "Ваша заявка в Школу отобрана. Поздравляем! Школа пройдёт {when}. Программу и организационную "
        "информацию мы пришлём в ближайшее время."),
    "reserve": I18n(
        "Сиздин өтүнмөңүз резервдик тизмеге киргизилди. Эгерде тандалган катышуучулардын бири катыша албай "
        "калса, биз сиз менен байланышабыз.",
        "Ваша заявка включена в резервный список. Если кто-то из отобранных участниц не сможет участвовать, "
        "мы свяжемся с вами."),
    "not_selected": I18n(
        "Өтүнмөңүз үчүн ыракмат. Тилекке каршы, бул жолу сиз Мектепке тандалган жоксуз. Клубдун ачык "
        "иш-чараларына жана кийинки тандоого катышууга чакырабыз.",
        "Спасибо за вашу заявку. К сожалению, в этот раз вы не прошли отбор в Школу. Приглашаем вас на "
        "открытые мероприятия Клуба и к участию в следующем отборе."),
}
_RESULT_SUBJECT = I18n("Болочок депутаттар мектеби: тандоонун жыйынтыгы", "Школа будущих депутатов: результаты отбора")
_GREETING = I18n("Урматтуу {name}!", "Уважаемая {name}!")
_REPLY = I18n("Суроолоруңуз болсо, ушул катка жооп жазыңыз.", "Если у вас есть вопросы, ответьте на это письмо.")


def result_mail_text(status: str, name: str, when: I18n) -> str:
    """The text of the result mail (Kyrgyz, a separator, Russian): ``status`` selected | reserve | other."""
    key = status if status in _RESULT_TEXT else "not_selected"
    parts = []
    for lang in ("ky", "ru"):
        parts.append("\n\n".join([_GREETING.get(lang).format(name=name), _RESULT_TEXT[key].get(lang).format(
            when=when.get(lang)), _REPLY.get(lang)]))
    return f"\n\n{'-' * 40}\n\n".join(parts) + "\n"


def mail_results(ctx: Any, now: datetime, action_key: str = "school.selection_result") -> Any:
    """Tell every applicant with a valid e-mail her result (selected, reserve, not selected), in Kyrgyz
    and Russian, through the exactly-once delivery of :func:`automation.jobs.mailings.deliver`.
    Requires the final ranking.  Returns the delivery's :class:`JobResult`."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    from automation.jobs.mailings import Outgoing, deliver, message_id
    from automation.roster import EMAIL_RE

    res = final_results(ctx.store)
    apps = {a.code: a for a in assign_codes(ctx.store, now)}
    club = ctx.plan.club
    ev = next((e for e in ctx.plan.events if e.format == "school"), None)
    if ev:
        d0, d1 = ev.start.astimezone(BISHKEK).date(), ev.end.astimezone(BISHKEK).date()
        span = f"{d0:%d.%m.%Y}–{d1:%d.%m.%Y}" if d0 != d1 else f"{d0:%d.%m.%Y}"
    else:
        span = f"{SCHOOL_START:%d.%m.%Y}"
    when = I18n(span, span)
    out = []
    for r in res.itertuples():
        a = apps.get(r.code)
        email = str(a.answers.get("email") or "").strip().lower() if a else ""
        if not EMAIL_RE.match(email):
            continue
        msg = EmailMessage()
        msg["From"] = Address(club.name.ky, addr_spec=club.admin_email)
        msg["To"] = email
        msg["Reply-To"] = club.admin_email
        msg["Subject"] = _RESULT_SUBJECT.both()
        msg["Date"] = format_datetime(now.astimezone(BISHKEK))
        msg["Message-ID"] = message_id(action_key, email, club.admin_email.split("@", 1)[1])
        msg["Content-Language"] = "ky, ru"
        msg["X-Club-Action"] = action_key
        msg.set_content(result_mail_text(r.status, a.name or r.code, when))
        out.append(Outgoing(email, "ky+ru", msg, [email]))
    return deliver(ctx, action_key, out, now)


# --- the demo: simulated applicants and commission -------------------------------------------

_NAMES = ["Айгерим", "Айзада", "Айпери", "Асель", "Бактыгүл", "Бегимай", "Жылдыз", "Гүлзат", "Динара", "Элнура",
          "Зарина", "Калыйкан", "Мээрим", "Назгүл", "Нургүл", "Перизат", "Сезим", "Толгонай", "Чолпон", "Жаңыл",
          "Венера", "Эльмира", "Гүлнара", "Каныкей", "Салтанат", "Акмөөр", "Урмат", "Мирлан"]
_SURNAMES = ["Абдыраева", "Бейшеева", "Жумабаева", "Касымова", "Мамытова", "Осмонова", "Сыдыкова", "Токтогулова",
             "Үсөнова", "Эшиева", "Асанова", "Бообекова", "Дүйшөева", "Иманалиева", "Калдарова", "Чыныбаева"]
_PLACES = [("Ак-Суу айылы, Ак-Суу району", "Ысык-Көл облусу", "Ак-Суу айыл аймагы"),
           ("Тоң айылы, Тоң району", "Ысык-Көл облусу", "Тоң айыл аймагы"),
           ("Ат-Башы айылы, Ат-Башы району", "Нарын облусу", "Ат-Башы айыл аймагы"),
           ("Кочкор айылы, Кочкор району", "Нарын облусу", "Кочкор айыл аймагы"),
           ("Базар-Коргон айылы, Базар-Коргон району", "Жалал-Абад облусу", "Базар-Коргон айыл аймагы"),
           ("Сузак айылы, Сузак району", "Жалал-Абад облусу", "Сузак айыл аймагы"),
           ("Кара-Суу шаары, Кара-Суу району", "Ош облусу", "Кара-Суу айыл аймагы"),
           ("Ноокат айылы, Ноокат району", "Ош облусу", "Ноокат айыл аймагы")]
_WORK = [("Мектеп", "Мугалим"), ("ФАП", "Медайым"), ("Айыл өкмөтү", "Адис"), ("Жеке ишкер", "Ишкер"),
         ("Бала бакча", "Тарбиячы"), ("Коомдук бирикме", "Координатор"), ("Үй чарбасы", "—")]
_ESSAY = ["Айылыбызда таза суу маселеси курч. Депутат болсом, жамаат менен бирге долбоор даярдап, бюджеттен каражат "
          "бөлдүрүүгө аракет кылам.",
          "Жаштар үчүн иш орундары жок, көбү чет өлкөгө кетип жатат. Кеңеште жаштардын үнү угулушу керек.",
          "Бала бакчада орун жетишпейт. Аялдар иштей албай жатышат. Бул маселени кеңештин сессиясына алып чыгам.",
          "Жолдор начар, кышында мектепке жетүү кыйын. Коомдук угууларда бул маселени көтөрдүм, эми депутат "
          "катары чечким келет."]


def simulate_application(spec: FormSpec, rng: Any, i: int) -> dict[str, Any]:
    """Plausible answers to ``school_application`` for applicant number ``i`` (the demo): a made-up
    name, an ``@example.org`` address, an age mix around the targets (about 60% aged 28+, 35%
    18–27, a few under 18), a village in a pilot oblast, mostly "yes" answers and a short essay."""
    u = rng.random()
    age = rng.randint(28, 55) if u < 0.6 else (rng.randint(18, 27) if u < 0.96 else 17)
    birth = SCHOOL_START - timedelta(days=int(365.25 * age) + rng.randint(1, 360))
    place, oblast, ao = rng.choice(_PLACES)
    work, pos = rng.choice(_WORK)
    yes = lambda p: "yes" if rng.random() < p else "no"  # noqa: E731
    ans: dict[str, Any] = {
        "full_name": f"{rng.choice(_SURNAMES)} {rng.choice(_NAMES)}", "sex": "female",
        "birth_date": birth.isoformat(), "residence": f"{place}, {oblast}", "aiyl_okmotu": ao, "workplace": work,
        "position": pos, "phone": f"+996 {rng.choice(['700', '555', '777', '502'])} {rng.randint(100, 999)} "
                                  f"{rng.randint(100, 999)}",
        "email": f"applicant.{i + 1:03d}@example.org",
        "lsg_experience": yes(0.6), "community_work": yes(0.7), "support_group": yes(0.6),
        **{f"learn_{k}": yes(0.92) for k in range(1, 5)}, **{f"stage_{k}": yes(0.93) for k in range(1, 10)},
        "motivation": " ".join(rng.sample(_ESSAY, rng.randint(1, 3))),
    }
    if ans["lsg_experience"] == "yes":
        ans["lsg_experience_text"] = "Айыл өкмөтү менен бирге коомдук угууларды уюштурууга катыштым."
    if ans["community_work"] == "yes":
        ans["community_work_text"] = "Аялдар кеңешинин мүчөсүмүн, айылдагы ыйгарым укуктуу топко катышам."
    if ans["support_group"] == "yes":
        ans["support_group_text"] = "Аялдар кеңеши жана жаштар комитети."
    known = {q.id for q in spec.questions}
    return {k: v for k, v in ans.items() if k in known}


def _quality(app: Application, rng: Any) -> dict[int, float]:
    """A latent merit per criterion (the demo's "truth"), from the answers plus applicant-level noise."""
    a = app.answers
    yes = lambda k: 1.0 if a.get(k) == "yes" else 0.0  # noqa: E731
    stages = sum(yes(f"stage_{k}") for k in range(1, 10)) / 9
    learn = sum(yes(f"learn_{k}") for k in range(1, 5)) / 4
    essay = min(1.0, len(str(a.get("motivation", "")).split()) / 45)
    base = rng.gauss(0, 0.9)
    return {1: base + essay, 2: base + 2 * stages - 1, 3: base + yes("lsg_experience") - 0.3,
            4: base + essay - 0.2, 5: base + 2 * learn - 1, 6: base + yes("community_work") + 0.5 * yes("support_group")
            - 0.5, 7: base + 0.5 * essay + 0.3 * yes("support_group")}


def simulate_commission(apps: Sequence[Application], members: Sequence[str], rng: Any) -> list[ScoreRow]:
    """Independent 1–5 scores of every member for every application and criterion (the demo).

    Score = round(3 + merit + member's leniency + noise), clipped to 1–5; the
    members differ in leniency (+0.3, 0, −0.4, ...), and about one application
    in eight is read very differently by one member (large noise), so some
    spreads stand out and get flagged."""
    lenience = [0.3, 0.0, -0.4, 0.2, -0.2][: len(members)] + [0.0] * max(0, len(members) - 5)
    rows = []
    for a in apps:
        q = _quality(a, rng)
        odd = rng.randrange(len(members)) if rng.random() < 0.125 else None
        for k, m in enumerate(members):
            sd = 1.3 if k == odd else 0.35
            shift = rng.choice([-1.2, 1.2]) if k == odd else 0.0
            for c in CRITERIA:
                s = round(3 + q[c.number] + lenience[k] + shift + rng.gauss(0, sd))
                rows.append(ScoreRow(a.code, m, c.number, max(1, min(5, s))))
    return rows


def fill_scoring_sheet(path: str | Path, rows: Sequence[ScoreRow]) -> None:
    """Write a member's scores into her scoring sheet (the demo plays the member filling it in)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[SCORING_SHEET]
    where = {str(ws.cell(row=r, column=1).value): r for r in range(_HEADER_ROW + 1, ws.max_row + 1)}
    for s in rows:
        ws.cell(row=where[s.code], column=1 + s.criterion, value=s.score)
    wb.save(path)


@dataclass
class SchoolDemoResult:
    applications: int
    scoring: Scoring
    selection: Selection
    accepted: Accepted
    mail_detail: str
    files: list[Path]


def run_school_demo(ctx: Any, rng: Any, out_dir: str | Path | None = None, now: datetime | None = None,
                    commission: Commission | str | Path | None = None,
                    log: Callable[[str], None] | None = None) -> SchoolDemoResult:
    """Stage II of the School on the demo's School store: codes, one scoring sheet per member
    (filled by :func:`simulate_commission` and read back), checks, ranking, agreement, the
    selected list, final ranking, result mails to the applicants, and the selected joining
    the roster (source ``school``).

    ``ctx``: the Context of the School season (its store holds the ``school_application``
    responses).  ``now``: when the list is made (default 16 Jan 2021 10:00 Asia/Bishkek, the
    end of stage II).  Writes under ``out_dir`` (default ``ctx.out_dir``) ``school/``:
    ``scoring_<member>.xlsx``, ``scores.csv``, ``ranking.csv``, ``ranking.json``,
    ``selection.csv`` (codes only) and ``selected_names.csv`` (after finalising).
    Idempotent: a second run with the same scores changes nothing and sends no mail twice.
    """
    say = log or (lambda m: None)
    out = Path(out_dir or ctx.out_dir) / "school"
    out.mkdir(parents=True, exist_ok=True)
    now = now or to_utc(datetime(2021, 1, 16, 10, 0))
    if commission is None:
        default = Path(__file__).resolve().parents[3] / "examples" / "school2021" / "commission.yaml"
        commission = load_commission(default) if default.exists() else Commission(["Member 1", "Member 2", "Member 3"])
    elif not isinstance(commission, Commission):
        commission = load_commission(commission)
    apps = assign_codes(ctx.store, now - timedelta(days=30))
    if not apps:
        raise AutomationError("no School applications in the store: run the application form first")
    files = write_scoring_sheets(apps, commission.members, out, commission.school_start)
    scores = simulate_commission(apps, commission.members, rng)
    for m, path in zip(commission.members, files):
        fill_scoring_sheet(path, [s for s in scores if s.member == m])
    read = read_scores(files)
    problems = check_scores(read, [a.code for a in apps], commission.members)
    if problems:
        raise ValidationError("demo scoring sheets", [str(p) for p in problems])
    files.append(write_scores_csv(read.rows, out / "scores.csv"))
    scoring = score_applications(read.rows, commission.flag_top, commission.flag_spread, commission.members)
    sel = select(scoring.ranking, apps, commission.targets, commission.school_start)
    sel.table.to_csv(out / "selection.csv", index=False)
    scoring.ranking.to_csv(out / "ranking.csv", index=False)
    (out / "ranking.json").write_text(json.dumps(scoring.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    files += [out / "selection.csv", out / "ranking.csv", out / "ranking.json"]
    finalize(ctx.store, sel, read.digest, now)
    names = revealed(ctx.store, ("selected", "reserve"))
    names.to_csv(out / "selected_names.csv", index=False)
    files.append(out / "selected_names.csv")
    mail = mail_results(ctx, now)
    acc = accept(ctx.store, now)
    say(f"School selection: {len(apps)} applications, {sel.counts()} selected, alpha {scoring.alpha:.3f}; "
        f"mail {mail.detail}; roster +{acc.added}")
    return SchoolDemoResult(len(apps), scoring, sel, acc, mail.detail, files)


def school_demo_hook(rng: Any, out_dir: str | Path | None = None, at: datetime | None = None,
                     log: Callable[[str], None] | None = None,
                     outcomes_at: datetime | None = None) -> Callable[[Any, datetime], SchoolDemoResult | None]:
    """A callback ``hook(ctx, t)`` for the demo's tick loop (call it before ``run_due`` at each tick).

    At the first tick at or after ``at`` (default 16 Jan 2021 10:00 Asia/Bishkek, the end of
    stage II) it runs :func:`run_school_demo` once, so the selected applicants are in the roster
    before the School's programme and forms go out; at the first tick at or after
    ``outcomes_at`` (default 1 May 2021, after the local elections of 11 April 2021, stage V)
    it enters simulated graduation and election results
    (:func:`automation.analysis.indicators.simulate_outcomes`, file ``school/election_results.csv``).
    ``hook.state`` holds ``"selection"`` (a :class:`SchoolDemoResult`) and ``"outcomes"`` (a path).
    """
    when = at or to_utc(datetime(2021, 1, 16, 10, 0))
    after = outcomes_at or to_utc(datetime(2021, 5, 1, 10, 0))
    state: dict[str, Any] = {}

    def hook(ctx: Any, t: datetime) -> SchoolDemoResult | None:
        if "selection" not in state and t >= when:
            state["selection"] = run_school_demo(ctx, rng, out_dir, when, log=log)
            return state["selection"]
        if "selection" in state and "outcomes" not in state and t >= after:
            from automation.analysis.indicators import simulate_outcomes

            state["outcomes"] = simulate_outcomes(ctx.store, rng, Path(out_dir or ctx.out_dir) / "school" /
                                                  "election_results.csv")
        return None

    hook.state = state  # type: ignore[attr-defined]
    return hook


# --- command line (called from automation/cli.py: `python main.py school ...`) -------------------


def _store_if_exists(args: Any) -> Store | None:
    from automation.config import load_config

    cfg = load_config(args.config)
    return Store(cfg.state) if cfg.state.exists() else None


def _store(args: Any) -> Store:
    from automation.config import load_config

    return load_config(args.config).existing_store(
        "the applications arrive through the plan's school_application form (`run`), or give --config of the "
        "School's service")


def commission_from_args(args: Any) -> Commission:
    """The commission from ``--commission FILE`` and/or ``--members "A,B,C"`` (members given on the command
    line win); ``--flag-top``/``--flag-spread`` override the file's settings."""
    com = load_commission(args.commission) if getattr(args, "commission", None) else Commission([])
    if getattr(args, "members", None):
        com.members = [m.strip() for m in args.members.split(",") if m.strip()]
    if getattr(args, "flag_top", None) is not None:
        com.flag_top = args.flag_top
    if getattr(args, "flag_spread", None) is not None:
        com.flag_spread = args.flag_spread
    return com


def _print_problems(read: ScoresRead, problems: list[Problem]) -> int:
    import sys

    print(f"{read.source}: {len(problems)} problem(s); nothing was ranked:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 2


def _checked(args: Any, store: Store | None, com: Commission) -> tuple[ScoresRead, list[Problem], list[Application]]:
    read = read_scores(args.scores)
    apps = assign_codes(store) if store is not None else []
    known = [a.code for a in apps] if apps else None
    problems = check_scores(read, known, com.members or None, args.expect_members)
    return read, problems, apps


def cli_score(args: Any) -> int:
    """``school score SCORES.csv [more.csv | member.xlsx ...] [--json]``: the ranking, or every problem (exit 2)."""
    com = commission_from_args(args)
    store = _store_if_exists(args)
    read, problems, apps = _checked(args, store, com)
    if problems:
        return _print_problems(read, problems)
    sc = score_applications(read.rows, com.flag_top, com.flag_spread, com.members or None)
    if args.json:
        print(json.dumps(sc.to_json(), ensure_ascii=False, indent=1))
        return 0
    by_code = {a.code: a for a in apps}
    print(f"Ranking of {len(sc.ranking)} application(s) scored by {len(sc.members)} member(s): "
          f"{', '.join(sc.members)}")
    print(f"{'rank':>4}  {'code':7} {'total':>6}  {'spread':>6}  {'age':>5}  flagged")
    for r in sc.ranking.itertuples():
        g = by_code[r.code].age_group(com.school_start) if r.code in by_code else ""
        print(f"{r.rank:>4}  {r.code:7} {r.total:6.2f}  {r.spread:6.2f}  {g:>5}  {'discuss' if r.flagged else ''}")
    print("Total = Σ weight × members' mean score ÷ 5 (all fives = 100). Spread = max − min of the members' "
          "own totals (points of 100).")
    print(f"Krippendorff's alpha (ordinal, 1–5 scores): {sc.alpha:.3f} — {alpha_verdict(sc.alpha)}; "
          f"on the members' totals (interval): {sc.alpha_totals:.3f}")
    rule = f"top {com.flag_top} spreads" + (f" or spread ≥ {com.flag_spread:g}" if com.flag_spread is not None else "")
    flagged = sc.ranking.loc[sc.ranking["flagged"], "code"].tolist()
    print(f"To discuss ({rule}): {', '.join(flagged) or 'none'}")
    if apps:
        sel = select(sc.ranking, apps, com.targets, com.school_start)
        print(f"Selection preview (codes only): {sel.counts()[GROUP_OLDER]} aged 28+, {sel.counts()[GROUP_YOUNG]} "
              f"under 28.")
        for w in sel.warnings:
            print(f"  ! {w}")
        print("Make it final with `school finalize` (names are revealed only then).")
    return 0


def cli_finalize(args: Any) -> int:
    """``school finalize SCORES...``: check, rank, select and record the ranking as final."""
    com = commission_from_args(args)
    store = _store(args)
    read, problems, apps = _checked(args, store, com)
    if not apps:
        raise AutomationError("no School applications in the state file")
    if problems:
        return _print_problems(read, problems)
    sc = score_applications(read.rows, com.flag_top, com.flag_spread, com.members or None)
    sel = select(sc.ranking, apps, com.targets, com.school_start)
    finalize(store, sel, read.digest, force=args.force)
    c = sel.counts()
    print(f"The ranking is final: {c[GROUP_OLDER]} selected aged 28+, {c[GROUP_YOUNG]} under 28, "
          f"{int((sel.table['status'] == 'reserve').sum())} on the reserve list.")
    for w in sel.warnings:
        print(f"  ! {w}")
    print("See the names with `school selected --names`; add them to the roster with `school accept`.")
    return 0


def cli_selected(args: Any) -> int:
    """``school selected [--names] [--json]``: the final list (codes; names and contacts with --names)."""
    store = _store(args)
    df = revealed(store, ("selected", "reserve")) if args.names else final_results(store)
    if not args.names:
        df = df[df["status"].isin(["selected", "reserve"])]
    cols = ["code", "rank", "total", "age", "age_group", "status"] + (["name", "email", "phone"] if args.names else [])
    if args.json:
        print(df[cols].to_json(orient="records", force_ascii=False, indent=1))
        return 0
    for r in df[cols].itertuples(index=False):
        print("  ".join("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in r))
    print(f"{int((df['status'] == 'selected').sum())} selected, {int((df['status'] == 'reserve').sum())} reserve")
    return 0


def cli_accept(args: Any) -> int:
    """``school accept``: the selected applicants join the roster (source 'school')."""
    import sys

    store = _store(args)
    acc = accept(store, language=args.language)
    print(f"Roster: {acc.added} added, {acc.updated} updated from the School's selected list (source 'school').")
    for s in acc.skipped:
        print(f"  - {s}", file=sys.stderr)
    return 0


def cli_codes(args: Any) -> int:
    """``school codes``: give the applications their codes and list them (no names)."""
    store = _store(args)
    apps = assign_codes(store)
    rows = [{"code": a.code, "submitted": a.submitted_at.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M"),
             "age": a.age(), "age_group": a.age_group()} for a in apps]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        print(f"{r['code']:7} {r['submitted']}  age {r['age'] if r['age'] is not None else '?':>3}  {r['age_group']}")
    print(f"{len(rows)} application(s)")
    return 0


def cli_sheets(args: Any) -> int:
    """``school sheets --out DIR``: one scoring workbook per member with the coded applications."""
    com = commission_from_args(args)
    if not com.members:
        raise AutomationError("name the commission: --members \"A,B,C\" or --commission commission.yaml")
    store = _store(args)
    apps = assign_codes(store)
    if not apps:
        raise AutomationError("no School applications in the state file")
    for p in write_scoring_sheets(apps, com.members, args.out, com.school_start):
        print(p)
    print(f"{len(apps)} coded application(s) in {len(com.members)} sheet(s). When they come back filled: "
          f"`school score {Path(args.out) / 'scoring_*.xlsx'}`")
    return 0


def cli_collect(args: Any) -> int:
    """``school collect SHEET.xlsx... --out scores.csv``: the filled sheets as one scores CSV."""
    com = commission_from_args(args)
    store = _store_if_exists(args)
    read, problems, _ = _checked(args, store, com)
    if problems:
        return _print_problems(read, problems)
    print(write_scores_csv(read.rows, args.out))
    return 0


def cli_notify(args: Any) -> int:
    """``school notify``: mail every applicant her result (exactly once)."""
    from automation.cli.common import context_from as _ctx, now_from as _now

    ctx = _ctx(args, quiet=True)
    print(mail_results(ctx, _now(args)).detail)
    return 0
