"""The roster: the club's mailing list, read from the CSV the admin maintains.

CSV columns (header row required; English or Russian names; comma or
semicolon separated; UTF-8, with or without BOM)::

    name,email,phone,oblast,municipality,role,language[,sex]
    ФИО,email,телефон,область,муниципалитет,роль,язык[,пол]

- ``email``: required, unique in the file.
- ``oblast``: a code of :data:`automation.model.OBLASTS` (``naryn``) or its
  Russian or Kyrgyz name, with or without «область» / «облусу».
- ``role``: a code of :data:`automation.model.ROLES` or its ru/ky label; empty means ``other``.
- ``language``: ``ky`` or ``ru`` (also «кыргызча», «русский»).
- ``sex``: ``f`` (default) or ``m``.

Every bad row is reported with its line number and what is wrong; a file with
errors imports nothing unless ``skip_invalid`` is set (DESIGN.md principle 6).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import RosterError
from .model import OBLASTS, ROLES, Participant

EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")

_HEADERS = {
    "name": ("name", "фио", "имя", "full name", "аты-жөнү", "аты жөнү"),
    "email": ("email", "e-mail", "эл. почта", "электронная почта", "email address", "адрес электронной почты", "почта"),
    "phone": ("phone", "телефон", "тел", "phone number"),
    "oblast": ("oblast", "область", "облус", "region", "регион"),
    "municipality": ("municipality", "муниципалитет", "айыл аймагы", "айыл өкмөтү", "аймак"),
    "role": ("role", "роль", "статус", "ролу"),
    "language": ("language", "язык", "тил", "lang"),
    "sex": ("sex", "пол", "жынысы", "gender"),
}
REQUIRED = ("name", "email", "oblast", "language")

_LANGS = {"ky": "ky", "kg": "ky", "кыргызча": "ky", "кыргыз": "ky", "кыргызский": "ky", "ru": "ru", "русский": "ru",
          "орусча": "ru", "рус": "ru"}
_SEX = {"f": "f", "ж": "f", "female": "f", "аял": "f", "м": "m", "m": "m", "male": "m", "эркек": "m", "": "f"}


def _norm(s: str) -> str:
    s = s.strip().lower().replace("ё", "е")
    s = re.sub(r"\s+", " ", s)
    return s


def oblast_code(value: str) -> str | None:
    """The oblast code for a code or a Russian/Kyrgyz name, or None if unknown."""
    v = _norm(value)
    v = re.sub(r"\s*(область|обл\.?|облусу|облусы|oblast|region)$", "", v).strip()
    v2 = v.replace("жалал", "джалал") if v.startswith("жалал") else v
    for code, names in OBLASTS.items():
        cands = {code, code.replace("-", " "), code.replace("-", "_"), _norm(names["ru"]), _norm(names["ky"])}
        stem = _norm(names["ru"])
        for suffix in ("ская", "кая"):
            if stem.endswith(suffix):
                cands.add(stem[: -len(suffix)])
        if v in cands or v2 in cands or v.replace("г. ", "") in cands:
            return code
    alias = {"ош шаары": "osh-city", "бишкек шаары": "bishkek", "бишкек": "bishkek", "город ош": "osh-city",
             "джалал-абад": "jalal-abad", "иссык-куль": "issyk-kul", "чуй": "chui", "баткен": "batken"}
    return alias.get(v)


def role_code(value: str) -> str | None:
    v = _norm(value)
    if not v:
        return "other"
    for code, names in ROLES.items():
        if v in (code, _norm(names["ru"]), _norm(names["ky"])):
            return code
    alias = {"депутат": "deputy", "депутатка": "deputy", "кандидат": "candidate", "активист": "activist",
             "муниципальный служащий": "municipal_servant", "мунслужащий": "municipal_servant"}
    return alias.get(v)


def participant_id(email: str) -> str:
    """Stable, non-reversible id derived from the e-mail address (lower-cased)."""
    return "p_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RosterRead:
    participants: list[Participant]
    problems: list[str]  # "line N: what is wrong"
    rows: int


def read_roster(path: str | Path) -> RosterRead:
    """Parse and validate a roster CSV; returns good rows and every problem (does not raise on bad rows).

    Raises :class:`RosterError` only when the file as a whole cannot be read
    (missing, not text, no header, missing required columns).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise RosterError(str(p), [f"cannot read the file ({e.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1251")
        except UnicodeDecodeError:
            raise RosterError(str(p), ["the file is not text in UTF-8 or Windows-1251: save it as CSV UTF-8"]) from None
    if not text.strip():
        raise RosterError(str(p), ["the file is empty: it needs a header row and one row per participant"])
    first = text.splitlines()[0]
    delim = ";" if first.count(";") > first.count(",") else ("\t" if first.count("\t") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = next(reader)
    cols: dict[str, int] = {}
    unknown = []
    for i, h in enumerate(header):
        hn = _norm(h)
        for field, names in _HEADERS.items():
            if hn in names:
                cols[field] = i
                break
        else:
            if hn:
                unknown.append(h)
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        raise RosterError(str(p), [
            f"line 1: missing column(s) {', '.join(missing)}; found {', '.join(header)}. "
            f"Expected header: name,email,phone,oblast,municipality,role,language"])
    people: list[Participant] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    n = 0
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        n += 1
        get = lambda f: row[cols[f]].strip() if f in cols and cols[f] < len(row) else ""  # noqa: E731
        errs = []
        if len(row) > len(header):
            errs.append(f"{len(row)} fields but the header has {len(header)} (a comma inside a value needs quotes)")
        name = get("name")
        if not name:
            errs.append("name is empty")
        email = get("email").lower()
        if not email:
            errs.append("email is empty")
        elif not EMAIL_RE.match(email) or ".." in email:
            errs.append(f"email {get('email')!r} is not a valid e-mail address")
        elif email in seen:
            errs.append(f"email {email} is already on line {seen[email]}")
        ob = oblast_code(get("oblast"))
        if ob is None:
            errs.append(f"oblast {get('oblast')!r} is unknown (use one of: "
                        + ", ".join(v["ru"] for v in OBLASTS.values()) + ")")
        role = role_code(get("role"))
        if role is None:
            errs.append(f"role {get('role')!r} is unknown (use one of: {', '.join(ROLES)})")
        lang = _LANGS.get(_norm(get("language")))
        if lang is None:
            errs.append(f"language {get('language')!r} must be ky or ru")
        sex = _SEX.get(_norm(get("sex")))
        if sex is None:
            errs.append(f"sex {get('sex')!r} must be f or m")
        phone = get("phone")
        digits = re.sub(r"\D", "", phone)
        if phone and not 9 <= len(digits) <= 12:
            errs.append(f"phone {phone!r} does not look like a phone number (+996 XXX XXX XXX)")
        if errs:
            problems.append(f"line {line}: " + "; ".join(errs))
            continue
        seen[email] = line
        people.append(Participant(id=participant_id(email), name=name, email=email, phone=phone, oblast=ob or "",
                                  municipality=get("municipality"), role=role or "other", language=lang or "ru",
                                  sex=sex or "f"))
    if n == 0:
        raise RosterError(str(p), ["the file has a header but no participants"])
    return RosterRead(people, problems, n)
