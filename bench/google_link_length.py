"""Length of a Google personal (pre-filled) link with and without the roster's answers pre-filled.

Usage: ``.venv/bin/python bench/google_link_length.py`` — the needs assessment (questions ``oblast`` and
``role``) for every participant of ``examples/club2022/roster.csv``; no network, no API call (links are
built locally).  The responder link stands in for Google's (``/forms/d/e/<56 characters>/viewform``, the
length of the ids Google hands out); labels are percent-encoded UTF-8, so each Cyrillic letter costs 6
characters of the link.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from automation.forms.templates import load_templates  # noqa: E402
from automation.roster import read_roster  # noqa: E402
from automation.store import Store  # noqa: E402
from automation.workspace.google import GoogleForms, Memo  # noqa: E402


def main() -> None:
    """Print the shortest, median and longest link of the roster, with and without the roster's answers."""
    spec = load_templates()["needs_assessment"]
    people = read_roster(ROOT / "examples/club2022/roster.csv").participants
    store = Store(":memory:")
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, backend, external_id, url,"
        " spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,?,?,?,?,'open','x','x','x')",
        ("needs", spec.id, spec.version, spec.kind, "ev", "google", "F", "u", json.dumps(spec.to_json())))
    url = "https://docs.google.com/forms/d/e/" + "1FAIpQLS" + "x" * 48 + "/viewform"
    for name, memo in (("code only", Memo()), ("code + roster answers", Memo(store))):
        sizes = sorted(len(v) for v in GoogleForms(None, memo).personal_links("needs", "F", url, people).values())
        print(f"{name:>22}: {len(sizes)} links, {sizes[0]}–{sizes[len(sizes) // 2]}–{sizes[-1]} characters "
              "(shortest–median–longest)")


if __name__ == "__main__":
    main()
