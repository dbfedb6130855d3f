"""Forms on the local backend: the store is the form service; responses arrive through :meth:`LocalForms.submit`.

The web forms (``python main.py serve``) and the demo's simulated respondents
both call :meth:`submit`; a response lands in the same ``responses`` table that
Google responses are synced into, so analysis cannot tell them apart.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import datetime
from typing import Any

from automation.forms.answers import check_answers
from automation.forms.known import known_answers
from automation.errors import AutomationError
from automation.model import FormSpec, Participant, parse_iso, utc_now
from automation.store import FormRecord, Store
from automation.workspace.ports import CreatedForm, FetchedResponse


class FormClosed(AutomationError):
    """The form no longer accepts responses (closed or past its deadline)."""


class UnknownLink(AutomationError):
    """The link does not belong to any form (mistyped, or from another installation)."""


class InvalidResponse(AutomationError):
    """Answers failed validation; ``problems`` maps question id to a problem code (automation.forms.answers)."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


#: The characters of a token drawn from a seeded generator: the URL-safe base64 alphabet of
#: ``secrets.token_urlsafe``, so seeded and real tokens look alike in links.
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class LocalForms:
    """FormsPort on the local backend: the store holds the forms, the web forms take the answers.

    ``base_url`` is where ``python main.py serve`` is reached (links are
    ``{base_url}/f/<form id>`` and ``{base_url}/t/<personal token>``).  Link
    tokens are unguessable (``secrets.token_urlsafe``) unless ``rng`` is given:
    then each token of ``n`` bytes is ``n + n // 3`` characters of
    :data:`TOKEN_CHARS` drawn from ``rng``, so a seeded run (the demo, tests)
    makes the same links, and so the same mails, every time.

    :meth:`resolve` and :meth:`submit` (the respondent's side) are this
    implementation's own methods, not part of the port: the web forms and the
    demo's simulated respondents hold a ``LocalForms`` to call them.
    """

    backend = "local"

    def __init__(self, store: Store, base_url: str, rng: random.Random | None = None):
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.rng = rng

    def token(self, nbytes: int) -> str:
        """A link token carrying about ``nbytes`` bytes of randomness (URL-safe characters)."""
        if self.rng is None:
            return secrets.token_urlsafe(nbytes)
        return "".join(self.rng.choice(TOKEN_CHARS) for _ in range(nbytes + nbytes // 3))

    def create_form(self, form_key: str, spec: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> CreatedForm:
        """A new form id (a 9-byte token) and its public link; no call, the jobs store the form (and its
        ``context``, which the web form page shows)."""
        external_id = self.token(9)
        return CreatedForm(external_id, f"{self.base_url}/f/{external_id}")

    def personal_links(self, form_key: str, external_id: str, url: str,
                       participants: list[Participant]) -> dict[str, str]:
        """``{participant id: {base_url}/t/<token>}``, a 16-byte token each, recorded in ``form_links``.

        Idempotent: a participant who already has a token for this form keeps it.
        """
        with self.store.transaction():
            self.store.forms.add_links(form_key, {p.id: self.token(16) for p in participants})
            tokens = self.store.forms.links(form_key)
        wanted = {p.id for p in participants}
        return {pid: f"{self.base_url}/t/{token}" for pid, token in tokens.items() if pid in wanted}

    def close_form(self, external_id: str) -> None:
        """Nothing to do: the store's ``forms.status`` (set by the job) is what the web forms check."""

    def update_form(self, external_id: str, old: FormSpec, new: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> None:
        """Nothing to do: the web forms read the spec and deadline the edit stores (:mod:`automation.forms.edit`)."""

    def fetch_responses(self, form_key: str, external_id: str, spec: FormSpec,
                        since: datetime | None) -> list[FetchedResponse]:
        """Local responses are written to the store as they are submitted: nothing to fetch."""
        return []

    # --- the respondent's side -------------------------------------------------
    def resolve(self, token: str, kind: str | None = None) -> tuple[FormRecord | None, str | None]:
        """``(form, participant id)`` for a personal token or a form's public id.

        ``kind`` says where the link was found: ``"t"`` a personal token only
        (``/t/<token>``), ``"f"`` a form's public id only (``/f/<external_id>``),
        None either (a personal token first).  The participant id is None for a
        public id; the form is None for a personal token whose form is no
        longer in the store.  Raises :class:`UnknownLink`.
        """
        if kind != "f":
            link = self.store.forms.link(token)
            if link:
                return self.store.forms.get(link.form_key), link.participant_id
            if kind == "t":
                raise UnknownLink("This link is not known. Check that it was copied whole.")
        form = self.store.forms.by_public_id(token)
        if form is None:
            raise UnknownLink("This link is not known. Check that it was copied whole.")
        return form, None

    def submit(self, token: str, answers: dict[str, Any], now: datetime | None = None,
               response_id: str | None = None) -> str:
        """Store a response given through a personal token (or a public form id).

        One response per personal token: submitting again before the deadline
        replaces it.  On a personal token, the questions her roster row answers
        (:func:`automation.forms.known.known_answers`) are stored with the roster's
        answers.  Returns the response id.  Raises :class:`UnknownLink`,
        :class:`FormClosed`, :class:`InvalidResponse`.
        """
        now = now or utc_now()
        form, pid = self.resolve(token)
        if form is None:
            raise UnknownLink("This link is not known. Check that it was copied whole.")
        if not accepts_answers(form, now):
            raise FormClosed("The form is closed: its deadline has passed.")
        if pid is None:
            if not takes_anonymous(form):
                raise UnknownLink("This form takes answers through personal links only.")
        spec = form.spec()
        p = self.store.roster.get(pid) if pid else None
        clean = {k: v for k, v in answers.items() if v not in (None, "", [], {})}
        clean.update(known_answers(spec, p))  # her personal link does not ask what the roster knows
        problems = check_answers(spec, clean)
        if problems:
            raise InvalidResponse(problems)
        if response_id is None:
            basis = f"{form.form_key}|{pid}" if pid else f"{form.form_key}|{secrets.token_hex(8)}"
            response_id = "lr_" + hashlib.sha256(basis.encode()).hexdigest()[:16]
        self.store.responses.add(form.form_key, [{
            "response_id": response_id, "participant_id": pid, "respondent_email": p.email if p else None,
            "submitted_at": now, "answers": clean, "raw": {"answers": clean, "via": "local"},
        }], source="local")
        return response_id


def accepts_answers(form: FormRecord, now: datetime) -> bool:
    """Whether the form takes answers at ``now`` (aware): its status is ``open``
    and ``now`` is not past its deadline (the deadline itself still counts).

    The one copy of the rule, for :meth:`LocalForms.submit` and the web forms (automation.web.app).
    """
    return not (form.status != "open" or now > parse_iso(form.deadline))


def takes_anonymous(form: FormRecord) -> bool:
    """Whether the form takes answers through its public link (no personal token): only when the plan made
    it ``audience: public``.  A form sent to the roster (personal links) refuses its public link even if its
    template allows anonymous answers: an open link would let anyone add answers to the members' form."""
    return form.audience == "public"
