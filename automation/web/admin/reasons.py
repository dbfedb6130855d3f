"""What the console shows of the library's English lines, in plain Russian or Kyrgyz: the ledger's reasons
(:mod:`automation.reasons`, shared with the command line's ``plan check``), a button's outcome line
("[KEY: ]STATUS: DETAIL") and the library's other messages (:mod:`automation.web.admin.words`).  A line no
pattern knows is shown as it is; the original line is always shown beside the plain one, so nothing is lost
in translation.
"""

from __future__ import annotations

import re

from automation.reasons import plain_reason as ledger_reason
from automation.web.admin.texts import status_words
from automation.web.admin.words import library_words

#: An outcome line of a button: "[KEY: ]STATUS: DETAIL" (automation/web/admin/forms.py, today.py; the audit log).
_OUTCOME = re.compile(r"^(?:(?P<key>[\w.-]+): )?(?P<status>done|deferred|failed|skipped|unknown): (?P<rest>.*)$", re.S)

_UNKNOWN = ("Исход неизвестен", "Жыйынтыгы белгисиз")


def plain_reason(detail: str, lang: str) -> str | None:
    """The ledger's ``detail``, a button's outcome line or a library message (:mod:`automation.web.admin.words`)
    in plain ``lang`` (``ru`` or ``ky``), or None when no pattern knows it.  The one place the console turns
    the library's English into the page's language."""
    m = _OUTCOME.match(detail)
    if m:
        rest = ledger_reason(m["rest"], lang) or library_words(m["rest"], lang)
        if rest is None or m["status"] == "done":
            return rest
        word = _UNKNOWN[lang == "ky"] if m["status"] == "unknown" else status_words(m["status"], lang)
        return f"{word[:1].upper()}{word[1:]}. {rest}"
    return ledger_reason(detail, lang) or library_words(detail, lang)
