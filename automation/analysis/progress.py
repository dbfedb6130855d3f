"""A form's live progress for the console's Forms page: responses, and the response rate by oblast against
the people invited (:func:`automation.analysis.rates.invited_oblasts`), and who has not answered yet.

The names of non-respondents are for the admin's reminders only (DESIGN.md principle 8): the console shows
them to the admin role and to nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from automation.analysis.rates import invited_oblasts
from automation.model import Participant
from automation.store import FormRecord, Store


@dataclass(frozen=True)
class OblastRate:
    """One oblast's line: its code ("" when unknown), invited and answered participants."""

    oblast: str
    invited: int
    answered: int

    @property
    def rate(self) -> float | None:
        """answered / invited, or None when nobody was invited."""
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True)
class FormProgress:
    """A form's progress: its record, responses stored (anonymous ones too), invited and answered participants,
    the lines by oblast (largest first), and the invited active participants who have not answered."""

    form: FormRecord
    responses: int
    invited: int
    answered: int
    by_oblast: list[OblastRate]
    pending: list[Participant]

    @property
    def rate(self) -> float | None:
        """answered / invited, or None for a public form or nobody invited."""
        return self.answered / self.invited if self.invited else None


def form_progress(store: Store, form: FormRecord) -> FormProgress:
    """The progress of ``form`` now (reads the store only)."""
    responses = store.responses.count(form.form_key)
    invited = invited_oblasts(store, form)
    if invited is None:  # a public link: anonymous answers, no rate
        return FormProgress(form, responses, 0, 0, [], [])
    answered = store.responses.respondents(form.form_key) & set(invited)
    lines: dict[str, list[int]] = {}
    for pid, oblast in invited.items():
        line = lines.setdefault(oblast, [0, 0])
        line[0] += 1
        line[1] += pid in answered
    by_oblast = sorted((OblastRate(o, n, a) for o, (n, a) in lines.items()), key=lambda r: (-r.invited, r.oblast))
    pending = [p for p in store.roster.participants(active_only=True) if p.id in invited and p.id not in answered]
    return FormProgress(form, responses, len(invited), len(answered), by_oblast, pending)
