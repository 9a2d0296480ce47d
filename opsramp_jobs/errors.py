"""The exceptions the OpsRamp client raises; every one derives from OpsRampError."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One entry of an OpsRamp 400 answer: which field is wrong and why."""

    field_name: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.field_name or '(body)'}: {self.message}"


class OpsRampError(Exception):
    """Base class of every error the OpsRamp client raises."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class OpsRampConfigError(OpsRampError, ValueError):
    """The client was called without something it needs (e.g. no tenant id)."""


class OpsRampAuthError(OpsRampError):
    """Credentials were rejected, or a fresh token was rejected too (401/403/407)."""


class OpsRampCredentialsError(OpsRampAuthError):
    """The token endpoint refused the integration's client id and secret."""


class JobNotFoundError(OpsRampError):
    """The job does not exist (any more): 404, 410, or a 500 that means "not found"."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str,
        tenant_id: str,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.job_id = job_id
        self.tenant_id = tenant_id


class OpsRampValidationError(OpsRampError):
    """OpsRamp rejected the request body (400); field_errors says which fields and why."""

    def __init__(self, message: str, *, field_errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message, status=400, code=field_errors[0].code if field_errors else None)
        self.field_errors = list(field_errors)


class OpsRampRateLimitError(OpsRampError):
    """Still throttled (429) after waiting as long as the client was allowed to."""


class OpsRampApiError(OpsRampError):
    """Any other unexpected answer; status and code come from the response."""


class OpsRampAnswerError(OpsRampApiError):
    """A success (2xx) without the documented JSON object: the server may have acted on it."""


class OpsRampConnectionError(OpsRampError):
    """The request failed in transport (refused, timed out, dropped) after the allowed retries."""

    def __init__(self, message: str, *, request_may_have_been_sent: bool) -> None:
        super().__init__(message)
        # True when the server may have received and acted on the request (read timeout, drop).
        self.request_may_have_been_sent = request_may_have_been_sent


class AmbiguousCreateError(OpsRampError):
    """A create's outcome is unknown and cannot be settled safely; candidates are job ids."""

    def __init__(self, message: str, *, candidates: Sequence[str]) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


def error_text(payload: Any) -> tuple[str, str | None]:
    """(message, code) from any OpsRamp error body: a list or an object, OAuth or API style."""
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        payload = payload[0]
    if isinstance(payload, dict):
        message = payload.get("message") or payload.get("error_description") or payload.get("error")
        code = payload.get("code") or payload.get("error")
        return str(message or ""), None if code is None else str(code)
    return "", None


def field_errors(payload: Any) -> list[FieldError]:
    """OpsRamp's 400 list `[{"code","fieldName","message"}]` (a single object is accepted too)."""
    entries = payload if isinstance(payload, list) else [payload]
    return [
        FieldError(
            field_name=str(entry.get("fieldName") or ""),
            message=str(entry.get("message") or entry.get("error_description") or ""),
            code=str(entry.get("code") or entry.get("error") or ""),
        )
        for entry in entries
        if isinstance(entry, dict)
    ]
