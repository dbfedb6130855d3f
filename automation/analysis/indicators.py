"""The indicators donors ask for (seed 004_0575ce73f0236770.txt; DOMAIN.md "Results that are tracked").

Seed 004 reports about 200 women trained and about 80 elected, and the share of
women among participants of events growing from 39% to 47%; seed 002 expects at
least 20% of the School's graduates to become deputies.  Three tables:

- :func:`participants_by_oblast_role`: the roster by oblast and role;
- :func:`women_share`: the share of women among the participants of each event
  and per year.  **Participants of an event** are the people who answered any of
  its forms (post-test, feedback, vote): the only attendance record the service
  has.  Sex comes from the roster (``sex``: f/m); anonymous responses are not
  counted;
- :func:`funnel`: School applicants → selected → joined the roster → graduates →
  elected deputies.  Graduation and election results are entered with
  :func:`import_outcomes` (a CSV ``email,graduated,elected[,election]``; or ``code``
  instead of ``email`` for a School applicant), kept in the table ``outcomes``.

Displayed breakdowns (the JSON, the workbook) apply small-cell suppression with
complementary suppression (DESIGN.md principle 8; :mod:`automation.analysis.suppression`): a
cell of 1..``min_group_size``−1 people, and the cell or total that would give it away, is shown
as "менее 3" / "3төн аз".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from automation.analysis.summary import MIN_GROUP_SIZE, group_label, suppressed_label
from automation.analysis.suppression import TOTAL, protect, protect_table
from automation.errors import AutomationError, ValidationError
from automation.model import BISHKEK, parse_iso, utc_now
from automation.programmes.school.codes import assign_codes
from automation.store import OutcomeEntry, Store

#: Seed 002, expected result: at least 20% of the School's graduates become deputies.
ELECTED_TARGET = 0.20

#: Form kinds that are not events (surveys and applications).
NOT_EVENTS = ("needs_assessment", "school_application")


# --- participants by oblast and role -------------------------------------------------------


def participants_by_oblast_role(store: Store, active_only: bool = True) -> pd.DataFrame:
    """Long table: ``oblast`` (code, "" unknown), ``role`` (code), ``n`` (int64), one row per pair present."""
    people = store.roster.participants(active_only=active_only)
    df = pd.DataFrame({"oblast": [p.oblast for p in people], "role": [p.role for p in people]})
    if df.empty:
        return pd.DataFrame({"oblast": pd.Series(dtype="string"), "role": pd.Series(dtype="string"),
                             "n": pd.Series(dtype="int64")})
    out = df.groupby(["oblast", "role"]).size().rename("n").reset_index()
    out["oblast"] = out["oblast"].astype("string")
    out["role"] = out["role"].astype("string")
    out["n"] = out["n"].astype("int64")
    return out


def hidden_cells(long: pd.DataFrame, min_group_size: int = MIN_GROUP_SIZE) -> set[tuple[Any, Any]]:
    """The cells ``(oblast, role)`` of :func:`participants_by_oblast_role` to hide, margins as
    ``(oblast, TOTAL)``, ``(TOTAL, role)``, ``(TOTAL, TOTAL)``: small cells and their complements
    (:func:`automation.analysis.suppression.protect_table`), so that no hidden cell follows from
    the totals."""
    return protect_table({(str(r.oblast), str(r.role)): int(r.n) for r in long.itertuples()}, min_group_size)


def oblast_role_table(long: pd.DataFrame, lang: str = "ru", min_group_size: int = MIN_GROUP_SIZE,
                      suppress: bool = True) -> pd.DataFrame:
    """The display crosstab: oblasts × roles with totals, cells as text; with ``suppress`` the
    cells of :func:`hidden_cells` (a small count, and the cell or total that would give it away)
    read "менее 3" / "3төн аз"."""
    total = "Всего" if lang == "ru" else "Баары"
    if long.empty:
        return pd.DataFrame()
    ct = long.pivot_table(index="oblast", columns="role", values="n", aggfunc="sum", fill_value=0)
    ct[TOTAL] = ct.sum(axis=1)
    ct.loc[TOTAL] = ct.sum(axis=0)
    hide = hidden_cells(long, min_group_size) if suppress else set()
    label = suppressed_label(min_group_size, lang)
    shown = pd.DataFrame({c: [label if (str(r), str(c)) in hide else str(int(ct.at[r, c])) for r in ct.index]
                          for c in ct.columns}, index=ct.index)
    shown.index = [total if idx == TOTAL else group_label("oblast", idx, lang) for idx in shown.index]
    shown.columns = [total if c == TOTAL else group_label("role", c, lang) for c in shown.columns]
    shown.index.name = "oblast"
    return shown


# --- share of women among participants of events ------------------------------------------


def event_participants(store: Store) -> pd.DataFrame:
    """One row per (event, participant) who answered any of the event's forms: ``event_id``,
    ``participant_id``, ``sex`` (f/m, "" unknown), ``year`` (int64, of the event's first form,
    Asia/Bishkek)."""
    people = {p.id: p for p in store.roster.participants(active_only=False)}
    recs: dict[tuple[str, str], dict[str, Any]] = {}
    years: dict[str, int] = {}
    for f in store.forms.all():
        if f.kind in NOT_EVENTS:
            continue
        y = parse_iso(f.opens).astimezone(BISHKEK).year
        years[f.event_id] = min(years.get(f.event_id, y), y)
        for r in store.responses.list(f.form_key):
            pid = r.participant_id
            if pid:
                p = people.get(pid)
                recs[(f.event_id, pid)] = {"event_id": f.event_id, "participant_id": pid,
                                              "sex": p.sex if p else ""}
    df = pd.DataFrame.from_records(list(recs.values()), columns=["event_id", "participant_id", "sex"])
    df["year"] = pd.Series([years[e] for e in df["event_id"]], dtype="int64")
    return df


def women_share(store: Store, plan: Any = None, lang: str = "ru") -> pd.DataFrame:
    """Per event, then per year, then overall: ``scope`` (event | year | all), ``event_id``, ``title``,
    ``year`` (Int64), ``participants``, ``women``, ``men``, ``unknown`` (int64), ``share_women``
    (float64 of those whose sex is known; NaN if none).  Events in plan order when ``plan`` is
    given, else by id; a person counts once per event, and once per year or overall."""
    ep = event_participants(store)
    titles = {e.id: e.title.get(lang) for e in plan.events} if plan is not None else {}
    order = [e.id for e in plan.events] if plan is not None else []

    def row(scope: str, ev: str, title: str, year: Any, part: pd.DataFrame) -> dict[str, Any]:
        w, m = int((part["sex"] == "f").sum()), int((part["sex"] == "m").sum())
        return {"scope": scope, "event_id": ev, "title": title, "year": year, "participants": len(part),
                "women": w, "men": m, "unknown": len(part) - w - m,
                "share_women": w / (w + m) if (w + m) else float("nan")}

    rows = []
    events = sorted(ep["event_id"].unique(), key=lambda e: (order.index(e) if e in order else len(order), e))
    for ev in events:
        part = ep[ep["event_id"] == ev]
        rows.append(row("event", ev, titles.get(ev, ev), int(part["year"].iloc[0]), part))
    for y in sorted(ep["year"].unique()):
        part = ep[ep["year"] == y].drop_duplicates("participant_id")
        rows.append(row("year", "", str(y), int(y), part))
    rows.append(row("all", "", "Все мероприятия" if lang == "ru" else "Бардык иш-чаралар", None,
                    ep.drop_duplicates("participant_id")))
    df = pd.DataFrame.from_records(rows)
    df["year"] = df["year"].astype("Int64")
    for c in ("participants", "women", "men", "unknown"):
        df[c] = df[c].astype("int64")
    df["share_women"] = df["share_women"].astype("float64")
    return df


def women_share_hidden(row: Any, min_group_size: int = MIN_GROUP_SIZE) -> set[str]:
    """Which of a :func:`women_share` row's ``women``, ``men``, ``unknown`` and ``share_women`` to
    hide: a count of 1..``min_group_size``−1 and its complement against ``participants``
    (:func:`automation.analysis.suppression.protect`), and the share when women or men are hidden
    (women ÷ (women + men) would give them back)."""
    hide = protect({"women": int(row.women), "men": int(row.men), "unknown": int(row.unknown)}, min_group_size)
    if hide & {"women", "men"}:
        hide.add("share_women")
    if TOTAL in hide:
        hide.add("participants")
    return {h for h in hide if h != TOTAL}


# --- outcomes: graduates and elected deputies ----------------------------------------------

_YES = {"yes", "y", "1", "true", "да", "ооба", "+", "✓"}
_NO = {"no", "n", "0", "false", "нет", "жок", "-"}


def _flag(v: str) -> tuple[int | None, bool]:
    """(value, ok) of a yes/no cell: yes → 1, no → 0, empty → None (not known)."""
    s = v.strip().lower()
    if s == "":
        return None, True
    if s in _YES:
        return 1, True
    if s in _NO:
        return 0, True
    return None, False


@dataclass
class OutcomeRow:
    """One good line of an outcomes CSV: the roster ``participant_id``, ``graduated`` and ``elected``
    (1 yes, 0 no, None not known), the ``election`` named, and the CSV ``line`` it came from."""

    participant_id: str
    graduated: int | None
    elected: int | None
    election: str
    line: int


def read_outcomes(store: Store, path: str | Path) -> tuple[list[OutcomeRow], list[str]]:
    """Parse an outcomes CSV: ``email`` (or ``code`` of a School application), ``graduated``,
    ``elected`` (yes/no/да/нет/ооба/жок/1/0; empty = not known), optional ``election`` (e.g.
    "2021-04-11 local elections").  Returns the rows and every problem as "line N: ...";
    the person must be in the roster (a School applicant: after `school accept`)."""
    from automation.roster import participant_id

    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise ValidationError(str(p), [f"cannot read the file ({e.strerror})"]) from None
    except UnicodeDecodeError:
        raise ValidationError(str(p), ["the file is not UTF-8 text: save it as CSV UTF-8"]) from None
    if not text.strip():
        raise ValidationError(str(p), ["the file is empty: header email,graduated,elected expected"])
    first = text.splitlines()[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delim)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    reader.fieldnames = fields
    if not ({"email", "code"} & set(fields)) or not ({"graduated", "elected"} & set(fields)):
        raise ValidationError(str(p), [f"line 1: expected the columns email (or code), graduated, elected; found "
                                       f"{', '.join(fields)}"])
    known = {x.id for x in store.roster.participants(active_only=False)}
    codes: dict[str, str] = {}
    try:
        codes = {a.code: str(a.answers.get("email") or "").strip().lower() for a in assign_codes(store)}
    except AutomationError:
        pass
    rows, problems, seen = [], [], {}
    for rec in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in rec.values()):
            continue
        errs = []
        email = (rec.get("email") or "").strip().lower()
        code = (rec.get("code") or "").strip().upper()
        if re.fullmatch(r"[aа]-\d{3,}", email):  # a code typed in the email column
            email, code = "", email.upper().replace("А", "A")
        if not email and code:
            email = codes.get(code, "")
            if not email:
                errs.append(f"code {code} is not a School application with an e-mail")
        pid = participant_id(email) if email else ""
        if email and pid not in known:
            errs.append(f"{email} is not in the roster (a School applicant joins it with `school accept`)")
        if not email and not code:
            errs.append("email (or code) is empty")
        g, ok_g = _flag(rec.get("graduated") or "")
        e, ok_e = _flag(rec.get("elected") or "")
        if not ok_g:
            errs.append(f"graduated {rec.get('graduated')!r}: write yes or no (or leave empty)")
        if not ok_e:
            errs.append(f"elected {rec.get('elected')!r}: write yes or no (or leave empty)")
        if pid and pid in seen:
            errs.append(f"{email} is already on line {seen[pid]}")
        if errs:
            problems.append(f"line {line}: " + "; ".join(errs))
            continue
        seen[pid] = line
        rows.append(OutcomeRow(pid, g, e, (rec.get("election") or "").strip(), line))
    return rows, problems


def import_outcomes(store: Store, path: str | Path, now: datetime | None = None) -> int:
    """Store graduation and election results from a CSV (see :func:`read_outcomes`) in one
    transaction; a file with any problem changes nothing (:class:`ValidationError` lists them).
    An empty cell keeps what was entered before.  Returns the number of people updated."""
    rows, problems = read_outcomes(store, path)
    if problems:
        raise ValidationError(str(path), problems)
    store.outcomes.upsert([OutcomeEntry(r.participant_id, r.graduated, r.elected, r.election) for r in rows],
                          source=str(path), now=now or utc_now())
    return len(rows)


def funnel(store: Store) -> pd.DataFrame:
    """School applicants → selected → in the roster → graduates → elected.

    Columns: ``stage`` (applicants | selected | joined_roster | graduates | elected),
    ``n`` (Int64; NA when not known yet: no final ranking, or no outcomes entered),
    ``share_of_previous`` (float64), plus ``target`` (float64: 0.20 for elected ÷
    graduates, seed 002; NaN otherwise).  Graduates and elected count the people who
    joined from the School (roster source ``school``).
    """
    applicants = len(assign_codes(store))
    selected = store.school.count_with_status("selected") if store.school.is_final() else None
    school_ids = store.roster.ids_from_source("school")
    joined = len(school_ids) if selected is not None or school_ids else None
    entered, graduated, elected_n = store.outcomes.totals(source="school")
    graduates = graduated if entered else None
    elected = elected_n if entered else None
    stages = [("applicants", applicants), ("selected", selected), ("joined_roster", joined),
              ("graduates", graduates), ("elected", elected)]
    rows, prev = [], None
    for name, n in stages:
        share = n / prev if n is not None and prev else float("nan")
        rows.append({"stage": name, "n": n, "share_of_previous": share,
                     "target": ELECTED_TARGET if name == "elected" else float("nan")})
        prev = n
    df = pd.DataFrame.from_records(rows)
    df["stage"] = df["stage"].astype("string")
    df["n"] = df["n"].astype("Int64")
    df["share_of_previous"] = df["share_of_previous"].astype("float64")
    df["target"] = df["target"].astype("float64")
    return df


def all_outcomes(store: Store) -> dict[str, int]:
    """Across the whole roster (club and School): people entered as trained (graduated) and elected —
    the seed 004 figures ("about 200 trained, about 80 became deputies")."""
    _, graduated, elected = store.outcomes.totals()
    return {"graduated": graduated, "elected": elected}


# --- all together ------------------------------------------------------------------------------


def indicators_json(store: Store, plan: Any = None, lang: str = "ru", min_group_size: int = MIN_GROUP_SIZE) -> dict:
    """The three indicators as JSON-ready data.  Small cells are None with ``"suppressed"``: true
    (by oblast and role: :func:`hidden_cells`; the women's share: :func:`women_share_hidden`, listing
    the hidden fields), complements included, so no hidden number follows from the others."""
    long = participants_by_oblast_role(store)
    k = min_group_size
    ws = women_share(store, plan, lang)
    fn = funnel(store)

    def num(x: Any) -> Any:
        if x is None or x is pd.NA or (isinstance(x, float) and x != x):
            return None
        return x.item() if hasattr(x, "item") else x

    hide = hidden_cells(long, k)
    women = []
    for r in ws.itertuples():
        h = women_share_hidden(r, k)
        women.append({"scope": r.scope, "event_id": r.event_id, "title": r.title, "year": num(r.year),
                      "participants": None if "participants" in h else int(r.participants),
                      "women": None if "women" in h else int(r.women), "men": None if "men" in h else int(r.men),
                      "share_women": None if "share_women" in h else num(round(float(r.share_women), 4)),
                      "suppressed": sorted(h)})
    return {
        "participants_by_oblast_role": [
            {"oblast": r.oblast, "role": r.role, "n": None if (r.oblast, r.role) in hide else int(r.n),
             "suppressed": (r.oblast, r.role) in hide} for r in long.itertuples()],
        "women_share": women,
        "school_funnel": [{"stage": r.stage, "n": num(r.n), "share_of_previous":
                           num(round(float(r.share_of_previous), 4)),
                           "target": num(r.target)} for r in fn.itertuples()],
        "outcomes_all": all_outcomes(store),
    }
