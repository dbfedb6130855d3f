"""One exception tree for the whole package.

Every error a person can cause (a broken template, plan, roster or CSV; a
missing credential) is an :class:`AutomationError` whose message says what was
found, where, and what to do.  The command line prints the message to stderr
and exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class AutomationError(Exception):
    """Base of every error this package raises on purpose."""


class ValidationError(AutomationError):
    """Input failed validation.

    ``problems`` lists every problem found (not just the first), each a
    one-line human-readable string that names the file and the line or field.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s) found, nothing was changed:\n{lines}")


class TemplateError(ValidationError):
    """A form or mail template is broken."""


class PlanError(ValidationError):
    """The plan of events is broken."""


class RosterError(ValidationError):
    """The roster (mailing list) file is broken."""


class ResponsesImportError(ValidationError):
    """A CSV export of responses cannot be imported."""


class StoreError(AutomationError):
    """The local store (SQLite) is missing, corrupted or of an unknown version."""


class BackendError(AutomationError):
    """A backend (Google or local) refused or failed an operation.

    ``refused_before_processing`` is True when the backend certainly did not
    act on the request (e.g. HTTP 401: the credentials were refused), so a
    message that got this answer can be sent again safely.
    """

    refused_before_processing = False


class DeliveryError(BackendError):
    """A mail could not be delivered to one recipient (a permanent refusal: it is not retried)."""


class PartialDelivery(DeliveryError):
    """The message went out, but the server refused some of its recipients.

    ``provider_id`` is the id of the message that went out; ``refused`` maps each
    refused address to the server's reason.
    """

    def __init__(self, provider_id: str, refused: dict[str, str]):
        self.provider_id, self.refused = provider_id, refused
        super().__init__("the server refused: " + "; ".join(f"{a} ({why})" for a, why in refused.items()))


class MailServerUnavailable(BackendError):
    """The mail server could not be reached or asked to try later: nothing was sent, the next tick retries."""

    refused_before_processing = True


class TelegramError(BackendError):
    """The Telegram Bot API refused or failed a call (:mod:`automation.workspace.telegram`).

    ``code`` is Telegram's ``error_code`` (the HTTP status; 0 when no answer came) and ``description``
    its ``description`` (e.g. ``Forbidden: bot was kicked from the group chat``), the bot's token never in it.
    """

    def __init__(self, description: str, code: int = 0):
        self.code, self.description = code, description
        super().__init__(f"Telegram: {description}" + (f" (HTTP {code})" if code else ""))


class TelegramUnauthorized(TelegramError):
    """401 Unauthorized: the bot's token was revoked or is wrong.  Nothing was posted; the channel stops."""

    refused_before_processing = True


class TelegramForbidden(TelegramError):
    """403: the bot may not write to this chat (removed from the group; a person blocked it or never started it)."""

    refused_before_processing = True


class TelegramChatNotFound(TelegramError):
    """400 ``Bad Request: chat not found``: a wrong chat id, or a chat the bot never was in."""

    refused_before_processing = True


class TelegramRefused(TelegramError):
    """Another 400 for this message (too long, bad file...): it is not posted, and posting it again will not help."""

    refused_before_processing = True


class TelegramRateLimited(TelegramError):
    """429 with a ``retry_after`` longer than the adapter waits: nothing was posted; ``retry_after`` in seconds."""

    refused_before_processing = True

    def __init__(self, description: str, retry_after: float, code: int = 429):
        self.retry_after = retry_after
        super().__init__(description, code)


class TelegramUnavailable(TelegramError):
    """The Bot API server could not be reached (connection refused, DNS): the request was certainly not processed."""

    refused_before_processing = True


class TelegramOutcomeUnknown(TelegramError):
    """The request was sent but no answer came (timeout, connection lost): whether it was posted cannot be told."""
