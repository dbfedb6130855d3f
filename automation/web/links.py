"""A participant's link as the pages see it, and her previous response (read from the store)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from flask import url_for

from automation.model import form_spec_from_json
from automation.store import Store


class Link:
    """A resolved link: the form row, its spec, and whose link it is.

    ``kind`` is ``"t"`` for a personal token (``/t/<token>``, ``pid`` her participant
    id) or ``"f"`` for a form's public id (``/f/<external_id>``, ``pid`` None);
    ``form`` is the ``forms`` row, ``spec`` its :class:`~automation.model.FormSpec`.
    """

    def __init__(self, kind: str, token: str, form: sqlite3.Row, pid: str | None):
        self.kind, self.token, self.form, self.pid = kind, token, form, pid
        self.spec = form_spec_from_json(json.loads(form["spec_json"]))

    @property
    def public(self) -> bool:
        """True for a form's public link (no participant)."""
        return self.pid is None

    def endpoint(self, done: bool = False) -> str:
        """The Flask endpoint of the link's form page, or of its thank-you page when ``done``."""
        return ("personal" if self.kind == "t" else "public") + ("_done" if done else "")

    def url(self, done: bool = False, **kw: Any) -> str:
        """The URL of the link's form page (its thank-you page when ``done``); ``kw`` become query arguments.
        Needs a Flask request context."""
        arg: dict[str, Any] = {"token": self.token} if self.kind == "t" else {"external_id": self.token}
        return url_for(self.endpoint(done), **arg, **kw)


def previous_response(store: Store, form_key: str, participant_id: str) -> sqlite3.Row | None:
    """Her latest response to the form (``response_id``, ``answers_json``, ``submitted_at``), or None."""
    return store.db.execute(
        "SELECT response_id, answers_json, submitted_at FROM responses WHERE form_key = ? AND participant_id = ?"
        " ORDER BY submitted_at DESC LIMIT 1", (form_key, participant_id)).fetchone()

