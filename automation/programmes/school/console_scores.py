"""The commission's scores entered in the console (the School page), beside the per-member workbooks.

A member scores one coded application at a time; each score is read by
:func:`automation.programmes.school.scores.cell_problems` (the same rules and messages as a scores CSV or
workbook) and stored in ``school_scores``.  The secretariat's check and ranking take the stored scores as
:class:`ScoresRead` rows through :func:`check_scores` and :func:`score_applications`, exactly as
``python main.py school score`` does with files; :func:`write_console_scores` writes them as a scores CSV for
``school finalize``.  The member is the account's e-mail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from automation.errors import AutomationError, ValidationError
from automation.programmes.school.criteria import CRITERIA
from automation.programmes.school.scores import Problem, ScoreRow, ScoresRead, cell_problems, check_scores, write_scores_csv
from automation.programmes.school.scoring import Scoring, score_applications
from automation.store import Store


def save_scores(store: Store, code: str, member: str, typed: dict[int, str], now: datetime) -> int:
    """Store ``member``'s scores of application ``code`` (criterion number → the score as typed; an empty one is
    left out, so a member may save part of her scores).  Returns how many were stored.

    Raises :class:`AutomationError` for a code that is not a coded application, and :class:`ValidationError`
    listing every bad score (out of range, not a number) — nothing is stored then.
    """
    if code not in set(store.school.codes().values()):
        raise AutomationError(f"no coded application {code[:40]!r}; nothing was stored")
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    for c in CRITERIA:
        raw = typed.get(c.number, "")
        if not str(raw).strip():
            continue
        row, probs = cell_problems(code, member, c.number, raw, f"{code}, criterion {c.number}", None)
        problems += probs
        if row is not None:
            rows.append(row)
    if problems:
        raise ValidationError(f"scores of {code}", [p.message for p in problems])
    store.school.set_console_scores(code, member, {r.criterion: r.score for r in rows}, now)
    return len(rows)


def stored_scores(store: Store) -> ScoresRead:
    """The console's scores as a :class:`ScoresRead` (``where``: ``console``; ``digest`` over every score)."""
    rows = [ScoreRow(code, member, crit, score, "console") for code, member, crit, score in store.school.console_scores()]
    text = "\n".join(f"{r.code},{r.member},{r.criterion},{r.score}" for r in rows)
    return ScoresRead(rows, [], "console", hashlib.sha256(text.encode()).hexdigest())


@dataclass(frozen=True)
class ConsoleRanking:
    """The secretariat's check of the console's scores: every ``problem`` (missing scores first of all) and,
    when there is none, the ``scoring`` (ranking, spreads, agreement)."""

    problems: list[Problem]
    scoring: Scoring | None


def console_ranking(store: Store, members: list[str]) -> ConsoleRanking:
    """Check the console's scores against the coded applications and the commission ``members`` (their
    e-mails) and rank them when complete (:func:`check_scores`, :func:`score_applications`)."""
    read = stored_scores(store)
    known = sorted(set(store.school.codes().values()))
    problems = check_scores(read, known_codes=known, members=members or None,
                            expected_members=len(members) or None)
    if problems or not read.rows:
        return ConsoleRanking(problems, None)
    return ConsoleRanking([], score_applications(read.rows, members=members))


def write_console_scores(store: Store, path: str | Path) -> Path:
    """Write the console's scores as a ``code,member,criterion,score`` CSV (for ``school finalize``)."""
    return write_scores_csv(stored_scores(store).rows, path)
