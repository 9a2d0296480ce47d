"""Short errors at ``pulumi up``: what happened and what to do, not a 40-line traceback.

The SDK's provider server (``python -m pulumi.dynamic``) answers any exception with
``traceback.format_exc()``, and the CLI prints that text whole under the resource. For errors the
user can act on (OpsRamp's answers, settings, refusals) the message is the whole story:
``describe`` gives that text, and ``sdk_patches`` sends it instead of the traceback; the full
traceback goes to the provider's stderr (which the CLI prints) only when asked for:
``pulumi up -v=9 --logflow`` or ``OPSRAMP_TRACEBACK=1``. Any other exception, a bug, keeps its
traceback.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from opsramp_jobs.errors import (
    OpsRampCredentialsError,
    OpsRampJobsError,
    OpsRampValidationError,
    PartialCreateError,
    UserError,
)

if TYPE_CHECKING:  # the traceback patch's old import path (see __getattr__), for type checkers
    from opsramp_jobs.sdk_patches import _ShortTracebacks as _ShortTracebacks  # noqa: PLC0414
    from opsramp_jobs.sdk_patches import install_short_errors as install_short_errors  # noqa: PLC0414

__all__ = ["PartialCreateError", "UserError", "describe", "input_path"]


# Where OpsRamp's `fieldName` differs from the input property path (see model.py for each quirk):
# the schema's spellings of two fields, and fields named without their parent object.
_RENAMED = {".dayOfIndex": ".dayOfWeek", ".runConfigAlert": ".runtimeConfigAlert"}
_PARENTS = {
    "script.": ("jobType", "customScript", "parameters", "userType", "credentialSet",
                "approvalType", "configParams"),
    "schedule.pattern.": ("type", "frequency", "repeatType", "repeatFrequency", "weekDays",
                          "dayOfMonth", "weekIndex", "dayOfWeek", "dayOfIndex"),
    "schedule.": ("startDate", "pattern"),
}  # fmt: skip
_FIRST_SEGMENT = re.compile(r"^[A-Za-z_]+")

_CREDENTIALS_FIX = (
    "Set the integration's key and secret: `pulumi config set opsramp:clientId <integration key>`"
    " and `pulumi config set --secret opsramp:clientSecret <integration secret>` (or "
    "OPSRAMP_CLIENT_ID and OPSRAMP_CLIENT_SECRET)."
)
_HINTS = {
    "entities": "entities lists device_ids, then entities=; each must be a device in the job's "
    "tenant (OpsRamp > Infrastructure)",
    "script.customScript": "custom script ids and parameter ids are in OpsRamp > Automation > "
    "Scripts",
}


def input_path(field_name: str) -> str:
    """The input property path an OpsRamp ``fieldName`` refers to (``fieldName`` if no better)."""
    path = field_name.strip()
    for old, new in _RENAMED.items():
        path = path.replace(old, new)
    first = _FIRST_SEGMENT.match(path)
    if first and first.group(0) not in ("name", "tenantId", "entities", "script", "schedule"):
        for parent, children in _PARENTS.items():
            if first.group(0) in children:
                return parent + path
    return path


def _validation(error: OpsRampValidationError) -> str:
    if not error.field_errors:
        return f"OpsRamp refused the job: {error.message}"
    lines = ["OpsRamp refused the job (HTTP 400):"]
    hints: list[str] = []
    for field_error in error.field_errors:
        path = input_path(field_error.field_name) or "(job)"
        lines.append(f"  {path}: {field_error.message}")
        hints += [h for prefix, h in _HINTS.items() if path.startswith(prefix) and h not in hints]
    inputs = "these inputs" if len(error.field_errors) > 1 else "this input"
    lines.append(f"Fix {inputs} and run `pulumi up` again.")
    lines += [f"Hint: {hint}." for hint in hints]
    return "\n".join(lines)


def describe(error: BaseException) -> str | None:
    """The short text for an error the user can act on; None for anything else (a bug)."""
    if not isinstance(error, OpsRampJobsError):
        return None
    if isinstance(error, OpsRampValidationError):
        return _validation(error)
    if isinstance(error, OpsRampCredentialsError):
        # The token endpoint refused the key and secret (the client's message says so): say
        # where they are set. A 403 on a job's path is about the tenant, not the credentials.
        return f"{error.message}\n{_CREDENTIALS_FIX}"
    return str(error)


def __getattr__(name: str) -> Any:
    """The traceback patch's old import path: it lives in ``sdk_patches`` now."""
    if name in ("install_short_errors", "_ShortTracebacks"):
        # Imported here, not at the top: sdk_patches imports this module.
        from opsramp_jobs import sdk_patches  # noqa: PLC0415

        return getattr(sdk_patches, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
