"""The ports (typing.Protocol) that jobs depend on; ``local/`` and ``google/`` implement them.

Adapters translate between the model and a backend's objects and hold no
business rules (DESIGN.md principle 2).  A job reaches them through
``Context.backend``, a :class:`Backend`: the five ports plus capability flags,
so that no caller needs to know which backend it holds.

What each port promises is pinned by the contract suites in
``tests/contract/`` (one shared test class per port, subclassed by each
implementation, as django-anymail does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from automation.errors import BackendError
from automation.model import FormSpec, Participant


@dataclass(frozen=True)
class CreatedForm:
    """What a backend returns for a new form: its own id and the public (responder) URL."""

    external_id: str
    url: str


@dataclass(frozen=True)
class FetchedResponse:
    """A response in the model's terms (answers keyed by template question id, see automation.forms.answers).

    ``submitted_at`` is an aware UTC datetime; ``participant_id`` is set when
    the response came through her personal link; ``raw`` is what the backend
    returned (kept in the store as is).
    """

    response_id: str
    submitted_at: datetime  # UTC
    answers: dict[str, Any]
    respondent_email: str | None = None
    participant_id: str | None = None
    raw: dict[str, Any] | None = None


class FormsPort(Protocol):
    """Forms: create and close them, hand out personal links, fetch the responses.

    ``backend`` names the implementation (``local`` or ``google``); the jobs
    store it with each form and each response as its source.
    """

    backend: str

    def create_form(self, form_key: str, spec: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> CreatedForm:
        """Create and publish a form accepting responses; one call sequence per form.

        ``context``: what the form pages say about the form (the event's ``event`` {ky, ru} title,
        ``start``/``end`` UTC ISO, ``contact``), as the form job stores it in ``forms.context_json``; a
        backend whose form shows its own description (Google) names the event and its date there.

        Returns the backend's id and the public URL; raises
        :class:`~automation.errors.BackendError` when the backend refuses.
        """

    def personal_links(self, form_key: str, external_id: str, url: str,
                       participants: list[Participant]) -> dict[str, str]:
        """A link per participant id (token link locally, pre-filled link on Google); idempotent.

        Asking again for the same participants returns the same links; each
        link is recorded in the store's ``form_links`` (who was invited).
        """

    def close_form(self, external_id: str) -> None:
        """Stop accepting responses."""

    def update_form(self, external_id: str, old: FormSpec, new: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> None:
        """Correct a form already sent: ``new`` replaces ``old`` (checked by :mod:`automation.forms.edit`, so no
        stored answer loses its meaning) and ``deadline`` (aware) is the closing time shown; ``context`` as in
        :meth:`create_form`.  All or nothing;
        raises :class:`~automation.errors.BackendError` when the backend refuses."""

    def fetch_responses(self, form_key: str, external_id: str, spec: FormSpec,
                        since: datetime | None) -> list[FetchedResponse]:
        """Responses submitted after ``since`` (all when None) not yet in the store.

        A backend that writes responses to the store as they are submitted
        (the local web forms) returns ``[]``.  The store keys responses by id,
        so a response returned twice is stored once.
        """


class SheetsPort(Protocol):
    """Worksheets of responses: one per form, rewritten whole at each sync."""

    def write_responses(self, form_key: str, title: str, header: list[str], rows: list[list[Any]]) -> str:
        """Replace the form's worksheet with ``header`` + ``rows`` in one write; return where it is.

        Respondent text is written as text, never as a formula (DESIGN.md
        principle 5).  Returns a path (local) or a URL (Google).
        """


class LookupUnavailable(BackendError):
    """The mail backend cannot tell whether a message was sent (e.g. Gmail with send-only scope).

    Raised by :meth:`MailPort.find_sent`; the mail job then marks the message
    ``unknown`` and tells the admin instead of sending it a second time.
    """


class MailPort(Protocol):
    """Sending mail exactly once: send, and look a sent message up after a crash (DESIGN.md principle 7).

    ``can_find_sent`` is True when :meth:`find_sent` can always answer (so a
    None from it means "certainly not sent"); False when it may raise
    :class:`LookupUnavailable`.
    """

    @property
    def can_find_sent(self) -> bool:
        """Whether :meth:`find_sent` answers for every message (never raises :class:`LookupUnavailable`)."""

    def send(self, msg: EmailMessage, envelope_to: list[str]) -> str:
        """Send one RFC 5322 message; return the provider's message id.  Raises DeliveryError."""

    def find_sent(self, message_id: str) -> str | None:
        """The provider id of an already-sent message with this Message-ID, or None.

        Raises :class:`LookupUnavailable` when the backend cannot look it up.
        """


class GroupPort(Protocol):
    """The club's mailing list: a real group that delivers by itself, or the roster standing in for one.

    ``address`` is the group's address (the To of every group mail);
    ``note`` is what ``roster sync-group`` tells the admin instead of
    synchronising when there is nothing to bring in line for a reason of its
    own (e.g. a gmail.com account has no groups API); empty otherwise.
    """

    address: str
    note: str

    def members(self) -> set[str]:
        """E-mail addresses currently in the group (lower-case)."""

    def envelope(self) -> list[str]:
        """Envelope recipients of one mail to the whole group (the group address itself where a
        real group delivers; the members where the roster is the list)."""

    def apply(self, add: list[str], remove: list[str]) -> None:
        """Add and remove members (batched)."""


class FilesPort(Protocol):
    """Files for the mentor (the report and its charts)."""

    def publish(self, path: Path) -> str:
        """Make a file available to the mentor; return a link (a ``file://`` URI locally)."""


class Backend(Protocol):
    """The five ports of one backend, and what it can do, so that callers ask instead of testing its name.

    Capability flags (read-only):

    * ``has_real_group`` — the group is a real mailing list that delivers by
      itself and whose membership ``roster sync-group`` brings in line with
      the roster (a Google Group through the Directory API); False where the
      roster is the list (local, gmail.com).
    * ``responses_need_sync`` — responses live at the provider and must be
      fetched into the store (Google Forms) before anyone reads them, e.g.
      before choosing who gets a reminder; False where they are written to the
      store as they are submitted (the local web forms).
    * ``can_find_sent`` — the mail port can always tell whether a message
      went out (see :attr:`MailPort.can_find_sent`).

    ``name`` (``local`` or ``google``) is for messages and logs, not for
    branching.
    """

    @property
    def name(self) -> str:
        """``local`` or ``google``."""

    @property
    def forms(self) -> FormsPort:
        """The forms port."""

    @property
    def sheets(self) -> SheetsPort:
        """The worksheets port."""

    @property
    def mail(self) -> MailPort:
        """The mail port."""

    @property
    def group(self) -> GroupPort:
        """The mailing-list port."""

    @property
    def files(self) -> FilesPort:
        """The files port."""

    @property
    def has_real_group(self) -> bool:
        """True when the group delivers by itself and its membership is synchronised with the roster."""

    @property
    def responses_need_sync(self) -> bool:
        """True when responses must be fetched from the provider before they are in the store."""

    @property
    def can_find_sent(self) -> bool:
        """True when the mail port can always tell whether a message went out."""


@dataclass(frozen=True)
class TelegramUpdate:
    """One incoming message from the Bot API's ``getUpdates``: ``chat_type`` ``private``, ``group``,
    ``supergroup`` or ``channel``; ``user_id`` the sender (None in a channel); ``text`` '' for non-text."""

    update_id: int
    chat_id: int
    chat_type: str
    user_id: int | None
    text: str


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is (the Bot API's ``getMe``, which returns a ``User``): its ``bot_id`` and ``username``
    (without the ``@``; '' when Telegram gave none, which the ``User`` object allows though a bot always
    has one).  A bot's username changes only through @BotFather."""

    bot_id: int
    username: str


@dataclass(frozen=True)
class BotMembership:
    """What ``telegram check`` learns: the bot (getMe), the chat (getChat) and the bot's status in it
    (getChatMember: ``creator``, ``administrator``, ``member``, ``restricted``, ``left`` or ``kicked``);
    ``can_post`` is True when that status lets the bot send messages."""

    bot_id: int
    bot_username: str
    chat_id: int
    chat_title: str
    chat_type: str
    status: str
    can_post: bool


class TelegramPort(Protocol):
    """The Telegram channel: the club's group and participants' private chats with the bot (docs/TELEGRAM.md).

    Chat ids are integers (a group's is negative).  Every method raises a
    :class:`~automation.errors.TelegramError`: ``TelegramUnauthorized`` (revoked token),
    ``TelegramForbidden`` (removed from the chat, blocked), ``TelegramChatNotFound``, ``TelegramRefused``
    (another 400), ``TelegramRateLimited`` (429 longer than the adapter waits), ``TelegramUnavailable``
    (not reached: nothing done) or ``TelegramOutcomeUnknown`` (sent, no answer: a post may exist).
    Telegram offers no way to look a sent message up, so the caller records its intent before posting.
    """

    def send_message(self, chat_id: int, text: str, reply_to: int | None = None) -> int:
        """Post plain text (at most 4,096 characters); returns Telegram's ``message_id``."""

    def send_document(self, chat_id: int, path: Path, caption: str = "") -> int:
        """Post a file as a document with a caption (at most 1,024 characters); returns its ``message_id``."""

    def edit_message_text(self, chat_id: int, message_id: int, text: str) -> None:
        """Replace the text of one of the bot's messages (an unchanged text is not an error)."""

    def get_me(self) -> BotIdentity:
        """getMe alone: who the bot is (one call)."""

    def check(self, chat_id: int) -> BotMembership:
        """getMe + getChat + getChatMember of the bot itself: whether it can post to ``chat_id``."""

    def get_updates(self, offset: int | None) -> list[TelegramUpdate]:
        """Incoming messages with ``update_id >= offset`` (all kept ones when None), without waiting;
        asking with a higher offset confirms (and drops at Telegram) the earlier ones."""

    def close(self) -> None:
        """Release the connection (the adapter may not be used afterwards)."""
