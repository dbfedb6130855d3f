"""Google's error JSON, and the exception the fake's handlers raise to produce it.

Shape (as returned by Google's JSON APIs, e.g. https://cloud.google.com/apis/design/errors)::

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
               "errors": [{"message": "...", "domain": "global", "reason": "badRequest"}],
               "details": [...]}}

`errors` is the legacy ("apiary") list that googleapiclient and gspread's backoff client
look at (``errors[0].reason`` / ``errors[0].domain``); `status` is the canonical code.
"""
from __future__ import annotations

from typing import Any

STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}

REASON_BY_CODE = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    409: "duplicate",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
    500: "backendError",
    501: "notImplemented",
    503: "backendError",
}

# Messages Google sends for the faults the fake can inject.
CANNED_MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential.",
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
    "of service (fake_google).",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An error answer of the fake: raised by handlers, rendered as Google's error JSON."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        reason: str | None = None,
        domain: str | None = None,
        location: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.reason = reason or REASON_BY_CODE.get(code, "unknown")
        self.domain = domain or ("usageLimits" if code == 429 else "global")
        self.location = location
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        legacy: dict[str, Any] = {
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
        }
        if self.location:
            legacy["location"] = self.location
            legacy["locationType"] = "parameter"
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [legacy],
            "status": self.status,
        }
        if self.field is not None:
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": self.field, "description": self.message}],
                }
            ]
        return {"error": error}


def bad_request(message: str, *, field: str | None = None, reason: str = "badRequest") -> ApiError:
    return ApiError(400, message, field=field, reason=reason)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def canned(code: int) -> ApiError:
    """The error Google answers for an injected fault of this HTTP status."""
    return ApiError(code, CANNED_MESSAGES.get(code, f"Injected error {code}."))


def page_offset(token: str | None) -> int:
    """The offset a page token of the fake stands for; a token it never issued is a 400."""
    if not token:
        return 0
    if not token.isdigit():
        raise ApiError(400, "Invalid page token.", reason="invalid", location="pageToken")
    return int(token)
