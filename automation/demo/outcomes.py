"""The demo's outcomes of the School: simulated graduation and election results, entered as an admin would
(a CSV imported by :func:`automation.analysis.indicators.import_outcomes`)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from automation.analysis.indicators import import_outcomes
from automation.store import Store


def simulate_outcomes(store: Store, rng: Any, path: str | Path, event_id: str = "school_2021",
                      p_elected: float = 0.3, election: str = "2021-04-11 local elections") -> Path:
    """Write a plausible outcomes CSV for the School's accepted applicants (the demo) and import it:
    graduated = answered a form of ``event_id`` (attended the School); each graduate elected with
    probability ``p_elected`` (seed 004: about 80 of 200 trained became deputies)."""
    attended = {r.participant_id for f in store.forms.all() if f.event_id == event_id
                for r in store.responses.list(f.form_key) if r.participant_id}
    from_school = set(store.roster.ids_from_source("school"))
    people = [p for p in store.roster.participants(active_only=False) if p.id in from_school]
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["email", "graduated", "elected", "election"])
        for person in sorted(people, key=lambda x: x.email):
            g = person.id in attended
            w.writerow([person.email, "yes" if g else "no", ("yes" if rng.random() < p_elected else "no") if g else "",
                        election])
    import_outcomes(store, p)
    return p
