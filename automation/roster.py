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

from automation.csvtext import decode_csv, is_utf16, sniff_delimiter
from automation.errors import RosterError
from automation.model import OBLASTS, ROLES, Participant

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
#: The longest value each field may hold (characters): a longer cell is a pasted text or a wrong column.
MAX_LENGTH = {"name": 200, "email": 254, "phone": 40, "oblast": 100, "municipality": 200, "role": 100,
              "language": 40, "sex": 20}
#: Characters a roster cell must not hold: the C0 and C1 control characters (NUL among them) and DEL.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

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
    """The role code (see ``automation.model.ROLES``) of a cell in Russian, Kyrgyz or as a code; ``other`` for an empty
    cell; None when it is not recognised.
    """
    v = _norm(value)
    if not v:
        return "other"
    for code, names in ROLES.items():
        if v in (code, _norm(names["ru"]), _norm(names["ky"])):
            return code
    alias = {"депутат": "deputy", "депутатка": "deputy", "кандидат": "candidate", "активист": "activist",
             "муниципальный служащий": "municipal_servant", "мунслужащий": "municipal_servant"}
    return alias.get(v)


def validate_person(name: str, email: str, oblast: str, role: str, language: str, phone: str = "",
                    sex: str = "") -> tuple[dict[str, str], list[str]]:
    """Normalise one person's fields; returns (clean fields, problems).  The rules of :func:`read_roster`."""
    errs = []
    if not name.strip():
        errs.append("name is empty")
    em = email.strip().lower()
    if not em:
        errs.append("email is empty")
    elif not EMAIL_RE.match(em) or ".." in em:
        errs.append(f"email {email!r} is not a valid e-mail address")
    ob = oblast_code(oblast)
    if ob is None:
        errs.append(f"oblast {oblast!r} is unknown (use one of: " + ", ".join(v["ru"] for v in OBLASTS.values()) + ")")
    rc = role_code(role)
    if rc is None:
        errs.append(f"role {role!r} is unknown (use one of: {', '.join(ROLES)})")
    lg = _LANGS.get(_norm(language))
    if lg is None:
        errs.append(f"language {language!r} must be ky or ru")
    sx = _SEX.get(_norm(sex))
    if sx is None:
        errs.append(f"sex {sex!r} must be f or m")
    digits = re.sub(r"\D", "", phone)
    if phone.strip() and not 9 <= len(digits) <= 12:
        errs.append(f"phone {phone!r} does not look like a phone number (+996 XXX XXX XXX)")
    return {"name": name.strip(), "email": em, "oblast": ob or "", "role": rc or "other", "language": lg or "ru",
            "sex": sx or "f", "phone": phone.strip()}, errs


#: A «?» next to a letter: what Excel leaves of ө, ү, ң (and other letters Windows-1251 lacks) when it saves a
#: CSV in that encoding ("CSV (разделители - запятые)" in a Russian Windows).
LOST_LETTER_RE = re.compile(r"(?<=\w)\?|\?(?=\w)")
#: Fields holding names in words, where such a «?» means letters were lost.
WORD_FIELDS = ("name", "municipality")


def field_problems(field: str, value: str) -> list[str]:
    """What is wrong with the text of one field, whatever the field's own rules: a control character (a NUL
    byte, say; its position named), more characters than :data:`MAX_LENGTH` allows, or, in a name
    (:data:`WORD_FIELDS`), a «?» in place of a letter (:data:`LOST_LETTER_RE`).  [] when it is fine."""
    out = []
    if field in WORD_FIELDS and LOST_LETTER_RE.search(value):
        out.append(f"«{value[:60]}» has «?» in place of letters: the file was saved in an encoding without the "
                   "Kyrgyz letters ө ү ң (Windows-1251), which replaced them. In Excel use File → Save as → "
                   "CSV UTF-8, and import that file")
    m = CONTROL_RE.search(value)
    if m:
        out.append(f"control character U+{ord(m.group()):04X} at character {m.start() + 1} of the {field}: "
                   "a roster cell holds plain text only (was the file written by another program? remove it)")
    limit = MAX_LENGTH.get(field)
    if limit is not None and len(value) > limit:
        out.append(f"the {field} has {len(value)} characters, at most {limit} are expected (is this the right "
                   "column, or did a text get pasted into it?)")
    return out


def participant_id(email: str) -> str:
    """Stable, non-reversible id derived from the e-mail address (lower-cased)."""
    return "p_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


@dataclass(frozen=True)
class RosterRead:
    """A read roster file: the valid ``participants``, the ``problems`` (``line N: what is wrong``), and how many data
    ``rows`` the file had.
    """
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
    if raw[:4] == b"PK\x03\x04":
        raise RosterError(str(p), ["this is an Excel workbook (.xlsx), not a text CSV file: in Excel use "
                                   "File → Save as → CSV UTF-8, and import that file"])
    if (b"\x00" in raw[:4096] and not is_utf16(raw)) or raw[:8] == b"\x89PNG\r\n\x1a\n":
        raise RosterError(str(p), ["this is not a text CSV file (it looks like a picture or another binary file)"])
    text = decode_csv(raw, p, RosterError)
    if not text.strip():
        raise RosterError(str(p), ["the file is empty: it needs a header row and one row per participant"])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.splitlines()[0]))
    header = next(reader)
    cols: dict[str, int] = {}
    twice: list[str] = []
    for i, h in enumerate(header):
        hn = _norm(h)
        for field, names in _HEADERS.items():
            if hn in names:
                if field in cols:
                    j = cols[field]
                    twice.append(f"line 1: columns {j + 1} «{header[j].strip()}» and {i + 1} «{h.strip()}» both hold "
                                 f"the {field}; expected one {field} column: delete or rename the other")
                else:
                    cols[field] = i
                break
    if twice:
        raise RosterError(str(p), twice)
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
        if len(row) > len(header) or any(cols[f] >= len(row) for f in REQUIRED):
            hint = "a comma inside a value needs quotes" if len(row) > len(header) else "a missing comma or cell?"
            errs.append(f"{len(row)} cells, but the header has {len(header)} ({hint})")
            problems.append(f"line {line}: " + "; ".join(errs))
            continue
        cell_errs = [f"column {cols[f] + 1} «{header[cols[f]].strip()}»: {e}" for f in cols
                     for e in field_problems(f, row[cols[f]].strip())]
        if cell_errs:
            problems.append(f"line {line}, " + f"; line {line}, ".join(cell_errs))
            continue
        clean, problems_ = validate_person(get("name"), get("email"), get("oblast"), get("role"), get("language"),
                                           get("phone"), get("sex"))
        errs += problems_
        email = clean["email"]
        if not problems_ and email in seen:
            errs.append(f"email {email} is already on line {seen[email]}")
        if errs:
            problems.append(f"line {line}: " + "; ".join(errs))
            continue
        seen[email] = line
        people.append(Participant(id=participant_id(email), municipality=get("municipality"), **clean))
    if n == 0:
        raise RosterError(str(p), ["the file has a header but no participants"])
    return RosterRead(people, problems, n)


_GROUP_EMAIL_HEADERS = ("email address", "member email", "email", "адрес электронной почты", "электронная почта")
_GROUP_NAME_HEADERS = ("nickname", "member name", "name", "display name", "псевдоним", "имя")


def read_group_export(path: str | Path) -> RosterRead:
    """Read the member list exported from Google Groups (groups.google.com "Export members", or the
    Admin console's members CSV): a header row with an e-mail column ("Email address" / "Member Email")
    and optionally a name column ("Nickname" / "Member Name"); title lines above the header are skipped.

    Members get no oblast and language ``ky`` (the export has neither): the admin completes them in the
    roster CSV.  Returns the members and every problem (bad address, duplicate) with its line number.
    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise RosterError(str(p), [f"cannot read the file as UTF-8 text ({e})"]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for hi, header in enumerate(rows):
        names = [_norm(h) for h in header]
        ecol = next((i for i, h in enumerate(names) if h in _GROUP_EMAIL_HEADERS), None)
        if ecol is not None:
            break
    else:
        raise RosterError(str(p), ["no e-mail column: expected a Google Groups export with an "
                                   "'Email address' or 'Member Email' column"])
    ncol = next((i for i, h in enumerate(names) if h in _GROUP_NAME_HEADERS), None)
    for label, wanted in (("e-mail", _GROUP_EMAIL_HEADERS), ("name", _GROUP_NAME_HEADERS)):
        both = [i for i, h in enumerate(names) if h in wanted]
        if len(both) > 1:
            raise RosterError(str(p), [f"line {hi + 1}: columns " + " and ".join(f"{i + 1} «{header[i].strip()}»"
                                                                                for i in both)
                                       + f" all hold the {label}; expected one {label} column: delete the others"])
    people, problems, seen = [], [], set()
    for i, row in enumerate(rows[hi + 1:], start=hi + 2):
        if not any(c.strip() for c in row):
            continue
        cells = [(c, f) for c, f in ((ecol, "email"), (ncol, "name")) if c is not None and c < len(row)]
        bad = [f"column {c + 1} «{header[c].strip()}»: {e}" for c, f in cells for e in field_problems(f, row[c].strip())]
        if bad:
            problems.append(f"line {i}, " + f"; line {i}, ".join(bad))
            continue
        email = row[ecol].strip().lower() if ecol < len(row) else ""
        if not EMAIL_RE.match(email):
            problems.append(f"line {i}: email {email!r} is not a valid e-mail address")
            continue
        if email in seen:
            problems.append(f"line {i}: email {email} appears twice")
            continue
        seen.add(email)
        name = (row[ncol].strip() if ncol is not None and ncol < len(row) else "") or email.split("@")[0]
        people.append(Participant(id=participant_id(email), name=name, email=email, language="ky"))
    return RosterRead(people, problems, len(people) + len(problems))


def is_group_export(path: str | Path) -> bool:
    """True when the CSV looks like a Google Groups export rather than the club's roster."""
    try:
        head = Path(path).read_bytes()[:4096].decode("utf-8-sig", errors="replace").lower()
    except OSError:
        return False
    first = head.splitlines()[0] if head.strip() else ""
    names = {_norm(h) for h in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])}
    if all(names & set(_HEADERS[f]) for f in REQUIRED):  # the roster's own header ("Email address", "Region" ...)
        return False
    return ("member email" in head or "email address" in head or "nickname" in head) and "oblast" not in head \
        and "область" not in head
