"""Every exception opsramp_jobs raises, under one root: catch ``OpsRampJobsError`` for all of them.

The tree (a class's other bases in parentheses; the module that raises it where it matters)::

    OpsRampJobsError                        any error of this package
    ├── JobValidationError (ValueError)     an invalid job: every (property path, message) found
    ├── SettingsError (ValueError)          connection settings missing or invalid
    ├── UserError (RuntimeError)            the provider refuses an operation; says what to do
    │   ├── PartialCreateError              a create made its job but must fail: the engine
    │   │                                       records the job with the error (sdk_patches)
    │   └── NameNotSettledError             uniqueness.py: a name's rivalry could not be
    │                                           settled (carries the job this create made)
    ├── InvalidInputsError                  resource.py: ends a program run with invalid
    │   │   (pulumi.RunError)                   inputs (each problem reported on its own line)
    │   └── OpsRampInputError               resource.py: the same, outside a running program
    │           (TypeError, ValueError)
    ├── OpsRampLookupError                  lookups.py: a lookup in a program failed
    │       (pulumi.RunError)
    ├── FleetFileError (ValueError)         fleet/spec.py: an invalid fleet file
    ├── DocumentError (ValueError)          fleet/strict.py: a fleet file that cannot be read
    │                                           safely (duplicate keys, anchors, too deep)
    ├── PolicyConfigError (ValueError)      policy/config.py: a policy's configuration is wrong
    ├── CalendarInputError (ValueError)     calendar/stack.py: not a stack export the calendar
    │                                           can read (one line, never a traceback)
    ├── _ProbeFailedError                   doctor.py: a probe got no answer (internal)
    ├── TenantError                         fleet/runner.py: a fleet tenant cannot run
    └── OpsRampError                        an OpsRamp API call failed (the client)
        ├── OpsRampConfigError (ValueError) the client lacks something it needs (a tenant id)
        ├── OpsRampAuthError                credentials or token refused (401/403/407)
        │   └── OpsRampCredentialsError     the token endpoint refused the key and secret
        ├── JobNotFoundError                the job does not exist (any more)
        ├── OpsRampValidationError          OpsRamp refused the body (400), field by field
        ├── OpsRampRateLimitError           still throttled (429) after waiting
        ├── OpsRampApiError                 any other unexpected answer
        │   └── OpsRampAnswerError          a 2xx without the documented JSON object
        ├── OpsRampConnectionError          transport failure after the retries
        └── AmbiguousCreateError            a create's outcome cannot be settled safely

Every message says what happened and what to do, so the CLI shows it without a traceback
(``presentation.describe``); any other exception is a bug and keeps its traceback.

This module imports nothing but the standard library: the model and the client load without
Pulumi. The two errors a Pulumi program sees directly are ``pulumi.RunError``s (the CLI then
prints their message alone), so they are defined beside the code that raises them, in the
Pulumi-facing modules, with this root as their first base. The OpsRamp emulator
(``opsramp_jobs.emulator``) stands in for OpsRamp and imports nothing from the product: its
configuration errors are its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AmbiguousCreateError",
    "FieldError",
    "JobNotFoundError",
    "JobValidationError",
    "OpsRampAnswerError",
    "OpsRampApiError",
    "OpsRampAuthError",
    "OpsRampConfigError",
    "OpsRampConnectionError",
    "OpsRampCredentialsError",
    "OpsRampError",
    "OpsRampJobsError",
    "OpsRampRateLimitError",
    "OpsRampValidationError",
    "PartialCreateError",
    "SettingsError",
    "UserError",
    "error_text",
    "field_errors",
]


class OpsRampJobsError(Exception):
    """The root of every error opsramp_jobs raises; its message says what to do."""


class JobValidationError(OpsRampJobsError, ValueError):
    """An invalid job; ``errors`` lists every ``(property path, message)`` found."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"  {path}: {message}" for path, message in self.errors]
        noun = "problem" if len(self.errors) == 1 else "problems"
        return f"invalid OpsRamp job ({len(self.errors)} {noun}):\n" + "\n".join(lines)


class SettingsError(OpsRampJobsError, ValueError):
    """Connection settings are missing or invalid; the message says how to fix each one."""

    def __init__(self, problems: list[str], *, invalid: list[str] | None = None) -> None:
        self.missing = list(problems)
        self.invalid = list(invalid or [])
        self.problems = [*self.missing, *self.invalid]
        super().__init__(
            f"OpsRamp connection settings are {self.state}:\n  " + "\n  ".join(self.problems)
        )

    @property
    def state(self) -> str:
        """'incomplete', 'invalid' or 'incomplete and invalid'."""
        if self.missing and self.invalid:
            return "incomplete and invalid"
        return "invalid" if self.invalid else "incomplete"


class UserError(OpsRampJobsError, RuntimeError):
    """The provider refuses an operation; the message says what happened and what to do."""


class PartialCreateError(UserError):
    """A create that made its job but must fail: the engine records ``job_id`` and ``outputs``.

    Sent as the gRPC detail ErrorResourceInitFailed by ``sdk_patches``
    (``partial_creates_supported``).
    """

    def __init__(self, message: str, job_id: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.outputs = outputs


@dataclass(frozen=True)
class FieldError:
    """One entry of an OpsRamp 400 answer: which field is wrong and why."""

    field_name: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.field_name or '(body)'}: {self.message}"


class OpsRampError(OpsRampJobsError):
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
