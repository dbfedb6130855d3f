"""A participant's link as the pages see it: the form it opens, its spec, and whose link it is."""

from __future__ import annotations

from typing import Any

from flask import url_for

from automation.forms.known import known_answers, without_known
from automation.model import Participant
from automation.store import FormRecord


class Link:
    """A resolved link: the form, its spec, and whose link it is.

    ``kind`` is ``"t"`` for a personal token (``/t/<token>``, ``pid`` her participant
    id) or ``"f"`` for a form's public id (``/f/<external_id>``, ``pid`` None);
    ``form`` is the stored form; ``spec`` the :class:`~automation.model.FormSpec` she is shown: on a
    personal link, without the questions her roster row answers (``known``, stored with her response:
    :mod:`automation.forms.known`); ``full_spec`` the form's whole spec.
    """

    def __init__(self, kind: str, token: str, form: FormRecord, pid: str | None,
                 participant: Participant | None = None):
        self.kind, self.token, self.form, self.pid = kind, token, form, pid
        self.full_spec = form.spec()
        self.known = known_answers(self.full_spec, participant) if pid else {}
        self.spec = without_known(self.full_spec, self.known)

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
