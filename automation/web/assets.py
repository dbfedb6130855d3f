"""The form pages' CSS and JavaScript, written into each page, with their Content-Security-Policy sources.

On a village link every request costs a round trip of about 2 s (issue 15): a page that carries
its CSS and JS costs one request instead of three.  The policy allows exactly these texts, by
their SHA-256, so no other inline script or style can run.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from markupsafe import Markup

from automation.errors import AutomationError


def inline_asset(path: Path) -> tuple[Markup, str]:
    """The text of ``path`` as written inside a ``<script>``/``<style>`` element, and its CSP source
    ``'sha256-…'``.  Raises :class:`AutomationError` if the text holds ``</`` (it could end the element)."""
    text = path.read_text(encoding="utf-8")
    if "</" in text:
        raise AutomationError(f"{path.name} must not contain '</': it is written inside a <script>/<style> element")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return Markup(text), f"'sha256-{digest}'"
