"""The commission and its settings: ``commission.yaml`` (members, the School's start date, target sizes,
how many applications to flag for discussion), validated with every bad field named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from automation.checker import read_yaml

from automation.errors import ValidationError
from automation.programmes.school.criteria import SCHOOL_START
from automation.programmes.school.scores import member_key
from automation.programmes.school.selection import Targets


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
    data = read_yaml(p, ValidationError, "(the commission: members:, school_start:, targets: ...)")
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
