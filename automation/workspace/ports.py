"""The ports (typing.Protocol) that jobs depend on; ``local/`` and ``google/`` implement them.

Adapters translate between the model and a backend's objects and hold no
business rules (DESIGN.md principle 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from automation.model import FormSpec, Participant


@dataclass(frozen=True)
class CreatedForm:
    """What a backend returns for a new form: its own id and the public (responder) URL."""

    external_id: str
    url: str


@dataclass(frozen=True)
class FetchedResponse:
    """A response in the model's terms (answers keyed by template question id, see automation.forms.answers)."""

    response_id: str
    submitted_at: datetime  # UTC
    answers: dict[str, Any]
    respondent_email: str | None = None
    participant_id: str | None = None
    raw: dict[str, Any] | None = None


class FormsPort(Protocol):
    backend: str

    def create_form(self, form_key: str, spec: FormSpec, deadline: datetime) -> CreatedForm:
        """Create and publish a form accepting responses; one call sequence per form."""

    def personal_links(self, form_key: str, external_id: str, url: str,
                       participants: list[Participant]) -> dict[str, str]:
        """A link per participant id (token link locally, pre-filled link on Google); idempotent."""

    def close_form(self, external_id: str) -> None:
        """Stop accepting responses."""

    def fetch_responses(self, form_key: str, external_id: str, spec: FormSpec,
                        since: datetime | None) -> list[FetchedResponse]:
        """Responses submitted after ``since`` (all when None) not yet in the store."""


class SheetsPort(Protocol):
    def write_responses(self, form_key: str, title: str, header: list[str], rows: list[list[Any]]) -> str:
        """Replace the form's worksheet with ``header`` + ``rows`` in one write; return where it is."""


class LookupUnavailable(Exception):
    """The mail backend cannot tell whether a message was sent (e.g. Gmail with send-only scope)."""


class MailPort(Protocol):
    def send(self, msg: EmailMessage, envelope_to: list[str]) -> str:
        """Send one RFC 5322 message; return the provider's message id.  Raises DeliveryError."""

    def find_sent(self, message_id: str) -> str | None:
        """The provider id of an already-sent message with this Message-ID, or None.

        Raises :class:`LookupUnavailable` when the backend cannot look it up.
        """


class GroupPort(Protocol):
    address: str

    def members(self) -> set[str]:
        """E-mail addresses currently in the group (lower-case)."""

    def envelope(self) -> list[str]:
        """Envelope recipients of one mail to the whole group (the group address itself where a
        real group delivers; the members where the roster is the list)."""

    def apply(self, add: list[str], remove: list[str]) -> None:
        """Add and remove members (batched)."""


class FilesPort(Protocol):
    def publish(self, path: Path) -> str:
        """Make a file available to the mentor; return a link (a path locally)."""
